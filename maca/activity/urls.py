from django.urls import path

from maca.activity import views

app_name = "activity"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("access/", views.access_list, name="access"),
]
