"""The `maca` console script: Django's manage.py plus the project's own commands."""

from __future__ import annotations

import os
import sys

# Commands that must run with no environment variables and never open the database.
NO_ENV_COMMANDS = {"evaluate", "check-disclosure"}


def main(argv: list[str] | None = None) -> None:
    """Run a management command; `maca demo` and the no-environment commands relax secrets."""
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    command = argv[1] if len(argv) > 1 else ""
    if command == "demo":
        os.environ.setdefault("MACA_RELAXED_ENV", "demo")
    elif command in NO_ENV_COMMANDS or command in {"", "help", "--help", "-h"} or "--help" in argv:
        os.environ.setdefault("MACA_RELAXED_ENV", "no-env")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
