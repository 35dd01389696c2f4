"""Working days (England and Wales) and month arithmetic: the edge cases auditors hit."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maca.chronology.engine import Timescale, add_months, add_working_days, is_working_day
from maca.chronology.engine.timescales import working_days_between


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # The contract's own example: across the Platinum Jubilee (2 and 3 June 2022).
        ("2022-06-02", 15, "2022-06-24"),
        # The DfE census example for InitialCPCtarget (start = day 0).
        ("1970-06-02", 15, "1970-06-23"),
        # Easter 2022: Good Friday 15 April, Easter Monday 18 April, then May Day 2 May.
        ("2022-04-07", 15, "2022-05-03"),
        ("2022-04-14", 1, "2022-04-19"),
        ("2022-03-15", 15, "2022-04-05"),
        ("2022-04-04", 10, "2022-04-20"),
        # Christmas 2022 fell on a Sunday: the substitute day is Tuesday 27 December.
        ("2022-12-23", 1, "2022-12-28"),
        # Christmas and Boxing Day 2021 fell at a weekend: substitutes on 27 and 28 December.
        ("2021-12-24", 1, "2021-12-29"),
        # Boxing Day 2020 was a Saturday: substitute Monday 28 December.
        ("2020-12-24", 1, "2020-12-29"),
        # New Year's Day 2022 was a Saturday: substitute Monday 3 January.
        ("2021-12-31", 1, "2022-01-04"),
        # The State Funeral of Queen Elizabeth II, Monday 19 September 2022.
        ("2022-09-16", 1, "2022-09-20"),
        # An ordinary week.
        ("2022-03-14", 1, "2022-03-15"),
        ("2022-03-14", 5, "2022-03-21"),
        ("2022-03-14", 45, "2022-05-19"),
    ],
)
def test_add_working_days(start: str, n: int, due: str) -> None:
    assert add_working_days(d(start), n) == d(due)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # A start on a Saturday or Sunday counts from the Friday before (roll backward):
        # one working day after Friday 11 March is Monday 14 March, not Tuesday 15.
        ("2022-03-12", "2022-03-14"),
        ("2022-03-13", "2022-03-14"),
        # A start on a bank holiday counts from the working day before: Good Friday 2022.
        ("2022-04-15", "2022-04-19"),
        ("2022-04-18", "2022-04-19"),
        # A start on Christmas Day 2022 (a Sunday).
        ("2022-12-25", "2022-12-28"),
    ],
)
def test_start_on_a_non_working_day_counts_from_the_previous_working_day(
    start: str, due: str
) -> None:
    assert add_working_days(d(start), 1) == d(due)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2022-06-02", False),  # Spring bank holiday (moved for the Jubilee)
        ("2022-06-03", False),  # Platinum Jubilee
        ("2022-05-30", True),  # the usual late-May date was a working day in 2022
        ("2022-09-19", False),  # State Funeral
        ("2022-12-27", False),  # Christmas Day (substitute)
        ("2022-12-26", False),  # Boxing Day
        ("2022-03-12", False),  # Saturday
        ("2022-01-04", True),  # Scotland's 2 January substitute: a working day in England
        ("2022-08-01", True),  # Scotland's summer bank holiday: a working day in England
        ("2022-08-29", False),  # England and Wales summer bank holiday
        ("2022-11-30", True),  # St Andrew's Day: Scotland only
        ("2022-03-17", True),  # St Patrick's Day: Northern Ireland only
    ],
)
def test_is_working_day(day: str, working: bool) -> None:
    assert is_working_day(d(day)) is working


def test_working_days_between_counts_days_after_the_start() -> None:
    assert working_days_between(d("2022-06-02"), d("2022-06-24")) == 15
    assert working_days_between(d("2022-03-14"), d("2022-03-14")) == 0
    assert working_days_between(d("2022-03-11"), d("2022-03-13")) == 0
    assert working_days_between(d("2022-03-11"), d("2022-03-14")) == 1


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        ("2022-01-31", 3, "2022-04-30"),  # the contract's example: clamped to the month's end
        ("2024-01-31", 1, "2024-02-29"),  # leap year
        ("2023-01-31", 1, "2023-02-28"),
        ("2022-11-30", 3, "2023-02-28"),  # across a year end
        ("2022-10-15", 3, "2023-01-15"),
        ("2022-04-04", 3, "2022-07-04"),
        ("2022-08-31", 6, "2023-02-28"),
        ("2022-12-31", 12, "2023-12-31"),
    ],
)
def test_add_months(start: str, months: int, due: str) -> None:
    assert add_months(d(start), months) == d(due)


def test_timescale_due_and_words() -> None:
    assert Timescale("same_day").due(d("2022-03-12")) == d("2022-03-12")
    assert Timescale("calendar_days", 14).due(d("2022-12-25")) == d("2023-01-08")
    assert Timescale("working_days", 15).due(d("2022-06-02")) == d("2022-06-24")
    assert Timescale("months", 3).due(d("2022-01-31")) == d("2022-04-30")
    assert Timescale("working_days", 1).describe() == "1 working day"
    assert Timescale("months", 3).describe() == "3 months"
    assert Timescale("same_day").describe() == "the same day"


ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(2017, 2031))


def _step_forward(start: date, n: int) -> date:
    """An independent day-by-day count: roll back to a working day, then step forward n."""

    def working(day: date) -> bool:
        return day.weekday() < 5 and day not in ENGLAND

    day = start
    while not working(day):
        day -= timedelta(days=1)
    while n:
        day += timedelta(days=1)
        if working(day):
            n -= 1
    return day


@settings(max_examples=50, deadline=None)
@given(
    start=st.dates(min_value=date(2018, 1, 1), max_value=date(2028, 12, 31)),
    n=st.integers(min_value=1, max_value=65),
)
def test_working_days_match_a_day_by_day_count(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert due == _step_forward(start, n)
    assert is_working_day(due)
    assert working_days_between(start, due) == n
