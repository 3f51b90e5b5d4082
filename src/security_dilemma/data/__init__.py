"""Public data shipped with the package (COW, ATOP, Natural Earth), loaded offline.

>>> from security_dilemma import data
>>> nmc = data.nmc()
>>> int(nmc.loc[(nmc.ccode == 2) & (nmc.year == 2001), "milex"].iloc[0]) > 0
True
"""

from .loaders import (
    DATASETS,
    Dataset,
    arms_races,
    atop,
    capitals,
    countries,
    cow_iso3,
    data_path,
    extra_places,
    igo,
    mid_disputes,
    mid_dyads,
    nmc,
    places,
    rivalries,
    trade,
    wars,
)

__all__ = [
    "DATASETS",
    "Dataset",
    "arms_races",
    "atop",
    "capitals",
    "countries",
    "cow_iso3",
    "data_path",
    "extra_places",
    "igo",
    "mid_disputes",
    "mid_dyads",
    "nmc",
    "places",
    "rivalries",
    "trade",
    "wars",
]
