"""Territory: district → street/township → community → unit grid (单元网格), inspector areas and
the gazetteer (地理编码: roads, door plates, points of interest, areas).

Codes follow GB/T 2260 and the unit-grid rule (lib/gridcodes.py): a grid's 15-digit code is its
district (6) + street (3) + community (3) + sequence (3). Geometry is lon/lat in CGCS2000.
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from geo.fields import GeometryField

POLYGONS = ("Polygon", "MultiPolygon")


class GeoRevision(models.Model):
    """One row counting changes to the territory, so each process knows when to rebuild its
    in-memory lookup index (geo/lookup.py)."""

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("geography revision")

    def __str__(self) -> str:
        return str(self.number)

    @classmethod
    def bump(cls) -> None:
        """Record a change to the territory or the gazetteer; call inside the transaction
        that made it. This process's caches are dropped at commit; others notice within
        RECHECK_SECONDS."""
        from geo.gazetteer import forget_gazetteer
        from geo.lookup import forget_index

        updated = cls.objects.filter(pk=1).update(number=F("number") + 1)
        if not updated:
            cls.objects.get_or_create(pk=1, defaults={"number": 1})
        transaction.on_commit(forget_index)
        transaction.on_commit(forget_gazetteer)

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=1).values_list("number", flat=True).first() or 0


class District(models.Model):
    code = models.CharField(_("administrative code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50)
    # What people still call it (a former name, a short form): address matching reads them.
    aliases = models.JSONField(_("aliases and former names"), default=list, blank=True)
    boundary = GeometryField(_("boundary"), geom_types=POLYGONS)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class StreetKind(models.TextChoices):
    STREET = "street", _("Street (街道)")
    TOWNSHIP = "township", _("Township (乡镇)")


class Street(models.Model):
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.CASCADE, related_name="streets"
    )
    code = models.CharField(_("street code"), max_length=3)
    full_code = models.CharField(_("full code"), max_length=9, unique=True)
    name = models.CharField(_("name"), max_length=50)
    aliases = models.JSONField(_("aliases and former names"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=StreetKind.choices)
    office = models.OneToOneField(
        "org.Unit",
        verbose_name=_("street office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="territory",
        help_text=_("The street office or township government answering for this territory."),
    )
    boundary = GeometryField(_("boundary"), geom_types=POLYGONS)

    class Meta:
        verbose_name = _("street / township")
        verbose_name_plural = _("streets / townships")
        ordering = ["full_code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="geo_street_code_unique"),
            models.CheckConstraint(condition=Q(kind__in=StreetKind.values), name="geo_street_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    street = models.ForeignKey(
        Street, verbose_name=_("street"), on_delete=models.CASCADE, related_name="communities"
    )
    code = models.CharField(_("community code"), max_length=3)
    full_code = models.CharField(_("full code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=50)
    aliases = models.JSONField(_("aliases and former names"), default=list, blank=True)
    boundary = GeometryField(_("boundary"), geom_types=POLYGONS)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["full_code"]
        constraints = [
            models.UniqueConstraint(fields=["street", "code"], name="geo_community_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class LandUse(models.TextChoices):
    """用地类别 (after GB 50137 major classes, as local grid standards use)."""

    RESIDENTIAL = "R", _("Residential (居住用地)")
    PUBLIC = "A", _("Public services (公共管理与公共服务用地)")
    COMMERCIAL = "B", _("Commercial (商业服务业设施用地)")
    INDUSTRIAL = "M", _("Industrial (工业用地)")
    ROADS = "S", _("Roads and transport (道路与交通设施用地)")
    GREEN = "G", _("Green space and squares (绿地与广场用地)")
    WATER = "E1", _("Water (水域)")
    RURAL = "E", _("Rural and other (农林及其他用地)")


class ManagementGrade(models.TextChoices):
    """管理等级: how closely a grid is patrolled (first grade = core area)."""

    FIRST = "1", _("Grade 1 (core area)")
    SECOND = "2", _("Grade 2 (ordinary area)")
    THIRD = "3", _("Grade 3 (outskirts)")


class UnitGrid(models.Model):
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.CASCADE, related_name="grids"
    )
    code = models.CharField(_("grid code"), max_length=15, unique=True)
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    name = models.CharField(_("name"), max_length=60, blank=True)
    area_m2 = models.FloatField(_("area (m²)"))
    land_use = models.CharField(
        _("land-use class"), max_length=2, choices=LandUse.choices, blank=True
    )
    management_grade = models.CharField(
        _("management grade"), max_length=1, choices=ManagementGrade.choices, blank=True
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    boundary = GeometryField(_("boundary"), geom_types=POLYGONS)

    class Meta:
        verbose_name = _("unit grid")
        verbose_name_plural = _("unit grids")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "sequence"], name="geo_grid_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class InspectorArea(models.Model):
    """责任网格: the unit grids one or more inspectors patrol."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    grids = models.ManyToManyField(
        UnitGrid, verbose_name=_("unit grids"), related_name="inspector_areas"
    )
    inspectors = models.ManyToManyField(
        "org.Person", verbose_name=_("inspectors"), related_name="inspector_areas", blank=True
    )

    class Meta:
        verbose_name = _("inspector area")
        verbose_name_plural = _("inspector areas")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


# -- Gazetteer (地理编码, CJ/T 215 / GB/T 47678.4): named places that address text refers to --


class RoadClass(models.TextChoices):
    MAIN = "main", _("Main road (主干道)")
    SECONDARY = "secondary", _("Secondary road (次干道)")
    LANE = "lane", _("Lane (街巷)")


class Road(models.Model):
    """街巷: a named road, street or lane."""

    # Not unique: lanes of the same name lie in different streets (the street narrows them).
    name = models.CharField(_("name"), max_length=50, db_index=True)
    aliases = models.JSONField(_("aliases and former names"), default=list, blank=True)
    road_class = models.CharField(_("class"), max_length=10, choices=RoadClass.choices)
    line = GeometryField(_("centre line"), geom_types=("LineString", "MultiLineString"))

    class Meta:
        verbose_name = _("road")
        verbose_name_plural = _("roads")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DoorPlate(models.Model):
    """门(楼)牌: a house number on a road."""

    road = models.ForeignKey(
        Road, verbose_name=_("road"), on_delete=models.CASCADE, related_name="door_plates"
    )
    number = models.CharField(_("number"), max_length=20)
    point = GeometryField(_("position"), geom_types=("Point",))

    class Meta:
        verbose_name = _("door plate")
        verbose_name_plural = _("door plates")
        ordering = ["road", "number"]
        constraints = [
            models.UniqueConstraint(fields=["road", "number"], name="geo_door_plate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.road.name}{self.number}号"


class PointOfInterest(models.Model):
    """兴趣点: a landmark people name instead of an address (park, school, market)."""

    name = models.CharField(_("name"), max_length=60)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    category = models.CharField(_("category"), max_length=20)
    point = GeometryField(_("position"), geom_types=("Point",))

    class Meta:
        verbose_name = _("point of interest")
        verbose_name_plural = _("points of interest")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """区片: a named area such as a residential compound or an industrial park."""

    name = models.CharField(_("name"), max_length=60)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    boundary = GeometryField(_("boundary"), geom_types=POLYGONS)

    class Meta:
        verbose_name = _("named area")
        verbose_name_plural = _("named areas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
