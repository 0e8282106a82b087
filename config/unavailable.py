"""A lost database answers 503 with Retry-After, not 500: PostgreSQL restarting, or the network
to it cut, is a wait for the client, not a bug. Under /api/ the answer is the API's error JSON,
under /open311/ the GeoReport error list (JSON or XML by the address), elsewhere a small page.

Django turns an exception into a response at each middleware (convert_exception_to_response),
so no middleware can wrap the others in try/except. Two places answer instead:
- server_error, the handler500 view, which Django calls inside its `except` (the exception is
  sys.exc_info()) for an exception from a view or from a middleware: PlansByMethod connects
  before any view; sessions, authentication and axes read the database too;
- DatabaseUnavailable.process_exception, which takes a view's first: the same answer, also in
  development (with DEBUG Django shows its debug page instead of calling handler500), and not
  reported as an uncaught exception (got_request_exception). django-ninja catches its views'
  exceptions itself: config/api.py hands database errors here.

Every page here is rendered without the request's context: the context processors read the
user and the workspaces from the database, which is away. The language comes from the
request (cookie, then Accept-Language) since LocaleMiddleware may not have run yet."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from intake.open311 import formats

DATABASE_AWAY = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5  # a PostgreSQL restart or a failover takes a few seconds
API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"

logger = logging.getLogger(__name__)


class DatabaseUnavailable:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_AWAY):
            return unavailable(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 when the database is away, else a 500 that needs no database."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_AWAY):
        return unavailable(request, exception)
    with translation.override(language_of(request)):
        message = _("The server failed; try again later.")
        return answer(request, 500, "server_error", message)


def unavailable(request: HttpRequest, exception: Exception) -> HttpResponse:
    logger.warning("The database is unavailable (%s): %s", type(exception).__name__, exception)
    with translation.override(language_of(request)):
        message = _("The service is briefly unavailable; please try again shortly.")
        response = answer(request, 503, "unavailable", message)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def answer(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """`message` in the form the address speaks: API JSON, GeoReport errors or a page."""
    path = request.path
    if path.startswith(API_PREFIX):
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    if path.startswith(OPEN311_PREFIX):
        fmt = formats.XML if path.endswith(".xml") else formats.JSON
        return formats.error(fmt, status, message)
    title = _("Briefly unavailable") if status == 503 else _("Server error")
    page = render_to_string("standalone_error.html", {"title": title, "message": message})
    return HttpResponse(page, status=status)


def language_of(request: HttpRequest) -> str:
    return translation.get_language_from_request(request)
