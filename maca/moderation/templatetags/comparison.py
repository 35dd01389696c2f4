"""The answer cells of the side-by-side table, built in Python: `{% answer_cells row.cells %}`.

A row per question and a cell per agency (over a hundred cells on a case with seven agencies);
as template conditionals they were most of the moderation page's rendering time. Same markup,
pinned by tests/moderation/test_comparison_cells.py.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from maca.core.html import fmt, fmt_join
from maca.moderation.selectors import Cell

register = template.Library()
EMPTY = fmt("{}", "")


def _cell(cell: Cell | None) -> SafeString:
    if not cell:
        return fmt('<td class="govuk-table__cell">{}</td>', "Not answered")
    return fmt(
        '<td class="govuk-table__cell">{}{}{}{}</td>',
        fmt("<strong>{}</strong>", cell.answer) if cell.answer else EMPTY,
        fmt('<span class="maca-pre-line">{}</span>', cell.text) if cell.text else EMPTY,
        fmt('<br>Why not: <span class="maca-pre-line">{}</span>', cell.why_not)
        if cell.why_not
        else EMPTY,
        fmt('<br><span class="govuk-body-s maca-pre-line">{}</span>', cell.evidence)
        if cell.evidence
        else EMPTY,
    )


@register.simple_tag
def answer_cells(cells: list[Cell | None]) -> SafeString:
    """One `<td>` per agency: its answer, text, why not and evidence, or "Not answered"."""
    return fmt_join("", "{}", ((_cell(c),) for c in cells))
