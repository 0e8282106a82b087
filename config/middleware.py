"""Request-wide concerns: how PostgreSQL plans a request's statements (PlansByMethod); answers
under /api/ that Django or django-ninja make outside the API's own error handling (an unknown
path, a method the path does not take) in the API's JSON error format (ApiErrorsAsJson); and
the client's address behind a proxy (client_address)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
READING = ("GET", "HEAD", "OPTIONS")
FOR_VALUES, REUSED = "force_custom_plan", "auto"  # PostgreSQL's plan_cache_mode

# The mode each open connection is in; a connection starts planning for values (config/env.py).
_modes: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


class PlansByMethod:
    """Reads are planned for their values; writes keep the plans of their prepared statements.

    A page's lists depend on their values (a few hundred open cases among a million closed):
    a plan made once for any value cannot use a partial index, and the leader's desk took
    0.45 s. A report is three statements sent in great numbers, by id or key: planning them
    at each run doubled PostgreSQL's CPU per report. One `SET` when the mode changes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if connection.vendor == "postgresql":
            use_plans(FOR_VALUES if request.method in READING else REUSED)
        return self.get_response(request)


def use_plans(mode: str) -> None:
    connection.ensure_connection()
    raw = connection.connection
    if _modes.get(raw, FOR_VALUES) != mode:
        with connection.cursor() as cursor:
            cursor.execute(f"SET plan_cache_mode = {mode}")  # one of two constants
        _modes[raw] = mode


class ApiErrorsAsJson:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            code, message = "not_found", _("There is no such address in the API.")
        else:
            allowed = response.get("Allow", "")
            code = "method_not_allowed"
            message = _("This address takes only %(methods)s.") % {"methods": allowed}
        answer = JsonResponse(
            {"error": {"code": code, "message": message}}, status=response.status_code
        )
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
        return answer


def client_address(request: HttpRequest) -> str:
    """The client's address: from the header the proxy sets (RATELIMIT_IP_META_KEY, the
    portal's limits use it too), else the connection's."""
    header = getattr(settings, "RATELIMIT_IP_META_KEY", None) or "REMOTE_ADDR"
    return str(request.META.get(header, "")).split(",")[0].strip()
