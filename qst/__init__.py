"""qst: the application — studies, records, analysis, the `qst` command and the terminal UI."""

__version__ = "0.1.0"
