"""Table rows (Annex A list sheets, Annex A list CSVs, the plain CSV) → row records.

Shared by the xlsx and CSV readers: the Annex A list definitions with their header aliases,
list recognition, and the row parsers that normalise values and report problems.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from .cells import (
    Context,
    check_against_birth,
    check_order,
    read_age,
    read_birth_date,
    read_category,
    read_child_id,
    read_date,
    read_ethnicity,
    read_sex,
    read_text,
    read_yes_no,
)
from .model import EVENT_KINDS, ChildRecord, Event, RowRecord, latest_team
from .normalise import cell_text, header_key, header_keys, is_placeholder, join_or

HEADER_SEARCH_ROWS = 10  # title rows above the header row are allowed
MEMO_LIMIT = 200_000  # distinct raw values remembered per sheet (a few tens of MB at most)
T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    """A field the pool reads, with the header spellings it is known by."""

    field: str
    label: str  # the usual Annex A header, used in messages
    aliases: tuple[str, ...] = ()

    def match_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(header_key(text) for text in (self.label, *self.aliases)))


@dataclass(frozen=True)
class DateColumn(Column):
    event: str = ""
    key: bool = False  # the list's key date: required on every row
    category: str | None = None  # the category column qualifying this event, if any
    after: str | None = None  # the start-date field this end date must not precede


@dataclass(frozen=True)
class FlagColumn(Column):
    """A yes/no column that, when "yes", records an event on the date of the row's key date
    (List 5's "ICPC deemed unnecessary" becomes ``icpc_not_required`` on the enquiry's start)."""

    event: str = ""
    on: str = ""  # the date field the event takes its date from
    contradicted_by: str | None = None  # a date field that, when present, contradicts "yes"


COMMON_COLUMNS: tuple[Column, ...] = (
    Column(
        "child_id",
        "Child Unique ID",
        (
            "Child ID",
            "Unique ID",
            "Child Identifier",
            "Child Unique Identifier",
            "LA Child ID",
            "LAchildID",
            "Child Reference",
            "Child Ref",
            "Child Number",
            "Person ID",
            "Client ID",
            "Case ID",
            "ID",
        ),
    ),
    Column("sex", "Gender", ("Sex", "GenderCurrent", "Gender Current", "Legal Sex")),
    Column("ethnicity", "Ethnicity", ("Ethnic Origin", "Ethnic Group", "Ethnicity Code")),
    Column("date_of_birth", "Date of Birth", ("DOB", "Birth Date", "PersonBirthDate")),
    Column(
        "age",
        "Age",
        ("Age of Child (Years)", "Age of Child", "Age in Years", "Age Years", "Age (Years)"),
    ),
    Column("team", "Allocated Team", ("Team", "Team Name", "Allocated Team Name", "Current Team")),
    # Read only to be recognised and dropped: worker names are never kept.
    Column(
        "worker",
        "Allocated Worker",
        ("Worker", "Social Worker", "Allocated Social Worker", "Allocated Worker Name"),
    ),
)


@dataclass(frozen=True)
class ListSpec:
    number: int
    subject: str
    dates: tuple[DateColumn, ...] = ()
    categories: tuple[Column, ...] = ()
    flags: tuple[FlagColumn, ...] = ()
    other_headers: tuple[str, ...] = ()  # further headers of the list, to recognise it

    @property
    def name(self) -> str:
        return f"List {self.number}"

    @property
    def used(self) -> bool:
        return bool(self.dates)

    @property
    def key(self) -> DateColumn | None:
        return next((column for column in self.dates if column.key), None)

    def columns(self) -> tuple[Column, ...]:
        return (*COMMON_COLUMNS, *self.dates, *self.categories, *self.flags)

    def signature(self) -> frozenset[str]:
        keys = {
            key
            for column in (*self.dates, *self.categories, *self.flags)
            for key in column.match_keys()
        }
        keys.update(header_key(text) for text in self.other_headers)
        return frozenset(keys)


ANNEX_A_LISTS: tuple[ListSpec, ...] = (
    ListSpec(1, "contacts", other_headers=("Date of Contact", "Contact Date", "Contact Source")),
    ListSpec(
        2,
        "early help assessments",
        other_headers=(
            "Assessment start date",
            "Assessment completion date",
            "Organisation completing assessment",
            "Early help assessment start date",
        ),
    ),
    ListSpec(
        3,
        "referrals",
        dates=(
            DateColumn(
                "referral_date",
                "Date of Referral",
                ("Referral Date", "Date Referral Received", "CIN Referral Date"),
                event="referral",
                key=True,
            ),
            # Not in Ofsted's template, but many councils add it: when the local authority
            # decided what happens next (Working Together: within one working day).
            DateColumn(
                "referral_decision",
                "Date of Referral Decision",
                (
                    "Referral Decision Date",
                    "Date Referral Decision Made",
                    "Referral Outcome Date",
                    "Date of Referral Outcome",
                ),
                event="referral_decision",
                after="referral_date",
            ),
        ),
        other_headers=(
            "Referral Source",
            "Referral NFA?",
            "Number of Referrals in Last 12 Months",
        ),
    ),
    ListSpec(
        4,
        "assessments",
        dates=(
            DateColumn(
                "assessment_start",
                "Continuous Assessment Start Date",
                (
                    "Assessment Start Date",
                    "Assessment Actual Start Date",
                    "Date Assessment Started",
                    "Single Assessment Start Date",
                ),
                event="assessment_start",
                key=True,
            ),
            DateColumn(
                "assessment_authorised",
                "Continuous Assessment Date of Authorisation",
                (
                    "Assessment Date of Authorisation",
                    "Assessment Authorisation Date",
                    "Date of Authorisation",
                    "Date Assessment Authorised",
                    "Assessment Authorised Date",
                ),
                event="assessment_authorised",
                after="assessment_start",
            ),
        ),
        other_headers=(
            "Child Seen During Continuous Assessment",
            "Was the child assessed as requiring LA children's social care support?",
        ),
    ),
    ListSpec(
        5,
        "section 47 enquiries and ICPCs",
        dates=(
            DateColumn(
                "s47_start",
                "Strategy discussion initiating Section 47 Enquiry Start Date",
                (
                    "Section 47 Enquiry Start Date",
                    "Section 47 Start Date",
                    "S47 Start Date",
                    "S47 Actual Start Date",
                    "S47ActualStartDate",
                    "Strategy Discussion Date",
                    "Date of Strategy Discussion",
                ),
                event="s47_start",
                key=True,
            ),
            DateColumn(
                "icpc_date",
                "Date of Initial Child Protection Conference",
                (
                    "Initial Child Protection Conference Date",
                    "ICPC Date",
                    "Date of ICPC",
                    "DateOfInitialCPC",
                ),
                event="icpc",
                after="s47_start",
            ),
        ),
        flags=(
            FlagColumn(
                "icpc_not_required",
                "Was an Initial Child Protection Conference deemed unnecessary?",
                (
                    "ICPC deemed unnecessary",
                    "ICPC Not Required",
                    "ICPCnotRequired",
                    "Initial Child Protection Conference Not Required",
                    "Initial Child Protection Conference deemed unnecessary",
                ),
                event="icpc_not_required",
                on="s47_start",
                contradicted_by="icpc_date",
            ),
        ),
        other_headers=(
            "Did the Initial Child Protection Conference Result in a Child Protection Plan",
            "Number of Section 47 Enquiries in the last 12 months",
            "Number of ICPCs in the last 12 months",
        ),
    ),
    ListSpec(
        6,
        "children in need",
        dates=(
            DateColumn(
                "cin_start",
                "CIN Start Date",
                ("Child in Need Start Date", "CIN Episode Start Date"),
                event="cin_start",
                key=True,
            ),
            DateColumn(
                "cin_end",
                "CIN Closure Date",
                ("CIN End Date", "Child in Need Closure Date", "CIN Episode End Date"),
                event="cin_end",
                after="cin_start",
            ),
        ),
        other_headers=(
            "Primary Need Code",
            "Date Child Was Last Seen",
            "Reason for Closure",
            "Case Status",
        ),
    ),
    ListSpec(
        7,
        "child protection",
        dates=(
            DateColumn(
                "cp_plan_start",
                "Child Protection Plan Start Date",
                ("CP Plan Start Date", "CPP Start Date", "CPPstartDate"),
                event="cp_plan_start",
                key=True,
                category="initial_category",
            ),
            DateColumn(
                "cp_plan_end",
                "Child Protection Plan End Date",
                ("CP Plan End Date", "CPP End Date", "CPPendDate"),
                event="cp_plan_end",
                category="latest_category",
                after="cp_plan_start",
            ),
            # Annex A keeps only the latest review; the CIN census keeps every one.
            DateColumn(
                "cp_review",
                "Date of latest review conference",
                (
                    "Date of Latest Review Conference",
                    "Latest Review Conference Date",
                    "Date of Latest Child Protection Review",
                    "Latest CP Review Date",
                    "CPPreviewDate",
                ),
                event="cp_review",
                after="cp_plan_start",
            ),
        ),
        categories=(
            Column(
                "initial_category",
                "Initial Category of Abuse",
                ("Category of Abuse", "Initial Category", "InitialCategoryOfAbuse"),
            ),
            Column(
                "latest_category",
                "Latest Category of Abuse",
                ("Latest Category", "Current Category of Abuse", "LatestCategoryOfAbuse"),
            ),
        ),
        other_headers=(
            "Date of the Last Statutory Visit",
            "Was the Child Seen Alone?",
            "Number of Previous Child Protection Plans",
        ),
    ),
    ListSpec(
        8,
        "children looked after",
        dates=(
            DateColumn(
                "cla_start",
                "Date Started to be Looked After",
                (
                    "Date Started Looked After",
                    "Date Became Looked After",
                    "Looked After Start Date",
                    "CLA Start Date",
                    "Date Entered Care",
                ),
                event="cla_start",
                key=True,
            ),
            DateColumn(
                "cla_end",
                "Date Ceased to be Looked After",
                (
                    "Date Ceased Looked After",
                    "Looked After End Date",
                    "CLA End Date",
                    "Date Left Care",
                ),
                event="cla_end",
                after="cla_start",
            ),
        ),
        other_headers=(
            "Child's Category of Need",
            "Child's Legal Status",
            "Start date of current legal status",
            "Reason Ceased to be Looked After",
            "Placement Type",
            "Placement Provider",
            "Date of Latest Statutory Review",
        ),
    ),
    ListSpec(
        9,
        "care leavers",
        other_headers=(
            "Eligibility Category",
            "LA in Touch",
            "Type of Accommodation",
            "Suitability of Accommodation",
            "Activity Status",
        ),
    ),
    ListSpec(
        10,
        "adoption",
        other_headers=(
            "Date the Child Entered Care",
            "Date of Decision that Child Should be Placed for Adoption",
            "Date of Placement Order",
            "Date of Matching Child and Prospective Adopters",
            "Date Placed for Adoption",
            "Date of Adoption Order",
        ),
    ),
    ListSpec(
        11,
        "adopters",
        other_headers=(
            "Individual adopter identifier",
            "Date enquiry received",
            "Date Stage 1 started",
            "Date Stage 1 ended",
            "Date Stage 2 started",
            "Date application submitted",
            "Date application approved",
        ),
    ),
)
LISTS_BY_NUMBER = {spec.number: spec for spec in ANNEX_A_LISTS}
_CHILD_ID_KEYS = frozenset(COMMON_COLUMNS[0].match_keys())
_LIST_NAME = re.compile(r"\blist\s*0?(\d{1,2})\b", re.IGNORECASE)
_ADOPTER_KEY = header_key("Individual adopter identifier")


def list_number_from_name(name: str) -> int | None:
    """ "List 3", "list3 - Referrals", "Annex A List 03.csv" → 3."""
    match = _LIST_NAME.search(name.replace("_", " "))
    if match and int(match.group(1)) in LISTS_BY_NUMBER:
        return int(match.group(1))
    return None


@dataclass
class Identified:
    """What a sheet (or list CSV) turned out to be."""

    spec: ListSpec | None
    header_index: int | None  # 0-based index of the header row among the rows given
    headers: list[str] = field(default_factory=list)


def identify_list(name: str | None, rows: Sequence[Sequence[object]]) -> Identified:
    """Recognise an Annex A list from its name ("List 3") or, failing that, its headers.

    ``rows`` are the first rows of the sheet; the header row is the first of them that has a
    child ID column, or (for the adopters list) an adopter identifier, or two headers of a
    known list.
    """
    signatures = {spec.number: spec.signature() for spec in ANNEX_A_LISTS}
    header_index = None
    scores: dict[int, int] = {}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [set(header_keys(cell)) for cell in row]
        row_scores = {
            number: sum(1 for cell_keys in keys if cell_keys & signature)
            for number, signature in signatures.items()
        }
        has_id = any(cell_keys & _CHILD_ID_KEYS for cell_keys in keys)
        has_adopter = any(_ADOPTER_KEY in cell_keys for cell_keys in keys)
        if has_id or has_adopter or max(row_scores.values()) >= 2:
            header_index = index
            scores = row_scores
            break
    headers = [cell_text(cell) for cell in rows[header_index]] if header_index is not None else []
    number = list_number_from_name(name) if name else None
    if number is None and scores:
        # By headers alone, a list the pool uses needs its key date column, and a list it
        # skips needs two of its headers; then the most headers matched wins.
        header_sets = [set(header_keys(header)) for header in headers]

        def qualifies(number: int) -> bool:
            key = LISTS_BY_NUMBER[number].key
            if key is None:
                return scores[number] >= 2
            return any(keys & set(key.match_keys()) for keys in header_sets)

        candidates = [n for n, score in scores.items() if score >= 1 and qualifies(n)]
        if candidates:
            number = max(candidates, key=lambda n: (scores[n], -n))
    return Identified(LISTS_BY_NUMBER.get(number) if number else None, header_index, headers)


def map_columns(headers: Sequence[str], columns: Iterable[Column]) -> dict[str, int]:
    """Field → column index, matching headers case/space/punctuation-insensitively."""
    by_key: dict[str, str] = {}
    for column in columns:
        for key in column.match_keys():
            by_key.setdefault(key, column.field)
    mapped: dict[str, int] = {}
    for index, header in enumerate(headers):
        for key in header_keys(header):
            column_field = by_key.get(key)
            if column_field and column_field not in mapped:
                mapped[column_field] = index
                break
    return mapped


# --- row parsing ----------------------------------------------------------------------------


class ChildFields(NamedTuple):
    child_id: str | None
    date_of_birth: dt.date | None
    age_years: float | None
    sex: str | None
    ethnicity: str | None
    team: str | None


class RowParser:
    """Turns one row of cells into a row record, reporting every problem it finds."""

    def __init__(
        self, ctx: Context, headers: Sequence[str], columns: Sequence[Column], source: str
    ) -> None:
        self.ctx = ctx
        self.headers = [cell_text(header) for header in headers]
        self.columns = {column.field: column for column in columns}
        self.index = map_columns(self.headers, columns)
        self.source = source
        self._header = {
            name: (self.headers[self.index[name]] if name in self.index else "") or column.label
            for name, column in self.columns.items()
        }
        self._record_columns: dict[str, str] = {
            name: self._header[name]
            for name in ("date_of_birth", "sex", "ethnicity")
            if name in self.index
        }
        self._memo: dict[tuple[object, ...], Any] = {}

    def cached(self, key: tuple[object, ...], read: Callable[[], T]) -> T:
        """``read()``, remembered by the raw value(s) in ``key`` when it reported nothing.

        A big list repeats the same few sexes, ethnicities, teams and dates thousands of times;
        normalising each distinct value once is most of the speed of reading it. A value that
        gave a message is read afresh every time, so every row still gets its own message.
        """
        memo = self._memo
        if key in memo:
            return memo[key]
        summary = self.ctx.summary
        before = len(summary.errors) + len(summary.warnings) + len(summary.notes)
        value = read()
        if (
            len(summary.errors) + len(summary.warnings) + len(summary.notes) == before
            and len(memo) < MEMO_LIMIT
        ):
            memo[key] = value
        return value

    def header(self, name: str) -> str:
        return self._header.get(name, name)

    def cell(self, values: Sequence[object], name: str) -> object:
        try:
            return values[self.index[name]]
        except (KeyError, IndexError):  # no such column, or a short row
            return None

    def has(self, name: str) -> bool:
        return name in self.index

    def child(self, values: Sequence[object], row: int) -> ChildFields:
        """The child's own fields (ID, date of birth or age, sex, ethnicity, team)."""
        ctx = self.ctx
        has = self.index.__contains__
        header = self._header
        memo = self._memo  # hits looked up here: `cached` is called only for a new value
        key: tuple[object, ...]
        child_id = read_child_id(ctx, self.cell(values, "child_id"), row, header["child_id"])
        age_header = header["age"] if has("age") else None
        if has("date_of_birth"):
            raw_dob, raw_age = self.cell(values, "date_of_birth"), self.cell(values, "age")
            key = ("dob", raw_dob.__class__, raw_dob, raw_age.__class__, raw_age)
            dob, age_years = (
                memo[key]
                if key in memo
                else self.cached(
                    key,
                    lambda: read_birth_date(
                        ctx, raw_dob, row, header["date_of_birth"], raw_age, age_header
                    ),
                )
            )
        elif age_header is not None:
            dob, age_years = None, read_age(ctx, self.cell(values, "age"), row, age_header)
        else:
            dob, age_years = None, None
        sex = ethnicity = team = None
        if has("sex"):
            raw = self.cell(values, "sex")
            key = ("sex", raw.__class__, raw)
            sex = (
                memo[key]
                if key in memo
                else self.cached(key, lambda: read_sex(ctx, raw, row, header["sex"]))
            )
        if has("ethnicity"):
            raw_eth = self.cell(values, "ethnicity")
            key = ("ethnicity", raw_eth.__class__, raw_eth)
            ethnicity = (
                memo[key]
                if key in memo
                else self.cached(
                    key, lambda: read_ethnicity(ctx, raw_eth, row, header["ethnicity"])
                )
            )
        if has("team"):
            raw_team = self.cell(values, "team")
            key = ("team", raw_team.__class__, raw_team)
            team = (
                memo[key]
                if key in memo
                else self.cached(
                    key,
                    lambda: read_text(
                        ctx, raw_team, row, header["team"], "a team name", warn_blank=False
                    ),
                )
            )
        return ChildFields(child_id, dob, age_years, sex, ethnicity, team)

    def date(self, values: Sequence[object], name: str, row: int, *, key: bool) -> dt.date | None:
        if name not in self.index:
            return None
        raw = self.cell(values, name)
        memo_key = ("date", key, raw.__class__, raw)
        if memo_key in self._memo:
            return self._memo[memo_key]
        return self.cached(
            memo_key, lambda: read_date(self.ctx, raw, row, self._header[name], key=key)
        )

    def category(self, values: Sequence[object], name: str, row: int) -> str | None:
        if name not in self.index:
            return None
        raw = self.cell(values, name)
        return self.cached(
            ("category", raw.__class__, raw),
            lambda: read_category(self.ctx, raw, row, self._header[name]),
        )

    def finish(
        self, child: ChildFields, events: list[Event], row: int, usable: bool
    ) -> RowRecord | None:
        child_id = child.child_id
        if not child_id or not usable:
            return None
        if self.ctx.pseudonymise is not None:
            child_id = self.ctx.pseudonymise(child_id)
        ordered = tuple(sorted(events, key=Event.sort_key)) if len(events) > 1 else tuple(events)
        record = ChildRecord(
            child_id=child_id,
            date_of_birth=child.date_of_birth,
            age_years=child.age_years,
            sex=child.sex,
            ethnicity=child.ethnicity,
            team=latest_team(ordered) or child.team,
            events=ordered,
            sources=(self.source,),
        )
        return RowRecord(record, self.ctx.kind, self.ctx.sheet, row, self._record_columns)


