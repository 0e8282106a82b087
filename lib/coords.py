"""Coordinates: validation, GCJ-02/BD-09 ↔ WGS84, Gauss–Krüger projection, areas, distances.

Positions are stored in CGCS2000 lon/lat, treated as WGS84 (EPSG:4490 and EPSG:4326 differ by
centimetres). Phones and mini-programs in China often send GCJ-02 (Gaode/Tencent "Mars"
coordinates) or BD-09 (Baidu), so every interface taking a position names its ``crs`` and
converts with :func:`to_wgs84` / :func:`to_wgs84_many`; :func:`from_wgs84` goes the other way.

Why the GCJ-02/BD-09 formulas are written here rather than imported: ``coordtransform`` (0.2.1)
has a C batch mode but only the one-step inverses (GCJ-02 → WGS84 up to ~6 m off, BD-09 → GCJ-02
~0.2 m, measured over the China box) and no types; ``eviltransform`` (0.1.1, unmaintained since
2018) is scalar-only, uses the WGS84 semi-major axis instead of Krasovsky's, and its exact inverse
is a scalar bisection to 1e-6°. The algorithm is a public fact and short, so a numpy version
with an iterative inverse is simpler than wrapping either. Our forward formulas agree with
``coordtransform`` to 1e-13°.

Pure module: no Django. Distances and areas are in metres.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Final, Literal, cast, get_args, overload

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Geod, Transformer
from shapely.geometry.base import BaseGeometry

from lib.i18n import gettext_noop

__all__ = [
    "CRS_NAMES",
    "CoordinateError",
    "CrsName",
    "area_m2",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "check_lon_lat",
    "distance_m",
    "from_wgs84",
    "from_wgs84_many",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "gk_zone_epsg",
    "in_china_bbox",
    "parse_crs",
    "to_lonlat",
    "to_metres",
    "to_wgs84",
    "to_wgs84_many",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

FloatArray = npt.NDArray[np.float64]
CrsName = Literal["wgs84", "cgcs2000", "gcj02", "bd09"]
CRS_NAMES: Final[tuple[CrsName, ...]] = get_args(CrsName)


class CoordinateError(ValueError):
    """A position that cannot be used. ``str(err)`` is a plain English sentence.

    ``template`` (with ``%(name)s`` placeholders, marked for translation) and ``params`` are
    kept apart so that the caller can translate the template with gettext and then fill in the
    numbers; ``point`` is the 1-based position of the bad point in a batch, if any.
    """

    def __init__(self, template: str, point: int | None = None, **params: object) -> None:
        self.template = template
        self.params = params
        self.point = point
        text = template % params if params else template
        super().__init__(f"point {point}: {text}" if point is not None else text)


_NOT_NUMBERS: Final = gettext_noop("longitude/latitude must be finite numbers")

# --- validation ------------------------------------------------------------------------------


def _as_finite_float(value: object) -> float:
    # bool is an int subclass; True as a latitude is always a bug, never a position.
    if isinstance(value, bool):
        raise CoordinateError(_NOT_NUMBERS)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):  # an int of 400 digits is no float
        raise CoordinateError(_NOT_NUMBERS) from None
    if not math.isfinite(number):
        raise CoordinateError(_NOT_NUMBERS)
    return number


def check_lon_lat(lon: object, lat: object) -> tuple[float, float]:
    """Return ``(lon, lat)`` as floats, or raise :class:`CoordinateError`."""
    x, y = _as_finite_float(lon), _as_finite_float(lat)
    if not -90.0 <= y <= 90.0:
        if -90.0 <= x <= 90.0 and -180.0 <= y <= 180.0:
            # (39.9, 116.4) for Beijing: the most common mistake, so say so.
            raise CoordinateError(
                gettext_noop(
                    "latitude %(lat)s is outside −90…90: did you swap longitude and latitude?"
                ),
                lat=y,
            )
        raise CoordinateError(gettext_noop("latitude %(lat)s is outside −90…90"), lat=y)
    if not -180.0 <= x <= 180.0:
        raise CoordinateError(gettext_noop("longitude %(lon)s is outside −180…180"), lon=x)
    return x, y


def _check_lon_lat_arrays(
    lons: npt.ArrayLike, lats: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    try:
        x = np.asarray(lons, dtype=np.float64)
        y = np.asarray(lats, dtype=np.float64)
    except (TypeError, ValueError):
        raise CoordinateError(_NOT_NUMBERS) from None
    if x.shape != y.shape:
        raise CoordinateError(
            gettext_noop("got %(n_lon)s longitudes but %(n_lat)s latitudes"),
            n_lon=x.size,
            n_lat=y.size,
        )
    bad = ~(np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0))
    if bad.any():
        # Re-check the first bad point alone to get its specific message.
        index = int(np.flatnonzero(bad.ravel())[0])
        try:
            check_lon_lat(x.ravel()[index], y.ravel()[index])
        except CoordinateError as err:
            raise CoordinateError(err.template, point=index + 1, **err.params) from None
    return x, y


def parse_crs(crs: object) -> CrsName:
    """Normalise a coordinate-system name (case and surrounding blanks are ignored)."""
    name = crs.strip().lower() if isinstance(crs, str) else crs
    if name in CRS_NAMES:
        return cast(CrsName, name)
    raise CoordinateError(
        gettext_noop("unknown coordinate system %(crs)s: use wgs84, cgcs2000, gcj02 or bd09"),
        crs=repr(crs),
    )


# --- GCJ-02 and BD-09 ------------------------------------------------------------------------
# GCJ-02 is WGS84 plus a smooth offset (hundreds of metres) computed on the Krasovsky 1940
# ellipsoid; BD-09 is GCJ-02 plus a further small rotation/scale and shift. Neither has a closed
# inverse, so the inverses iterate the forward function (a contraction: each step gains ~2.5
# digits).

_KRASOVSKY_A: Final = 6378245.0
_KRASOVSKY_EE: Final = 0.00669342162296594323  # first eccentricity squared
_BD_X_PI: Final = math.pi * 3000.0 / 180.0
_INVERSE_TOLERANCE_DEG: Final = 1e-9  # ≈ 0.1 mm, well under the 1e-7° (≈ 1 cm) we promise
_INVERSE_MAX_STEPS: Final = 30


def in_china_bbox(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """The rough box where GCJ-02 applies an offset.

    A bounding box, not the border: that is the usual convention of these algorithms (this is
    the box of the widespread ``coordtransform`` ports), so our GCJ-02 agrees with theirs. It
    takes in parts of neighbouring countries and covers the mainland up to 53.55°N.
    """
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    return (x > 73.66) & (x < 135.05) & (y > 3.86) & (y < 53.55)


def _gcj02_offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS84 in degrees at a WGS84 position; zero outside the China box."""
    with np.errstate(invalid="ignore", over="ignore"):
        # Only points outside the box (inf, 1e300…) can warn, and their offset is dropped.
        d_lon, d_lat = _krasovsky_offset(lon, lat)
    inside = in_china_bbox(lon, lat)
    return np.where(inside, d_lon, 0.0), np.where(inside, d_lat, 0.0)


