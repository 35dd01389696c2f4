from django.urls import path

from maca.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("two-factor/", views.verify, name="verify"),
    path("two-factor/set-up/", views.setup, name="setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("two-factor/recovery-codes/new/", views.recovery_codes_new, name="recovery_codes_new"),
    path("password/", views.PasswordChange.as_view(), name="password"),
    path("confirm/", views.confirm, name="confirm"),
]
