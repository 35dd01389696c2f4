"""`maca demo`, the health check and the `maca` commands around them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maca.activity.models import ActivityEntry
from maca.audits.models import Audit, AuditTool
from maca.chronology.services import case_evaluation
from maca.partnerships.demo import NEGLECT_REFERENCE, NMB_REFERENCE, demo_load
from maca.partnerships.models import Partnership, User
from maca.returns.models import AgencyReturn
from maca.sampling.models import SelectionRecord
from maca.sampling.services import eligibility_counts


@pytest.mark.django_db
def test_demo_mirrors_the_reference_audit_and_a_second_run_changes_nothing():
    assert demo_load() is True
    audit = Audit.objects.get(reference=NMB_REFERENCE)
    assert audit.status == "follow_up"  # moderated, briefing published, action plan running
    assert audit.agencies.count() == 6
    assert audit.cases.count() == 5
    assert audit.tool.questions.filter(is_aim=True).count() == 5
    grades = Counter(audit.cases.values_list("moderation__grade", flat=True))
    assert grades == {"good": 4, "requires_improvement": 1}
    nuanced = audit.cases.filter(moderation__has_specific_issues=True)
    assert set(nuanced.values_list("moderation__grade", flat=True)) == {"good"}
    assert nuanced.count() == 2
    per_case = [c.returns.count() for c in audit.cases.all()]
    assert min(per_case) >= 3 and max(per_case) == 6
    assert all(r.status == "submitted" for r in AgencyReturn.objects.filter(case__audit=audit))
    assert audit.cases.exclude(agencies__slug="police").exists()  # the police auditor can't see it
    neglect = Audit.objects.get(reference=NEGLECT_REFERENCE)
    assert neglect.status == "sampling"
    assert not neglect.cases.exists() and not SelectionRecord.objects.filter(audit=neglect).exists()
    population, eligible = eligibility_counts(neglect)
    assert population >= 200 and eligible >= 40
    # The five cases were drawn from the pool, and the draw can be repeated from its record.
    record = SelectionRecord.objects.get(audit=audit)
    assert record.fixed and len(record.selected) == 5
    drawn = list(audit.cases.order_by("number").values_list("pool_child__pseudo_id", flat=True))
    assert drawn == record.selected
    assert not User.objects.filter(is_superuser=True).exists()
    # Built through the services, so the activity log reads like real use.
    assert ActivityEntry.objects.filter(action="return.submitted").count() == 22
    # The chronologies tell the same stories as the grades.
    statuses = {
        case.number: {r.rule: str(r.status) for r in case_evaluation(case).results}
        for case in audit.cases.all()
    }
    assert statuses[1] and set(statuses[1].values()) == {"met"}
    assert statuses[2]["second-opinion-5wd"] == "late"
    assert statuses[3]["referral-same-day"] == "late"
    assert statuses[5]["strategy-discussion-1wd"] == "reason_recorded"
    counts = (ActivityEntry.objects.count(), AuditTool.objects.count(), User.objects.count())
    assert demo_load() is False
    assert (
        ActivityEntry.objects.count(),
        AuditTool.objects.count(),
        User.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_demo_refuses_a_database_it_did_not_make(world):
    with pytest.raises(CommandError) as exc:
        call_command("demo", "--no-serve")
    assert exc.value.returncode == 1
    assert "did not create" in str(exc.value)
    assert not Partnership.objects.filter(is_demo=True).exists()


@pytest.mark.django_db
def test_demo_refuses_a_real_partnership_that_happens_to_be_called_demo():
    """The demo's accounts skip the second factor, so `maca demo` must never adopt a database
    it did not make, even one whose only partnership has the demo's slug."""
    Partnership.objects.create(name="Demo Borough Partnership", slug="demo")
    with pytest.raises(CommandError) as exc:
        call_command("demo", "--no-serve")
    assert exc.value.returncode == 1
    assert not Partnership.objects.filter(is_demo=True).exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_healthz_says_ok_and_nothing_else(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


def _maca(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "maca.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        check=False,
    )


def test_help_needs_no_environment():
    result = _maca("--help", env={"PATH": os.environ["PATH"]})
    assert result.returncode == 0
    assert "demo" in result.stdout


def test_the_server_refuses_to_start_without_a_secret_key(tmp_path):
    env = {"PATH": os.environ["PATH"], "MACA_DATA_DIR": str(tmp_path)}
    result = _maca("migrate", env=env)
    assert result.returncode != 0
    assert "MACA_SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_load_tool_command_reports_every_problem_and_saves_nothing(world, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text(world.tool.source_yaml.replace("slug: injuries", "slug: Injuries", 1), "utf-8")
    before = AuditTool.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("load-tool", str(bad))
    assert exc.value.returncode == 1
    assert "broken.yaml, line" in str(exc.value) and "slug" in str(exc.value)
    assert AuditTool.objects.count() == before


@pytest.mark.django_db
def test_load_tool_command_adds_a_version(world, tmp_path, capsys):
    changed = tmp_path / "nmb.yaml"
    changed.write_text(
        world.tool.source_yaml.replace("theme: Injuries", "theme: Bruising"), "utf-8"
    )
    call_command("load-tool", str(changed))
    assert "version 2" in capsys.readouterr().out
