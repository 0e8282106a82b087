"""Cases (案卷), their append-only event chain, co-handling units, inspector tasks, photos and
notifications (the working calendar and step limits: cases/calendar.py).

A case changes only through cases/reporting.py and cases/workflow/, which append one CaseEvent per
action. Each event
is hash-chained to the previous one of its case, so an altered, removed or reordered event is
detected by `manage.py verify_audit`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.calendar import Clock
from catalog.models import RoutingBasis
from geo.fields import GeometryField

if TYPE_CHECKING:
    from org.access import Actor
    from org.models import DataScope


class StatusKind(models.TextChoices):
    OPEN = "open", _("open")
    SUSPENDED = "suspended", _("suspended")
    CLOSED = "closed", _("closed")


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported (待受理)")
    VERIFYING = "verifying", _("Being verified (核实中)")
    ACCEPTED = "accepted", _("Accepted, awaiting filing (已受理)")
    SELF_HANDLED = "self_handled", _("Handled on the spot, awaiting acceptance (自处理待审核)")
    FILED = "filed", _("Filed, awaiting dispatch (已立案)")
    DISPATCHED = "dispatched", _("Dispatched, awaiting signature (已派遣)")
    HANDLING = "handling", _("Being handled (处置中)")
    HANDLED = "handled", _("Handled, awaiting check (已反馈)")
    CHECKING = "checking", _("Being checked (核查中)")
    CHECKED = "checked", _("Check passed, awaiting closing (核查通过)")
    SUSPENDED = "suspended", _("Suspended (挂账)")
    CLOSED = "closed", _("Closed (已结案)")
    DECLINED = "declined", _("Not accepted (不予受理)")
    REJECTED = "rejected", _("Not filed (不予立案)")
    VOIDED = "voided", _("Voided (已作废)")
    MERGED = "merged", _("Merged into another case (已合并)")


STATUS_KIND: dict[str, str] = {
    **{status: StatusKind.OPEN for status in Status.values},
    Status.SUSPENDED: StatusKind.SUSPENDED,
    Status.CLOSED: StatusKind.CLOSED,
    Status.DECLINED: StatusKind.CLOSED,
    Status.REJECTED: StatusKind.CLOSED,
    Status.VOIDED: StatusKind.CLOSED,
    Status.MERGED: StatusKind.CLOSED,
}
OPEN_STATUSES = tuple(s for s, kind in STATUS_KIND.items() if kind == StatusKind.OPEN)
CLOSED_STATUSES = tuple(s for s, kind in STATUS_KIND.items() if kind == StatusKind.CLOSED)
ACTIVE_STATUSES = (*OPEN_STATUSES, Status.SUSPENDED)


DESCRIPTION_MAX = 2000  # characters of a problem's description
TEXT_MAX = 1000  # characters of a reason, a reply or a note


class Channel(models.TextChoices):
    INSPECTOR = "inspector", _("Inspector (监督员上报)")
    HOTLINE = "hotline", _("Hotline (热线电话)")
    WEB = "web", _("Public website (网站)")
    APP = "app", _("Public app (公众APP/小程序)")
    POLICE = "police", _("110 diversion (110联动)")
    CAMERA = "camera", _("Camera or sensor (视频/物联网)")
    OPEN311 = "open311", _("Open311 partner")
    CITY = "city", _("City platform referral (市级平台转办)")
    LEADER = "leader", _("Leader's instruction (领导交办)")


# Reports from the public must be verified (核实) on site before they are filed.
PUBLIC_CHANNELS = frozenset(
    {Channel.HOTLINE, Channel.WEB, Channel.APP, Channel.POLICE, Channel.OPEN311}
)


class PendingRequest(models.TextChoices):
    """A request waiting for a decision; the case keeps its status meanwhile."""

    VOID = "void", _("Void (作废申请)")
    RETURN = "return", _("Return (回退申请)")
    EXTENSION = "extension", _("Extension (延期申请)")
    SUSPENSION = "suspension", _("Suspension (挂账申请)")
    APPEAL = "appeal", _("Overdue appeal, first review (超时申诉初审)")
    APPEAL_FINAL = "appeal_final", _("Overdue appeal, final review (超时申诉终审)")


class ClosingType(models.TextChoices):
    NORMAL = "normal", _("Normal (正常结案)")
    OVERDUE = "overdue", _("Overdue (超时结案)")
    SPECIAL = "special", _("Special (特殊结案)")


class Light(models.TextChoices):
    """A step's light: how much of its time is used (cases/deadlines.py sets when it turns)."""

    GREEN = "green", _("green: less than four-fifths of the step's time used")
    YELLOW = "yellow", _("yellow: the deadline is near (four-fifths of the step's time used)")
    RED = "red", _("red: the step's deadline has passed")


