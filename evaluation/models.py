"""What a city may change of its evaluation: the weights of each composite score, the bands that
turn a count into a score, and the grades. Seeded with the defaults of STANDARDS.md §5
(evaluation/defaults.py); administrators edit them in the admin.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from evaluation.periods import Period
from org.models import DataScope


class ObjectKind(models.TextChoices):
    """What is evaluated (评价对象): regions, units and posts."""

    STREET = "street", _("Street / township (街道)")
    COMMUNITY = "community", _("Community (社区)")
    GRID = "grid", _("Unit grid (单元网格)")
    UNIT = "unit", _("Handling unit (专业部门)")
    INSPECTOR = "inspector", _("Inspector (监督员)")
    ACCEPTOR = "acceptor", _("Acceptor (受理员)")
    SHIFT_LEADER = "shift_leader", _("Shift leader (值班长)")
    DISPATCHER = "dispatcher", _("Dispatcher (派遣员)")


REGION_KINDS = (ObjectKind.STREET, ObjectKind.COMMUNITY, ObjectKind.GRID)
POST_KINDS = (
    ObjectKind.INSPECTOR,
    ObjectKind.ACCEPTOR,
    ObjectKind.SHIFT_LEADER,
    ObjectKind.DISPATCHER,
)


class RegionClass(models.TextChoices):
    """区域类别: a region's class, from its grids' management grade (evaluation/scores.py)."""

    ANY = "", _("any region")
    FIRST = "1", _("Class 1 (一类区域)")
    SECOND = "2", _("Class 2 (二类区域)")


class Weight(models.Model):
    """One indicator's share of a kind's composite score (综合指标值)."""

    kind = models.CharField(_("evaluated"), max_length=12, choices=ObjectKind.choices)
    indicator = models.CharField(_("indicator"), max_length=40)
    percent = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    history = HistoricalRecords()  # who changed what, from what (administrative audit)

    class Meta:
        verbose_name = _("weight")
        verbose_name_plural = _("weights")
        ordering = ["kind", "-percent", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "indicator"], name="evaluation_weight_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.indicator} {self.percent} %"


class Band(models.Model):
    """A score for a count up to a limit (分值): the first band, by limit, that holds the value
    scores it; a band without a limit holds every value above the others."""

    kind = models.CharField(_("evaluated"), max_length=12, choices=ObjectKind.choices)
    indicator = models.CharField(_("indicator"), max_length=40)
    region_class = models.CharField(
        _("region class"), max_length=1, choices=RegionClass.choices, blank=True
    )
    limit = models.FloatField(_("up to"), null=True, blank=True)
    inclusive = models.BooleanField(_("limit included"), default=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)

    history = HistoricalRecords()  # who changed what, from what (administrative audit)

    class Meta:
        verbose_name = _("score band")
        verbose_name_plural = _("score bands")
        ordering = ["kind", "indicator", "region_class", models.F("limit").asc(nulls_last=True)]

    def __str__(self) -> str:
        sign = "≤" if self.inclusive else "<"
        return f"{self.kind} {self.indicator} {sign} {self.limit} → {self.score}"


class Grade(models.Model):
    """A grade (等级) from a composite score: the highest grade whose minimum is reached."""

    letter = models.CharField(_("grade"), max_length=1, unique=True)
    minimum = models.DecimalField(_("from score"), max_digits=5, decimal_places=2)

    history = HistoricalRecords()  # who changed what, from what (administrative audit)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["-minimum"]

    def __str__(self) -> str:
        return f"{self.letter} ≥ {self.minimum}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", pgettext_lazy("evaluation run", "Failed")


class EvaluationRun(models.Model):
    """One evaluation report asked for (评价报表): computed by a background task with its audit
    chain checked, then kept as an XLSX for the one who asked. Also the record of who had
    which evaluation made, when."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT
    )
    role = models.CharField(_("as post"), max_length=20)  # whose data scope the report reads
    period = models.CharField(_("period"), max_length=30)  # Period.label
    language = models.CharField(_("language"), max_length=10)
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    chain_cases = models.PositiveIntegerField(_("cases whose chain was checked"), null=True)
    chain_findings = models.PositiveIntegerField(_("audit findings"), null=True)
    workbook = models.FileField(_("workbook"), upload_to="evaluations/", blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.period} {self.requested_by} {self.status}"

    @property
    def pending(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def chain_verifies(self) -> bool | None:
        return None if self.chain_findings is None else self.chain_findings == 0


class SettledMonth(models.Model):
    """A whole month's counts over the district or a street's territory, counted once and kept
    (月度结算): see evaluation/settlement.py. Object keys are kept as numbers: figures are
    {kind: [[object key, {count: n}], …]}."""

    month = models.DateField(_("month"))  # its first day
    scope = models.CharField(_("over"), max_length=200, blank=True)  # DataScope.key
    settled_at = models.DateTimeField(_("settled at"))
    figures = models.JSONField(_("counts"))
    headline = models.JSONField(_("headline figures"))

    class Meta:
        verbose_name = _("settled month")
        verbose_name_plural = _("settled months")
        ordering = ["-month", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["month", "scope"], name="evaluation_settled_once"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.scope}".strip()

    @classmethod
    def of(cls, period: Period, scope: DataScope | None = None) -> SettledMonth | None:
        """The settlement of the period over a scope (the whole district by default), if the
        period is a month and it is settled: when and over what, its counts not read."""
        key = "" if scope is None else scope.key
        return cls.kept(period, key).defer("figures", "headline").first()

    @classmethod
    def kept(cls, period: Period, scope: str | None) -> QuerySet[SettledMonth]:
        """The period's settlement over the scope named: none for another period than a month,
        or when no scope is named (see `scope_of`)."""
        if scope is None or not period.is_month:
            return cls.objects.none()
        return cls.objects.filter(month=period.first, scope=scope)

    @classmethod
    def figures_among(
        cls, period: Period, cases: object | None, scope: DataScope | None, kinds: list[str]
    ) -> dict[str, dict[Any, dict[str, int]]] | None:
        """The kept counts of `kinds` (each read alone: a grid's are most of the column) for
        figures counted over `cases`, or None when the month is not settled over them."""
        paths = [f"figures__{kind}" for kind in kinds]
        row = cls.kept(period, scope_of(cases, scope)).values_list(*paths).first()
        if row is None:
            return None
        return {
            kind: {key: counts for key, counts in pairs or []}
            for kind, pairs in zip(kinds, row, strict=True)
        }


def scope_of(cases: object | None, scope: DataScope | None) -> str | None:
    """The settled scope that figures counted over `cases` are read from: the district's when
    they are all cases (None), the scope's when they are a scope's (`Case.objects.within`), and
    none when the caller does not say whose they are."""
    if cases is None:
        return ""
    return None if scope is None else scope.key
