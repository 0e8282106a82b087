"""Rate limits of the portal, per client IP (django-ratelimit): reports per hour, tracking
lookups and address searches per minute. The figures are settings (PORTAL_*), read at each
request. Counters live in the default cache, which must be shared by all processes in
production (see config/settings.py)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit import ALL
from django_ratelimit.core import get_usage, is_ratelimited


def reports_rate(group: str, request: HttpRequest) -> str:
    return f"{settings.PORTAL_REPORTS_PER_HOUR}/h"


def attempts_rate(group: str, request: HttpRequest) -> str:
    # Sending a form that turns out wrong costs work too (photos are decoded), but a citizen
    # correcting a mistake should not lose a report for it: a looser cap on every send.
    return f"{settings.PORTAL_REPORTS_PER_HOUR * 4}/h"


def lookups_rate(group: str, request: HttpRequest) -> str:
    return f"{settings.PORTAL_LOOKUPS_PER_MINUTE}/m"


def over_limit(request: HttpRequest, group: str, rate: object, *, count: bool = True) -> bool:
    """Whether this IP is past `rate` in `group`; counts the request unless `count` is False."""
    return is_ratelimited(request, group=group, key="ip", rate=rate, method=ALL, increment=count)


def at_limit(request: HttpRequest, group: str, rate: object) -> bool:
    """Whether this IP has used up `rate` in `group` already, without counting the request:
    a check made before the work that the counted request would cost."""
    usage = get_usage(request, group=group, key="ip", rate=rate, method=ALL, increment=False)
    if usage is None:  # limits switched off
        return False
    return bool(usage["should_limit"]) or usage["count"] >= usage["limit"]


def too_many(request: HttpRequest, *, minutes: int) -> HttpResponse:
    response = render(request, "intake/portal/limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
