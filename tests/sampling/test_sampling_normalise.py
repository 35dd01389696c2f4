"""Coded values and dates normalise to one canonical form."""

from __future__ import annotations

import datetime as dt

import pytest

from maca.sampling.importers.normalise import (
    canonical_category,
    canonical_ethnicity,
    canonical_sex,
    header_key,
    parse_date,
)

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("b) Female", "b) Female"),
        ("Female", "b) Female"),
        ("F", "b) Female"),
        ("f", "b) Female"),
        ("2", "b) Female"),  # CIN GenderCurrent
        ("a) Male", "a) Male"),
        ("MALE", "a) Male"),
        ("M", "a) Male"),
        ("1", "a) Male"),
        ("c) Not stated/recorded", "c) Not stated/recorded"),
        ("Unknown", "c) Not stated/recorded"),
        ("0", "c) Not stated/recorded"),
        ("9", "c) Not stated/recorded"),
        ("U", "c) Not stated/recorded"),
        ("d) Neither", "d) Neither"),
        ("b)", "b) Female"),
        ("X", None),
        ("Femal", None),
    ],
)
def test_sex(value: str, code: str | None) -> None:
    assert canonical_sex(value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("a) WBRI", "a) WBRI"),
        ("WBRI", "a) WBRI"),
        ("wbri", "a) WBRI"),
        ("White British", "a) WBRI"),
        ("White - British", "a) WBRI"),
        ("k) APKN", "k) APKN"),
        ("Asian or Asian British - Pakistani", "k) APKN"),
        ("Mixed - White and Black Caribbean", "f) MWBC"),
        ("s) NOBT", "s) NOBT"),
        ("Information not yet obtained", "s) NOBT"),
        ("REFU", "s) REFU"),
        ("Refused", "s) REFU"),
        ("Any other ethnic group", "r) OOTH"),
        ("Gypsy/Roma", "e) WROM"),
        ("Martian", None),
    ],
)
def test_ethnicity(value: str, code: str | None) -> None:
    assert canonical_ethnicity(value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("PHY", "b) Physical abuse"),
        ("Physical abuse", "b) Physical abuse"),
        ("b) Physical abuse", "b) Physical abuse"),
        ("NEG", "a) Neglect"),
        ("Neglect", "a) Neglect"),
        ("SAB", "c) Sexual abuse"),
        ("EMO", "d) Emotional abuse"),
        ("Emotional abuse", "d) Emotional abuse"),
        ("MUL", "e) Multiple/not recommended"),
        ("Financial", None),
    ],
)
def test_category_of_abuse(value: str, code: str | None) -> None:
    assert canonical_category(value) == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2022, 1, 3, 14, 30), dt.date(2022, 1, 3)),
        (dt.date(2022, 1, 3), dt.date(2022, 1, 3)),
        (44564, dt.date(2022, 1, 3)),  # Excel serial
        (44564.75, dt.date(2022, 1, 3)),
        ("44564", dt.date(2022, 1, 3)),
        ("03/01/2022", dt.date(2022, 1, 3)),
        ("3/1/2022", dt.date(2022, 1, 3)),
        ("3/1/22", dt.date(2022, 1, 3)),
        ("03-01-2022", dt.date(2022, 1, 3)),
        ("03.01.2022", dt.date(2022, 1, 3)),
        ("2022-01-03", dt.date(2022, 1, 3)),
        ("2022-01-03T09:30", dt.date(2022, 1, 3)),
        ("2022-01-03 00:00:00", dt.date(2022, 1, 3)),
        ("3 Jan 2022", dt.date(2022, 1, 3)),
        ("03-Jan-22", dt.date(2022, 1, 3)),
        ("20220103", dt.date(2022, 1, 3)),
        ("1/5/99", dt.date(1999, 5, 1)),  # two-digit years: the last hundred years
        ("31/02/2022", None),
        ("2022-02-30", None),
        ("13/13/2022", None),
        ("yesterday", None),
        (8.88, None),  # an age in a date column is not a date
        ("", None),
        (True, None),
    ],
)
def test_dates(value: object, expected: dt.date | None) -> None:
    assert parse_date(value, TODAY) == expected


def test_header_keys_ignore_case_space_and_punctuation() -> None:
    assert header_key("Date of Referral") == header_key("date_of_referral ") == "dateofreferral"
    assert header_key("Child’s Legal Status") == header_key("CHILDS LEGAL-STATUS")
    assert header_key("Child\xa0Unique\xa0ID") == "childuniqueid"
