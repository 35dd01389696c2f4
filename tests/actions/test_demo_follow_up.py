"""The demo's published audit is followed up: every action status, attendance, briefing use,
a planned re-audit; the dashboards show them and reminders go out for what is due."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from maca.actions.models import ActionStatus
from maca.actions.reminders import reminders_send
from maca.audits.models import Audit
from maca.insight.models import Reaudit
from maca.partnerships.demo import NMB_REFERENCE, demo_load
from maca.partnerships.models import User
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db


def test_demo_follow_up(client) -> None:
    demo_load()
    audit = Audit.objects.get(reference=NMB_REFERENCE)
    assert audit.status == "follow_up"
    assert set(audit.actions.values_list("status", flat=True)) == set(ActionStatus.values)
    assert all(e.attended is not None for e in audit.learning_events.all())
    assert audit.briefing_uses.values("agency").distinct().count() == 3
    from maca.actions.models import Action

    assert Action.objects.filter(audit__isnull=True, status="on_track").count() == 1
    reaudit = Reaudit.objects.get(earlier=audit)
    assert reaudit.audit.status == "planning"

    verified_login(client, User.objects.get(username="admin"))
    body = client.get(reverse("dashboard")).content.decode()
    assert "Actions overdue or blocked" in body and "Overdue" in body and "Blocked" in body
    plan = client.get(reverse("actions:plan", args=[NMB_REFERENCE])).content.decode()
    assert "Closed by the board" in plan and "Not started" in plan

    insight = client.get(reverse("insight:dashboard")).content.decode()
    assert "Protocol timescales met, by rule" in insight and "Child A" not in insight
    programme = client.get(reverse("insight:programme")).content.decode()
    assert "2025 to 2026" in programme and "Injuries in non-mobile babies: re-audit" in programme
    reaudit_page = client.get(reverse("insight:reaudit", args=[reaudit.audit.reference]))
    assert "Injuries in non-mobile babies" in reaudit_page.content.decode()

    summary = reminders_send()
    assert summary.emails >= 2
    bodies = "\n".join(m.body for m in mail.outbox)
    assert "is due by" in bodies and "is overdue" in bodies
