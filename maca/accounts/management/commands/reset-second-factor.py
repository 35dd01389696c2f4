"""`maca reset-second-factor USERNAME`: for someone who lost both their phone and their
recovery codes. Their app and codes are removed; they set up a new app at the next sign-in."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maca.accounts.services import second_factor_reset
from maca.partnerships.models import User


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator app and recovery codes (both lost); they set up a "
        "new app the next time they sign in. Check who is asking before you run this."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the person's username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("No such user.", returncode=2)
        removed = second_factor_reset(user=user)
        self.stdout.write(
            f"Removed {removed} second-factor device(s). They will set up a new "
            "authenticator app the next time they sign in."
        )
