"""Reading one value: normalise it, or report why not (with sheet, row, column and value).

Used by every reader, so a value means the same thing whether it came from an xlsx sheet, a
CSV or a CIN census XML file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from .model import Problem, Severity, SourceKind, Summary
from .normalise import (
    CATEGORY_CODES,
    DATE_FLOOR,
    EXCEL_1900,
    SEX_CODES,
    age_value,
    canonical_category,
    canonical_ethnicity,
    canonical_sex,
    canonical_yes_no,
    cell_text,
    child_id_text,
    is_excel_error,
    is_placeholder,
    join_or,
    parse_date,
)

Pseudonymise = Callable[[str], str]

PRE_BIRTH_DAYS = 280  # pre-birth work can start in pregnancy: up to 40 weeks before birth

SEX_EXPECTED = join_or(list(SEX_CODES))
ETHNICITY_EXPECTED = 'an ethnicity code such as "a) WBRI" or "WBRI"'
CATEGORY_EXPECTED = join_or(list(CATEGORY_CODES))
YES_NO_EXPECTED = '"Yes" or "No"'


@dataclass
class Context:
    """Where values come from and where their problems go."""

    kind: SourceKind
    sheet: str
    summary: Summary
    today: dt.date
    pseudonymise: Pseudonymise | None = None
    epoch: dt.datetime = EXCEL_1900
    date_expected: str = "dd/mm/yyyy or an Excel date"

    def __post_init__(self) -> None:
        self.latest_birth = self.today + dt.timedelta(days=PRE_BIRTH_DAYS)

    def report(
        self,
        severity: Severity,
        row: int | None,
        column: str | None,
        value: str | None,
        message: str,
        expected: str | None = None,
    ) -> None:
        self.summary.add(
            Problem(severity, self.kind, self.sheet, row, column, value or None, message, expected)
        )

    def show(self, day: dt.date) -> str:
        """A date the way this kind of file writes it."""
        return day.isoformat() if self.kind == "xml" else day.strftime("%d/%m/%Y")


def read_child_id(ctx: Context, raw: object, row: int, header: str) -> str | None:
    """The council's child ID as text; a missing one is an error (the row is unusable)."""
    text = child_id_text(raw)
    if not text or is_placeholder(text):
        ctx.report("error", row, header, None, "is blank", "a child ID")
        return None
    if is_excel_error(text):
        ctx.report("error", row, header, text, "is not a child ID", "a child ID")
        return None
    return text


def read_text(
    ctx: Context, raw: object, row: int, header: str, expected: str, *, warn_blank: bool
) -> str | None:
    """An optional text value; blanks and Excel errors ("#N/A") become None."""
    text = cell_text(raw)
    if not text or is_placeholder(text):
        if warn_blank:
            ctx.report("warning", row, header, None, "is blank, left empty", expected)
        return None
    if is_excel_error(text):
        ctx.report("warning", row, header, text, "is not a value, left empty", expected)
        return None
    return text


def read_code(
    ctx: Context,
    raw: object,
    row: int,
    header: str,
    *,
    what: str,
    normalise: Callable[[str], str | None],
    expected: str,
    warn_blank: bool,
) -> str | None:
    """An optional coded value, mapped to its canonical code (warning when not recognised)."""
    text = read_text(ctx, raw, row, header, expected, warn_blank=warn_blank)
    if text is None:
        return None
    code = normalise(text)
    if code is None:
        ctx.report(
            "warning", row, header, text, f"is not a recognised {what}, left empty", expected
        )
    return code


def read_sex(ctx: Context, raw: object, row: int, header: str) -> str | None:
    return read_code(
        ctx,
        raw,
        row,
        header,
        what="sex",
        normalise=canonical_sex,
        expected=SEX_EXPECTED,
        warn_blank=True,
    )


def read_ethnicity(ctx: Context, raw: object, row: int, header: str) -> str | None:
    return read_code(
        ctx,
        raw,
        row,
        header,
        what="ethnicity",
        normalise=canonical_ethnicity,
        expected=ETHNICITY_EXPECTED,
        warn_blank=True,
    )


def read_category(ctx: Context, raw: object, row: int, header: str) -> str | None:
    return read_code(
        ctx,
        raw,
        row,
        header,
        what="category of abuse",
        normalise=canonical_category,
        expected=CATEGORY_EXPECTED,
        warn_blank=False,
    )


def read_yes_no(ctx: Context, raw: object, row: int, header: str) -> str | None:
    """An optional yes/no answer ("yes", "no" or None); blank is silent, anything else warns."""
    if isinstance(raw, bool):  # a checkbox cell, or an XML boolean already read
        return "yes" if raw else "no"
    return read_code(
        ctx,
        raw,
        row,
        header,
        what="yes or no answer",
        normalise=canonical_yes_no,
        expected=YES_NO_EXPECTED,
        warn_blank=False,
    )


