"""Unit-grid (单元网格) codes: validation, building, parsing and sequence assignment.

The rule (docs: /work/shared/STANDARDS.md §1.1; GB/T 30428.1, Beijing DB11/T 单元网格划分, the same
15-character identifier as GB/T 47678.3 implementations use):

    15 digits = 6-digit GB/T 2260 county-level administrative code (区/县级行政区划代码)
              + 3-digit street/township code (街道/乡镇)
              + 3-digit community/village code (社区/村)
              + 3-digit grid sequence number (单元网格顺序码) 001–999 within the community.

The legacy CJ/T 213-2005 code had 14 digits (6 + 3 + 3 + a 2-digit sequence); it is accepted on
import and widened to 15 (``…01`` → ``…001``). A sequence of 00/000 is not a grid (in the legacy
form it named the community itself). Within one community sequence numbers run west→east, then
north→south (从西向东、由北至南), i.e. like reading text: see :func:`assign_sequences`.

Only ASCII digits are accepted: full-width digits (０–９) and other Unicode digits are rejected
with a message that says so, so that an import report tells the user what to retype.

Every error is a :class:`GridCodeError` (a ``ValueError``) that keeps the offending text
(``code``) apart from the rule it breaks (``rule``, a short English sentence built from the
``RULE_*`` constants).

Pure module: no Django, no database.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Final

from lib.i18n import gettext_noop

__all__ = [
    "LEGACY_LENGTH",
    "LENGTH",
    "MAX_SEQUENCE",
    "PROVINCES",
    "PROVINCE_CODES",
    "GridCode",
    "GridCodeError",
    "assign_sequences",
    "build_grid_code",
    "default_row_height",
    "normalize_grid_code",
    "parse_grid_code",
    "validate_community_code",
    "validate_district_code",
    "validate_street_code",
]

LENGTH: Final = 15
LEGACY_LENGTH: Final = 14  # CJ/T 213-2005: 6 + 3 + 3 + 2
MAX_SEQUENCE: Final = 999

# GB/T 2260 province-level divisions (省级行政区划). The numbering has gaps (no 16-20, 24-30, …).
PROVINCES: Final[Mapping[str, str]] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}
PROVINCE_CODES: Final = frozenset(PROVINCES)

# --- rules -----------------------------------------------------------------------------------

RULE_LENGTH: Final = gettext_noop(
    "a unit grid code has 15 digits (or 14 in the legacy CJ/T 213 form)"
)
RULE_ASCII: Final = gettext_noop(
    "a unit grid code is written with the ASCII digits 0-9 only; full-width digits (０-９),"
    " letters, spaces and other characters are not accepted"
)
RULE_DISTRICT_FORMAT: Final = gettext_noop(
    "a district code is the 6-digit GB/T 2260 county-level administrative code, in ASCII digits"
)
RULE_DISTRICT_PROVINCE: Final = gettext_noop(
    "a district code starts with a GB/T 2260 province code"
    " (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81 or 82)"
)
RULE_DISTRICT_LEVEL: Final = gettext_noop(
    "a district code must be county-level (区/县级): a code ending in 00 names a city or a province"
)
RULE_STREET: Final = gettext_noop(
    "a street/township (街道/乡镇) code is 3 ASCII digits from 001 to 999"
)
RULE_COMMUNITY: Final = gettext_noop(
    "a community/village (社区/村) code is 3 ASCII digits from 001 to 999"
)
RULE_SEQUENCE: Final = gettext_noop("a grid sequence number is 001-999; 000 is not a grid")
RULE_SEQUENCE_OVERFLOW: Final = gettext_noop(
    "the community has more than 999 grids: a grid sequence number has only 3 digits (001-999)"
)
RULE_LEGACY_SEQUENCE: Final = gettext_noop(
    "a legacy 14-digit code ending in 00 names the community itself, not a unit grid"
)
RULE_TOO_MANY_GRIDS: Final = gettext_noop(
    "a community has at most 999 unit grids (sequence 001-999); split the community first"
)


class GridCodeError(ValueError):
    """A code that breaks the unit-grid rule.

    ``code`` is the offending text as given, ``rule`` the rule it breaks (a short English
    sentence), ``kind`` what the text was meant to be ("grid code", "street code", …) and
    ``digits`` which digits of a full code are wrong ("7-9"), if the fault lies in one part.
    """

    def __init__(self, code: str, rule: str, kind: str = "grid code", digits: str = "") -> None:
        super().__init__(code, rule, kind, digits)
        self.code = code
        self.rule = rule
        self.kind = kind
        self.digits = digits

    def __str__(self) -> str:
        where = f"digits {self.digits}: " if self.digits else ""
        return f"{self.kind} {self.code!r} is invalid: {where}{self.rule}"


# --- parts ------------------------------------------------------------------------------------


def _is_ascii_digits(text: str, length: int) -> bool:
    # str.isdigit alone accepts full-width and other Unicode digits ("１", "٣", "²").
    return len(text) == length and text.isascii() and text.isdigit()


def _district_problem(code: str) -> str | None:
    if not _is_ascii_digits(code, 6):
        return RULE_DISTRICT_FORMAT
    if code[:2] not in PROVINCE_CODES:
        return RULE_DISTRICT_PROVINCE
    if code.endswith("00"):
        return RULE_DISTRICT_LEVEL
    return None


def _three_digit_problem(code: str, rule: str) -> str | None:
    if not _is_ascii_digits(code, 3) or code == "000":
        return rule
    return None


def _street_problem(code: str) -> str | None:
    return _three_digit_problem(code, RULE_STREET)


def _community_problem(code: str) -> str | None:
    return _three_digit_problem(code, RULE_COMMUNITY)


def _sequence_problem(sequence: int) -> str | None:
    if sequence > MAX_SEQUENCE:
        return RULE_SEQUENCE_OVERFLOW
    if sequence < 1:
        return RULE_SEQUENCE
    return None


def _checked(code: str, problem: Callable[[str], str | None], kind: str) -> str:
    rule = problem(code)
    if rule is not None:
        raise GridCodeError(code, rule, kind)
    return code


def validate_district_code(code: str) -> str:
    """Return ``code`` if it is a 6-digit county-level GB/T 2260 code, else raise."""
    return _checked(code, _district_problem, gettext_noop("district code"))


def validate_street_code(code: str) -> str:
    """Return ``code`` if it is a 3-digit street/township (街道/乡镇) code 001–999, else raise."""
    return _checked(code, _street_problem, gettext_noop("street code"))


def validate_community_code(code: str) -> str:
    """Return ``code`` if it is a 3-digit community/village (社区/村) code 001–999, else raise."""
    return _checked(code, _community_problem, gettext_noop("community code"))


def _validate_sequence(sequence: int) -> int:
    # bool is an int subclass; True as a sequence number is a bug, not grid 001.
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise TypeError(f"a grid sequence number is an int, not {type(sequence).__name__}")
    rule = _sequence_problem(sequence)
    if rule is not None:
        raise GridCodeError(str(sequence), rule, gettext_noop("grid sequence"))
    return sequence


# --- whole codes ------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class GridCode:
    """A valid unit-grid code split into its parts; constructing one validates every part."""

    district: str
    street: str
    community: str
    sequence: int

    def __post_init__(self) -> None:
        validate_district_code(self.district)
        validate_street_code(self.street)
        validate_community_code(self.community)
        _validate_sequence(self.sequence)

    @property
    def street_code(self) -> str:
        """The 9-digit street code (所在街道代码): district + street."""
        return self.district + self.street

    @property
    def community_code(self) -> str:
        """The 12-digit community code (所在社区代码): district + street + community."""
        return self.street_code + self.community

    @property
    def code(self) -> str:
        """The 15-digit unit-grid code (单元网格标识码)."""
        return f"{self.community_code}{self.sequence:03d}"

    def __str__(self) -> str:
        return self.code


def build_grid_code(district: str, street: str, community: str, sequence: int) -> str:
    """The 15-digit code of grid ``sequence`` (1–999) in the given community; validates every
    part and raises :class:`GridCodeError` naming the bad one."""
    return GridCode(district, street, community, sequence).code


# (first, last) 1-based digit positions and the check of each part inside a whole code.
_PARTS: Final[tuple[tuple[int, int, Callable[[str], str | None]], ...]] = (
    (1, 6, _district_problem),
    (7, 9, _street_problem),
    (10, 12, _community_problem),
)


_ASCII_DIGITS: Final = frozenset("0123456789")


def _shape_problem(text: str) -> str | None:
    if not set(text) <= _ASCII_DIGITS:
        return RULE_ASCII
    if len(text) not in (LENGTH, LEGACY_LENGTH):
        return RULE_LENGTH
    return None


def parse_grid_code(text: str) -> GridCode:
    """Parse a 15-digit code or a legacy 14-digit CJ/T 213 code (surrounding whitespace is
    ignored) into a :class:`GridCode`; raise :class:`GridCodeError` otherwise.

    The error's ``code`` is ``text`` as given; for a bad part its ``rule`` says which digits are
    wrong, e.g. "digits 7-9 (street): a street/township (街道/乡镇) code is …".
    """
    digits = text.strip()
    rule = _shape_problem(digits)
    if rule is not None:
        raise GridCodeError(text, rule)
    for first, last, problem in _PARTS:
        rule = problem(digits[first - 1 : last])
        if rule is not None:
            raise GridCodeError(text, rule, digits=f"{first}-{last}")
    sequence = int(digits[12:])
    if sequence == 0:
        legacy = len(digits) == LEGACY_LENGTH
        if legacy:
            raise GridCodeError(text, RULE_LEGACY_SEQUENCE)
        raise GridCodeError(text, RULE_SEQUENCE, digits="13-15")
    return GridCode(digits[:6], digits[6:9], digits[9:12], sequence)


def normalize_grid_code(text: str) -> str:
    """The 15-digit form of a 15- or legacy 14-digit code (``…01`` → ``…001``)."""
    return parse_grid_code(text).code


# --- sequence assignment (从西向东、由北至南) ----------------------------------------------------


def _nearest_neighbour_distances(points: list[tuple[float, float]]) -> list[float]:
    """For each point, the distance to the nearest point at a different position (points with
    no such neighbour are left out). Sweeps outwards in x order, so it is fast for ~1000."""
    ordered = sorted(points)
    distances: list[float] = []
    for i, (x, y) in enumerate(ordered):
        best = math.inf
        for step in (1, -1):
            j = i + step
            while 0 <= j < len(ordered) and abs(ordered[j][0] - x) < best:
                distance = math.hypot(ordered[j][0] - x, ordered[j][1] - y)
                if 0.0 < distance < best:
                    best = distance
                j += step
        if best < math.inf:
            distances.append(best)
    return distances


def default_row_height(points: list[tuple[float, float]]) -> float:
    """The median nearest-neighbour distance (0.0 when all points coincide).

    On a lattice of grids it is the cell spacing; the median, unlike the mean, is not moved by
    a few merged, split or outlying grids, and it needs no tuning per city.
    """
    distances = _nearest_neighbour_distances(points)
    return statistics.median(distances) if distances else 0.0


def _check_point(key: object, point: tuple[float, float]) -> tuple[float, float]:
    x, y = point
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"the centroid of grid {key!r} is not a finite (x, y) pair: {point!r}")
    return float(x), float(y)


def _rows(points: list[tuple[float, float]], row_height: float) -> list[list[int]]:
    """Band point indices into rows from north to south.

    A row starts at its northernmost centroid and takes every following centroid that lies less
    than half a row height below it. Re-anchoring each row at its own northernmost centroid
    (rather than cutting fixed bands from the top) means an error in ``row_height`` does not
    accumulate down the community, and a row is never cut in two by a band edge.
    """
    order = sorted(range(len(points)), key=lambda i: (-points[i][1], points[i][0], i))
    rows: list[list[int]] = []
    top = math.inf
    for i in order:
        if not rows or top - points[i][1] > row_height / 2:
            rows.append([])
            top = points[i][1]
        rows[-1].append(i)
    return rows


def assign_sequences[K: Hashable](
    centroids: Mapping[K, tuple[float, float]], row_height: float | None = None
) -> dict[K, int]:
    """Number the grids of one community 1..n west→east, then north→south (从西向东、由北至南).

    ``centroids`` maps each grid to its centroid ``(x, y)`` in a projected metric CRS (y grows
    northward). Grids are banded into rows from the north (see :func:`_rows`); within a row they
    run west to east. Ties are broken by x, then north first, then by the order of
    ``centroids``. ``row_height`` defaults to :func:`default_row_height`.

    On a rectangular lattice with spacings dx, dy and per-axis jitter below s/7 (s = min(dx, dy))
    the default yields exact row-major order from the north-west; with ``row_height=dy`` that
    holds for jitter below s/4. The result is ordered by sequence number.
    """
    if len(centroids) > MAX_SEQUENCE:
        raise GridCodeError(
            str(len(centroids)), RULE_TOO_MANY_GRIDS, gettext_noop("number of grids")
        )
    keys = list(centroids)
    points = [_check_point(key, centroids[key]) for key in keys]
    if row_height is None:
        row_height = default_row_height(points)
    elif not (math.isfinite(row_height) and row_height > 0):
        raise ValueError(f"row_height must be a positive number of metres, not {row_height!r}")
    sequences: dict[K, int] = {}
    for row in _rows(points, row_height):
        for index in sorted(row, key=lambda i: (points[i][0], -points[i][1], i)):
            sequences[keys[index]] = len(sequences) + 1
    return sequences
