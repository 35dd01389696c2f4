"""`maca sample AUDIT --size N [--seed S] [--stratify FIELD] [--quota FIELD=VALUE:N ...]`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maca.audits.models import Audit
from maca.core.errors import PreconditionFailed, ServiceError
from maca.sampling import services
from maca.sampling.models import STRATIFY_FIELDS


class Command(BaseCommand):
    help = (
        "Draw an audit's random sample from its eligible children and print the selection record."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("audit", help="the audit's reference")
        parser.add_argument("--size", type=int, required=True)
        parser.add_argument("--seed", help="reproduce a draw; a new random seed when not given")
        parser.add_argument("--stratify", choices=sorted(STRATIFY_FIELDS))
        parser.add_argument("--quota", action="append", default=[], metavar="FIELD=VALUE:N")

    def handle(self, *args: Any, **options: Any) -> None:
        audit = Audit.objects.filter(reference=options["audit"]).first()
        if audit is None:
            raise CommandError(f"No audit with the reference {options['audit']!r}.", returncode=2)
        stratify, quotas = options["stratify"], {}
        for item in options["quota"]:
            try:
                field, rest = item.split("=", 1)
                value, count = rest.rsplit(":", 1)
                quotas[value] = int(count)
            except ValueError:
                raise CommandError(
                    f"--quota {item!r}: expected FIELD=VALUE:N, e.g. sex=b) Female:3.", returncode=2
                ) from None
            if stratify not in (None, field):
                raise CommandError("Every --quota must name the --stratify field.", returncode=2)
            stratify = field
            if field not in STRATIFY_FIELDS:
                raise CommandError(f"--quota: unknown field {field!r}.", returncode=2)
        try:
            record = services.sample_draw(
                actor=None,
                audit=audit,
                size=options["size"],
                seed=options["seed"],
                stratify=stratify,
                quotas=quotas or None,
            )
        except PreconditionFailed as exc:
            raise CommandError(exc.message, returncode=1) from exc
        except ServiceError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(json.dumps(record.to_dict(), indent=2))
