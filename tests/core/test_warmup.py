"""The server warms each worker before its first request (maca/core/warmup.py)."""

from __future__ import annotations

from django.template import engines

from maca.core import warmup


def test_warm_compiles_every_template_and_leaves_them_cached() -> None:
    warmup.warm()  # raises if any template does not parse
    loader = engines["django"].engine.template_loaders[0]
    assert "returns/detail.html" in {key.split("-")[0] for key in loader.get_template_cache}
