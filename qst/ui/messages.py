"""What the visit's worker thread tells the screen. Posting a message is thread-safe; the
screen handles them in order on its own thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from protocols.records import Document, RunStop

if TYPE_CHECKING:
    from qst.ui.bridge import PromptRequest


class PromptRequested(Message):
    """The procedure asks the technician something; its thread waits for the answer."""

    def __init__(self, request: "PromptRequest"):
        super().__init__()
        self.request = request


class PromptWithdrawn(Message):
    """A question no longer waits for an answer (timed out, or the run was aborted)."""

    def __init__(self, request: "PromptRequest"):
        super().__init__()
        self.request = request


class Instruction(Message):
    """Text for the technician to read aloud."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text


class Notice(Message):
    """Something the technician should know; no answer needed."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text


class LiveChanged(Message):
    """New live readings are waiting in the `LiveFeed` (one message for many readings)."""


class Recorded(Message):
    """A document was written to the visit's records."""

    def __init__(self, document: Document):
        super().__init__()
        self.document = document


class VisitOpened(Message):
    """The visit is open and runs from plan index `start_at`; `earlier` are the documents
    of the visit's earlier sessions (a resumed visit), for the trial table."""

    def __init__(self, visit_id: str, start_at: int, earlier: list[Document] | None = None):
        super().__init__()
        self.visit_id = visit_id
        self.start_at = start_at
        self.earlier = list(earlier or [])


class Waiting(Message):
    """The runner pauses until `until_s` (on the devices' clock) before the trial `trial` of
    `test` at `site`."""

    def __init__(self, until_s: float, test: str, site: str, trial: int):
        super().__init__()
        self.until_s = until_s
        self.test = test
        self.site = site
        self.trial = trial


class RunEnded(Message):
    """The run is over: `stops` of this session; `error` if it ended in an exception
    (`aborted` when the examiner aborted between trials)."""

    def __init__(self, stops: list[RunStop], error: BaseException | None = None, aborted: bool = False):
        super().__init__()
        self.stops = stops
        self.error = error
        self.aborted = aborted


class AbortSent(Message):
    """The abort has gone to the thermode (`sent`), or there was none to send it to."""

    def __init__(self, error: str = "", sent: bool = True):
        super().__init__()
        self.error = error
        self.sent = sent


class WorkDone(Message):
    """A blocking job of a screen finished in its worker: `result` or `error`."""

    def __init__(self, job: str, result: Any = None, error: BaseException | None = None):
        super().__init__()
        self.job = job
        self.result = result
        self.error = error
