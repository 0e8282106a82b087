"""Each post's workspace: where the home page sends a person, and what it will hold.

A workspace whose issue has not landed says so and names what will be there; it never shows
made-up queues. When a step lands, its entry gets the URL of the real console.
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
            _("Queue of new reports from all channels, refreshing by itself"),
            _("Hotline call entry with address lookup"),
            _("The check queue: cases handled and waiting for an on-site check"),
        ),
        _("Step 6 (consoles)."),
    ),
    Role.SHIFT_LEADER: Workspace(
        Role.SHIFT_LEADER,
        _("Shift leader desk"),
        _("File or reject cases against the filing standard, approve voiding, close cases."),
        (
            _("Queue of cases waiting to be filed"),
            _("Queue of void requests to approve and checked cases to close"),
        ),
        _("Step 6 (consoles)."),
    ),
    Role.DISPATCHER: Workspace(
        Role.DISPATCHER,
        _("Command desk"),
        _("Dispatch filed cases to the responsible unit and approve exceptions."),
        (
            _("Queue of filed cases with the suggested unit and the reason for it"),
            _("Inboxes of extension, return, suspension, void and appeal requests"),
            _("An overdue board by unit, with lights"),
        ),
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
        (_("Queue of the cases dispatched to your unit, with lights and deadlines"),),
        _("Step 6 (consoles)."),
    ),
    Role.UNIT_ADMIN: Workspace(
        Role.UNIT_ADMIN,
        _("Unit administration"),
        _("Your unit's teams, people and cases."),
        (
            _("Queue of your unit's cases to assign to its teams"),
            _("Your unit's people and their posts"),
        ),
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
        (
            _(
                "A health page for the reference data: calendar years without holidays, "
                "types without a filing standard or department, grids without an inspector"
            ),
            _("Audit-trail verification and import history in the browser"),
        ),
        _("Step 6 (consoles)."),
    ),
}
