"""A territory import places every component again from its position."""

from __future__ import annotations

import pytest

from components.models import Component
from components.placing import place_all
from geo.lookup import TerritoryIndex
from geo.models import GeoRevision, UnitGrid
from geo.territory_import import import_territory
from tests.components.conftest import EAST, WEST, Catalog
from tests.components.making import make
from tests.geo.territory import grid_code, small_territory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]


def places(component: Component) -> tuple[str | None, int | None, int | None]:
    component.refresh_from_db()
    code = component.grid.code if component.grid else None
    return code, component.community_id, component.street_id


def test_an_import_puts_components_back_in_the_grid_their_position_is_in(
    catalog: Catalog,
) -> None:
    west, east = make(catalog.cover, WEST), make(catalog.cover, EAST)
    truth = places(west), places(east)
    assert truth[0][0] == grid_code("001", "001", 3)
    # Stale places, as a territory changed by hand would leave them.
    Component.objects.filter(pk=west.pk).update(
        grid=east.grid, community=east.community, street=east.street
    )
    assert places(west) == truth[1]

    assert import_territory(small_territory()).ok
    assert (places(west), places(east)) == truth


def test_a_component_no_grid_covers_any_more_loses_its_place(catalog: Catalog) -> None:
    west, east = make(catalog.cover, WEST), make(catalog.cover, EAST)
    east_place = places(east)
    UnitGrid.objects.filter(code=grid_code("001", "001", 3)).delete()

    assert place_all(TerritoryIndex(GeoRevision.current())) == 1
    assert places(west) == (None, None, None)
    assert places(east) == east_place
    assert west.point.x == WEST[0]  # the position itself is kept
