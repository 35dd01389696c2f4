from django.urls import path

from maca.activity import views

app_name = "activity"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("access/", views.access_list, name="access"),
    path("export.csv", views.log_export, {"kind": "activity"}, name="export"),
    path("access/export.csv", views.log_export, {"kind": "access"}, name="access_export"),
    path("cases/<slug:reference>/<int:number>/", views.case_access, name="case_access"),
]
