"""Audit tools in YAML: the built-in tool, round trips, and the messages shown for bad files."""

from __future__ import annotations

import dataclasses
import pickle
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maca.audits.toolspec import (
    ANSWER_CHOICES,
    MAX_INPUT_BYTES,
    WHY_NOT_TRIGGERS,
    GradeSpec,
    QuestionSpec,
    ScaleSpec,
    ToolSpec,
    ToolSpecError,
    builtin_scales,
    builtin_tool_sources,
    dump_tool,
    parse_scale,
    parse_tool,
)

FIXTURES = Path(__file__).parent / "tool_fixtures"
NMB = "injuries-in-non-mobile-babies"


def problems(text: str | bytes, source: str = "tool.yaml") -> list[str]:
    """The problems parse_tool reports for ``text`` (which must be refused)."""
    with pytest.raises(ToolSpecError) as caught:
        parse_tool(text, source)
    return caught.value.errors


def yaml_text(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def builtin_tool() -> ToolSpec:
    path = next(path for path in builtin_tool_sources() if path.stem == NMB)
    return parse_tool(path.read_bytes(), path.name)


# --- the built-in tool and scales ------------------------------------------------------------


def test_builtin_tool_has_the_five_aim_questions_of_the_reference_audit():
    tool = builtin_tool()

    assert tool.slug == NMB
    assert tool.name == "Injuries in non-mobile babies"
    assert tool.scale == builtin_scales()["ofsted"]
    aims = [question for question in tool.questions if question.is_aim]
    assert [question.code for question in aims] == ["q1", "q2", "q3", "q4", "q5"]
    assert {question.section for question in aims} == {"Aim of the audit"}
    assert [question.why_not_required for question in aims] == [False, False, False, True, True]
    assert all(question.answer_type == "choice" for question in aims)
    assert all(question.guidance for question in aims)
    assert "strategy meeting" in aims[3].text.lower()
    assert "medical" in aims[4].text.lower()


def test_builtin_aim_questions_cite_the_chronology_rules_that_evidence_them():
    rules = {question.code: question.rules for question in builtin_tool().questions}

    assert rules["q1"] == ("referral-same-day",)
    assert rules["q2"] == ("referral-decision-1wd",)
    assert rules["q3"] == (
        "second-opinion-5wd",
        "icpc-15wd",
        "assessment-45wd",
        "core-group-10wd",
        "review-conference-3m",
    )
    assert rules["q4"] == ("strategy-discussion-1wd",)
    assert rules["q5"] == ("cp-medical-same-day",)


def test_builtin_tool_has_the_usual_maca_sections_each_with_two_or_three_questions():
    tool = builtin_tool()
    sections: dict[str, list[QuestionSpec]] = {}
    for question in tool.questions:
        sections.setdefault(question.section, []).append(question)

    assert list(sections) == [
        "Aim of the audit",
        "The child's lived experience",
        "Voice of the child",
        "Multi-agency working",
        "Quality of the plan",
    ]
    for title, questions in list(sections.items())[1:]:
        assert 2 <= len(questions) <= 3, title
        assert not any(question.is_aim for question in questions)
    assert len({question.code for question in tool.questions}) == len(tool.questions)


@pytest.mark.parametrize("path", builtin_tool_sources(), ids=lambda path: path.name)
def test_every_builtin_tool_parses_and_round_trips(path):
    tool = parse_tool(path.read_bytes(), path.name)

    assert path.stem == tool.slug
    assert parse_tool(dump_tool(tool)) == tool


def test_the_example_scale_in_the_format_notes_is_valid():
    header = Path(builtin_tool_sources()[0]).read_text().split("\n\n", 1)[0]
    margin = "#" + " " * 22
    indented = [
        line.removeprefix(margin) for line in header.splitlines() if line.startswith(margin)
    ]
    example = "\n".join(indented[indented.index("grading_scale:") :])
    text = GOOD.replace("grading_scale: ofsted\n", example + "\n")

    assert [grade.code for grade in parse_tool(text).scale.grades] == ["strong", "weak"]


def test_builtin_scales_list_grades_best_first():
    scales = builtin_scales()

    assert [grade.label for grade in scales["ofsted"].grades] == [
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
    ]
    assert [grade.code for grade in scales["rag"].grades] == ["green", "amber", "red"]


def test_builtin_scale_files_are_named_after_their_slugs():
    scale_dir = builtin_tool_sources()[0].parent / "scales"
    for path in scale_dir.glob("*.yaml"):
        assert parse_scale(path.read_text(), path.name).slug == path.stem


def test_builtin_scales_cannot_be_changed_through_the_returned_dict():
    builtin_scales().pop("ofsted")

    assert "ofsted" in builtin_scales()


def test_answer_choices_include_the_answers_that_need_a_why_not():
    assert {code for code, _label in ANSWER_CHOICES} >= WHY_NOT_TRIGGERS


# --- valid files -----------------------------------------------------------------------------


def test_minimal_tool_takes_defaults_for_optional_fields():
    tool = parse_tool((FIXTURES / "minimal.yaml").read_text(), "minimal.yaml")

    assert tool.description == ""
    assert tool.theme == ""
    assert tool.scale.slug == "rag"
    assert tool.questions == (
        QuestionSpec(
            code="q1",
            section="Aim of the audit",
            text="Was the child seen?",
            answer_type="choice",
            why_not_required=False,
            guidance="",
            rules=(),
            is_aim=True,
        ),
    )


def test_inline_scale_block_text_and_yes_for_true():
    tool = parse_tool((FIXTURES / "inline-scale.yaml").read_bytes(), "inline-scale.yaml")

    assert tool.scale == ScaleSpec(
        slug="strength",
        name="Strength of practice",
        grades=(
            GradeSpec("strong", "Strong", "Practice made a clear difference."),
            GradeSpec("adequate", "Adequate"),
            GradeSpec("weak", "Weak"),
        ),
    )
    assert tool.description == (
        "Looks at how agencies recognise and respond to neglect.\nA second paragraph."
    )
    first, second = tool.questions
    assert first.why_not_required is True
    assert first.rules == ("referral-same-day",)
    assert second.section == "Voice of the child: what they said"
    assert second.answer_type == "text"
    assert second.guidance == "Quote the child where you can.\nSay who they told."


def test_plain_values_are_read_as_written():
    tool = parse_tool(
        yaml_text(
            """
            slug: "2024"
            name: 2024 audit
            grading_scale: rag
            sections:
              - title: yes
                questions:
                  - code: 1
                    text: no
            """
        )
    )

    assert tool.slug == "2024"
    assert tool.questions[0].section == "yes"
    assert tool.questions[0].code == "1"
    assert tool.questions[0].text == "no"


def test_bytes_with_a_byte_order_mark_and_windows_line_endings_are_read():
    text = (FIXTURES / "minimal.yaml").read_text().replace("\n", "\r\n")

    assert parse_tool(b"\xef\xbb\xbf" + text.encode()).slug == "minimal"
    assert parse_tool(text.encode("utf-16")).slug == "minimal"


def test_tool_may_use_a_scale_passed_in_by_the_caller():
    custom = ScaleSpec("one-to-four", "1 to 4", tuple(GradeSpec(str(n), str(n)) for n in range(4)))
    text = (FIXTURES / "minimal.yaml").read_text().replace("rag", "one-to-four")

    assert parse_tool(text, scales={"one-to-four": custom}).scale == custom
    assert problems(text) == [
        'tool.yaml, line 4: grading_scale: "one-to-four" is not a built-in grading scale '
        "(choose ofsted or rag)"
    ]


# --- round trips -----------------------------------------------------------------------------


def test_dump_round_trips_the_builtin_tool_and_names_its_builtin_scale():
    tool = builtin_tool()
    text = dump_tool(tool)

    assert parse_tool(text) == tool
    assert "\ngrading_scale: ofsted\n" in text
    assert text.startswith("# ")


def test_dump_round_trips_an_inline_scale_and_text_questions():
    tool = parse_tool((FIXTURES / "inline-scale.yaml").read_text())
    text = dump_tool(tool)

    assert parse_tool(text) == tool
    assert "  slug: strength\n" in text


def test_a_dumped_tool_can_be_edited_and_loaded_as_a_copy():
    tool = builtin_tool()
    copy = dump_tool(tool).replace(f"slug: {NMB}", "slug: nmb-copy", 1)

    assert parse_tool(copy) == dataclasses.replace(tool, slug="nmb-copy")


one_line = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    min_size=1,
    max_size=30,
)
any_text = st.lists(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), include_characters="\n\t")
    | st.sampled_from(["\n", "\n\n", "  ", ": ", " #", "- ", "'", '"', "|", ">", "---", "{"]),
    min_size=1,
    max_size=60,
).map("".join)


def stripped(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return strategy.map(str.strip).filter(bool)


codes = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,12}", fullmatch=True)
slugs = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


@st.composite
def scales(draw: st.DrawFn) -> ScaleSpec:
    if draw(st.booleans()):
        return draw(st.sampled_from(sorted(builtin_scales().values(), key=lambda s: s.slug)))
    grade_codes = draw(st.lists(codes, min_size=2, max_size=5, unique=True))
    labels = draw(
        st.lists(
            stripped(one_line), min_size=len(grade_codes), max_size=len(grade_codes), unique=True
        )
    )
    return ScaleSpec(
        slug=draw(slugs.filter(lambda slug: slug not in builtin_scales())),
        name=draw(stripped(one_line)),
        grades=tuple(
            GradeSpec(code, label, draw(st.just("") | stripped(any_text)))
            for code, label in zip(grade_codes, labels, strict=True)
        ),
    )


@st.composite
def tools(draw: st.DrawFn) -> ToolSpec:
    titles = draw(st.lists(stripped(one_line), min_size=1, max_size=3, unique=True))
    question_codes = iter(draw(st.lists(codes, min_size=12, max_size=12, unique=True)))
    questions = []
    for title in titles:
        is_aim = draw(st.booleans())
        for _ in range(draw(st.integers(1, 4))):
            answer_type = draw(st.sampled_from(["choice", "text"]))
            questions.append(
                QuestionSpec(
                    code=next(question_codes),
                    section=title,
                    text=draw(stripped(any_text)),
                    answer_type=answer_type,
                    why_not_required=answer_type == "choice" and draw(st.booleans()),
                    guidance=draw(st.just("") | stripped(any_text)),
                    rules=tuple(draw(st.lists(slugs, max_size=3, unique=True))),
                    is_aim=is_aim,
                )
            )
    return ToolSpec(
        slug=draw(slugs),
        name=draw(stripped(one_line)),
        description=draw(st.just("") | stripped(any_text)),
        theme=draw(st.just("") | stripped(one_line)),
        scale=draw(scales()),
        questions=tuple(questions),
    )


