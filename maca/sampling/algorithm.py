"""The reproducible case-sampling algorithm (contracts.md section 5). Pure Python, no Django.

Anyone can re-run a draw, in any language, from the seed and the eligible pseudonymous IDs:

1. rank(child) = lowercase hex SHA-256 of the UTF-8 bytes of f"{seed}:{pseudonymous id}".
2. Children are drawn in ascending rank (ties, which SHA-256 makes practically impossible,
   by ascending id).
3. Simple draw: the ``size`` lowest ranks. Stratified draw: each stratum (the children sharing
   a value of the stratification field; a missing value is the stratum "") gets a quota, and
   takes its lowest ranks up to that quota. Proportional quotas use the largest-remainder
   method in exact integer arithmetic: stratum i with n_i of the N eligible children gets
   floor(size * n_i / N) places; the places left over go one each to the strata with the
   largest remainders (size * n_i mod N), ties broken by the larger n_i, then by the stratum
   name in ascending code-point order. Explicit quotas fix some strata; any remaining places
   are shared among the other strata the same way.
4. An excluded child is skipped, so its place goes to the next rank in its stratum (the quota
   does not change).
5. ``selected`` lists the drawn children in ascending rank across all strata.
6. eligible_hash = hex SHA-256 of the eligible ids, sorted in ascending code-point order
   (the same as UTF-8 byte order), joined by "\\n" (no trailing newline), UTF-8 encoded.
"""

from __future__ import annotations

import hashlib
import heapq
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

ALGORITHM = "maca-sha256-rank/1"
Method = Literal["simple", "stratified", "quota"]
BLANK_STRATUM = ""


class NotEnoughEligible(Exception):
    """Too few eligible (non-excluded) children for the sample or for one stratum's quota."""

    def __init__(self, needed: int, available: int, stratum: str | None = None) -> None:
        self.needed = needed
        self.available = available
        self.stratum = stratum
        if stratum is None:
            text = f"not enough eligible children: {needed} needed, {available} available"
        else:
            shown = stratum if stratum != BLANK_STRATUM else "(blank)"
            text = (
                f'not enough eligible children in stratum "{shown}": '
                f"{needed} needed, {available} available"
            )
        super().__init__(text)


@dataclass(frozen=True)
class Candidate:
    """An eligible child: its pseudonymous id and the values it can be stratified by."""

    id: str
    strata: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Stratum:
    name: str
    eligible: int
    quota: int
    selected: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"eligible": self.eligible, "quota": self.quota, "selected": list(self.selected)}


@dataclass(frozen=True)
class Replacement:
    excluded: str
    replacement: str
    stratum: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "excluded": self.excluded,
            "replacement": self.replacement,
            "stratum": self.stratum,
        }


@dataclass(frozen=True)
class Draw:
    """A draw's selection record. ``strata`` is empty for a simple draw."""

    seed: str
    method: Method
    size: int
    stratify: str | None
    eligible: int
    eligible_hash: str
    strata: Mapping[str, Stratum]
    selected: tuple[str, ...]
    excluded: tuple[str, ...] = ()  # the eligible children excluded, sorted
    replacements: tuple[Replacement, ...] = ()
    algorithm: str = ALGORITHM

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "method": self.method,
            "algorithm": self.algorithm,
            "size": self.size,
            "stratify": self.stratify,
            "eligible": self.eligible,
            "eligible_hash": self.eligible_hash,
            "strata": {name: stratum.to_dict() for name, stratum in self.strata.items()},
            "selected": list(self.selected),
            "excluded": list(self.excluded),
            "replacements": [replacement.to_dict() for replacement in self.replacements],
        }


def new_seed() -> str:
    """A fresh random seed (16 hex digits, from the operating system's CSPRNG)."""
    return secrets.token_hex(8)


def rank(seed: str, pseudonymous_id: str) -> str:
    """A child's rank in a draw: hex SHA-256 of f"{seed}:{id}" (UTF-8)."""
    return hashlib.sha256(f"{seed}:{pseudonymous_id}".encode()).hexdigest()