class Satisfaction(models.TextChoices):
    """回访: what the reporter says of the result when called back."""

    SATISFIED = "satisfied", _("Satisfied (满意)")
    BASICALLY = "basically", _("Basically satisfied (基本满意)")
    DISSATISFIED = "dissatisfied", _("Dissatisfied (不满意)")


class AmongIds(models.Func):
    """The primary key among some ids, given as one array on PostgreSQL (`id = ANY(%s)`):
    planned for the ids at hand, PostgreSQL hashes them when it tests many rows and reads them
    from the primary key beside other conditions joined by OR. `IN (…)` elsewhere. The ids are
    kept as a tuple and sent as the array's text ("{1,2,3}"): as a list, hashing the expression
    and binding the list cost a millisecond per use."""

    output_field = models.BooleanField()

    def __init__(self, ids: Iterable[int]) -> None:
        super().__init__(F("pk"))
        self.ids = tuple(int(pk) for pk in ids)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **kwargs: Any) -> Any:
        column, params = compiler.compile(self.source_expressions[0])
        marks = ", ".join(["%s"] * len(self.ids)) or "NULL"
        return f"{column} IN ({marks})", (*params, *self.ids)

    def as_postgresql(self, compiler: Any, connection: Any, *args: Any, **kwargs: Any) -> Any:
        column, params = compiler.compile(self.source_expressions[0])
        array = "{" + ",".join(map(str, self.ids)) + "}"
        return f"{column} = ANY(%s::bigint[])", (*params, array)


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, actor: Actor) -> CaseQuerySet:
        """The cases the actor may see: its post's data scope (a street's territory, its own
        unit's cases, including those it co-handles), or all for district-wide posts."""
        return self.within(actor.scope)

    def within(self, scope: DataScope) -> CaseQuerySet:
        """The cases a data scope holds."""
        if scope.whole_district:
            return self
        if scope.is_empty:
            return self.none()
        # The co-handled ids are read first (a few hundred): given as values, the database
        # plans for them; given as a subquery, it either compared every row with each id in
        # turn or could not use the primary key beside the OR.
        co_handled = CoHandling.objects.filter(unit_id__in=scope.unit_ids)
        return self.filter(
            Q(territory_unit_id__in=scope.territory_unit_ids)
            | Q(responsible_unit_id__in=scope.unit_ids)
            | Q(AmongIds(co_handled.order_by().values_list("case_id", flat=True)))
        )

    def listed(self, *related: str) -> CaseQuerySet:
        """Joined with the related rows a list names, without outlines: a street's boundary
        alone is 10 kB, read and parsed for every row that names the street."""
        outlines = [
            f"{name}__{field.name}"
            for name in related
            for field in Case._meta.get_field(name).related_model._meta.concrete_fields  # type: ignore[union-attr]
            if isinstance(field, GeometryField)
        ]
        return self.select_related(*related).defer(*outlines)

    def by_number(self, number: str) -> Case | None:
        """The case with this number, or None. Unordered: with the default ordering (newest
        first) the database may walk the created_at index instead of the number's."""
        return self.filter(number=number).order_by().first()

    def lit(self, light: str, now: datetime) -> CaseQuerySet:
        """The cases whose step light is `light` now (the same answer as deadlines.light)."""
        return self.filter(lit(light, now))

    def running_overdue(self, now: datetime) -> CaseQuerySet:
        """Dispatched or being handled past the handling deadline, the clock still running."""
        return self.filter(status__in=(Status.DISPATCHED, Status.HANDLING), handling_due_at__lt=now)

    def overdue(self, now: datetime) -> CaseQuerySet:
        """Handling finished, or still running, past its deadline (see Case.is_overdue)."""
        return self.filter(overdue(now))


