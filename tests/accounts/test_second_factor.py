"""The second factor: who must give one, setting up an app, codes that work once, and no page
but the code pages for someone who has not given it yet."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from maca.accounts.middleware import SECOND_FACTOR_EXEMPT
from maca.accounts.services import recovery_code_stored, second_factor_required, setup_confirm
from maca.activity.models import AccessEntry, ActivityEntry
from maca.chronology import services as chronology_services
from maca.partnerships.models import Agency, Membership, Partnership, Role, User
from tests.accounts.helpers import app_code, code_from_secret, password_sign_in
from tests.conftest import PASSWORD, verified_login

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/set-up/"


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    """Set up an app and recovery codes for `user` through the service, as the page does.

    Done two minutes ago, so the code used to confirm the app is not the one it shows now
    (an app code is accepted only once).
    """
    client = Client()
    client.force_login(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2), tick=False):
        enrolled = setup_confirm(user=user, code=app_code(device))
    assert enrolled is not None
    return enrolled.device, enrolled.recovery_codes


def url_names_and_kwargs(
    patterns: list[Any] | None = None, namespace: str = "", converters: dict[str, Any] | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every named URL in the resolver, with the converters of its parameters."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        found = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names_and_kwargs(entry.url_patterns, ns, found)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", found


def _example(converter: Any) -> Any:
    """A value each converter accepts (the page need not exist: it must redirect anyway)."""
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "x"


def every_path(values: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, path) for every URL, pointing at real things where `values` names them."""
    out = []
    for name, converters in url_names_and_kwargs():
        kwargs = {key: values.get(key, _example(conv)) for key, conv in converters.items()}
        out.append((name, reverse(name, kwargs=kwargs)))
    return out


def test_someone_who_has_not_given_the_second_factor_reaches_no_page_but_the_code_pages(world):
    """Every URL in the resolver, GET and POST: to the code page (or to set up an app)."""
    audit = world.audit("mfa", status="auditing")
    case = audit.cases.get(number=1)
    (event,) = chronology_services.events_add(
        actor=world.actor("admin"),
        case=case,
        agency=world.agencies["csc"],
        events=[chronology_services.EventInput("referral", dt.date(2022, 3, 1))],
    )
    values = {
        "reference": audit.reference,
        "number": 1,
        "agency": "csc",
        "action": "reopen",
        "event_id": event.pk,
        "slug": world.tool.slug,
        "version": world.tool.version,
    }
    enrol(world.users["admin"])
    with_app = Client()  # password given, app code not yet
    with_app.force_login(world.users["admin"])
    without_app = Client()  # password given, no app set up yet
    without_app.force_login(world.users["chair"])
    logs_before = (AccessEntry.objects.count(), ActivityEntry.objects.count())

    checked = 0
    for name, path in every_path(values):
        if name in SECOND_FACTOR_EXEMPT:
            continue
        if name.startswith("api-v1:"):
            continue  # token-only: a session means nothing there (tests/api)
        for client, page in ((with_app, VERIFY), (without_app, SETUP)):
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                where = f"{method.upper()} {path} ({name})"
                assert response.status_code == 302, f"{where}: {response.status_code}"
                assert response["Location"].startswith(f"{page}?next="), where
                checked += 1
    assert checked >= 4 * 25  # the whole resolver, not an empty loop
    # Nothing was shown or changed on the way.
    assert (AccessEntry.objects.count(), ActivityEntry.objects.count()) == logs_before
    # An address that does not exist redirects too, so it reveals nothing either.
    assert with_app.get("/no-such-page/")["Location"].startswith(VERIFY)


def test_first_sign_in_sets_up_an_app_then_shows_ten_recovery_codes_once(world):
    client = Client()
    response = password_sign_in(client, "csc")
    assert response.status_code == 302
    response = client.get("/audits/", follow=False)
    assert response["Location"] == f"{SETUP}?next=%2Faudits%2F"

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html, "the QR code is inline SVG"
    assert not re.search(r"(src|href)=\"https?://", html), "the page loads nothing from elsewhere"
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert secret is not None, "the key is shown as text"

    refused = client.post(SETUP, {"code": "000000", "next": "/audits/"})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()

    # django-otp makes the person wait a moment after a wrong code (1 s, then 2 s, 4 s...).
    soon = client.post(SETUP, {"code": code_from_secret(secret.group(1)), "next": "/audits/"})
    assert "too many wrong codes" in soon.content.decode()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2), tick=False):
        done = client.post(SETUP, {"code": code_from_secret(secret.group(1)), "next": "/audits/"})
    assert done.status_code == 302 and done["Location"].startswith(
        "/accounts/two-factor/recovery-codes/"
    )
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/audits/"' in codes_page  # and on to where they were going
    again = client.get(done["Location"])
    assert again.status_code == 302, "the codes are shown once"
    assert client.get("/audits/").status_code == 200
    assert ActivityEntry.objects.filter(action="account.second_factor_set_up").count() == 1
    # docs/security.md: 6-digit codes that change every 30 seconds, one step of clock drift.
    device = TOTPDevice.objects.get(user=world.users["csc"], confirmed=True)
    assert (device.digits, device.step, device.tolerance) == (6, 30, 1)


