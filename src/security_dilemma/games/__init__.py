"""Strategic games: normal-form games, Jervis's worlds, Kydd's reassurance, iterated games."""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:
    from .classify import SYMMETRIC_GAMES, Classification, classify
    from .equilibria import (
        Equilibrium,
        EquilibriumSet,
        lemke_howson,
        nash_equilibria,
        support_enumeration,
        vertex_enumeration,
    )
    from .evolution import (
        MoranResult,
        RestPoint,
        fixation_probability,
        moran_process,
        replicator,
        rest_points,
    )
    from .iterated import MatchBatch, MatchConfig, MatchResult, match, play_matches
    from .jervis import JervisParams, World, four_worlds, jervis_game, world, world_grid
    from .kydd import ReassuranceEquilibrium, ReassuranceResult, reassurance
    from .normal_form import Game, best_responses, expected_payoffs, pareto_optimal_profiles
    from .reciprocity import (
        ALWAYS_COOPERATE,
        ALWAYS_DEFECT,
        TIT_FOR_TAT,
        WIN_STAY_LOSE_SHIFT,
        MemoryOne,
        generous_tit_for_tat,
        reciprocate,
    )
    from .strategies import (
        DETERMINISTIC,
        STRATEGIES,
        GenerousTitForTat,
        Grudger,
        History,
        MemoryOneStrategy,
        Strategy,
        TitFor2Tats,
        parse_strategy,
    )
    from .tournament import TournamentResult, round_robin

__all__ = [
    "ALWAYS_COOPERATE",
    "ALWAYS_DEFECT",
    "DETERMINISTIC",
    "STRATEGIES",
    "SYMMETRIC_GAMES",
    "TIT_FOR_TAT",
    "WIN_STAY_LOSE_SHIFT",
    "Classification",
    "Equilibrium",
    "EquilibriumSet",
    "Game",
    "GenerousTitForTat",
    "Grudger",
    "History",
    "JervisParams",
    "MatchBatch",
    "MatchConfig",
    "MatchResult",
    "MemoryOne",
    "MemoryOneStrategy",
    "MoranResult",
    "ReassuranceEquilibrium",
    "ReassuranceResult",
    "RestPoint",
    "Strategy",
    "TitFor2Tats",
    "TournamentResult",
    "World",
    "best_responses",
    "classify",
    "expected_payoffs",
    "fixation_probability",
    "four_worlds",
    "generous_tit_for_tat",
    "jervis_game",
    "lemke_howson",
    "match",
    "moran_process",
    "nash_equilibria",
    "pareto_optimal_profiles",
    "parse_strategy",
    "play_matches",
    "reassurance",
    "reciprocate",
    "replicator",
    "rest_points",
    "round_robin",
    "support_enumeration",
    "vertex_enumeration",
    "world",
    "world_grid",
]

# The names above are imported when first used (see ``security_dilemma._lazy``).
if not TYPE_CHECKING:
    __getattr__, __dir__ = attach(__name__, __all__)
