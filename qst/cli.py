"""The `qst` command. Subcommands import what they need when they run, so `--help` is quick."""

from __future__ import annotations

import typer

app = typer.Typer(
    rich_markup_mode=None,  # plain help: rich's formatter alone costs more than the 0.3 s start-up allows
    help=(
        "qst — quantitative sensory testing: devices, procedures, records.\n\n"
        "Example: qst demo (a lab visit on the simulators, in seconds); "
        "qst run --simulate (the technician's screens on simulated devices)."
    ),
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
    """Run the first study's lab visit on the simulators in virtual time and print its summary.

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
    control: str = typer.Option(
        None, metavar="PATH", help="Unix socket taking fault commands (unplug, replug, stall on, ...)."
    ),
) -> None:
    """Serve a simulated device on a real pseudo-terminal, in real time, until Ctrl-C.

    Prints the tty path (and the link), then serves until Ctrl-C or SIGTERM.

    Example: qst simulate tcs2 --link /tmp/tcs2
    """
    from simulators.__main__ import main

    argv = [kind, "--seed", str(seed)]
    if link:
        argv += ["--link", link]
    if control:
        argv += ["--control", control]
    # In this process, not a child: a SIGTERM to `qst simulate` stops the device it serves.
    raise typer.Exit(main(argv))


@app.command()
def devices(
    port: list[str] = typer.Option([], "--port", help="Also identify this port or URL (repeatable)."),
) -> None:
    """List the serial ports and identify the thermode and algometer on them.

    Only queries are sent (identity, battery, temperature): nothing heats or moves. Exits 2
    when a port named with --port cannot be opened or answers as neither device.

    Example: qst devices --port /tmp/tcs2
    """
    from rich.console import Console
    from rich.table import Table

    import simulators  # noqa: F401  (so sim:// URLs can be named too)
    from qst.devices import discover

    reports = discover(port)
    if not reports:
        typer.echo("No serial ports found. Is the device plugged in and powered?\n"
                   "To try it on a simulator: qst simulate tcs2 --link /tmp/tcs2, then qst devices --port /tmp/tcs2")
        return
    table = Table(title="Devices")
    for column in ("port", "device", "identity", "state"):
        table.add_column(column)
    for report in reports:
        table.add_row(report.url, report.kind or "—", report.identity or report.description, report.detail or report.error)
    Console().print(table)
    # A port asked for by name that cannot be used is an error for scripts too, not just a row.
    failed = [report for report in reports if report.description == "given" and report.error]
    if failed:
        fail("; ".join(f"{report.url}: {report.error}" for report in failed))


@app.command()
def run(
    ctx: typer.Context,
    simulate: bool = typer.Option(
        False, "--simulate", help="Simulated devices on ptys, a virtual participant and a temporary store."
    ),
    seed: int = typer.Option(3, help="Seed of the simulated devices and participant (with --simulate)."),
    thermode: str = typer.Option(None, "--thermode", metavar="PORT", help="The thermode's port (default: search)."),
    algometer: str = typer.Option(None, "--algometer", metavar="PORT", help="The algometer's port (default: search)."),
    examiner: str = typer.Option("", "--examiner", help="Who runs the visit (can be typed in the UI)."),
    station: str = typer.Option("", "--station", help="This test station's name (default: the host name)."),
) -> None:
    """Run lab visits in the technician's terminal UI: pick the visit, check the devices, test.

    Esc aborts and sends the thermode to neutral from any screen.

    Example: qst run --simulate
    """
    from qst.cli_support import db_url
    from qst.ui.launch import LaunchError, run_lab, run_simulated

    try:
        if simulate:
            run_simulated(seed=seed, examiner=examiner)
        else:
            run_lab(db=db_url(ctx), thermode=thermode, algometer=algometer, examiner=examiner, station=station)
    except LaunchError as error:
        fail(str(error))


# The records commands: their modules import only typer at first, like this one.
from qst import cli_records, cli_study  # noqa: E402
from qst.cli_support import root_options  # noqa: E402

app.callback()(root_options)
app.add_typer(cli_study.study_app, name="study")
app.add_typer(cli_records.participant_app, name="participant")
app.add_typer(cli_records.visit_app, name="visit")
app.add_typer(cli_records.diary_app, name="diary")
app.command("export")(cli_records.export)
app.command("audit")(cli_records.audit)
app.command("correct")(cli_records.correct)

from qst import cli_report  # noqa: E402

cli_report.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
