"""The evaluator's semantics (contracts.md section 4), one behaviour per test."""

from __future__ import annotations

from datetime import date

from maca.chronology.engine import (
    Status,
    evaluate,
    load_protocol,
    parse_chronology,
    today_in_london,
)
from maca.chronology.engine.evaluate import summarise
from tests.chronology.chronology_support import chronology, ev, only, results_for, run

RESULT_KEYS = ["rule", "question", "incident", "status", "started", "due", "done", "explanation"]


def test_contract_output_example() -> None:
    doc = {
        "child": {"ref": "Child A", "date_of_birth": "2021-11-02", "non_mobile": True},
        "events": [
            ev("2022-01-10T09:30", "injury_observed", agency="health-visiting", incident="1"),
            ev("2022-01-10T11:00", "referral", agency="health-visiting", incident="1"),
            ev("2022-01-10T16:00", "referral_decision", agency="csc"),
            ev("2022-01-11", "strategy_discussion", agency="csc", siblings_considered=True),
            ev("2022-01-11", "cp_medical", agency="paediatrics", incident="1"),
        ],
    }
    output = run(doc, "2022-03-31").to_dict()
    assert list(output) == ["protocol", "child", "as_of", "results", "questions"]
    assert (output["protocol"], output["child"], output["as_of"]) == (
        "injuries-in-non-mobile-babies",
        "Child A",
        "2022-03-31",
    )
    assert output["results"][0] == {
        "rule": "referral-same-day",
        "question": "q1",
        "incident": "1",
        "status": "met",
        "started": "2022-01-10T09:30",
        "due": "2022-01-10",
        "done": "2022-01-10T11:00",
        "explanation": "Referred 1 h 30 min after the injury was seen (due the same day).",
    }
    assert all(list(result) == RESULT_KEYS for result in output["results"])
    assert output["questions"][0] == {
        "question": "q1",
        "status": "met",
        "rules": ["referral-same-day"],
    }
    # The medical was the next day: late for a same-day rule.
    medical = next(r for r in output["results"] if r["rule"] == "cp-medical-same-day")
    assert (medical["status"], medical["due"]) == ("late", "2022-01-10")


def test_events_after_as_of_are_ignored() -> None:
    doc = chronology(ev("2022-01-10T09:00", "referral"), ev("2022-01-12", "referral_decision"))
    assert only(run(doc, "2022-01-10"), "referral-decision-1wd")["status"] == "pending"
    assert only(run(doc, "2022-01-11"), "referral-decision-1wd")["status"] == "pending"
    assert only(run(doc, "2022-01-12"), "referral-decision-1wd")["status"] == "late"
    # A start after as_of starts nothing.
    assert run(doc, "2022-01-09").to_dict()["results"] == []


def test_missing_only_once_the_due_date_has_passed() -> None:
    doc = chronology(ev("2022-01-10T09:00", "referral"))
    due_day = only(run(doc, "2022-01-11"), "referral-decision-1wd")
    assert (due_day["due"], due_day["status"]) == ("2022-01-11", "pending")
    after = only(run(doc, "2022-01-12"), "referral-decision-1wd")
    assert after["status"] == "missing"
    assert after["done"] is None
    assert after["explanation"] == (
        "No referral decision recorded; it was due by 11 January 2022 "
        "(1 working day after the referral)."
    )


def test_as_of_defaults_to_today() -> None:
    evaluation = evaluate(parse_chronology(chronology()), load_protocol())
    assert evaluation.as_of == today_in_london()


def test_every_start_starts_a_clock_and_one_stop_closes_several() -> None:
    doc = chronology(
        ev("2022-01-11T10:00", "referral"),
        ev("2022-01-10T10:00", "referral"),
        ev("2022-01-11T12:00", "referral_decision"),
    )
    found = results_for(run(doc, "2022-03-31"), "referral-decision-1wd")
    # Ordered by clock start, not input order; the one decision closes both clocks.
    assert [(r["started"], r["status"], r["done"]) for r in found] == [
        ("2022-01-10T10:00", "met", "2022-01-11T12:00"),
        ("2022-01-11T10:00", "met", "2022-01-11T12:00"),
    ]


