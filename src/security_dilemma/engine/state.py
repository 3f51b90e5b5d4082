"""The simulated state: one named record of arrays in the kernels' own layout.

Actors come first and the batch last, flattened: per-actor arrays have shape ``(n, K)`` and
dyadic arrays ``(n, n, K)``, with ``K = copies x replicates`` in copy-major order (column
``k = c * B + b`` is copy c of replicate b). Copies are the *restraint copies* when a run
measures harm to others (copy 0 is the run as it happens, copy c restrains actor c - 1; one
copy otherwise). Entry ``[i, j]`` of a dyadic array is i's view of (or commitment to, or
cooperation with) j. The compiled kernels (:mod:`~security_dilemma.engine.kernels`) read and
write these arrays directly, by field name.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = ["DYADIC", "LOG_ODDS_LIMIT", "Array", "State", "log_odds_of"]

Array = npt.NDArray[np.floating[Any]]

LOG_ODDS_LIMIT = 20.0
"""Beliefs are kept within log-odds +-20 (probabilities 2e-9 .. 1 - 2e-9)."""


def log_odds_of(belief: Array) -> Array:
    """``log(b / (1 - b))``, clipped to +-``LOG_ODDS_LIMIT``."""
    from scipy.special import logit

    out: Array = np.clip(logit(belief), -LOG_ODDS_LIMIT, LOG_ODDS_LIMIT)
    return out


DYADIC = frozenset({"belief", "log_odds", "identity", "commitment", "cooperation", "stance"})
"""The fields of :class:`State` that are dyadic, ``(n, n, K)``; the others are ``(n, K)``."""


class State(NamedTuple):
    """Everything that changes during a run (docs/model.md, section 2).

    * ``effort`` - military effort as an index, 1 = the actor's effort at the start;
    * ``share`` - share of effort spent on defence;
    * ``offence``, ``defence`` - capability stocks in capability units (1 = the mean
      actor's effort at the start);
    * ``motive`` - hidden true type, 1 greedy, 0 security seeker (fixed for a replicate);
    * ``restrained`` - 1 where the actor never raises its effort (the restraint copies);
    * ``pressure0`` - the pressure the actor felt at the start (its status-quo anchor);
    * ``share_offset`` - the actor's defence share at the start minus its lens's target then
      (its allocation anchor);
    * ``moved`` - what the actor's dated moves (capability events) of the current period
      changed in its offensive effort, as others read it; 0 between events;
    * ``belief`` - i's probability that j is greedy, and ``log_odds``, the same belief as
      log-odds (Bayes' rule adds log-likelihood ratios to it; the belief is its logistic);
    * ``identity`` - i's view of j in [-1, 1] (enemy ... friend);
    * ``commitment`` - alliance commitment i gives j, [0, 1];
    * ``cooperation`` - i's cooperation (restraint) toward j in the last period, [0, 1];
    * ``stance`` - i's stance toward j in the last period, cooperation minus hostility.
    """

    effort: Array
    share: Array
    offence: Array
    defence: Array
    motive: Array
    restrained: Array
    pressure0: Array
    share_offset: Array
    moved: Array
    belief: Array
    log_odds: Array
    identity: Array
    commitment: Array
    cooperation: Array
    stance: Array

    @property
    def n(self) -> int:
        """Number of states."""
        return int(self.effort.shape[0])

    @property
    def batch(self) -> int:
        """Columns of the batch axis: copies x replicates."""
        return int(self.effort.shape[1])

    def replace(self, **changes: Any) -> State:
        """A copy with some arrays replaced."""
        return self._replace(**changes)

    def with_copies(self, copies: int) -> State:
        """``copies`` side-by-side copies of this (one-copy) state along the batch axis."""
        return State(*(np.concatenate([a] * copies, axis=-1) for a in self))

    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return sum(a.nbytes for a in self)
