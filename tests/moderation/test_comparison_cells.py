"""`{% answer_cells %}` renders the side-by-side table's cells as the template loop did."""

from __future__ import annotations

import re

from django.template import engines

from maca.moderation.selectors import Cell

# The loop the tag replaced, verbatim.
OLD = (
    '{% for cell in row.cells %}<td class="govuk-table__cell">{% if cell %}{% if cell.answer %}'
    "<strong>{{ cell.answer }}</strong>{% endif %}{% if cell.text %}"
    '<span class="maca-pre-line">{{ cell.text }}</span>{% endif %}{% if cell.why_not %}'
    '<br>Why not: <span class="maca-pre-line">{{ cell.why_not }}</span>{% endif %}'
    '{% if cell.evidence %}<br><span class="govuk-body-s maca-pre-line">{{ cell.evidence }}'
    "</span>{% endif %}{% else %}Not answered{% endif %}</td>{% endfor %}"
)
HOSTILE = "<script>\"x\" & 'y'</script>"


def test_cells_render_as_the_template_loop_did() -> None:
    cells = [
        None,
        Cell("Yes", "", "", ""),
        Cell("No", f"Text {HOSTILE}\nline", f"Evidence {HOSTILE}", f"Because {HOSTILE}"),
        Cell("", "Only text", "", ""),
        Cell("", "", "Only evidence", ""),
        Cell("Partly", "", "", "Why"),
    ]
    django = engines["django"]
    context = {"row": {"cells": cells}}
    old = django.from_string(OLD).render(context)
    new = django.from_string("{% load comparison %}{% answer_cells row.cells %}").render(context)
    assert new == old
    assert "<script>" not in new
    assert re.findall(r"<td[^>]*>Not answered</td>", new)
