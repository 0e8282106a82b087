"""The public portal's pages (公众门户): report a problem without an account, follow it with
its number and tracking code, rate the result once closed.

Every page answers in the reader's language; a refusal from the core is shown as its message,
beside what the reader typed. A browser that has shown a case's code holds that case for the
rest of its session (`SESSION_HOLDS`), so the code is typed once, never put in a URL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_GET, require_POST

from cases.models import Case, Satisfaction, Status
from cases.photos import MAX_PHOTO_BYTES
from cases.workflow import callback_case
from geo.gazetteer import geocode
from geo.map_layers import map_layers
from geo.models import GeoRevision
from intake.portal import progress
from intake.portal.forms import ADDRESS_MAX, MAX_PHOTOS, RateForm, ReportForm, TrackForm
from intake.portal.limits import (
    at_limit,
    attempts_rate,
    lookups_rate,
    over_limit,
    reports_rate,
    too_many,
)
from intake.portal.receipts import case_for_code, grouped, new_code
from intake.portal.submit import submit_report
from org.access import Actor, Refusal

SESSION_HOLDS = "portal_holds"
MAX_HELD = 20  # cases one browser follows at once
# The largest report body: every photo at its limit, and room for the text fields.
MAX_BODY = MAX_PHOTOS * MAX_PHOTO_BYTES + 1024 * 1024
UNDER_REVIEW = gettext_lazy("The result is under review: you can rate it once the review is over.")
# The callback verb's refusals said to the reporter rather than to the center's staff. Any
# other refusal gets RATING_FAILED: the core's own message may tell internal workflow.
RATING_REFUSED = {
    "already_called_back": gettext_lazy("You have already rated this result."),
    "invalid_transition": gettext_lazy("The result can be rated once the case is closed."),
    "request_pending": UNDER_REVIEW,
}
RATING_FAILED = gettext_lazy("Your rating could not be recorded. Please try again later.")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/portal/home.html")


# -- report -----------------------------------------------------------------------------------


@never_cache
@csrf_exempt  # checked by _report below, once the body is known to be of a sane size
def report(request: HttpRequest) -> HttpResponse:
    """The report form. A POST is limited per IP before its body is read: every send (a
    looser cap), and the reports stored (PORTAL_REPORTS_PER_HOUR): once those are used up,
    no more photos are decoded."""
    if request.method == "POST":
        if over_limit(request, "portal-send", attempts_rate) or at_limit(
            request, "portal-report", reports_rate
        ):
            return too_many(request, minutes=60)
        if _content_length(request) > MAX_BODY:
            problem = _("The photos are too large together: send at most 3 photos of 10 MB each.")
            return _show_report(request, _fresh_form(), status=413, problem=problem)
    return _report(request)


@csrf_protect
def _report(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _show_report(request, _fresh_form())
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _show_report(request, _renewed(form), status=400)
    if over_limit(request, "portal-report", reports_rate):
        return too_many(request, minutes=60)
    try:
        submitted = submit_report(form.cleaned_data, form.cleaned_data["photos"], timezone.now())
    except Refusal as refusal:
        return _refused_report(request, form, refusal)
    if submitted.code is None:
        # The same form sent again with another code (someone's form resent from the history
        # of a shared computer): the report exists, but this browser never showed its code.
        return render(request, "intake/portal/receipt.html", {"case": submitted.case, "code": ""})
    _hold(request, submitted.case.number)
    context = {"case": submitted.case, "code": grouped(submitted.code)}
    return render(request, "intake/portal/receipt.html", context)


def _refused_report(request: HttpRequest, form: ReportForm, refusal: Refusal) -> HttpResponse:
    if refusal.code == "request_id_reused":  # the form came back changed after it was sent
        form = _renewed(form, always=True)
        form.add_error(
            None,
            _(
                "This form was already sent as case %(number)s. If this is another problem, "
                "check the details and send it as a new report."
            )
            % {"number": refusal.extra.get("case", "")},
        )
    else:
        form.add_error(None, refusal.message)
    return _show_report(request, form, status=refusal.status)


def _fresh_form() -> ReportForm:
    return ReportForm(initial=_new_tokens())


def _new_tokens() -> dict[str, str]:
    """A new form's request id (so a resent form makes one case) and its tracking code."""
    return {"request_id": get_random_string(32), "code": new_code()}


def _renewed(form: ReportForm, *, always: bool = False) -> ReportForm:
    """The form re-shown with new hidden tokens when its own were missing or bad."""
    if always or form.has_error(NON_FIELD_ERRORS, "expired"):
        data = QueryDict(mutable=True)
        data.update(form.data)
        for name, value in _new_tokens().items():
            data[name] = value
        form.data = data
    return form


