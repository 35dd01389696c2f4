"""The audit programme, re-audit comparison, insight dashboards and the export download."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from maca.audits.models import Audit
from maca.core import permissions as perms
from maca.core.errors import NotAllowed, ServiceError
from maca.core.forms import add_service_error, set_choices, text_field
from maca.core.middleware import get_actor
from maca.core.reauth import confirm_redirect
from maca.insight import charts, selectors, services
from maca.insight.export import RENDERERS, export_tables
from maca.insight.models import FindingLink, ProgrammeEntry, PromptKind, Reaudit, Verdict

STAGES = {
    "planning": "Planned",
    "sampling": "Planned",
    "auditing": "Running",
    "moderation": "Running",
    "reporting": "Running",
    "published": "Published",
    "follow_up": "Published",
    "closed": "Published",
}
DEFAULT_NEXT = {
    "planning": "Agree the scope, the chair and the period under review.",
    "sampling": "Draw and fix the sample.",
    "auditing": "Agencies complete their returns.",
    "moderation": "The panel grades each case.",
    "reporting": "Write the findings and publish the 7 minute briefing.",
    "published": "Agree the action plan.",
    "follow_up": "Follow the action plan to the board.",
    "closed": "Nothing: the board has closed every action.",
}


def _partnership_audit(request: HttpRequest, reference: str) -> Audit:
    actor = get_actor(request)
    if actor.partnership_id is None:
        raise Http404("No such audit")
    audit = (
        Audit.objects.select_related("tool__scale")
        .filter(partnership_id=actor.partnership_id, reference=reference)
        .first()
    )
    if audit is None:
        raise Http404("No such audit")
    return audit


@login_required
@require_GET
def programme(request: HttpRequest) -> HttpResponse:
    """The year's themed audits on one page: planned, running, published; why; what next."""
    actor = get_actor(request)
    if not perms.can_view_insight(actor) or actor.partnership_id is None:
        raise Http404("Not found")
    entries = {
        e.audit_id: e
        for e in ProgrammeEntry.objects.filter(audit__partnership_id=actor.partnership_id)
    }
    years: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    audits = Audit.objects.filter(partnership_id=actor.partnership_id).order_by("title")
    for audit in audits:
        entry = entries.get(audit.pk)
        years[entry.year if entry else None].append(
            {
                "audit": audit,
                "stage": STAGES.get(audit.status, ""),
                "prompt": entry.get_prompt_kind_display() if entry else "",
                "next_steps": (entry.next_steps if entry else "") or DEFAULT_NEXT[audit.status],
                "can_open": perms.can_view_audit(actor, audit),
            }
        )
    ordered = sorted(years.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0)))
    return render(
        request,
        "insight/programme.html",
        {
            "years": [
                (f"{y} to {y + 1}" if y else "Not yet in a programme", rows) for y, rows in ordered
            ],
            "can_manage": perms.can_manage_programme(actor),
        },
    )


class ProgrammeForm(forms.Form):
    year = forms.IntegerField(
        label="Programme year (starting April)",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Enter the programme year, like 2022.",
            "invalid": "Enter the programme year, like 2022.",
        },
    )
    prompt_kind = forms.ChoiceField(
        label="What prompted it",
        choices=PromptKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what prompted the audit."},
    )
    next_steps = text_field("Next steps", long=True, max_length=1000)


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, reference: str) -> HttpResponse:
    actor = get_actor(request)
    if not perms.can_manage_programme(actor):
        raise Http404("Not found")
    audit = _partnership_audit(request, reference)
    entry = ProgrammeEntry.objects.filter(audit=audit).first()
    initial = (
        {"year": entry.year, "prompt_kind": entry.prompt_kind, "next_steps": entry.next_steps}
        if entry
        else {}
    )
    form = ProgrammeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.programme_set(
                actor=actor,
                audit=audit,
                year=d["year"],
                prompt_kind=d["prompt_kind"],
                next_steps=d["next_steps"],
            )
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            messages.success(request, f"{audit.title} is in the programme.")
            return redirect("insight:programme")
    return render(request, "insight/programme_edit.html", {"audit": audit, "form": form})


