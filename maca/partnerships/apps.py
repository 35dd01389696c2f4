from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "maca.partnerships"
    label = "partnerships"