def test_a_wrong_code_is_refused_and_the_right_one_lets_you_in(world):
    device, _ = enrol(world.users["police"])
    client = Client()
    password_sign_in(client, "police")
    wrong = client.post(VERIFY, {"code": "123456" if app_code(device) != "123456" else "654321"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)
    # django-otp then makes the person wait before the next try (1 s, 2 s, 4 s...).
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2), tick=False):
        right = client.post(VERIFY, {"code": app_code(device), "next": "/audits/"})
        assert right.status_code == 302 and right["Location"] == "/audits/"
        assert client.get("/audits/").status_code == 200


def test_an_app_code_signs_in_once(world):
    device, _ = enrol(world.users["police"])
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1), tick=False):
        code = app_code(device)
        first, second = Client(), Client()
        password_sign_in(first, "police")
        password_sign_in(second, "police")
        assert first.post(VERIFY, {"code": code}).status_code == 302
        replay = second.post(VERIFY, {"code": code})
        assert replay.status_code == 200, "the same code must not sign in a second time"
        assert second.get("/")["Location"].startswith(VERIFY)


def test_a_recovery_code_works_once(world):
    _, codes = enrol(world.users["admin"])
    first = Client()
    password_sign_in(first, "admin")
    used = first.post(VERIFY, {"code": codes[0].upper(), "next": "/"}, follow=True)
    assert used.status_code == 200
    assert "You have 9 left" in used.content.decode()
    assert ActivityEntry.objects.filter(action="account.recovery_code_used").count() == 1

    second = Client()
    password_sign_in(second, "admin")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2), tick=False):
        again = second.post(VERIFY, {"code": codes[0]})
        assert again.status_code == 200
        assert "That code is not right" in again.content.decode()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5), tick=False):
        other = second.post(VERIFY, {"code": codes[1]})
        assert other.status_code == 302
    assert StaticToken.objects.filter(device__user=world.users["admin"]).count() == 8


def test_recovery_codes_are_kept_only_as_keyed_hashes(world, settings):
    """A copy of the database gives nobody a recovery code; a code made before the secret key
    was rotated still works while the old key is a fallback."""
    user = world.users["admin"]
    _, codes = enrol(user)
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & set(codes)
    assert stored == {recovery_code_stored(code) for code in codes}

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-rotated-secret-key-0123456789-0123456789-0123456789"
    client = Client()
    password_sign_in(client, "admin")
    assert client.post(VERIFY, {"code": codes[0], "next": "/"}).status_code == 302
    settings.SECRET_KEY_FALLBACKS = []  # the old key dropped: its codes no longer work
    other = Client()
    password_sign_in(other, "admin")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2), tick=False):
        refused = other.post(VERIFY, {"code": codes[1]})
    assert "That code is not right" in refused.content.decode()


def test_plain_recovery_codes_from_before_are_hashed_by_the_migration(world):
    from importlib import import_module

    from django.apps import apps
    from django_otp.plugins.otp_static.models import StaticDevice

    user = world.users["admin"]
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    device.token_set.create(token="abcd2345")
    migration = import_module("maca.accounts.migrations.0001_hash_recovery_codes")
    migration.hash_plain_codes(apps, None)
    migration.hash_plain_codes(apps, None)  # run twice: a hashed code is left alone
    assert list(device.token_set.values_list("token", flat=True)) == [
        recovery_code_stored("abcd2345")
    ]


def _partnership_with_admin(slug: str, *, is_demo: bool, username: str) -> User:
    partnership = Partnership.objects.create(name=f"{slug} partnership", slug=slug, is_demo=is_demo)
    Agency.objects.create(partnership=partnership, slug="csc", name="CSC")
    user = User.objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, partnership=partnership, role=Role.ADMIN)
    return user


@pytest.mark.django_db
def test_the_demo_partnership_skips_the_second_factor_and_an_identical_one_does_not():
    _partnership_with_admin("demo", is_demo=True, username="demo-admin")
    demo = Client()
    password_sign_in(demo, "demo-admin")
    assert demo.get("/").status_code == 200, "the demo's business unit signs in with a password"

    # The same partnership without the flag: a password is not enough.
    _partnership_with_admin("copy", is_demo=False, username="copy-admin")
    copy = Client()
    password_sign_in(copy, "copy-admin")
    assert copy.get("/")["Location"].startswith(SETUP)
    # And once the database holds a real partnership, the demo's exemption is gone too.
    assert demo.get("/")["Location"].startswith(SETUP)


