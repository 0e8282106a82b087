"""Catalog (部件和事件分类): editions → major classes → types, with their filing standards.

Two editions ship: GB/T 47678.5-2026 (current; type codes 2+3 digits) and the legacy
CJ/T 214-2007 / GB/T 30428.2-2013 edition (2+2 digits) that the seed district used. A type's
filing conditions (立案条件) carry the handling limit and the closing condition (结案条件): the
立案结案标准 a city publishes. Administrators add local extension types (扩展事件) as data.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TypeKind(models.TextChoices):
    COMPONENT = "component", _("Component (部件)")
    EVENT = "event", _("Event or matter (事件/事项)")


class Edition(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    type_code_length = models.PositiveSmallIntegerField(
        _("type code digits"),
        help_text=_("4 in the legacy edition (2+2), 5 in GB/T 47678.5 (2+3)."),
    )
    # The district's choice of edition: one deployment serves one district, so the one
    # current edition is that district's setting (changed with make_current, in the admin).
    is_current = models.BooleanField(
        _("current edition"),
        default=False,
        help_text=_("The district's edition: new reports and components are classified in it."),
    )

    class Meta:
        verbose_name = _("catalog edition")
        verbose_name_plural = _("catalog editions")
        ordering = ["-is_current", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="catalog_one_current"
            ),
            models.CheckConstraint(
                condition=Q(type_code_length__in=[4, 5]), name="catalog_edition_code_length"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def make_current(self) -> None:
        """Make this the district's edition (the one current edition)."""
        with transaction.atomic():
            Edition.objects.exclude(pk=self.pk).filter(is_current=True).update(is_current=False)
            Edition.objects.filter(pk=self.pk).update(is_current=True)
        self.is_current = True

    @property
    def component_id_length(self) -> int:
        """部件标识码: 6-digit district + type code + 6-digit serial (16 legacy, 17 current)."""
        return 6 + self.type_code_length + 6


