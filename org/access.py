"""The request edge: who acts in a request, and the one way a request is refused.

Every request acts as one actor, resolved once (`actor_for`) and kept on the request: a person
in one of their posts (岗位), signed in by session or by API token. A partner system and an
anonymous member of the public are actors too (the intake channels use them). Case verbs take
the actor as a keyword argument, and `Case.objects.visible_to(actor)` answers what it may see.

A refusal is a `Refusal`: a stable code for machines, a message in the user's language and the
HTTP status it answers with. Domain errors (coordinates, grid codes, outside the district) are
turned into refusals where they arise, so every caller meets the same type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from org.models import DataScope, Membership, Person, Unit
from org.roles import Role
from org.tokens import posts_for_key

ROLE_HEADER: Final = "X-UrbanGrid-Role"
SESSION_POST: Final = "urbangrid_post"  # the post a browser works in (chosen on its desk)
_CACHED: Final = "_urbangrid_actor"
_POSTS: Final = "_urbangrid_posts"  # read with the API key, so the actor needs no other query


class Refusal(Exception):
    """A refused request: `code` is stable for machines, `message` is for people (already in
    their language), `status` is the HTTP status it answers with. Nothing has been stored."""

    def __init__(self, code: str, message: str, status: int = 400, **extra: object) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.extra = code, message, status, extra

    def __repr__(self) -> str:
        return f"Refusal({self.code!r}, {self.status})"


class ActorKind(models.TextChoices):
    STAFF = "staff", gettext_lazy("Staff (工作人员)")
    PARTNER = "partner", gettext_lazy("Partner system (联动系统)")
    PUBLIC = "public", gettext_lazy("Member of the public (市民)")


@dataclass(frozen=True)
class Actor:
    """Who acts: a person in one post, a partner system, or the anonymous public. An actor
    without a post acts on one case only, the one it `holds`: a partner the case its incident
    became, a member of the public the case whose tracking code it showed (intake/)."""

    user: User | None
    post: Membership | None
    kind: str = ActorKind.STAFF
    holds: str = ""  # a case number

    @property
    def role(self) -> str:
        """The post's role; "partner" or "public" for actors without a post."""
        return self.post.role if self.post is not None else self.kind

    @property
    def scope(self) -> DataScope:
        return self.post.data_scope if self.post is not None else DataScope()

    @property
    def unit(self) -> Unit | None:
        return self.post.unit if self.post is not None else None

    @property
    def person(self) -> Person | None:
        return self.post.person if self.post is not None else None

    @property
    def role_label(self) -> str:
        if self.post is not None:
            return str(self.post.get_role_display())
        return str(ActorKind(self.kind).label)

    @classmethod
    def of(cls, user: User, role: str | None = None) -> Actor:
        """A person acting in their post of `role` (their only post if `role` is None): for
        scripts, commands and the demo, which have no request."""
        return cls(user, choose_post(posts_of(user), role, pick_first=False))

    @classmethod
    def public(cls, holds: str = "") -> Actor:
        return cls(None, None, ActorKind.PUBLIC, holds)

    @classmethod
    def partner(cls, holds: str = "") -> Actor:
        return cls(None, None, ActorKind.PARTNER, holds)


def posts_of(user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """The user's active posts in a fixed order (the centers' posts first)."""
    return _in_order(Membership.objects.for_user(user))


def _in_order(posts: Iterable[Membership]) -> list[Membership]:
    order = {role: n for n, role in enumerate(Role.values)}
    return sorted(posts, key=lambda p: (order[p.role], p.unit_id))


def bearer_key(request: HttpRequest) -> str | None:
    """The key of an `Authorization: Bearer <key>` header, if the request sends one."""
    scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" and key.strip() else None


def sign_in_by_key(request: HttpRequest, key: str) -> bool:
    """A device's API key (Authorization: Bearer …) as the request's user, with its posts."""
    found = posts_for_key(key)
    if found is None:
        return False
    request.user, posts = found
    setattr(request, _POSTS, _in_order(posts))
    return True


def choose_post(posts: list[Membership], wanted: str | None, *, pick_first: bool) -> Membership:
    """The post named `wanted`, or the only one; with several and none named, the first when
    `pick_first` (a browser), else a refusal asking to choose (the API)."""
    if wanted:
        if wanted not in Role.values:
            raise Refusal("unknown_role", _("There is no post %(role)s.") % {"role": wanted})
        for post in posts:
            if post.role == wanted:
                return post
        raise Refusal("no_such_post", _("You do not hold this post."), 403)
    if not posts:
        raise Refusal("no_post", _("Your account holds no post."), 403)
    roles = sorted({post.role for post in posts})
    if len(roles) == 1 or pick_first:
        return posts[0]
    raise Refusal(
        "role_required",
        _(
            "You hold several posts: choose one with the %(header)s header or the role "
            "parameter (%(roles)s)."
        )
        % {"header": ROLE_HEADER, "roles": ", ".join(roles)},
    )


def actor_for(request: HttpRequest, *, pick_first: bool = False) -> Actor:
    """The actor of this request, resolved once: the signed-in user (session, or the API token
    that config/api.py checked) in the post named by the X-UrbanGrid-Role header or the `role`
    parameter, else the post chosen on a desk in this browser, else the user's only post."""
    cached = getattr(request, _CACHED, None)
    if cached is not None:
        return cached
    user = request.user
    if not user.is_authenticated:
        raise Refusal("unauthorized", _("Sign in first."), 401)
    wanted = request.headers.get(ROLE_HEADER) or request.GET.get("role")
    posts = getattr(request, _POSTS, None)
    if posts is None:
        posts = posts_of(user)
    session = getattr(request, "session", None)
    remembered = session.get(SESSION_POST) if session is not None else None
    if not wanted and any(post.role == remembered for post in posts):
        wanted = remembered  # unless the post was given up since it was chosen
    actor = Actor(user, choose_post(posts, wanted, pick_first=pick_first))
    setattr(request, _CACHED, actor)
    return actor


def viewer_for(request: HttpRequest) -> Actor:
    """The actor of a page: a person holding no post sees nothing rather than an error."""
    try:
        return actor_for(request, pick_first=True)
    except Refusal as refusal:
        if refusal.code != "no_post":
            raise
        return Actor(request.user, None)  # type: ignore[arg-type]


def choose_desk(request: HttpRequest, role: str) -> None:
    """Remember the post this browser works in (opening a desk chooses it)."""
    request.session[SESSION_POST] = role
    if hasattr(request, _CACHED):
        delattr(request, _CACHED)
