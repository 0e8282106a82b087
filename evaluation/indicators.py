"""The evaluation's counts (指标计数) for each kind of object, from case events, cases and tasks
in SQL: one grouped query per source and key, each count a filtered COUNT in it.

A count is defined once, as a filter on its source rows; the figure is the number of rows the
filter holds in the period, and the drill-down (`rows`) is the same filter, so every figure
equals its drill-down. On time is judged against the deadline stored in each event when it
happened (`CaseEvent.step_due_at`, `handling_due_at`), never against today's limits.

Appeal-exempt figures (申诉免责): a case whose overdue appeal was upheld (`Case.exempt`) counts
as on time, and not as overdue. Suspended (挂账) cases are not overdue while suspended, extended
cases are judged against the extended deadline (the one in force), and voided (作废) cases
count against the filing that let them in (准确立案率).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Count as SqlCount
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import (
    PUBLIC_CHANNELS,
    Case,
    CaseEvent,
    ClosingType,
    Outcome,
    Status,
    Task,
    TaskKind,
    TaskOutcome,
    Verb,
)
from evaluation.models import ObjectKind, SettledMonth
from evaluation.periods import Period
from org.models import DataScope
from org.roles import Role


class Source(StrEnum):
    EVENT = "event"
    CASE = "case"
    TASK = "task"


MODELS: dict[Source, type[Model]] = {Source.EVENT: CaseEvent, Source.CASE: Case, Source.TASK: Task}
K = ObjectKind

# How each source's rows are grouped by object, per kind (a count may name its own path).
REGION_KEYS = {K.STREET: "street", K.COMMUNITY: "community", K.GRID: "grid"}
KEYS: dict[str, dict[Source, str]] = {
    **{
        kind: {Source.EVENT: f"case__{key}", Source.CASE: key, Source.TASK: f"case__{key}"}
        for kind, key in REGION_KEYS.items()
    },
    # The unit an event concerns is the responsible unit after it (its recorded state, copied
    # to a column of its own): the unit dispatched to, the one that handled, was urged,
    # reworked or closed, asked to return.
    K.UNIT: {Source.EVENT: "responsible_unit", Source.CASE: "responsible_unit"},
    **{
        kind: {Source.EVENT: "actor", Source.TASK: "inspector__user"}
        for kind in (K.INSPECTOR, K.ACCEPTOR, K.SHIFT_LEADER, K.DISPATCHER)
    },
}
# A post's events are those it did in that post.
ROLE_OF_KIND: dict[str, str] = {
    K.INSPECTOR: Role.INSPECTOR,
    K.ACCEPTOR: Role.ACCEPTOR,
    K.SHIFT_LEADER: Role.SHIFT_LEADER,
    K.DISPATCHER: Role.DISPATCHER,
}

type Where = Callable[[Period], Q]


@dataclass(frozen=True)
class Count:
    key: str
    label: Promise
    source: Source
    where: Where  # the rows counted, besides belonging to the period (`in_period`)
    exempt: Where | None = None  # the rows counted in the appeal-exempt figure, if others
    by: str = ""  # a grouping path of its own (else KEYS)
    verbs: tuple[str, ...] = field(default=())  # the events it reads, for the scan's filter


def verbs(*names: str) -> Where:
    return lambda _period: Q(verb__in=names)


def step_on_time() -> Q:
    return Q(step_due_at__isnull=True) | Q(at__lte=F("step_due_at"))


def handling_on_time() -> Q:
    return Q(handling_due_at__isnull=True) | Q(at__lte=F("handling_due_at"))


def event(
    key: str,
    label: Promise,
    *names: str,
    also: Q | None = None,
    exempt: Q | None = None,
    by: str = "",
) -> Count:
    """A count of events of `names` in the period (and `also`); `exempt` adds the rows the
    appeal-exempt figure counts besides."""
    condition = Q(verb__in=names) & (also or Q())
    return Count(
        key,
        label,
        Source.EVENT,
        lambda _period: condition,
        (lambda _period: condition | (Q(verb__in=names) & exempt)) if exempt is not None else None,
        by=by,
        verbs=names,
    )


def overdue_open(period: Period) -> Q:
    """超时未处置: cases that at the period's end waited for handling past their deadline (the
    case's stored deadline, which an approved extension moved and a suspension holds)."""
    end = period.end
    return (
        Q(dispatched_at__lt=end, handling_due_at__lt=end)
        & (Q(handled_at__isnull=True) | Q(handled_at__gte=end))
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        & ~Q(status__in=(Status.SUSPENDED, Status.VOIDED, Status.MERGED))
    )


