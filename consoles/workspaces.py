"""Each post's workspace: where the home page sends a person, and what its desk shows.

Every desk shows today's figures over the cases the post may see (consoles/counters.py) and
the post's queues (consoles/queues.py), refreshed while it is open (consoles/desk.py); the
analysis desk adds today's figures per street. A desk never shows made-up data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from org.roles import Role


@dataclass(frozen=True)
class Workspace:
    role: str
    title: Promise
    purpose: Promise
    by_street: bool = False  # today's figures per street as well


WORKSPACES: dict[str, Workspace] = {
    Role.INSPECTOR: Workspace(
        Role.INSPECTOR,
        _("Inspector desk"),
        _("The verify (核实) and check (核查) tasks sent to you, and your own reports."),
    ),
    Role.ACCEPTOR: Workspace(
        Role.ACCEPTOR,
        _("Acceptance desk"),
        _("Receive every report, record hotline calls and send verify and check tasks."),
    ),
    Role.SHIFT_LEADER: Workspace(
        Role.SHIFT_LEADER,
        _("Shift leader desk"),
        _("File or reject cases against the filing standard, approve voiding, close cases."),
    ),
    Role.DISPATCHER: Workspace(
        Role.DISPATCHER,
        _("Command desk"),
        _("Dispatch filed cases to the responsible unit and approve exceptions."),
    ),
    Role.ANALYST: Workspace(
        Role.ANALYST,
        _("Analysis"),
        _("Today's figures of the cases you may see, in all and per street or township."),
        by_street=True,
    ),
    Role.HANDLER: Workspace(
        Role.HANDLER,
        _("Unit terminal"),
        _("Sign for the cases dispatched to your unit, handle them and report back."),
    ),
    Role.UNIT_ADMIN: Workspace(
        Role.UNIT_ADMIN,
        _("Unit administration"),
        _("Your unit's cases: what waits to be signed for, handled and answered."),
    ),
    Role.LEADER: Workspace(
        Role.LEADER,
        _("Leader dashboard"),
        _("Today's figures, the overdue cases to urge and the appeals to decide."),
    ),
    Role.SYSADMIN: Workspace(
        Role.SYSADMIN,
        _("System administration"),
        _(
            "Reference data: organisation, territory, catalogue and filing standards, routing "
            "rules, components, the working calendar and API tokens, in the administration site."
        ),
    ),
}
