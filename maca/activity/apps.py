from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "maca.activity"
    label = "activity"
