"""A function run in a forked child process that can be given input after it starts.

The study report starts its children before all their input exists, so that a child can
import what it needs (scipy takes about a second) while the parent reads the store. A bare
`multiprocessing` process and pipe rather than an executor: an executor keeps threads in
the parent, and forking a process with threads may deadlock the child (Python 3.12 warns
of it), while the report forks twice.

`send` never waits for a busy child: the child reads its pipe on a thread of its own from
the start, so a value larger than the pipe's buffer (the study's records are about 240 kB)
is taken at once, not when the child gets round to `recv` (the parent stood 0.17 s in
`send` while its statistics child imported scipy).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


def can_fork() -> bool:
    """Whether a second process can be forked (not on Windows) and has a second CPU to run on."""
    return (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()


class Inbox:
    """The child's end of the pipe, read ahead by a thread: `recv()` gives the values sent,
    in order, waiting for the next; EOFError once the parent's end has closed."""

    _CLOSED = object()

    def __init__(self, connection: Connection) -> None:
        self._values: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=self._read, args=(connection,), name="inbox", daemon=True).start()

    def _read(self, connection: Connection) -> None:
        try:
            while True:
                self._values.put(connection.recv())
        except (EOFError, OSError):
            self._values.put(self._CLOSED)

    def recv(self) -> Any:
        value = self._values.get()
        if value is self._CLOSED:
            self._values.put(value)  # and for any later call
            raise EOFError("the parent closed the pipe")
        return value


def _run(connection: Connection, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome = (True, target(Inbox(connection), *args))
    except KeyboardInterrupt:
        return  # Ctrl-C reached the parent too, which says so
    except Exception as error:
        outcome = (False, error)
    try:
        connection.send(outcome)
    except BrokenPipeError:
        pass  # the parent has gone: no one to tell


class Forked:
    """`target(inbox, *args)` in a forked child: the child reads what `send` gives it with
    `inbox.recv()` (an `Inbox`); `result()` waits for what `target` returns, or raises what it raised.
    As a context manager, a child still running at the end is stopped."""

    def __init__(self, target: Callable[..., Any], *args: Any) -> None:
        context = multiprocessing.get_context("fork")
        self._inbox, theirs = context.Pipe()
        self._name = getattr(target, "__name__", "child")
        self._process = context.Process(target=_run, args=(theirs, target, args), name=self._name, daemon=True)
        self._process.start()
        theirs.close()  # so that the child's end closing (it died) reads as the end of the pipe

    def send(self, value: Any) -> None:
        try:
            self._inbox.send(value)
        except BrokenPipeError:
            pass  # the child has ended: `result` says how

    def result(self) -> Any:
        try:
            done, value = self._inbox.recv()
        except EOFError:
            self._process.join()
            raise ChildProcessError(f"{self._name} ended without a result "
                                    f"(exit code {self._process.exitcode})") from None
        self._process.join()  # it ends on sending
        if not done:
            raise value
        return value

    def stop(self) -> None:
        """End the child (at once if it is still working) and close the pipe."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._inbox.close()

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
