"""Normalising cell values: header keys, blanks, dates and coded values.

Canonical codes follow Ofsted's Annex A spellings ("b) Female", "a) WBRI", "b) Physical abuse"),
so values already in Annex A form pass unchanged and CIN census codes map onto them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

# --- headers -------------------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_PARENS = re.compile(r"\([^)]*\)")


@lru_cache(maxsize=4096)
def header_key(text: str) -> str:
    """Case, space and punctuation-insensitive header: "Date of Referral" → "dateofreferral"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_ALNUM.sub("", folded)


def header_keys(text: object) -> tuple[str, ...]:
    """The keys a header cell can match: as written, and without any "(...)" hint."""
    if text is None:
        return ()
    raw = str(text)
    keys = [header_key(raw)]
    stripped = header_key(_PARENS.sub(" ", raw))
    if stripped and stripped != keys[0]:
        keys.append(stripped)
    return tuple(key for key in keys if key)


# --- blanks ---------------------------------------------------------------------------------

EXCEL_ERRORS = frozenset(
    {"#n/a", "#value!", "#ref!", "#div/0!", "#name?", "#num!", "#null!", "#getting_data", "#spill!"}
)
# Written-out "nothing here" values: treated as blank without a warning.
PLACEHOLDERS = frozenset({"n/a", "na", "null", "none", "-", "--", "not applicable"})


def cell_text(value: object) -> str:
    """A cell as the user would read it (used in messages and for text fields)."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    # Dates as strftime("%d/%m/%Y") would write them, without its cost (a big sheet has
    # hundreds of thousands of date cells).
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return f"{value.day:02d}/{value.month:02d}/{value.year}"
        return f"{value.day:02d}/{value.month:02d}/{value.year} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, dt.date):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def is_excel_error(text: str) -> bool:
    return text[:1] == "#" and text.casefold() in EXCEL_ERRORS


_PLACEHOLDER_STARTS = frozenset("nN-")


def is_placeholder(text: str) -> bool:
    return text[:1] in _PLACEHOLDER_STARTS and text.casefold() in PLACEHOLDERS


# --- dates ----------------------------------------------------------------------------------

DATE_FLOOR = dt.date(1910, 1, 1)  # nothing in a children's services record is older
EXCEL_1900 = dt.datetime(1899, 12, 30)
_FLOOR_SERIAL = (DATE_FLOOR - EXCEL_1900.date()).days

_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + r"$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})" + _TIME + r"$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})" + _TIME + r"$")
_DMONY = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ ,\-]*(\d{4}|\d{2})$")
_BASIC = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.\d+)?$")
_MONTHS = {
    name: index
    for index in range(1, 13)
    for name in (
        dt.date(2000, index, 1).strftime("%b").casefold(),
        dt.date(2000, index, 1).strftime("%B").casefold(),
    )
}
_MONTHS["sept"] = 9


def _full_year(two_digits: int, today: dt.date) -> int:
    year = 2000 + two_digits
    return year if year <= today.year else year - 100


def excel_serial_to_date(serial: float, epoch: dt.datetime = EXCEL_1900) -> dt.date | None:
    """An Excel serial day number as a date, or None when it cannot be a record's date."""
    if serial != serial or serial < _FLOOR_SERIAL or serial > 2958465:  # NaN, pre-1910, 9999
        return None
    return (epoch + dt.timedelta(days=int(serial))).date()


@lru_cache(maxsize=8192)
def _parse_date_text(text: str, today: dt.date) -> dt.date | None:
    try:
        if match := _ISO.match(text) or _YMD_SLASH.match(text):
            year, month, day = (int(group) for group in match.groups())
            return dt.date(year, month, day)
        if match := _DMY.match(text):
            day_text, month_text, year_text = match.groups()
            year = int(year_text)
            if len(year_text) == 2:
                year = _full_year(year, today)
            return dt.date(year, int(month_text), int(day_text))
        if match := _DMONY.match(text):
            day_text, month_name, year_text = match.groups()
            month_number = _MONTHS.get(month_name.casefold())
            if month_number is None:
                return None
            year = int(year_text)
            if len(year_text) == 2:
                year = _full_year(year, today)
            return dt.date(year, month_number, int(day_text))
        if match := _BASIC.match(text):
            year, month, day = (int(group) for group in match.groups())
            return dt.date(year, month, day)
        if _SERIAL.match(text):
            return excel_serial_to_date(float(text))
    except ValueError:
        return None
    return None