def tasks(kind: str, *, on_time: bool) -> Where:
    def where(period: Period) -> Q:
        due = Q(kind=kind, due_at__gte=period.start, due_at__lt=period.end)
        done = Q(done_at__isnull=False, done_at__lte=F("due_at")) if on_time else Q()
        return due & ~Q(outcome=TaskOutcome.CANCELLED) & done

    return where


def returned_after() -> Exists:
    """A dispatch that came back: an approved return follows it before any other dispatch."""
    returns = CaseEvent.objects.filter(
        case=OuterRef("case"),
        sequence__gt=OuterRef("sequence"),
        verb=Verb.DECIDE_RETURN,
        outcome=Outcome.APPROVED,
    )
    between = CaseEvent.objects.filter(  # another dispatch between the two
        case=OuterRef("case"),
        verb=Verb.DISPATCH,
        sequence__gt=OuterRef(OuterRef("sequence")),
        sequence__lt=OuterRef("sequence"),
    )
    return Exists(returns.exclude(Exists(between)))


CLOSING = (Verb.CLOSE, Verb.CLOSE_SPECIAL)
CLOSED_ON_TIME = (Q(verb=Verb.CLOSE) & Q(outcome=ClosingType.NORMAL)) | (
    Q(verb=Verb.CLOSE_SPECIAL) & handling_on_time()
)
PUBLIC = Q(case__channel__in=PUBLIC_CHANNELS)
EXEMPT = Q(case__exempt=True)

OVERDUE_OPEN = Count(
    "overdue_open",
    _("Overdue, not handled at the end (超时未处置数)"),
    Source.CASE,
    overdue_open,
    lambda period: overdue_open(period) & Q(exempt=False),
)

REGION_COUNTS = [
    event("reported", _("Reported (上报数)"), Verb.REPORT),
    event("accepted", _("Accepted (受理数)"), Verb.ACCEPT),
    event("filed", _("Filed (立案数)"), Verb.FILE),
    event("public_filed", _("Filed from public reports (监督举报核实数)"), Verb.FILE, also=PUBLIC),
    event("handled", _("Handled (处置数)"), Verb.FEEDBACK),
    event("closed", _("Closed (结案数)"), *CLOSING),
    Count(
        "closed_on_time",
        _("Closed on time (按期结案数)"),
        Source.EVENT,
        lambda _p: CLOSED_ON_TIME,
        lambda _p: CLOSED_ON_TIME | (Q(verb__in=CLOSING) & EXEMPT),
        verbs=CLOSING,
    ),
    OVERDUE_OPEN,
]

UNIT_COUNTS = [
    event("dispatched", _("Dispatched to the unit (立案数)"), Verb.DISPATCH),
    event("handled", _("Handled (处置数)"), Verb.FEEDBACK),
    event(
        "handled_on_time",
        _("Handled on time (按时处置数)"),
        Verb.FEEDBACK,
        also=handling_on_time(),
        exempt=EXEMPT,
    ),
    OVERDUE_OPEN,
    event("closed", _("Closed (结案数)"), *CLOSING),
    event("reworked", _("Reworked (返工数)"), Verb.CHECK, also=Q(outcome=Outcome.FAILED)),
    event("urged", _("Urged (督办数)"), Verb.URGE),
    event("returned", _("Return requests (回退申请数)"), Verb.RETURN_CASE),
    event(
        "extended",
        _("Extensions granted (延期数)"),
        Verb.DECIDE_EXTENSION,
        also=Q(outcome=Outcome.APPROVED),
    ),
    event(
        "suspended",
        _("Suspensions granted (挂账数)"),
        Verb.DECIDE_SUSPENSION,
        also=Q(outcome=Outcome.APPROVED),
    ),
]

IN_AREA = "case__grid__inspector_areas__inspectors__user"
INSPECTOR_COUNTS = [
    event("reported", _("Reported (上报数)"), Verb.REPORT),
    event(
        "valid_reported",
        _("Reports filed (有效上报数)"),
        Verb.REPORT,
        also=Q(case__filed_at__isnull=False),
    ),
    Count(
        "verify_due",
        _("Verifications due (应核实数)"),
        Source.TASK,
        tasks(TaskKind.VERIFY, on_time=False),
    ),
    Count(
        "verified_on_time",
        _("Verified on time (按时核实数)"),
        Source.TASK,
        tasks(TaskKind.VERIFY, on_time=True),
    ),
    Count(
        "check_due", _("Checks due (应核查数)"), Source.TASK, tasks(TaskKind.CHECK, on_time=False)
    ),
    Count(
        "checked_on_time",
        _("Checked on time (按时核查数)"),
        Source.TASK,
        tasks(TaskKind.CHECK, on_time=True),
    ),
    event(
        "filed_in_area", _("Filed in the inspector's area (责任区立案数)"), Verb.FILE, by=IN_AREA
    ),
    event(
        "missed", _("Missed: filed from the public (漏报数)"), Verb.FILE, also=PUBLIC, by=IN_AREA
    ),
]

