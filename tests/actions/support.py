"""Builders for follow-up tests: a published audit with actions."""

from __future__ import annotations

import datetime as dt

from maca.actions import services
from maca.actions.models import Action
from maca.audits.models import Audit
from tests.conftest import World


def add_action(
    world: World,
    audit: Audit,
    *,
    owner: str = "police",
    due: dt.date | None = None,
    description: str = "Revise the bruising protocol and brief every team.",
    by: str = "admin",
) -> Action:
    return services.action_add(
        actor=world.actor(by),
        audit=audit,
        data=_input(world, owner, description, due),
    )


def _input(world: World, owner: str, description: str, due: dt.date | None) -> services.ActionInput:
    """A practice change led by the owner's head of safeguarding, due in 60 days by default."""
    return services.ActionInput(
        description=description,
        kind="practice_change",
        owner_agency_id=world.agencies[owner].pk,
        lead="Head of Safeguarding",
        due_date=due or dt.date.today() + dt.timedelta(days=60),
    )


def progress(world: World, action: Action, status: str, by: str = "police", **kw: str) -> Action:
    action.refresh_from_db()
    return services.action_progress(
        actor=world.actor(by),
        action=action,
        expected_version=action.version,
        data=services.ProgressInput(status=status, **kw),
    )


def add_review_action(
    world: World,
    *,
    owner: str = "csc",
    review: str = "Rapid review: Child T",
    due: dt.date | None = None,
    description: str = "Check that strategy discussions include the GP.",
) -> Action:
    """An action from a local review (no audit behind it), added by the business unit."""
    return services.review_action_add(
        actor=world.actor("admin"),
        partnership_id=world.partnership.pk,
        review=review,
        data=_input(world, owner, description, due),
    )