def parse_date(value: object, today: dt.date, epoch: dt.datetime = EXCEL_1900) -> dt.date | None:
    """A date from a cell: date/datetime, Excel serial number, dd/mm/yyyy, d/m/yy or ISO.

    Returns None when the value is not a real calendar date (e.g. 31/02/2022). Day-first is
    always assumed for slashed dates (English councils); two-digit years are in the last
    hundred years up to ``today``.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return excel_serial_to_date(float(value), epoch)
    text = str(value).strip()
    if not text:
        return None
    return _parse_date_text(text, today)


# --- coded values ---------------------------------------------------------------------------

SEX_CODES: tuple[str, ...] = ("a) Male", "b) Female", "c) Not stated/recorded", "d) Neither")
ETHNICITY_CODES: tuple[str, ...] = (
    "a) WBRI",
    "b) WIRI",
    "c) WIRT",
    "d) WOTH",
    "e) WROM",
    "f) MWBC",
    "g) MWBA",
    "h) MWAS",
    "i) MOTH",
    "j) AIND",
    "k) APKN",
    "l) ABAN",
    "m) AOTH",
    "n) BCRB",
    "o) BAFR",
    "p) BOTH",
    "q) CHNE",
    "r) OOTH",
    "s) REFU",
    "s) NOBT",
)
CATEGORY_CODES: tuple[str, ...] = (
    "a) Neglect",
    "b) Physical abuse",
    "c) Sexual abuse",
    "d) Emotional abuse",
    "e) Multiple/not recommended",
)

_LETTER_PREFIX = re.compile(r"^\s*([a-z])\s*\)\s*", re.IGNORECASE)

_SEX_WORDS = {
    "male": 0,
    "m": 0,
    "1": 0,
    "boy": 0,
    "man": 0,
    "female": 1,
    "f": 1,
    "2": 1,
    "girl": 1,
    "woman": 1,
    "notstatedrecorded": 2,
    "notstatedorrecorded": 2,
    "notstated": 2,
    "notrecorded": 2,
    "notknown": 2,
    "unknown": 2,
    "notspecified": 2,
    "indeterminate": 2,
    "u": 2,
    "0": 2,
    "9": 2,
    "neither": 3,
}
_SEX_LETTERS = {"a": 0, "b": 1, "c": 2, "d": 3}


@lru_cache(maxsize=1024)
def canonical_sex(text: str) -> str | None:
    """ "Female", "F", "2", "b) Female" → "b) Female"; None when not recognised.

    Numeric codes are the CIN census ``GenderCurrent`` codes (1 male, 2 female, 0 not known,
    9 not specified); letters are the ``Sex`` codes from 2023/24 (M, F, U).
    """
    letter = None
    rest = text
    if match := _LETTER_PREFIX.match(text):
        letter = match.group(1).casefold()
        rest = text[match.end() :]
    key = header_key(rest)
    if key in _SEX_WORDS:
        return SEX_CODES[_SEX_WORDS[key]]
    if not key and letter in _SEX_LETTERS:
        return SEX_CODES[_SEX_LETTERS[letter]]
    return None


_ETHNICITY_NAMES: dict[str, tuple[str, ...]] = {
    "WBRI": ("whitebritish", "british", "whiteenglishwelshscottishnorthernirishorbritish"),
    "WIRI": ("whiteirish", "irish"),
    "WIRT": ("travellerofirishheritage", "irishtraveller", "whitetravellerofirishheritage"),
    "WOTH": ("anyotherwhitebackground", "otherwhite", "whiteother", "otherwhitebackground"),
    "WROM": ("gypsyroma", "gypsyorroma", "gypsy", "roma", "gypsyromany"),
    "MWBC": ("whiteandblackcaribbean",),
    "MWBA": ("whiteandblackafrican",),
    "MWAS": ("whiteandasian",),
    "MOTH": ("anyothermixedbackground", "othermixed", "mixedother", "othermixedbackground"),
    "AIND": ("indian",),
    "APKN": ("pakistani",),
    "ABAN": ("bangladeshi",),
    "AOTH": ("anyotherasianbackground", "otherasian", "asianother", "otherasianbackground"),
    "BCRB": ("caribbean", "blackcaribbean"),
    "BAFR": ("african", "blackafrican"),
    "BOTH": ("anyotherblackbackground", "otherblack", "blackother", "otherblackbackground"),
    "CHNE": ("chinese",),
    "OOTH": ("anyotherethnicgroup", "otherethnicgroup", "other", "anyother"),
    "REFU": ("refused", "declined", "informationrefused", "didnotwishtodisclose"),
    "NOBT": (
        "informationnotyetobtained",
        "notyetobtained",
        "notobtained",
        "notknown",
        "unknown",
        "notstated",
        "notrecorded",
    ),
}
_ETHNICITY_BY_CODE = {code[3:]: code for code in ETHNICITY_CODES}
_ETHNICITY_BY_NAME = {
    name: _ETHNICITY_BY_CODE[code] for code, names in _ETHNICITY_NAMES.items() for name in names
}
_ETHNICITY_TOKEN = re.compile(r"(?<![A-Za-z])([A-Za-z]{4})(?![A-Za-z])")
_ETHNICITY_GROUPS = (
    "asianorasianbritish",
    "blackorblackbritish",
    "blackafricancaribbeanorblackbritish",
    "blackblackbritishcaribbeanorafrican",
    "mixedmultipleethnicgroups",
    "mixedormultipleethnicgroups",
    "mixeddualbackground",
    "otherethnicgroup",
    "mixed",
    "white",
    "asian",
    "black",
)
_ETHNICITY_LETTERS = {code[0]: code for code in ETHNICITY_CODES if not code.startswith("s)")}


@lru_cache(maxsize=1024)
def canonical_ethnicity(text: str) -> str | None:
    """ "WBRI", "a) WBRI", "White British", "White - British" → "a) WBRI"; None if unknown."""
    for token in _ETHNICITY_TOKEN.findall(text):
        code = _ETHNICITY_BY_CODE.get(token.upper())
        if code:
            return code
    letter = None
    rest = text
    if match := _LETTER_PREFIX.match(text):
        letter = match.group(1).casefold()
        rest = text[match.end() :]
    key = header_key(rest)
    if key in _ETHNICITY_BY_NAME:
        return _ETHNICITY_BY_NAME[key]
    for group in _ETHNICITY_GROUPS:
        if key.startswith(group) and key[len(group) :] in _ETHNICITY_BY_NAME:
            return _ETHNICITY_BY_NAME[key[len(group) :]]
    if not key and letter in _ETHNICITY_LETTERS:
        return _ETHNICITY_LETTERS[letter]
    return None


_CATEGORY_WORDS = {
    "neglect": 0,
    "neg": 0,
    "physicalabuse": 1,
    "physical": 1,
    "phy": 1,
    "sexualabuse": 2,
    "sexual": 2,
    "sab": 2,
    "emotionalabuse": 3,
    "emotional": 3,
    "emo": 3,
    "multiplenotrecommended": 4,
    "multiple": 4,
    "mul": 4,
    "mixed": 4,
}
_CATEGORY_LETTERS = {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}


@lru_cache(maxsize=512)
def canonical_category(text: str) -> str | None:
    """Category of abuse: "PHY", "Physical abuse", "b) Physical abuse" → "b) Physical abuse"."""
    letter = None
    rest = text
    if match := _LETTER_PREFIX.match(text):
        letter = match.group(1).casefold()
        rest = text[match.end() :]
    key = header_key(rest)
    if key in _CATEGORY_WORDS:
        return CATEGORY_CODES[_CATEGORY_WORDS[key]]
    if not key and letter in _CATEGORY_LETTERS:
        return CATEGORY_CODES[_CATEGORY_LETTERS[letter]]
    return None


_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


def canonical_yes_no(text: str) -> str | None:
    """A yes/no answer: "Yes", "Y", "a) Yes", "true" (CIN census booleans), "1" → "yes";
    the same for "no"; None when it is neither."""
    if match := _LETTER_PREFIX.match(text):
        text = text[match.end() :]
    key = header_key(text)
    if key in _YES:
        return "yes"
    if key in _NO:
        return "no"
    return None


def child_id_text(value: object) -> str:
    """A council child ID as text: Excel numbers lose their ".0", text is stripped."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, bool)):
        return cell_text(value)
    return "" if value is None else str(value).strip()


def age_value(value: object) -> float | None:
    """An age in years (Annex A's Age column), or None when not a plausible age."""
    if isinstance(value, (bool, dt.date, dt.datetime)):
        return None
    try:
        age = float(value) if isinstance(value, (int, float)) else float(str(value).strip())
    except ValueError:
        return None
    if not 0 <= age < 30:
        return None
    return round(age, 2)


def join_or(items: tuple[str, ...] | list[str]) -> str:
    """ "a, b or c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
