"""The procedure's questions as modal prompts. Each answers its `PromptRequest` (the worker
thread waiting on it goes on) and closes. Keys only: Enter, y/n, a digit or a letter."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from protocols.operator import Mark
from qst.ui.bridge import PromptRequest

PROMPT_CSS = """
PromptScreen { align: center bottom; background: $background 50%; }
PromptScreen > Vertical {
    width: 90%; max-width: 100; height: auto; max-height: 70%; margin-bottom: 1;
    border: thick $accent; background: $surface; padding: 1 2;
}
PromptScreen .read-aloud { border-left: outer $success; padding: 0 1; margin-bottom: 1; }
PromptScreen .question { text-style: bold; margin-bottom: 1; }
PromptScreen .keys { color: $text-muted; margin-top: 1; }
PromptScreen .error { color: $error; }
PromptScreen Input { margin-top: 1; }
"""


def stimulus_text(request: PromptRequest) -> str:
    """What was just applied, in the examiner's words."""
    stimulus = request.question.stimulus
    parts = []
    if "force_mn" in stimulus:
        parts.append(f"filament {stimulus['force_mn']:g} mN")
    if "direction" in stimulus:
        parts.append(f"{stimulus['direction']} ramp")
    if "water_c" in stimulus:
        parts.append(f"water {stimulus['water_c']:g} °C")
    where = " · ".join(p for p in (request.question.test, request.question.site) if p)
    return " · ".join([where, *parts]) if where or parts else ""


class PromptScreen(ModalScreen[None]):
    """A question for the technician; subclasses say how it is answered."""

    DEFAULT_CSS = PROMPT_CSS
    KEYS_TEXT = ""

    def __init__(self, request: PromptRequest):
        super().__init__()
        self.request = request

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.request.instruction and self.request.kind == "ready":
                yield Static("Read aloud:", classes="keys")
                yield Static(self.request.instruction, classes="read-aloud")
            context = stimulus_text(self.request)
            if context:
                yield Static(context, classes="keys")
            yield Static(self.request.question.text, classes="question")
            yield from self.body()
            yield Static(self.KEYS_TEXT, classes="keys", id="keys")

    def body(self) -> ComposeResult:
        return iter(())

    def answer(self, value) -> None:
        self.request.answer(value)
        self.dismiss()


class ReadyPrompt(PromptScreen):
    KEYS_TEXT = "Enter: ready, go   ·   N: the participant wants to stop   ·   Esc: abort"
    BINDINGS = [Binding("enter", "ready(True)", "Ready"), Binding("n", "ready(False)", "Stop")]

    def action_ready(self, go: bool) -> None:
        self.answer(go)


class YesNoPrompt(PromptScreen):
    KEYS_TEXT = "Y: yes   ·   N: no   ·   Esc: abort"
    BINDINGS = [Binding("y", "say(True)", "Yes"), Binding("n", "say(False)", "No")]

    def action_say(self, yes: bool) -> None:
        self.answer(yes)


class ChoosePrompt(PromptScreen):
    """One of the options, by its number or its first letter (when the letters differ)."""

    def body(self) -> ComposeResult:
        yield Static("   ".join(f"{i}: {option}" for i, option in enumerate(self.request.options, start=1)))

    def on_mount(self) -> None:
        self.query_one("#keys", Static).update("a number (or first letter) to choose   ·   Esc: abort")

    def on_key(self, event: Key) -> None:
        options = self.request.options
        chosen = None
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(options):
            chosen = options[int(event.character) - 1]
        elif event.character:
            initials = [option[:1].lower() for option in options]
            if len(set(initials)) == len(initials) and event.character.lower() in initials:
                chosen = options[initials.index(event.character.lower())]
        if chosen is not None:
            event.stop()
            self.answer(chosen)


class NumberPrompt(PromptScreen):
    """A number within [low, high] (whole for a rating), typed and entered."""

    KEYS_TEXT = "type the number, Enter   ·   Esc: abort"

    def body(self) -> ComposeResult:
        low, high = self.request.low, self.request.high
        yield Static(f"between {low:g} and {high:g}", classes="keys")
        yield Input(placeholder=f"{low:g}–{high:g}", id="number")
        yield Static("", classes="error", id="error")

    def on_mount(self) -> None:
        number = self.query_one(Input)
        number.cursor_blink = self.app.cursor_blink
        number.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip().replace(",", ".")
        low, high = self.request.low, self.request.high
        try:
            value = float(text)
        except ValueError:
            value = None
        whole = self.request.kind == "rating"
        if value is None or not low <= value <= high or (whole and value != int(value)):
            kind = "a whole number" if whole else "a number"
            self.query_one("#error", Static).update(f"{text or 'nothing'} is not {kind} from {low:g} to {high:g}")
            return
        self.answer(int(value) if whole else value)


class MarkPrompt(PromptScreen):
    """Marks an event ("pain", "withdrawal") by its first letter; the time is the clock's
    at the key. Shows the time since the trial's start on the same clock."""

    def __init__(self, request: PromptRequest, clock):
        super().__init__(request)
        self.clock = clock
        self._asked_at_s = clock.now()

    def body(self) -> ComposeResult:
        yield Static("", id="elapsed")

    def on_mount(self) -> None:
        keys = "   ·   ".join(f"{name[:1].upper()}: {name}" for name in self.request.options)
        self.query_one("#keys", Static).update(f"{keys}   ·   Esc: abort")
        self._show_elapsed()
        self.set_interval(0.25, self._show_elapsed)

    def _show_elapsed(self) -> None:
        stimulus = self.request.question.stimulus
        if "elapsed_s" not in stimulus:
            return
        elapsed_s = float(stimulus["elapsed_s"]) + self.clock.now() - self._asked_at_s
        ceiling = f" of {stimulus['ceiling_s']:g} s" if "ceiling_s" in stimulus else ""
        self.query_one("#elapsed", Static).update(f"{elapsed_s:.0f} s in the water{ceiling}")

    def on_key(self, event: Key) -> None:
        if not event.character:
            return
        for name in self.request.options:
            if event.character.lower() == name[:1].lower():
                event.stop()
                self.answer(Mark(name, self.clock.now()))
                return


def prompt_for(request: PromptRequest, clock) -> PromptScreen:
    """The prompt that answers `request`."""
    if request.kind == "ready":
        return ReadyPrompt(request)
    if request.kind == "yes_no":
        return YesNoPrompt(request)
    if request.kind == "choose":
        return ChoosePrompt(request)
    if request.kind in ("number", "rating"):
        return NumberPrompt(request)
    if request.kind == "mark":
        return MarkPrompt(request, clock)
    raise ValueError(f"no prompt for a {request.kind!r} question")