def test_a_stop_before_the_start_does_not_close_the_clock() -> None:
    doc = chronology(
        ev("2022-01-10T09:00", "referral_decision"), ev("2022-01-10T10:00", "referral")
    )
    assert only(run(doc, "2022-03-31"), "referral-decision-1wd")["status"] == "missing"


def test_date_only_start_is_the_start_of_its_day() -> None:
    doc = chronology(ev("2022-01-10", "referral"), ev("2022-01-10T00:05", "referral_decision"))
    result = only(run(doc, "2022-03-31"), "referral-decision-1wd")
    assert (result["status"], result["done"]) == ("met", "2022-01-10T00:05")
    assert result["explanation"] == (
        "Referral decision made on the day of the referral "
        "(due within 1 working day, by 11 January 2022)."
    )


def test_date_only_stop_on_the_start_date_counts_as_after_the_start() -> None:
    doc = chronology(
        ev("2022-01-10T23:30", "injury_observed", incident="1"),
        ev("2022-01-10", "referral", incident="1"),
    )
    result = only(run(doc, "2022-03-31"), "referral-same-day")
    assert (result["status"], result["done"]) == ("met", "2022-01-10")
    assert result["explanation"] == ("Referred on the day the injury was seen (due the same day).")


def test_per_incident_rules_run_once_per_incident_from_the_earliest_start() -> None:
    doc = chronology(
        ev("2022-02-01T10:00", "injury_observed", incident=2),
        ev("2022-01-10T15:00", "injury_observed", incident="1"),
        ev("2022-01-10T09:00", "injury_observed", incident=1),
        ev("2022-01-10T16:00", "referral", incident="1"),
        ev("2022-02-01T11:00", "referral", incident="2"),
    )
    found = results_for(run(doc, "2022-03-31"), "referral-same-day")
    assert [(r["incident"], r["started"], r["status"]) for r in found] == [
        ("1", "2022-01-10T09:00", "met"),
        ("2", "2022-02-01T10:00", "met"),
    ]
    assert found[0]["explanation"] == "Referred 7 h after the injury was seen (due the same day)."


def test_a_stop_for_another_incident_does_not_count() -> None:
    doc = chronology(
        ev("2022-01-10T09:00", "injury_observed", incident="1"),
        ev("2022-01-10T10:00", "referral", incident="2"),
    )
    result = results_for(run(doc, "2022-03-31"), "referral-same-day")[0]
    assert (result["incident"], result["status"]) == ("1", "missing")


def test_an_event_without_an_incident_matches_any_incident() -> None:
    doc = chronology(
        ev("2022-01-10T09:00", "injury_observed", incident="1"),
        ev("2022-01-10T10:00", "referral"),
    )
    assert only(run(doc, "2022-03-31"), "referral-same-day")["status"] == "met"


def test_fallback_start_for_an_incident_never_referred() -> None:
    doc = chronology(
        ev("2022-01-10T09:00", "injury_observed", incident="1"),
        ev("2022-01-10T10:00", "referral", incident="1"),
        ev("2022-01-10T15:00", "cp_medical", incident="1"),
        ev("2022-01-20T09:00", "injury_observed", incident="2"),
    )
    found = results_for(run(doc, "2022-03-31"), "cp-medical-same-day")
    assert [(r["incident"], r["started"], r["due"], r["status"]) for r in found] == [
        ("1", "2022-01-10T10:00", "2022-01-10", "met"),
        ("2", "2022-01-20T09:00", "2022-01-20", "missing"),
    ]
    assert found[1]["explanation"] == (
        "No child protection medical recorded; it was due on 20 January 2022, "
        "the day the injury was seen."
    )


