"""Finding cases in the case list: which cases a list shows (what waits for the post, one of
its queues, the overdue, or all it may see), the filters and the sort a person chooses, and the
page of rows. Every list is a filter on Case.objects.visible_to(actor); its query count does
not depend on how many cases there are.
"""

from __future__ import annotations

import html
import operator
from collections.abc import Callable
from datetime import UTC, datetime, time
from functools import reduce
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext_lazy as _

from cases.models import OPEN_STATUSES, Case, CaseQuerySet, Channel, Light, Status
from catalog.models import CaseType
from consoles.queues import COUNT_CAP, QUEUES, cases_in, queue_for
from consoles.rows import ROW_COLUMNS, ROW_RELATED
from geo.models import Street
from org.access import Actor
from org.models import Unit

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

PAGE_SIZE = 50
LIST_RELATED = (*ROW_RELATED, "responsible_unit", "suggested_unit")
LIST_COLUMNS = (
    *ROW_COLUMNS,
    *("channel", "near_boundary", "responsible_unit__name", "suggested_unit__name"),
)

# What a list shows before any filter: a queue's key, or one of these.
WAITING, OVERDUE, ALL = "waiting", "overdue", "all"

SORTS: dict[str, tuple[Any, ...]] = {
    "due": (F("due_at").asc(nulls_last=True), "created_at", "id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "number": ("number",),
    "-number": ("-number",),
}
# The same orders for a list short enough to be sorted here, over (id, due_at, created_at,
# number): the database, told to sort a thousand cases it found by id, walked an index of all
# cases in that order instead, looking for them.
SORTED_BY = ("pk", "due_at", "created_at", "number")
LATEST = datetime.max.replace(tzinfo=UTC)
SORT_KEYS: dict[str, tuple[Callable[[Any], Any], bool]] = {
    "due": (lambda row: (row[1] is None, row[1] or LATEST, row[2], row[0]), False),
    "-created": (lambda row: (row[2], row[0]), True),
    "created": (lambda row: (row[2], row[0]), False),
    "number": (lambda row: row[3], False),
    "-number": (lambda row: row[3], True),
}
SORT_LABELS = {
    "due": _("nearest deadline first"),
    "-created": _("newest first"),
    "created": _("oldest first"),
    "number": _("case number, ascending"),
    "-number": _("case number, descending"),
}


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlainSelect(forms.Select):
    """A select whose options are written here rather than by a template each: Django's
    template per option made the 400 case types half of a list page's time."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = set(self.format_value(value))
        # The standard library's escape: Django's checks every argument for laziness first.
        options = "".join(
            f'<option value="{html.escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{html.escape(str(label))}</option>"
            for key, label in self.choices
        )
        given = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{html.escape(name)}"{given}>{options}</select>')


def _pick(label: StrPromise) -> forms.TypedChoiceField:
    """A choice of one row by its id, "all" first; CaseFilter.__init__ gives the rows (as
    plain pairs: a model instance per option cost more than the rest of the form)."""
    return forms.TypedChoiceField(label=label, required=False, coerce=int, widget=PlainSelect)


class CaseFilter(forms.Form):
    """The filters of the case list, read from its query string."""

    number = forms.CharField(label=_("Case number"), required=False, max_length=14)
    status = forms.ChoiceField(label=_("Status"), required=False, widget=PlainSelect)
    case_type = _pick(_("Type"))
    street = _pick(_("Street"))
    unit = _pick(_("Responsible unit"))
    channel = forms.ChoiceField(label=_("Channel"), required=False, widget=PlainSelect)
    since = forms.DateField(label=_("Reported from"), required=False, widget=DATE)
    until = forms.DateField(label=_("Reported until"), required=False, widget=DATE)
    light = forms.ChoiceField(label=_("Light"), required=False, widget=PlainSelect)
    sort = forms.ChoiceField(label=_("Sort"), required=False, widget=PlainSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = CaseType.objects.filter(major__edition__is_current=True, is_active=True)
        typed = types.order_by("code").values_list("pk", "code", "name")
        units = Unit.objects.active().handling().order_by("kind", "code")
        offered: dict[str, Any] = {
            "status": Status.choices,
            "channel": Channel.choices,
            "light": Light.choices,
            "case_type": [(pk, f"{code} {name}") for pk, code, name in typed],
            "unit": units.values_list("pk", "name"),
            "street": Street.objects.order_by("code").values_list("pk", "name"),
        }
        for name, choices in offered.items():
            cast(forms.ChoiceField, self.fields[name]).choices = [("", _("all")), *choices]
        sorts = [("", _("default")), *SORT_LABELS.items()]
        cast(forms.ChoiceField, self.fields["sort"]).choices = sorts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        return data


class CaseSearch:
    """One list request: what it shows, filtered and sorted, a page at a time."""

    def __init__(self, actor: Actor, params: QueryDict, now: datetime) -> None:
        self.actor, self.now, self.params = actor, now, params
        self.filters = CaseFilter(params)
        self.view = self._view(params.get("view") or params.get("queue", ""))
        self.queue = queue_for(actor, self.view)

    def _view(self, asked: str) -> str:
        if asked in (OVERDUE, ALL) or queue_for(self.actor, asked):
            return asked
        return WAITING if QUEUES.get(self.actor.role) else ALL

    @cached_property
    def cases(self) -> CaseQuerySet:
        """The cases shown: the view's, narrowed by the valid filters, in the chosen order."""
        return self._narrowed(self._viewed()).order_by(*SORTS[self.sort])

    def _narrowed(self, cases: CaseQuerySet) -> CaseQuerySet:
        chosen = self.filters.cleaned_data if self.filters.is_valid() else {}
        return narrow(cases, chosen, self.now)

    def _parts(self) -> list[CaseQuerySet]:
        """The cases shown as parts whose union they are: for what waits, each of the post's
        queues, found along its own index. Joined by OR in one statement with a limit,
        PostgreSQL may instead scan the table from its start for cases that lie at its end
        (the acceptor's call-backs: about a second at a million cases)."""
        if self.view != WAITING:
            return [self.cases]
        return [self._narrowed(self._visible & queue) for queue in self._queues]

    @cached_property
    def _visible(self) -> CaseQuerySet:
        """What the post may see. A unit that picks itself in the unit filter sees all that
        filter keeps, so it is not said twice: PostgreSQL took the two conditions as
        independent, expected a fortieth of the unit's 24,000 cases at a million, and sorted
        them all (0.15 s)."""
        chosen = self.filters.cleaned_data.get("unit") if self.filters.is_valid() else None
        if chosen is not None and chosen in self.actor.scope.unit_ids:
            return Case.objects.all()
        return Case.objects.visible_to(self.actor)

    @cached_property
    def _queues(self) -> list[CaseQuerySet]:
        """The post's queues' conditions, over every case."""
        every = Case.objects.all()
        return [queue.select(every, self.actor, self.now) for queue in QUEUES[self.actor.role]]

    def _found(self) -> list[tuple[Any, ...]]:
        """Up to COUNT_CAP + 1 cases, in no order (the database takes the filters' own
        indexes and stops there), as SORTED_BY rows."""
        found: dict[int, tuple[Any, ...]] = {}
        for part in self._parts():
            for row in part.order_by().values_list(*SORTED_BY)[: COUNT_CAP + 1]:
                found.setdefault(row[0], row)
        return list(found.values())[: COUNT_CAP + 1]

    @cached_property
    def sort(self) -> str:
        chosen = self.filters.cleaned_data.get("sort") if self.filters.is_valid() else None
        return chosen or ("due" if self.view != ALL else "-created")

    def _viewed(self) -> CaseQuerySet:
        visible = self._visible
        if self.queue is not None:
            return cases_in(self.queue, self.actor, self.now, visible)
        if self.view == OVERDUE:
            # The deadline of every late case has passed: said outright, the database reads
            # only those from the index of open cases by handling deadline.
            late = visible.overdue(self.now).filter(handling_due_at__lt=self.now)
            return late.filter(status__in=OPEN_STATUSES)
        if self.view == WAITING:
            # What the post may see, and the queues' conditions joined by OR: PostgreSQL then
            # reads each queue's index ("pk IN (queue)" for each queue read every case).
            return visible & reduce(operator.or_, self._queues)
        return visible

    @property
    def filtered(self) -> int:
        """How many filters (and a sort) are chosen."""
        return sum(1 for name in self.filters.fields if self.params.get(name))

    def page(self, number: str | None) -> Page[Case]:
        """A page of the list. Up to COUNT_CAP + 1 cases are found first (`_found`). A list of
        at most COUNT_CAP cases is sorted here; a longer one is read in its order along an
        index, ids first: a page deep in a unit's cases then comes from the index alone."""
        found = self._found()
        paginator = CappedPaginator(found, PAGE_SIZE)
        page = paginator.get_page(number)
        start = (page.number - 1) * PAGE_SIZE
        if paginator.capped:
            wanted = list(self.cases.values_list("pk", flat=True)[start : start + PAGE_SIZE])
        else:
            key, backwards = SORT_KEYS[self.sort]
            in_order = sorted(found, key=key, reverse=backwards)
            wanted = [row[0] for row in in_order[start : start + PAGE_SIZE]]
        rows = Case.objects.select_related(*LIST_RELATED).only(*LIST_COLUMNS)
        by_id = rows.filter(pk__in=wanted).in_bulk()
        page.object_list = [by_id[pk] for pk in wanted]
        return page

    def views(self) -> list[tuple[str, Any]]:
        """The views a person can switch between: what waits, each queue, overdue, all."""
        queues = [(queue.key, queue.title) for queue in QUEUES.get(self.actor.role, ())]
        waiting = [(WAITING, _("What waits for me"))] if queues else []
        return [*waiting, *queues, (OVERDUE, _("Overdue")), (ALL, _("All I may see"))]

    def query(self, **changes: str) -> str:
        """This list's query string with some parameters changed (the page, the view…)."""
        params = {**self.params.dict(), "view": self.view, **changes}
        params.pop("queue", None)
        return urlencode({key: value for key, value in params.items() if value})


def narrow(cases: CaseQuerySet, chosen: dict[str, Any], now: datetime) -> CaseQuerySet:
    if chosen.get("number"):
        cases = cases.filter(number__startswith=chosen["number"].strip())
    for name in ("status", "channel"):
        if chosen.get(name):
            cases = cases.filter(**{name: chosen[name]})
    for name, column in (
        ("case_type", "case_type_id"),
        ("street", "street_id"),
        ("unit", "responsible_unit_id"),
    ):
        if chosen.get(name):
            cases = cases.filter(**{column: chosen[name]})
    zone = get_current_timezone()
    if chosen.get("since"):
        cases = cases.filter(created_at__gte=datetime.combine(chosen["since"], time(), zone))
    if chosen.get("until"):
        end = datetime.combine(chosen["until"], time.max, zone)
        cases = cases.filter(created_at__lte=end)
    if chosen.get("light"):
        cases = cases.lit(chosen["light"], now)
    return cases


class CappedPaginator(Paginator):
    """Pages through the first COUNT_CAP of up to COUNT_CAP + 1 ids found; `capped` says
    there are more."""

    @property
    def cap(self) -> int:
        return COUNT_CAP

    @property
    def count(self) -> int:
        return min(len(self.object_list), COUNT_CAP)

    @property
    def capped(self) -> bool:
        return len(self.object_list) > COUNT_CAP
