"""The pty host: a device core behind a real tty, in real time (POSIX only).

`sim://` runs a core in virtual time inside the test process; the pty host publishes it as
a pseudo-terminal instead, so the unmodified driver, a terminal program or a script in
another language opens it like hardware:

    with create_host("tcs2", seed=1, link=Path("/tmp/tcs2")) as host:  # or PtyHost(core, ...)
        serial.Serial(str(host.link), 115200)  # or host.path, e.g. /dev/pts/4

`serve(kind, ...)` / `run(host)` serve until SIGINT/SIGTERM (what `python -m simulators`
does).

How it behaves, and why:

- **Time.** The core's time is seconds since `start()` on `clock` (monotonic), so a core
  starts at 0 as on a virtual bench. The host thread sleeps in `select` until the earliest
  of: input on the pty master, the core's `next_event_s()`, the next byte due on the wire,
  a control command. Input reaches `core.receive` as soon as the kernel wakes the thread.
  Due core events are run one by one at their own times, so a line the core emits at
  t = 1.000 s goes on the wire at 1.000 s even if the thread woke a little late.
- **Raw line.** The slave is put in raw mode (no echo, no CR/LF mapping, no signals, no
  flow control, 8 bits) before anyone can open it. The host keeps its own slave fd open,
  so the master never sees a hang-up when a client closes; the kernel keeps the client's
  settings between opens.
- **Nothing before open.** The master runs in packet mode (TIOCPKT), in which the kernel
  reports every input flush on the slave to the master. Every pyserial open flushes the
  input (`reset_input_buffer`), so that report marks a client's arrival at once, without
  polling. Two more signs count as an open: the slave's termios changing (a client
  configuring the line, e.g. `stty`; checked at every wake-up) and bytes arriving from a
  client. Until one is seen, the core runs but its output is dropped, as a real device's
  words are lost with no one on the line. A termios change after that (a client
  reconfiguring, or a new client with other settings) also flushes what was queued for
  the slave before it. A client that neither writes, flushes nor configures (`cat`) is
  not noticed until it does one of these.
- **Pacing.** Output is released by a `WirePacer` at the core's `baudrate` (8N1, 10 bits
  a byte) in chunks of about 0.5 ms. If the kernel's queue towards the slave is full
  (nobody has read for a long while), further bytes are dropped and counted in
  `bytes_dropped` rather than piling up to be delivered stale.
- **Unplug.** When `core.unplugged` turns true, the host closes the master and its slave
  fd: a client's next read or write fails, as with a pulled USB cable. The link is
  removed meanwhile (pty numbers are reused: a dangling link could come to name somebody
  else's terminal). When `unplugged` turns false, a new pty is made and the link is
  made again, so reopening the link gets the device back (unless something else took the
  path meanwhile: that is left alone, with a warning).
- **The link.** It is made only where nothing is, or over a stale link (one whose pty is
  gone, left by a crashed run); a file, a folder or a live link (another simulator's) is
  refused. On stop the link is removed only if it still points at this host's pty.
- **Faults.** A core lists its fault methods in a class attribute `FAULTS` (names);
  `fault(name, *args)` and `command("stall on")` call them on the host thread, as does the
  optional control socket (`control=Path`): a unix stream socket taking one command per
  line and answering `ok` or `error: ...`. Arguments are converted by the method's type
  hints: `bool` (on/off, true/false, yes/no, 1/0), `int`, `float`, `bytes` (hex, e.g.
  `41420d`), anything else as text; of a union (`float | str`) the first member counts.
- **Threads.** The core is not thread-safe. The host thread holds `lock` whenever it
  touches the core; hold it (`with host.lock:`) to read or change the core from another
  thread. Releasing it wakes the host, which then re-reads the core's state.
"""

from __future__ import annotations

import os

if os.name != "posix":
    raise ImportError("the pty host needs a POSIX system (Linux, macOS); use sim:// URLs elsewhere")

import errno
import fcntl
import inspect
import logging
import math
import queue
import secrets
import selectors
import signal
import socket
import stat
import struct
import termios
import threading
import time
import types
import typing
from concurrent.futures import Future
from pathlib import Path
from typing import Callable, Mapping

from simulators.bench import create_core
from simulators.core import DeviceCore
from simulators.wire_pacer import WirePacer

log = logging.getLogger(__name__)

