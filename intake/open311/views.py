"""The GeoReport v2 endpoints under /open311/v2/: discovery, services, service definitions,
requests (GET and POST), one request, and tokens; JSON or XML by the URL's extension.

Every refusal answers in the spec's error form with its HTTP status, in the language of the
request's Accept-Language (Chinese by default). POST requests is CSRF-exempt: it is a machine
API authenticated by the partner's api_key, not by a browser session. Only GET and POST are
allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Final

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from geo.models import District
from intake.open311 import formats, listing, posting
from intake.open311.formats import JSON, answer, refused
from intake.open311.models import ServiceRequest
from intake.open311.services import Service, all_services, find_service
from org.access import Refusal

SPECIFICATION: Final = "http://wiki.open311.org/GeoReport_v2"
CHANGESET: Final = "2026-12-03T00:00:00+08:00"  # when this API last changed
POST_RATE: Final = "120/m"  # POSTs per partner: a client stuck in a loop, not a busy one

type View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """A GeoReport view: only `methods`, and every refusal in the spec's error form. CSRF does
    not apply: no view reads a session, and a POST is authenticated by its api_key alone."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str = JSON, **kwargs: Any) -> Any:
            if request.method not in methods:
                told = _("Method %(method)s is not allowed here.")
                response = formats.error(fmt, 405, told % {"method": request.method})
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Refusal as refusal:
                return refused(fmt, refusal)

        return csrf_exempt(wrapped)

    return decorate


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    district = District.objects.values_list("name", flat=True).first() or ""
    contact = _("%(district)s digital urban management supervision center (数字城管监督中心)")
    data = {
        "changeset": CHANGESET,
        "contact": (contact % {"district": district}).strip(),
        "key_service": _(
            "Partner systems get an api_key from the supervision center's administrator; "
            "reading needs no key."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return answer(data, fmt, "discovery")


@endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return answer([_service(s) for s in all_services()], fmt, "services")


def _service(service: Service) -> dict[str, Any]:
    case_type = service.case_type
    return {
        "service_code": service.code,
        "service_name": case_type.name,
        "description": f"{case_type.major.name} · {case_type.name}",
        "metadata": service.has_attributes,
        "type": "realtime",
        "keywords": service.keywords,
        "group": case_type.major.name,
    }


@endpoint("GET")
def definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    service = find_service(service_code)
    attributes = [
        {
            "variable": a.variable,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": a.datatype_description,
            "order": a.order,
            "description": a.description,
            **({"values": [{"key": v.key, "name": v.name} for v in a.values]} if a.values else {}),
        }
        for a in service.attributes
    ]
    data = {"service_code": service.code, "attributes": attributes}
    return answer(data, fmt, "service_definition")


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post(request, fmt)
    filters = listing.read_filters(request.GET, timezone.now())
    cases = listing.find_cases(filters)
    return answer([listing.as_request(c) for c in cases], fmt, "service_requests")


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    posted = posting.read_post(request)
    partner = posting.partner_of(posted)
    if is_ratelimited(
        request,
        group="open311.post",
        key=lambda _group, _request: partner.code,
        rate=POST_RATE,
        increment=True,
    ):
        raise Refusal("too_many_requests", _("Too many requests: wait a minute."), 429)
    made = posting.post_request(posted, partner=partner)
    # account_id only when the client sent one: the published schema (swagger.json's
    # RequestResponse) allows a string there, not null.
    account = {"account_id": made.account_id} if made.account_id else {}
    data = [
        {
            "service_request_id": made.case.number,
            "token": made.token,
            "service_notice": listing.notice(),
            **account,
        }
    ]
    return answer(data, fmt, "service_requests")


@endpoint("GET")
def one_request(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    case = listing.find_case(number)
    return answer([listing.as_request(case)], fmt, "service_requests")


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    made = ServiceRequest.objects.filter(token=token).select_related("case").first()
    if made is None:
        raise Refusal("unknown_token", _("There is no request with this token."), 404)
    data = [{"service_request_id": made.case.number, "token": made.token}]
    return answer(data, fmt, "service_requests")


@endpoint("GET", "POST")
def not_found(request: HttpRequest, fmt: str = JSON, path: str = "") -> HttpResponse:
    raise Refusal(
        "not_found",
        _("There is no such GeoReport address: see %(url)s.")
        % {"url": request.build_absolute_uri("/open311/v2/discovery.json")},
        404,
    )