def _krasovsky_offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    x = lon - 105.0
    y = lat - 35.0
    shared = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    d_lat += shared
    d_lat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    d_lon += shared
    d_lon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    # Metres on the Krasovsky ellipsoid → degrees.
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = d_lat * 180.0 / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = d_lon * 180.0 / (_KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return d_lon, d_lat


def _wgs84_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    d_lon, d_lat = _gcj02_offset(lon, lat)
    return lon + d_lon, lat + d_lat


def _gcj02_to_bd09(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02_one_step(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    # The published "inverse": exact only to ~1 m, so used as the starting guess.
    x = lon - 0.0065
    y = lat - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_X_PI)
    return z * np.cos(theta), z * np.sin(theta)


_Forward = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]


def _invert(
    forward: _Forward, lon: FloatArray, lat: FloatArray, guess: tuple[FloatArray, FloatArray]
) -> tuple[FloatArray, FloatArray]:
    """Solve ``forward(x, y) == (lon, lat)`` by fixed-point iteration from ``guess``.

    Each point stops once it has converged, so a point gets the same answer alone or in a batch.
    """
    x, y = guess
    for _ in range(_INVERSE_MAX_STEPS):
        fx, fy = forward(x, y)
        err_x, err_y = fx - lon, fy - lat
        active = ~(np.maximum(np.abs(err_x), np.abs(err_y)) < _INVERSE_TOLERANCE_DEG)
        if not active.any():
            break
        x = np.where(active, x - err_x, x)
        y = np.where(active, y - err_y, y)
    # Not converged only on the China box's edge, where the offset jumps; the last step is then
    # within one offset (< 1 km) of the truth, and such points are outside the mainland anyway.
    return x, y


def _gcj02_to_wgs84(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    d_lon, d_lat = _gcj02_offset(lon, lat)
    x, y = _invert(_wgs84_to_gcj02, lon, lat, (lon - d_lon, lat - d_lat))
    # Outside the box GCJ-02 *is* WGS84: keep the input exactly.
    outside = ~in_china_bbox(lon, lat)
    return np.where(outside, lon, x), np.where(outside, lat, y)


def _bd09_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _invert(_gcj02_to_bd09, lon, lat, _bd09_to_gcj02_one_step(lon, lat))


def _wgs84_to_bd09(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _gcj02_to_bd09(*_wgs84_to_gcj02(lon, lat))


def _bd09_to_wgs84(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _gcj02_to_wgs84(*_bd09_to_gcj02(lon, lat))


def _identity(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return lon, lat


# The public pairs below accept floats or numpy arrays: floats in → floats out.


def _apply(
    func: _Forward, lon: float | FloatArray, lat: float | FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    x, y = func(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    if np.ndim(lon) == 0 and np.ndim(lat) == 0:
        return float(x), float(y)
    return x, y


@overload
def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def wgs84_to_gcj02(
    lon: float | FloatArray, lat: float | FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """WGS84 → GCJ-02 (no offset outside the China box)."""
    return _apply(_wgs84_to_gcj02, lon, lat)


@overload
def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_wgs84(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def gcj02_to_wgs84(
    lon: float | FloatArray, lat: float | FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """GCJ-02 → WGS84, iterated to better than 1e-9° (not the one-step approximation)."""
    return _apply(_gcj02_to_wgs84, lon, lat)


@overload
def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_bd09(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def gcj02_to_bd09(
    lon: float | FloatArray, lat: float | FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """GCJ-02 → BD-09 (applied everywhere, as in the published ports of the algorithm)."""
    return _apply(_gcj02_to_bd09, lon, lat)


@overload
def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def bd09_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def bd09_to_gcj02(
    lon: float | FloatArray, lat: float | FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """BD-09 → GCJ-02, iterated to better than 1e-9°."""
    return _apply(_bd09_to_gcj02, lon, lat)


@overload
def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_bd09(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def wgs84_to_bd09(
    lon: float | FloatArray, lat: float | FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """WGS84 → BD-09 (via GCJ-02)."""
    return _apply(_wgs84_to_bd09, lon, lat)


@overload
def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def bd09_to_wgs84(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def bd09_to_wgs84(
    lon: float | FloatArray, lat: float | FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """BD-09 → WGS84 (via GCJ-02), iterated to better than 1e-9°."""
    return _apply(_bd09_to_wgs84, lon, lat)


_TO_WGS84: Final[dict[CrsName, _Forward]] = {
    "wgs84": _identity,
    "cgcs2000": _identity,
    "gcj02": _gcj02_to_wgs84,
    "bd09": _bd09_to_wgs84,
}
_FROM_WGS84: Final[dict[CrsName, _Forward]] = {
    "wgs84": _identity,
    "cgcs2000": _identity,
    "gcj02": _wgs84_to_gcj02,
    "bd09": _wgs84_to_bd09,
}


def to_wgs84(lon: object, lat: object, crs: object = "wgs84") -> tuple[float, float]:
    """Validate a position given in ``crs`` and return it as WGS84 (= CGCS2000) lon/lat."""
    func = _TO_WGS84[parse_crs(crs)]
    x, y = check_lon_lat(lon, lat)
    out_x, out_y = func(np.asarray(x), np.asarray(y))
    return float(out_x), float(out_y)


def to_wgs84_many(
    lons: npt.ArrayLike, lats: npt.ArrayLike, crs: object = "wgs84"
) -> tuple[FloatArray, FloatArray]:
    """Vectorised :func:`to_wgs84`; errors name the first bad point (counting from 1)."""
    func = _TO_WGS84[parse_crs(crs)]
    x, y = _check_lon_lat_arrays(lons, lats)
    return func(x, y)


def from_wgs84(lon: object, lat: object, crs: object = "wgs84") -> tuple[float, float]:
    """Express a WGS84 position in ``crs`` (e.g. for a Gaode or Baidu map)."""
    func = _FROM_WGS84[parse_crs(crs)]
    x, y = check_lon_lat(lon, lat)
    out_x, out_y = func(np.asarray(x), np.asarray(y))
    return float(out_x), float(out_y)


def from_wgs84_many(
    lons: npt.ArrayLike, lats: npt.ArrayLike, crs: object = "wgs84"
) -> tuple[FloatArray, FloatArray]:
    """Vectorised :func:`from_wgs84`."""
    func = _FROM_WGS84[parse_crs(crs)]
    x, y = _check_lon_lat_arrays(lons, lats)
    return func(x, y)


# --- projection, areas, distances ------------------------------------------------------------
# CGCS2000 3-degree Gauss–Krüger without the zone number in the easting: EPSG:4534 has its
# central meridian at 75°E, each next code 3° further east, up to EPSG:4554 at 135°E
# (checked against the EPSG database shipped with pyproj, and in the tests).

_GK_FIRST_EPSG: Final = 4534
_GK_FIRST_CM: Final = 75
_GK_LAST_CM: Final = 135
_CGCS2000_GEOGRAPHIC: Final = 4490
# The CGCS2000 ellipsoid is GRS80 (flattening differs from WGS84's by 1e-11: irrelevant here).
_GEOD: Final = Geod(ellps="GRS80")


def gk_zone_epsg(lon: float) -> int:
    """EPSG code of the 3° Gauss–Krüger zone whose central meridian is nearest ``lon``."""
    x = _as_finite_float(lon)
    central_meridian = 3 * math.floor(x / 3.0 + 0.5)  # half-up: 76.5 → 78, deterministically
    if not _GK_FIRST_CM <= central_meridian <= _GK_LAST_CM:
        raise CoordinateError(
            gettext_noop(
                "longitude %(lon)s is outside the Gauss–Krüger zones of China (73.5…136.5)"
            ),
            lon=x,
        )
    return _GK_FIRST_EPSG + (central_meridian - _GK_FIRST_CM) // 3


@lru_cache(maxsize=32)  # 21 zones
def _transformers(epsg: int) -> tuple[Transformer, Transformer]:
    # Building a Transformer costs milliseconds; using one costs microseconds. pyproj ≥ 3.1
    # makes Transformer thread-safe, so sharing the cached pair between threads is fine.
    forward = Transformer.from_crs(_CGCS2000_GEOGRAPHIC, epsg, always_xy=True)
    backward = Transformer.from_crs(epsg, _CGCS2000_GEOGRAPHIC, always_xy=True)
    return forward, backward


def _transform_geometry[G: BaseGeometry](geom: G, transformer: Transformer) -> G:
    def apply(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        out_x, out_y = transformer.transform(x, y)
        return out_x, out_y

    return cast(G, shapely.transform(geom, apply, interleaved=False))


def to_metres[G: BaseGeometry](geom: G, epsg: int) -> G:
    """Project a lon/lat geometry into the metric CRS ``epsg`` (e.g. from :func:`gk_zone_epsg`)."""
    return _transform_geometry(geom, _transformers(epsg)[0])


def point_in_metres(lon: float, lat: float, epsg: int) -> shapely.Point:
    """A lon/lat position as a point in the metric CRS ``epsg``: the same as :func:`to_metres`
    of a point, in a few microseconds instead of fifty (no geometry is transformed)."""
    x, y = _transformers(epsg)[0].transform(lon, lat)
    return shapely.points((x, y))


def to_lonlat[G: BaseGeometry](geom: G, epsg: int) -> G:
    """Inverse of :func:`to_metres`."""
    return _transform_geometry(geom, _transformers(epsg)[1])


def area_m2(geom_lonlat: BaseGeometry) -> float:
    """Area in m² of a lon/lat geometry, in the Gauss–Krüger zone of its centroid.

    Within a zone (±1.5° of the central meridian) the scale error of the projection stays
    below 0.04 % of area in China, far below the precision of a surveyed grid boundary.
    """
    if geom_lonlat.is_empty:
        return 0.0
    epsg = gk_zone_epsg(geom_lonlat.centroid.x)
    return float(to_metres(geom_lonlat, epsg).area)


def distance_m(lon1: object, lat1: object, lon2: object, lat2: object) -> float:
    """Geodesic distance in metres between two lon/lat points on the CGCS2000 ellipsoid."""
    x1, y1 = check_lon_lat(lon1, lat1)
    x2, y2 = check_lon_lat(lon2, lat2)
    _, _, distance = _GEOD.inv(x1, y1, x2, y2)
    return float(distance)
