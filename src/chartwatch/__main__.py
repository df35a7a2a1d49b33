"""``python -m chartwatch``."""

from chartwatch.cli import main

main()
