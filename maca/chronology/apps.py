from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    name = "maca.chronology"
    label = "chronology"
