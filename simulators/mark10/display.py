"""How the gauge writes a reading: rounded to the model's step, then `value unit`.

`4.285 N`, `-18.78 lbF`: a minus sign for negative values, none for positive, as many
decimals as the step has, a space and the unit when the unit display is on.
"""

from __future__ import annotations

from simulators.mark10.models import UNITS, GaugeModel


def format_reading(force_n: float, unit: str, model: GaugeModel, show_unit: bool = True) -> str:
    """`force_n` (signed as the gauge shows it) as the gauge prints it in `unit`."""
    step_text = model.steps[unit]
    decimals = len(step_text.partition(".")[2])
    steps = round(force_n / UNITS[unit][0] / float(step_text))
    value = steps * float(step_text)
    text = f"{value:.{decimals}f}" if steps else f"{0:.{decimals}f}"
    return f"{text} {unit}" if show_unit else text