class ListRowParser(RowParser):
    """Rows of one Annex A list (an xlsx sheet or a single-list CSV)."""

    def __init__(self, ctx: Context, headers: Sequence[str], spec: ListSpec) -> None:
        super().__init__(ctx, headers, spec.columns(), spec.name)
        self.spec = spec

    def missing_required(self) -> list[Column]:
        required: list[Column] = [COMMON_COLUMNS[0]]
        if self.spec.key is not None:
            required.append(self.spec.key)
        return [column for column in required if not self.has(column.field)]

    def parse(self, values: Sequence[object], row: int) -> RowRecord | None:
        child = self.child(values, row)
        usable = True
        events: list[Event] = []
        days: dict[str, dt.date] = {}
        for column in self.spec.dates:
            day = self.date(values, column.field, row, key=column.key)
            if day is None:
                usable = usable and not column.key
                continue
            raw = self.cell(values, column.field)
            header = self.header(column.field)
            check_against_birth(self.ctx, child.date_of_birth, day, row, header, raw)
            if column.after:
                check_order(
                    self.ctx,
                    days.get(column.after),
                    day,
                    row,
                    header,
                    self.header(column.after),
                    raw,
                )
            days[column.field] = day
            category = self.category(values, column.category, row) if column.category else None
            events.append(Event(column.event, day, category, child.team, self.source))
        for flag in self.spec.flags:
            if self.flag(values, flag, row, days) and flag.on in days:
                events.append(Event(flag.event, days[flag.on], None, child.team, self.source))
        return self.finish(child, events, row, usable)

    def flag(
        self, values: Sequence[object], flag: FlagColumn, row: int, days: dict[str, dt.date]
    ) -> bool:
        """Whether a yes/no column says "yes"; "yes" beside a date that contradicts it is a
        warning, and the date wins (a conference that was held was not unnecessary)."""
        if flag.field not in self.index:
            return False
        raw = self.cell(values, flag.field)
        header = self.header(flag.field)
        if read_yes_no(self.ctx, raw, row, header) != "yes":
            return False
        contradiction = flag.contradicted_by
        if contradiction and contradiction in days:
            self.ctx.report(
                "warning",
                row,
                header,
                cell_text(raw),
                f'is "yes" but {self.header(contradiction)} has a date, so the date is kept',
                f'"No" when {self.header(contradiction)} has a date',
            )
            return False
        return True


