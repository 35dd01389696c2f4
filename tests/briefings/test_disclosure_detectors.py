"""The detectors one by one: UK patterns, birth cues, known identifiers, the allow-list."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maca.briefings.disclosure import KnownIdentifiers, check_text, nhs_number_valid
from maca.briefings.disclosure.detect import COMMON_WORD_NAMES, Detector
from maca.briefings.disclosure.django_known import name_variants
from tests.briefings.disclosure_support import KNOWN, POOL_ID


def found(
    text: str, known: KnownIdentifiers | None = None, **kwargs: object
) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in check_text(text, known=known, **kwargs)]  # type: ignore[arg-type]


# --- NHS numbers ------------------------------------------------------------------------------


def test_nhs_check_digit() -> None:
    assert nhs_number_valid("9434765919")
    assert nhs_number_valid("4010232137")
    assert not nhs_number_valid("9434765918")  # wrong check digit
    assert not nhs_number_valid("1234567890")  # remainder gives check digit 10: never issued
    assert not nhs_number_valid("943476591")


@pytest.mark.parametrize("text", ["943 476 5919", "9434765919", "943-476-5919"])
def test_nhs_numbers_in_their_written_forms(text: str) -> None:
    assert found(f"NHS no. {text}.") == [("nhs-number", text)]


@pytest.mark.parametrize("text", ["943 476 5918", "123 456 7890", "94347659190", "943 4765919"])
def test_numbers_that_are_not_nhs_numbers(text: str) -> None:
    assert found(f"Form {text}.") == []


# --- National Insurance numbers ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["AB 12 34 56 C", "JG103759A", "ZX 98 76 54 D", "ce123456"])
def test_ni_numbers(text: str) -> None:
    assert found(f"NI {text}.") == [("ni-number", text)]


@pytest.mark.parametrize(
    "text",
    [
        "QQ 12 34 56 C",  # Q is never a first letter (the HMRC example)
        "DA123456A",  # nor D, F, I, U or V
        "AO123456A",  # O is never a second letter
        "BG123456A",  # unallocated prefixes
        "GB123456A",
        "NK123456A",
        "KN123456A",
        "TN123456A",
        "NT123456A",
        "ZZ123456A",
        "AB123456E",  # suffix A to D only
    ],
)
def test_ni_prefix_rules(text: str) -> None:
    assert found(f"NI {text}.") == []


# --- postcodes, phones, e-mail ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "LS1 4AP",
        "SW1A 1AA",
        "M1 1AE",
        "B33 8TH",
        "CR2 6XH",
        "DN55 1PT",
        "W1A 0AX",
        "EC1A1BB",
        "GIR 0AA",
    ],
)
def test_postcodes(text: str) -> None:
    assert found(f"at {text} then") == [("postcode", text)]


@pytest.mark.parametrize("text", ["QA1 1AA", "W1 2nd", "LS1", "AB1 1CI", "Y2 3rd"])
def test_not_postcodes(text: str) -> None:
    assert found(f"at {text} then") == []


@pytest.mark.parametrize(
    "text",
    [
        "0113 496 0000",
        "020 7946 0000",
        "07700 900123",
        "07700 900 123",
        "+44 7700 900123",
        "+44 (0)20 7946 0000",
        "0044 113 496 0000",
        "(01632) 960001",
        "0800 123 4567",
        "0300-123-4567",
    ],
)
def test_uk_phone_numbers(text: str) -> None:
    assert found(f"call {text} now") == [("phone", text)]


@pytest.mark.parametrize(
    "text", ["2022-23", "01/02/2021", "0.5", "0 1 2 3 4 5 6 7 8 9", "01234", "page 0113"]
)
def test_not_phone_numbers(text: str) -> None:
    assert found(f"see {text} here") == []


def test_email_addresses() -> None:
    assert found("mail ivy.calloway+x@example.org.uk, or") == [
        ("email", "ivy.calloway+x@example.org.uk")
    ]
    assert found("an @mention and a@b are not addresses") == []


# --- dates next to birth cues -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("born on 3 March 2020", "3 March 2020"),
        ("Born: 03/03/2020", "03/03/2020"),
        ("DOB 2020-03-03", "2020-03-03"),
        ("d.o.b. 3rd March 2020", "3rd March 2020"),
        ("D.O.B.: 3.3.20", "3.3.20"),
        ("date of birth was 3 Mar 2020", "3 Mar 2020"),
        ("birth date March 3, 2020", "March 3, 2020"),
        ("was born in March 2020", "March 2020"),
        ("3 March 2020 (date of birth)", "3 March 2020"),
        ("born on the morning of 3 March 2020", "3 March 2020"),
    ],
)
def test_a_date_next_to_a_birth_cue(text: str, date: str) -> None:
    assert found(text) == [("birth-date", date)]


@pytest.mark.parametrize(
    "text",
    [
        "The panel met on 11 April 2022.",
        "The audit ran from 10/01/2022 to 31/03/2022.",
        "She was born in hospital. Much later, after the review, on 10 January 2022 the panel met.",
        "Stubborn delays on 3 March 2020.",  # "stubborn" is not "born"
        "A newborn was seen on 3 March 2020 by the health visitor at home.",
    ],
)
def test_ordinary_dates_are_not_findings(text: str) -> None:
    assert found(text) == []


# --- known identifiers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "14/06/2021",
        "14/6/2021",
        "14-06-2021",
        "14.06.2021",
        "14/06/21",
        "06/14/2021",
        "14 June 2021",
        "14th June 2021",
        "14th of June 2021",
        "14 Jun 2021",
        "14 June, 2021",
        "June 14, 2021",
        "June 14th 2021",
        "2021-06-14",
        "2021/06/14",
    ],
)
def test_known_date_of_birth_in_written_forms(text: str) -> None:
    assert found(f"seen on {text} at home", KNOWN) == [("date-of-birth", text)]


@pytest.mark.parametrize("text", ["14 June 2022", "15/06/2021", "2021-06-15", "June 2021"])
def test_other_dates_are_not_the_date_of_birth(text: str) -> None:
    assert found(f"seen on {text} at home", KNOWN) == []


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("Ivy's mother", "Ivy"),
        ("Ivy\u2019s mother", "Ivy"),
        ("Calloway\u2019s GP", "Calloway"),
        ("the Calloways' home", "Calloways"),
        ("IVY was seen", "IVY"),
        ("ivy was seen", "ivy"),
        ("Cal-\nloway", "Cal-\nloway"),
        ("Cal- \r\n  loway", "Cal- \r\n  loway"),
        ("Callo\nway", "Callo\nway"),
        ("Callo\u00adway", "Callo\u00adway"),
        ("Callo\u200bway", "Callo\u200bway"),
        ("ivy_calloway.docx", "calloway"),
        ("Ivy\nCalloway", "Ivy\nCalloway"),
        ("\uff29\uff56\uff59 said", "\uff29\uff56\uff59"),  # fullwidth letters
    ],
)
def test_known_names(text: str, match: str) -> None:
    findings = found(text, KNOWN)
    assert findings and all(kind == "name" for kind, _ in findings)
    assert match in [t for _, t in findings] or any(match in t for _, t in findings)


def test_names_match_whole_words_only() -> None:
    assert found("Ivybridge, ivory, Marcusson, Okaforo and Ivys", KNOWN) == []


def test_a_family_name_in_the_plural_is_found() -> None:
    assert found("the Calloways were seen; the Okafors' flat", KNOWN) == [
        ("name", "Calloways"),
        ("name", "Okafors"),
    ]


def test_accents_do_not_hide_a_name() -> None:
    known = KnownIdentifiers(names=["Zoë", "Chloe"])
    assert [t for _, t in found("Zoe and Zoë and Zoe\u0308 and Chloé", known)] == [
        "Zoe",
        "Zoë",
        "Zoe",
        "Chloé",
    ]


def test_names_that_are_everyday_words_match_only_when_capitalised() -> None:
    assert "may" in COMMON_WORD_NAMES
    known = KnownIdentifiers(names=["May", "Brown"])
    assert found("Agencies may act; brown bruising was seen.", known) == []
    assert found("May said that Mr BROWN was there.", known) == [
        ("name", "May"),
        ("name", "BROWN"),
    ]


def test_the_allow_list_passes_national_review_names_only() -> None:
    known = KnownIdentifiers(names=["Arthur", "Hobson", "Star"])
    text = "The review into Arthur Labinjo-Hughes and Star Hobson\u2019s deaths."
    assert found(text, known) == []
    assert found("Arthur was seen; Star was not.", known) == [
        ("name", "Arthur"),
        ("name", "Star"),
    ]
    assert found(text, known, allow=[]) == [
        ("name", "Arthur"),
        ("name", "Star"),
        ("name", "Hobson"),
    ]


def test_the_allow_list_tolerates_line_breaks_too() -> None:
    known = KnownIdentifiers(names=["Arthur"])
    assert found("into Arthur Labinjo-\nHughes and", known) == []


@pytest.mark.parametrize(
    "text", ["12 Acacia Avenue", "12, Acacia Ave", "12 ACACIA AVE.", "Acacia Avenue", "LS1 4AP"]
)
def test_known_addresses(text: str) -> None:
    assert found(f"lived at {text} then", KNOWN) == [("address", text.rstrip("."))]


def test_a_town_alone_is_not_an_address() -> None:
    assert found("a Leeds partnership", KNOWN) == []


@pytest.mark.parametrize("text", ["CSC-884213", "CSC 884213", "csc884213", "CSC/884213"])
def test_known_council_ids(text: str) -> None:
    assert found(f"record {text}.", KNOWN) == [("council-id", text)]


@pytest.mark.parametrize("text", [POOL_ID, POOL_ID[:12], POOL_ID[:10], POOL_ID[:8].upper()])
def test_known_pool_ids_in_full_and_shortened(text: str) -> None:
    assert found(f"pool {text}.", KNOWN) == [("pool-id", text)]


def test_other_ids_and_hex_are_not_findings() -> None:
    assert found("record CSC-8842131 and hash deadbeefcafe1234 and C12", KNOWN) == []


def test_name_variants_for_the_record() -> None:
    assert name_variants("Mary Ann", "de Souza-Smith") == [
        "Mary Ann de Souza-Smith",
        "Mary Ann",
        "de Souza-Smith",
        "Mary",
        "Ann",
        "Souza",
        "Smith",
    ]
    assert name_variants("Ivy", "") == ["Ivy"]


def test_known_identifiers_are_normalised_and_never_shown() -> None:
    known = KnownIdentifiers(names=["  Ivy  ", "Ivy", ""], council_ids="C123")  # type: ignore[arg-type]
    assert known.names == ("Ivy",)
    assert known.council_ids == ("C123",)
    assert repr(known) == (
        "KnownIdentifiers(1 names, 0 dates of birth, 0 addresses, 1 council IDs, 0 pool IDs)"
    )
    assert not KnownIdentifiers()


def test_findings_give_context_and_location() -> None:
    [finding] = check_text("The child Ivy was seen at home by the health visitor.", known=KNOWN)
    assert finding.location == "text"
    assert finding.context == "The child Ivy was seen at home by the health visitor."


# --- robustness -------------------------------------------------------------------------------

_names = st.text(min_size=0, max_size=12)


@settings(max_examples=50, deadline=None)
@given(
    text=st.text(max_size=400),
    names=st.lists(_names, max_size=3),
    ids=st.lists(st.text(max_size=12), max_size=2),
    addresses=st.lists(st.text(max_size=30), max_size=2),
    dob=st.dates(),
)
def test_arbitrary_text_never_crashes_the_detectors(
    text: str, names: list[str], ids: list[str], addresses: list[str], dob: dt.date
) -> None:
    known = KnownIdentifiers(
        names=tuple(names),
        dates_of_birth=(dob,),
        addresses=tuple(addresses),
        council_ids=tuple(ids),
        pool_ids=tuple(ids),
    )
    for finding in check_text(text, known=known, allow=names[:1]):
        assert finding.text and finding.text in text
        assert finding.context


@settings(max_examples=50, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("0123456789 -/.+()@ABCDLSMWajnuebor\n'’\u00ad")),
        max_size=200,
    )
)
def test_pattern_shaped_noise_never_crashes(text: str) -> None:
    detector = Detector(KNOWN)
    for start, end, kind in detector.spans(text):
        assert 0 <= start < end <= len(text) and kind


def test_the_package_never_imports_django() -> None:
    """The check runs where Django is not configured: importing and using it loads no Django."""
    code = textwrap.dedent(
        """
        import sys
        from maca.briefings.disclosure import check_bytes, check_text
        from tests.briefings.disclosure_support import corpus_docx, corpus_pdf, corpus_html, KNOWN
        assert check_text("NHS 943 476 5919")
        for fmt, build in (("docx", corpus_docx), ("pdf", corpus_pdf), ("html", corpus_html)):
            assert check_bytes(build()[0], fmt, known=KNOWN)
        loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
        assert not loaded, loaded
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
