"""maca's URLs plus a view that fails, to see what a 500 page gives away (tests only)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as maca_urlpatterns

CANARY = "Testchild Surname 01/05/2021 SELECT * FROM audits_caserecord"


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(CANARY)


urlpatterns = [*maca_urlpatterns, path("test-only/broken/", broken, name="test_broken")]
