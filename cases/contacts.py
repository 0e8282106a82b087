"""A public reporter's contact (name and phone): private. Everyone sees it masked; the posts
that call reporters back (the supervision center) may reveal it, and every reveal is an event
in the case's audit trail: who looked, when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Case, Verb
from cases.steps import lock_case, note
from org.access import Actor, Refusal
from org.roles import CENTER_DESKS

REVEALERS = CENTER_DESKS


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


def mask_name(name: str) -> str:
    """张三丰 → 张**: the family name is enough to address someone on the phone."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short numbers keep only their last two digits."""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def masked(case: Case) -> Contact | None:
    if not (case.contact_name or case.contact_phone):
        return None
    return Contact(mask_name(case.contact_name), mask_phone(case.contact_phone))


def reveal_contact(case: Case | str, *, actor: Actor, now: datetime) -> Contact:
    """The reporter's contact in full, recorded in the case's trail."""
    if actor.role not in REVEALERS:
        raise Refusal("wrong_role", _("Only the supervision center sees reporters' contacts."), 403)
    with transaction.atomic():
        locked = lock_case(case)
        if not (locked.contact_name or locked.contact_phone):
            raise Refusal("no_contact", _("This report left no contact."), 404)
        note(locked, Verb.REVEAL_CONTACT, actor, now, {})
    return Contact(locked.contact_name, locked.contact_phone)
