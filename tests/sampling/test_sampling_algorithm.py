"""The sampling algorithm: reproducible, re-implementable, stratified, with exclusions."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maca.sampling.algorithm import (
    ALGORITHM,
    Candidate,
    NotEnoughEligible,
    Replacement,
    draw,
    eligible_hash,
    new_seed,
    proportional_quotas,
    rank,
)

SEED = "3f9c2a7d51e0b846"


def pool(n: int, teams: tuple[str, ...] = ("north", "south", "east")) -> list[Candidate]:
    return [Candidate(f"child-{i:03d}", {"team": teams[i % len(teams)]}) for i in range(n)]


def independent_simple_draw(ids: list[str], seed: str, size: int) -> list[str]:
    """The contract's algorithm, written again from its one-paragraph description."""
    return sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())[:size]


def test_a_draw_is_reproducible_from_its_seed() -> None:
    eligible = pool(40)
    first = draw(eligible, 5, SEED)
    again = draw(list(reversed(eligible)), 5, SEED)  # input order does not matter
    assert first == again
    assert first.to_dict() == again.to_dict()
    assert draw(eligible, 5, SEED + "x").selected != first.selected


def test_an_independent_reimplementation_gives_the_same_selection() -> None:
    eligible = pool(60)
    result = draw(eligible, 7, SEED)
    assert list(result.selected) == independent_simple_draw([c.id for c in eligible], SEED, 7)
    assert (
        result.eligible_hash
        == hashlib.sha256("\n".join(sorted(c.id for c in eligible)).encode("utf-8")).hexdigest()
    )
    assert rank(SEED, "child-000") == hashlib.sha256(b"3f9c2a7d51e0b846:child-000").hexdigest()


def test_selection_record_fields() -> None:
    record = draw(pool(10), 3, SEED).to_dict()
    assert record["algorithm"] == ALGORITHM == "maca-sha256-rank/1"
    assert (record["seed"], record["method"], record["eligible"], record["size"]) == (
        SEED,
        "simple",
        10,
        3,
    )
    assert record["strata"] == {} and record["excluded"] == [] and record["replacements"] == []
    assert len(record["selected"]) == 3
    json.dumps(record)  # serialisable as is


def test_largest_remainder_quotas() -> None:
    # Exact shares 2.0, 1.2, 0.8: floors 2, 1, 0; the spare place goes to the largest
    # remainder (c).
    assert proportional_quotas({"a": 5, "b": 3, "c": 2}, 4) == {"a": 2, "b": 1, "c": 1}
    # Equal remainders: the larger stratum first, then the name in code-point order.
    assert proportional_quotas({"x": 1, "y": 1, "z": 1}, 2) == {"x": 1, "y": 1, "z": 0}
    assert proportional_quotas({"big": 4, "small": 2, "tiny": 2}, 2) == {
        "big": 1,
        "small": 1,
        "tiny": 0,
    }
    assert proportional_quotas({"B": 1, "a": 1}, 1) == {"B": 1, "a": 0}  # "B" < "a"


@given(
    counts=st.dictionaries(
        st.text(min_size=1, max_size=3), st.integers(0, 50), min_size=1, max_size=6
    ),
    fraction=st.fractions(0, 1),
)
@settings(max_examples=50, deadline=None)
def test_proportional_quotas_sum_to_size_and_stay_within_one_of_the_exact_share(
    counts: dict[str, int], fraction: Fraction
) -> None:
    total = sum(counts.values())
    size = int(total * fraction)
    if total == 0:
        return
    quotas = proportional_quotas(counts, size)
    assert sum(quotas.values()) == size
    for name, count in counts.items():
        exact = Fraction(size * count, total)
        assert exact - 1 < quotas[name] < exact + 1
        assert quotas[name] <= count


def test_stratified_draw_takes_the_lowest_ranks_in_each_stratum() -> None:
    eligible = pool(30)  # 10 per team
    result = draw(eligible, 7, SEED, stratify="team")
    assert result.method == "stratified"
    # 7/3 each: floors of 2, and the spare place breaks a three-way tie by name.
    assert {name: s.quota for name, s in result.strata.items()} == {
        "east": 3,
        "north": 2,
        "south": 2,
    }
    assert sum(s.quota for s in result.strata.values()) == 7
    for name, stratum in result.strata.items():
        ids = [c.id for c in eligible if c.strata["team"] == name]
        assert list(stratum.selected) == independent_simple_draw(ids, SEED, stratum.quota)
        assert stratum.eligible == 10
    # Draw order: ascending rank across all strata.
    assert list(result.selected) == sorted(result.selected, key=lambda i: rank(SEED, i))


def test_explicit_quotas() -> None:
    eligible = pool(30)
    result = draw(eligible, 5, SEED, stratify="team", quotas={"north": 4, "south": 1})
    assert result.method == "quota"
    assert {name: s.quota for name, s in result.strata.items()} == {
        "east": 0,
        "north": 4,
        "south": 1,
    }
    # Quotas for some strata only: the rest of the size is shared proportionally.
    result = draw(eligible, 6, SEED, stratify="team", quotas={"north": 4})
    assert {name: s.quota for name, s in result.strata.items()} == {
        "east": 1,
        "north": 4,
        "south": 1,
    }


