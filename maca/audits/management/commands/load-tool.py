"""`maca load-tool FILE [--check]`: validate an audit tool's YAML and load it as a new version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maca.audits import services, toolspec
from maca.core.errors import ServiceError
from maca.partnerships.models import Partnership
from maca.partnerships.selectors import PartnershipNotChosen, partnership_for_command


class Command(BaseCommand):
    help = "Validate an audit tool YAML file and load it (each change is a new, immutable version)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the tool's YAML file")
        parser.add_argument("--check", action="store_true", help="validate only; save nothing")
        parser.add_argument("--partnership", help="partnership slug (needed if there are several)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read the file ({exc}).", returncode=2) from exc
        try:
            if options["check"]:
                spec = toolspec.parse_tool(text, source=path.name)
                self.stdout.write(f"{path.name}: valid ({len(spec.questions)} questions).")
                return
            partnership = _partnership(options["partnership"])
            tool = services.tool_load(
                actor=None, partnership=partnership, text=text, source=path.name
            )
        except toolspec.ToolSpecError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        except ServiceError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        self.stdout.write(f"Loaded {tool.name}, version {tool.version}.")


def _partnership(slug: str | None) -> Partnership:
    try:
        return partnership_for_command(slug)
    except PartnershipNotChosen as exc:
        raise CommandError(str(exc), returncode=2) from exc