_READ_SIZE = 65536
_MAX_COMMAND_BYTES = 4096
_CONTROL_SEND_TIMEOUT_S = 1.0
# Packet-mode status bits that mean "the slave flushed its input": a client opened the
# port (pyserial flushes on open) or reset its input buffer.
_FLUSH_STATUS = getattr(termios, "TIOCPKT_FLUSHREAD", 0x01)
_TRUE_WORDS = {"on", "true", "yes", "1"}
_FALSE_WORDS = {"off", "false", "no", "0"}


class PtyHostError(Exception):
    """The pty host could not start or serve (no pty, control socket in use, ...)."""


class FaultCommandError(ValueError):
    """A fault command names no fault of the core, or its arguments do not fit."""


class _WakingLock:
    """The core's lock as seen from outside: releasing it wakes the host thread."""

    def __init__(self, lock: threading.RLock, wake: Callable[[], None]):
        self._lock = lock
        self._wake = wake

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()
        self._wake()

    def __enter__(self) -> "_WakingLock":
        self._lock.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _make_raw(fd: int) -> None:
    """Raw mode, as cfmakeraw: bytes pass unchanged both ways, 8 bits, no flow control."""
    iflag, oflag, cflag, lflag, ispeed, ospeed, cc = termios.tcgetattr(fd)
    iflag &= ~(
        termios.IGNBRK | termios.BRKINT | termios.PARMRK | termios.ISTRIP | termios.INLCR
        | termios.IGNCR | termios.ICRNL | termios.IXON | termios.IXOFF | termios.IXANY | termios.INPCK
    )
    oflag &= ~termios.OPOST
    lflag &= ~(termios.ECHO | termios.ECHONL | termios.ICANON | termios.ISIG | termios.IEXTEN)
    cflag &= ~(termios.CSIZE | termios.PARENB | termios.CSTOPB)
    cflag |= termios.CS8 | termios.CREAD | termios.CLOCAL
    cc = list(cc)
    cc[termios.VMIN] = 1
    cc[termios.VTIME] = 0
    termios.tcsetattr(fd, termios.TCSANOW, [iflag, oflag, cflag, lflag, ispeed, ospeed, cc])


def _convert_argument(text: str, annotation: object) -> object:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next((arg for arg in typing.get_args(annotation) if arg is not type(None)), str)
    if annotation is bool:
        word = text.lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise FaultCommandError(f"expected on or off, not {text!r}")
    try:
        if annotation is int:
            return int(text)
        if annotation is float:
            return float(text)
        if annotation is bytes:
            return bytes.fromhex(text)
    except ValueError:
        kind = "hex bytes" if annotation is bytes else annotation.__name__
        raise FaultCommandError(f"expected {kind}, not {text!r}") from None
    return text


def parse_fault_command(core: object, line: str) -> tuple[str, list[object]]:
    """`"overshoot 2.5"` -> `("overshoot", [2.5])`, checked against the core's `FAULTS`."""
    words = line.split()
    if not words:
        raise FaultCommandError("empty command")
    name, texts = words[0], words[1:]
    faults = tuple(getattr(type(core), "FAULTS", ()))
    if name not in faults:
        known = ", ".join(faults) or "none"
        raise FaultCommandError(f"unknown fault {name!r} (this device has: {known})")
    method = getattr(core, name)
    try:
        hints = typing.get_type_hints(method)
    except Exception:  # unresolvable annotations: pass the words as text
        hints = {}
    parameters = list(inspect.signature(method).parameters.values())
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    variadic = next((p for p in parameters if p.kind == p.VAR_POSITIONAL), None)
    required = sum(1 for p in positional if p.default is p.empty)
    if len(texts) < required or (variadic is None and len(texts) > len(positional)):
        expected = " ".join(p.name for p in positional) + (f" {variadic.name}..." if variadic else "")
        raise FaultCommandError(f"usage: {name} {expected}".rstrip())
    arguments = []
    for index, text in enumerate(texts):
        parameter = positional[index] if index < len(positional) else variadic
        arguments.append(_convert_argument(text, hints.get(parameter.name, str)))
    return name, arguments


def _os_reason_at(path: Path, error: OSError) -> str:
    """An OS failure to make `path` (link or socket) in a few words: no errno, no raw text."""
    if error.errno == errno.ENOENT:
        return f"the folder {path.parent} does not exist"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"no permission to write in {path.parent}"
    if error.errno == errno.ENOTDIR:
        return f"{path.parent} is not a folder"
    return error.strerror.lower() if error.strerror else str(error)


