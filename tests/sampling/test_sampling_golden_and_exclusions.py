"""Draws are reproducible across versions, machines and databases; exclusions are recorded."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.urls import reverse

from maca.sampling import algorithm, services
from maca.sampling.models import PoolChild, SelectionRecord
from tests.conftest import verified_login

GOLDEN = json.loads((Path(__file__).parent / "golden" / "draw-v1.json").read_text("utf-8"))


def _candidates() -> list[algorithm.Candidate]:
    return [algorithm.Candidate(e["id"], {"sex": e["sex"]}) for e in GOLDEN["eligible"]]


@pytest.mark.parametrize(
    "case", GOLDEN["draws"], ids=lambda c: f"{c['stratify']}-{len(c['exclude'])}"
)
def test_the_algorithm_reproduces_the_golden_vector(case):
    drawn = algorithm.draw(
        _candidates(),
        case["size"],
        GOLDEN["seed"],
        stratify=case["stratify"],
        exclude=case["exclude"],
    )
    assert list(drawn.selected) == case["selected"]
    assert drawn.eligible_hash == GOLDEN["eligible_hash"]


@pytest.fixture
def golden_audit(world):
    """The golden children in this database's pool, all eligible for the audit."""
    for e in GOLDEN["eligible"]:
        PoolChild.objects.create(
            partnership=world.partnership,
            pseudo_id=e["id"],
            date_of_birth=dt.date(2022, 1, 1),
            sex=e["sex"],
            events=[{"kind": "referral", "date": "2022-03-01", "category": None, "team": None}],
        )
    return world.audit(status="sampling", cases=[])


@pytest.mark.parametrize("index", range(len(GOLDEN["draws"])))
def test_the_database_path_reproduces_the_golden_vector(world, golden_audit, index):
    case = GOLDEN["draws"][index]
    record = services.sample_draw(
        actor=world.actor("admin"),
        audit=golden_audit,
        size=case["size"],
        seed=GOLDEN["seed"],
        stratify=case["stratify"],
        exclusions={i: "Care proceedings." for i in case["exclude"]},
    )
    assert record.selected == case["selected"]
    assert record.eligible_hash == GOLDEN["eligible_hash"]
    assert services.sample_verify(golden_audit).message.startswith("Verified")


def test_an_excluded_child_is_replaced_by_the_next_rank_and_the_reason_kept(world, golden_audit):
    first = services.sample_draw(
        actor=world.actor("admin"), audit=golden_audit, size=6, seed=GOLDEN["seed"]
    )
    out = first.selected[1]
    record = services.sample_exclude(
        actor=world.actor("admin"),
        audit=golden_audit,
        pseudo_id=out,
        reason="Active care proceedings.",
    )
    assert record.selected == GOLDEN["draws"][1]["selected"]
    assert record.exclusions == {out: "Active care proceedings."}
    assert record.replacements[0]["excluded"] == out
    with pytest.raises(services.ServiceError, match="why this child"):
        services.sample_exclude(
            actor=world.actor("admin"), audit=golden_audit, pseudo_id=record.selected[0], reason=" "
        )


def test_verify_notices_when_the_pool_changed(world, golden_audit):
    services.sample_draw(
        actor=world.actor("admin"), audit=golden_audit, size=6, seed=GOLDEN["seed"]
    )
    PoolChild.objects.create(
        partnership=world.partnership,
        pseudo_id="f" * 64,
        events=[{"kind": "referral", "date": "2022-03-01", "category": None, "team": None}],
    )
    result = services.sample_verify(golden_audit)
    assert not result.eligible_unchanged
    assert "eligible list has changed" in result.message


def test_quotas_fix_the_numbers_per_stratum(world, golden_audit):
    record = services.sample_draw(
        actor=world.actor("admin"),
        audit=golden_audit,
        size=5,
        seed="q",
        stratify="sex",
        quotas={"b) Female": 4},
    )
    assert record.method == "quota"
    assert record.strata["b) Female"]["quota"] == 4 and record.strata["a) Male"]["quota"] == 1


def test_moving_to_auditing_fixes_the_draw(world, golden_audit):
    from maca.audits.services import CaseIdentity, audit_transition, case_add

    services.sample_draw(actor=world.actor("admin"), audit=golden_audit, size=2, seed="x")
    case_add(
        actor=world.actor("admin"),
        audit=golden_audit,
        agency_ids=(world.agencies["csc"].pk,),
        identity=CaseIdentity("A", "B"),
    )
    audit_transition(actor=world.actor("admin"), audit=golden_audit, to_status="auditing")
    assert SelectionRecord.objects.get(audit=golden_audit).fixed
    with pytest.raises(services.PreconditionFailed):
        services.sample_draw(actor=world.actor("admin"), audit=golden_audit, size=2, seed="y")


def test_the_sampling_page_shows_the_profile_exclusions_and_verification(
    world, golden_audit, client
):
    services.sample_draw(
        actor=world.actor("admin"), audit=golden_audit, size=6, seed=GOLDEN["seed"]
    )
    verified_login(client, world.users["admin"])
    url = reverse("audits:sampling", args=[golden_audit.reference])
    out = SelectionRecord.objects.get().selected[0]
    missing_reason = client.post(url, {"action": "exclude", "pseudo_id": out, "reason": ""})
    assert "Enter why this child cannot be audited." in missing_reason.content.decode()
    client.post(url, {"action": "exclude", "pseudo_id": out, "reason": "Court proceedings."})
    page = client.get(url + "?verify=1").content.decode()
    assert "Court proceedings." in page
    assert "Verified: the same eligible children" in page
    assert "The eligible children and the sample" in page and "Female" in page
    bad_quota = client.post(url, {"action": "draw", "size": "5", "quotas": "Female 3"})
    assert "is not a quota" in bad_quota.content.decode()
    detail = client.get(reverse("audits:detail", args=[golden_audit.reference])).content.decode()
    assert "Chosen at random" in detail and GOLDEN["seed"] in detail
