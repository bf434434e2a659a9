"""The `qst` command. Subcommands import what they need when they run, so `--help` is quick."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(
    help="qst — quantitative sensory testing: devices, procedures, records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str) -> None:
    """Print a one-line error and exit 2 (bad input, missing device, ...)."""
    typer.echo(f"qst: error: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def demo(seed: int = typer.Option(3, help="Seed of the simulated devices.")) -> None:
    """Run a short session on the simulators in virtual time and print what was measured.

    Example: qst demo --seed 7
    """
    from qst.demo import run_demo

    try:
        run_demo(seed)
    except Exception as error:  # the demo must never end in a traceback
        fail(str(error) or type(error).__name__)


@app.command()
def simulate(
    kind: str = typer.Argument(..., help="Device to simulate: tcs2 or mark10."),
    link: str = typer.Option(None, help="Stable symlink to the tty, e.g. /tmp/tcs2."),
    seed: int = typer.Option(0, help="Seed of the simulated device."),
) -> None:
    """Serve a simulated device on a real pseudo-terminal, in real time, until Ctrl-C.

    Example: qst simulate tcs2 --link /tmp/tcs2
    """
    import subprocess

    command = [sys.executable, "-m", "simulators", kind, "--seed", str(seed)]
    if link:
        command += ["--link", link]
    try:
        raise typer.Exit(subprocess.call(command))
    except KeyboardInterrupt:
        raise typer.Exit(0)


@app.command()
def devices(
    port: list[str] = typer.Option([], "--port", help="Also identify this port or URL (repeatable)."),
) -> None:
    """List the serial ports and identify the thermode and algometer on them.

    Only queries are sent (identity, battery, temperature): nothing heats or moves.
    Example: qst devices --port /tmp/tcs2
    """
    from rich.console import Console
    from rich.table import Table

    import simulators  # noqa: F401  (so sim:// URLs can be named too)
    from qst.devices import discover

    reports = discover(port)
    if not reports:
        typer.echo("No serial ports found. Is the device plugged in and powered?")
        return
    table = Table(title="Devices")
    for column in ("port", "device", "identity", "state"):
        table.add_column(column)
    for report in reports:
        table.add_row(report.url, report.kind or "—", report.identity or report.description, report.detail or report.error)
    Console().print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
