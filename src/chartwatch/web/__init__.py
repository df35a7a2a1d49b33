"""The web app and HTTP API: ``chartwatch serve``.

Every page is built as one data dict from the same result objects the CLI prints, then
rendered as HTML (Jinja2 templates) or JSON (``/title/…​.json``); ``/api/v1/…`` gives exactly
the CLI's ``--json``. The server reads an in-memory copy of the store that it refreshes when
the file changes (:mod:`chartwatch.web.source`).
"""
