"""The application's URLs plus the bench-only floor page (see pages_settings.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_GET

from config.urls import urlpatterns as app_urlpatterns
from maca.audits.models import Audit
from maca.core.middleware import get_actor

FLOOR = engines["django"].from_string(
    """{% extends "base.html" %}
{% block title %}Floor{% endblock %}
{% block content %}
<h1 class="govuk-heading-l">Floor</h1>
<table class="govuk-table">
  <caption class="govuk-table__caption govuk-visually-hidden">Audits</caption>
  <thead class="govuk-table__head"><tr class="govuk-table__row">
    <th scope="col" class="govuk-table__header">Audit</th>
    <th scope="col" class="govuk-table__header">Reference</th>
    <th scope="col" class="govuk-table__header">Status</th>
    <th scope="col" class="govuk-table__header">Panel</th>
  </tr></thead>
  <tbody class="govuk-table__body">
  {% for reference, title, status, panel in rows %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="{% url 'audits:detail' reference %}">{{ title }}</a></td>
      <td class="govuk-table__cell">{{ reference }}</td>
      <td class="govuk-table__cell">{{ status }}</td>
      <td class="govuk-table__cell">{{ panel|date:"j F Y"|default:"Not set" }}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>
{% endblock %}"""
)


@login_required
@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    """The least a signed-in page can be: the base layout and a 25-row table from one query."""
    rows = list(
        Audit.objects.filter(partnership_id=get_actor(request).partnership_id)
        .order_by("-created_at")
        .values_list("reference", "title", "status", "panel_date")[:25]
    )
    return HttpResponse(FLOOR.render({"rows": rows}, request))


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *app_urlpatterns]
