"""Reads about partnerships."""

from __future__ import annotations

from maca.partnerships.models import Partnership


class PartnershipNotChosen(Exception):
    """A command needs `--partnership` (several exist) or named one that does not exist."""


def partnership_for_command(slug: str | None) -> Partnership:
    """The partnership a command acts on: the named one, or the only one there is."""
    qs = Partnership.objects.all()
    if slug:
        qs = qs.filter(slug=slug)
    found = list(qs[:2])
    if len(found) != 1:
        raise PartnershipNotChosen(
            "Name the partnership with --partnership SLUG." if found else "No such partnership."
        )
    return found[0]
