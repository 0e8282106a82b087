"""A small hand-made territory: one district, two streets, four communities, sixteen grids of
about 11,000 m² (0.001° squares near 106.3 E, 26.6 N)."""

from __future__ import annotations

from shapely.geometry import box

from geo.territory_file import TerritoryFeature

DISTRICT = "520199"
X0, Y0, STEP = 106.300, 26.600, 0.001


def small_territory() -> list[TerritoryFeature]:
    features = [
        TerritoryFeature("district", DISTRICT, "示范区", box(X0, Y0, X0 + 4 * STEP, Y0 + 4 * STEP))
    ]
    for s, street in enumerate(("001", "002")):
        sx = X0 + 2 * s * STEP
        features.append(
            TerritoryFeature(
                "street",
                DISTRICT + street,
                f"街道{street}",
                box(sx, Y0, sx + 2 * STEP, Y0 + 4 * STEP),
            )
        )
        for c, community in enumerate(("001", "002")):
            cy = Y0 + 2 * c * STEP
            code = DISTRICT + street + community
            features.append(
                TerritoryFeature(
                    "community",
                    code,
                    f"社区{street}{community}",
                    box(sx, cy, sx + 2 * STEP, cy + 2 * STEP),
                )
            )
            # west→east, then north→south: the north row first.
            for n, (i, j) in enumerate(((0, 1), (1, 1), (0, 0), (1, 0)), start=1):
                x, y = sx + i * STEP, cy + j * STEP
                features.append(
                    TerritoryFeature(
                        "grid", f"{code}{n:03d}", f"网格{n}", box(x, y, x + STEP, y + STEP)
                    )
                )
    for number, feature in enumerate(features, start=1):
        feature.number = number
    return features


def grid_code(street: str, community: str, sequence: int) -> str:
    return f"{DISTRICT}{street}{community}{sequence:03d}"
