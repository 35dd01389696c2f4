from django.urls import path

from maca.audits import views
from maca.briefings import views as briefing_views
from maca.chronology import views as chronology_views
from maca.findings import views as finding_views
from maca.moderation import views as moderation_views
from maca.returns import views as return_views
from maca.sampling import views as sampling_views

app_name = "audits"
case = "<slug:reference>/cases/<int:number>/"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("new/", views.audit_create, name="create"),
    path("<slug:reference>/", views.audit_detail, name="detail"),
    path("<slug:reference>/edit/", views.audit_edit, name="edit"),
    path("<slug:reference>/move/", views.audit_move, name="move"),
    path("<slug:reference>/progress/", views.audit_progress, name="progress"),
    path("<slug:reference>/timeliness/", views.audit_timeliness_page, name="timeliness"),
    path("<slug:reference>/sampling/", sampling_views.audit_sampling, name="sampling"),
    path("<slug:reference>/cases/new/", views.case_create, name="case_create"),
    path("<slug:reference>/findings/", finding_views.overview, name="findings"),
    path("<slug:reference>/findings/<slug:kind>/new/", finding_views.item_new, name="finding_new"),
    path(
        "<slug:reference>/findings/<slug:kind>/<int:item_id>/",
        finding_views.item_edit,
        name="finding_edit",
    ),
    path(
        "<slug:reference>/findings/<slug:kind>/<int:item_id>/delete/",
        finding_views.item_delete,
        name="finding_delete",
    ),
    path("<slug:reference>/briefing/", briefing_views.briefing_start, name="briefing_start"),
    path(case, views.case_detail, name="case"),
    path(case + "record/", views.case_record, name="case_record"),
    path(case + "edit/", views.case_edit, name="case_edit"),
    path(case + "chronology/", chronology_views.chronology, name="chronology"),
    path(case + "chronology.json", chronology_views.chronology_json, name="chronology_json"),
    path(case + "chronology/add/", chronology_views.event_add, name="chronology_add"),
    path(case + "chronology/upload/", chronology_views.upload, name="chronology_upload"),
    path(case + "chronology/incidents/new/", chronology_views.incident_add, name="incident_add"),
    path(
        case + "chronology/events/<int:event_id>/delete/",
        chronology_views.event_delete,
        name="chronology_delete",
    ),
    path(case + "compare/", moderation_views.compare, name="compare"),
    path(case + "moderate/", moderation_views.moderate, name="moderate"),
    path(case + "returns/<slug:agency>/", return_views.return_detail, name="return"),
    path(
        case + "returns/<slug:agency>/<slug:action>/",
        return_views.return_manage,
        name="return_manage",
    ),
]
