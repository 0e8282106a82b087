"""A post's desk, live: today's figures and the post's queues, refreshed while it is open.

The page polls `workspace_live` every few seconds (htmx). That answer carries a fingerprint of
what it shows; when the next poll finds the same, it answers 204 and nothing on the page moves,
so a screen reader announces a count only when it changed and a focused link keeps its focus
(the links have stable ids, which htmx uses to restore focus after a swap). Polling never
chooses the post: a second desk open in another tab does not switch this browser's post.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from consoles import counters
from consoles.dashboard import DASHBOARD_ROLES
from consoles.patrol import PATROL_ROLES
from consoles.queues import CappedCount, Queue, waiting
from consoles.rows import Row, case_rows
from consoles.workspaces import WORKSPACES, Workspace
from org.access import Actor, choose_desk, posts_of
from org.models import Membership
from org.roles import Role

POLL_SECONDS = 4  # queues show a new case within five seconds


@dataclass(frozen=True)
class Live:
    """What a desk shows that changes by itself."""

    queues: list[tuple[Queue, CappedCount, list[Row]]]
    today: counters.Figures
    streets: list[counters.StreetFigures]


def live_view(actor: Actor, workspace: Workspace, now: datetime) -> Live:
    visible = Case.objects.visible_to(actor)  # asked once for the queues and the figures
    waits = waiting(actor, now, visible)
    queues = [(queue, count, case_rows(rows, now)) for queue, count, rows in waits]
    streets = counters.today_by_street(actor, now, visible) if workspace.by_street else []
    return Live(queues, counters.today(actor, now, visible), streets)


def desk_posts(request: HttpRequest, role: str) -> list[Membership] | None:
    """The user's posts of this role; None when the desk is not theirs (a superuser without
    posts may open the system administration desk)."""
    if role not in WORKSPACES:
        raise Http404
    posts = [post for post in posts_of(request.user) if post.role == role]
    if not posts and not (role == Role.SYSADMIN and request.user.is_superuser):
        return None
    return posts


def _actor(request: HttpRequest, posts: list[Membership]) -> Actor:
    return Actor(request.user, posts[0] if posts else None)  # type: ignore[arg-type]


def _fragment(workspace: Workspace, live: Live) -> str:
    """The live parts as out-of-band swaps (rendered without the request: its context
    processors would cost queries)."""
    return render_to_string("consoles/_desk_live.html", {"workspace": workspace, "live": live})


def _fingerprint(live: Live) -> str:
    """What the live parts show, hashed: a poll that finds the same answers 204 without
    rendering anything."""
    queues = [
        (
            queue.key,
            int(count),
            [(row.href, row.type_name, row.state, row.due, row.light) for row in rows],
        )
        for queue, count, rows in live.queues
    ]
    figures = [_counted(live.today), *((s.street.pk, _counted(s.figures)) for s in live.streets)]
    return hashlib.sha256(repr((queues, figures)).encode()).hexdigest()[:20]


def _counted(figures: counters.Figures) -> tuple[object, ...]:
    return (*((counter.key, n) for counter, n in figures.counts), figures.overdue)


@login_required
def workspace(request: HttpRequest, role: str) -> HttpResponse:
    """A post's desk. Opening it makes this browser act as that post."""
    posts = desk_posts(request, role)
    if posts is None:
        return render(
            request, "consoles/not_your_workspace.html", {"workspace": WORKSPACES[role]}, status=403
        )
    if posts:
        choose_desk(request, role)
    live = live_view(_actor(request, posts), WORKSPACES[role], timezone.now())
    context = {
        "workspace": WORKSPACES[role],
        "memberships": posts,
        "live": live,
        "fingerprint": _fingerprint(live),
        "poll_seconds": POLL_SECONDS,
        "sees_patrols": role in PATROL_ROLES,
        "sees_dashboard": role in DASHBOARD_ROLES,
    }
    return render(request, "consoles/workspace.html", context)


def workspace_live(request: HttpRequest, role: str) -> HttpResponse:
    """The desk's live parts for htmx: 204 when nothing changed since `seen`."""
    if not request.user.is_authenticated:  # signed out meanwhile: the page goes to sign in
        login = redirect_to_login(reverse("workspace", args=[role]))
        return HttpResponse(status=204, headers={"HX-Redirect": login["Location"]})
    posts = desk_posts(request, role)
    if posts is None:  # the post was given up: reloading shows why
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    workspace = WORKSPACES[role]
    live = live_view(_actor(request, posts), workspace, timezone.now())
    fingerprint = _fingerprint(live)
    if request.GET.get("seen") == fingerprint:
        return HttpResponse(status=204)
    poll = render_to_string(
        "consoles/_desk_poll.html",
        {"workspace": workspace, "fingerprint": fingerprint, "poll_seconds": POLL_SECONDS},
    )
    return HttpResponse(poll + _fragment(workspace, live))
