"""security-dilemma: a laboratory for the security dilemma in international relations.

State a case (states, weapons, alliances, institutions, identities, dated events), simulate it
under competing theories, and test those theories against what happened.

>>> import security_dilemma as sd
>>> case = sd.load_case("bmd-europe")
>>> case.actor_ids()[:3]
['USA', 'RUS', 'IRN']
>>> result = sd.simulate(case, lens="realism", replicates=20, seed=1)
>>> sorted(result.actors) == sorted(case.actor_ids())
True

The most used names are here at the root (``simulate``, ``simulate_lenses``, ``backtest``,
``write_report``, and ``whatif``, the what-if package: ``sd.whatif.compare(case,
"no-missile-defence")``); each subpackage holds the rest of its domain: ``classroom`` (played
worlds and their debrief: ``classroom.play``, ``classroom.debrief``), ``scenario`` (case
files), ``engine`` (simulation), ``lenses`` (theories), ``games`` (game theory), ``geo``
(geography and missile defence), ``history`` (Richardson fits, backtests), ``whatif``
(counterfactual worlds), ``experiments`` (sweeps, sensitivity, the results store), ``report``
(the HTML report) and ``data`` (the shipped data sets).
"""

from typing import TYPE_CHECKING

from ._lazy import attach

if TYPE_CHECKING:
    from . import classroom, data, engine, games, geo, lenses, scenario, whatif
    from ._version import __version__
    from .engine import Result, simulate, simulate_lenses
    from .engine.predict import predict  # not `from .engine`: mypy takes the module there
    from .errors import BadInput, Problem
    from .games import (
        Game,
        MemoryOne,
        four_worlds,
        match,
        nash_equilibria,
        reassurance,
        reciprocate,
        round_robin,
    )
    from .geo import (
        Gazetteer,
        Location,
        deterrent_erosion,
        distance_between,
        intercept_matrix,
        range_ring,
        reach,
        reach_matrix,
    )
    from .history import backtest, fit_richardson
    from .lenses import lens_names, register_lens
    from .report import write_report
    from .scenario import (
        Case,
        case_from_data,
        list_cases,
        load_case,
        load_case_file,
        parse_case_text,
    )
    from .scenario.overrides import with_parameters

__all__ = [
    "BadInput",
    "Case",
    "Game",
    "Gazetteer",
    "Location",
    "MemoryOne",
    "Problem",
    "Result",
    "__version__",
    "backtest",
    "case_from_data",
    "classroom",
    "data",
    "deterrent_erosion",
    "distance_between",
    "engine",
    "fit_richardson",
    "four_worlds",
    "games",
    "geo",
    "intercept_matrix",
    "lens_names",
    "lenses",
    "list_cases",
    "load_case",
    "load_case_file",
    "match",
    "nash_equilibria",
    "parse_case_text",
    "predict",
    "range_ring",
    "reach",
    "reach_matrix",
    "reassurance",
    "reciprocate",
    "register_lens",
    "round_robin",
    "scenario",
    "simulate",
    "simulate_lenses",
    "whatif",
    "with_parameters",
    "write_report",
]

# The names above are imported when first used (``dilemma --help`` needs none of them).
if not TYPE_CHECKING:
    __getattr__, __dir__ = attach(__name__, __all__)
