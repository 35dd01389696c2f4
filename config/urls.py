from django.contrib.auth import views as auth_views
from django.urls import include, path

from maca.api.api import api
from maca.core import views as core_views
from maca.sampling import views as sampling_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", core_views.dashboard, name="dashboard"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", include("maca.api.token_urls")),
    path("accounts/", include("maca.accounts.urls")),
    path("audits/", include("maca.audits.urls")),
    path("tools/", include("maca.audits.tool_urls")),
    path("pool/", sampling_views.pool, name="pool"),
    path("pool/jobs/<uuid:job_id>/", sampling_views.pool_job, name="pool_job"),
    path("pool/jobs/<uuid:job_id>.json", sampling_views.pool_job_status, name="pool_job_status"),
    path("briefings/", include("maca.briefings.urls")),
    path("activity/", include("maca.activity.urls")),
    path("", include("maca.actions.urls")),
    path("", include("maca.insight.urls")),
    path("api/v1/", api.urls),
]
