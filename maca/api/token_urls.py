from django.urls import path

from maca.api import views

app_name = "tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("new/", views.token_create, name="create"),
    path("revoke/", views.token_revoke, name="revoke"),
]