class MarkForm(forms.Form):
    earlier = forms.ChoiceField(
        label="Which earlier audit does this one look at again?",
        error_messages={"required": "Choose the earlier audit."},
    )


class LinkForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    earlier_finding = forms.ChoiceField(label="Earlier finding", required=False)
    verdict = forms.ChoiceField(
        label="How does it compare?",
        choices=Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the finding compares."},
    )


def _grade_counts(audit: Audit) -> list[tuple[str, int]]:
    codes = list(audit.cases.values_list("moderation__grade", flat=True))
    return [(label, codes.count(code)) for code, label in audit.tool.scale.choices()]


@login_required
@require_http_methods(["GET", "POST"])
def reaudit(request: HttpRequest, reference: str) -> HttpResponse:
    """Mark a re-audit, link its findings to the earlier audit's, and compare side by side."""
    actor = get_actor(request)
    audit = _partnership_audit(request, reference)
    if not perms.can_link_reaudit(actor, audit):
        raise Http404("Not found")
    link = Reaudit.objects.filter(audit=audit).select_related("earlier__tool__scale").first()
    mark_form = MarkForm(
        request.POST if request.POST.get("form") == "mark" else None,
        initial={"earlier": link.earlier_id} if link else {},
    )
    earlier_audits = Audit.objects.filter(partnership_id=audit.partnership_id).exclude(pk=audit.pk)
    set_choices(
        mark_form,
        "earlier",
        [("", "Not a re-audit")] + [(str(a.pk), a.title) for a in earlier_audits.order_by("title")],
    )
    link_form: LinkForm | None = None
    if request.method == "POST":
        try:
            if request.POST.get("form") == "link" and link is not None:
                link_form = LinkForm(request.POST)
                set_choices(
                    link_form,
                    "earlier_finding",
                    [("", "None")] + [(str(f.pk), "") for f in link.earlier.findings.all()],
                )
                if link_form.is_valid():
                    d = link_form.cleaned_data
                    services.finding_link(
                        actor=actor,
                        audit=audit,
                        finding_id=d["finding"],
                        earlier_id=int(d["earlier_finding"]) if d["earlier_finding"] else None,
                        verdict=d["verdict"],
                    )
                    messages.success(request, "The finding's comparison was saved.")
                    return redirect("insight:reaudit", audit.reference)
            elif mark_form.is_bound and mark_form.is_valid():
                chosen = earlier_audits.filter(pk=mark_form.cleaned_data["earlier"] or 0).first()
                services.reaudit_mark(actor=actor, audit=audit, earlier=chosen)
                messages.success(request, "Saved.")
                return redirect("insight:reaudit", audit.reference)
            else:
                messages.error(request, "Choose what to save.")
        except NotAllowed as exc:
            raise Http404("Not found") from exc
        except ServiceError as exc:
            target = link_form if link_form is not None else mark_form
            add_service_error(target, exc.field, exc.message)
    rows = []
    if link is not None:
        earlier_findings = list(link.earlier.findings.order_by("kind", "order"))
        links = {x.finding_id: x for x in FindingLink.objects.filter(finding__audit=audit)}
        for finding in audit.findings.order_by("kind", "order"):
            suggestion = services.suggest(finding, earlier_findings)
            saved = links.get(finding.pk)
            rows.append(
                {
                    "finding": finding,
                    "saved": saved,
                    "earlier": saved.earlier if saved else None,
                    "suggestion": suggestion,
                    "choices": [
                        (
                            f.pk,
                            f.get_kind_display() + ": " + f.text[:80],
                            f
                            == (
                                saved.earlier
                                if saved
                                else (suggestion.earlier if suggestion else None)
                            ),
                        )
                        for f in earlier_findings
                    ],
                }
            )
    return render(
        request,
        "insight/reaudit.html",
        {
            "audit": audit,
            "link": link,
            "mark_form": mark_form,
            "link_form": link_form,
            "rows": rows,
            "verdicts": Verdict.choices,
            "grades": [
                (a.title, _grade_counts(a)) for a in ([link.earlier, audit] if link else [])
            ],
            "timeliness": _timeliness_pair(link.earlier, audit) if link else [],
        },
    )