ACCEPTOR_COUNTS = [
    event("accepted", _("Accepted (受理数)"), Verb.ACCEPT),
    event("verify_sent", _("Verifications sent (发核实数)"), Verb.SEND_VERIFY),
    event(
        "verify_sent_on_time",
        _("Verifications sent on time (按时发核实数)"),
        Verb.SEND_VERIFY,
        also=step_on_time(),
    ),
    event("check_sent", _("Checks sent (发核查数)"), Verb.SEND_CHECK),
    event(
        "check_sent_on_time",
        _("Checks sent on time (按时发核查数)"),
        Verb.SEND_CHECK,
        also=step_on_time(),
    ),
]

SHIFT_LEADER_COUNTS = [
    event("filed", _("Filed (立案数)"), Verb.FILE),
    event("filed_on_time", _("Filed on time (按时立案数)"), Verb.FILE, also=step_on_time()),
    event(
        "filed_voided",
        _("Filed, then voided (作废数)"),
        Verb.FILE,
        also=Q(case__status=Status.VOIDED),
    ),
    event("closed", _("Closed (结案数)"), *CLOSING),
    event("closed_on_time", _("Closed on time (按时结案数)"), *CLOSING, also=step_on_time()),
]

DISPATCHER_COUNTS = [
    event("dispatched", _("Dispatched (派遣数)"), Verb.DISPATCH),
    event(
        "dispatched_on_time",
        _("Dispatched on time (按时派遣数)"),
        Verb.DISPATCH,
        also=step_on_time(),
    ),
    Count(
        "dispatched_back",
        _("Dispatches returned (回退数)"),
        Source.EVENT,
        lambda _p: Q(verb=Verb.DISPATCH) & Q(returned_after()),
        verbs=(Verb.DISPATCH,),
    ),
]

COUNTS: dict[str, list[Count]] = {
    **{kind: REGION_COUNTS for kind in REGION_KEYS},
    K.UNIT: UNIT_COUNTS,
    K.INSPECTOR: INSPECTOR_COUNTS,
    K.ACCEPTOR: ACCEPTOR_COUNTS,
    K.SHIFT_LEADER: SHIFT_LEADER_COUNTS,
    K.DISPATCHER: DISPATCHER_COUNTS,
}


def count_of(kind: str, key: str) -> Count:
    for count in COUNTS[kind]:
        if count.key == key:
            return count
    raise KeyError(f"{kind} has no count {key!r}")


# -- reading ----------------------------------------------------------------------------------


def path(kind: str, count: Count) -> str:
    return count.by or KEYS[kind][count.source]


def base(
    kind: str, source: Source, by: str, period: Period, cases: QuerySet[Case] | None
) -> QuerySet[Any]:
    """The source rows a kind's counts read in the period, before each count's own filter.
    A post's events are those it did in that post (others' events in its area are not)."""
    rows: QuerySet[Any] = MODELS[source]._default_manager.all()
    if source == Source.EVENT:
        rows = rows.filter(at__gte=period.start, at__lt=period.end)
        if kind in ROLE_OF_KIND and by == KEYS[kind][Source.EVENT]:
            rows = rows.filter(role=ROLE_OF_KIND[kind])
    elif source == Source.CASE:
        rows = rows.filter(dispatched_at__lt=period.end)
    if cases is not None:
        rows = (
            rows.filter(pk__in=cases.values("pk"))
            if source == Source.CASE
            else rows.filter(case__in=cases)
        )
    return rows


def figures(
    kind: str,
    period: Period,
    *,
    cases: QuerySet[Case] | None = None,
    scope: DataScope | None = None,
) -> dict[Any, dict[str, int]]:
    """Each object's counts in the period (object key → count key → figure); the appeal-exempt
    figure of a count that has one under "<key>__exempt". Objects without any row are absent.
    A settled month's counts are those kept when it was settled: the district's, or those of
    the `scope` whose cases `cases` are."""
    return figures_of((kind,), period, cases=cases, scope=scope)[kind]


# A scan: one grouped query, read by one or more kinds.
type ScanKey = tuple[Source, str, str]
REGIONS, POSTS = "regions", "posts"
KIND_OF_ROLE = {role: kind for kind, role in ROLE_OF_KIND.items()}


def scan_of(kind: str, count: Count) -> ScanKey:
    """The grouped query a count is read from. The three region kinds share theirs, grouped by
    street, community and grid at once (a grid lies in one community and one street, so a
    region's figure is the sum of its groups'); the posts share one over their events,
    grouped by post and person (a post's events are those done in it)."""
    if kind in REGION_KEYS and not count.by:
        return (count.source, REGIONS, "")
    if kind in ROLE_OF_KIND and count.source == Source.EVENT and not count.by:
        return (Source.EVENT, POSTS, "")
    return (count.source, path(kind, count), kind)


