"""The case pool in the app: imports, pseudonymisation, eligibility and drawing the sample."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from maca.activity.models import ActivityEntry
from maca.audits.models import Case
from maca.sampling import services
from maca.sampling.models import PoolChild, PoolImport, SelectionRecord
from tests.conftest import verified_login

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "external"
ANNEX_A = FIXTURES / "liia-tools" / "Annex_A.xlsx"


def _csv(rows: list[str]) -> io.BytesIO:
    return io.BytesIO(
        ("child_id,date_of_birth,sex,event,event_date,category\n" + "\n".join(rows) + "\n").encode()
    )


def _babies(n: int) -> io.BytesIO:
    """n babies referred at 2 months old in 2022, plus one older child who is never eligible."""
    rows = [
        f"B{i:03},{dt.date(2022, 1, 1) + dt.timedelta(days=i):%d/%m/%Y},F,referral,{dt.date(2022, 3, 1) + dt.timedelta(days=i):%d/%m/%Y},"
        for i in range(n)
    ]
    rows.append("OLD1,01/01/2015,M,referral,01/03/2022,")
    return _csv(rows)


@pytest.fixture
def pooled(world):
    services.pool_import(
        actor=world.actor("admin"),
        partnership=world.partnership,
        source=_babies(20),
        filename="babies.csv",
        today=dt.date(2026, 11, 26),
    )
    return world


def test_the_shared_annex_a_workbook_imports_with_warnings_and_no_raw_ids(world, capsys):
    call_command("import-cases", str(ANNEX_A))
    out = capsys.readouterr().out
    assert "Rows read: 33" in out and "Children: 32 (32 new, 0 updated, 0 unchanged)" in out
    assert out.count("warning:") == 8
    assert PoolChild.objects.count() == 32
    assert not PoolChild.objects.filter(pseudo_id__contains="6537810").exists()
    assert len(PoolChild.objects.first().pseudo_id) == 64
    # The same file again changes nothing.
    call_command("import-cases", str(ANNEX_A))
    assert "0 new, 0 updated, 32 unchanged" in capsys.readouterr().out
    assert PoolImport.objects.count() == 2


def test_a_refused_file_saves_nothing_and_lists_every_problem(world):
    bad = _csv(
        [
            "C1,01/01/2021,F,referral,31/02/2022,",
            "C2,01/01/2021,F,referral,,",
            "C3,01/01/2021,F,referral,01/03/2022,",
        ]
    )
    with pytest.raises(services.PoolImportRefused) as exc:
        services.pool_import(
            actor=None, partnership=world.partnership, source=bad, filename="bad.csv"
        )
    texts = [str(p) for p in exc.value.errors]
    assert len(texts) == 2
    assert "row 2" in texts[0] and "31/02/2022" in texts[0]
    assert "row 3" in texts[1]
    assert PoolChild.objects.count() == 0 and PoolImport.objects.count() == 0


def test_import_command_exit_codes(world, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(CommandError) as exc:
        call_command("import-cases", str(junk))
    assert exc.value.returncode == 2
    refused = tmp_path / "refused.csv"
    refused.write_text("child_id,event,event_date\n,referral,01/03/2022\n", "utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import-cases", str(refused))
    assert exc.value.returncode == 1 and "nothing was saved" in str(exc.value)


def test_a_newer_file_updates_what_changed(world):
    first = _csv(["C1,01/01/2021,F,referral,01/03/2022,"])
    services.pool_import(actor=None, partnership=world.partnership, source=first, filename="a.csv")
    newer = _csv(
        ["C1,01/01/2021,F,referral,01/03/2022,", "C1,01/01/2021,F,cp_plan_start,01/04/2022,NEG"]
    )
    summary = services.pool_import(
        actor=None, partnership=world.partnership, source=newer, filename="b.csv"
    )
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    child = PoolChild.objects.get()
    assert [e["kind"] for e in child.events] == ["referral", "cp_plan_start"]
    assert child.events[1]["category"] == "a) Neglect"


def test_eligibility_follows_the_criteria(pooled):
    audit = pooled.audit(status="sampling", cases=[])
    audit.period_start, audit.period_end = dt.date(2022, 1, 1), dt.date(2022, 12, 31)
    audit.save()
    assert services.eligibility_counts(audit) == (21, 21)
    services.criteria_set(
        actor=pooled.actor("admin"), audit=audit, event_kind="referral", max_age_months=1
    )
    population, eligible = services.eligibility_counts(audit)
    assert (population, eligible) == (21, 0)
    services.criteria_set(
        actor=pooled.actor("admin"), audit=audit, event_kind="referral", max_age_months=5
    )
    assert services.eligibility_counts(audit) == (21, 20)


def test_a_draw_is_reproducible_and_checkable_by_anyone(pooled):
    audit = pooled.audit(status="sampling", cases=[])
    services.criteria_set(
        actor=pooled.actor("admin"), audit=audit, event_kind="referral", max_age_months=5
    )
    first = services.sample_draw(
        actor=pooled.actor("admin"), audit=audit, size=5, seed="panel-2022"
    )
    selected = list(first.selected)
    again = services.sample_draw(
        actor=pooled.actor("admin"), audit=audit, size=5, seed="panel-2022"
    )
    assert again.selected == selected
    eligible_ids = sorted(
        PoolChild.objects.exclude(pseudo_id=services.pseudonymise("OLD1")).values_list(
            "pseudo_id", flat=True
        )
    )
    by_hand = sorted(
        eligible_ids, key=lambda i: hashlib.sha256(f"panel-2022:{i}".encode()).hexdigest()
    )[:5]
    assert selected == by_hand
    assert again.eligible_hash == hashlib.sha256("\n".join(eligible_ids).encode()).hexdigest()
    assert ActivityEntry.objects.filter(action="sampling.redrawn").count() == 1


def test_fixing_the_sample_creates_cases_in_draw_order_and_locks_the_draw(pooled):
    audit = pooled.audit(status="sampling", cases=[])
    services.criteria_set(
        actor=pooled.actor("admin"), audit=audit, event_kind="referral", max_age_months=5
    )
    record = services.sample_draw(actor=pooled.actor("admin"), audit=audit, size=3, seed="s")
    cases = services.sample_fix(
        actor=pooled.actor("admin"), audit=audit, agency_ids=(pooled.agencies["csc"].pk,)
    )
    assert [c.label for c in cases] == ["Child A", "Child B", "Child C"]
    assert [c.pool_child.pseudo_id for c in cases] == record.selected
    with pytest.raises(CommandError) as exc:
        call_command("sample", audit.reference, "--size", "3")
    assert exc.value.returncode == 1 and "already fixed" in str(exc.value)


def test_sample_command_prints_the_record_and_refuses_too_few(pooled, capsys):
    audit = pooled.audit(status="sampling", cases=[])
    services.criteria_set(
        actor=pooled.actor("admin"), audit=audit, event_kind="referral", max_age_months=5
    )
    call_command("sample", audit.reference, "--size", "4", "--seed", "abc")
    import json

    out = json.loads(capsys.readouterr().out)
    assert (
        out["seed"],
        out["method"],
        out["population"],
        out["eligible"],
        len(out["selected"]),
    ) == ("abc", "simple", 21, 20, 4)
    assert out["algorithm"].startswith("maca-sha256-rank/")
    with pytest.raises(CommandError) as exc:
        call_command("sample", audit.reference, "--size", "50")
    assert exc.value.returncode == 1 and "not enough eligible children" in str(exc.value).lower()
    with pytest.raises(CommandError) as exc:
        call_command("sample", "no-such-audit", "--size", "5")
    assert exc.value.returncode == 2


def test_the_sampling_page_sets_criteria_draws_and_fixes(pooled, client):
    audit = pooled.audit(status="sampling", cases=[])
    url = reverse("audits:sampling", args=[audit.reference])
    verified_login(client, pooled.users["admin"])
    bad = client.post(
        url,
        {
            "action": "criteria",
            "event_kind": "referral",
            "min_age_months": "6",
            "max_age_months": "2",
        },
    )
    assert "The oldest age must be the same as or more than the youngest." in bad.content.decode()
    client.post(url, {"action": "criteria", "event_kind": "referral", "max_age_months": "5"})
    page = client.get(url).content.decode()
    assert "<strong>20</strong> of the 21 children in the pool are eligible" in page
    client.post(url, {"action": "draw", "size": "2", "seed": "xyz"})
    assert SelectionRecord.objects.get(audit=audit).seed == "xyz"
    client.post(url, {"action": "fix", "agencies": [str(pooled.agencies["csc"].pk)]})
    assert Case.objects.filter(audit=audit).count() == 2
    for name in ["csc", "viewer", "other-chair"]:
        verified_login(client, pooled.users[name])
        assert client.get(url).status_code == 404


def test_the_pool_page_shows_every_problem_of_a_refused_upload(world, client):
    verified_login(client, world.users["admin"])
    upload = io.BytesIO(
        b"child_id,event,event_date\n,referral,01/03/2022\nC2,referral,not a date\n"
    )
    upload.name = "pool.csv"
    page = client.post(reverse("pool"), {"file": upload}).content.decode()
    assert "There is a problem" in page
    assert "row 2" in page and "row 3" in page
    assert PoolChild.objects.count() == 0
    verified_login(client, world.users["chair"])
    assert client.get(reverse("pool")).status_code == 404


def test_a_child_split_across_batches_counts_once_and_keeps_every_event(world, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    rows = [
        "C1,01/01/2021,F,referral,01/03/2022,",
        "C2,01/01/2021,F,referral,01/03/2022,",
        "C3,01/01/2021,F,referral,01/03/2022,",
        "C1,01/01/2021,F,cp_plan_start,01/04/2022,PHY",
    ]
    first = services.pool_import(
        actor=None, partnership=world.partnership, source=_csv(rows), filename="a.csv"
    )
    assert (first.children, first.created, first.updated, first.unchanged) == (3, 3, 0, 0)
    c1 = PoolChild.objects.get(pseudo_id=services.pseudonymise("C1"))
    assert [e["kind"] for e in c1.events] == ["referral", "cp_plan_start"]
    again = services.pool_import(
        actor=None, partnership=world.partnership, source=_csv(rows), filename="a.csv"
    )
    assert (again.children, again.created, again.updated, again.unchanged) == (3, 0, 0, 3)
    rows[1] = "C2,01/01/2021,M,referral,01/03/2022,"
    changed = services.pool_import(
        actor=None, partnership=world.partnership, source=_csv(rows), filename="b.csv"
    )
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert PoolChild.objects.get(pseudo_id=services.pseudonymise("C2")).sex == "a) Male"