def test_no_fallback_clock_when_an_unnamed_referral_could_cover_the_incident() -> None:
    doc = chronology(
        ev("2022-01-10T09:00", "injury_observed", incident="1"),
        ev("2022-01-10T10:00", "referral"),
    )
    found = results_for(run(doc, "2022-03-31"), "cp-medical-same-day")
    assert [(r["incident"], r["started"]) for r in found] == [(None, "2022-01-10T10:00")]


def test_not_done_event_gives_reason_recorded_whatever_the_date() -> None:
    doc = chronology(
        ev("2022-01-10T10:00", "referral"),
        ev("2022-01-20", "strategy_discussion_not_held", reason="paediatrician found a birthmark."),
        ev("2022-01-21", "strategy_discussion"),
    )
    result = only(run(doc, "2022-03-31"), "strategy-discussion-1wd")
    assert (result["status"], result["due"], result["done"]) == (
        "reason_recorded",
        "2022-01-11",
        "2022-01-20",
    )
    assert result["explanation"] == (
        "Decision not to hold a strategy discussion recorded on 20 January 2022, "
        "with the reason: paediatrician found a birthmark."
    )


def test_stop_wins_a_tie_with_not_done() -> None:
    for at in ("2022-01-10T12:00", "2022-01-10"):
        doc = chronology(
            ev("2022-01-10T10:00", "referral"),
            ev(at, "strategy_discussion_not_held"),
            ev(at, "strategy_discussion"),
        )
        result = only(run(doc, "2022-03-31"), "strategy-discussion-1wd")
        assert (result["status"], result["done"]) == ("met", at)


def test_the_earlier_of_stop_and_not_done_closes_the_clock() -> None:
    doc = chronology(
        ev("2022-01-10T10:00", "referral"),
        ev("2022-01-10T11:00", "strategy_discussion_not_held"),
        ev("2022-01-10T12:00", "strategy_discussion"),
    )
    assert only(run(doc, "2022-03-31"), "strategy-discussion-1wd")["status"] == "reason_recorded"


def test_late_stop() -> None:
    doc = chronology(
        ev("2022-04-07", "section47_started"), ev("2022-05-04", "icpc", outcome="no_plan")
    )
    result = only(run(doc, "2022-05-31"), "icpc-15wd")
    assert (result["status"], result["due"]) == ("late", "2022-05-03")
    assert result["explanation"] == (
        "Initial child protection conference held on 4 May 2022, 16 working days after the "
        "section 47 enquiry started: late, as it was due within 15 working days, by 3 May 2022."
    )


def test_rules_needing_a_plan_start_only_on_plan() -> None:
    doc = chronology(ev("2022-04-04", "icpc", outcome="no_plan"), ev("2022-05-04", "icpc"))
    assert results_for(run(doc, "2022-12-31"), "core-group-10wd") == []
    doc = chronology(ev("2022-04-04", "icpc", outcome="plan"))
    assert [r["due"] for r in results_for(run(doc, "2022-12-31"), "review-conference-3m")] == [
        "2022-07-04"
    ]


def test_mobile_child_rules_are_not_applicable() -> None:
    doc = chronology(
        ev("2022-01-10T09:00", "injury_observed"),
        ev("2022-01-10T10:00", "referral"),
        ev("2022-01-10T11:00", "strategy_discussion"),
        non_mobile=False,
    )
    output = run(doc, "2022-03-31").to_dict()
    statuses = {r["rule"]: (r["status"], r["due"], r["done"]) for r in output["results"]}
    for rule in ("referral-same-day", "strategy-discussion-1wd", "cp-medical-same-day"):
        assert statuses[rule] == ("not_applicable", None, None)
    assert statuses["referral-decision-1wd"][0] == "missing"
    assert output["results"][0]["explanation"] == (
        "Not applicable: this rule covers non-mobile children only, "
        "and the child is recorded as mobile."
    )