def eligible_hash(ids: Iterable[str]) -> str:
    """SHA-256 of the sorted ids joined by newlines: changes whenever the eligible list does."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def proportional_quotas(counts: Mapping[str, int], size: int) -> dict[str, int]:
    """Split ``size`` places over strata in proportion to their counts (largest remainder).

    Exact integer arithmetic; leftover places go to the largest remainders, ties to the
    larger stratum, then to the stratum name first in code-point order.
    """
    if size < 0:
        raise ValueError("size must not be negative")
    total = sum(counts.values())
    if total == 0:
        if size:
            raise NotEnoughEligible(size, 0)
        return {name: 0 for name in counts}
    if size > total:
        raise NotEnoughEligible(size, total)
    quotas = {name: size * count // total for name, count in counts.items()}
    left = size - sum(quotas.values())
    order = sorted(counts, key=lambda name: (-(size * counts[name] % total), -counts[name], name))
    for name in order[:left]:
        quotas[name] += 1
    return quotas


def _stratum_of(candidate: Candidate, stratify: str) -> str:
    value = candidate.strata.get(stratify)
    return BLANK_STRATUM if value is None else str(value)


def draw(
    eligible: Sequence[Candidate],
    size: int,
    seed: str,
    stratify: str | None = None,
    quotas: Mapping[str, int] | None = None,
    exclude: Iterable[str] = frozenset(),
) -> Draw:
    """Draw ``size`` children from ``eligible`` reproducibly from ``seed``.

    ``stratify`` names the field of ``Candidate.strata`` to stratify by (proportional quotas
    unless ``quotas`` fixes some strata). ``exclude`` holds pseudonymous ids that must not be
    drawn; each is replaced by the next rank in its stratum. Raises ``NotEnoughEligible``
    (naming the stratum) when there are too few children, ``ValueError`` for bad arguments.
    """
    if not seed:
        raise ValueError("the seed must not be empty")
    if size < 1:
        raise ValueError("the sample size must be at least 1")
    if quotas is not None and stratify is None:
        raise ValueError("quotas need a stratification field")
    ids = [candidate.id for candidate in eligible]
    if len(set(ids)) != len(ids):
        raise ValueError("the eligible list holds the same id more than once")
    if any(not child_id or "\n" in child_id for child_id in ids):
        raise ValueError("ids must be non-empty and hold no newline")
    excluded_set = set(exclude)
    ranks = {child_id: rank(seed, child_id) for child_id in ids}

    def by_rank(child_id: str) -> tuple[str, str]:
        return (ranks[child_id], child_id)

    excluded = tuple(sorted(child_id for child_id in ids if child_id in excluded_set))

    if stratify is None:
        # Only the lowest ranks matter: the size asked for, plus any excluded among them.
        ordered = heapq.nsmallest(size + len(excluded), ids, key=by_rank)
        available = [child_id for child_id in ordered if child_id not in excluded_set]
        if len(available) < size:
            raise NotEnoughEligible(size, len(available))
        selected = available[:size]
        replacements = _replacements(ordered[:size], available, size, excluded_set, None)
        return Draw(
            seed=seed,
            method="simple",
            size=size,
            stratify=None,
            eligible=len(ids),
            eligible_hash=eligible_hash(ids),
            strata={},
            selected=tuple(selected),
            excluded=excluded,
            replacements=tuple(replacements),
        )

    members: dict[str, list[str]] = {}
    for candidate in eligible:
        members.setdefault(_stratum_of(candidate, stratify), []).append(candidate.id)
    counts = {name: len(members[name]) for name in sorted(members)}
    if quotas is None:
        method: Method = "stratified"
        quota_of = proportional_quotas(counts, size)
    else:
        method = "quota"
        quota_of = _mixed_quotas(counts, size, quotas)

    strata: dict[str, Stratum] = {}
    chosen: list[str] = []
    replacements = []
    for name in sorted(set(counts) | set(quota_of)):
        quota = quota_of.get(name, 0)
        group = members.get(name, [])
        # The lowest ranks in the stratum: its quota plus any excluded children among them.
        in_stratum = heapq.nsmallest(
            quota + sum(i in excluded_set for i in group), group, key=by_rank
        )
        available = [child_id for child_id in in_stratum if child_id not in excluded_set]
        if len(available) < quota:
            raise NotEnoughEligible(quota, len(available), name)
        picked = available[:quota]
        replacements += _replacements(in_stratum[:quota], available, quota, excluded_set, name)
        strata[name] = Stratum(name, len(group), quota, tuple(picked))
        chosen += picked
    return Draw(
        seed=seed,
        method=method,
        size=size,
        stratify=stratify,
        eligible=len(ids),
        eligible_hash=eligible_hash(ids),
        strata=strata,
        selected=tuple(sorted(chosen, key=by_rank)),
        excluded=excluded,
        replacements=tuple(sorted(replacements, key=lambda r: by_rank(r.excluded))),
    )


def _mixed_quotas(counts: Mapping[str, int], size: int, fixed: Mapping[str, int]) -> dict[str, int]:
    """Explicit quotas for some strata; the rest of ``size`` shared proportionally."""
    if any(quota < 0 for quota in fixed.values()):
        raise ValueError("quotas must not be negative")
    taken = sum(fixed.values())
    if taken > size:
        raise ValueError(f"the quotas add up to {taken}, more than the sample size {size}")
    rest = {name: count for name, count in counts.items() if name not in fixed}
    quotas = dict(fixed)
    if taken < size:
        if not rest:
            raise ValueError(
                f"the quotas add up to {taken}, not the sample size {size}, and no other "
                "stratum is left to fill the difference"
            )
        quotas.update(proportional_quotas(rest, size - taken))
    else:
        quotas.update({name: 0 for name in rest})
    return quotas


def _replacements(
    first: Sequence[str],
    available: Sequence[str],
    quota: int,
    excluded: set[str],
    stratum: str | None,
) -> list[Replacement]:
    """Pair each excluded child among the first ``quota`` ranks with the child that took
    its place (the next available ranks beyond the unexcluded ones), in rank order."""
    out = [child_id for child_id in first if child_id in excluded]
    if not out:
        return []
    kept = set(first) - excluded
    incoming = [child_id for child_id in available[:quota] if child_id not in kept]
    return [
        Replacement(excluded_id, replacement_id, stratum)
        for excluded_id, replacement_id in zip(out, incoming, strict=True)
    ]