def _timeliness_pair(earlier: Audit, later: Audit) -> list[tuple[str, str, str]]:
    """The audited cases' timeliness figures of both audits, measure by measure."""
    from maca.chronology.population import audit_timeliness

    def text(share: Any) -> str:
        return f"{share.met} of {share.counted}" if share.counted else "—"

    before = {r.label: r for r in audit_timeliness(earlier)}
    after = {r.label: r for r in audit_timeliness(later)}
    labels = list(dict.fromkeys([*before, *after]))
    return [
        (
            label,
            text(before[label].sample) if label in before else "—",
            text(after[label].sample) if label in after else "—",
        )
        for label in labels
    ]


AGENCY_RULE_TITLE = "Protocol timescales met, by agency and rule"


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Grades over time and by theme, answers by agency, protocol rules, actions, recurring
    areas for development: counts only, from published audits."""
    actor = get_actor(request)
    if not perms.can_view_insight(actor):
        raise Http404("Not found")
    audits = selectors.reported_audits(actor)
    series, by_audit = selectors.grades_by_audit(audits)
    theme_series, by_theme = selectors.grades_by_theme(audits)
    agencies = selectors.answers_by_agency(audits)
    results = selectors.rule_results(audits)  # each case evaluated once for both tables
    rules = selectors.rules_met(audits, results)
    by_agency_rule = selectors.rules_by_agency(results)
    described = selectors.rule_descriptions(audits)
    action_series, actions, _ = selectors.action_completion(audits, timezone.localdate())
    answer_series = ["Yes", "Partly", "No"]
    rule_series = ["Met", "Late", "Missing"]
    panels = [
        ("grades-time", "Grades over time", series, by_audit, False),
        ("grades-theme", "Grades by theme", theme_series, by_theme, False),
        ("agencies", "Answers by agency (share answered yes)", answer_series, agencies, True),
        ("rules", "Protocol timescales met, by rule", rule_series, rules, True),
        ("actions", "Action completion", action_series, actions, False),
    ]
    return render(
        request,
        "insight/dashboard.html",
        {
            "audits": audits,
            "panels": [
                {
                    "id": pid,
                    "title": title,
                    "series": s,
                    "rows": rows,
                    "chart": charts.stacked(title, rows, s, as_percent=pct),
                    # Table rows: (label, hint under it, values); rules are described.
                    "table": [
                        (label, described.get(label, "") if pid == "rules" else "", values)
                        for label, values in rows
                    ],
                }
                for pid, title, s, rows, pct in panels
            ],
            "recurring": selectors.recurring_areas(audits),
            "by_agency_rule": [(r, described.get(r.rule, "")) for r in by_agency_rule],
            "rule_series": rule_series,
            "by_agency_rule_chart": charts.stacked(
                AGENCY_RULE_TITLE,
                [(f"{r.agency}: {r.rule}", r.counts) for r in by_agency_rule],
                rule_series,
                as_percent=True,
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, reference: str) -> HttpResponse:
    """The business unit downloads the audit's export (after confirming it is them)."""
    actor = get_actor(request)
    audit = _partnership_audit(request, reference)
    if not perms.can_export_audit(actor, audit):
        raise Http404("Not found")
    confirm = confirm_redirect(request, max_age_minutes=15)
    if confirm is not None:
        return confirm
    fmt = request.POST.get("format", "")
    if request.method == "POST" and fmt in RENDERERS:
        data = RENDERERS[fmt](export_tables(audit))
        from maca.activity.services import activity_record

        activity_record(
            actor=actor,
            partnership_id=audit.partnership_id,
            action="audit.export",
            target=audit,
            audit_id=audit.pk,
            data={"format": fmt},
        )
        kind = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if fmt == "xlsx"
            else "application/zip"
        )
        response = HttpResponse(data, content_type=kind)
        ext = "xlsx" if fmt == "xlsx" else "zip"
        response["Content-Disposition"] = f'attachment; filename="{audit.reference}.{ext}"'
        return response
    error = "Choose the format" if request.method == "POST" else ""
    return render(request, "insight/export.html", {"audit": audit, "error": error})