def lit(light: str, now: datetime) -> Q:
    """The condition of a case whose step light is `light` now."""
    if light == Light.RED:
        return Q(due_at__lt=now)
    if light == Light.YELLOW:
        return Q(due_at__gte=now, warn_at__lte=now)
    return Q(due_at__gte=now) & (Q(warn_at__gt=now) | Q(warn_at__isnull=True))


def overdue(now: datetime) -> Q:
    """The condition of a case whose handling is, or was, late (see Case.is_overdue)."""
    due = F("handling_due_at")
    unhandled = Q(handled_at__isnull=True)
    running = unhandled & Q(suspended_at__isnull=True)
    return Q(handling_due_at__isnull=False) & (
        Q(handled_at__gt=due)
        | (unhandled & Q(suspended_at__gt=due))
        | (running & Q(status__in=OPEN_STATUSES, handling_due_at__lt=now))
        | (running & Q(status__in=CLOSED_STATUSES, closed_at__gt=due))
    )


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=14, unique=True)
    request_id = models.CharField(
        _("client request id"), max_length=64, unique=True, null=True, blank=True
    )
    # SHA-256 of what the report said: a retry must say the same to get the same case back.
    request_digest = models.CharField(_("request digest"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    case_type = models.ForeignKey(
        "catalog.CaseType",
        verbose_name=_("type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # Indexes cost every report its insert: a foreign key gets one only when lists filter by it
    # (unit and territory are covered by the indexes with the status, in Meta).
    condition = models.ForeignKey(
        "catalog.FilingCondition",
        verbose_name=_("filing condition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    component = models.ForeignKey(
        "components.Component",
        verbose_name=_("component"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    address = models.CharField(_("address"), max_length=200, blank=True)
    point = GeometryField(_("position"), geom_types=("Point",))
    grid = models.ForeignKey(
        "geo.UnitGrid", verbose_name=_("unit grid"), on_delete=models.PROTECT, related_name="cases"
    )
    community = models.ForeignKey(
        "geo.Community", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        "geo.Street", verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    territory_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("street office of the territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    # Contact of a member of the public: private, shown only to the supervision center.
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    verified = models.BooleanField(_("verified on site"), null=True, blank=True)
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    team = models.ForeignKey(
        "org.Unit",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="team_cases",
        db_index=False,
    )
    # Placement (grid, community, street, near a street border) is fixed when the case is
    # reported; routing suggests a unit from it when the case is filed (catalog/routing.py).
    near_boundary = models.BooleanField(_("near a street boundary"), default=False)
    suggested_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("suggested unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    suggestion_basis = models.CharField(
        _("suggested because"), max_length=10, choices=RoutingBasis.choices, blank=True
    )
    suggestion_rule = models.ForeignKey(
        "catalog.RoutingRule",
        verbose_name=_("routing rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
        db_index=False,
    )
    # The current step's clock: its start, its deadline and which time it runs on.
    step_started_at = models.DateTimeField(_("step started"))
    due_at = models.DateTimeField(_("step due"), null=True, blank=True)
    # When the step's light turns yellow (cases/deadlines.py), so lists can filter by light.
    warn_at = models.DateTimeField(_("light turns yellow"), null=True, blank=True)
    step_clock = models.CharField(
        _("step clock"), max_length=8, choices=Clock.choices, default=Clock.WORKING
    )
    handling_due_at = models.DateTimeField(_("handling deadline"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended since"), null=True, blank=True)
    # Handling time left when the case was suspended, in the handling limit's clock.
    suspended_remaining = models.FloatField(_("handling minutes left"), null=True, blank=True)
    pending_request = models.CharField(
        _("pending request"), max_length=12, choices=PendingRequest.choices, blank=True
    )
    pending_minutes = models.PositiveIntegerField(
        _("requested extra minutes"), null=True, blank=True
    )
    # 督办: the urged unit's answer is due by this time (empty when none is awaited).
    urge_due_at = models.DateTimeField(_("urging answer due"), null=True, blank=True)
    urge_count = models.PositiveSmallIntegerField(_("urged"), default=0)
    dispatch_count = models.PositiveSmallIntegerField(_("dispatches"), default=0)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    suspension_count = models.PositiveSmallIntegerField(_("suspensions"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    exempt = models.BooleanField(_("exempt after appeal"), default=False)
    closing_type = models.CharField(
        _("closing type"), max_length=8, choices=ClosingType.choices, blank=True
    )
    satisfaction = models.CharField(
        _("satisfaction (回访)"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    # The hash of the case's last event: removing the newest event breaks this link.
    audit_head = models.CharField(_("audit chain head"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("reported at"))
    # When the reporter saw it: a phone that was offline sends its report later (intake/mobile).
    observed_at = models.DateTimeField(_("observed at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Report order, with the units that decide who sees a case: a unit's page of its
            # cases, newest first, is found in the index alone (CaseSearch.page).
            models.Index(
                fields=["created_at", "id"],
                include=["responsible_unit", "territory_unit"],
                name="cases_created",
            ),
            # The step deadline with the moment its light turns yellow: the yellow and green
            # lights are counted from the index alone.
            models.Index(fields=["due_at", "warn_at"], name="cases_due_warn"),
            models.Index(fields=["status", "due_at"], name="cases_status_due"),
            models.Index(fields=["channel", "created_at"], name="cases_channel_created"),
            models.Index(fields=["responsible_unit", "status"], name="cases_unit_status"),
            models.Index(fields=["territory_unit", "status"], name="cases_territory_status"),
            # The few cases waiting for a decision (the void, request and appeal queues).
            models.Index(
                fields=["pending_request"], condition=~Q(pending_request=""), name="cases_pending"
            ),
            # Public reports closed and not called back yet (the acceptor's callback queue),
            # a few among the hundreds of thousands closed; in the queue's order.
            models.Index(
                fields=["due_at", "created_at", "id"],
                condition=Q(
                    status=Status.CLOSED, satisfaction="", channel__in=sorted(PUBLIC_CHANNELS)
                ),
                name="cases_to_call_back",
            ),
            # Open cases by handling deadline, with what tells whether one is late: the overdue
            # queues, views and counts read only the late ones, from the index. A new report
            # has no handling deadline yet, so intake does not write to it.
            models.Index(
                fields=["handling_due_at"],
                include=["id", "status", "handled_at", "suspended_at", "closed_at"],
                condition=Q(handling_due_at__isnull=False, status__in=OPEN_STATUSES),
                name="cases_open_by_handling_due",
            ),
            # Urged cases awaiting their unit's answer (a handler's "urged" queue).
            models.Index(
                fields=["responsible_unit"],
                condition=Q(urge_due_at__isnull=False),
                name="cases_urged",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="cases_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="cases_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(pending_request__in=["", *PendingRequest.values]),
                name="cases_pending_valid",
            ),
            models.CheckConstraint(
                condition=Q(closing_type="") | Q(status=Status.CLOSED),
                name="cases_closing_type_only_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__in=["", *Satisfaction.values]),
                name="cases_satisfaction_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    # Django's get_FOO_display builds a dict of every choice's translation at each call (a
    # third of a 50-row list's rendering); these look up the one label.
    def get_status_display(self) -> str:  # type: ignore[no-redef]
        return str(Status(self.status).label)

    def get_channel_display(self) -> str:  # type: ignore[no-redef]
        return str(Channel(self.channel).label)

    def get_pending_request_display(self) -> str:  # type: ignore[no-redef]
        return str(PendingRequest(self.pending_request).label) if self.pending_request else ""

    @property
    def status_kind(self) -> str:
        return STATUS_KIND[self.status]

    @property
    def is_public(self) -> bool:
        """Reported by the public: verified before acceptance, called back after closing."""
        return self.channel in PUBLIC_CHANNELS

    def is_overdue(self, now: datetime) -> bool:
        """Handling finished, or still running, past its handling deadline. The clock stops
        when the case is suspended (挂账; it stays stopped if the case then closes specially)
        and when it closes without being handled."""
        due = self.handling_due_at
        if due is None:
            return False
        if self.handled_at is not None:
            return self.handled_at > due
        if self.suspended_at is not None:  # resuming clears it
            return self.suspended_at > due
        if self.status_kind == StatusKind.CLOSED:
            return self.closed_at is not None and self.closed_at > due
        return now > due


class Verb(models.TextChoices):
    """Every action a case event records (cases/workflow/ has one function for each, and
    cases/photos.py records each photo with the SHA-256 of its stored file)."""

    REPORT = "report", _("Reported (上报)")
    SEND_VERIFY = "send_verify", _("Sent for verification (发核实)")
    VERIFY = "verify", _("Verified (核实)")
    SELF_HANDLE = "self_handle", _("Handled on the spot (自处理)")
    ACCEPT = "accept", _("Accepted (受理)")
    DECLINE = "decline", _("Not accepted (不予受理)")
    FILE = "file", _("Filed (立案)")
    REJECT = "reject", _("Not filed (不予立案)")
    REQUEST_VOID = "request_void", _("Void requested (作废申请)")
    DECIDE_VOID = "decide_void", _("Void decided (作废审批)")
    MERGE = "merge", _("Merged (合并)")
    DISPATCH = "dispatch", _("Dispatched (派遣)")
    SIGN = "sign", _("Signed for (签收)")
    ASSIGN_TEAM = "assign_team", _("Team assigned (分派处置队)")
    CO_FEEDBACK = "co_feedback", _("Co-handling reported (协办反馈)")
    FEEDBACK = "feedback", _("Handling reported (处置反馈)")
    RETURN_CASE = "return_case", _("Return requested (回退申请)")
    DECIDE_RETURN = "decide_return", _("Return decided (回退审批)")
    REQUEST_EXTENSION = "request_extension", _("Extension requested (延期申请)")
    DECIDE_EXTENSION = "decide_extension", _("Extension decided (延期审批)")
    REQUEST_SUSPENSION = "request_suspension", _("Suspension requested (挂账申请)")
    DECIDE_SUSPENSION = "decide_suspension", _("Suspension decided (挂账审批)")
    RESUME = "resume", _("Resumed (挂账恢复)")
    SEND_CHECK = "send_check", _("Sent for check (发核查)")
    CHECK = "check", _("Checked (核查)")
    CLOSE = "close", _("Closed (结案)")
    CLOSE_SPECIAL = "close_special", _("Closed specially (特殊结案)")
    CALLBACK = "callback", _("Called back (回访)")
    URGE = "urge", _("Urged (督办)")
    ANSWER_URGE = "answer_urge", _("Urging answered (督办回复)")
    APPEAL_OVERDUE = "appeal_overdue", _("Overdue appealed (超时申诉)")
    DECIDE_APPEAL = "decide_appeal", _("Appeal decided (申诉审核)")
    ADD_PHOTO = "add_photo", _("Photo added (上传照片)")
    REVEAL_CONTACT = "reveal_contact", _("Reporter's contact shown (查看举报人信息)")


class CaseNumber(models.Model):
    """The last case number given out in a year: the row is locked while a number is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Outcome(models.TextChoices):
    """What an event decided, kept beside its details (CaseEvent.outcome); a closing's outcome
    is its type (ClosingType)."""

    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")


def outcome_of(data: dict[str, Any]) -> str:
    """A decision approved or refused, a check passed or failed, a closing's type, or ""."""
    if "approved" in data:
        return Outcome.APPROVED if data["approved"] else Outcome.REFUSED
    if "passed" in data:
        return Outcome.PASSED if data["passed"] else Outcome.FAILED
    return str(data.get("closing_type") or "")


class CaseEvent(models.Model):
    """One action on a case. Append-only: never updated, never deleted."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField(_("sequence"))
    verb = models.CharField(_("action"), max_length=24, choices=Verb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("as"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("for unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # The deadlines in force when the event happened: on-time figures are judged against
    # these, never recomputed from limits changed since.
    step_due_at = models.DateTimeField(_("step deadline then"), null=True, blank=True)
    handling_due_at = models.DateTimeField(_("handling deadline then"), null=True, blank=True)
    # The case's workflow columns after the event (cases/audit.py): the case row must match
    # its newest event's state, so a deadline moved by hand is found.
    state = models.JSONField(_("state after"), default=dict, blank=True)
    # What the event decided, from its details (`outcome_of`): evaluation counts by it, and
    # reads no event's JSON to do so.
    outcome = models.CharField(_("outcome"), max_length=10, blank=True)
    # The responsible unit after the event, as its state records it (the audit check holds
    # them equal): a unit's evaluation groups its events by it, which a key of the state
    # would make PostgreSQL dig out of every event's JSON.
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("responsible unit after"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "sequence"]
        # The desks count today's events (consoles/desk.py) and the evaluation a period's
        # (evaluation/indicators.py): a day's or a month's events, not the history, read from
        # the index alone. An event is over a kilobyte (its state and details), its index
        # entry a tenth of that: a month's million events are 1.5 GB of table to read, and
        # what the counts need of them is 0.1 GB of index.
        indexes = [
            models.Index(
                fields=["at"],
                include=[
                    "id",
                    "verb",
                    "role",
                    "actor",
                    "responsible_unit",
                    "outcome",
                    "case",
                    "sequence",
                    "step_due_at",
                    "handling_due_at",
                ],
                name="cases_event_counted",
            ),
            # Approved returns, a few among millions of events: whether a dispatch came back
            # (evaluation's 准确派遣率) is a look in this small index.
            models.Index(
                fields=["case", "sequence"],
                condition=Q(verb="decide_return", outcome="approved"),
                name="cases_event_returned",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="cases_event_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.sequence} {self.verb}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise TypeError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError("case events are append-only")

    @property
    def to_status_label(self) -> str:
        return str(Status(self.to_status).label)


class CoHandling(models.Model):
    """协办: a unit that co-handles a case with the lead unit (主办, Case.responsible_unit)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="co_handlings")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("co-handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)

    class Meta:
        verbose_name = _("co-handling unit")
        verbose_name_plural = _("co-handling units")
        ordering = ["case", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["case", "unit"], name="cases_co_handling_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.unit_id}"


class TaskKind(models.TextChoices):
    VERIFY = "verify", _("Verify (核实)")
    CHECK = "check", _("Check (核查)")


class TaskOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    DENIED = "denied", _("Not found")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Task(models.Model):
    """A verify or check assignment to one inspector, with its own deadline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=6, choices=TaskKind.choices)
    inspector = models.ForeignKey(
        "org.Person", verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="tasks"
    )
    created_at = models.DateTimeField(_("sent at"))
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=TaskOutcome.choices, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["inspector", "done_at"], name="cases_task_open")]
        constraints = [
            # One open task per case at a time.
            models.UniqueConstraint(
                fields=["case"], condition=Q(done_at__isnull=True), name="cases_one_open_task"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case}"


class PhotoStage(models.TextChoices):
    REPORT = "report", pgettext_lazy("photo stage", "Report")
    HANDLING = "handling", pgettext_lazy("photo stage", "Handling")
    CHECK = "check", pgettext_lazy("photo stage", "Check")


class Photo(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("stage"), max_length=8, choices=PhotoStage.choices)
    image = models.ImageField(_("image"), upload_to="cases/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="cases/%Y/%m/thumbs/")
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    taken_at = models.DateTimeField(_("taken at (EXIF)"), null=True, blank=True)
    taken_point = GeometryField(_("taken at position (EXIF)"), geom_types=("Point",), null=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    # A device's own id for the upload, and the SHA-256 of the bytes it sent: a retried upload
    # answers with the photo the first attempt stored (intake/mobile's outbox). NULL, not "",
    # for uploads without one: they stay out of the unique constraint.
    request_id = models.CharField(  # noqa: DJ001
        _("request id"), max_length=64, null=True, blank=True
    )
    request_digest = models.CharField(_("upload digest"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["case", "uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "request_id"],
                condition=Q(request_id__isnull=False),
                name="cases_photo_request_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage}"


class Notification(models.Model):
    """A line in a unit's (or an inspector's) inbox: something happened to one of its cases."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(_("action"), max_length=24)
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    person = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "read_at"], name="cases_inbox_unit")]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(person__isnull=False),
                name="cases_notification_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.verb}"
