"""Loading audit tools from YAML into immutable versions."""

from __future__ import annotations

import pytest

from maca.audits import services, toolspec
from maca.audits.models import AuditTool, Question


def test_builtin_tool_has_the_five_aim_questions(world):
    aims = list(world.tool.questions.filter(is_aim=True).values_list("code", "why_not_required"))
    assert aims == [("q1", False), ("q2", False), ("q3", False), ("q4", True), ("q5", True)]
    assert world.tool.scale.choices()[0] == ("outstanding", "Outstanding")


def test_loading_the_same_text_again_changes_nothing(world):
    again = services.tools_load_builtin(partnership=world.partnership)[0]
    assert again.pk == world.tool.pk
    assert AuditTool.objects.filter(slug=world.tool.slug).count() == 1


def test_a_changed_tool_is_a_new_version_and_the_old_one_is_untouched(world):
    old_questions = list(world.tool.questions.values_list("code", "text"))
    changed = world.tool.source_yaml.replace(
        "name: Injuries in non-mobile babies", "name: Injuries in non-mobile babies (revised)"
    )
    new = services.tool_load(
        actor=world.actor("admin"), partnership=world.partnership, text=changed
    )
    assert (new.slug, new.version) == (world.tool.slug, 2)
    world.tool.refresh_from_db()
    assert world.tool.name == "Injuries in non-mobile babies"
    assert list(world.tool.questions.values_list("code", "text")) == old_questions


def test_bad_yaml_saves_nothing_and_names_line_and_field(world):
    bad = world.tool.source_yaml.replace("why_not: true", "why_nto: true", 1)
    before = (AuditTool.objects.count(), Question.objects.count())
    with pytest.raises(toolspec.ToolSpecError) as exc:
        services.tool_load(
            actor=world.actor("admin"), partnership=world.partnership, text=bad, source="nmb.yaml"
        )
    assert any("nmb.yaml, line" in e and "why_nto" in e for e in exc.value.errors)
    assert (AuditTool.objects.count(), Question.objects.count()) == before


def test_only_the_business_unit_loads_tools(world):
    from maca.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.tool_load(
            actor=world.actor("chair"), partnership=world.partnership, text=world.tool.source_yaml
        )
