"""Load at server start what every page otherwise loads on its first request in each worker.

A worker's first request used to take seconds: importing every view (the URLconf pulls in the
API, polars and pydantic), compiling templates, building the bank-holiday calendar and parsing
the built-in chronology protocols. Done once when the WSGI application is created: with
gunicorn's `--preload` the workers fork from a warm master and share it; without it, each
worker warms itself before it takes a request, not on a user's time. Nothing here is state:
only caches of code, templates and pure data that the first requests would fill anyway.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.template import Engine, engines
from django.urls import get_resolver


def warm() -> None:
    """Import the views, compile the templates, fill the calendar and protocol caches."""
    from maca.chronology.engine.protocol import builtin_protocols, load_protocol
    from maca.chronology.engine.timescales import add_working_days

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    engine = engines["django"]
    for folder in map(Path, Engine.get_default().dirs):
        for path in sorted(folder.rglob("*.html")):
            # Kept by the cached loader. A template that does not parse stops the start.
            engine.get_template(str(path.relative_to(folder)))
    for protocol in builtin_protocols():
        load_protocol(protocol)
    this_year = dt.date.today().year
    for year in range(this_year - 3, this_year + 1):  # the audits running now look back
        add_working_days(dt.date(year, 6, 1), 1)
