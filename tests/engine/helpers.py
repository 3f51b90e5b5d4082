"""Small synthetic cases for engine tests (no geography: actors have no capital, reach 1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from security_dilemma.scenario.schema import Case

DETERMINISTIC: dict[str, Any] = {
    "noise": 0.0,
    "crisis_shock": 0.0,
    "richardson": {"shock": 0.0},
}
"""Parameters that make a run deterministic when priors are 0 or 1."""


def synthetic(
    n: int = 2,
    *,
    steps: int = 10,
    milex: Sequence[float] | None = None,
    prior: float | Sequence[float] = 0.0,
    identity: float | None = None,
    parameters: Mapping[str, Any] | None = None,
    events: Sequence[Mapping[str, Any]] = (),
    lens: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Case:
    """A case with ``n`` actors A0..; equal milex unless given; all pairs share ``identity``."""
    priors = [prior] * n if isinstance(prior, int | float) else list(prior)
    data: dict[str, Any] = {
        "id": "synthetic",
        "title": "Synthetic test case",
        "span": {"start": 2000, "end": 2000 + steps - 1, "step": "year"},
        "actors": [
            {"id": f"A{i}", "name": f"Actor {i}", "prior_greedy": priors[i], "lens": lens}
            for i in range(n)
        ],
        "capabilities": [
            {"actor": f"A{i}", "milex": (milex[i] if milex else 1000.0)} for i in range(n)
        ],
        "parameters": dict(parameters or {}),
        "events": [
            {"id": f"e{k}", "title": "event", "source": "s", **e} for k, e in enumerate(events)
        ],
        "sources": [{"id": "s", "citation": "Test source."}],
    }
    if identity is not None:
        data["identities"] = [
            {"between": [f"A{i}", f"A{j}"], "value": identity}
            for i in range(n)
            for j in range(i + 1, n)
        ]
    data.update(extra or {})
    return Case.model_validate(data)


def trajectory(case: Case, lens: Any = None, *, replicates: int = 1, seed: int = 0) -> list[Any]:
    """The states after each step of ``case`` (float64, no restraint copies).

    Returns ``[state_0, state_1, ...]`` where ``state_t`` is the state at the start of step t.
    """
    import numpy as np

    from security_dilemma.engine import ReplicateStreams, advance, compile_world, split_draws

    world = compile_world(case, lens, dtype=np.float64)
    streams = ReplicateStreams(seed, 0, replicates)
    state = world.initial_state(streams.motives(world.n))
    uniforms = streams.uniforms(world.n, world.steps)
    out = [state]
    for t in range(world.steps):
        state, _ = advance(world.inputs[t], state, split_draws(uniforms[t], world.n, np.float64))
        out.append(state)
    return out
