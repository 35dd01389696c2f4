"""An audit's grades, answers, findings and actions as tables, for xlsx or a zip of CSVs.

Cases appear by their label ("Child A") only: nothing from the restricted case record, and no
immediate-concern detail. Text that a spreadsheet would run as a formula (starting with =, +,
-, @) is prefixed with an apostrophe, so opening the file never runs anything.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from maca.audits.models import Audit

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    name: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def _safe(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_tables(audit: Audit) -> list[Table]:
    """One table per kind, in a fixed order: grades, answers, findings, actions."""
    from maca.returns.models import AgencyReturn, Answer

    scale = audit.tool.scale
    grades = Table(
        "grades",
        ("case", "source", "grade", "with specific issues", "reasons"),
        [],
    )
    for case in audit.cases.select_related("moderation").order_by("number"):
        moderation = getattr(case, "moderation", None)
        if moderation is not None:
            grades.rows.append(
                (
                    case.label,
                    "panel",
                    scale.label_for(moderation.grade),
                    "yes" if moderation.has_specific_issues else "no",
                    moderation.reasons,
                )
            )
    for ret in (
        AgencyReturn.objects.filter(case__audit=audit)
        .select_related("case", "agency")
        .order_by("case__number", "agency__name")
    ):
        grades.rows.append(
            (
                ret.case.label,
                ret.agency.name,
                scale.label_for(ret.grade) if ret.grade else "",
                "",
                ret.grade_reason if ret.status == "submitted" else f"({ret.get_status_display()})",
            )
        )
    answers = Table(
        "answers",
        ("case", "agency", "question", "question text", "answer", "if not, why not", "evidence"),
        [
            (
                a.agency_return.case.label,
                a.agency_return.agency.name,
                a.question.code,
                a.question.text,
                a.answer or a.text,
                a.why_not,
                a.evidence,
            )
            for a in Answer.objects.filter(agency_return__case__audit=audit)
            .select_related("agency_return__case", "agency_return__agency", "question")
            .order_by(
                "agency_return__case__number", "agency_return__agency__name", "question__order"
            )
        ],
    )
    findings = Table(
        "findings",
        ("kind", "finding", "cases"),
        [
            (
                f.get_kind_display(),
                f.text,
                ", ".join(c.label for c in sorted(f.cases.all(), key=lambda c: c.number)),
            )
            for f in audit.findings.prefetch_related("cases").order_by("kind", "order", "pk")
        ],
    )
    actions = Table(
        "actions",
        (
            "action",
            "type",
            "what needs to happen",
            "owner",
            "lead",
            "due",
            "status",
            "blocked because",
            "evidence",
        ),
        [
            (
                a.label,
                a.get_kind_display(),
                a.description,
                a.owner_agency.name,
                a.lead,
                a.due_date.isoformat(),
                a.get_status_display(),
                a.blocked_reason,
                a.evidence,
            )
            for a in audit.actions.select_related("owner_agency").order_by("number")
        ],
    )
    return [grades, answers, findings, actions]


def render_xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.headers))
        for row in table.rows:
            sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_csv_zip(tables: list[Table]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(table.headers)
            writer.writerows([_safe(v) for v in row] for row in table.rows)
            archive.writestr(f"{table.name}.csv", "\ufeff" + text.getvalue())
    return out.getvalue()


RENDERERS = {"xlsx": render_xlsx, "csv": render_csv_zip}
