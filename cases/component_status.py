"""A case on a component holds it damaged (破损) while the problem stands, and gives it back
the status it had when the last such case ends.

A case holds its component while it is open or suspended, unless the inspector sent to verify
it found nothing (核实: not found). So the component is damaged from the report on, and gets its
status back when the case closes (结案, 特殊结案) or ends without a confirmed problem (不予受理,
不予立案, 作废, 合并, or verified as not found). A case reopened after the reporter's callback
holds it again. With two cases on one component, it stays damaged until the last one ends.

Only a component in service (完好) is marked damaged, and only a damage that a case recorded is
undone: a status a person set (丢失, or 破损 before any case) stays as they set it. Every change
goes through components.models.change_status, inside the verb's transaction, and names the case.
The component's row is locked before other cases on it are counted, so two cases ending at
once cannot both leave it damaged.
"""

from __future__ import annotations

from datetime import datetime

from cases.models import ACTIVE_STATUSES, Case, Verb
from components.models import Component, ComponentStatus, change_status
from org.access import Actor


def holds(status: str, verified: bool | None) -> bool:
    """Whether a case in this state keeps its component damaged."""
    return status in ACTIVE_STATUSES and verified is not False


def held_components() -> set[int]:
    """The components some case holds damaged now."""
    holding = Case.objects.filter(component__isnull=False, status__in=ACTIVE_STATUSES)
    return set(holding.exclude(verified=False).values_list("component_id", flat=True))


def follow(case: Case, held_before: bool, actor: Actor | None, verb: str, now: datetime) -> None:
    """Mark or release the case's component when the verb changed whether the case holds it.
    No query for a case without a component, or when nothing changed."""
    held = holds(case.status, case.verified)
    if case.component_id is None or held == held_before:
        return
    component = Component.objects.select_for_update().get(pk=case.component_id)
    if held:
        _damage(component, case, actor, verb, now)
    else:
        _release(component, case, actor, verb, now)


def _damage(
    component: Component, case: Case, actor: Actor | None, verb: str, now: datetime
) -> None:
    if component.status != ComponentStatus.INTACT:
        return  # damaged by another case or a person, or missing: it stays so
    _change(component, ComponentStatus.DAMAGED, case, actor, verb, now)


def _release(
    component: Component, case: Case, actor: Actor | None, verb: str, now: datetime
) -> None:
    if component.status != ComponentStatus.DAMAGED or _others_hold(component, case):
        return
    last = component.status_changes.order_by("-id").first()
    if last is None or not last.case_number or last.to_status != ComponentStatus.DAMAGED:
        return  # a person set the damage: only a person takes it back
    _change(component, last.from_status, case, actor, verb, now)


def _others_hold(component: Component, case: Case) -> bool:
    others = Case.objects.filter(component=component, status__in=ACTIVE_STATUSES)
    return others.exclude(pk=case.pk).exclude(verified=False).exists()


def _change(
    component: Component, to: str, case: Case, actor: Actor | None, verb: str, now: datetime
) -> None:
    # The caller's copy of the component, when the case holds one, learns its new status too.
    cached = case.component if Case.component.is_cached(case) else None
    shown = cached or component
    user = actor.user if actor else None
    reason = str(Verb(verb).label)
    change_status(shown, to, user, reason, case_number=case.number, at=now)
