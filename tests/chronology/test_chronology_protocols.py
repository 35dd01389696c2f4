"""Protocol YAML: the built-in rules, adding a rule by YAML alone, and validation messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from maca.chronology.engine import (
    DEFAULT_PROTOCOL,
    ProtocolError,
    Timescale,
    builtin_protocols,
    load_protocol,
    parse_protocol,
)
from tests.chronology.chronology_support import chronology, ev, only, run

BUILTIN_FILE = builtin_protocols()[DEFAULT_PROTOCOL]

# contracts.md section 4: rule, question, start, fallback, stop, not done, timescale,
# per incident, non-mobile only.
CONTRACT_TABLE = [
    ("referral-same-day", "q1", "injury_observed", None, "referral", None,
     Timescale("same_day"), True, True),
    ("referral-decision-1wd", "q2", "referral", None, "referral_decision", None,
     Timescale("working_days", 1), False, False),
    ("strategy-discussion-1wd", "q4", "referral", None, "strategy_discussion",
     "strategy_discussion_not_held", Timescale("working_days", 1), False, True),
    ("cp-medical-same-day", "q5", "referral", "injury_observed", "cp_medical",
     "cp_medical_not_done", Timescale("same_day"), True, True),
    ("second-opinion-5wd", "q3", "second_opinion_requested", None, "second_opinion_received",
     None, Timescale("working_days", 5), False, False),
    ("icpc-15wd", "q3", "section47_started", None, "icpc", "icpc_not_required",
     Timescale("working_days", 15), False, False),
    ("assessment-45wd", "q3", "referral", None, "assessment_completed", None,
     Timescale("working_days", 45), False, False),
    ("core-group-10wd", "q3", "icpc", None, "core_group", None,
     Timescale("working_days", 10), False, False),
    ("review-conference-3m", "q3", "icpc", None, "review_conference", None,
     Timescale("months", 3), False, False),
]  # fmt: skip


def test_builtin_protocols_are_listed_by_id() -> None:
    assert DEFAULT_PROTOCOL in builtin_protocols()
    for protocol_id, path in builtin_protocols().items():
        assert load_protocol(protocol_id).id == protocol_id == path.stem


def test_builtin_protocol_has_the_contract_rules_in_order() -> None:
    protocol = load_protocol(DEFAULT_PROTOCOL)
    actual = [
        (
            rule.id,
            rule.question,
            rule.start.event,
            rule.fallback.event if rule.fallback else None,
            rule.stop.event,
            rule.not_done.event if rule.not_done else None,
            rule.timescale,
            rule.per_incident,
            rule.non_mobile_only,
        )
        for rule in protocol.rules
    ]
    assert actual[: len(CONTRACT_TABLE)] == CONTRACT_TABLE
    by_id = {rule.id: rule for rule in protocol.rules}
    assert dict(by_id["core-group-10wd"].start.where) == {"outcome": "plan"}
    assert dict(by_id["review-conference-3m"].start.where) == {"outcome": "plan"}


def test_every_builtin_rule_cites_its_source() -> None:
    for rule in load_protocol(DEFAULT_PROTOCOL).rules:
        assert len(rule.source.citation) > 40
        assert rule.source.url is None or rule.source.url.startswith("https://")


def test_protocol_loads_by_path(tmp_path: Path) -> None:
    path = tmp_path / "copy.yaml"
    path.write_text(BUILTIN_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_protocol(str(path)) == load_protocol(DEFAULT_PROTOCOL)
    assert load_protocol(path) == load_protocol(DEFAULT_PROTOCOL)


def test_unknown_protocol_names_the_built_ins() -> None:
    with pytest.raises(ProtocolError) as caught:
        load_protocol("neglect")
    assert str(caught.value) == (
        "unknown protocol 'neglect' (built-in: injuries-in-non-mobile-babies; "
        "or give a YAML file path)"
    )


def test_missing_protocol_file(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError) as caught:
        load_protocol(str(tmp_path / "absent.yaml"))
    assert "absent.yaml: cannot read protocol file" in str(caught.value)


EXTRA_RULES = """
  - id: plan-starts-at-icpc
    question: q3
    start:
      event: icpc
      where:
        outcome: plan
    stop:
      event: plan_started
      where:
        plan: cp
    timescale: same_day
    source:
      citation: DfE children in need census validation, the plan starts on the day of the ICPC.
  - id: later-review-6m
    question: q6
    start: review_conference
    stop: review_conference
    timescale:
      months: 6
    source: Working Together to Safeguard Children 2023, chapter 4, review conferences.
  - id: escalation-answered-14d
    question: q6
    start: escalation
    stop: referral_decision
    timescale:
      calendar_days: 14
    source:
      citation: A local escalation policy.
      url: https://example.org/escalation
