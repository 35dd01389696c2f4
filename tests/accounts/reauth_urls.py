"""maca's URLs plus one pretend export view that needs recent authentication (tests only)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as maca_urlpatterns
from maca.core.reauth import require_recent_auth


@login_required
@require_recent_auth(max_age_minutes=15)
def export(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the export")


urlpatterns = [*maca_urlpatterns, path("test-only/export/", export, name="test_export")]
