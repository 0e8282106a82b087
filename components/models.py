"""The component inventory (部件普查): surveyed city objects with their standard identifiers.

A component (管理部件) has the GB/T 47678.5 表2 attributes (STANDARDS.md §2.2): identifier,
name, type, competent department, owner, maintainer, unit grid, status, dates, data source and
notes, plus per-type extras. Its identifier is 6 district + type code + 6 serial digits (16 in
the legacy edition, 17 in the current one; lib/component_ids.py). The unit grid, community
and street are derived from the position. Status changes go through :func:`change_status`
only, which appends a ComponentStatusChange row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import CaseType, TypeKind
from components.messages import component_id_error_text
from geo.fields import GeometryField
from geo.lookup import Location, OutsideDistrict, locate
from lib.component_ids import (
    ComponentId,
    ComponentIdError,
    build_component_id,
    validate_component_id,
)


class ComponentStatus(models.TextChoices):
    """管理部件状态 (GB/T 47678.5 表2 GLBJZT)."""

    INTACT = "intact", gettext_lazy("Intact (完好)")
    DAMAGED = "damaged", gettext_lazy("Damaged (破损)")
    MISSING = "missing", gettext_lazy("Missing (丢失)")
    ABANDONED = "abandoned", gettext_lazy("Abandoned (废弃)")
    REMOVED = "removed", gettext_lazy("Removed (移除)")


class DataSource(models.TextChoices):
    """数据来源 (SJLY)."""

    SURVEY = "survey", gettext_lazy("Field survey (实测)")
    TOPOGRAPHIC_MAP = "topographic_map", gettext_lazy("Topographic map (地形图)")
    BASE_GEODATA = "base_geodata", gettext_lazy("Basic geographic data (基础地理数据)")
    OTHER = "other", gettext_lazy("Other (其他)")


# The terms the standard writes in files; they do not change with the user's language.
STATUS_TERMS: dict[str, str] = {
    ComponentStatus.INTACT: "完好",
    ComponentStatus.DAMAGED: "破损",
    ComponentStatus.MISSING: "丢失",
    ComponentStatus.ABANDONED: "废弃",
    ComponentStatus.REMOVED: "移除",
}
DATA_SOURCE_TERMS: dict[str, str] = {
    DataSource.SURVEY: "实测",
    DataSource.TOPOGRAPHIC_MAP: "地形图",
    DataSource.BASE_GEODATA: "基础地理数据",
    DataSource.OTHER: "其他",
}


class ComponentSerial(models.Model):
    """The last serial given out for one district + type (the identifier's first 10 or 11
    digits). Taking serials updates this row, which locks it until the transaction ends."""

    prefix = models.CharField(max_length=11, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


def reserve_serials(prefix: str, count: int = 1) -> range:
    """Take ``count`` consecutive unused serials for ``prefix``.

    The UPDATE … SET last = last + count takes the row's write lock (PostgreSQL row lock,
    SQLite database lock) before reading, so two transactions never get the same serials.
    """
    with transaction.atomic():
        ComponentSerial.objects.bulk_create([ComponentSerial(prefix=prefix)], ignore_conflicts=True)
        ComponentSerial.objects.filter(prefix=prefix).update(last=F("last") + count)
        last = ComponentSerial.objects.values_list("last", flat=True).get(prefix=prefix)
    return range(last - count + 1, last + 1)


def note_serial(prefix: str, serial: int) -> None:
    """Record that ``serial`` is taken (an identifier given by a survey file), so that
    generated serials continue after it."""
    with transaction.atomic():
        ComponentSerial.objects.bulk_create([ComponentSerial(prefix=prefix)], ignore_conflicts=True)
        ComponentSerial.objects.filter(prefix=prefix, last__lt=serial).update(last=serial)


class Component(models.Model):
    identifier = models.CharField(
        gettext_lazy("identifier (部件标识码)"),
        max_length=17,
        unique=True,
        blank=True,
        help_text=gettext_lazy("Left empty, the next serial of the district and type is used."),
    )
    case_type = models.ForeignKey(
        CaseType,
        verbose_name=gettext_lazy("type"),
        on_delete=models.PROTECT,
        related_name="components",
        limit_choices_to={"major__kind": TypeKind.COMPONENT},
    )
    name = models.CharField(
        gettext_lazy("name"),
        max_length=50,
        blank=True,
        help_text=gettext_lazy("Left empty, the type's name is used."),
    )
    point = GeometryField(gettext_lazy("position"), geom_types=("Point",))
    # Derived from the point on every save. SET_NULL: a re-imported territory may drop a grid,
    # and the next save or import places the component again.
    grid = models.ForeignKey(
        "geo.UnitGrid",
        verbose_name=gettext_lazy("unit grid"),
        null=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="components",
    )
    community = models.ForeignKey(
        "geo.Community",
        verbose_name=gettext_lazy("community"),
        null=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    street = models.ForeignKey(
        "geo.Street",
        verbose_name=gettext_lazy("street"),
        null=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Unit",
        verbose_name=gettext_lazy("competent department (主管部门)"),
        on_delete=models.PROTECT,
        related_name="governed_components",
        blank=True,
        help_text=gettext_lazy("Left empty, the type's competent department is used."),
    )
    owner = models.ForeignKey(
        "org.Unit",
        verbose_name=gettext_lazy("owner (权属单位)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_components",
    )
    maintainer = models.ForeignKey(
        "org.Unit",
        verbose_name=gettext_lazy("maintainer (养护单位)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="maintained_components",
    )
    status = models.CharField(
        gettext_lazy("status"),
        max_length=10,
        choices=ComponentStatus.choices,
        default=ComponentStatus.INTACT,
    )
    initial_date = models.DateField(
        gettext_lazy("initial date (初始日期)"), default=timezone.localdate
    )
    changed_date = models.DateField(gettext_lazy("change date (变更日期)"), null=True, blank=True)
    data_source = models.CharField(
        gettext_lazy("data source"), max_length=20, choices=DataSource.choices, blank=True
    )
    location_text = models.CharField(
        gettext_lazy("location (位置描述)"), max_length=256, blank=True
    )
    notes = models.TextField(gettext_lazy("notes"), max_length=1000, blank=True)
    attributes = models.JSONField(
        gettext_lazy("extra attributes"),
        default=dict,
        blank=True,
        help_text=gettext_lazy("Per-type attributes such as material or shape."),
    )

    class Meta:
        verbose_name = gettext_lazy("component")
        verbose_name_plural = gettext_lazy("components")
        ordering = ["identifier"]
        # case_type and grid are indexed as foreign keys.
        indexes = [models.Index(fields=["status"], name="components_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ComponentStatus.values), name="components_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(data_source__in=["", *DataSource.values]),
                name="components_data_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is not None and "point" not in fields and "identifier" not in fields:
            super().save(*args, **kwargs)
            return
        if self.case_type.kind != TypeKind.COMPONENT:
            raise ValueError(f"type {self.case_type} is not a component type")
        location = self.place()
        self.name = self.name or self.case_type.name
        if self.department_id is None:
            self.department_id = self.case_type.default_department_id
        with transaction.atomic():
            self._assign_identifier(location)
            super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        case_type = self.case_type if self.case_type_id is not None else None
        if case_type is not None and case_type.kind != TypeKind.COMPONENT:
            errors["case_type"] = _("The type is an event type, not a component.")
        if self.department_id is None and (
            case_type is None or not case_type.default_department_id
        ):
            errors["department"] = _("The type has no competent department: choose one.")
        location = None
        if self.point is not None:
            try:
                location = locate(self.point.x, self.point.y)
            except OutsideDistrict as error:
                errors[NON_FIELD_ERRORS] = str(error)
        if self.identifier and case_type is not None and location is not None:
            try:
                self._check_identifier(location)
            except ComponentIdError as error:
                errors["identifier"] = component_id_error_text(error)
        if errors:
            raise ValidationError(errors)

    def place(self) -> Location:
        """Set grid, community and street from the point; raises OutsideDistrict."""
        location = locate(self.point.x, self.point.y)
        self.grid_id = location.grid_id
        self.community_id = location.community_id
        self.street_id = location.street_id
        return location

    def _check_identifier(self, location: Location) -> ComponentId:
        return validate_component_id(
            self.identifier, district=location.grid_code[:6], type_code=self.case_type.code
        )

    def _assign_identifier(self, location: Location) -> None:
        if self.identifier:
            parsed = self._check_identifier(location)
            note_serial(parsed.prefix, parsed.serial)
            return
        district, code = location.grid_code[:6], self.case_type.code
        (serial,) = reserve_serials(district + code)
        self.identifier = build_component_id(district, code, serial)


class ComponentStatusChange(models.Model):
    """One status change of a component. Append-only: written by change_status only."""

    component = models.ForeignKey(
        Component,
        verbose_name=gettext_lazy("component"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(
        gettext_lazy("from"), max_length=10, choices=ComponentStatus.choices
    )
    to_status = models.CharField(gettext_lazy("to"), max_length=10, choices=ComponentStatus.choices)
    changed_at = models.DateTimeField(gettext_lazy("when"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(gettext_lazy("reason"), max_length=200, blank=True)
    # The case whose report or ending caused the change (cases/component_status.py). A number,
    # not a foreign key: the cases app sits above this one.
    case_number = models.CharField(gettext_lazy("case"), max_length=14, blank=True)

    class Meta:
        verbose_name = gettext_lazy("status change")
        verbose_name_plural = gettext_lazy("status changes")
        ordering = ["component", "changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=ComponentStatus.values)
                & Q(from_status__in=ComponentStatus.values),
                name="components_change_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")), name="components_change_not_a_no_op"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component_id}: {self.from_status} → {self.to_status}"


class StatusChangeError(ValueError):
    """A status change that is refused; the message is in the user's language."""


