"""What if: a case against worlds without some of its moves, paired replicate by replicate.

A case's ``counterfactuals`` (or a :class:`~security_dilemma.scenario.schema.Counterfactual`
made in code) name what does not exist in a what-if world: :mod:`.worlds` builds that world as
a new case, :mod:`.compare` runs it and the case as recorded with the same random numbers and
gives the paired differences (docs/whatif.md).

>>> from security_dilemma.whatif import apply_counterfactual, compare
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:
    from .compare import (
        VERDICTS,
        CounterfactualComparison,
        compare,
        compare_all,
        factual_runs,
        paired_stats,
    )
    from .worlds import (
        Changes,
        apply_counterfactual,
        counterfactual_changes,
        counterfactual_problems,
        find_counterfactual,
    )

__all__ = [
    "VERDICTS",
    "Changes",
    "CounterfactualComparison",
    "apply_counterfactual",
    "compare",
    "compare_all",
    "counterfactual_changes",
    "counterfactual_problems",
    "factual_runs",
    "find_counterfactual",
    "paired_stats",
]

# The names above are imported when first used (see ``security_dilemma._lazy``).
if not TYPE_CHECKING:
    __getattr__, __dir__ = attach(__name__, __all__)
