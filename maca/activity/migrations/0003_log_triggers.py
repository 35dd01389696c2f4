"""Database triggers that refuse UPDATE and DELETE of log rows (see maca/activity/guard.py)."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from maca.activity import guard

    guard.install(schema_editor.connection)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from maca.activity import guard

    guard.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("activity", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
