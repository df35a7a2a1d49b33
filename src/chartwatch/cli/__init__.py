"""The ``chartwatch`` command line: a thin layer over the Python API.

Each command parses its options, opens the store, calls one function of the API and
renders the result as a Rich table or, with ``--json``, as stable JSON. Errors from the
core (:mod:`chartwatch.errors`) become one line on stderr and an exit code: 0 ok,
1 nothing found, 2 bad input or usage.
"""

from __future__ import annotations


def main() -> None:
    """Entry point of the ``chartwatch`` console script."""
    from chartwatch.cli.app import app

    app()
