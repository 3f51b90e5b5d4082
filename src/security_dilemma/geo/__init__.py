"""Geography: gazetteer, geodesy, range rings, reach, missile-defence coverage, leakage, maps.

Everything is public arms-control arithmetic: published ranges, great-circle (geodesic)
geometry on WGS84, inventories, kill probabilities and leakage (Wilkening 2000). Nothing here
models guidance, targeting or countermeasures. See ``docs/geography.md``.

>>> from security_dilemma.geo import Gazetteer, distance_between
>>> g = Gazetteer.default()
>>> a, b = g.resolve("Tehran"), g.resolve("Warsaw")
>>> round(distance_between(a.lat, a.lon, b.lat, b.lon).distance_km)
3021
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:
    from .casegeometry import CaseGeometry, case_geometry
    from .coverage import PathCoverage, Site, case_sites, defended_area, path_coverage
    from .erosion import (
        DEFAULT_SHOTS,
        DefenceOutcome,
        ErosionResult,
        defence_outcome,
        deterrent_erosion,
    )
    from .gazetteer import Gazetteer, Location, normalise_name
    from .geodesy import (
        EARTH_AREA_KM2,
        GEOD,
        Leg,
        distance_between,
        geodesic_area_km2,
        path_points,
        range_ring,
    )
    from .leakage import (
        Engagement,
        Layer,
        LayeredEngagement,
        allocate,
        engage,
        layered,
        leaker_pmf,
        mean_kill_fraction,
        salvo_kill_probability,
        shoot_look_shoot,
        shots_for_confidence,
    )
    from .matrices import erosion_matrix, intercept_matrix, reach_matrix
    from .reach import CapitalInReach, CountryInReach, Reach, national_capitals, reach, territory

__all__ = [
    "DEFAULT_SHOTS",
    "EARTH_AREA_KM2",
    "GEOD",
    "CapitalInReach",
    "CaseGeometry",
    "CountryInReach",
    "DefenceOutcome",
    "Engagement",
    "ErosionResult",
    "Gazetteer",
    "Layer",
    "LayeredEngagement",
    "Leg",
    "Location",
    "PathCoverage",
    "Reach",
    "Site",
    "allocate",
    "case_geometry",
    "case_sites",
    "defence_outcome",
    "defended_area",
    "deterrent_erosion",
    "distance_between",
    "engage",
    "erosion_matrix",
    "geodesic_area_km2",
    "intercept_matrix",
    "layered",
    "leaker_pmf",
    "mean_kill_fraction",
    "national_capitals",
    "normalise_name",
    "path_coverage",
    "path_points",
    "range_ring",
    "reach",
    "reach_matrix",
    "salvo_kill_probability",
    "shoot_look_shoot",
    "shots_for_confidence",
    "territory",
]

# The names above are imported when first used (see ``security_dilemma._lazy``).
if not TYPE_CHECKING:
    __getattr__, __dir__ = attach(__name__, __all__)
