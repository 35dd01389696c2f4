from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "maca.accounts"
    label = "accounts"
    verbose_name = "Sign-in, second factor and sessions"

    def ready(self) -> None:
        from maca.accounts import signals  # noqa: F401 - connects the sign-in receivers
