"""Reference data shipped with the project: the four basins and the 325 Loiret communes."""

from __future__ import annotations

import csv
from importlib import resources

# INSEE 2020 employment zones of the plan's four basins.
BASINS = (
    ("orleans", "Orléans", "2410"),
    ("montargis", "Montargis", "2409"),
    ("gien", "Gien", "2407"),
    ("pithiviers", "Pithiviers", "2411"),
)


def read_communes() -> list[dict]:
    """Rows of data/loiret-communes.csv (Etalab découpage administratif 6.0.0)."""
    text = resources.files("mobility").joinpath("data/loiret-communes.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))