def read_date(ctx: Context, raw: object, row: int, header: str, *, key: bool) -> dt.date | None:
    """A date. A key date is required: its problems are errors. Other dates are optional:
    blank means "not (yet) happened" and is silent; unusable values are warnings."""
    text = cell_text(raw)
    severity: Severity = "error" if key else "warning"
    tail = "" if key else ", left empty"
    if not text or (is_placeholder(text) and not key):
        if key:
            ctx.report("error", row, header, None, "is blank", ctx.date_expected)
        return None
    if is_excel_error(text):
        ctx.report(severity, row, header, text, "is not a value" + tail, ctx.date_expected)
        return None
    day = parse_date(raw, ctx.today, ctx.epoch)
    if day is None:
        ctx.report(severity, row, header, text, "is not a date" + tail, ctx.date_expected)
        return None
    if day < DATE_FLOOR:
        ctx.report(
            severity,
            row,
            header,
            text,
            f"is before {DATE_FLOOR.year}" + tail,
            f"a date from {ctx.show(DATE_FLOOR)}",
        )
        return None
    if day > ctx.today:
        ctx.report(
            severity,
            row,
            header,
            text,
            "is in the future" + tail,
            f"a date on or before {ctx.show(ctx.today)}",
        )
        return None
    return day


def read_age(ctx: Context, raw: object, row: int, header: str) -> float | None:
    text = cell_text(raw)
    if not text or is_placeholder(text) or is_excel_error(text):
        return None
    age = age_value(raw)
    if age is None:
        ctx.report(
            "warning", row, header, text, "is not an age in years, left empty", "a number of years"
        )
    return age


def _birth_fallback(
    ctx: Context,
    row: int,
    header: str,
    value: str | None,
    problem: str,
    expected: str,
    age_raw: object,
    age_header: str | None,
) -> tuple[None, float | None]:
    years = age_value(age_raw) if age_header is not None else None
    kept = f"; the age ({years:g}) is kept" if years is not None else ", left empty"
    ctx.report("warning", row, header, value, problem + kept, expected)
    if age_header is not None and years is None:
        read_age(ctx, age_raw, row, age_header)
    return None, years


def read_birth_date(
    ctx: Context,
    raw: object,
    row: int,
    header: str,
    age_raw: object = None,
    age_header: str | None = None,
) -> tuple[dt.date | None, float | None]:
    """(date of birth, age): the age (from the Age column) only when the date of birth is
    unusable. A date of birth up to 40 weeks ahead is kept (an expected date of birth)."""
    text = cell_text(raw)
    problem = expected = ""
    shown: str | None = text
    dob = None
    if not text or is_placeholder(text):
        problem, expected, shown = "is blank", "the child's date of birth", None
    elif is_excel_error(text):
        problem, expected = "is not a value", "the child's date of birth"
    else:
        dob = parse_date(raw, ctx.today, ctx.epoch)
        if dob is None:
            problem, expected = "is not a date", ctx.date_expected
        elif dob < DATE_FLOOR:
            problem, expected = (
                f"is before {DATE_FLOOR.year}",
                f"a date from {ctx.show(DATE_FLOOR)}",
            )
        elif dob > ctx.latest_birth:
            problem = "is in the future"
            expected = f"a date of birth no later than {ctx.show(ctx.latest_birth)}"
    if problem:
        return _birth_fallback(ctx, row, header, shown, problem, expected, age_raw, age_header)
    if dob is not None and dob > ctx.today:
        ctx.report(
            "warning", row, header, text, "is in the future; kept as an expected date of birth"
        )
    return dob, None


def check_against_birth(
    ctx: Context, dob: dt.date | None, day: dt.date, row: int, header: str, raw: object
) -> None:
    """Warn (and keep the date) when an event is more than 40 weeks before the birth."""
    if dob is None or dob.toordinal() - day.toordinal() <= PRE_BIRTH_DAYS:
        return
    earliest = dob - dt.timedelta(days=PRE_BIRTH_DAYS)
    ctx.report(
        "warning",
        row,
        header,
        cell_text(raw),
        f"is more than 40 weeks before the date of birth, {ctx.show(dob or day)}; kept",
        f"a date from {ctx.show(earliest)}",
    )


def check_order(
    ctx: Context,
    start: dt.date | None,
    day: dt.date,
    row: int,
    header: str,
    start_header: str,
    raw: object,
) -> None:
    """Warn (and keep both) when an end date is before its start date."""
    if start is None or day >= start:
        return
    ctx.report(
        "warning",
        row,
        header,
        cell_text(raw),
        f'is before "{start_header}", {ctx.show(start)}; kept',
        f"a date on or after {ctx.show(start)}",
    )
