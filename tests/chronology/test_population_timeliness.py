"""Whole-population timeliness from the pool, beside the audited cases."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from maca.chronology import services as chronology_services
from maca.chronology.population import (
    MEASURES,
    Share,
    audit_timeliness,
    measure_share,
    pool_dates,
)
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
    icpc = next(m for m in MEASURES if m.rule == "icpc-15wd")
    dates = pool_dates(child["events"] for child in children)
    share = measure_share(dates, icpc, WINDOW, today=dt.date(2022, 12, 31))
    assert (share.met, share.counted, share.percent) == (1, 3, 33)


def test_an_enquiry_whose_conference_was_deemed_unnecessary_is_not_counted_as_missed():
    children = [
        _child(("s47_start", "2022-06-02"), ("icpc_not_required", "2022-06-02")),
        _child(("s47_start", "2022-06-02")),  # no conference and no reason: missed
        _child(("s47_start", "2022-06-02"), ("icpc", "2022-06-10")),
        # A later enquiry that needed no conference does not excuse the earlier one.
        _child(
            ("s47_start", "2022-03-01"),
            ("s47_start", "2022-09-01"),
            ("icpc_not_required", "2022-09-01"),
        ),
    ]
    icpc = next(m for m in MEASURES if m.rule == "icpc-15wd")
    dates = pool_dates(child["events"] for child in children)
    share = measure_share(dates, icpc, WINDOW, today=dt.date(2022, 12, 31))
    assert (share.met, share.counted) == (1, 3)


def test_the_timeliness_page_shows_every_child_beside_the_audited_cases(
    world, client, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
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
    icpc = next(r for r in rows if "section 47" in r.label)
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
    st.lists(st.dates(dt.date(1850, 1, 1), dt.date(2250, 12, 31)), min_size=1, max_size=40),
    st.one_of(st.integers(-60, 60), st.integers(-5000, 5000)),
)
def test_vectorised_working_days_agree_with_the_engine(starts, days):
    """The vectorised table lookup lands on numpy's `busday_offset` day, backwards too."""
    from maca.chronology.engine import add_working_days, add_working_days_many

    assert add_working_days_many(starts, days) == [add_working_days(s, days) for s in starts]


# --- referral decisions and first reviews, with the vectorised measures ---------------------

REFERRAL = next(m for m in MEASURES if m.rule == "referral-decision-1wd")
REVIEW = next(m for m in MEASURES if m.rule == "review-conference-3m")


def _dates(children: list[list[dict]]) -> dict:
    return pool_dates(children)


def _ev(kind: str, date: str, **extra) -> dict:
    return {"kind": kind, "date": date, **extra}


def test_a_referral_is_decided_within_one_working_day_across_weekends_and_the_jubilee():
    children = [
        # Thursday 2 June 2022 is a bank holiday (the Jubilee): it counts from Wednesday 1 June,
        # so the decision is due on Monday 6 June (Friday 3 June is a bank holiday too).
        [_ev("referral", "2022-06-02"), _ev("referral_decision", "2022-06-06")],  # met
        [_ev("referral", "2022-06-02"), _ev("referral_decision", "2022-06-07")],  # late
        # Friday 10 June: due Monday 13 June, over the weekend.
        [_ev("referral", "2022-06-10"), _ev("referral_decision", "2022-06-13")],  # met
        [_ev("referral", "2022-06-10"), _ev("referral_decision", "2022-06-14")],  # late
        # Saturday 11 June counts from Friday 10 June: due Monday 13 June.
        [_ev("referral", "2022-06-11"), _ev("referral_decision", "2022-06-13")],  # met
        [_ev("referral", "2022-06-01")],  # never decided, long overdue: late
        [_ev("referral", "2022-12-30")],  # due 3 January 2023, after "today": not counted
        [_ev("referral", "2021-12-31"), _ev("referral_decision", "2021-12-31")],  # before window
    ]
    share = measure_share(_dates(children), REFERRAL, WINDOW, dt.date(2022, 12, 31))
    assert (share.met, share.counted) == (3, 6)


def test_a_pool_without_any_decision_dates_has_no_referral_figure():
    # Ofsted's List 3 has no decision column: no figure at all, rather than 0%.
    children = [[_ev("referral", "2022-03-01")], [_ev("referral", "2022-12-30")]]
    share = measure_share(_dates(children), REFERRAL, WINDOW, dt.date(2022, 12, 31))
    assert (share.met, share.counted) == (0, 0)
    # Once some referrals have one, an undecided referral that is due counts as late.
    children.append([_ev("referral", "2022-05-03"), _ev("referral_decision", "2022-05-04")])
    share = measure_share(_dates(children), REFERRAL, WINDOW, dt.date(2022, 12, 31))
    assert (share.met, share.counted) == (1, 2)


