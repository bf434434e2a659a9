"""The record stream a procedure run emits: start, events, stop (one run per trial).

Documents are plain frozen dataclasses of JSON-able values, so a store can commit each as
it arrives. `RunStop` keeps how the run ended apart from what it measured: a trial can
complete censored, be stopped by the participant, aborted by the examiner, or ended by a
device fault or a safety limit, each with its reason.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable


class ExitStatus(str, enum.Enum):
    COMPLETED = "completed"
    STOPPED_BY_PARTICIPANT = "stopped_by_participant"
    ABORTED_BY_EXAMINER = "aborted_by_examiner"
    DEVICE_FAULT = "device_fault"
    SAFETY_LIMIT = "safety_limit"


def new_run_id() -> str:
    return uuid.uuid4().hex


def wall_time() -> str:
    """Now, as an ISO 8601 UTC timestamp (for people; `t_s` on the clock is for timing)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class RunStart:
    """A trial begins. `t_s` is on the run's clock (s); `parameters` as the battery set them."""

    run_id: str
    t_s: float
    wall_time: str
    test: str
    site: str
    trial: int
    parameters: dict[str, Any]
    devices: dict[str, dict[str, str]]
    examiner: str
    battery: str = ""


@dataclass(frozen=True)
class Event:
    """Something that happened during a run.

    Kinds used by the procedures: `stimulus` (what was sent), `response` (who responded,
    when, and the device's own reading then), `samples` (a block of trace: `columns` and
    `rows`), `rate` (the live ramp rate shown to the examiner), `operator` (a question and
    its answer), `flag` (something about the trial's quality).
    """

    run_id: str
    t_s: float
    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class TrialResult:
    """What a trial measured.

    `value` in `unit` (None when the trial measured nothing); `censored`: the cut-off or
    ceiling was reached, `value` is that limit and not a threshold; `response_t_s` the
    response moment on the clock; `device_value` the device's own reading at that moment;
    `flags` short quality markers (e.g. "rate_out_of_band"); `extra` procedure specifics.
    """

    value: float | None
    unit: str
    censored: bool = False
    response_t_s: float | None = None
    device_value: float | None = None
    flags: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunStop:
    """A trial ends: how (`exit_status`, `reason`) and, when it got that far, its result."""

    run_id: str
    t_s: float
    wall_time: str
    exit_status: ExitStatus
    reason: str
    result: TrialResult | None


Document = RunStart | Event | RunStop
RecordSink = Callable[[Document], None]


def as_dict(document: Document) -> dict[str, Any]:
    """A document as JSON-able data, with its type under `"document"`."""
    data = asdict(document)
    data["document"] = type(document).__name__
    if isinstance(document, RunStop):
        data["exit_status"] = document.exit_status.value
    return data


class RecordList:
    """A sink that keeps every document in memory, in order (tests, the demo)."""

    def __init__(self) -> None:
        self.documents: list[Document] = []

    def __call__(self, document: Document) -> None:
        self.documents.append(document)

    def stops(self) -> list[RunStop]:
        return [d for d in self.documents if isinstance(d, RunStop)]

    def starts(self) -> list[RunStart]:
        return [d for d in self.documents if isinstance(d, RunStart)]

    def events(self, run_id: str | None = None, kind: str | None = None) -> list[Event]:
        return [
            d
            for d in self.documents
            if isinstance(d, Event) and (run_id is None or d.run_id == run_id) and (kind is None or d.kind == kind)
        ]