def _show_report(
    request: HttpRequest, form: ReportForm, status: int = 200, problem: str = ""
) -> HttpResponse:
    lon, lat = form["lon"].value(), form["lat"].value()
    config = {
        "outlines": reverse("portal:outlines"),
        "addresses": reverse("portal:addresses"),
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "pin": [lon, lat] if form.is_bound and lon and lat else None,
        "maxPhotos": MAX_PHOTOS,
        "maxPhotoBytes": MAX_PHOTO_BYTES,
        "text": {
            "searching": _("Searching…"),
            "noAddress": _("No address found: place the pin on the map."),
            "locating": _("Finding your position…"),
            "noPosition": _("Your position could not be found: place the pin on the map."),
            "pinned": _("Pin placed: drag it to the exact place."),
            "tooManyPhotos": _("Choose at most %(limit)d photos.") % {"limit": MAX_PHOTOS},
            "photoTooLarge": _("A photo is larger than 10 MB."),
            "sending": _("Sending…"),
            "searchFailed": _("The address search is not available: place the pin on the map."),
        },
    }
    photos_lost = form.is_bound and bool(request.FILES)
    context = {"form": form, "map_config": config, "photos_lost": photos_lost, "problem": problem}
    return render(request, "intake/portal/report.html", context, status=status)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# -- tracking and rating ----------------------------------------------------------------------


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    """Number + tracking code → the case page. A wrong code and an unknown number get the
    same answer, and every attempt counts against the lookup limit."""
    if request.method != "POST":
        form = TrackForm(initial={"number": request.GET.get("number", "")[:14]})
        return render(request, "intake/portal/track.html", {"form": form})
    if over_limit(request, "portal-track", lookups_rate):
        return too_many(request, minutes=1)
    form = TrackForm(request.POST)
    if form.is_valid():
        case = case_for_code(form.cleaned_data["number"], form.cleaned_data["code"])
        if case is not None:
            _hold(request, case.number)
            return redirect("portal:case", number=case.number)
        form.add_error(
            None, _("No report matches this number and tracking code: check both and try again.")
        )
    return render(request, "intake/portal/track.html", {"form": form}, status=400)


@never_cache
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    case = _held_case(request, number)
    if case is None:
        return _ask_for_code(number)
    return _show_case(request, case, RateForm())


@never_cache
@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    """回访 by the reporter: the verb refuses a case not closed or already rated."""
    if over_limit(request, "portal-rate", lookups_rate):
        return too_many(request, minutes=1)
    case = _held_case(request, number)
    if case is None:
        return _ask_for_code(number)
    form = RateForm(request.POST)
    if not form.is_valid():
        return _show_case(request, case, form, status=400)
    satisfaction = form.cleaned_data["satisfaction"]
    try:
        callback_case(
            case,
            actor=Actor.public(case.number),
            satisfaction=satisfaction,
            reason=form.cleaned_data["comment"],
        )
    except Refusal as refusal:
        case.refresh_from_db()  # as the refusal found it (rated or under review meanwhile)
        if not (refusal.code == "request_pending" and case.pending_request):  # said below
            form.add_error(None, RATING_REFUSED.get(refusal.code, RATING_FAILED))
        return _show_case(request, case, form, status=refusal.status)
    if satisfaction == Satisfaction.DISSATISFIED:
        messages.success(
            request,
            _("Thank you. The case is reopened: the supervision center will take it up again."),
        )
    else:
        messages.success(request, _("Thank you for rating the result."))
    return redirect("portal:case", number=case.number)


def _show_case(request: HttpRequest, case: Case, form: RateForm, status: int = 200) -> HttpResponse:
    closed = case.status == Status.CLOSED and not case.satisfaction
    context: dict[str, Any] = {
        "case": case,
        "stage": progress.stage(case),
        "explanation": progress.explanation(case),
        "timeline": progress.timeline(case),
        "may_rate": closed and not case.pending_request,
        # A request awaits a decision (an appeal…): which one is the center's business.
        "under_review": UNDER_REVIEW if closed and case.pending_request else "",
        "rating": progress.RATED.get(case.satisfaction, ""),
        "form": form,
    }
    return render(request, "intake/portal/case.html", context, status=status)


def _ask_for_code(number: str) -> HttpResponse:
    """To the lookup form, the number filled in: the same whether the case exists or not."""
    return redirect(f"{reverse('portal:track')}?{urlencode({'number': number[:14]})}")


def _hold(request: HttpRequest, number: str) -> None:
    """Remember that this browser showed the case's code (newest first, a few at most).

    A case newly held gets a new session key, so that a key planted beforehand (session
    fixation) does not hold it; an anonymous session ends with the browser, since portal
    pages are often opened on shared computers. A staff member's session keeps its expiry."""
    holds = request.session.get(SESSION_HOLDS, [])
    if number not in holds:
        request.session.cycle_key()
    if not request.user.is_authenticated:
        request.session.set_expiry(0)
    held = [n for n in holds if n != number]
    request.session[SESSION_HOLDS] = [number, *held][:MAX_HELD]


def _held_case(request: HttpRequest, number: str) -> Case | None:
    if number not in request.session.get(SESSION_HOLDS, []):
        return None
    found = Case.objects.select_related("case_type").filter(
        number=number, portal_receipt__isnull=False
    )
    return found.first()


# -- the map's data ---------------------------------------------------------------------------


@require_GET
def addresses(request: HttpRequest) -> JsonResponse:
    """Address candidates for the report form's search (geo.gazetteer), best first."""
    if over_limit(request, "portal-address", lookups_rate):
        message = _("Too many searches: wait a minute and try again.")
        return JsonResponse({"error": {"code": "rate_limited", "message": message}}, status=429)
    hits = geocode(request.GET.get("q", "")[:ADDRESS_MAX], 5)
    results = [{"label": h.label, "lon": round(h.lon, 7), "lat": round(h.lat, 7)} for h in hits]
    return JsonResponse({"results": results})


def _outlines_etag(request: HttpRequest) -> str:
    return f'"portal-outlines-{GeoRevision.current()}"'


@require_GET
@gzip_page
@condition(etag_func=_outlines_etag)
def outlines(request: HttpRequest) -> HttpResponse:
    """The district's, streets' and communities' outlines: public geography, for the map."""
    return HttpResponse(map_layers().outlines, content_type="application/geo+json")
