from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "maca.briefings"
    label = "briefings"
