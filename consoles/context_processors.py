from django.http import HttpRequest

from consoles.workspaces import WORKSPACES
from org.models import Membership


def workspaces(request: HttpRequest) -> dict[str, object]:
    """The signed-in person's workspaces, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_workspaces": []}
    roles = Membership.objects.for_user(user).values_list("role", flat=True).distinct()
    return {"my_workspaces": [WORKSPACES[role] for role in roles if role in WORKSPACES]}