# --- the plain CSV --------------------------------------------------------------------------

PLAIN_COLUMNS: tuple[Column, ...] = (
    Column("child_id", "child_id", (*COMMON_COLUMNS[0].aliases, "Child Unique ID")),
    Column("date_of_birth", "date_of_birth", ("Date of Birth", "DOB", "Birth Date")),
    Column("age", "age", ("Age", "Age Years", "Age in Years", "Age of Child (Years)")),
    Column("sex", "sex", ("Gender",)),
    Column("ethnicity", "ethnicity", ("Ethnic Origin", "Ethnic Group")),
    Column("team", "team", ("Allocated Team", "Team Name")),
    Column("event", "event", ("Event Type", "Event Kind", "Type")),
    Column("event_date", "event_date", ("Date", "Event Date", "Date of Event")),
    Column("category", "category", ("Category of Abuse", "Abuse Category")),
    Column("worker", "Allocated Worker", COMMON_COLUMNS[-1].aliases),
)

_EVENT_ALIASES: dict[str, str] = {header_key(kind): kind for kind in EVENT_KINDS}
_EVENT_ALIASES.update(
    {
        header_key(alias): kind
        for alias, kind in (
            ("referral received", "referral"),
            ("referral decided", "referral_decision"),
            ("referral outcome", "referral_decision"),
            ("decision on referral", "referral_decision"),
            ("review conference", "cp_review"),
            ("child protection review", "cp_review"),
            ("rcpc", "cp_review"),
            ("cp review", "cp_review"),
            ("cin referral", "referral"),
            ("cin episode start", "cin_start"),
            ("child in need start", "cin_start"),
            ("cin episode end", "cin_end"),
            ("cin closure", "cin_end"),
            ("child in need closure", "cin_end"),
            ("section47 started", "s47_start"),
            ("section 47 start", "s47_start"),
            ("s47", "s47_start"),
            ("icpc deemed unnecessary", "icpc_not_required"),
            ("icpc not needed", "icpc_not_required"),
            ("assessment started", "assessment_start"),
            ("assessment authorized", "assessment_authorised"),
            ("assessment completed", "assessment_authorised"),
            ("initial child protection conference", "icpc"),
            ("cin plan started", "cin_plan_start"),
            ("cin plan ended", "cin_plan_end"),
            ("cp plan started", "cp_plan_start"),
            ("cpp start", "cp_plan_start"),
            ("child protection plan start", "cp_plan_start"),
            ("cp plan ended", "cp_plan_end"),
            ("cpp end", "cp_plan_end"),
            ("child protection plan end", "cp_plan_end"),
            ("looked after start", "cla_start"),
            ("started to be looked after", "cla_start"),
            ("looked after end", "cla_end"),
            ("ceased to be looked after", "cla_end"),
        )
    }
)
EVENT_EXPECTED = join_or(list(EVENT_KINDS))
CP_EVENTS = frozenset({"cp_plan_start", "cp_plan_end"})