@settings(max_examples=50, deadline=None)
@given(tools())
def test_any_valid_tool_round_trips_through_dump(tool):
    assert parse_tool(dump_tool(tool)) == tool


# --- one problem at a time: the exact message ------------------------------------------------

GOOD = yaml_text(
    """
    slug: neglect
    name: Neglect
    grading_scale: ofsted
    sections:
      - title: Aim of the audit
        aim: true
        questions:
          - code: q1
            text: Was neglect recognised early?
    """
)


def test_the_good_base_file_parses():
    assert parse_tool(GOOD).slug == "neglect"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "slug: neglect",
            "slug: Neglect audit",
            'tool.yaml, line 1: slug: "Neglect audit" is not a valid slug: use lowercase '
            'letters, digits and hyphens, e.g. "neglect-audit"',
        ),
        ("slug: neglect\n", "", "tool.yaml, line 1: slug: is required"),
        ("name: Neglect", "name:", "tool.yaml, line 2: name: must not be empty"),
        (
            "name: Neglect",
            "name: [Neglect]",
            "tool.yaml, line 2: name: must be text, not a list",
        ),
        (
            "grading_scale: ofsted",
            "grading_scale: ofstead",
            'tool.yaml, line 3: grading_scale: "ofstead" is not a built-in grading scale; '
            'did you mean "ofsted"?',
        ),
        (
            "    aim: true",
            "    aim: maybe",
            'tool.yaml, line 6: sections[0].aim: must be true or false, not "maybe"',
        ),
        (
            "        text: Was neglect recognised early?",
            "        text: Was neglect recognised early?\n        answer: maybe",
            'tool.yaml, line 10: sections[0].questions[0].answer: "maybe" is not one of '
            "choice, text",
        ),
        (
            "        text: Was neglect recognised early?",
            "        text: Was neglect recognised early?\n        why_nto: true",
            "tool.yaml, line 10: sections[0].questions[0].why_nto: unknown field; "
            'did you mean "why_not"?',
        ),
        (
            "        text: Was neglect recognised early?",
            "        text: Was neglect recognised early?\n"
            "        answer: text\n"
            "        why_not: true",
            "tool.yaml, line 11: sections[0].questions[0].why_not: only a choice question can "
            'require "if not, why not"; this question\'s answer is text',
        ),
        (
            "        text: Was neglect recognised early?",
            "        text: " + "x" * 1001,
            "tool.yaml, line 9: sections[0].questions[0].text: is 1,001 characters long; "
            "the limit is 1,000",
        ),
        (
            "      - code: q1",
            "      - code: Q 1",
            'tool.yaml, line 8: sections[0].questions[0].code: "Q 1" is not a valid code: use '
            'lowercase letters, digits, hyphens and underscores, e.g. "q1"',
        ),
        (
            "      - code: q1",
            "      - code: question-about-early-help",
            "tool.yaml, line 8: sections[0].questions[0].code: is 25 characters long; "
            "the limit is 20",
        ),
        (
            "        text: Was neglect recognised early?",
            "        text: Was neglect recognised early?\n        rules: referral-same-day",
            "tool.yaml, line 10: sections[0].questions[0].rules: must be a list, not "
            '"referral-same-day", e.g. [referral-same-day]',
        ),
        (
            "    questions:\n      - code: q1\n        text: Was neglect recognised early?\n",
            "    questions: []\n",
            "tool.yaml, line 7: sections[0].questions: a section needs at least one question",
        ),
        (
            "name: Neglect",
            "name: Neglect\ntheme: Neglect\nname: Neglect again",
            "tool.yaml, line 4: name: appears twice (first at line 2)",
        ),
        (
            "name: Neglect",
            "name: Neglect\ndecsription: Neglect",
            'tool.yaml, line 3: decsription: unknown field; did you mean "description"?',
        ),
        (
            "name: Neglect",
            "name: Neglect\nversion: 2",
            "tool.yaml, line 3: version: unknown field (an audit tool has slug, name, "
            "description, theme, grading_scale and sections)",
        ),
        (
            "name: Neglect",
            "name: !!python/object/apply:os.getcwd []",
            "tool.yaml, line 2: name: the YAML tag !!python/object/apply:os.getcwd is not "
            "allowed; use plain text, numbers, true or false, lists and mappings",
        ),
    ],
)
def test_one_problem_gives_one_exact_message(old, new, expected):
    assert old in GOOD
    assert problems(GOOD.replace(old, new, 1)) == [expected]


