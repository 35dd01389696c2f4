"""Hostile input on the rest of the forms (the method is in test_hostile_input.py): the panel's
grade, new audits and incidents, findings' steps and learning events, the briefing's style and
review briefings, actions and their progress, teams' briefing use and the programme. Never a 500, never half a save, and a refusal says what was wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db.models import Model
from django.urls import reverse
from hypothesis import given

from maca.actions.models import Action, ActionUpdate, BriefingUse
from maca.audits.models import Audit, AuditTool, Case
from maca.briefings.models import Briefing, BriefingStyle, BriefingVersion
from maca.chronology.models import Incident
from maca.findings.models import LearningEvent, PractitionerStep
from maca.insight.models import ProgrammeEntry
from maca.moderation.models import CaseModeration
from tests.actions.support import add_action
from tests.conftest import World, verified_login
from tests.core.test_hostile_input import (
    FUZZ,
    OUTCOMES,
    _fields,
    _models,
    _post_hostile,
    hostile,
)

pytestmark = pytest.mark.django_db


@dataclass
class Form:
    """One form: who fills it in, where, the values a valid answer needs besides free text
    (links, colours, numbers, choices: kept as given, not fuzzed), and what it may write
    (compared before and after every refusal)."""

    user: str
    url: Callable[[World], str]
    models: tuple[type[Model], ...]
    values: Callable[[World], dict[str, str]] = lambda w: {}
    seen: set[int] = field(default_factory=set)


def _audit(world: World, status: str) -> Audit:
    existing = Audit.objects.filter(reference=f"fuzz-{status}").first()
    return existing or world.audit(f"fuzz-{status}", status=status, cases=[("csc", "police")])


def _action(world: World) -> Action:
    audit = _audit(world, "published")
    return audit.actions.first() or add_action(world, audit, owner="police")


def _ref(status: str, name: str, *more: Any) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[_audit(w, status).reference, *more])


FORMS: dict[str, Form] = {
    "new audit": Form(
        "admin",
        lambda w: reverse("audits:create"),
        (Audit,),
        lambda w: {
            "reference": "fuzz-new",
            "tool": str(AuditTool.objects.values_list("pk", flat=True).first()),
            "period_start": "01/01/2022",
            "period_end": "31/03/2022",
        },
    ),
    "panel grade": Form(
        "chair",
        _ref("moderation", "audits:moderate", 1),
        (CaseModeration,),
        lambda w: {"grade": "good"},
    ),
    "incident": Form("csc", _ref("auditing", "audits:incident_add", 1), (Incident,)),
    "practitioner step": Form(
        "chair",
        _ref("moderation", "audits:finding_new", "step"),
        (PractitionerStep,),
        lambda w: {"link_url": ""},
    ),
    "learning event": Form(
        "chair",
        _ref("moderation", "audits:finding_new", "event"),
        (LearningEvent,),
        lambda w: {"date": "10/10/2030", "booking_url": "https://example.org/book"},
    ),
    "briefing style": Form(
        "admin",
        lambda w: reverse("briefings:style"),
        (BriefingStyle,),
        lambda w: {"accent_colour": "#1d70b8"},
    ),
    "review briefing": Form(
        "admin",
        lambda w: reverse("briefings:review_new"),
        (Briefing, BriefingVersion),
        lambda w: {"source_kind": "rapid_review", "reference": "fuzz-review"},
    ),
    "action": Form(
        "admin",
        _ref("published", "actions:new"),
        (Action,),
        lambda w: {
            "kind": "training",
            "owner_agency": str(w.agencies["csc"].pk),
            "due_date": "30/06/2030",
        },
    ),
    "action progress": Form(
        "police",
        lambda w: reverse("actions:detail", args=["fuzz-published", _action(w).number]),
        (Action, ActionUpdate),
        lambda w: {"status": "on_track"},
    ),
    "briefing use": Form(
        "csc",
        _ref("published", "actions:briefing_use"),
        (BriefingUse,),
        lambda w: {
            "agency": str(w.agencies["csc"].pk),
            "discussed_on": dt.date.today().strftime("%d/%m/%Y"),
            "attendees": "8",
        },
    ),
    "programme entry": Form(
        "admin",
        _ref("planning", "insight:programme_edit"),
        (ProgrammeEntry,),
        lambda w: {"year": "2030", "prompt_kind": "data"},
    ),
}


@pytest.mark.parametrize("name", list(FORMS))
def test_hostile_text_never_breaks_a_form(world, client, name):
    form = FORMS[name]
    verified_login(client, world.users[form.user])
    url = form.url(world)
    fields = _fields(client, url)
    fixed = form.values(world)
    fields.values.update(fixed)
    fields.text -= set(fixed)

    @FUZZ
    @given(text=hostile)
    def run(text: str) -> None:
        if "version" in fields.values:  # as a person would: the page as it is now
            fields.values["version"] = _fields(client, url).values["version"]
        _post_hostile(client, url, fields, text, _models(*form.models))

    run()
    # The hostile text reached a real decision each time (the test would pass vacuously if
    # every post were refused for a structured field): the form saved at least once.
    assert 302 in OUTCOMES[url], f"{name}: no hostile text was ever saved"


def test_every_case_of_the_fuzzed_audits_still_exists(world):
    """Refusals left the audits' cases alone (a sanity check on the builder above)."""
    _audit(world, "moderation")
    assert Case.objects.filter(audit__reference="fuzz-moderation").count() == 1
