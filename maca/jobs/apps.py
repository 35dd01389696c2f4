from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "maca.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        import maca.jobs.handlers  # noqa: F401 - registers the job kinds in every process