"""


def test_a_new_rule_is_added_by_yaml_alone(tmp_path: Path) -> None:
    path = tmp_path / "local.yaml"
    path.write_text(BUILTIN_FILE.read_text(encoding="utf-8") + EXTRA_RULES, encoding="utf-8")
    doc = chronology(
        ev("2022-04-04", "icpc", outcome="plan"),
        ev("2022-04-04", "plan_started", plan="cin"),
        ev("2022-04-05", "plan_started", plan="cp"),
        ev("2022-06-30", "review_conference"),
        ev("2022-12-30", "review_conference"),
        ev("2022-05-01", "escalation"),
        ev("2022-05-16", "referral_decision"),
    )
    evaluation = run(doc, "2023-03-31", protocol=str(path))
    rules = [r["rule"] for r in evaluation.to_dict()["results"]]
    # New rules come after the built-in ones, in file order.
    assert rules == [
        "core-group-10wd",
        "review-conference-3m",
        "plan-starts-at-icpc",
        "later-review-6m",
        "later-review-6m",
        "escalation-answered-14d",
    ]
    plan = only(evaluation, "plan-starts-at-icpc")
    assert (plan["status"], plan["done"]) == ("late", "2022-04-05")  # the cin plan does not count
    first, second = [r for r in evaluation.to_dict()["results"] if r["rule"] == "later-review-6m"]
    assert (first["due"], first["status"], first["done"]) == ("2022-12-30", "met", "2022-12-30")
    assert (second["due"], second["status"]) == ("2023-06-30", "pending")
    escalation = only(evaluation, "escalation-answered-14d")
    assert (escalation["due"], escalation["status"]) == ("2022-05-15", "late")
    assert {
        "question": "q6",
        "status": "late",
        "rules": ["later-review-6m", "escalation-answered-14d"],
    } in evaluation.to_dict()["questions"]


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = text.splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    return hits[occurrence - 1]


def _errors(text: str, name: str = "protocol.yaml") -> tuple[str, ...]:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text, source_name=name)
    return caught.value.messages


def test_validation_names_file_rule_field_and_line() -> None:
    text = BUILTIN_FILE.read_text(encoding="utf-8").replace(
        "    timescale:\n      working_days: 15\n", "    timescale:\n      fortnights: 3\n"
    )
    found = _errors(text)
    line = _line_of(text, "fortnights")
    assert found == (
        "protocol.yaml: rules[5] (icpc-15wd).timescale: expected one of same_day, working_days, "
        f"calendar_days, months (line {line - 1})",
    )


def test_unknown_event_types_in_rules_are_errors() -> None:
    text = BUILTIN_FILE.read_text(encoding="utf-8").replace(
        "    stop: referral_decision\n", "    stop: referral_decided\n"
    )
    (message,) = _errors(text, "mine.yaml")
    assert message.startswith(
        "mine.yaml: rules[1] (referral-decision-1wd).stop: 'referral_decided' is not a known "
        "event type (did you mean 'referral_decision'?) (line "
    )


MINIMAL = """\
id: tiny
name: Tiny
rules:
  - id: r1
    question: q1
    start: referral
    stop: referral_decision
    timescale: same_day
    source: A citation.
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    start: referral\n", "", "protocol.yaml: rules[0] (r1).start: required (line 4)"),
        ("    source: A citation.\n", "", "protocol.yaml: rules[0] (r1).source: required"),
        (
            "same_day",
            "{working_days: 0}",
            "rules[0] (r1).timescale.working_days: expected a whole number of at least 1, got 0"
            " (line 8)",
        ),
        (
            "same_day",
            "{working_days: 2, months: 1}",
            "rules[0] (r1).timescale: expected one of same_day",
        ),
        ("same_day", "soon", "rules[0] (r1).timescale: expected one of same_day"),
        (
            "    start: referral\n",
            "    start: {event: icpc, where: {outcome: maybe}}\n",
            "rules[0] (r1).start.where.outcome: expected one of plan, no_plan (line 6)",
        ),
        (
            "    start: referral\n",
            "    start: {event: referral, where: {outcome: plan}}\n",
            "rules[0] (r1).start.where.outcome: referral events have no outcome",
        ),
        (
            "    start: referral\n",
            "    start: {event: referral, fallback: nope}\n",
            "rules[0] (r1).start.fallback: 'nope' is not a known event type",
        ),
        (
            "    stop: referral_decision\n",
            "    stop: {event: referral_decision, fallback: referral}\n",
            "rules[0] (r1).stop.fallback: unknown key (expected one of event, where)",
        ),
        (
            "    question: q1\n",
            "    question: q1\n    per_incidnet: true\n",
            "rules[0] (r1).per_incidnet: unknown key",
        ),
        (
            "    question: q1\n",
            "    question: q1\n    per_incident: yes please\n",
            "rules[0] (r1).per_incident: expected true or false (line 6)",
        ),
        ("    question: q1\n", "", "rules[0] (r1).question: required (line 4)"),
        (
            "  - id: r1\n",
            "  - id: R 1\n",
            "rules[0] (R 1).id: use lower-case letters, digits and hyphens",
        ),
        ("id: tiny\n", "", "protocol.yaml: id: required"),
        (
            "name: Tiny\n",
            "name: Tiny\nversion: 2\n",
            "protocol.yaml: version: unknown key (expected one of id, name, description, rules)"
            " (line 3)",
        ),
        (
            "    source: A citation.\n",
            "    source: {citation: A, url: ftp://x}\n",
            "rules[0] (r1).source.url: expected an http(s) address",
        ),
        (
            "    source: A citation.\n",
            "    source: {url: https://x}\n",
            "rules[0] (r1).source.citation: required",
        ),
    ],
)
def test_validation_messages(old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    found = _errors(MINIMAL.replace(old, new))
    assert any(expected in message for message in found), found


def test_duplicate_rule_ids() -> None:
    text = MINIMAL + MINIMAL.split("rules:\n", 1)[1]
    assert _errors(text) == (
        "protocol.yaml: rules[1] (r1).id: duplicate rule id (also rules[0]) (line 10)",
    )


def test_yaml_syntax_errors_give_the_line() -> None:
    (message,) = _errors("id: x\nname: [unclosed\nrules: []\n", "broken.yaml")
    assert message.startswith("broken.yaml: not valid YAML (line ")


def test_duplicate_keys_are_errors() -> None:
    (message,) = _errors(
        MINIMAL.replace("    question: q1\n", "    question: q1\n    question: q2\n")
    )
    assert "duplicate key 'question'" in message and "line 6" in message


def test_minimal_protocol_parses() -> None:
    protocol = parse_protocol(MINIMAL)
    assert protocol.id == "tiny"
    assert [rule.id for rule in protocol.rules] == ["r1"]
    assert protocol.rules[0].per_incident is False
    assert protocol.rules[0].source.citation == "A citation."


def test_builtin_file_is_plain_yaml() -> None:
    """Partnerships copy and edit it with ordinary tools, so it must load with safe_load."""
    data = yaml.safe_load(BUILTIN_FILE.read_text(encoding="utf-8"))
    assert data["id"] == DEFAULT_PROTOCOL
