"""The pty host, generically: a small echo device of this file's own behind a real tty.

The echo core answers every byte with itself and says `\\rTICK nnnnnn` (its tick count)
every `tick_s`; its fault methods only record what they were asked. The CLI tests run it
as `simulators.echo` through `create_core` below.
"""

from __future__ import annotations

import math
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

if os.name != "posix":
    pytest.skip("the pty host needs a POSIX system", allow_module_level=True)

import termios

import serial
from hypothesis import given
from hypothesis import strategies as st

from simulators.pty_host import FaultCommandError, PtyHost, PtyHostError, parse_fault_command

pytestmark = pytest.mark.pty

REPO = Path(__file__).resolve().parents[2]
TICK_LINE = re.compile(rb"\rTICK (\d{6})")
DEADLINE_S = 5.0  # a safety net for reads that should succeed at once; never a measure


class EchoCore:
    """A test device: echoes every byte; says `\\rTICK nnnnnn` every `tick_s` (None: never)."""

    FAULTS = ("unplug", "replug", "stall", "inject_garbage", "overshoot", "burst")

    def __init__(self, baudrate: int = 115200, tick_s: float | None = 0.01):
        self.baudrate = baudrate
        self.tick_s = tick_s
        self.ticks = 0
        self.now_s = 0.0
        self.stalled = False
        self.overshoot_c = 0.0
        self.received: list[tuple[float, bytes]] = []
        self.ticked = threading.Condition()
        self._unplugged = False
        self._next_tick_s = math.inf if tick_s is None else 0.0
        self._out = bytearray()

    @property
    def unplugged(self) -> bool:
        return self._unplugged

    def advance_to(self, t_s: float) -> None:
        while self._next_tick_s <= t_s:
            if not self.stalled:
                self._out += b"\rTICK %06d" % self.ticks
            with self.ticked:
                self.ticks += 1
                self.ticked.notify_all()
            self._next_tick_s += self.tick_s
        self.now_s = max(self.now_s, t_s)

    def receive(self, data: bytes, t_s: float) -> None:
        self.advance_to(t_s)
        self.received.append((t_s, data))
        if not self.stalled:
            self._out += data

    def take_output(self) -> bytes:
        out = b"" if self._unplugged else bytes(self._out)
        self._out.clear()
        return out

    def next_event_s(self) -> float:
        return self._next_tick_s

    def unplug(self) -> None:
        self._unplugged = True

    def replug(self) -> None:
        self._unplugged = False

    def stall(self, on: bool) -> None:
        self.stalled = on

    def inject_garbage(self, data: bytes) -> None:
        self._out += data

    def overshoot(self, extra_c: float) -> None:
        self.overshoot_c = extra_c

    def burst(self, count: int) -> None:
        self._out += bytes(index % 251 for index in range(count))

    def not_a_fault(self) -> None:
        raise AssertionError("only FAULTS may be called")

    def wait_ticks(self, count: int) -> None:
        with self.ticked:
            assert self.ticked.wait_for(lambda: self.ticks >= count, timeout=DEADLINE_S)


def create_core(seed: int, params: dict[str, str]) -> EchoCore:
    """`simulators.echo` for the CLI tests: `tick_ms` (0 = silent) and `baud`."""
    tick_ms = float(params.get("tick_ms", "10"))
    return EchoCore(int(params.get("baud", "115200")), tick_ms / 1000 if tick_ms else None)


@pytest.fixture
def short_dir():
    """A directory with a short path: unix socket paths are limited to ~100 bytes."""
    with tempfile.TemporaryDirectory(prefix="pty") as path:
        yield Path(path)


@pytest.fixture
def hosts():
    started: list[PtyHost] = []

    def make(core: EchoCore, **options) -> PtyHost:
        host = PtyHost(core, **options).start()
        started.append(host)
        return host

    yield make
    for host in started:
        host.stop()


@pytest.fixture
def ports():
    opened: list[serial.Serial] = []

    def open_(path: str | Path, baudrate: int = 115200, **options) -> serial.Serial:
        port = serial.Serial(str(path), baudrate, timeout=DEADLINE_S, exclusive=True, **options)
        opened.append(port)
        return port

    yield open_
    for port in opened:
        port.close()


def read_exactly(port: serial.Serial, size: int) -> bytes:
    data = port.read(size)
    assert len(data) == size, f"got {data!r}, wanted {size} bytes"
    return data


