import json
from collections.abc import Iterator
from io import BytesIO

import pytest
import shapefile
from django.utils import translation
from shapely.geometry import box, mapping

from geo.models import Community, GeoRevision, Street, UnitGrid
from geo.territory_export import export_territory
from geo.territory_file import TerritoryFileError, read_geojson, read_shapefile_zip, write_geojson
from geo.territory_import import import_territory, stored_as, validate_territory
from org.models import Unit, UnitKind
from tests.geo.territory import DISTRICT, STEP, X0, Y0, grid_code, small_territory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The reports are asserted in English here; one test checks the Chinese default."""
    with translation.override("en"):
        yield


def messages(report: object) -> str:
    return "\n".join(p.message for p in report.problems)  # type: ignore[attr-defined]


def test_a_clean_territory_imports_with_its_hierarchy_and_areas() -> None:
    report = import_territory(small_territory())
    assert report.ok and report.written, messages(report)
    assert (Street.objects.count(), Community.objects.count(), UnitGrid.objects.count()) == (
        2,
        4,
        16,
    )
    grid = UnitGrid.objects.get(code=grid_code("002", "001", 1))
    assert grid.community.full_code == DISTRICT + "002001"
    assert grid.sequence == 1
    assert 10_500 < grid.area_m2 < 11_500  # 0.001° × 0.001° at 26.6° N
    assert GeoRevision.current() == 1


def test_importing_again_updates_in_place_and_keeps_ids() -> None:
    import_territory(small_territory())
    ids = dict(UnitGrid.objects.values_list("code", "id"))
    features = small_territory()
    features[-1].name = "新名称"
    assert import_territory(features).ok
    assert dict(UnitGrid.objects.values_list("code", "id")) == ids
    assert UnitGrid.objects.get(code=features[-1].code).name == "新名称"


def test_the_stored_territory_is_told_apart_from_any_other() -> None:
    office = Unit.objects.create(code="S01", name="一街道办", kind=UnitKind.STREET)
    offices = {DISTRICT + "001": office}
    assert import_territory(small_territory(), offices=offices).ok
    assert stored_as(small_territory(), offices)
    assert stored_as(small_territory())  # an import naming no office keeps the stored ones
    other = Unit.objects.create(code="S02", name="二街道办", kind=UnitKind.STREET)
    assert not stored_as(small_territory(), {DISTRICT + "001": other})
    renamed, moved, attributed, fewer = (small_territory() for _ in range(4))
    renamed[-1].name = "新名称"
    moved[-1].geometry = box(X0, Y0, X0 + STEP, Y0 + STEP * 1.01)
    attributed[-1].attributes["land_use"] = "R"
    for features in (renamed, moved, attributed, fewer[:-1]):
        assert not stored_as(features, offices)
    UnitGrid.objects.filter(code=grid_code("001", "001", 1)).update(notes="手工备注")
    assert not stored_as(small_territory(), offices)


def test_importing_again_renames_streets_and_communities_in_place_and_keeps_their_offices() -> None:
    first, second = (
        Unit.objects.create(code=code, name=name, kind=UnitKind.STREET)
        for code, name in (("S01", "一街道办"), ("S02", "二街道办"))
    )
    import_territory(small_territory(), offices={DISTRICT + "001": first})
    ids = dict(Street.objects.values_list("full_code", "id"))
    placed = dict(UnitGrid.objects.values_list("code", "community__full_code"))
    features = small_territory()
    street, community = features[1], features[2]  # street 001 and its first community
    street.name, community.name = "新街道", "新社区"
    assert import_territory(features).ok  # no offices named: each keeps its own
    assert dict(Street.objects.values_list("full_code", "id")) == ids
    assert dict(UnitGrid.objects.values_list("code", "community__full_code")) == placed
    renamed = Street.objects.get(full_code=street.code)
    assert (renamed.name, renamed.office) == ("新街道", first)
    assert Community.objects.get(full_code=community.code).name == "新社区"
    assert Street.objects.get(full_code=DISTRICT + "002").office is None

    assert import_territory(features, offices={DISTRICT + "001": second}).ok
    assert Street.objects.get(full_code=street.code).office == second


def test_a_legacy_14_digit_grid_code_is_widened() -> None:
    features = small_territory()
    features[-1].code = features[-1].code[:12] + "04"
    assert import_territory(features).ok
    assert UnitGrid.objects.filter(code=features[-1].code[:12] + "004").exists()


def test_a_failed_import_leaves_the_database_unchanged() -> None:
    assert import_territory(small_territory()).ok
    before = list(UnitGrid.objects.order_by("code").values_list("code", "name", "area_m2"))
    features = small_territory()
    for f in features:
        f.name += "-改"
    features[-1].code = "52019900200201"  # fine
    features[-2].code = "5201990020020X3"  # broken
    report = import_territory(features)
    assert not report.ok and not report.written
    assert list(UnitGrid.objects.order_by("code").values_list("code", "name", "area_m2")) == before
    assert GeoRevision.current() == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda fs: setattr(fs[-1], "code", fs[-1].code[:-3] + "000"), "000"),
        (lambda fs: setattr(fs[-1], "code", fs[-2].code), "appears twice"),
        (lambda fs: setattr(fs[-1], "code", DISTRICT + "002009001"), "not in the file"),
        (lambda fs: setattr(fs[-1], "level", "block"), "level 'block'"),
        (lambda fs: setattr(fs[-1], "geometry", box(X0, Y0, X0 + STEP, Y0 + STEP)), "overlap"),
        (lambda fs: fs.pop(), "uncovered"),
        (lambda fs: setattr(fs[-1], "geometry", box(0, 0, 1000, 1000)), "longitude/latitude"),
        (lambda fs: fs[-1].attributes.update(land_use="ZZ"), "land_use 'ZZ'"),
        (lambda fs: fs[-1].attributes.update(start_date="2026-13-01"), "not a date"),
    ],
    ids=[
        "zero-sequence",
        "duplicate",
        "orphan",
        "level",
        "overlap",
        "gap",
        "projected",
        "land-use",
        "date",
    ],
)
def test_the_report_names_the_code_and_the_broken_rule(change: object, expected: str) -> None:
    features = small_territory()
    change(features)  # type: ignore[operator]
    report = import_territory(features)
    assert not report.ok
    assert expected in messages(report)
    assert not UnitGrid.objects.exists()


def test_a_grid_outside_its_community_is_an_error() -> None:
    features = small_territory()
    grid = features[-4]  # the north-west grid of the east street's north community
    x0, y0, x1, y1 = grid.geometry.bounds
    grid.geometry = box(x0 - STEP / 2, y0, x1, y1)
    report, _ = validate_territory(features)
    assert f"{grid.code} extends" in messages(report)


def test_grids_far_from_ten_thousand_square_metres_are_warnings() -> None:
    features = [f for f in small_territory()]
    report, _ = validate_territory(features)
    assert report.ok and not report.warnings
    # A territory of tiny grids: each 1/4 of the size still imports, with a warning each.
    tiny = [f for f in features if f.level != "grid"]
    for f in (f for f in features if f.level == "grid"):
        x0, y0, _x1, _y1 = f.geometry.bounds
        for k, (dx, dy) in enumerate(((0, 1), (1, 1), (0, 0), (1, 0))):
            h = STEP / 2
            code = f.code[:12] + f"{(int(f.code[12:]) - 1) * 4 + k + 1:03d}"
            tiny.append(
                type(f)(
                    "grid",
                    code,
                    "",
                    box(x0 + dx * h, y0 + dy * h, x0 + (dx + 1) * h, y0 + (dy + 1) * h),
                )
            )
    report, _ = validate_territory(tiny)
    assert report.ok
    assert len([w for w in report.warnings if "far from" in w.message]) == 64


def test_export_reads_back_as_the_same_territory() -> None:
    import_territory(small_territory())
    document = json.loads(json.dumps(export_territory()))
    features = read_geojson(json.dumps(document))
    assert sorted(f.code for f in features) == sorted(f.code for f in small_territory())
    report, _ = validate_territory(features)
    assert report.ok, messages(report)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        (
            b'{"type": "FeatureCollection", "features": [{"properties": {}, "geometry": 5}]}',
            "no readable geometry",
        ),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(data: bytes, expected: str) -> None:
    with pytest.raises(TerritoryFileError, match=expected):
        read_geojson(data)


def test_a_zipped_shapefile_with_chinese_columns_is_read() -> None:
    import zipfile

    shp, shx, dbf = BytesIO(), BytesIO(), BytesIO()
    with shapefile.Writer(
        shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding="utf-8"
    ) as writer:
        writer.field("层级", "C", 10)
        writer.field("代码", "C", 15)
        writer.field("名称", "C", 30)
        for f in small_territory():
            writer.shape(mapping(f.geometry))
            writer.record(f.level, f.code, f.name)
    archive = BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for name, part in (("g.shp", shp), ("g.shx", shx), ("g.dbf", dbf)):
            z.writestr(name, part.getvalue())
        z.writestr("g.cpg", "UTF-8")
    features = read_shapefile_zip(archive.getvalue())
    assert [f.code for f in features] == [f.code for f in small_territory()]
    assert import_territory(features).ok


def test_a_zip_without_the_dbf_is_refused() -> None:
    import zipfile

    archive = BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("g.shp", b"x")
        z.writestr("g.shx", b"x")
    with pytest.raises(TerritoryFileError, match="dbf"):
        read_shapefile_zip(archive.getvalue())


def test_write_geojson_keeps_attributes() -> None:
    features = small_territory()
    features[-1].attributes = {"land_use": "R", "notes": "测试"}
    document = write_geojson(features)
    assert document["features"][-1]["properties"]["land_use"] == "R"


def test_the_report_speaks_chinese_by_default() -> None:
    features = small_territory()
    features[-1].code = features[-2].code
    with translation.override("zh-hans"):
        report, _ = validate_territory(features)
    assert f"{features[-1].code} 重复出现" in messages(report)
