"""schemathesis against the OpenAPI document: anonymous, then a token for each role.

Every operation gets a handful of generated requests (path parameters are often swapped for
real references, case numbers and agencies, so the calls reach real data). Each answer must
be no server error, have a documented status and content type and match its schema; anonymous
calls must all be refused; and a role may only ever get a case-level answer for a case its
pages would show it (maca.core.permissions).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from maca.audits.models import Case
from maca.briefings import services as briefing_services
from maca.core import permissions as perms
from tests.actions.support import add_action, add_review_action
from tests.api.support import token_for

EXAMPLES = int(os.environ.get("MACA_API_FUZZ_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Invalid input: never a server error, and always a JSON error body.
NEGATIVE_CHECKS = [not_a_server_error, content_type_conformance]
REFERENCES = ["running", "shared"]
CASE_PATH = re.compile(r"^/api/v1/audits/(?P<reference>[^/]+)/cases/(?P<number>\d+)(/|$)")


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """schemathesis calls the WSGI application, which closes the database connection at the
    end of each request; Django's test client stops that, and so must this (the test's
    transaction lives on that connection)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _operations() -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    return [result.ok() for result in schema.get_all_operations()]


def _realistic(case: Any, data: st.DataObject) -> None:
    """Often point the generated request at things that exist, so permissions are exercised."""
    params = case.path_parameters or {}
    choices = {"reference": REFERENCES, "number": [1, 2], "agency": ["csc", "police", "gp"]}
    for name, real in choices.items():
        if name in params:
            params[name] = data.draw(st.sampled_from([params[name], *real]), label=name)


def _fuzz(
    operation: Any,
    token: str | None,
    actor: perms.Actor | None,
    world: Any,
    seen: list[int],
    mode: GenerationMode = GenerationMode.POSITIVE,
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    negative = mode == GenerationMode.NEGATIVE

    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    @settings(
        max_examples=EXAMPLES if token else max(3, EXAMPLES // 3),
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any, data: st.DataObject) -> None:
        _realistic(case, data)
        response = case.call(headers=headers)
        seen.append(response.status_code)
        case.validate_response(response, checks=NEGATIVE_CHECKS if negative else CHECKS)
        where = f"{case.method} {case.formatted_path} as {actor.roles if actor else 'anonymous'}"
        if actor is None:
            assert response.status_code in (401, 422), f"{where}: {response.status_code}"
            return
        match = CASE_PATH.match(case.formatted_path)
        if match and response.status_code < 300:
            found = Case.objects.filter(
                audit__partnership=world.partnership,
                audit__reference=match["reference"],
                number=int(match["number"]),
            ).first()
            assert found is not None and perms.can_view_case(actor, found), (
                f"{where}: answered {response.status_code} for a case its pages would hide"
            )

    run()


@pytest.fixture
def fuzz_world(world: Any) -> Any:
    world.audit("running", status="auditing")
    shared = world.audit("shared", status="reporting")
    briefing_services.briefing_start(actor=world.actor("admin"), audit=shared)
    add_action(world, shared, owner="csc")  # action 1, for the action operations to reach
    add_review_action(world, owner="csc")  # a local review's action 1, likewise
    return world


@pytest.mark.parametrize("who", [None, "admin", "chair", "csc", "viewer"])
def test_fuzz_the_api(fuzz_world: Any, who: str | None) -> None:
    """Valid requests (as the schema describes them), per role."""
    token = token_for(fuzz_world.users[who]) if who else None
    actor = fuzz_world.actor(who) if who else None
    operations = _operations()
    assert len(operations) >= 15
    seen: list[int] = []
    for operation in operations:
        _fuzz(operation, token, actor, fuzz_world, seen)
    # Not an empty run: the calls reached real data (or were all refused, anonymously).
    assert len(seen) >= len(operations) * 3
    if who is None:
        assert set(seen) <= {401, 422}
    else:
        assert sum(200 <= code < 300 for code in seen) >= 5, sorted(set(seen))
    print(who, {code: seen.count(code) for code in sorted(set(seen))})


def test_fuzz_the_api_with_invalid_input(fuzz_world: Any) -> None:
    """Requests that break the schema, as the business unit (who may reach every operation):
    refused with a 4xx and a JSON error body, never a server error."""
    token = token_for(fuzz_world.users["admin"])
    seen: list[int] = []
    for operation in _operations():
        _fuzz(
            operation, token, fuzz_world.actor("admin"), fuzz_world, seen, GenerationMode.NEGATIVE
        )
    assert seen and all(400 <= code < 500 for code in seen if code >= 300), sorted(set(seen))
    print("negative", {code: seen.count(code) for code in sorted(set(seen))})