def canonical_event(text: str) -> str | None:
    """An event name from the plain CSV's ``event`` column as a canonical event kind."""
    return _EVENT_ALIASES.get(header_key(text))


class PlainRowParser(RowParser):
    """Rows of the plain CSV: one child, and at most one event, per row."""

    def __init__(self, ctx: Context, headers: Sequence[str]) -> None:
        super().__init__(ctx, headers, PLAIN_COLUMNS, "CSV")

    def unused_headers(self) -> list[str]:
        used = set(self.index.values())
        return [h for i, h in enumerate(self.headers) if i not in used and h.strip()]

    def parse(self, values: Sequence[object], row: int) -> RowRecord | None:
        ctx = self.ctx
        child = self.child(values, row)
        usable = True
        events: list[Event] = []
        event_text = (
            read_text(
                ctx,
                self.cell(values, "event"),
                row,
                self.header("event"),
                EVENT_EXPECTED,
                warn_blank=False,
            )
            if self.has("event")
            else None
        )
        date_text = cell_text(self.cell(values, "event_date"))
        kind = None
        if event_text is not None:
            kind = canonical_event(event_text)
            if kind is None:
                usable = False
                ctx.report(
                    "error",
                    row,
                    self.header("event"),
                    event_text,
                    "is not a recognised event",
                    EVENT_EXPECTED,
                )
        elif date_text and not is_placeholder(date_text):
            usable = False
            ctx.report(
                "error",
                row,
                self.header("event"),
                None,
                f'is blank, but "{self.header("event_date")}" has a date',
                EVENT_EXPECTED,
            )
        category = self.category(values, "category", row)
        if event_text is not None:
            day = self.date(values, "event_date", row, key=True)
            if day is None:
                usable = False
            elif kind is not None:
                raw = self.cell(values, "event_date")
                check_against_birth(
                    ctx, child.date_of_birth, day, row, self.header("event_date"), raw
                )
                if category and kind not in CP_EVENTS:
                    ctx.report(
                        "warning",
                        row,
                        self.header("category"),
                        cell_text(self.cell(values, "category")),
                        "applies only to cp_plan_start and cp_plan_end events; ignored",
                    )
                    category = None
                events.append(Event(kind, day, category, child.team, "CSV"))
        return self.finish(child, events, row, usable)
