"""Detectors: UK identifier patterns plus the identifiers known for an audit's children.

Everything is matched on a *folded* copy of the text that has exactly the same length as the
original (accents dropped, fullwidth forms made ASCII, curly apostrophes and dashes made plain),
so offsets found in the folded copy slice the original text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from maca.briefings.disclosure.core import Finding, KnownIdentifiers, Piece

# Children named in the titles of published national reviews. Naming them is not a disclosure,
# so they pass even when a child in the audit shares a given name or surname with them.
NATIONAL_REVIEW_NAMES: tuple[str, ...] = (
    # Child Safeguarding Practice Review Panel (2022): "Child Protection in England: national
    # review into the murders of Arthur Labinjo-Hughes and Star Hobson".
    "Arthur Labinjo-Hughes",
    "Star Hobson",
    # Lord Laming (2003): "The Victoria Climbié Inquiry".
    "Victoria Climbié",
    # Committee of Inquiry (1974) into the care and supervision of Maria Colwell.
    "Maria Colwell",
)

# Given names and surnames that are also everyday words: matched only when capitalised
# ("May", "MAY"), so "agencies may" is not a finding. Every other name matches in any case.
COMMON_WORD_NAMES = frozenset({
    "amber", "april", "august", "autumn", "bill", "dawn", "faith", "grace", "hope", "iris",
    "jack", "joy", "june", "mark", "may", "max", "pearl", "rose", "ruby", "sky", "summer", "will",
    "star", "rich", "baker", "bell", "best", "black", "brown", "child", "cook", "fox", "green",
    "hall", "hill", "king", "lamb", "law", "little", "long", "marsh", "page", "short", "young",
    "ward", "white", "wood",
})  # fmt: skip

# Surname particles that are not matched on their own.
NAME_PARTICLES = frozenset(
    ["al", "bin", "da", "de", "del", "della", "der", "di", "du", "el", "la", "le", "van", "von"]
)

# --- folding --------------------------------------------------------------------------------

_FOLD_EXTRA = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201b": "'",
    "\u02bc": "'",
    "\u2032": "'",
    "`": "'",
    "\u00b4": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\ufe63": "-",
    "\uff0d": "-",
}
_fold_cache: dict[str, str] = {}


def _fold_char(char: str) -> str:
    if char < "\x80":
        return char
    folded = _fold_cache.get(char)
    if folded is None:
        folded = _FOLD_EXTRA.get(char)
        if folded is None:
            decomposed = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in decomposed if not unicodedata.combining(c))
            folded = base if len(base) == 1 else char
        if len(_fold_cache) < 50_000:
            _fold_cache[char] = folded
    return folded


def fold(text: str) -> str:
    """A copy of `text` for matching: same length, accents and look-alike forms made plain."""
    return "".join(map(_fold_char, text))


# --- UK patterns ----------------------------------------------------------------------------

_NHS = re.compile(r"(?<![0-9])([0-9]{3})([ -]?)([0-9]{3})\2([0-9]{4})(?![0-9])")
_NI = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Full UK postcodes (outward and inward code), as written: in capitals.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])"
)
# A UK number: +44 / 0044 (optionally "(0)") or a leading 0, then 9 or 10 digits in groups.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00) ?44 ?(?:\(0\) ?)?|\(?0)"
    r"([1-9][0-9]{1,4}(?:\)? ?-? ?[0-9]{2,6}){0,3})(?![0-9])"
)
_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])", re.ASCII
)


def nhs_number_valid(digits: str) -> bool:
    """The NHS number modulus 11 check: weights 10..2, check digit 11 - (sum mod 11)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _pattern_spans(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for m in _NHS.finditer(text):
        if nhs_number_valid(m.group(1) + m.group(3) + m.group(4)):
            spans.append((m.start(), m.end(), "nhs-number"))
    spans.extend((m.start(), m.end(), "ni-number") for m in _NI.finditer(text))
    spans.extend((m.start(), m.end(), "postcode") for m in _POSTCODE.finditer(text))
    for m in _PHONE.finditer(text):
        national = re.sub(r"[^0-9]", "", m.group(1))
        if len(national) in (9, 10) and national[0] in "1235789":
            spans.append((m.start(), m.end(), "phone"))
    spans.extend((m.start(), m.end(), "email") for m in _EMAIL.finditer(text))
    return spans


# --- dates ----------------------------------------------------------------------------------

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_MON = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE_FORMS = [
    ("dmy", re.compile(r"(?<![0-9])(?P<d>[0-9]{1,2})(?P<s>[./-])(?P<m>[0-9]{1,2})(?P=s)(?P<y>[0-9]{4}|[0-9]{2})(?![0-9])")),
    ("ymd", re.compile(r"(?<![0-9])(?P<y>[0-9]{4})(?P<s>[./-])(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})(?![0-9])")),
    ("text", re.compile(rf"(?<![0-9A-Za-z])(?P<d>[0-9]{{1,2}}){_ORD}\s+(?:of\s+)?{_MON},?\s+'?(?P<y>[0-9]{{4}}|[0-9]{{2}})(?![0-9])", re.IGNORECASE)),
    ("text", re.compile(rf"(?<![A-Za-z]){_MON}\s+(?P<d>[0-9]{{1,2}}){_ORD},?\s+(?P<y>[0-9]{{4}})(?![0-9])", re.IGNORECASE)),
]  # fmt: skip
_MONTH_YEAR = re.compile(rf"(?<![A-Za-z]){_MON},?\s+(?P<y>[0-9]{{4}})(?![0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class _DateMatch:
    start: int
    end: int
    # (year, month, day, two_digit_year); day 0 for a month and year only.
    readings: tuple[tuple[int, int, int, bool], ...]

    def is_one_of(self, dates: Iterable[dt.date]) -> bool:
        for year, month, day, short in self.readings:
            for date in dates:
                same_year = year == (date.year % 100 if short else date.year)
                if same_year and month == date.month and day == date.day:
                    return True
        return False


def _valid(year: int, month: int, day: int, short: bool) -> bool:
    try:
        dt.date(2000 + year if short else year, month, day or 1)
    except ValueError:
        return False
    return True


def find_dates(folded: str) -> list[_DateMatch]:
    """Full dates in common written forms, then month-and-year dates that overlap none."""
    found: list[_DateMatch] = []
    taken: list[tuple[int, int]] = []
    for form, pattern in _DATE_FORMS:
        for m in pattern.finditer(folded):
            year_text = m.group("y")
            short = len(year_text) == 2
            year, day = int(year_text), int(m.group("d"))
            if form == "text":
                month_options = [MONTHS[m.group("mon").lower().rstrip(".")]]
                readings = [(year, month_options[0], day, short)]
            else:
                month = int(m.group("m"))
                readings = [(year, month, day, short)]
                if form == "dmy" and day != month:
                    readings.append((year, day, month, short))  # also read as month/day/year
            readings = [r for r in readings if _valid(*r)]
            if readings and not any(s < m.end() and m.start() < e for s, e in taken):
                found.append(_DateMatch(m.start(), m.end(), tuple(readings)))
                taken.append((m.start(), m.end()))
    for m in _MONTH_YEAR.finditer(folded):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            month = MONTHS[m.group("mon").lower().rstrip(".")]
            found.append(_DateMatch(m.start(), m.end(), ((int(m.group("y")), month, 0, False),)))
    return found


_BIRTH_CUE = re.compile(
    r"(?<![^\W\d_])(?:born|birthday|birth ?date|date\s+of\s+birth|d\.? ?o\.? ?b)(?![^\W\d_])",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+")
CUE_WORDS_BEFORE_DATE = 4  # "born on the morning of 14 June 2021"
CUE_WORDS_AFTER_DATE = 3  # "14/06/2021 (date of birth)"


def _near_birth_cue(folded: str, date: _DateMatch, cues: list[tuple[int, int]]) -> bool:
    for start, end in cues:
        if end <= date.start:
            gap = folded[end : date.start]
            if len(gap) <= 60 and len(_WORD.findall(gap)) <= CUE_WORDS_BEFORE_DATE:
                return True
        elif start >= date.end:
            gap = folded[date.end : start]
            if len(gap) <= 40 and len(_WORD.findall(gap)) <= CUE_WORDS_AFTER_DATE:
                return True
    return False


# --- known identifiers ----------------------------------------------------------------------

_SOFT = "[\u00ad\u200b\u200c\u200d\u2060\ufeff]"
# Between two letters of a name: nothing, an invisible character, or a line break (with or
# without a hyphen at the line end), so "Cal-\nloway" and "Callo\nway" are still "Calloway".
_LETTER_GAP = rf"(?:{_SOFT}|-?[ \t]*\r?\n[ \t]*)?"
_WORD_GAP = rf"(?:\s|{_SOFT})+"
_HYPHEN_GAP = rf"(?:\s*-(?:\s|{_SOFT})*|{_WORD_GAP})"
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"


def _letters(word: str) -> str:
    return _LETTER_GAP.join(re.escape(c) for c in word)


def phrase_pattern(phrase: str, plural: bool = False) -> str | None:
    """A regex for a name or phrase as whole words, tolerant of line breaks and hyphenation;
    with `plural`, a name of four letters or more also matches with an "s" ("the Calloways")."""
    folded = fold(" ".join(phrase.split())).strip(" -")
    if sum(c.isalpha() for c in folded) < 2:
        return None
    parts = re.split(r"(\s+|\s*-+\s*)", folded)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(_HYPHEN_GAP if "-" in part else _WORD_GAP)
        elif part:
            out.append(_letters(part))
    if plural and len(parts[-1]) >= 4 and parts[-1][-1].lower() != "s":
        out.append("s?")  # "the Calloways": a family named in the plural
    return _NOT_LETTER_BEFORE + "".join(out) + _NOT_LETTER_AFTER


def _id_pattern(identifier: str) -> str | None:
    """An ID as a whole token; long IDs may carry spaces or hyphens between characters."""
    chars = [c for c in fold(identifier) if not c.isspace()]
    if sum(c.isalnum() for c in chars) < 3:
        return None
    gap = "[ -]?" if len(chars) >= 6 else ""
    out = []
    for i, c in enumerate(chars):
        if i:
            out.append(gap)
        out.append(re.escape(c) if c.isalnum() else r"[\s\-/_.]?")
    return r"(?<![A-Za-z0-9])" + "".join(out) + r"(?![A-Za-z0-9])"


_STREET_WORDS = [
    ("avenue", "ave", "av"), ("road", "rd"), ("street", "st"), ("close", "cl"),
    ("drive", "dr"), ("lane", "ln"), ("crescent", "cres", "cresc"), ("gardens", "gdns"),
    ("court", "ct"), ("place", "pl"), ("terrace", "ter", "terr", "tce"), ("grove", "gr"),
    ("square", "sq"), ("park", "pk"), ("mount", "mt"), ("house", "ho"), ("flat", "apartment"),
]  # fmt: skip
_STREET_SYNONYMS = {word: group for group in _STREET_WORDS for word in group}


def _address_phrases(address: str) -> list[str]:
    """The whole address, each part with a number in it, the first line and the street."""
    parts = [p.strip() for p in re.split(r"[,;\n]+", address) if p.strip()]
    phrases = [address]
    for i, part in enumerate(parts):
        if i == 0 or re.search(r"[0-9]", part):
            phrases.append(part)
        street = re.sub(r"^(?:flat\s+)?[0-9]+[a-z]?\s+", "", part, flags=re.IGNORECASE)
        if street != part and len(street.split()) >= 2:
            phrases.append(street)
    return list(dict.fromkeys(phrases))


def _address_pattern(phrase: str) -> str | None:
    words = re.findall(r"[A-Za-z0-9']+", fold(phrase))
    if not words or (len(words) == 1 and not re.search(r"[0-9]", words[0])):
        return None
    out = []
    for word in words:
        group = _STREET_SYNONYMS.get(word.lower())
        out.append("(?:" + "|".join(group) + ")" if group else re.escape(word))
    return r"(?<![A-Za-z0-9])" + r"[\s,.]+".join(out) + r"(?![A-Za-z0-9])"


_HEX_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{8,64}(?![0-9A-Za-z])", re.IGNORECASE)
_HEX_ID = re.compile(r"[0-9a-f]{16,}")

# When spans overlap, the longest is kept; for equal spans, the lowest rank.
_RANK = {
    "name": 0, "date-of-birth": 0, "address": 0, "council-id": 0, "pool-id": 0,
    "nhs-number": 1, "ni-number": 1, "email": 1, "postcode": 2, "phone": 3, "birth-date": 4,
}  # fmt: skip


class Detector:
    """Finds identifiers in text pieces: UK patterns always, plus the known identifiers.

    Anything inside an occurrence of an allow-listed phrase passes.
    """

    def __init__(
        self, known: KnownIdentifiers | None = None, allow: Iterable[str] = NATIONAL_REVIEW_NAMES
    ) -> None:
        known = known or KnownIdentifiers()
        self.known = known
        self._known: list[tuple[str, re.Pattern[str]]] = []
        for name in known.names:
            pattern = phrase_pattern(name, plural=True)
            if pattern is None:
                continue
            if name.lower() in COMMON_WORD_NAMES:
                first = fold(name)[0]
                cap = f"(?=(?-i:{re.escape(first.upper())}))"
                self._known.append(("name", re.compile(cap + pattern, re.IGNORECASE)))
            else:
                self._known.append(("name", re.compile(pattern, re.IGNORECASE)))
        for address in known.addresses:
            for phrase in _address_phrases(address):
                pattern = _address_pattern(phrase)
                if pattern:
                    self._known.append(("address", re.compile(pattern, re.IGNORECASE)))
        for kind, ids in (("council-id", known.council_ids), ("pool-id", known.pool_ids)):
            for identifier in ids:
                pattern = _id_pattern(identifier)
                if pattern:
                    self._known.append((kind, re.compile(pattern, re.IGNORECASE)))
        self._hex_pool_ids = [p.lower() for p in known.pool_ids if _HEX_ID.fullmatch(p.lower())]
        self._dates_of_birth = known.dates_of_birth
        self._allow = [
            re.compile(p, re.IGNORECASE) for p in map(phrase_pattern, allow) if p is not None
        ]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, kind) of every finding in `text`, overlaps resolved, in text order."""
        folded = fold(text)
        spans = _pattern_spans(folded)
        dates = find_dates(folded)
        cues = [m.span() for m in _BIRTH_CUE.finditer(folded)]
        for date in dates:
            if self._dates_of_birth and date.is_one_of(self._dates_of_birth):
                spans.append((date.start, date.end, "date-of-birth"))
            elif cues and _near_birth_cue(folded, date, cues):
                spans.append((date.start, date.end, "birth-date"))
        for kind, pattern in self._known:
            spans.extend((m.start(), m.end(), kind) for m in pattern.finditer(folded))
        if self._hex_pool_ids:
            for m in _HEX_RUN.finditer(folded):
                run = m.group().lower()
                if any(p.startswith(run) for p in self._hex_pool_ids):
                    spans.append((m.start(), m.end(), "pool-id"))
        if self._allow:
            allowed = [m.span() for p in self._allow for m in p.finditer(folded)]
            spans = [s for s in spans if not any(a <= s[0] and s[1] <= b for a, b in allowed)]
        return _resolve(spans)

    def scan(self, piece: Piece) -> list[Finding]:
        return [
            Finding(
                kind=kind,
                text=piece.text[start:end],
                location=piece.locate(start),
                context=snippet(piece.text, start, end),
            )
            for start, end, kind in self.spans(piece.text)
        ]


def _resolve(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop spans inside a span already kept. Sorted by start (longest, then lowest rank
    first), every kept span starts at or before the current one, so it is inside one of them
    exactly when it ends at or before the furthest end kept so far."""
    kept: list[tuple[int, int, str]] = []
    furthest = -1
    for start, end, kind in sorted(spans, key=lambda s: (s[0], s[0] - s[1], _RANK[s[2]])):
        if start == end or end <= furthest:
            continue
        kept.append((start, end, kind))
        furthest = end
    return kept


def snippet(text: str, start: int, end: int, width: int = 40) -> str:
    """The match with up to `width` characters either side, whitespace collapsed."""
    before = " ".join(text[max(0, start - width) : start].split())
    match = " ".join(text[start:end].split())
    after = " ".join(text[end : end + width].split())
    lead = "..." if start > width else ""
    tail = "..." if end + width < len(text) else ""
    gap_before = " " if before and text[start - 1 : start].isspace() else ""
    gap_after = " " if after and text[end : end + 1].isspace() else ""
    return f"{lead}{before}{gap_before}{match}{gap_after}{after}{tail}"
