"""Strategic games: normal-form games, Jervis's worlds, Kydd's reassurance, iterated games."""

from .reciprocity import (
    ALWAYS_COOPERATE,
    ALWAYS_DEFECT,
    TIT_FOR_TAT,
    WIN_STAY_LOSE_SHIFT,
    MemoryOne,
    generous_tit_for_tat,
    reciprocate,
)

__all__ = [
    "ALWAYS_COOPERATE",
    "ALWAYS_DEFECT",
    "TIT_FOR_TAT",
    "WIN_STAY_LOSE_SHIFT",
    "MemoryOne",
    "generous_tit_for_tat",
    "reciprocate",
]
