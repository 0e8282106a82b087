"""The JSON API at /api/v1/ (django-ninja): authentication, the error format, the routers.

Every error answers `{"error": {"code": ..., "message": ...}}`: `code` is stable for machines,
`message` is in the request's language (LocaleMiddleware reads Accept-Language). Input that does
not fit the schema adds `fields`, each with a message in that language too. Refusals are
org.access.Refusal wherever they arise. The OpenAPI description is at /api/v1/openapi.json.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth
from ninja.types import DictStrAny
from ninja.utils import check_csrf

from cases.api import router as cases_router
from catalog.api import router as catalog_router
from components.api import router as components_router
from config.unavailable import unavailable
from intake.partners.api import router as partners_router
from lib.field_errors import field_message
from org.access import Refusal, bearer_key, sign_in_by_key
from org.api import router as org_router

logger = logging.getLogger("django.request")


class BearerToken(HttpBearer):
    """`Authorization: Bearer <key>` with a key from `manage.py create_api_token`. Unlike
    ninja's own, it never writes the header to a log: a wrong header may still be a secret."""

    def __call__(self, request: HttpRequest) -> Any:
        key = bearer_key(request)
        return None if key is None else self.authenticate(request, key)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not sign_in_by_key(request, token):
            # A wrong or revoked key is refused outright, never retried as a session.
            raise AuthenticationError()
        return request.user


class BrowserSession(SessionAuth):
    """The signed-in browser. CSRF is checked only when the session is the credential, so a
    token call without a session cookie is never refused for a missing CSRF token."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise Refusal(
                "csrf_failed",
                _("The CSRF check failed: send the X-CSRFToken header with the csrftoken cookie."),
                403,
            )
        return request.user


class JsonOnly(Parser):
    """A body is read as JSON only when it says it is JSON."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        if request.content_type != "application/json":
            raise Refusal(
                "unsupported_media_type",
                _("Send the body as JSON, with Content-Type: application/json."),
                415,
            )
        return super().parse_body(request)


class SelfHostedSwagger(Swagger):
    """Swagger UI from django-ninja's own static files. Without "ninja" in INSTALLED_APPS ninja
    would load it from a CDN, which the Content-Security-Policy (self only) blocks anyway: the
    docs page is then not served at all."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if "ninja" not in settings.INSTALLED_APPS:
            raise Http404("API docs need 'ninja' in INSTALLED_APPS (self-hosted Swagger UI).")
        return super().render_page(request, api, **kwargs)


api = NinjaAPI(
    title="UrbanGrid",
    version="v1",
    urls_namespace="api",
    description=(
        "Digital urban management (数字城管): report, find and move cases through the closed loop. "
        "Authenticate with the browser session (send X-CSRFToken on writes) or with "
        "`Authorization: Bearer <key>` (`manage.py create_api_token`). Every request acts as one "
        "post: name it with the `X-UrbanGrid-Role` header or the `role` query parameter unless "
        'you hold only one. Bodies are JSON (Content-Type: application/json). Errors: {"error": '
        '{"code", "message"}}.'
    ),
    auth=[BearerToken(), BrowserSession()],
    docs=SelfHostedSwagger(),
    parser=JsonOnly(),
)
api.add_router("", cases_router)
api.add_router("/components", components_router)
api.add_router("/catalog", catalog_router)
api.add_router("", org_router)
api.add_router("/partners", partners_router)

# Last of all, so that a mistyped path answers in the same JSON as every other error.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def nowhere(request: HttpRequest, rest: str) -> NoReturn:
    raise Http404


api.add_router("", fallback)


def error(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, **extra}}, status=status
    )


@api.exception_handler(Refusal)
def refused(request: HttpRequest, exc: Refusal) -> HttpResponse:
    return error(request, exc.status, exc.code, exc.message, **exc.extra)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = []
    for problem in exc.errors:
        # ninja's location is (source, parameter, field…): "body.minutes", "query.limit".
        location = [str(part) for part in problem.get("loc", ())]
        path = [location[0], *location[2:]] if len(location) > 2 else location
        kind = problem.get("type", "")
        message = field_message(kind, problem.get("ctx") or {})
        fields.append({"field": ".".join(path), "code": kind, "message": message})
    names = ", ".join(field["field"] for field in fields)
    message = _("Some fields are missing or not valid: %(fields)s.") % {"fields": names}
    return error(request, 422, "invalid_input", message, fields=fields)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = _("Sign in, or send a valid API token: Authorization: Bearer <key>.")
    response = error(request, 401, "unauthorized", message)
    response["WWW-Authenticate"] = 'Bearer realm="UrbanGrid"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, Refusal):  # raised while parsing the body (JsonOnly)
        return refused(request, exc.__cause__)
    if exc.status_code == 400:  # ninja's only 400: a body that does not parse
        return error(request, 400, "malformed_json", _("The request body is not valid JSON."))
    return error(request, exc.status_code, f"http_{exc.status_code}", str(exc))


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    message = _("The request body is larger than %(limit)s.") % {"limit": limit}
    return error(request, 413, "body_too_large", message)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", _("Nothing was found here."))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_away(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The database is away, not broken: 503 with Retry-After, like every other address.
    return unavailable(request, exc)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug, not a refusal: logged with its traceback like any 500, answered as JSON.
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return error(request, 500, "server_error", _("The server failed; try again later."))
