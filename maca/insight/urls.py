from django.urls import path

from maca.insight import views

app_name = "insight"
urlpatterns = [
    path("insight/", views.dashboard, name="dashboard"),
    path("programme/", views.programme, name="programme"),
    path("programme/<slug:reference>/", views.programme_edit, name="programme_edit"),
    path("audits/<slug:reference>/reaudit/", views.reaudit, name="reaudit"),
    path("audits/<slug:reference>/export/", views.export, name="export"),
]
