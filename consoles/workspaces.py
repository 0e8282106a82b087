"""Each post's workspace: where the home page sends a person, and what it will hold.

A desk shows its post's queues (consoles/queues.py), and names what is still to come; it
never shows made-up data.
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
    planned: tuple[Promise, ...]
    arrives_with: Promise


WORKSPACES: dict[str, Workspace] = {
    Role.INSPECTOR: Workspace(
        Role.INSPECTOR,
        _("Inspector app"),
        _("Patrol your area and report problems with photo and position."),
        (
            _("Report a component or event problem with photo and GPS position"),
            _("Verification (核实) and on-site check (核查) tasks sent to you"),
            _("Offline queue for reports made without signal"),
        ),
        _("Step 7 (intake channels): the phone-sized inspector app."),
    ),
    Role.ACCEPTOR: Workspace(
        Role.ACCEPTOR,
        _("Acceptance desk"),
        _("Receive every report, record hotline calls and send verify and check tasks."),
        (
            _("The queues refreshing by themselves"),
            _("Hotline call entry with address lookup"),
            _("The nearest on-duty inspector by position, for verify and check tasks"),
        ),
        _("Step 6 (consoles)."),
    ),
    Role.SHIFT_LEADER: Workspace(
        Role.SHIFT_LEADER,
        _("Shift leader desk"),
        _("File or reject cases against the filing standard, approve voiding, close cases."),
        (_("The queues refreshing by themselves"),),
        _("Step 6 (consoles)."),
    ),
    Role.DISPATCHER: Workspace(
        Role.DISPATCHER,
        _("Command desk"),
        _("Dispatch filed cases to the responsible unit and approve exceptions."),
        (_("Search and export of what is filtered"),),
        _("Step 6 (consoles)."),
    ),
    Role.ANALYST: Workspace(
        Role.ANALYST,
        _("Analysis"),
        _("Indicators and rankings of regions, units and posts."),
        (
            _("Evaluation of streets, communities, grids, units and posts for any period"),
            _("Monthly reports exported to Excel"),
        ),
        _("Step 8 (evaluation)."),
    ),
    Role.HANDLER: Workspace(
        Role.HANDLER,
        _("Unit terminal"),
        _("Sign for the cases dispatched to your unit, handle them and report back."),
        (_("Notifications of new cases, deadlines near and urgings"),),
        _("Step 6 (consoles)."),
    ),
    Role.UNIT_ADMIN: Workspace(
        Role.UNIT_ADMIN,
        _("Unit administration"),
        _("Your unit's teams, people and cases."),
        (_("Your unit's people and their posts"),),
        _("Step 6 (consoles)."),
    ),
    Role.LEADER: Workspace(
        Role.LEADER,
        _("Leader dashboard"),
        _("The district's headline figures, rankings and urging."),
        (
            _("Discovery rate, cases per month, handling time, handling and on-time rates"),
            _("Rankings of streets and units; grid heat map"),
        ),
        _("Step 8 (evaluation)."),
    ),
    Role.SYSADMIN: Workspace(
        Role.SYSADMIN,
        _("System administration"),
        _(
            "Reference data: organisation, territory, catalogue and filing standards, routing "
            "rules, components, the working calendar and API tokens, in the administration site."
        ),
        (_("Audit-trail verification and import history in the browser"),),
        _("Step 6 (consoles)."),
    ),
}
