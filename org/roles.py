"""Posts (岗位) of the platform and the data scope each may hold.

Kept apart from the models because views, workflow checks and the demo all ask these questions
without needing a database row.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INSPECTOR = "inspector", _("Inspector (监督员)")
    ACCEPTOR = "acceptor", _("Acceptor (受理员)")
    SHIFT_LEADER = "shift_leader", _("Shift leader (值班长)")
    DISPATCHER = "dispatcher", _("Dispatcher (派遣员)")
    ANALYST = "analyst", _("Analyst (分析员)")
    HANDLER = "handler", _("Handler (处置员)")
    UNIT_ADMIN = "unit_admin", _("Unit administrator (部门管理员)")
    LEADER = "leader", _("Leader (领导)")
    SYSADMIN = "sysadmin", _("System administrator (系统维护员)")


class Scope(models.TextChoices):
    """Which cases a membership sees and may act on."""

    DISTRICT = "district", _("Whole district")
    TERRITORY = "territory", _("One street's territory")
    UNIT = "unit", _("Own unit's cases")


# Which scopes each role may hold. Center posts work district-wide; a handler or unit admin
# only ever acts for its own unit; a leader may lead the district or one street.
ALLOWED_SCOPES: dict[str, tuple[str, ...]] = {
    Role.INSPECTOR: (Scope.DISTRICT, Scope.TERRITORY),
    Role.ACCEPTOR: (Scope.DISTRICT,),
    Role.SHIFT_LEADER: (Scope.DISTRICT,),
    Role.DISPATCHER: (Scope.DISTRICT,),
    Role.ANALYST: (Scope.DISTRICT, Scope.TERRITORY),
    Role.HANDLER: (Scope.UNIT,),
    Role.UNIT_ADMIN: (Scope.UNIT,),
    Role.LEADER: (Scope.DISTRICT, Scope.TERRITORY),
    Role.SYSADMIN: (Scope.DISTRICT,),
}

# The organisation a post belongs to: the two centers (监管分离) or a handling unit.
SUPERVISION_ROLES = frozenset({Role.INSPECTOR, Role.ACCEPTOR, Role.SHIFT_LEADER})
COMMAND_ROLES = frozenset({Role.DISPATCHER})
HANDLING_ROLES = frozenset({Role.HANDLER, Role.UNIT_ADMIN})
# The supervision center's desks: they record reports from any channel, add report photos,
# and see public reporters' contacts in full.
CENTER_DESKS = frozenset({Role.ACCEPTOR, Role.SHIFT_LEADER})