def test_only_the_demo_partnership_can_carry_the_demo_flag(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(name="Real", slug="real", is_demo=True)
    world.partnership.is_demo = True
    with pytest.raises(IntegrityError), transaction.atomic():
        world.partnership.save()


def test_the_demo_accounts_sign_in_with_the_published_password_alone():
    from maca.partnerships.demo import DEMO_PASSWORD, demo_load

    demo_load()
    for username in ("admin", "csc", "viewer"):
        client = Client()
        response = password_sign_in(client, username, DEMO_PASSWORD)
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200, username


def test_viewers_sign_in_with_a_password_unless_the_setting_says_otherwise(world, settings):
    viewer = world.users["viewer"]
    assert not second_factor_required(viewer)
    client = Client()
    password_sign_in(client, "viewer")
    assert client.get("/").status_code == 200
    settings.MFA_EXEMPT_VIEWERS = False
    assert client.get("/")["Location"].startswith(SETUP)


def test_a_viewer_made_an_auditor_must_set_up_an_app_on_the_next_page(world):
    client = Client()
    password_sign_in(client, "viewer")
    assert client.get("/").status_code == 200
    Membership.objects.create(
        user=world.users["viewer"],
        partnership=world.partnership,
        role=Role.AUDITOR,
        agency=world.agencies["csc"],
    )
    assert client.get("/")["Location"].startswith(SETUP)


def test_everyone_who_can_see_case_level_data_needs_a_second_factor(world):
    for username in ("admin", "chair", "csc", "police", "gp"):
        assert second_factor_required(world.users[username]), username
    superuser = User.objects.create_superuser("root", password=PASSWORD)
    assert second_factor_required(superuser)


def test_the_session_key_changes_when_the_second_factor_is_given(world):
    device, _ = enrol(world.users["csc"])
    client = Client()
    password_sign_in(client, "csc")
    before = client.cookies["sessionid"].value
    client.post(VERIFY, {"code": app_code(device)})
    assert client.cookies["sessionid"].value != before


def test_reset_second_factor_command_makes_the_person_set_up_again(world):
    enrol(world.users["csc"])
    call_command("reset-second-factor", "csc")
    assert not TOTPDevice.objects.filter(user=world.users["csc"]).exists()
    assert not StaticDevice.objects.filter(user=world.users["csc"]).exists()
    assert ActivityEntry.objects.filter(action="account.second_factor_reset").count() == 1
    client = Client()
    password_sign_in(client, "csc")
    assert client.get("/")["Location"].startswith(SETUP)
    with pytest.raises(CommandError) as exc:
        call_command("reset-second-factor", "nobody")
    assert exc.value.returncode == 2


def test_new_recovery_codes_replace_the_old_ones_after_confirming_it_is_you(world):
    user = world.users["admin"]
    device, old_codes = enrol(user)
    start = dt.datetime.now(dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        verified_login(client, user)
        account = client.get(reverse("accounts:account")).content.decode()
        assert "10 of 10 unused" in account
    new_url = reverse("accounts:recovery_codes_new")
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        # Not recently: a borrowed session cannot mint codes without the password and a code.
        asked = client.post(new_url)
        assert asked.status_code == 302 and asked["Location"].startswith("/accounts/confirm/")
        assert StaticToken.objects.filter(token=recovery_code_stored(old_codes[0])).exists()
        client.post(
            "/accounts/confirm/",
            {"password": PASSWORD, "code": app_code(device), "next": new_url},
        )
        made = client.post(new_url, follow=True)
    page = made.content.decode()
    assert "New recovery codes made" in page and "Your old recovery codes no longer work" in page
    shown = re.findall(r"<code>([a-z0-9]+)</code>", page)
    assert len(shown) == 10 and not set(shown) & set(old_codes)
    tokens = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert tokens == {recovery_code_stored(code) for code in shown}
    assert ActivityEntry.objects.filter(action="account.recovery_codes_renewed").count() == 1
    # Shown once: the page does not show them again.
    assert client.get(reverse("accounts:recovery_codes")).status_code == 302


def test_someone_without_an_app_has_no_recovery_codes_to_renew(world):
    client = Client()
    client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    account = client.get(reverse("accounts:account")).content.decode()
    assert "this account does not need one" in account and "Recovery codes" not in account
    response = client.post(reverse("accounts:recovery_codes_new"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:account")
    assert not StaticToken.objects.exists()