def figures_of(
    kinds: Iterable[str],
    period: Period,
    *,
    cases: QuerySet[Case] | None = None,
    scope: DataScope | None = None,
    live: bool = False,
) -> dict[str, dict[Any, dict[str, int]]]:
    """`figures` of several kinds, reading each scan they share once; `live` counts a settled
    month again (to settle it anew)."""
    kinds = list(kinds)
    if not live and (kept := SettledMonth.figures_among(period, cases, scope, kinds)) is not None:
        return kept
    scans: dict[ScanKey, list[tuple[str, Count]]] = {}
    for kind in kinds:
        for count in COUNTS[kind]:
            scans.setdefault(scan_of(kind, count), []).append((kind, count))
    found: dict[str, dict[Any, dict[str, int]]] = {kind: {} for kind in kinds}
    for (source, shape, own_kind), members in scans.items():
        if shape == REGIONS:
            _read_regions(source, members, period, cases, found)
        elif shape == POSTS:
            _read_posts(members, period, cases, found)
        else:
            counts = {count.key: count for _kind, count in members}
            for row in _grouped(
                base(own_kind, source, shape, period, cases), [shape], counts, period
            ):
                key = row.pop(shape)
                if key is not None:
                    found[own_kind].setdefault(key, {}).update(row)
    for kind in kinds:
        for values in found[kind].values():
            for count in COUNTS[kind]:
                values.setdefault(count.key, 0)
                if count.exempt is not None:
                    values.setdefault(f"{count.key}__exempt", 0)
    return found


def _read_regions(
    source: Source,
    members: list[tuple[str, Count]],
    period: Period,
    cases: QuerySet[Case] | None,
    found: dict[str, dict[Any, dict[str, int]]],
) -> None:
    paths: dict[str, str] = {kind: KEYS[kind][source] for kind in REGION_KEYS}
    counts = {count.key: count for _kind, count in members}  # the same for every region kind
    kinds = {kind for kind, _count in members}
    rows = base(K.STREET, source, paths[K.STREET], period, cases)
    for row in _grouped(rows, list(paths.values()), counts, period):
        keys: dict[str, Any] = {kind: row.pop(paths[kind]) for kind in REGION_KEYS}
        for kind in kinds:
            if keys[kind] is not None:
                totals = found[kind].setdefault(keys[kind], {})
                for name, n in row.items():
                    totals[name] = totals.get(name, 0) + n


def _read_posts(
    members: list[tuple[str, Count]],
    period: Period,
    cases: QuerySet[Case] | None,
    found: dict[str, dict[Any, dict[str, int]]],
) -> None:
    counts = {f"{kind}__{count.key}": count for kind, count in members}
    roles = sorted({ROLE_OF_KIND[kind] for kind, _count in members})
    rows = base("", Source.EVENT, "actor", period, cases).filter(role__in=roles)
    for row in _grouped(rows, ["role", "actor"], counts, period):
        kind, key = KIND_OF_ROLE[row.pop("role")], row.pop("actor")
        if key is None:
            continue
        prefix = f"{kind}__"
        values = found[kind].setdefault(key, {})
        values.update(
            {name[len(prefix) :]: n for name, n in row.items() if name.startswith(prefix)}
        )


def _grouped(
    rows: QuerySet[Any], paths: list[str], counts: dict[str, Count], period: Period
) -> Iterable[dict[str, Any]]:
    """The rows grouped by `paths`, with each count (named by its key in `counts`) and its
    appeal-exempt figure (the name + "__exempt") as a filtered COUNT."""
    aggregates = {
        name: SqlCount("pk", filter=c.where(period), distinct=bool(c.by))
        for name, c in counts.items()
    }
    aggregates |= {
        f"{name}__exempt": SqlCount("pk", filter=c.exempt(period), distinct=bool(c.by))
        for name, c in counts.items()
        if c.exempt is not None
    }
    read = {verb for c in counts.values() for verb in c.verbs}
    if rows.model is CaseEvent and all(c.verbs for c in counts.values()):
        rows = rows.filter(verb__in=sorted(read))
    return rows.order_by().values(*paths).annotate(**aggregates)


def rows(
    kind: str,
    key: Any,
    count_key: str,
    period: Period,
    *,
    exempt: bool = False,
    cases: QuerySet[Case] | None = None,
) -> QuerySet[Any]:
    """The rows behind one figure: events, cases or tasks (the figure is their number)."""
    count = count_of(kind, count_key)
    where = count.exempt if exempt and count.exempt is not None else count.where
    by = path(kind, count)
    selected = base(kind, count.source, by, period, cases).filter(where(period))
    return selected.filter(**{by: key}).distinct()
