"""Known identifiers for an audit, read from its restricted case records.

The one module of the disclosure check that touches Django and the database: it imports the
models only when called, so importing the package never loads Django.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from maca.briefings.disclosure.core import KnownIdentifiers
from maca.briefings.disclosure.detect import NAME_PARTICLES, NATIONAL_REVIEW_NAMES

if TYPE_CHECKING:
    from maca.audits.models import Audit

# The partnership's allow-list: for now the same for every partnership, the children named in
# the titles of published national reviews (detect.NATIONAL_REVIEW_NAMES). When partnerships
# need their own (say, a local review already published under a child's name), this becomes a
# per-partnership setting; `allow_list_for_audit` is the one place to change.
PARTNERSHIP_ALLOW_LIST: tuple[str, ...] = NATIONAL_REVIEW_NAMES


def name_variants(given_name: str, family_name: str) -> list[str]:
    """The full name, each name as recorded, and each part of a double-barrelled or
    multi-word name (surname particles such as "de" or "van" are not matched alone)."""
    given, family = " ".join(given_name.split()), " ".join(family_name.split())
    variants = [f"{given} {family}".strip(), given, family]
    for name in (given, family):
        parts = [p for p in re.split(r"[\s\-]+", name) if p]
        if len(parts) > 1:
            variants.extend(p for p in parts if len(p) >= 2 and p.lower() not in NAME_PARTICLES)
    return [v for v in dict.fromkeys(variants) if v]


def known_identifiers_for_audit(audit: Audit) -> KnownIdentifiers:
    """Names, dates of birth and council IDs from the restricted records of the audit's cases,
    and the pseudonymous IDs (full and the short forms shown in the app) of their pool children.

    Addresses and family members' names are not held by the case record yet, so none come from
    here; callers that know them can add them to the KnownIdentifiers they pass.
    """
    from maca.audits.models import Case

    names: list[str] = []
    dates = []
    council_ids: list[str] = []
    pool_ids: list[str] = []
    for case in Case.objects.filter(audit=audit).select_related("record", "pool_child"):
        record = getattr(case, "record", None)  # a case may have no restricted record
        if record is not None:
            names.extend(name_variants(record.given_name, record.family_name))
            if record.date_of_birth:
                dates.append(record.date_of_birth)
            if record.council_id.strip():
                council_ids.append(record.council_id)
        child = case.pool_child
        if child is not None:
            pool_ids.extend([child.pseudo_id, child.ref])
            if child.date_of_birth:
                dates.append(child.date_of_birth)
    return KnownIdentifiers(
        names=tuple(names),
        dates_of_birth=tuple(dates),
        council_ids=tuple(council_ids),
        pool_ids=tuple(pool_ids),
    )


def allow_list_for_audit(audit: Audit) -> tuple[str, ...]:
    """Names that may appear in the audit's briefing: the partnership's allow-list."""
    return PARTNERSHIP_ALLOW_LIST