def test_inline_scale_problems_name_the_grade():
    text = GOOD.replace(
        "grading_scale: ofsted",
        yaml_text(
            """
            grading_scale:
              slug: mine
              name: Mine
              grades:
                - code: good
                  label: Good
                - code: good
                  label: Fine
                  colour: green
            """
        ).rstrip("\n"),
    )

    assert problems(text) == [
        'tool.yaml, line 9: grading_scale.grades[1].code: "good" is used twice (first at '
        "line 7); each grade code must be different",
        "tool.yaml, line 11: grading_scale.grades[1].colour: unknown field (a grade has code, "
        "label and description)",
    ]


def test_a_scale_needs_two_grades():
    text = "slug: single\nname: Single\ngrades:\n  - code: only\n    label: Only\n"

    with pytest.raises(ToolSpecError) as caught:
        parse_scale(text, "single.yaml")
    assert caught.value.errors == [
        "single.yaml, line 4: grades: a scale needs at least 2 grades; this one has 1"
    ]


def test_an_inline_scale_may_not_redefine_a_builtin_one():
    text = GOOD.replace(
        "grading_scale: ofsted",
        "grading_scale:\n  slug: rag\n  name: RAG\n"
        "  grades: [{code: r, label: R}, {code: g, label: G}]",
    )

    assert problems(text) == [
        'tool.yaml, line 4: grading_scale.slug: "rag" is the slug of a built-in scale: write '
        '"grading_scale: rag" to use it, or give this scale its own slug'
    ]


