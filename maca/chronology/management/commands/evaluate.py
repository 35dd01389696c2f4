"""`maca evaluate FILE [--protocol ID|PATH] [--as-of YYYY-MM-DD]` (contracts.md section 1).

Prints the evaluation JSON on stdout. Bad input exits 2 with the message on stderr and nothing
on stdout. Needs no environment variables and never opens the database.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from maca.chronology.engine import (
    DEFAULT_PROTOCOL,
    InputError,
    builtin_protocols,
    evaluate,
    load_protocol,
    parse_date,
    parse_document,
)

BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Evaluate a chronology file (JSON; '-' for stdin) against a protocol and print the "
        "results as JSON. Exit 0 evaluated, 2 bad input."
    )
    # No system checks and no migration checks: this command must not need a database.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE", help="chronology JSON file, or - for stdin")
        parser.add_argument(
            "--protocol",
            default=DEFAULT_PROTOCOL,
            metavar="ID|PATH",
            help=(
                f"built-in protocol id ({', '.join(builtin_protocols())}) or a protocol YAML "
                f"file (default {DEFAULT_PROTOCOL})"
            ),
        )
        parser.add_argument(
            "--as-of",
            dest="as_of",
            metavar="YYYY-MM-DD",
            help="evaluate as the record stood on this date (default today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_date(options["as_of"]) if options["as_of"] is not None else None
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}", returncode=BAD_INPUT) from None
        try:
            data = _read_json(options["file"])
            chronology, example_as_of = parse_document(data)
            protocol = load_protocol(options["protocol"])
        except InputError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        evaluation = evaluate(chronology, protocol, as_of or example_as_of)
        self.stdout.write(json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False))


def _read_json(name: str) -> Any:
    """Read and decode the chronology; every failure becomes an InputError naming the file."""
    label = "stdin" if name == "-" else name
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise InputError([f"{label}: cannot read: {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([f"{label}: not UTF-8 text"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            [f"{label}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"]
        ) from None
