from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "maca.insight"
    label = "insight"
    verbose_name = "Audit programme, re-audits and insight across audits"
