"""maca.core.html gives exactly what Django's format_html and format_html_join give."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from hypothesis import given
from hypothesis import strategies as st

from maca.core.html import fmt, fmt_join

lazy_text = lazy(lambda s: s, str)

VALUES: list[Any] = [
    "plain",
    "<script>alert('x')</script> & \"quotes\"",
    mark_safe("<strong>already safe</strong>"),
    lazy_text("lazy <b>label</b>"),
    42,
    None,
    dt.date(2024, 2, 29),
    "",
]


def test_every_kind_of_value_is_escaped_as_format_html_does() -> None:
    for value in VALUES:
        mine = fmt('<p class="{}">{}</p>', value, value)
        assert mine == format_html('<p class="{}">{}</p>', value, value)
        assert isinstance(mine, SafeString)


def test_join_matches_format_html_join() -> None:
    rows = [(v, "<i>") for v in VALUES]
    assert fmt_join(mark_safe("<br>"), "<li>{}{}</li>", rows) == format_html_join(
        mark_safe("<br>"), "<li>{}{}</li>", rows
    )
    assert fmt_join("&", "{}", [("a",), ("b",)]) == format_html_join("&", "{}", [("a",), ("b",)])


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_any_text_matches(texts: list[str]) -> None:
    template = " ".join('<span title="{}">{}</span>' for _ in texts)
    args = [t for t in texts for _ in range(2)]
    assert fmt(template, *args) == format_html(template, *args)