class PtyHost:
    """Serves one device core on a pseudo-terminal, in real time, from a background thread.

    `link`: a symlink kept pointing at the current pty (replaced atomically when a new pty
    is made, removed while unplugged and on stop). It is made only where nothing is, or
    over a stale link whose target is gone; a file, a folder or a live link there makes
    `start` fail. Only the link this host made is ever removed. `clock`: seconds, monotonic.
    `control`: path of a unix socket taking fault commands, one per line.
    """

    def __init__(
        self,
        core: DeviceCore,
        link: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        control: Path | None = None,
    ):
        self.core = core
        self.link = Path(link) if link is not None else None
        self.control = Path(control) if control is not None else None
        self._clock = clock
        self._core_lock = threading.RLock()
        self.lock = _WakingLock(self._core_lock, self._wake)
        self.bytes_dropped = 0
        self.error: BaseException | None = None
        self._path: str | None = None
        self._linked_path: str | None = None
        self._master: int | None = None
        self._slave: int | None = None
        self._termios: list | None = None
        self._client_seen = False
        self._client_event = threading.Event()
        self._pacer = WirePacer(core.baudrate)
        self._selector: selectors.BaseSelector | None = None
        self._wake_r: int | None = None
        self._wake_w: int | None = None
        self._listener: socket.socket | None = None
        self._connections: dict[socket.socket, bytearray] = {}
        self._replies: list[tuple[socket.socket, bytes]] = []
        self._calls: "queue.SimpleQueue[tuple[Callable[[], object], Future]]" = queue.SimpleQueue()
        self._calls_lock = threading.Lock()
        self._finished: list[tuple[Future, object, bool]] = []
        self._accepting_calls = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._t0_s = 0.0

    # -- public -----------------------------------------------------------------------

    @property
    def path(self) -> str | None:
        """The slave tty's path (e.g. `/dev/pts/4`); None while unplugged or stopped."""
        return self._path

    @property
    def client_seen(self) -> bool:
        """Whether a client has opened the current pty (output flows only once it has)."""
        return self._client_seen

    def wait_for_client(self, timeout_s: float | None = None) -> bool:
        """Wait until a client has opened the current pty; True if one has."""
        return self._client_event.wait(timeout_s)

    def start(self) -> "PtyHost":
        """Make the pty (and control socket) and serve them on a background thread."""
        if self._thread is not None:
            raise PtyHostError("the pty host has already been started")
        try:
            # The selector's fds stay below FD_SETSIZE in practice, and select() sleeps to
            # the microsecond where epoll and poll round up to whole milliseconds.
            self._selector = selectors.SelectSelector()
            self._wake_r, self._wake_w = os.pipe()
            os.set_blocking(self._wake_r, False)
            os.set_blocking(self._wake_w, False)
            self._selector.register(self._wake_r, selectors.EVENT_READ, self._on_wake)
            if self.control is not None:
                self._open_control()
            self._pacer = WirePacer(self.core.baudrate)
            self._t0_s = self._clock()
            with self._core_lock:
                self.core.advance_to(0.0)  # power on: a core anchors its time line here
                self.core.take_output()
                self._reconcile_line()
        except OSError as error:
            self._cleanup()
            raise PtyHostError(f"cannot serve on a pty: {error.strerror or error}") from error
        except BaseException:
            self._cleanup()
            raise
        self._accepting_calls = True
        self._thread = threading.Thread(target=self._serve, name=f"pty-host {self._path}", daemon=True)
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Ask the host thread to finish, without waiting (safe from a signal handler)."""
        self._stopping = True
        self._wake()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait until the host thread has finished (stopped or failed); True if it has."""
        return self._done.wait(timeout_s)

    def stop(self) -> None:
        """Stop serving: close the pty, remove the link and the control socket. Idempotent."""
        self.request_stop()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._cleanup()

    def __enter__(self) -> "PtyHost":
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def fault(self, name: str, *args: object) -> object:
        """Call the core's fault method `name` (one of its `FAULTS`) on the host thread.

        Returns once the host has acted on it (e.g. the pty is closed after `unplug`).
        """
        if name not in tuple(getattr(type(self.core), "FAULTS", ())):
            raise FaultCommandError(f"unknown fault {name!r}")
        return self._run_on_host(lambda: getattr(self.core, name)(*args))

    def command(self, line: str) -> str:
        """Run one control-socket command line here; returns the reply, `ok` or `error: ...`."""
        return self._run_on_host(lambda: self._command_reply(line))

    # -- host thread ------------------------------------------------------------------

    def _now(self) -> float:
        return self._clock() - self._t0_s

    def _wake(self) -> None:
        if self._wake_w is not None:
            try:
                os.write(self._wake_w, b"!")
            except (BlockingIOError, OSError):
                pass  # a wake-up is already pending, or the host is gone

    def _serve(self) -> None:
        try:
            while not self._stopping:
                with self._core_lock:
                    timeout_s = self._timeout_s()
                ready = self._selector.select(timeout_s)
                with self._core_lock:
                    now = self._now()
                    self._run_due_events(now)
                    self._watch_termios()
                    for key, _ in ready:
                        key.data(now)
                    if not self._calls.empty() and self._master is not None:
                        self._on_master(now)  # a client that opened just before the call sees its effect
                    self._run_calls()
                    self._collect(now)
                    self._reconcile_line()
                    self._pump(now)
                    self._send_replies()
                self._settle_calls()
        except BaseException as error:  # reported through `error` and `wait()`
            self.error = error
            log.exception("pty host failed")
        finally:
            with self._calls_lock:
                self._accepting_calls = False
            while not self._calls.empty():
                _, future = self._calls.get_nowait()
                self._finished.append((future, PtyHostError("the pty host has stopped"), True))
            self._settle_calls()
            self._cleanup()
            self._done.set()

    def _timeout_s(self) -> float | None:
        due_s = self.core.next_event_s()
        if self._master is not None and self._client_seen:
            due_s = min(due_s, self._pacer.next_due_s())
        if math.isinf(due_s):
            return None
        return max(0.0, due_s - self._now())

    def _run_due_events(self, now: float) -> None:
        previous_s = -math.inf
        while True:
            event_s = self.core.next_event_s()
            if event_s > now or event_s <= previous_s:
                break  # the latter: a core that does not move on; don't spin on it
            self.core.advance_to(event_s)
            self._collect(event_s)
            previous_s = event_s
        self.core.advance_to(now)

    def _collect(self, t_s: float) -> None:
        output = self.core.take_output()
        if output and self._master is not None and self._client_seen:
            self._pacer.push(output, t_s)

    def _pump(self, now: float) -> None:
        if self._master is None or not self._client_seen:
            return
        due = self._pacer.take_due(now)
        if not due:
            return
        try:
            written = os.write(self._master, due)
        except BlockingIOError:
            written = 0
        self.bytes_dropped += len(due) - written

    def _client_arrived(self) -> None:
        if not self._client_seen:
            self._client_seen = True
            self._client_event.set()
            log.debug("client opened %s", self._path)

    def _watch_termios(self) -> None:
        if self._slave is None:
            return
        settings = termios.tcgetattr(self._slave)
        if settings != self._termios:
            self._termios = settings
            if self._client_seen:
                # A client (re)configured the line: drop what was queued for whoever was
                # there before, as a freshly opened real port holds nothing old.
                termios.tcflush(self._slave, termios.TCIFLUSH)
            self._client_arrived()

    def _on_wake(self, now: float) -> None:
        try:
            while os.read(self._wake_r, 4096):
                pass
        except BlockingIOError:
            pass

    def _on_master(self, now: float) -> None:
        while self._master is not None:
            try:
                packet = os.read(self._master, _READ_SIZE)
            except BlockingIOError:
                return
            except OSError as error:
                if error.errno == errno.EIO:
                    return
                raise
            if not packet:
                return
            status, data = packet[0], packet[1:]
            if status & _FLUSH_STATUS:
                self._client_arrived()
            if data:
                self._client_arrived()
                self.core.receive(data, now)

    def _run_calls(self) -> None:
        while not self._calls.empty():
            call, future = self._calls.get_nowait()
            try:
                self._finished.append((future, call(), False))
            except Exception as error:
                self._finished.append((future, error, True))

    def _settle_calls(self) -> None:
        """Hand callers their results, once the host has acted on the calls (or died)."""
        for future, outcome, failed in self._finished:
            if failed:
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        self._finished.clear()

    def _run_on_host(self, call: Callable[[], object]) -> object:
        if self._thread is threading.current_thread():
            with self._core_lock:
                return call()
        future: Future = Future()
        with self._calls_lock:
            if not self._accepting_calls:
                raise PtyHostError("the pty host is not running")
            self._calls.put((call, future))
        self._wake()
        return future.result()

    def _command_reply(self, line: str) -> str:
        try:
            name, arguments = parse_fault_command(self.core, line)
            getattr(self.core, name)(*arguments)
        except Exception as error:
            return f"error: {error}".splitlines()[0]
        return "ok"

    # -- the line: pty, link ----------------------------------------------------------

    def _reconcile_line(self) -> None:
        if self.core.unplugged and self._master is not None:
            self._remove_link()
            self._close_pty()
            log.info("unplugged")
        elif not self.core.unplugged and self._master is None and not self._stopping:
            self._open_pty()
            try:
                self._publish_link()
            except PtyHostError as error:
                if self._thread is None:
                    raise  # starting: refuse to serve rather than serve somewhere unexpected
                # Replugged after someone took the path the unplug freed: it is theirs now.
                log.warning("%s; serving on %s without it", error, self._path)
            log.info("serving on %s", self._path)

    def _open_pty(self) -> None:
        master, slave = os.openpty()
        try:
            _make_raw(slave)
            if hasattr(termios, "TIOCPKT"):
                fcntl.ioctl(master, termios.TIOCPKT, struct.pack("i", 1))
            os.set_blocking(master, False)
            path = os.ttyname(slave)
        except BaseException:
            os.close(master)
            os.close(slave)
            raise
        self._master, self._slave, self._path = master, slave, path
        self._termios = termios.tcgetattr(slave)
        self._client_seen = False
        self._client_event.clear()
        self._pacer.clear()
        self._selector.register(master, selectors.EVENT_READ, self._on_master)

    def _close_pty(self) -> None:
        if self._master is not None:
            self._selector.unregister(self._master)
            os.close(self._master)
        if self._slave is not None:
            os.close(self._slave)
        self._master = self._slave = self._path = None
        self._client_seen = False
        self._client_event.clear()
        self._pacer.clear()

    def _publish_link(self) -> None:
        """Point `link` at the current pty, where nothing is or over a stale link only.

        Raises `PtyHostError` (naming the path and why) rather than replace a file, a
        folder or a live link: see `_link_obstacle`.
        """
        if self.link is None:
            return
        try:
            obstacle = self._link_obstacle()
            if obstacle is not None:
                raise PtyHostError(f"cannot make the link {self.link}: {obstacle}")
            if self.link.is_symlink():
                self._replace_stale_link()
            else:
                os.symlink(self._path, self.link)  # fails, never replaces, if a file appeared meanwhile
        except OSError as error:
            raise PtyHostError(f"cannot make the link {self.link}: {_os_reason_at(self.link, error)}") from error
        self._linked_path = self._path

    def _link_obstacle(self) -> str | None:
        """Why `link` may not be (re)made, or None: nothing is there, or a stale link is.

        A stale link (one a crashed run left) points at a pty or device that is gone. One
        whose target still exists is live, most likely another running simulator's; a
        file or a folder is the user's. Those are left alone.
        """
        try:
            mode = self.link.lstat().st_mode
        except FileNotFoundError:
            return None
        except OSError as error:
            return _os_reason_at(self.link, error)
        if stat.S_ISDIR(mode):
            return "a folder is there"
        if stat.S_ISREG(mode):
            return "a file is there"
        if not stat.S_ISLNK(mode):
            return "something other than a link is there"
        target = os.readlink(self.link)
        # Our own pty may have the number a crashed run's link names: then it is ours.
        if target in (self._path, self._linked_path) or not os.path.exists(self.link):
            return None
        return f"it is a live link to {target} (another simulator's?)"

    def _replace_stale_link(self) -> None:
        """Repoint the stale symlink `link` at the current pty in one step (never missing)."""
        temporary = self.link.with_name(f".{self.link.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        os.symlink(self._path, temporary)
        try:
            os.replace(temporary, self.link)
        except OSError:
            temporary.unlink(missing_ok=True)
            raise

    def _remove_link(self) -> None:
        """Remove `link` if it is still the one this host made (a symlink to its pty)."""
        if self.link is None or self._linked_path is None:
            return
        try:
            ours = os.readlink(self.link) == self._linked_path
        except OSError:
            ours = False
        if ours:  # someone may have pointed the link elsewhere meanwhile: leave theirs be
            self.link.unlink(missing_ok=True)
        self._linked_path = None

    # -- the control socket -----------------------------------------------------------

    def _open_control(self) -> None:
        path = self.control
        if path.exists() or path.is_symlink():
            if not stat.S_ISSOCK(path.lstat().st_mode):
                raise PtyHostError(f"control path {path} exists and is not a socket")
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(str(path))
            except OSError:
                path.unlink()  # left behind by a host that is gone
            else:
                raise PtyHostError(f"control socket {path} is in use by a running host")
            finally:
                probe.close()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(path))
            listener.listen()
            listener.setblocking(False)
        except OSError as error:
            listener.close()
            raise PtyHostError(f"cannot open control socket {path}: {_os_reason_at(path, error)}") from error
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ, self._on_listener)

    def _on_listener(self, now: float) -> None:
        try:
            connection, _ = self._listener.accept()
        except BlockingIOError:
            return
        connection.settimeout(_CONTROL_SEND_TIMEOUT_S)
        self._connections[connection] = bytearray()
        self._selector.register(connection, selectors.EVENT_READ, lambda now: self._on_connection(connection))

    def _on_connection(self, connection: socket.socket) -> None:
        buffer = self._connections[connection]
        try:
            data = connection.recv(4096)
        except OSError:
            data = b""
        if not data:
            self._drop_connection(connection)
            return
        buffer += data
        replies = []
        while b"\n" in buffer:
            line, _, rest = bytes(buffer).partition(b"\n")
            buffer[:] = rest
            text = line.decode("utf-8", "replace").strip()
            if text:
                replies.append(self._command_reply(text))
        if len(buffer) > _MAX_COMMAND_BYTES:
            replies.append("error: command too long")
            buffer.clear()
        if replies:
            self._replies.append((connection, "".join(f"{reply}\n" for reply in replies).encode()))

    def _send_replies(self) -> None:
        """Answer control commands, once the host has acted on them (e.g. closed the pty)."""
        for connection, reply in self._replies:
            if connection in self._connections:
                try:
                    connection.sendall(reply)
                except OSError:
                    self._drop_connection(connection)
        self._replies.clear()

    def _drop_connection(self, connection: socket.socket) -> None:
        self._connections.pop(connection, None)
        if self._selector is not None:
            try:
                self._selector.unregister(connection)
            except (KeyError, ValueError):
                pass
        connection.close()

    # -- teardown ---------------------------------------------------------------------

    def _cleanup(self) -> None:
        with self._core_lock:
            for connection in list(self._connections):
                self._drop_connection(connection)
            if self._listener is not None:
                try:
                    self._selector.unregister(self._listener)
                except (KeyError, ValueError):
                    pass
                self._listener.close()
                self._listener = None
                if self.control is not None:
                    self.control.unlink(missing_ok=True)
            self._remove_link()
            self._close_pty()
            for fd in (self._wake_r, self._wake_w):
                if fd is not None:
                    os.close(fd)
            self._wake_r = self._wake_w = None
            if self._selector is not None:
                self._selector.close()
                self._selector = None


