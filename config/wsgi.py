import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from maca.core.warmup import warm  # noqa: E402 (after Django is set up)

warm()  # so no worker's first request pays for imports and template parsing
