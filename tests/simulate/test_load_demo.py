from collections import Counter
from io import StringIO

import numpy as np
import pytest
import shapely
from django.contrib.auth import authenticate
from django.core.management import call_command

from cases.audit import verify_all
from cases.models import Case, CaseEvent
from catalog.models import CaseType, FilingCondition
from components.models import Component
from geo.lookup import locate
from geo.models import Community, District, DoorPlate, InspectorArea, Road, Street, UnitGrid
from lib.coords import gk_zone_epsg, to_metres
from org.models import TERRITORIAL_KINDS, Membership, Person, Unit, UnitKind
from org.roles import Role
from simulate.demo_org import ACCOUNTS, DEMO_PASSWORD, INSPECTOR_COUNT, load_organisation


@pytest.mark.django_db
def test_every_demo_account_can_sign_in_with_the_printed_password() -> None:
    load_organisation()
    for username, *_ in ACCOUNTS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username


def loaded_rows() -> dict[str, int]:
    models = [CaseType, FilingCondition, Component, Case, CaseEvent]
    return {model.__name__: model._default_manager.count() for model in models}


@pytest.mark.django_db
def test_load_demo_builds_the_seed_district_and_loading_again_changes_nothing() -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    people = (Unit.objects.count(), Person.objects.count(), Membership.objects.count())
    grids = dict(UnitGrid.objects.values_list("code", "id"))
    stored = loaded_rows()
    call_command("load_demo", "--quiet", stdout=StringIO())
    assert (Unit.objects.count(), Person.objects.count(), Membership.objects.count()) == people
    assert dict(UnitGrid.objects.values_list("code", "id")) == grids
    assert loaded_rows() == stored
    assert DEMO_PASSWORD in out.getvalue()

    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() == 20
    assert Unit.objects.filter(kind__in=[UnitKind.STREET, UnitKind.TOWNSHIP]).count() == 17
    assert Membership.objects.filter(role=Role.INSPECTOR).count() == INSPECTOR_COUNT == 45
    handling_units = Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, *TERRITORIAL_KINDS])
    for unit in handling_units:  # each has a duty terminal
        assert Membership.objects.filter(role=Role.HANDLER, unit=unit).exists(), unit
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)

    streets = Street.objects.select_related("office")
    assert Counter(s.kind for s in streets) == {"street": 15, "township": 2}
    assert all(s.office and (s.office.kind, s.office.name) == (s.kind, s.name) for s in streets)
    assert Community.objects.count() == 140
    assert 8_500 <= len(grids) <= 9_500

    district = District.objects.get()
    epsg = gk_zone_epsg(district.boundary.centroid.x)
    areas = np.array(UnitGrid.objects.values_list("area_m2", flat=True))
    assert areas.min() >= 3_000 and areas.max() <= 25_000
    assert 9_000 <= np.median(areas) <= 11_000
    # Full coverage without overlap: the grids' areas add up to the district's, and so does
    # their union.
    boundaries = list(UnitGrid.objects.values_list("boundary", flat=True))
    union = to_metres(shapely.coverage_union_all(boundaries), epsg)
    district_m2 = to_metres(district.boundary, epsg).area
    assert district_m2 == pytest.approx(89.86e6, rel=0.01)
    assert areas.sum() == pytest.approx(district_m2, rel=1e-6)
    assert union.area == pytest.approx(district_m2, rel=1e-6)

    patrolled = Counter(InspectorArea.grids.through.objects.values_list("unitgrid_id", flat=True))
    assert set(patrolled) == set(grids.values()) and set(patrolled.values()) == {1}
    areas_of = Counter(
        InspectorArea.inspectors.through.objects.values_list("person__user__username", flat=True)
    )
    assert sorted(areas_of) == [f"inspector{n:02d}" for n in range(1, 46)]
    assert DoorPlate.objects.count() > 10_000 and Road.objects.count() > 100

    for grid in UnitGrid.objects.order_by("?")[:50]:
        inside = shapely.get_coordinates(grid.boundary.point_on_surface())[0]
        assert locate(*inside).grid_code == grid.code

    # The rest of the demo: both catalogue editions with a filing standard for every type,
    # about 27,000 components and a few dozen cases whose audit trail verifies.
    assert CaseType.objects.filter(major__edition__code="cjt214-2007").count() == 139
    assert not CaseType.objects.filter(conditions__isnull=True).exists()
    assert not CaseType.objects.filter(default_department__isnull=True).exists()
    assert 25_000 <= Component.objects.count() <= 29_000
    assert not Component.objects.filter(grid__isnull=True).exists()
    assert 40 <= Case.objects.count() <= 80
    assert list(verify_all()) == []
