from django.urls import path

from maca.actions import views

app_name = "actions"
audit = "audits/<slug:reference>/"
urlpatterns = [
    path("actions/", views.overview, name="overview"),
    path("actions/new/", views.review_new, name="review_new"),
    path("actions/<int:number>/", views.review_detail, name="review"),
    path("actions/<int:number>/edit/", views.review_edit, name="review_edit"),
    path(audit + "actions/", views.plan, name="plan"),
    path(audit + "actions/new/", views.action_new, name="new"),
    path(audit + "actions/<int:number>/", views.action_detail, name="detail"),
    path(audit + "actions/<int:number>/edit/", views.action_edit, name="edit"),
    path(audit + "learning/", views.learning, name="learning"),
    path(audit + "learning/briefing-use/", views.briefing_use_new, name="briefing_use"),
    path(audit + "learning/attendance/", views.attendance, name="attendance"),
]
