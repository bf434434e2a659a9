"""Where a key sits in a battery's TOML text, so an error can name its line.

tomllib gives values and no positions. This reads the text line by line the way a person
would: table headers (`[limits]`, the n-th `[[tests]]`) and `key =` lines. It is a
locator, not a parser: for anything it cannot place, the caller falls back to the
enclosing table's header and then to line 1.
"""

from __future__ import annotations

import re
import tomllib

_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")
_MULTILINE_QUOTES = ('"""', "'''")


def key_lines(text: str) -> dict[tuple, int]:
    """Line numbers (from 1) of tables and keys: `("limits",)`, `("tests", 2)`,
    `("tests", 2, "cutoff_c")`, `("name",)`. The first occurrence wins."""
    found: dict[tuple, int] = {}
    table: tuple = ()
    arrays: dict[str, int] = {}
    open_quotes: str | None = None
    # tomllib counts lines by "\n" only; str.splitlines() would also break on \x0b, \u2028, ...
    for number, line in enumerate(text.split("\n"), start=1):
        if open_quotes is not None:
            if line.count(open_quotes) % 2:
                open_quotes = None
            continue
        header = _HEADER.match(line)
        if header:
            name = header.group(2).replace(" ", "")
            if header.group(1) == "[[":
                index = arrays.get(name, 0)
                arrays[name] = index + 1
                table = (name, index)
            else:
                table = (name,)
            found.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            name = key.group(1)
            if name[0] in "\"'":
                name = name[1:-1]
            found.setdefault(table + (name,), number)
        for quotes in _MULTILINE_QUOTES:
            if line.count(quotes) % 2:
                open_quotes = quotes
                break
    return found


def line_of(text: str, loc: tuple) -> int:
    """The line of `loc` (e.g. `("tests", 2, "cutoff_c", 0)`): the key's own line, else the
    nearest enclosing key or table that is written in the text, else 1."""
    found = key_lines(text)
    for end in range(len(loc), 0, -1):
        if loc[:end] in found:
            return found[loc[:end]]
    return 1


_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")


def load_toml(text: str) -> tuple[dict | None, int, str]:
    """Parse TOML text: `(data, 0, "")`, or `(None, line, reason)` with the line tomllib blames."""
    try:
        return tomllib.loads(text), 0, ""
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        if position is None:
            return None, 1, f"invalid TOML: {message}"
        line = int(position.group(1)) if position.group(1) else text.rstrip().count("\n") + 1
        return None, line, f"invalid TOML: {message[: position.start()]}"
    except RecursionError:
        return None, 1, "invalid TOML: nested too deeply"


class SourceLineError(ValueError):
    """A file that cannot be used: `source` (file name), `line` (from 1), `reason`.
    `str(error)` is one line: `source:line: reason`."""

    def __init__(self, source: str, line: int, reason: str):
        self.source = " ".join(str(source).splitlines())
        self.line = line
        self.reason = " ".join(reason.splitlines())
        super().__init__(f"{self.source}:{self.line}: {self.reason}")