def create_host(
    kind: str,
    *,
    seed: int = 0,
    params: Mapping[str, str] | None = None,
    link: Path | None = None,
    baudrate: int | None = None,
    control: Path | None = None,
) -> PtyHost:
    """A (not yet started) host for a new core of `kind` ("tcs2", "mark10").

    `baudrate` overrides the core's own line speed (bits/s), e.g. for an older Mark-10.
    """
    core = create_core(kind, seed, dict(params or {}))
    if baudrate is not None:
        if baudrate <= 0:
            raise ValueError(f"baud rate must be positive, not {baudrate}")
        core.baudrate = baudrate
    return PtyHost(core, link=link, control=control)


def run(host: PtyHost, *, announce: Callable[[PtyHost], None] | None = None, stop_on_signals: bool = True) -> None:
    """Start `host` and serve until SIGINT/SIGTERM (or the host fails), then stop it.

    `announce(host)` is called once the pty exists. Signal handlers are installed only when
    called from the main thread, and restored afterwards. Raises `PtyHostError` if the host
    cannot start, and the host thread's own error if it fails while serving.
    """
    previous = {}
    if stop_on_signals and threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            previous[number] = signal.signal(number, lambda *_: host.request_stop())
    try:
        host.start()
        if announce is not None:
            announce(host)
        host.wait()
    finally:
        host.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)
    if host.error is not None:
        raise host.error


def serve(
    kind: str,
    *,
    seed: int = 0,
    params: Mapping[str, str] | None = None,
    link: Path | None = None,
    baudrate: int | None = None,
    control: Path | None = None,
    announce: Callable[[PtyHost], None] | None = None,
) -> None:
    """Serve a new simulated device of `kind` on a pty until SIGINT/SIGTERM (see `run`)."""
    host = create_host(kind, seed=seed, params=params, link=link, baudrate=baudrate, control=control)
    run(host, announce=announce)
