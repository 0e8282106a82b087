from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from org.models import Membership
from org.roles import Role
from org.workspaces import WORKSPACES


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send a person with one post straight to its workspace; let others choose."""
    roles = list(
        Membership.objects.for_user(request.user).values_list("role", flat=True).distinct()
    )
    if len(roles) == 1:
        return redirect("workspace", role=roles[0])
    if not roles and request.user.is_superuser:
        return redirect("workspace", role=Role.SYSADMIN)
    return render(request, "org/home.html", {"workspaces": [WORKSPACES[r] for r in roles]})


@login_required
def workspace(request: HttpRequest, role: str) -> HttpResponse:
    if role not in WORKSPACES:
        raise Http404
    holds_role = Membership.objects.for_user(request.user).filter(role=role).exists()
    if not holds_role and not (role == Role.SYSADMIN and request.user.is_superuser):
        return render(
            request, "org/not_your_workspace.html", {"workspace": WORKSPACES[role]}, status=403
        )
    memberships = Membership.objects.for_user(request.user).filter(role=role)
    return render(
        request,
        "org/workspace.html",
        {"workspace": WORKSPACES[role], "memberships": memberships},
    )
