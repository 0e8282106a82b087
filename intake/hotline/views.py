"""The hotline console (12319-style 热线坐席): one page where an acceptor or shift leader
records a call while the caller speaks, with the callbacks due and their own calls of today.

The address field asks the gazetteer as the acceptor types (htmx, `suggest`); choosing a
suggestion or moving the pin asks where the pin lies (`place`). Recording a call redirects to
the page again with a confirmation and a fresh form, so a reload never sends it twice.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from geo.gazetteer import gazetteer_index
from intake.hotline import calls, places
from intake.hotline.forms import FIELD_OF_REFUSAL, CallForm, type_options
from intake.hotline.models import Call
from org.access import Actor, Refusal

type HotlineView = Callable[Concatenate[HttpRequest, Actor, ...], HttpResponse]


def hotline_desk(view: HotlineView) -> Callable[..., HttpResponse]:
    """Signed-in acceptors and shift leaders only: others get a refusal page (the anonymous
    go to the login page first)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            actor = calls.hotline_actor(request)
        except Refusal as refusal:
            context = {"message": refusal.message}
            return render(request, "refused.html", context, status=refusal.status)
        return view(request, actor, *args, **kwargs)

    return wrapped


@require_http_methods(["GET", "POST"])
@hotline_desk
def console(request: HttpRequest, actor: Actor) -> HttpResponse:
    if request.method == "POST":
        return _record(request, actor)
    recorded = request.GET.get("recorded", "")[:14]
    return _page(request, actor, CallForm.blank(), recorded=_recorded_call(recorded))


def _record(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = CallForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, form, status=400)
    try:
        call = calls.record_call(actor=actor, call=calls.CallIn(**form.cleaned_data))
    except Refusal as refusal:
        form.add_error(FIELD_OF_REFUSAL.get(refusal.code), refusal.message)
        return _page(request, actor, form, status=refusal.status)
    return redirect(f"{reverse('hotline:console')}?recorded={call.case.number}")


def _recorded_call(number: str) -> Call | None:
    if not number.isdigit():
        return None
    return Call.objects.select_related("case").filter(case__number=number).first()


def _page(
    request: HttpRequest,
    actor: Actor,
    form: CallForm,
    *,
    recorded: Call | None = None,
    status: int = 200,
) -> HttpResponse:
    due = calls.callbacks_due()
    context = {
        "actor": actor,
        "form": form,
        "type_options": type_options(
            form.fields["case_type"].queryset,  # type: ignore[attr-defined]
            str(form["case_type"].value() or ""),
        ),
        "kept_pin": _kept_pin(form),
        "recorded": recorded,
        "callbacks": calls.to_call_back(due[: calls.CALLBACKS_SHOWN], timezone.now()),
        "callbacks_total": due.count(),
        "today": list(calls.calls_today(actor)[: calls.CALLS_SHOWN]),
        "map_config": _map_config(),
    }
    return render(request, "intake/hotline/console.html", context, status=status)


def _kept_pin(form: CallForm) -> places.Pin | None:
    """Where the pin was when a refused form is shown again."""
    if not form.is_bound:
        return None
    try:
        lon, lat = float(form.data.get("lon", "")), float(form.data.get("lat", ""))
        return places.pin(lon, lat)
    except (ValueError, Refusal):
        return None


def _map_config() -> dict[str, Any]:
    """What hotline.js needs: the district's extent (from the gazetteer this process keeps,
    whose areas include the district) and the base map, if one is set."""
    return {
        "bounds": gazetteer_index().bounds,
        "outlines": reverse("map_outlines"),
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "placeUrl": reverse("hotline:place"),
    }


@require_GET
@hotline_desk
def suggest(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Address suggestions for the text typed so far (an htmx fragment)."""
    text = places.search_text(request.GET.get("address", ""))
    found = places.suggestions(text) if text else []
    context = {"text": text, "suggestions": found}
    return render(request, "intake/hotline/_suggestions.html", context)


@require_GET
@hotline_desk
def place(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Where the pin lies (an htmx fragment); a position outside is explained, not an error,
    so that htmx shows it."""
    try:
        pin = places.pin(float(request.GET.get("lon", "")), float(request.GET.get("lat", "")))
    except ValueError:
        return render(request, "intake/hotline/_placement.html", {"problem": _bad_position()})
    except Refusal as refusal:
        return render(request, "intake/hotline/_placement.html", {"problem": refusal.message})
    return render(request, "intake/hotline/_placement.html", {"pin": pin})


def _bad_position() -> str:
    return _("The position is not a number.")