def read_fd(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        readable, _, _ = select.select([fd], [], [], DEADLINE_S)
        assert readable, f"got {data!r}, wanted {size} bytes"
        data += os.read(fd, size - len(data))
    return data


def first_tick(port: serial.Serial) -> int:
    """The number of the first whole TICK line read (skipping a line caught half-way)."""
    buffer = read_exactly(port, 12)
    while (match := TICK_LINE.search(buffer)) is None:
        buffer += read_exactly(port, 1)
    return int(match.group(1))


def test_slave_is_raw_and_passes_every_byte_unchanged(hosts) -> None:
    host = hosts(EchoCore(tick_s=None))
    fd = os.open(host.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        iflag, oflag, cflag, lflag, _, _, cc = termios.tcgetattr(fd)
        assert not lflag & (termios.ECHO | termios.ICANON | termios.ISIG | termios.IEXTEN)
        assert not iflag & (termios.ICRNL | termios.INLCR | termios.IGNCR | termios.IXON | termios.ISTRIP)
        assert not oflag & termios.OPOST
        assert cflag & termios.CSIZE == termios.CS8
        assert cc[termios.VMIN] == 1
        # CR, LF, ^C, XON, XOFF, DEL, 0xFF, NUL: each would be mangled by a cooked tty.
        special = b"\r\n\x03\x11\x13\x7f\xff\x00\x04\x1a"
        os.write(fd, special)
        assert read_fd(fd, len(special)) == special
    finally:
        os.close(fd)


def test_nothing_is_sent_before_a_client_opens_the_port(hosts, ports) -> None:
    core = EchoCore(tick_s=0.01)
    host = hosts(core)
    core.wait_ticks(5)
    # A peek that neither configures nor flushes does not count as a client.
    peek = os.open(host.path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        with pytest.raises(BlockingIOError):
            os.read(peek, 100)
    finally:
        os.close(peek)
    assert not host.client_seen
    with host.lock:
        ticks_before_open = core.ticks
    port = ports(host.path)
    first = read_exactly(port, 12)
    match = TICK_LINE.fullmatch(first)
    assert match, f"the first bytes are not a whole fresh line: {first!r}"
    assert int(match.group(1)) >= ticks_before_open
    assert host.client_seen


def test_a_reopened_port_holds_no_stale_lines(hosts, ports) -> None:
    core = EchoCore(tick_s=0.002)
    host = hosts(core)
    first = ports(host.path)
    first_tick(first)
    first.close()
    with host.lock:
        closed_at = core.ticks
    core.wait_ticks(closed_at + 60)  # lines nobody reads pile up in the kernel meanwhile
    second = ports(host.path)
    # Without the flush on open the next line read would be about `closed_at`.
    assert first_tick(second) >= closed_at + 50


def test_a_client_that_only_configures_the_line_is_noticed(hosts) -> None:
    host = hosts(EchoCore(tick_s=0.01))
    fd = os.open(host.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        settings = termios.tcgetattr(fd)
        settings[4] = settings[5] = termios.B9600
        termios.tcsetattr(fd, termios.TCSANOW, settings)  # as `stty -F PATH 9600` would
        assert host.wait_for_client(DEADLINE_S)
        assert TICK_LINE.fullmatch(read_fd(fd, 12))
    finally:
        os.close(fd)


def test_output_is_paced_no_faster_than_the_baud_rate(hosts, ports) -> None:
    baudrate, size = 115200, 11520  # a second of wire time
    host = hosts(EchoCore(baudrate=baudrate, tick_s=None))
    port = ports(host.path, baudrate)
    assert host.wait_for_client(DEADLINE_S)
    asked_s = time.monotonic()
    host.fault("burst", size)
    received, arrivals = bytearray(), []
    while len(received) < size:
        chunk = port.read(max(1, min(port.in_waiting, size - len(received))))
        assert chunk, "the burst stopped short"
        received += chunk
        arrivals.append(time.monotonic())
    assert bytes(received) == bytes(index % 251 for index in range(size))
    byte_time_s = 10 / baudrate
    # The last byte cannot be through before the wire has carried all of them...
    assert arrivals[-1] - asked_s >= size * byte_time_s
    # ...nor in one dump at the end: it trickles in at the wire's pace throughout.
    assert arrivals[-1] - arrivals[0] >= (size - 100) * byte_time_s
    assert len(arrivals) > 100
    assert host.bytes_dropped == 0


def test_unplug_closes_the_line_and_replug_brings_it_back_on_the_link(hosts, ports, tmp_path) -> None:
    link = tmp_path / "echo"
    host = hosts(EchoCore(tick_s=None), link=link)
    assert os.readlink(link) == host.path
    port = ports(link)
    port.write(b"hello")
    assert read_exactly(port, 5) == b"hello"

    host.fault("unplug")
    assert host.path is None
    assert not link.is_symlink()  # a dangling link could come to name another pty
    with pytest.raises(serial.SerialException):
        port.read(1)
    with pytest.raises(serial.SerialException):
        port.write(b"x")
        port.read(1)
    port.close()
    with pytest.raises(serial.SerialException):
        ports(link)

    host.fault("replug")
    assert os.readlink(link) == host.path
    again = ports(link)
    again.write(b"back")
    assert read_exactly(again, 4) == b"back"


def test_a_core_changed_under_the_lock_wakes_the_host(hosts, ports) -> None:
    core = EchoCore(tick_s=None)  # no events of its own: only the lock's release wakes the host
    host = hosts(core)
    port = ports(host.path)
    assert host.wait_for_client(DEADLINE_S)
    with host.lock:
        core.unplug()
    with pytest.raises(serial.SerialException):
        port.read(1)  # blocks until the host has closed the line
    with host.lock:
        core.replug()
    host.fault("stall", False)  # a barrier: returns after the host's next pass
    again = ports(host.path)
    again.write(b"up")
    assert read_exactly(again, 2) == b"up"


def control_session(path: Path):
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(DEADLINE_S)
    connection.connect(str(path))
    replies = connection.makefile("r", encoding="utf-8")

    def ask(*lines: str) -> list[str]:
        connection.sendall("".join(f"{line}\n" for line in lines).encode())
        return [replies.readline().rstrip("\n") for _ in lines]

    return connection, ask


def test_control_socket_calls_the_cores_faults_by_name(hosts, ports, short_dir) -> None:
    core = EchoCore(tick_s=None)
    host = hosts(core, control=short_dir / "ctl")
    port = ports(host.path)
    connection, ask = control_session(short_dir / "ctl")
    with connection:
        assert ask("stall on", "overshoot 2.5") == ["ok", "ok"]
        with host.lock:
            assert core.stalled is True and core.overshoot_c == 2.5
        assert ask("stall off") == ["ok"]
        assert ask("inject_garbage 41420d") == ["ok"]
        assert read_exactly(port, 3) == b"AB\r"

        bogus, hidden, not_a_number, bad_hex, missing = ask(
            "bogus", "not_a_fault", "overshoot hot", "inject_garbage zz", "stall"
        )
        assert bogus.startswith("error: unknown fault 'bogus'")
        assert hidden.startswith("error: unknown fault 'not_a_fault'")
        assert not_a_number == "error: expected float, not 'hot'"
        assert bad_hex == "error: expected hex bytes, not 'zz'"
        assert missing == "error: usage: stall on"
        with host.lock:
            assert core.stalled is False and core.overshoot_c == 2.5

        assert ask("unplug") == ["ok"]
        assert host.path is None
        assert ask("replug") == ["ok"]
        assert host.path is not None
    # A second client may connect after the first one leaves; blank lines get no answer.
    connection, ask = control_session(short_dir / "ctl")
    with connection:
        connection.sendall(b"\n   \r\n")
        assert ask("stall on") == ["ok"]
        with host.lock:
            assert core.stalled is True


def test_stop_closes_everything_and_is_idempotent(hosts, ports, tmp_path, short_dir) -> None:
    link, control = tmp_path / "echo", short_dir / "ctl"
    host = hosts(EchoCore(tick_s=0.01), link=link, control=control)
    port = ports(link)
    assert host.wait_for_client(DEADLINE_S)
    host.stop()
    assert host.wait(0)
    assert host.error is None
    assert not link.is_symlink() and not control.exists()
    with pytest.raises(serial.SerialException):
        port.read(100)
    host.stop()
    with pytest.raises(PtyHostError):
        host.fault("stall", True)


def test_context_manager_serves_and_stops(tmp_path) -> None:
    link = tmp_path / "echo"
    with PtyHost(EchoCore(tick_s=None), link=link) as host:
        with serial.Serial(str(link), 115200, timeout=DEADLINE_S) as port:
            port.write(b"ping")
            assert read_exactly(port, 4) == b"ping"
    assert not link.exists() and host.wait(0)


def test_a_control_socket_in_use_is_refused(hosts, short_dir) -> None:
    hosts(EchoCore(tick_s=None), control=short_dir / "ctl")
    with pytest.raises(PtyHostError, match="in use"):
        PtyHost(EchoCore(tick_s=None), control=short_dir / "ctl").start()


def test_a_stale_control_socket_is_replaced(hosts, short_dir) -> None:
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(short_dir / "ctl"))
    stale.close()  # the file stays, nobody listens: what a killed host leaves behind
    hosts(EchoCore(tick_s=None), control=short_dir / "ctl")
    connection, ask = control_session(short_dir / "ctl")
    with connection:
        assert ask("stall off") == ["ok"]


def test_a_control_socket_in_a_missing_folder_is_a_clear_error(short_dir) -> None:
    control = short_dir / "nope" / "ctl"
    with pytest.raises(PtyHostError) as raised:
        PtyHost(EchoCore(tick_s=None), control=control).start()
    assert str(raised.value) == f"cannot open control socket {control}: the folder {control.parent} does not exist"


# -- the link: made only where nothing, or a stale link, is -----------------------------


def test_a_file_at_the_link_path_is_refused_and_kept(tmp_path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("data")
    host = PtyHost(EchoCore(tick_s=None), link=precious)
    with pytest.raises(PtyHostError, match=f"cannot make the link {re.escape(str(precious))}: a file is there"):
        host.start()
    host.stop()
    assert not precious.is_symlink() and precious.read_text() == "data"


def test_a_folder_at_the_link_path_is_refused_and_kept(tmp_path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "inside").write_text("data")
    with pytest.raises(PtyHostError, match="a folder is there"):
        PtyHost(EchoCore(tick_s=None), link=folder).start()
    assert (folder / "inside").read_text() == "data"


def test_a_running_hosts_link_is_refused_to_a_second_host(hosts, ports, tmp_path) -> None:
    link = tmp_path / "echo"
    first = hosts(EchoCore(tick_s=None), link=link)
    second = PtyHost(EchoCore(tick_s=None), link=link)
    with pytest.raises(PtyHostError, match=f"it is a live link to {re.escape(first.path)}"):
        second.start()
    second.stop()
    assert os.readlink(link) == first.path  # the refused host took nothing, and removed nothing
    port = ports(link)
    port.write(b"still")
    assert read_exactly(port, 5) == b"still"


def test_a_live_link_to_anything_is_refused(hosts, tmp_path) -> None:
    target = tmp_path / "target"
    target.write_text("data")
    link = tmp_path / "echo"
    link.symlink_to(target)
    with pytest.raises(PtyHostError, match="live link"):
        hosts(EchoCore(tick_s=None), link=link)
    assert os.readlink(link) == str(target) and target.read_text() == "data"


def test_a_stale_link_left_by_a_crashed_run_is_taken_over(hosts, ports, tmp_path) -> None:
    link = tmp_path / "echo"
    link.symlink_to("/dev/pts/qst-gone-long-ago")
    host = hosts(EchoCore(tick_s=None), link=link)
    assert os.readlink(link) == host.path
    port = ports(link)
    port.write(b"ok")
    assert read_exactly(port, 2) == b"ok"
    host.stop()
    assert not link.is_symlink() and not link.exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary link left behind


def test_a_missing_folder_is_a_clear_error(tmp_path) -> None:
    link = tmp_path / "nope" / "echo"
    with pytest.raises(PtyHostError) as raised:
        PtyHost(EchoCore(tick_s=None), link=link).start()
    assert str(raised.value) == f"cannot make the link {link}: the folder {link.parent} does not exist"


@pytest.mark.parametrize("replacement", ["link", "file"])
def test_stop_leaves_whatever_replaced_the_link(hosts, tmp_path, replacement) -> None:
    link = tmp_path / "echo"
    host = hosts(EchoCore(tick_s=None), link=link)
    link.unlink()
    if replacement == "link":
        link.symlink_to(tmp_path)
    else:
        link.write_text("theirs")
    host.stop()
    if replacement == "link":
        assert os.readlink(link) == str(tmp_path)
    else:
        assert link.read_text() == "theirs"


def test_replug_leaves_a_path_taken_while_unplugged(hosts, ports, tmp_path, caplog) -> None:
    link = tmp_path / "echo"
    host = hosts(EchoCore(tick_s=None), link=link)
    host.fault("unplug")
    assert not link.is_symlink()
    link.write_text("theirs")
    host.fault("replug")
    # is_symlink first: reading a link to the pty would wait for the device to speak
    assert not link.is_symlink() and link.read_text() == "theirs"
    assert "a file is there" in caplog.text
    port = ports(host.path)  # still serving, on its pty alone
    port.write(b"hi")
    assert read_exactly(port, 2) == b"hi"
    host.stop()
    assert host.error is None and not link.is_symlink() and link.read_text() == "theirs"


# -- parsing fault commands ---------------------------------------------------------------


@given(line=st.text(max_size=60))
def test_any_command_line_parses_or_is_refused_cleanly(line: str) -> None:
    try:
        name, arguments = parse_fault_command(EchoCore(tick_s=None), line)
    except FaultCommandError:
        return
    assert name in EchoCore.FAULTS
    assert len(arguments) <= 1


@given(value=st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_reach_the_core_as_numbers(value: float) -> None:
    assert parse_fault_command(EchoCore(tick_s=None), f"overshoot {value!r}") == ("overshoot", [value])


@given(data=st.binary(min_size=1, max_size=40))
def test_hex_reaches_the_core_as_bytes(data: bytes) -> None:
    assert parse_fault_command(EchoCore(tick_s=None), f"inject_garbage {data.hex()}") == ("inject_garbage", [data])


@pytest.mark.parametrize("word, value", [("on", True), ("OFF", False), ("1", True), ("false", False), ("yes", True)])
def test_switch_words_reach_the_core_as_booleans(word: str, value: bool) -> None:
    assert parse_fault_command(EchoCore(tick_s=None), f"stall {word}") == ("stall", [value])


# -- the command line ---------------------------------------------------------------------

# Runs `python -m simulators` with this file's echo core registered as `simulators.echo`.
BOOTSTRAP = (
    "import runpy, sys; import tests.simulators.test_pty_host as echo; "
    "sys.modules['simulators.echo'] = echo; "
    "runpy.run_module('simulators', run_name='__main__', alter_sys=True)"
)


def start_cli(*arguments: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", BOOTSTRAP, *arguments],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled_then_cleans_up(stop_signal, tmp_path, short_dir) -> None:
    link, control = tmp_path / "echo", short_dir / "ctl"
    process = start_cli("echo", "--link", str(link), "--control", str(control), "--param", "tick_ms=0", "--baud", "38400")
    try:
        path = process.stdout.readline().strip()
        assert process.stdout.readline().strip() == str(link)
        assert path.startswith("/dev/") and os.readlink(link) == path
        with serial.Serial(str(link), 38400, timeout=DEADLINE_S) as port:
            port.write(b"cli")
            assert read_exactly(port, 3) == b"cli"
        connection, ask = control_session(control)
        with connection:
            assert ask("stall on", "nonsense") == ["ok", "error: unknown fault 'nonsense' (this device has: "
                                                   "unplug, replug, stall, inject_garbage, overshoot, burst)"]
        process.send_signal(stop_signal)
        assert process.wait(timeout=DEADLINE_S) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.stderr.read() == ""
    assert not link.is_symlink() and not control.exists()


def test_cli_refuses_an_unknown_device_in_one_line() -> None:
    process = start_cli("nosuchdevice")
    assert process.wait(timeout=DEADLINE_S) == 2
    error = process.stderr.read()
    assert error.startswith("qst: error: unknown simulated device 'nosuchdevice'") and error.count("\n") == 1
    assert process.stdout.read() == ""


def test_cli_refuses_a_malformed_param() -> None:
    process = start_cli("echo", "--param", "tick_ms")
    assert process.wait(timeout=DEADLINE_S) == 2
    assert process.stderr.read() == "qst: error: argument --param: expected key=value, not 'tick_ms'\n"


@pytest.mark.parametrize("obstacle", ["file", "folder", "missing folder"])
def test_cli_refuses_a_link_path_in_one_line_and_keeps_what_is_there(obstacle, tmp_path) -> None:
    link = tmp_path / ("nope/echo" if obstacle == "missing folder" else "precious")
    if obstacle == "file":
        link.write_text("data")
    elif obstacle == "folder":
        link.mkdir()
    process = start_cli("echo", "--link", str(link))
    try:
        assert process.wait(timeout=DEADLINE_S) == 2
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    error = process.stderr.read()
    assert error.startswith(f"qst: error: cannot make the link {link}: ") and error.count("\n") == 1
    assert "Errno" not in error and ".tmp" not in error
    assert process.stdout.read() == ""
    if obstacle == "file":
        assert not link.is_symlink() and link.read_text() == "data"
    elif obstacle == "folder":
        assert link.is_dir() and not link.is_symlink()


def test_cli_refuses_a_running_simulators_link(tmp_path) -> None:
    link = tmp_path / "echo"
    first = start_cli("echo", "--link", str(link), "--param", "tick_ms=0")
    second = None
    try:
        path = first.stdout.readline().strip()
        assert first.stdout.readline().strip() == str(link)
        second = start_cli("echo", "--link", str(link), "--param", "tick_ms=0")
        assert second.wait(timeout=DEADLINE_S) == 2
        refusal = f"qst: error: cannot make the link {link}: it is a live link to {path} (another simulator's?)\n"
        assert second.stderr.read() == refusal
        assert os.readlink(link) == path  # the first keeps its link
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=DEADLINE_S) == 0
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert not link.is_symlink()
