"""The records store: studies, participants, visits and every trial's documents, over SQLite
(the default: a file in the user's data folder) or PostgreSQL (stations or sites sharing one).

    from qst.store import Store
    store = Store.open()                     # or a path, or "postgresql+psycopg://..."
    visit_id = store.open_visit("ldn", "FM03", 5, "C", "fibromyalgia-ldn", planned)
    runner = lab.runner(store.sink(visit_id))
    runner.run_plan(plan, start_at=store.resume_index(visit_id))

Append-only: documents are inserted, never changed; corrections are new rows with who and
why, applied when values are derived. Every failure is a one-line `StoreError`.
"""

from qst.store.errors import (
    StoreError,
    UnknownParticipantError,
    UnknownRunError,
    UnknownStudyError,
    UnknownVisitError,
)
from qst.store.store import Store

__all__ = [
    "Store",
    "StoreError",
    "UnknownParticipantError",
    "UnknownRunError",
    "UnknownStudyError",
    "UnknownVisitError",
]
