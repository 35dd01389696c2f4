"""DfE CIN census XML: pinned results for every fixture, and refused or unreadable XML."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from maca.sampling.importers import ImportResult, UnreadableFile, detect_format, read_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "external"
CIN = FIXTURES / "csc-validator-be-cin"
TODAY = dt.date(2026, 11, 26)


def kinds(result: ImportResult) -> dict[str, int]:
    return dict(Counter(e.kind for r in result.records.values() for e in r.events))


FULL_EPISODE = {
    "referral": 1,
    "cin_end": 1,
    "icpc": 2,  # CINdetails/DateOfInitialCPC and Section47/DateOfInitialCPC differ
    "assessment_start": 1,
    "assessment_authorised": 1,
    "cin_plan_start": 1,
    "cin_plan_end": 1,
    "s47_start": 1,
    "cp_plan_start": 1,
    "cp_plan_end": 1,
    "cp_review": 1,  # ChildProtectionPlans/Reviews/CPPreviewDate
}


def test_liia_tools_cin_2022_gives_one_child_with_every_event() -> None:
    path = FIXTURES / "liia-tools" / "cin-2022.xml"
    assert detect_format(path) == "cin-census"

    result = read_file(path, today=TODAY)

    assert (result.ok, result.counts, result.children) == (True, {"XML": 1}, 1)
    assert result.warnings == [] and result.notes == []
    child = result.records["DfEX0000001"]
    assert (child.date_of_birth, child.sex, child.ethnicity) == (
        dt.date(1966, 3, 24),
        "a) Male",
        "a) WBRI",
    )
    assert kinds(result) == FULL_EPISODE
    plan = child.events_of("cp_plan_start")[0]
    assert (plan.date, plan.category) == (dt.date(1970, 2, 17), "b) Physical abuse")
    assert child.events_of("s47_start")[0].date == dt.date(1970, 6, 2)
    assert child.events_of("cp_review")[0].date == dt.date(1971, 2, 15)


@pytest.mark.parametrize("name", ["CIN_Census_2021.xml", "CIN2rows.xml"])
def test_one_child_validator_files(name: str) -> None:
    result = read_file(CIN / name, today=TODAY)

    assert (result.ok, result.counts, result.children) == (True, {"XML": 1}, 1)
    assert result.warnings == []
    expected = dict(FULL_EPISODE)
    if name == "CIN2rows.xml":  # this variant has no assessment authorisation date
        del expected["assessment_authorised"]
    assert kinds(result) == expected


@pytest.mark.parametrize("name", ["CIN_Census_2024.xml", "CIN_Census_2026.xml"])
def test_2024_and_2026_files_read_the_sex_element_and_warn_about_a_future_date(name: str) -> None:
    result = read_file(CIN / name, today=TODAY)

    assert (result.ok, result.counts, result.children) == (True, {"XML": 2}, 2)
    assert [str(w) for w in result.warnings] == [
        'XML line 42, element "AssessmentActualStartDate": "2028-04-28" is in the future, '
        "left empty (expected a date on or before 2026-11-26)"
    ]
    first = result.records["DfEX0000001"]
    second = result.records["child_fails_assessments"]
    assert (first.sex, second.sex) == ("a) Male", "a) Male")  # <Sex>1</Sex> and <Sex>M</Sex>
    assert first.date_of_birth == dt.date(2015, 3, 27)
    assert [e.kind for e in second.events] == [
        "assessment_start",
        "assessment_authorised",
        "referral",
        "cin_end",
    ]
    # The 2026 pre-proceedings block is not part of the pool.
    assert len(first.events_of("cp_plan_start")) == 1  # the two identical plans are one event


def test_fake_cin_data_332_children_two_refused_for_future_referral_dates() -> None:
    path = CIN / "fake_CIN_data.xml"

    result = read_file(path, today=TODAY)

    assert result.counts == {"XML": 332}
    assert result.children == 330
    assert [str(e) for e in result.errors] == [
        'XML line 3693, element "CINreferralDate": "2030-03-31" is in the future '
        "(expected a date on or before 2026-11-26)",
        'XML line 6454, element "CINreferralDate": "2028-03-24" is in the future '
        "(expected a date on or before 2026-11-26)",
    ]
    assert len(result.warnings) == 4  # future closure and ICPC dates of those two children
    assert kinds(result) == {"referral": 399, "icpc": 347, "cin_end": 250}
    assert Counter(r.sex for r in result.records.values()) == {
        "c) Not stated/recorded": 175,
        "a) Male": 82,
        "b) Female": 73,
    }

    # Cross-check against a plain ElementTree read of the same file.
    tree = ET.parse(path)  # noqa: S314
    children = tree.getroot().findall("./Children/Child")
    assert len(children) == 332
    refused = {"2030-03-31", "2028-03-24"}
    kept = [c for c in children if not {e.text for e in c.iter("CINreferralDate")} & refused]
    assert sum(len(c.findall("CINdetails")) for c in kept) == 399
    genders = Counter(c.findtext("ChildIdentifiers/GenderCurrent") for c in kept)
    assert (genders["1"], genders["2"], genders["0"] + genders["9"]) == (82, 73, 175)


def test_missing_child_id_and_bad_referral_date_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    path.write_text(
        "<Message>\n<Children>\n"
        "<Child>\n<ChildIdentifiers>\n<PersonBirthDate>2020-01-01</PersonBirthDate>\n"
        "</ChildIdentifiers>\n<CINdetails><CINreferralDate>2021-02-30</CINreferralDate>"
        "</CINdetails>\n</Child>\n"
        "<Child>\n<ChildIdentifiers><LAchildID>X2</LAchildID><Sex>F</Sex>"
        "<PersonBirthDate>2020-01-01</PersonBirthDate></ChildIdentifiers>\n"
        "<ChildCharacteristics><Ethnicity>BAFR</Ethnicity></ChildCharacteristics>\n"
        "<CINdetails><CINclosureDate>2021-01-01</CINclosureDate></CINdetails>\n</Child>\n"
        "</Children>\n</Message>\n",
        encoding="utf-8",
    )

    result = read_file(path, today=TODAY)

    assert [str(e) for e in result.errors] == [
        'XML line 4, element "LAchildID" is missing (expected a child ID)',
        'XML line 7, element "CINreferralDate": "2021-02-30" is not a date (expected YYYY-MM-DD)',
        'XML line 12, element "CINreferralDate" is missing (expected YYYY-MM-DD)',
    ]
    assert [str(w) for w in result.warnings] == [
        'XML line 4, element "Sex" is missing, left empty (expected M or F)',
        'XML line 3, element "Ethnicity" is missing, left empty '
        "(expected an ethnicity code such as WBRI)",
    ]
    assert result.children == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<Message><Children><Child><ChildIdentifiers>", "not well-formed XML"),
        (b"<Message><Children></Child></Message>", "not well-formed XML"),
        (
            b"<html><body>Not a return</body></html>",
            r"not a CIN census return \(its root is <html>",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY a "aaaa">]>'
            b"<Message><Children><Child><ChildIdentifiers><LAchildID>&a;</LAchildID>"
            b"</ChildIdentifiers></Child></Children></Message>",
            "DOCTYPE is not accepted",
        ),
        (
            b"<Message><Header><CollectionDetails><Collection>SC</Collection>"
            b"</CollectionDetails></Header><Children/></Message>",
            "a SC return, not the CIN census",
        ),
    ],
)
def test_unreadable_xml(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=message):
        read_file(path, today=TODAY)


def test_xml_forced_on_a_workbook_is_unreadable() -> None:
    with pytest.raises(UnreadableFile):
        read_file(FIXTURES / "liia-tools" / "Annex_A.xlsx", "cin-census", today=TODAY)


def test_icpc_not_required_becomes_an_event_on_the_enquiry_start(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    section47 = (
        "<Section47><S47ActualStartDate>2022-03-03</S47ActualStartDate>"
        "<ICPCnotRequired>{flag}</ICPCnotRequired>{icpc}</Section47>"
    )
    children = "".join(
        f"<Child><ChildIdentifiers><LAchildID>C{n}</LAchildID><Sex>F</Sex>"
        "<PersonBirthDate>2020-01-01</PersonBirthDate></ChildIdentifiers>"
        "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>"
        "<CINdetails><CINreferralDate>2022-03-01</CINreferralDate>"
        + section47.format(flag=flag, icpc=icpc)
        + "</CINdetails></Child>\n"
        for n, (flag, icpc) in enumerate(
            [
                ("true", ""),
                ("1", ""),
                ("false", ""),
                ("true", "<DateOfInitialCPC>2022-03-20</DateOfInitialCPC>"),
            ]
        )
    )
    path.write_text(f"<Message><Children>\n{children}</Children></Message>\n", encoding="utf-8")

    result = read_file(path, today=TODAY)

    assert result.ok
    not_required = {
        child: [e.date for e in r.events_of("icpc_not_required")]
        for child, r in result.records.items()
    }
    assert not_required == {
        "C0": [dt.date(2022, 3, 3)],
        "C1": [dt.date(2022, 3, 3)],
        "C2": [],
        "C3": [],
    }
    assert [str(w) for w in result.warnings] == [
        'XML line 5, element "ICPCnotRequired": "true" is true but DateOfInitialCPC has a '
        "date, so the date is kept (expected false when DateOfInitialCPC has a date)"
    ]
