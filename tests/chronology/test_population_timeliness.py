"""Whole-population timeliness from the pool, beside the audited cases."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from maca.chronology import services as chronology_services
from maca.chronology.population import audit_timeliness, pool_share
from maca.sampling.models import PoolChild
from tests.conftest import verified_login

WINDOW = (dt.date(2022, 1, 1), dt.date(2022, 12, 31))


def _child(*events: tuple[str, str]) -> dict:
    return {"events": [{"kind": k, "date": d} for k, d in events]}


def test_working_days_decide_in_time_and_running_clocks_are_not_counted():
    children = [
        _child(
            ("s47_start", "2022-06-02"), ("icpc", "2022-06-24")
        ),  # 15 wd across the Jubilee: in time
        _child(("s47_start", "2022-06-02"), ("icpc", "2022-06-27")),  # one day late
        _child(("s47_start", "2022-06-02")),  # never held: not met
        _child(("s47_start", "2021-12-01"), ("icpc", "2021-12-10")),  # outside the window
        _child(("s47_start", "2022-12-20")),  # still running on 'today'
    ]
    share = pool_share(children, "s47_start", "icpc", 15, WINDOW, today=dt.date(2022, 12, 31))
    assert (share.met, share.counted, share.percent) == (1, 3, 33)


def test_the_timeliness_page_shows_every_child_beside_the_audited_cases(world, client):
    audit = world.audit(status="auditing", cases=[("csc",)])
    for i in range(4):
        PoolChild.objects.create(
            partnership=world.partnership,
            pseudo_id=f"{i:064d}",
            events=[
                {"kind": "s47_start", "date": "2022-03-01"},
                {"kind": "icpc", "date": "2022-03-10" if i < 3 else "2022-05-01"},
            ],
        )
    case = audit.cases.get()
    chronology_services.events_add(
        actor=world.actor("csc"),
        case=case,
        agency=world.agencies["csc"],
        events=[
            chronology_services.EventInput("section47_started", dt.date(2022, 3, 1)),
            chronology_services.EventInput(
                "icpc", dt.date(2022, 4, 20), details={"outcome": "no_plan"}
            ),
        ],
    )
    rows = audit_timeliness(audit, today=dt.date(2023, 1, 1))
    icpc = rows[0]
    assert (icpc.population.met, icpc.population.counted) == (3, 4)
    assert (icpc.sample.met, icpc.sample.counted) == (0, 1)
    verified_login(client, world.users["admin"])
    timeliness = reverse("audits:timeliness", args=[audit.reference])
    assert (
        timeliness in client.get(reverse("audits:detail", args=[audit.reference])).content.decode()
    )
    page = client.get(timeliness).content.decode()
    assert "75% (3 of 4)" in page and "0% (0 of 1)" in page
    verified_login(client, world.users["csc"])
    assert timeliness not in (
        client.get(reverse("audits:detail", args=[audit.reference])).content.decode()
    )
    assert client.get(timeliness).status_code == 404


@given(
    st.lists(st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)), min_size=1, max_size=40),
    st.integers(0, 60),
)
def test_vectorised_working_days_agree_with_the_engine(starts, days):
    from maca.chronology.engine import add_working_days, add_working_days_many

    assert add_working_days_many(starts, days) == [add_working_days(s, days) for s in starts]


def test_the_pool_is_narrowed_by_the_database_without_losing_a_clock(world):
    """Clocks starting in the period count, even when they stop the next year; others do not."""
    audit = world.audit(status="auditing", cases=[("csc",)])  # period: the whole of 2022
    for i, events in enumerate(
        [
            [{"kind": "s47_start", "date": "2022-12-30"}, {"kind": "icpc", "date": "2023-01-05"}],
            [{"kind": "s47_start", "date": "2021-12-30"}, {"kind": "icpc", "date": "2022-01-05"}],
            [{"kind": "referral", "date": "2022-03-01"}, {"kind": "icpc", "date": "2022-03-05"}],
        ]
    ):
        PoolChild.objects.create(
            partnership=world.partnership, pseudo_id=f"{i:064d}", events=events
        )
    icpc = audit_timeliness(audit, today=dt.date(2024, 1, 1))[0]
    assert (icpc.population.met, icpc.population.counted) == (1, 1)
