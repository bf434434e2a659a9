"""`python -m qst` is the `qst` command."""

from qst.cli import main

main()