def test_first_review_within_three_months_clamped_to_the_month_end():
    children = [
        # 31 January + 3 months = 30 April (clamped): a review on 30 April is in time.
        [_ev("cp_plan_start", "2022-01-31"), _ev("cp_review", "2022-04-30")],
        # From the CIN census (every review known): the first on 2 May is late.
        [_ev("cp_plan_start", "2022-01-31"), _ev("cp_review", "2022-05-02")],
        # From Annex A List 7 (only the latest review known): an earlier one may have been in
        # time, so a late latest review is not counted either way...
        [_ev("cp_plan_start", "2022-01-31"), _ev("cp_review", "2022-08-02", latest=True)],
        # ...but an in-time latest review means the first was in time too.
        [_ev("cp_plan_start", "2022-02-15"), _ev("cp_review", "2022-05-10", latest=True)],
        # The plan ended before its review was due, without one: not counted.
        [_ev("cp_plan_start", "2022-03-15"), _ev("cp_plan_end", "2022-04-01")],
        # The plan ended after its due date with no review: late.
        [_ev("cp_plan_start", "2022-02-01"), _ev("cp_plan_end", "2022-06-01")],
        # A review after the plan ended belongs to a later plan: this one had none, late.
        [
            _ev("cp_plan_start", "2022-02-01"),
            _ev("cp_plan_end", "2022-06-01"),
            _ev("cp_plan_start", "2022-09-01"),
            _ev("cp_review", "2022-10-01"),
        ],
        # A conference on the plan's first day is the ICPC, not its review: no review, late.
        [_ev("cp_plan_start", "2022-04-04"), _ev("cp_review", "2022-04-04")],
        # Due 28 February 2023, after "today": still running, not counted.
        [_ev("cp_plan_start", "2022-11-30")],
    ]
    share = measure_share(_dates(children), REVIEW, WINDOW, dt.date(2022, 12, 31))
    # met: 1st, 4th, and the later plan of the 7th (1 September, reviewed 1 October)
    assert (share.met, share.counted) == (3, 7)


def _first(events, start, kind, strictly):
    days = sorted(
        (dt.date.fromisoformat(x["date"]), kind == "cp_review" and bool(x.get("latest")))
        for x in events
        if x["kind"] == kind
    )
    return next(((d, lt) for d, lt in days if d > start or (d == start and not strictly)), None)


def _reference_share(children, measure, window, today):
    """The plain-Python statement of the rules, one clock at a time."""
    met = counted = 0
    for events in children:
        for e in events:
            if e["kind"] != measure.start:
                continue
            start = dt.date.fromisoformat(e["date"])
            if not window[0] <= start <= window[1]:
                continue
            due = measure.timescale.due(start)

            if measure.stop_optional and not any(
                x["kind"] == measure.stop for evs in children for x in evs
            ):
                return 0, 0
            stop = _first(events, start, measure.stop, measure.strictly_after)
            end = _first(events, start, measure.ended_by, False) if measure.ended_by else None
            if stop and end and stop[0] > end[0]:
                stop = None
            if stop is None and end is not None and end[0] <= due:
                continue
            if stop is None and due >= today:
                continue
            if stop is not None and stop[0] > due and stop[1]:
                continue
            counted += 1
            met += stop is not None and stop[0] <= due
    return met, counted


_day = st.dates(dt.date(2021, 10, 1), dt.date(2023, 3, 31)).map(dt.date.isoformat)
_event = st.builds(
    lambda kind, date, latest: _ev(kind, date, **({"latest": True} if latest else {})),
    st.sampled_from(
        [
            "referral",
            "referral_decision",
            "s47_start",
            "icpc",
            "cp_plan_start",
            "cp_review",
            "cp_plan_end",
            "assessment_authorised",
        ]
    ),
    _day,
    st.booleans(),
)


@given(
    st.lists(st.lists(_event, max_size=8), max_size=25),
    st.dates(dt.date(2022, 1, 1), dt.date(2023, 6, 30)),
)
def test_the_vectorised_measures_agree_with_the_rules_one_clock_at_a_time(children, today):
    dates = _dates(children)
    for measure in MEASURES:
        share = measure_share(dates, measure, WINDOW, today)
        assert (share.met, share.counted) == _reference_share(children, measure, WINDOW, today)


@given(
    st.lists(st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)), max_size=40), st.integers(0, 40)
)
def test_vectorised_months_agree_with_the_engine(starts, months):
    from maca.chronology.engine import add_months, add_months_array

    result = add_months_array(np.array(starts, dtype="datetime64[D]"), months)
    assert [d.astype(object) for d in result] == [add_months(s, months) for s in starts]


