"""Pages where a signed-in person lists, makes and revokes their own API tokens.

The clear token is shown once, on the page that answers the POST that made it; only its
SHA-256 is stored. Making a token needs a recent sign-in (maca.core.reauth), like other
sensitive actions.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maca.api import services
from maca.api.forms import TokenForm
from maca.api.models import ApiToken
from maca.core.errors import NotAllowed, ServiceError
from maca.core.forms import add_service_error
from maca.core.middleware import get_actor
from maca.core.reauth import require_recent_auth


@login_required
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = services.tokens_for(get_actor(request))
    return render(
        request,
        "api/tokens.html",
        {"tokens": tokens, "docs_url": reverse("api-v1:openapi-view")},
    )


@login_required
@require_recent_auth()
@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.token_create(
                actor=get_actor(request),
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=services.EXPIRY_CHOICES[form.cleaned_data["expiry"]],
            )
        except ServiceError as exc:
            add_service_error(form, exc.field, exc.message)
        else:
            return render(request, "api/token_created.html", {"token": token, "raw": raw})
    return render(request, "api/token_form.html", {"form": form})


@login_required
@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    """Revoke the token named in the form: only one's own (anything else answers 404)."""
    actor = get_actor(request)
    token_id = request.POST.get("token", "")
    token = (
        ApiToken.objects.filter(pk=int(token_id), user_id=actor.user_id).first()
        if token_id.isdigit() and len(token_id) < 12
        else None
    )
    if token is None:
        raise Http404("Not found")
    try:
        services.token_revoke(actor=actor, token=token)
    except NotAllowed as exc:
        raise Http404("Not found") from exc
    messages.success(request, f"Token “{token.name}” revoked. It no longer works.")
    return redirect("tokens:list")
