"""Organisation: units in a hierarchy, their people and posts (岗位), each with a data scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from org.roles import ALLOWED_SCOPES, Role, Scope


class UnitKind(models.TextChoices):
    CENTER = "center", _("Supervision and command center (监督指挥中心)")
    DEPARTMENT = "department", _("Department (专业部门)")
    STREET = "street", _("Street office (街道办事处)")
    TOWNSHIP = "township", _("Township (乡)")
    TEAM = "team", _("Handling team (处置队)")


TERRITORIAL_KINDS = (UnitKind.STREET, UnitKind.TOWNSHIP)
# The units a case can be dispatched to (teams receive work through their parent).
HANDLING_KINDS = (UnitKind.DEPARTMENT, *TERRITORIAL_KINDS)


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)

    def handling(self) -> UnitQuerySet:
        """Units a case can be dispatched to (teams receive work through their parent)."""
        return self.filter(kind__in=HANDLING_KINDS)


class Unit(models.Model):
    code = models.CharField(
        _("code"),
        max_length=18,
        unique=True,
        help_text=_("Unified social credit code (统一社会信用代码) or a local code."),
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=UnitKind.values), name="org_unit_kind_valid"
            ),
            # A team always works for a department or a street office.
            models.CheckConstraint(
                condition=~Q(kind=UnitKind.TEAM) | Q(parent__isnull=False),
                name="org_unit_team_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == UnitKind.TEAM:
            if self.parent is None:
                raise ValidationError({"parent": _("A handling team belongs to a unit.")})
            if self.parent.kind == UnitKind.TEAM:
                raise ValidationError({"parent": _("A team cannot belong to another team.")})
        if self.parent_id and self.pk and self.parent_id in self.ancestor_ids(include_self=True):
            raise ValidationError({"parent": _("A unit cannot be its own ancestor.")})

    def ancestor_ids(self, *, include_self: bool = False) -> list[int]:
        ids: list[int] = [self.pk] if include_self and self.pk else []
        unit = self.parent
        while unit is not None and unit.pk not in ids:
            ids.append(unit.pk)
            unit = unit.parent
        return ids

    @property
    def is_territorial(self) -> bool:
        return self.kind in TERRITORIAL_KINDS

    @property
    def handling_unit(self) -> Unit:
        """The department or street office a team works for; the unit itself otherwise."""
        return self.parent if self.kind == UnitKind.TEAM and self.parent else self


class Person(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.CASCADE,
        related_name="person",
    )
    name = models.CharField(_("name"), max_length=50)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    phone = models.CharField(_("mobile phone"), max_length=30, blank=True)
    staff_number = models.CharField(_("staff number"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit", "name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, person__user__is_active=True)

    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> MembershipQuerySet:
        if user.pk is None:
            return self.none()
        return self.active().filter(person__user_id=user.pk).select_related("unit", "person")


class Membership(models.Model):
    """One post held by one person, acting for a unit within a data scope."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("acting for unit"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    scope = models.CharField(_("data scope"), max_length=12, choices=Scope.choices)
    is_active = models.BooleanField(_("active"), default=True)

    objects = MembershipQuerySet.as_manager()

    history = HistoricalRecords()  # who changed what, from what (administrative audit)

    class Meta:
        verbose_name = _("role membership")
        verbose_name_plural = _("role memberships")
        ordering = ["person", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role", "unit"], name="org_membership_unique_post"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="org_role_valid"),
            models.CheckConstraint(condition=Q(scope__in=Scope.values), name="org_scope_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.unit}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Scopes are a security boundary: never store an inconsistent one, whoever saves it.
        self.clean()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        allowed = ALLOWED_SCOPES.get(self.role, ())
        if self.scope not in allowed:
            raise ValidationError(
                {
                    "scope": _("The role %(role)s cannot hold the scope %(scope)s.")
                    % {"role": self.get_role_display(), "scope": self.get_scope_display()}
                }
            )
        if self.scope == Scope.TERRITORY and not self.unit.is_territorial:
            raise ValidationError(
                {"unit": _("A territory scope must act for a street office or township.")}
            )

    @property
    def data_scope(self) -> DataScope:
        if self.scope == Scope.DISTRICT:
            return DataScope(whole_district=True)
        if self.scope == Scope.TERRITORY:
            return DataScope(territory_unit_ids=frozenset({self.unit_id}))
        return DataScope(unit_ids=frozenset({self.unit.handling_unit.pk}))


@dataclass(frozen=True)
class DataScope:
    """What a set of memberships may see: the whole district, some streets' territories (by
    their street office unit) and/or some units' own cases."""

    whole_district: bool = False
    territory_unit_ids: frozenset[int] = frozenset()
    unit_ids: frozenset[int] = frozenset()

    def __or__(self, other: DataScope) -> DataScope:
        return DataScope(
            self.whole_district or other.whole_district,
            self.territory_unit_ids | other.territory_unit_ids,
            self.unit_ids | other.unit_ids,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.whole_district or self.territory_unit_ids or self.unit_ids)

    @property
    def key(self) -> str:
        """A name for the scope: "" for the whole district, e.g. "territory:12" for a street."""
        if self.whole_district:
            return ""
        parts = {"territory": self.territory_unit_ids, "unit": self.unit_ids}
        return "|".join(
            f"{name}:{','.join(map(str, sorted(ids)))}" for name, ids in parts.items() if ids
        )

    def covers(self, *, responsible_unit_id: int | None, territory_unit_id: int | None) -> bool:
        """Whether a case handled by one unit, in the territory of one street office, is seen."""
        return (
            self.whole_district
            or (territory_unit_id is not None and territory_unit_id in self.territory_unit_ids)
            or (responsible_unit_id is not None and responsible_unit_id in self.unit_ids)
        )


def data_scope_for(user: AbstractBaseUser | AnonymousUser, role: str | None = None) -> DataScope:
    """The union of the scopes of the user's active memberships (of one role, if given)."""
    memberships = Membership.objects.for_user(user)
    if role is not None:
        memberships = memberships.filter(role=role)
    scope = DataScope()
    for membership in memberships:
        scope = scope | membership.data_scope
    return scope


class ApiToken(models.Model):
    """A per-user key for devices and scripts calling the JSON API (org/tokens.py).

    Only a SHA-256 hash of the key is stored: the key itself is shown once, when it is made.
    A revoked token stays on record (who had access, until when) and never works again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"), max_length=50, help_text=_("What the token is for, e.g. the device: phone-7.")
    )
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True)
    prefix = models.CharField(
        _("key prefix"), max_length=16, help_text=_("The start of the key, to recognise it.")
    )
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["user", "-created_at"]
        constraints = [
            # One working token per name and user, so "revoke phone-7" means one thing.
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="org_token_one_active_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
