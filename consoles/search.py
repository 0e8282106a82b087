"""Finding cases in the case list: which cases a list shows (what waits for the post, one of
its queues, the overdue, or all it may see), the filters and the sort a person chooses, and the
page of rows. Every list is a filter on Case.objects.visible_to(actor); its query count does
not depend on how many cases there are.
"""

from __future__ import annotations

import operator
from datetime import datetime, time
from functools import reduce
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext_lazy as _

from cases.models import OPEN_STATUSES, Case, CaseQuerySet, Channel, Light, Status
from catalog.models import CaseType
from consoles.queues import COUNT_CAP, QUEUES, cases_in, queue_for
from geo.models import Street
from org.access import Actor
from org.models import Unit

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

PAGE_SIZE = 50
LIST_RELATED = ("case_type", "street", "responsible_unit", "suggested_unit")

# What a list shows before any filter: a queue's key, or one of these.
WAITING, OVERDUE, ALL = "waiting", "overdue", "all"

SORTS: dict[str, tuple[Any, ...]] = {
    "due": (F("due_at").asc(nulls_last=True), "created_at", "id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "number": ("number",),
    "-number": ("-number",),
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
    template per option made the 400 case types a third of a list page's time."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, SELECTED if str(key) in chosen else "", label) for key, label in self.choices),
        )
        given = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(given), options)


SELECTED = mark_safe(" selected")


def _pick(label: StrPromise) -> forms.ModelChoiceField[Any]:
    """A choice of one row, "all" first; CaseFilter.__init__ gives the rows."""
    return forms.ModelChoiceField(
        label=label,
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("all"),
        widget=PlainSelect,
    )


class CaseFilter(forms.Form):
    """The filters of the case list, read from its query string."""

    number = forms.CharField(label=_("Case number"), required=False, max_length=14)
    status = forms.ChoiceField(label=_("Status"), required=False)
    case_type = _pick(_("Type"))
    street = _pick(_("Street"))
    unit = _pick(_("Responsible unit"))
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    since = forms.DateField(label=_("Reported from"), required=False, widget=DATE)
    until = forms.DateField(label=_("Reported until"), required=False, widget=DATE)
    light = forms.ChoiceField(label=_("Light"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("all"))]
        fields = self.fields
        fields["status"].choices = everything + list(Status.choices)  # type: ignore[attr-defined]
        fields["channel"].choices = everything + list(Channel.choices)  # type: ignore[attr-defined]
        fields["light"].choices = everything + list(Light.choices)  # type: ignore[attr-defined]
        fields["sort"].choices = [("", _("default")), *SORT_LABELS.items()]  # type: ignore[attr-defined]
        fields["case_type"].queryset = CaseType.objects.filter(  # type: ignore[attr-defined]
            major__edition__is_current=True, is_active=True
        ).order_by("code")
        fields["unit"].queryset = Unit.objects.active().handling().order_by("kind", "code")  # type: ignore[attr-defined]
        fields["street"].queryset = Street.objects.order_by("code").only("id", "name")  # type: ignore[attr-defined]

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
        cases = self._viewed()
        chosen = self.filters.cleaned_data if self.filters.is_valid() else {}
        cases = narrow(cases, chosen, self.now)
        sort = chosen.get("sort") or ("due" if self.view not in (ALL,) else "-created")
        return cases.order_by(*SORTS[sort])

    def _viewed(self) -> CaseQuerySet:
        visible = Case.objects.visible_to(self.actor)
        if self.queue is not None:
            return cases_in(self.queue, self.actor, self.now)
        if self.view == OVERDUE:
            return visible.overdue(self.now).filter(status__in=OPEN_STATUSES)
        if self.view == WAITING:
            # One query whose conditions are the queues' joined by OR: PostgreSQL then reads
            # each queue's index, where "pk IN (queue)" for each queue read every case.
            queues = [
                queue.select(visible, self.actor, self.now) for queue in QUEUES[self.actor.role]
            ]
            return reduce(operator.or_, queues)
        return visible

    @property
    def filtered(self) -> int:
        """How many filters (and a sort) are chosen."""
        return sum(1 for name in self.filters.fields if self.params.get(name))

    def page(self, number: str | None) -> Page[Case]:
        rows = self.cases.select_related(*LIST_RELATED)
        return CappedPaginator(rows, PAGE_SIZE).get_page(number)

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
    for name in ("case_type", "street"):
        if chosen.get(name):
            cases = cases.filter(**{f"{name}_id": chosen[name].pk})
    if chosen.get("unit"):
        cases = cases.filter(responsible_unit_id=chosen["unit"].pk)
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
    """Counts at most COUNT_CAP + 1 rows; `capped` says the true count is larger."""

    @cached_property
    def count(self) -> int:
        # Unordered: counting in the list's order would walk its sort index row by row
        # instead of taking the filter's own index.
        return self.object_list.order_by()[: COUNT_CAP + 1].count()  # type: ignore[attr-defined]

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP
