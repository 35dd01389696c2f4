from django.urls import path

from maca.accounts import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.verify, name="verify"),
    path("two-factor/set-up/", views.setup, name="setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("password/", views.PasswordChange.as_view(), name="password"),
    path("confirm/", views.confirm, name="confirm"),
]
