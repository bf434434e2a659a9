"""Mutating a valid TOML file line by line, for the loaders' fuzz tests: dropped, repeated,
swapped and cut lines, values replaced, lines inserted."""

from __future__ import annotations

from hypothesis import strategies as st


def mutate_lines(lines: list[str], data, values, extra_lines=None) -> list[str]:
    """One to four mutations of `lines`, drawn with `data` (hypothesis `st.data()`): a value
    becomes one of `values`; an inserted line is one of `extra_lines` (else any text)."""
    inserted = extra_lines if extra_lines is not None else st.text(max_size=30)
    lines = list(lines)
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            lines.append(data.draw(inserted))
            continue
        at = data.draw(st.integers(0, len(lines) - 1))
        how = data.draw(st.sampled_from(["drop", "repeat", "swap", "value", "insert", "text", "cut"]))
        if how == "drop":
            del lines[at]
        elif how == "repeat":
            lines.insert(at, lines[at])
        elif how == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif how == "value" and "=" in lines[at]:
            lines[at] = lines[at].split("=", 1)[0] + "= " + data.draw(values)
        elif how == "insert":
            lines.insert(at, data.draw(inserted))
        elif how == "text":
            lines.insert(at, data.draw(st.text(max_size=40)))
        elif how == "cut":
            lines[at] = lines[at][: data.draw(st.integers(0, len(lines[at])))]
    return lines
