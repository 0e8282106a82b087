"""The load balancer's probe (/healthz): 200 while this server reaches its database, the 503 of
config/unavailable.py when it does not, so a balancer with active checks stops sending it
requests. Open to anyone: it says nothing but "ok". The staff's health panel (consoles/health.py)
is the page for people."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe


@csrf_exempt  # it changes nothing: any other method gets 405, not a CSRF page
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # the database away raises: 503 with Retry-After
    return HttpResponse("ok", content_type="text/plain")
