"""The one error family the engine raises for input a user must fix."""

from __future__ import annotations

from collections.abc import Iterable


class InputError(ValueError):
    """Input the engine cannot use; carries every problem found, one message each.

    Messages name where the problem is (`events[3].at: 2022-02-30 is not a date`) so a user can
    fix the file without reading code. `str(error)` joins them one a line.
    """

    def __init__(self, messages: Iterable[str]) -> None:
        self.messages: tuple[str, ...] = tuple(messages) or ("invalid input",)
        super().__init__("\n".join(self.messages))


class ChronologyError(InputError):
    """A chronology file that does not follow contracts.md section 3."""


class ProtocolError(InputError):
    """A protocol that cannot be found or does not follow contracts.md section 4."""
