"""Answers under /api/ that Django or django-ninja make outside the API's own error handling
(an unknown path, a method the path does not take) become the API's JSON error format."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


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
