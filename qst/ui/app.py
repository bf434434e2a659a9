"""`QstApp`: the technician's terminal UI (a Textual app).

Pick the visit, check the devices, run the tests, close the visit with notes. The visit's
procedures run in a thread worker and post messages; the screen never waits on a device
or the records. Esc, from any screen and over any prompt, aborts: the waiting questions
are withdrawn and the thermode is sent to neutral from a thread of its own, at once, not
behind the worker.
"""

from __future__ import annotations

import threading
from datetime import date

from textual.app import App
from textual.binding import Binding

from qst.ui.messages import AbortSent
from qst.ui.screens import PickScreen, RunScreen
from qst.ui.session import VisitRun
from qst.ui.station import Station
from qst.ui.visits import VisitChoice, VisitSource


class QstApp(App):
    """The UI over a visit source (records and study) and a station (the devices).

    `today` dates the visits; `close_station`: close the devices when the app ends.
    """

    TITLE = "qst"
    BINDINGS = [
        Binding("escape", "abort", "Abort to neutral", priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        source: VisitSource,
        station: Station,
        *,
        examiner: str = "",
        today: date | None = None,
        close_station: bool = True,
        cursor_blink: bool = True,
    ):
        super().__init__()
        self.source = source
        self.station = station
        self.examiner = examiner
        self.today = today or date.today()
        self.close_station = close_station
        self.cursor_blink = cursor_blink
        """Whether text cursors blink (off for screenshots that must not change)."""
        self.visit_run: VisitRun | None = None
        self.abort_key_times: list[float] = []
        """The devices' clock at each Esc (s)."""
        self.aborts_sent = 0

    def on_mount(self) -> None:
        self.push_screen(PickScreen())

    # -- Esc ---------------------------------------------------------------------------------------

    def action_abort(self) -> None:
        self.abort_key_times.append(self.station.clock.now())
        run = self.visit_run
        if run is not None:
            run.operator.cancel()
        threading.Thread(target=self._send_abort, args=(run,), name="qst-abort", daemon=True).start()

    def _send_abort(self, run: VisitRun | None) -> None:
        sent = run is not None or self.station.thermode is not None
        try:
            if run is not None:
                run.abort()
                error = ""
            else:
                error = self.station.abort_thermode()
        except Exception as caught:  # the technician must hear of it
            error = str(caught) or type(caught).__name__
        self.post_message(AbortSent(error, sent))

    def on_abort_sent(self, message: AbortSent) -> None:
        self.aborts_sent += 1
        screen = self.screen
        for candidate in (screen, *reversed(self.screen_stack)):
            if isinstance(candidate, RunScreen):
                candidate.on_abort_sent(message)
                return
        if message.error:
            self.notify(f"The abort could not reach the thermode: {message.error}", severity="error")
        elif message.sent:  # off the run screen too, the key must be seen to work
            self.notify("Abort sent: the thermode returns to neutral.")
        else:
            self.notify("No thermode connected yet: nothing to abort.")

    # -- navigation --------------------------------------------------------------------------------

    def visit_closed(self, visit: VisitChoice) -> None:
        """Back to picking, with the lists reloaded."""
        self.pop_screen()
        picker = self.screen
        if isinstance(picker, PickScreen):
            picker.action_reload()
        self.notify(f"{visit.title} closed.")

    # -- leaving -----------------------------------------------------------------------------------

    def stop_run(self) -> None:
        """Let a blocked worker go: its questions withdrawn, the runner aborted."""
        run = self.visit_run
        if run is not None:
            run.abort()

    async def action_quit(self) -> None:
        self.stop_run()
        self.exit()

    def on_unmount(self) -> None:
        self.stop_run()
        if self.close_station:
            self.station.close()