def change_status(
    component: Component,
    to: str,
    user: User | None,
    reason: str = "",
    *,
    case_number: str = "",
    at: datetime | None = None,
) -> ComponentStatusChange:
    """Move a component to status ``to`` and record who, when, why and, when a case caused it,
    which case. The only way a component's status changes; refuses an unknown status and a
    change to the same status."""
    if to not in ComponentStatus.values:
        raise StatusChangeError(
            _("%(status)s is not a component status: use one of %(choices)s.")
            % {"status": repr(to), "choices": ", ".join(ComponentStatus.values)}
        )
    at = at or timezone.now()
    with transaction.atomic():
        # The lock orders two simultaneous changes, so each records the status it really left.
        locked = Component.objects.select_for_update().get(pk=component.pk)
        if locked.status == to:
            raise StatusChangeError(
                _("Component %(identifier)s is already %(status)s.")
                % {"identifier": locked.identifier, "status": ComponentStatus(to).label}
            )
        change = ComponentStatusChange.objects.create(
            component=locked, from_status=locked.status, to_status=to, changed_at=at,
            changed_by=user, reason=reason[:200], case_number=case_number,
        )  # fmt: skip
        locked.status, locked.changed_date = to, timezone.localdate(at)
        locked.save(update_fields=["status", "changed_date"])
    component.status, component.changed_date = locked.status, locked.changed_date
    return change