def test_an_excluded_child_is_replaced_by_the_next_rank_in_its_stratum() -> None:
    eligible = pool(30)
    before = draw(eligible, 6, SEED, stratify="team")
    north = [c.id for c in eligible if c.strata["team"] == "north"]
    ranked_north = sorted(north, key=lambda i: rank(SEED, i))
    quota = before.strata["north"].quota
    dropped = before.strata["north"].selected[0]

    after = draw(eligible, 6, SEED, stratify="team", exclude={dropped})

    assert dropped not in after.selected
    assert after.strata["north"].selected == tuple(
        i for i in ranked_north[: quota + 1] if i != dropped
    )
    for other in ("south", "east"):
        assert after.strata[other] == before.strata[other]
    assert after.excluded == (dropped,)
    assert after.replacements == (Replacement(dropped, ranked_north[quota], "north"),)
    assert after.eligible_hash == before.eligible_hash  # excluding does not change eligibility


def test_exclusion_in_a_simple_draw() -> None:
    eligible = pool(20)
    ids = [c.id for c in eligible]
    ranked = independent_simple_draw(ids, SEED, 20)
    result = draw(eligible, 3, SEED, exclude={ranked[1], "not-eligible"})
    assert result.selected == (ranked[0], ranked[2], ranked[3])
    assert result.replacements == (Replacement(ranked[1], ranked[3], None),)
    assert result.excluded == (ranked[1],)


def test_eligible_hash_changes_when_the_eligible_list_changes() -> None:
    ids = [c.id for c in pool(10)]
    assert eligible_hash(ids) == eligible_hash(reversed(ids))
    assert eligible_hash(ids) != eligible_hash(ids[:-1])
    assert eligible_hash(ids) != eligible_hash([*ids[:-1], "child-999"])
    assert draw(pool(10), 2, SEED).eligible_hash != draw(pool(11), 2, SEED).eligible_hash


def test_not_enough_eligible_names_the_stratum() -> None:
    with pytest.raises(NotEnoughEligible, match="5 needed, 4 available"):
        draw(pool(4), 5, SEED)
    eligible = pool(6)  # two per team
    with pytest.raises(NotEnoughEligible, match='stratum "north": 3 needed, 2 available') as err:
        draw(eligible, 4, SEED, stratify="team", quotas={"north": 3, "south": 1})
    assert err.value.stratum == "north"
    north = [c.id for c in eligible if c.strata["team"] == "north"]
    with pytest.raises(NotEnoughEligible, match='"north": 2 needed, 1 available'):
        draw(eligible, 6, SEED, stratify="team", exclude={north[0]})
    with pytest.raises(NotEnoughEligible, match='"west": 1 needed, 0 available'):
        draw(eligible, 1, SEED, stratify="team", quotas={"west": 1})


def test_a_child_without_the_stratification_value_is_in_the_blank_stratum() -> None:
    eligible = [*pool(4), Candidate("child-x", {}), Candidate("child-y", {"team": None})]
    result = draw(eligible, 6, SEED, stratify="team")
    assert result.strata[""].eligible == 2
    with pytest.raises(NotEnoughEligible, match=r'stratum "\(blank\)"'):
        draw(eligible, 3, SEED, stratify="team", quotas={"": 3})


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="seed"):
        draw(pool(3), 1, "")
    with pytest.raises(ValueError, match="at least 1"):
        draw(pool(3), 0, SEED)
    with pytest.raises(ValueError, match="more than once"):
        draw([Candidate("a"), Candidate("a")], 1, SEED)
    with pytest.raises(ValueError, match="stratification field"):
        draw(pool(3), 1, SEED, quotas={"north": 1})
    with pytest.raises(ValueError, match="add up to 4, more than the sample size 3"):
        draw(pool(9), 3, SEED, stratify="team", quotas={"north": 2, "south": 2})


def test_new_seeds_are_random_hex() -> None:
    seeds = {new_seed() for _ in range(20)}
    assert len(seeds) == 20
    assert all(len(seed) == 16 and int(seed, 16) >= 0 for seed in seeds)


ids_strategy = st.lists(
    st.text(
        st.characters(codec="utf-8", exclude_characters="\n"),
        min_size=1,
        max_size=12,
    ),
    min_size=1,
    max_size=40,
    unique=True,
)


@given(ids=ids_strategy, data=st.data(), seed=st.text(min_size=1, max_size=20))
@settings(max_examples=50, deadline=None)
def test_simple_draw_properties(ids: list[str], data: st.DataObject, seed: str) -> None:
    size = data.draw(st.integers(1, len(ids)))
    result = draw([Candidate(i) for i in ids], size, seed)
    assert len(result.selected) == size
    assert len(set(result.selected)) == size
    assert set(result.selected) <= set(ids)
    assert list(result.selected) == independent_simple_draw(ids, seed, size)


@given(ids=ids_strategy, data=st.data(), seed=st.text(min_size=1, max_size=20))
@settings(max_examples=50, deadline=None)
def test_stratified_draw_properties(ids: list[str], data: st.DataObject, seed: str) -> None:
    values = data.draw(
        st.lists(st.sampled_from(["a", "b", "c", None]), min_size=len(ids), max_size=len(ids))
    )
    eligible = [Candidate(i, {"group": v}) for i, v in zip(ids, values, strict=True)]
    excluded = set(data.draw(st.lists(st.sampled_from(ids), max_size=3)))
    size = data.draw(st.integers(1, len(ids)))
    try:
        result = draw(eligible, size, seed, stratify="group", exclude=excluded)
    except NotEnoughEligible as err:
        # Only possible when exclusions leave a stratum short of its quota.
        assert excluded and err.stratum is not None
        return
    assert len(result.selected) == size
    assert len(set(result.selected)) == size
    assert set(result.selected) <= set(ids) - excluded
    assert sum(s.quota for s in result.strata.values()) == size
    groups = Counter("" if v is None else v for v in values)
    assert {name: s.eligible for name, s in result.strata.items()} == dict(groups)
    for stratum in result.strata.values():
        assert len(stratum.selected) == stratum.quota