class MajorClass(models.Model):
    """大类."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="majors"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=TypeKind.choices)
    code = models.CharField(_("code"), max_length=2)
    name = models.CharField(_("name"), max_length=30)

    class Meta:
        verbose_name = _("major class")
        verbose_name_plural = _("major classes")
        ordering = ["edition", "kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "kind", "code"], name="catalog_major_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TypeKind.values), name="catalog_major_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CaseType(models.Model):
    """小类: a component type (上水井盖) or an event/matter type (暴露垃圾).

    The same code can exist for both kinds (GB/T 47678.5 01001 供水井盖 and 01001 供水井盖异常),
    so a type is known by edition, kind and code together.
    """

    major = models.ForeignKey(
        MajorClass, verbose_name=_("major class"), on_delete=models.CASCADE, related_name="types"
    )
    code = models.CharField(_("code"), max_length=5)
    name = models.CharField(_("name"), max_length=50)
    is_extension = models.BooleanField(
        _("local extension"), default=False, help_text=_("Added by the city, not in the standard.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    default_department = models.ForeignKey(
        "org.Unit",
        verbose_name=_("competent department (主管部门)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="competent_for",
    )

    class Meta:
        verbose_name = _("type")
        verbose_name_plural = _("types")
        ordering = ["major", "code"]
        constraints = [
            models.UniqueConstraint(fields=["major", "code"], name="catalog_type_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def kind(self) -> str:
        return self.major.kind


class LimitUnit(models.TextChoices):
    """Units of a handling limit. Natural units run day and night; working units follow the
    working calendar (working periods, holidays and make-up working days)."""

    MINUTE = "minute", _("minutes")
    NATURAL_HOUR = "natural_hour", _("natural hours")
    NATURAL_DAY = "natural_day", _("natural days")
    WORKING_HOUR = "working_hour", _("working hours (工作时)")
    WORKING_DAY = "working_day", _("working days (工作日)")


NATURAL_UNITS = (LimitUnit.MINUTE, LimitUnit.NATURAL_HOUR, LimitUnit.NATURAL_DAY)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal (一般)")
    URGENT = "urgent", _("Urgent (紧急)")


class AreaClass(models.TextChoices):
    """立案区域: where a condition applies. Published tables seldom vary limits by area."""

    ANY = "", _("Anywhere")
    MAIN_ROAD = "main_road", _("Main roads and key areas (主次干道、重点区域)")
    ORDINARY = "ordinary", _("Ordinary areas (一般区域)")


class FilingCondition(models.Model):
    """立案条件: when a problem of this type is filed, how long handling may take, and when the
    case may close. One type has one or more."""

    case_type = models.ForeignKey(
        CaseType, verbose_name=_("type"), on_delete=models.CASCADE, related_name="conditions"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    condition = models.TextField(_("filing condition (立案条件)"))
    area_class = models.CharField(
        _("area class (立案区域)"), max_length=12, choices=AreaClass.choices, blank=True
    )
    urgency = models.CharField(
        _("urgency"), max_length=6, choices=Urgency.choices, default=Urgency.NORMAL
    )
    limit_value = models.PositiveIntegerField(_("handling limit"))
    limit_unit = models.CharField(_("unit"), max_length=12, choices=LimitUnit.choices)
    closing_condition = models.TextField(_("closing condition (结案条件)"))
    responsible_text = models.CharField(
        _("responsible units as published (责任单位)"), max_length=200, blank=True
    )
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("A generated default, not taken from a published standard: review it."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    history = HistoricalRecords()  # who changed what, from what (administrative audit)

    class Meta:
        verbose_name = _("filing condition")
        verbose_name_plural = _("filing conditions")
        ordering = ["case_type", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(limit_value__gt=0), name="catalog_limit_positive"),
            models.CheckConstraint(
                condition=Q(limit_unit__in=LimitUnit.values), name="catalog_limit_unit_valid"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="catalog_urgency_valid"
            ),
            # 紧急: the clock runs continuously, after hours too.
            models.CheckConstraint(
                condition=~Q(urgency=Urgency.URGENT) | Q(limit_unit__in=NATURAL_UNITS),
                name="catalog_urgent_runs_on_natural_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_type}: {self.condition[:30]}"


class RoutingBasis(models.TextChoices):
    """Why routing suggests a unit (catalog/routing.py): 先属主、后属地."""

    OWNER = "owner", _("Owner of the component (权属单位)")
    RULE = "rule", _("Routing rule (派遣规则)")
    DEPARTMENT = "department", _("Competent department (主管部门)")
    TERRITORY = "territory", _("Territory (属地)")
    NONE = "none", _("No unit applies")


class RoutingRule(models.Model):
    """派遣规则: which unit handles a type, optionally only within a street, a community or a
    set of unit grids. Among matching rules the lowest priority number wins, then the narrowest
    scope (grids, community, street, whole district)."""

    case_type = models.ForeignKey(
        CaseType, verbose_name=_("type"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    street = models.ForeignKey(
        "geo.Street", verbose_name=_("street"), null=True, blank=True, on_delete=models.CASCADE
    )
    community = models.ForeignKey(
        "geo.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    grids = models.ManyToManyField("geo.UnitGrid", verbose_name=_("unit grids"), blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="routing_rules",
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()  # who changed what, from what (administrative audit)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["case_type", "priority", "id"]

    def __str__(self) -> str:
        return f"{self.case_type} → {self.unit}"


class CrosswalkBasis(models.TextChoices):
    """Why a legacy type maps to a current one (catalog/data/crosswalk_*.csv)."""

    SAME_NAME = "same name", _("Same name")
    SPELLING_VARIANT = "spelling variant", _("Same name in another spelling")
    SYNONYM = "synonym", _("Synonym")
    RENAMED = "renamed", _("Renamed")
    BROADER = "broader", _("The current type is broader")
    NARROWER = "narrower", _("The current type is narrower")
    CLOSEST = "closest", _("Closest type (the legacy type is split)")
    NONE = "no equivalent", _("No equivalent")


class Crosswalk(models.Model):
    """对照: the GB/T 47678.5 type a legacy CJ/T 214-2007 type becomes, or "no equivalent".
    Imports with legacy codes land on the current type through it (catalog.lookup)."""

    legacy_type = models.OneToOneField(
        CaseType,
        verbose_name=_("legacy type"),
        on_delete=models.CASCADE,
        related_name="crosswalk",
    )
    current_type = models.ForeignKey(
        CaseType,
        verbose_name=_("current type"),
        null=True,
        blank=True,
        # Without its target the row says nothing; reloading the catalogue restores it.
        on_delete=models.CASCADE,
        related_name="crosswalked_from",
    )
    basis = models.CharField(_("basis"), max_length=20, choices=CrosswalkBasis.choices)
    is_judgement = models.BooleanField(
        _("judgement"),
        default=True,
        help_text=_("Not the same name: someone judged that the types correspond. Review it."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_shipped = models.BooleanField(
        _("as shipped"),
        default=True,
        help_text=_("Changed locally when cleared: reloading the catalogue leaves it alone."),
    )

    class Meta:
        verbose_name = _("legacy code crosswalk")
        verbose_name_plural = _("legacy code crosswalk")
        ordering = ["legacy_type__major__kind", "legacy_type__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(basis__in=CrosswalkBasis.values), name="catalog_crosswalk_basis_valid"
            ),
            # A mapped row names its current type; only "no equivalent" names none.
            models.CheckConstraint(
                condition=Q(basis=CrosswalkBasis.NONE, current_type__isnull=True)
                | (~Q(basis=CrosswalkBasis.NONE) & Q(current_type__isnull=False)),
                name="catalog_crosswalk_target_iff_mapped",
            ),
        ]

    def __str__(self) -> str:
        target = self.current_type or self.get_basis_display()
        return f"{self.legacy_type} → {target}"

    def clean(self) -> None:
        if self.legacy_type_id is None:
            return
        legacy, current = self.legacy_type, self.current_type
        if current is None:
            if self.basis != CrosswalkBasis.NONE:
                raise ValidationError(
                    {"current_type": _("Choose the current type, or the basis No equivalent.")}
                )
            return
        if self.basis == CrosswalkBasis.NONE:
            raise ValidationError({"basis": _("A row with a current type has an equivalent.")})
        if current.major.edition_id == legacy.major.edition_id or current.kind != legacy.kind:
            raise ValidationError(
                {
                    "current_type": _(
                        "The current type must be of the same kind, in another edition."
                    )
                }
            )
