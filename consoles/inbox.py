"""The inbox: the notifications of the post a browser works in (cases/notify.py writes them
with each action, and `manage.py notify_deadlines` when a deadline nears).

A unit's posts share the unit's inbox: a handler or unit administrator reads its unit's (and
its team's), a center post its center's. An inspector reads only what was sent to them in
person. Marking read is for the whole inbox it belongs to: the unit's notice read by one
handler is read for all of its handlers.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.models import Case, Notification
from cases.notify import label
from org.access import Actor, viewer_for
from org.roles import Role

PAGE_SIZE = 30
BADGE_POLL_SECONDS = 15


def inbox_of(actor: Actor) -> Q:
    """Which notifications are the post's: sent to the person, or to the units it acts for."""
    if actor.post is None:
        return Q(pk__in=[])
    mine = Q(person_id=actor.post.person_id)
    if actor.role == Role.INSPECTOR:
        return mine
    units = {actor.post.unit_id, *actor.scope.unit_ids}
    return mine | Q(unit_id__in=units)


def _page_number(request: HttpRequest) -> str:
    number = request.POST.get("page") or request.GET.get("page") or "1"
    return number if number.isdigit() else "1"


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The post's notifications, newest first, each with its case (linked while the post
    may still see it: a case returned to the command center is no longer a unit's)."""
    actor = viewer_for(request)
    visible = Case.objects.visible_to(actor).filter(pk=OuterRef("case_id"))
    notices = (
        Notification.objects.filter(inbox_of(actor))
        .select_related("case")
        .annotate(visible=Exists(visible))
        .order_by("-created_at", "-id")
    )
    page = Paginator(notices, PAGE_SIZE).get_page(_page_number(request))
    context = {
        "page": page,
        "rows": [(notice, label(notice.verb)) for notice in page.object_list],
        "unread": Notification.objects.filter(inbox_of(actor), read_at=None).count(),
    }
    return render(request, "consoles/inbox.html", context)


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('inbox')}?page={_page_number(request)}")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    mine = Notification.objects.filter(inbox_of(viewer_for(request)), pk=pk)
    if not mine.exists():
        raise Http404  # someone else's, or no such notice: the same answer
    mine.filter(read_at=None).update(read_at=timezone.now())
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    unread = Notification.objects.filter(inbox_of(viewer_for(request)), read_at=None)
    unread.update(read_at=timezone.now())
    return _back(request)


def badge(request: HttpRequest) -> HttpResponse:
    """The top bar's unread count, for htmx: 204 while it is still the count `seen`."""
    if not request.user.is_authenticated:
        login = redirect_to_login(reverse("home"))
        return HttpResponse(status=204, headers={"HX-Redirect": login["Location"]})
    actor = viewer_for(request)
    unread = Notification.objects.filter(inbox_of(actor), read_at=None).count()
    if request.GET.get("seen") == str(unread):
        return HttpResponse(status=204)
    context = {"unread": unread, "poll_seconds": BADGE_POLL_SECONDS}
    return HttpResponse(render_to_string("consoles/_inbox_badge.html", context))
