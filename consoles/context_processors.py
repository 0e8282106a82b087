from django.http import HttpRequest

from consoles.board import BOARD_ROLES
from consoles.dashboard import DASHBOARD_ROLES
from consoles.evaluation import EVALUATION_ROLES
from consoles.workspaces import WORKSPACES
from org.models import Membership
from org.roles import Role


def workspaces(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's workspaces, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_workspaces": []}
    roles = list(Membership.objects.for_user(user).values_list("role", flat=True).distinct())
    return {
        "my_workspaces": [WORKSPACES[role] for role in roles if role in WORKSPACES],
        "may_see_board": any(role in BOARD_ROLES for role in roles),
        "may_see_dashboard": any(role in DASHBOARD_ROLES for role in roles),
        "may_see_evaluation": any(role in EVALUATION_ROLES for role in roles),
        "may_see_health": user.is_superuser or Role.SYSADMIN in roles,
    }
