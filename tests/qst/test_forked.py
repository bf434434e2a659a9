"""`Forked`: a function in a forked child, given input after it starts, its value or its
error back; a child that dies or is no longer wanted does not hang the parent."""

from __future__ import annotations

import os
import threading
import time

import pytest

from qst.forked import Forked, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork and a second CPU")


def add_what_comes(inbox, first):
    return first + inbox.recv() + inbox.recv()


def refuse(inbox):
    raise ValueError(f"no {inbox.recv()}")


def die(inbox):
    os._exit(3)


def wait_for_ever(inbox):
    inbox.recv()


def test_the_child_takes_input_sent_after_it_started_and_returns_its_value():
    with Forked(add_what_comes, 1) as child:
        child.send(2)
        child.send(3)
        assert child.result() == 6


def test_the_childs_error_is_raised_by_result():
    with Forked(refuse) as child:
        child.send("thanks")
        with pytest.raises(ValueError, match="no thanks"):
            child.result()


def length_once_released(inbox, release_fd):
    os.read(release_fd, 1)  # busy until the parent writes a byte
    return len(inbox.recv())


def test_sending_more_than_a_pipe_holds_does_not_wait_for_a_busy_child():
    release_fd, release_write_fd = os.pipe()
    with Forked(length_once_released, release_fd) as child:
        sender = threading.Thread(target=child.send, args=(b"x" * 4_000_000,))
        sender.start()
        sender.join(timeout=30)
        sent_while_busy = not sender.is_alive()
        os.write(release_write_fd, b"!")
        sender.join()
        assert sent_while_busy
        assert child.result() == 4_000_000
    os.close(release_fd)
    os.close(release_write_fd)


def test_a_child_that_dies_is_an_error_not_a_hang():
    with Forked(die) as child:
        with pytest.raises(ChildProcessError, match="exit code 3"):
            child.result()


def test_a_child_still_waiting_is_stopped_at_the_end():
    started = time.monotonic()
    with Forked(wait_for_ever) as child:
        pass
    assert time.monotonic() - started < 5
    assert not child._process.is_alive()