def test_duplicate_question_codes_across_sections_are_reported_at_the_second():
    text = GOOD + (
        "  - title: Voice of the child\n"
        "    questions:\n"
        "      - code: q1\n"
        "        text: Was the child seen?\n"
    )

    assert problems(text) == [
        'tool.yaml, line 12: sections[1].questions[0].code: "q1" is used twice (first at '
        "line 8); each question code must be different"
    ]


# --- many problems at once -------------------------------------------------------------------


def test_every_problem_in_a_file_is_reported_in_line_order():
    text = (FIXTURES / "many-problems.yaml").read_text()

    assert problems(text, "many-problems.yaml") == [
        'many-problems.yaml, line 1: slug: "Neglect Audit" is not a valid slug: use lowercase '
        'letters, digits and hyphens, e.g. "neglect-audit"',
        'many-problems.yaml, line 3: grading_scale: "ofstead" is not a built-in grading scale; '
        'did you mean "ofsted"?',
        'many-problems.yaml, line 10: sections[0].questions[0].answer: "maybe" is not one of '
        "choice, text",
        'many-problems.yaml, line 11: sections[0].questions[1].code: "q1" is used twice (first '
        "at line 8); each question code must be different",
        "many-problems.yaml, line 14: sections[0].questions[1].why_not: only a choice question "
        'can require "if not, why not"; this question\'s answer is text',
        "many-problems.yaml, line 15: sections[0].questions[2].text: is required",
        "many-problems.yaml, line 16: sections[0].questions[2].txet: unknown field; did you "
        'mean "text"?',
        "many-problems.yaml, line 18: sections[1].questions: a section needs at least one question",
    ]


def test_the_exception_joins_its_problems_one_per_line():
    with pytest.raises(ToolSpecError) as caught:
        parse_tool((FIXTURES / "many-problems.yaml").read_text(), "many-problems.yaml")

    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == "\n".join(caught.value.errors)
    assert len(str(caught.value).splitlines()) == 8
    assert pickle.loads(pickle.dumps(caught.value)).errors  # noqa: S301 == caught.value.errors


# --- problems with the file as a whole -------------------------------------------------------


def test_invalid_yaml_gives_the_line_and_column():
    text = (FIXTURES / "bad-syntax.yaml").read_text()

    assert problems(text, "bad-syntax.yaml") == [
        "bad-syntax.yaml, line 9, column 8: YAML syntax: this does not line up with the lines "
        "above: check the indentation, and that any quoted text ends at its closing quotation mark"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "slug: neglect\nname Neglect\ngrading_scale: ofsted\n",
            "tool.yaml, line 2, column 1: YAML syntax: this line needs a colon after the field "
            "name, or more indentation if it continues the text above",
        ),
        (
            "slug: neglect\nname: Neglect: the audit\n",
            'tool.yaml, line 2, column 14: YAML syntax: a colon and space (": ") cannot appear '
            "here: put the text in quotes, or check the indentation",
        ),
        (
            'slug: neglect\nname: "Neglect\ngrading_scale: ofsted\n',
            "tool.yaml, line 2, column 7: YAML syntax: the quotation mark that opens this text "
            "is never closed",
        ),
        (
            "slug: neglect\nsections: [a, b\n",
            "tool.yaml, line 2, column 11: YAML syntax: this list, opened with [, is not closed "
            "with ]",
        ),
        (
            "slug: neglect\n\tname: Neglect\n",
            "tool.yaml, line 2, column 1: YAML syntax: a tab cannot be used for indentation; "
            "use spaces",
        ),
        (
            "slug: neglect\nname: @neglect\n",
            "tool.yaml, line 2, column 7: YAML syntax: a value cannot start with @: put the text "
            "in quotes",
        ),
        (
            "slug: neglect\n---\nslug: other\n",
            "tool.yaml, line 2, column 1: a second YAML document starts here (---); a file "
            "holds only one",
        ),
    ],
)
def test_common_yaml_mistakes_are_explained_with_line_and_column(text, expected):
    assert problems(text) == [expected]


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n", "---\n", "~\n"])
def test_an_empty_file_is_refused(text):
    assert problems(text) == ["tool.yaml: the file is empty"]


