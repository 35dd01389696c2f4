"""1,000 interleaved saves on editable records, through the services, by people holding
stale versions: each save is either applied (and was based on the latest version) or refused
with a conflict that changed nothing. No lost update (docs/adr/0004)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from maca.core.errors import ConflictError
from maca.findings import services as finding_services
from maca.findings.models import Finding
from maca.returns import services as return_services
from maca.returns.models import AgencyReturn

SAVES = 1000


@dataclass
class Record:
    """One editable record and how to save it, read it and read its version."""

    name: str
    save: Callable[[int, str], None]
    read: Callable[[], tuple[int, str]]


def _records(world) -> list[Record]:
    audit = world.audit(status="auditing", cases=[("csc", "police"), ("csc",)])
    csc = world.actor("csc")
    records = []
    for ret in AgencyReturn.objects.filter(case__audit=audit, agency__slug="csc"):

        def save(version: int, text: str, ret: AgencyReturn = ret) -> None:
            return_services.return_save(
                actor=csc,
                ret=ret,
                data=return_services.ReturnInput(strengths=text),
                expected_version=version,
            )

        def read(pk: int = ret.pk) -> tuple[int, str]:
            row = AgencyReturn.objects.values_list("version", "strengths").get(pk=pk)
            return row[0], row[1]

        records.append(Record(f"return {ret.pk}", save, read))

    moderated = world.audit("moderated", status="moderation", cases=[("csc",)])
    chair = world.actor("chair")
    finding = finding_services.finding_save(
        actor=chair, audit=moderated, data=finding_services.FindingInput("good_practice", "first")
    )

    def save_finding(version: int, text: str) -> None:
        finding_services.finding_save(
            actor=chair,
            audit=moderated,
            data=finding_services.FindingInput("good_practice", text),
            finding_id=finding.pk,
            expected_version=version,
        )

    def read_finding() -> tuple[int, str]:
        row = Finding.objects.values_list("version", "text").get(pk=finding.pk)
        return row[0], row[1]

    records.append(Record("finding", save_finding, read_finding))
    return records


def test_a_thousand_interleaved_stale_saves_lose_no_update(world):
    rng = random.Random(4)
    records = _records(world)
    # Three people per record, each holding the version they last loaded.
    held = {(r.name, p): r.read()[0] for r in records for p in range(3)}
    applied = refused = 0
    for n in range(SAVES):
        record = rng.choice(records)
        person = rng.randrange(3)
        if rng.random() < 0.3:  # someone reloads the page first
            held[(record.name, person)] = record.read()[0]
        before = record.read()
        based_on = held[(record.name, person)]
        text = f"save {n} by {person}"
        try:
            record.save(based_on, text)
        except ConflictError:
            refused += 1
            assert based_on != before[0], "a save based on the latest version was refused"
            assert record.read() == before, "a refused save changed the record"
        else:
            applied += 1
            assert based_on == before[0], "a stale save was applied: a lost update"
            assert record.read() == (before[0] + 1, text)
            held[(record.name, person)] = before[0] + 1
    assert applied + refused == SAVES
    assert applied > 100 and refused > 100  # both outcomes really were exercised