def test_non_mobile_is_the_default() -> None:
    doc = chronology(ev("2022-01-10T09:00", "injury_observed"), non_mobile=None)
    assert only(run(doc, "2022-03-31"), "referral-same-day")["status"] == "missing"


def test_rules_that_never_start_give_no_result() -> None:
    output = run(chronology(ev("2022-01-10", "escalation")), "2022-03-31").to_dict()
    assert output["results"] == [] and output["questions"] == []


def test_results_follow_rule_order_then_start_then_input_order() -> None:
    doc = chronology(
        ev("2022-01-12", "referral", id="b"),
        ev("2022-01-10", "section47_started"),
        ev("2022-01-12", "referral", id="c"),
        ev("2022-01-11", "referral", id="a"),
    )
    output = run(doc, "2022-03-31").to_dict()
    assert [r["rule"] for r in output["results"]] == [
        "referral-decision-1wd",
        "referral-decision-1wd",
        "referral-decision-1wd",
        "strategy-discussion-1wd",
        "strategy-discussion-1wd",
        "strategy-discussion-1wd",
        "cp-medical-same-day",
        "icpc-15wd",
        "assessment-45wd",
        "assessment-45wd",
        "assessment-45wd",
    ]
    assert [r["started"] for r in output["results"][:3]] == [
        "2022-01-11",
        "2022-01-12",
        "2022-01-12",
    ]


def test_question_status_is_the_worst_of_its_results() -> None:
    doc = chronology(
        ev("2022-03-01", "section47_started"),
        ev("2022-03-02", "icpc", outcome="plan"),
        ev("2022-03-03", "core_group"),
        ev("2022-03-01", "second_opinion_requested"),
    )
    q3 = run(doc, "2022-04-30").to_dict()["questions"]
    assert q3 == [
        {
            "question": "q3",
            "status": "missing",
            "rules": ["second-opinion-5wd", "icpc-15wd", "core-group-10wd", "review-conference-3m"],
        }
    ]


def test_worst_status_order() -> None:
    assert [str(s) for s in Status] == [
        "missing",
        "late",
        "pending",
        "reason_recorded",
        "met",
        "not_applicable",
    ]
    from maca.chronology.engine import Result

    def result(status: Status, rule: str = "r") -> Result:
        return Result(rule, "q", None, status, "2022-01-01", date(2022, 1, 1), None, "")

    for worse, better in zip(list(Status), list(Status)[1:], strict=False):
        (summary,) = summarise([result(better), result(worse, "s")])
        assert summary.status is worse
        assert summary.rules == ("r", "s")


def test_elapsed_time_is_real_time_across_the_clock_change() -> None:
    # Clocks went forward at 01:00 on 27 March 2022: 00:30 to 03:00 is 1 h 30 min.
    doc = chronology(ev("2022-03-27T00:30", "injury_observed"), ev("2022-03-27T03:00", "referral"))
    assert only(run(doc, "2022-03-31"), "referral-same-day")["explanation"] == (
        "Referred 1 h 30 min after the injury was seen (due the same day)."
    )


def test_utc_offset_moves_the_due_date_with_the_london_date() -> None:
    # 23:30 UTC on 20 June is 00:30 on 21 June in London: a referral then is a day late.
    doc = chronology(ev("2022-06-20T22:00", "injury_observed"), ev("2022-06-20T23:30Z", "referral"))
    result = only(run(doc, "2022-06-30"), "referral-same-day")
    assert (result["status"], result["done"]) == ("late", "2022-06-20T23:30Z")
    assert result["explanation"] == (
        "Referred on 21 June 2022, 2 h 30 min after the injury was seen: late, as it was due "
        "the same day (20 June 2022)."
    )


def test_pending_explanation() -> None:
    doc = chronology(ev("2022-05-10T10:00", "referral"))
    result = only(run(doc, "2022-05-31"), "assessment-45wd")
    assert result["explanation"] == (
        "No authorised assessment recorded by 31 May 2022; it is due by 14 July 2022 "
        "(45 working days after the referral)."
    )
