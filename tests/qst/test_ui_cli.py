"""`qst run`: registered, documented, quick to load, one-line errors."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from qst.cli import app


def test_run_has_help_with_an_example():
    result = CliRunner().invoke(app, ["run", "--help"])
    assert result.exit_code == 0
    assert "Example: qst run --simulate" in result.output and "--thermode" in result.output


def test_the_command_does_not_load_the_ui_until_run():
    code = "import sys, qst.cli; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_an_unusable_store_is_a_one_line_error():
    result = CliRunner().invoke(app, ["--db", "mysql://nowhere/qst", "run"])
    assert result.exit_code == 2
    assert result.output.startswith("qst: error: ") and len(result.output.strip().splitlines()) == 1
