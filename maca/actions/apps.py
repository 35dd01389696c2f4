from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "maca.actions"
    label = "actions"
    verbose_name = "Follow-up: action plans, briefing use and reminders"