def test_imported_decisions_and_reviews_reach_the_timeliness_page(
    world, client, settings, tmp_path
):
    """An Annex A List 3 CSV with the councils' extra decision column, and a List 7 CSV."""
    from maca.sampling import services as sampling_services

    settings.DATA_DIR = tmp_path
    audit = world.audit(status="auditing", cases=[("csc",)])
    list3 = (
        "Child Unique ID,Gender,Ethnicity,Date of Birth,Age,Date of Referral,"
        "Date of Referral Decision,Referral Source,Referral NFA?\n"
        "R1,a) Male,a) WBRI,01/01/2020,2,02/06/2022,06/06/2022,a) Police,No\n"
        "R2,a) Male,a) WBRI,01/01/2020,2,10/06/2022,14/06/2022,a) Police,No\n"
        "R3,a) Male,a) WBRI,01/01/2020,2,13/06/2022,,a) Police,No\n"
    )
    list7 = (
        "Child Unique ID,Gender,Ethnicity,Date of Birth,Age,Child Protection Plan Start Date,"
        "Initial Category of Abuse,Latest Category of Abuse,Date of latest review conference,"
        "Child Protection Plan End Date\n"
        "P1,a) Male,a) WBRI,01/01/2020,2,31/01/2022,a) Neglect,a) Neglect,29/04/2022,\n"
        "P2,a) Male,a) WBRI,01/01/2020,2,31/01/2022,a) Neglect,a) Neglect,,\n"
        "P3,a) Male,a) WBRI,01/01/2020,2,31/01/2022,a) Neglect,a) Neglect,01/09/2022,\n"
    )
    for name, text in (("Annex A List 3.csv", list3), ("Annex A List 7.csv", list7)):
        sampling_services.pool_import(
            actor=None,
            partnership=world.partnership,
            source=io.BytesIO(text.encode()),
            filename=name,
            today=dt.date(2026, 11, 26),
        )
    # The import has already read the pool's dates into a file named after its state.
    from maca.chronology.population import _cache_path

    assert _cache_path(world.partnership.pk).exists()
    reviews = [e for c in PoolChild.objects.all() for e in c.events if e["kind"] == "cp_review"]
    assert sorted((e["date"], e.get("latest")) for e in reviews) == [
        ("2022-04-29", True),
        ("2022-09-01", True),
    ]
    rows = {r.label: r.population for r in audit_timeliness(audit, today=dt.date(2023, 1, 1))}
    assert rows[REFERRAL.label] == Share(1, 3)
    assert rows[REVIEW.label] == Share(1, 2)  # P3's late latest review is not counted
    verified_login(client, world.users["admin"])
    page = client.get(reverse("audits:timeliness", args=[audit.reference])).content.decode()
    assert "Referral decided within 1 working day" in page and "33% (1 of 3)" in page
    assert "50% (1 of 2)" in page
    # The import read the pool's dates into a file, which the page reads...
    assert len(list((tmp_path / "cache").glob("pool-dates-*.npz"))) == 1
    # ...and a change to the pool is seen at once.
    child = next(
        c for c in PoolChild.objects.all() if any(e["date"] == "2022-09-01" for e in c.events)
    )
    child.events = [e for e in child.events if e["kind"] != "cp_review"]
    child.save()
    rows = {r.label: r.population for r in audit_timeliness(audit, today=dt.date(2023, 1, 1))}
    assert rows[REVIEW.label] == Share(1, 3)


@given(st.lists(st.lists(_event, max_size=6), max_size=20), st.integers(1, 5))
def test_reading_the_dates_in_small_chunks_gives_the_same_arrays(children, chunk):
    from maca.chronology.engine import population

    whole = pool_dates(children)
    saved = population._CHUNK_EVENTS
    population._CHUNK_EVENTS = chunk
    try:
        chunked = pool_dates(children)
    finally:
        population._CHUNK_EVENTS = saved
    for kind, dates in whole.items():
        other = chunked[kind]
        assert dates.child.tolist() == other.child.tolist()
        assert dates.day.tolist() == other.day.tolist()
        assert dates.latest.tolist() == other.latest.tolist()


def test_clocks_starting_in_the_period_count_even_when_they_stop_the_next_year(
    world, settings, tmp_path
):
    """Clocks starting in the period count, even when they stop the next year; others do not."""
    settings.DATA_DIR = tmp_path
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
    icpc = next(
        r for r in audit_timeliness(audit, today=dt.date(2024, 1, 1)) if "section 47" in r.label
    )
    assert (icpc.population.met, icpc.population.counted) == (1, 1)