@pytest.mark.parametrize(
    ("text", "shown_as"), [("- a\n- b\n", "a list"), ("just some words\n", '"just some words"')]
)
def test_a_document_that_is_not_a_mapping_is_refused(text, shown_as):
    assert problems(text) == [
        "tool.yaml, line 1: the file must be a mapping of fields (slug, name, description, "
        f"theme, grading_scale, sections) describing an audit tool, not {shown_as}"
    ]


def test_anchors_and_aliases_are_refused():
    text = GOOD.replace("name: Neglect", "name: &title Neglect\ntheme: *title")

    assert problems(text) == [
        "tool.yaml, line 2, column 7: anchors and aliases (& and *) are not allowed; write "
        "each value in full"
    ]


def test_a_billion_laughs_is_refused_quickly():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]

    assert problems("\n".join(lines)) == [
        "tool.yaml, line 1, column 5: anchors and aliases (& and *) are not allowed; write "
        "each value in full"
    ]


def test_python_tags_are_never_run(tmp_path):
    marker = tmp_path / "ran"
    text = GOOD.replace(
        "name: Neglect", f'name: !!python/object/apply:os.system ["touch {marker}"]'
    )

    assert problems(text)[0].startswith(
        "tool.yaml, line 2: name: the YAML tag !!python/object/apply:os.system is not allowed"
    )
    assert not marker.exists()


def test_deep_nesting_is_refused():
    assert problems("slug: " + "[" * 1000 + "]" * 1000) == [
        "tool.yaml, line 1, column 30: lists and mappings are nested too deeply"
    ]


def test_a_file_over_the_size_limit_is_refused_before_reading():
    text = GOOD + "# " + "x" * MAX_INPUT_BYTES + "\n"

    assert problems(text, "huge.yaml") == ["huge.yaml: the file is 201 KB; the limit is 200 KB"]
    assert problems(text.encode()) == ["tool.yaml: the file is 201 KB; the limit is 200 KB"]


def test_a_file_that_is_not_utf8_is_refused_with_its_line():
    data = GOOD.replace("Neglect", "Négligence").encode("latin-1")

    assert problems(data) == [
        "tool.yaml, line 2, column 8: the file is not UTF-8 text; save it as UTF-8 and try again"
    ]


def test_a_control_character_in_the_file_is_refused_with_line_and_column():
    assert problems(GOOD.replace("Neglect", "Neg\x07lect", 1)) == [
        "tool.yaml, line 2, column 10: YAML syntax: the character U+0007 is not allowed in a "
        "YAML file"
    ]


def test_a_control_character_written_as_an_escape_is_refused():
    assert problems(GOOD.replace("name: Neglect", 'name: "Neg\\0lect"')) == [
        "tool.yaml, line 2: name: contains a control character (U+0000)"
    ]


def test_the_default_source_is_the_upload():
    with pytest.raises(ToolSpecError) as caught:
        parse_tool("")
    assert caught.value.errors == ["<upload>: the file is empty"]


# --- nothing but ToolSpecError, whatever comes in --------------------------------------------


yamlish = st.lists(
    st.sampled_from(
        [
            "slug: a",
            "name: b",
            "grading_scale: rag",
            "sections:",
            "  - title: t",
            "    aim: true",
            "    questions:",
            "      - code: q1",
            "        text: x",
            "        answer: text",
            "        why_not: true",
            "        rules: [a]",
            "- ",
            ": ",
            "  ",
            "[",
            "]",
            "{",
            "}",
            "&a ",
            "*a",
            "!!str ",
            "!x ",
            '"',
            "'",
            "|",
            ">",
            "#",
            "---",
            "\t",
            "\n",
            "~",
            "<<: ",
            "?",
            "%",
        ]
    )
    | st.text(max_size=5),
    max_size=40,
).map("".join)


@settings(max_examples=50, deadline=None)
@given(st.text() | yamlish)
def test_arbitrary_text_raises_nothing_but_tool_spec_error(text):
    try:
        tool = parse_tool(text)
    except ToolSpecError as exc:
        assert exc.errors
        assert all(error.startswith("<upload>") for error in exc.errors)
    else:
        assert parse_tool(dump_tool(tool)) == tool


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_nothing_but_tool_spec_error(data):
    try:
        parse_tool(data)
    except ToolSpecError as exc:
        assert exc.errors
