"""Where the communes are: their centres, and the distance between two of them.

data/loiret-communes-centres.csv holds one centre per commune (latitude, longitude, WGS 84,
4 decimals ≈ 10 m): the area centroid of each commune's outline in the Admin Express COG
outlines (IGN, Licence Ouverte) as republished in the `france-geojson` repository (file
`departements/45-loiret/communes-45-loiret.geojson`), computed once. A centroid is a centre
of area, not the town hall: distances are "as the crow flies, centre to centre", good to a
few kilometres, which is what a person needs to judge a trip to another site.
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from importlib import resources

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


@lru_cache(maxsize=1)
def commune_centres() -> dict[str, tuple[float, float]]:
    text = resources.files("mobility").joinpath("data/loiret-communes-centres.csv").read_text("utf-8")
    return {row["insee_code"]: (float(row["latitude"]), float(row["longitude"])) for row in csv.DictReader(text.splitlines())}


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (latitude, longitude) points, in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def distance_km(insee_from: str, insee_to: str) -> int | None:
    """Rounded kilometres between two communes' centres (0 for the same one; None if unknown)."""
    if insee_from == insee_to:
        return 0
    centres = commune_centres()
    if insee_from not in centres or insee_to not in centres:
        return None
    return round(great_circle_km(centres[insee_from], centres[insee_to]))
