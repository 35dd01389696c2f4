"""Recovery codes made before they were kept hashed: replace each with its keyed hash, so the
codes people hold keep working and none stays readable in the database."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils.crypto import salted_hmac

HASHED_LENGTH = 16  # plain codes are 8 characters


def recovery_code_stored(code: str) -> str:
    """maca.accounts.services.recovery_code_stored as it was when this migration was written."""
    return salted_hmac("maca.recovery-code", code, algorithm="sha256").hexdigest()[:HASHED_LENGTH]


def hash_plain_codes(apps: Any, schema_editor: Any) -> None:
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.all():
        if len(token.token) != HASHED_LENGTH:
            token.token = recovery_code_stored(token.token)
            token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [("otp_static", "0003_add_timestamps")]

    operations = [migrations.RunPython(hash_plain_codes, migrations.RunPython.noop)]
