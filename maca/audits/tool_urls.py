from django.urls import path

from maca.audits import views

app_name = "tools"
urlpatterns = [
    path("", views.tool_list, name="list"),
    path("load/", views.tool_load, name="load"),
    path("<slug:slug>/<int:version>/", views.tool_detail, name="detail"),
]
