"""Running a plan: compute the chunks the store lacks and commit each one as it arrives.

The coordinator (this process) is the only writer of the store; workers compute chunks and
return them. Running the same plan again resumes it: chunks already committed are skipped.

>>> from security_dilemma.experiments import Store, SerialExecutor, sweep_plan
>>> plan = sweep_plan("bmd-europe", {"distinguishability": [0.2, 0.8]}, replicates=4,
...                   chunk_size=2, metrics=["security"])
>>> with Store.open(":memory:") as store:
...     first = run_plan(plan, store, SerialExecutor())
...     again = run_plan(plan, store, SerialExecutor())
>>> (first.computed, again.computed, again.already_done, again.status)
(4, 0, 4, 'complete')
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .._deprecation import renamed_keyword
from ..errors import BadInput, Problem
from ..limits import check_counts, check_plan
from ..scenario import Case, load_case
from .chunks import ChunkTask, compute_chunk
from .executors import Executor
from .model import EngineModel, check_metrics
from .params import LensSetting, Parameters, check_names, grid, lens_label, parameter_specs
from .plan import ChunkSpec, Plan, default_chunk_size
from .store import Store

__all__ = ["ChunkEvent", "SweepFailed", "SweepReport", "run_plan", "sweep_plan"]


@dataclass(frozen=True, slots=True)
class ChunkEvent:
    """A committed chunk, for progress reporting."""

    run_id: str
    point: int
    chunk: int
    done: int
    total: int
    seconds: float


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What a call to :func:`run_plan` did."""

    run_id: str
    kind: str
    store: str
    session: int
    executor: str
    workers: int
    points: int
    total: int
    already_done: int
    computed: int
    failed: int
    seconds: float
    status: str
    """'complete', or 'failed' when a chunk raised (the others stay committed)."""
    message: str
    repaired: int = 0
    """Damaged chunks found in the store (rows lost or altered), dropped and computed again."""


class SweepFailed(RuntimeError):
    """A chunk failed; every chunk that succeeded is committed. Carries the report."""

    def __init__(self, report: SweepReport) -> None:
        self.report = report
        super().__init__(report.message)


def sweep_plan(
    case: Case | str,
    parameters: Parameters = (),
    *,
    lenses: Sequence[LensSetting] | str | Mapping[str, str] = (),
    replicates: int = 200,
    seed: int = 0,
    chunk_size: int | None = None,
    metrics: Sequence[str] = (),
    restraint: bool = True,
    counterfactual: bool | None = None,
) -> Plan:
    """A full-factorial sweep plan.

    ``parameters`` are ``{name: value or values}`` or :class:`~.params.ParameterSpec` records;
    ``lenses`` adds the lens as the outermost dimension of the grid, one lens setting per
    value (as :func:`~security_dilemma.engine.simulate` takes ``lens``; a single setting may be
    given alone; default: the case's own lenses); ``restraint=False`` runs without the
    restraint copies (``counterfactual`` is its old name, deprecated).
    """
    restraint = renamed_keyword(
        "sweep_plan", "counterfactual", counterfactual, "restraint", restraint, default=True
    )
    c = load_case(case)
    check_metrics(metrics, restraint=restraint)
    check_counts(replicates, seed, chunk_size)
    specs = parameter_specs(parameters)
    check_names(c, {s.name: s.values for s in specs})
    settings = [lenses] if isinstance(lenses, str | Mapping) else list(lenses)
    labels: list[str] = []
    for i, setting in enumerate(settings):
        label = lens_label(c, setting, path=f"lenses[{i}]")
        if label in labels:
            raise BadInput(Problem(f"lens setting {setting!r} is given twice", path=f"lenses[{i}]"))
        labels.append(label)
    points = grid(specs, labels or [""])
    replicates, seed, chunk_size = check_plan(
        len(c.actors), c.span.steps, len(points), replicates, seed, chunk_size
    )
    model = EngineModel(c, tuple(sorted(set(metrics))), restraint)
    chunk = chunk_size or default_chunk_size(replicates)
    model.check_memory(chunk)
    return Plan(
        model=model,
        points=points,
        replicates=replicates,
        seed=seed,
        chunk_size=chunk,
        kind="sweep",
        spec={"parameters": {s.name: list(s.values) for s in specs}, "lenses": labels},
    )


def run_plan(
    plan: Plan,
    store: Store,
    executor: Executor,
    *,
    on_chunk: Callable[[ChunkEvent], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    command: str = "",
) -> SweepReport:
    """Compute every chunk of ``plan`` missing from ``store`` on ``executor``.

    ``on_start(already_done, total)`` is called once, ``on_chunk`` after each commit. Raises
    :class:`SweepFailed` if a chunk raised (after committing every chunk that finished).
    """
    t0 = time.perf_counter()
    run_id = plan.run_id
    store.ensure_run(plan, command=command)
    damaged = store.damaged_chunks(run_id)
    store.drop_chunks(damaged)
    done = store.done_chunks(run_id)
    todo = [c for c in plan.chunks() if (c.point, c.chunk) not in done]
    total = plan.n_chunks
    if on_start is not None:
        on_start(len(done), total)
    session = store.start_session(run_id, executor=executor.name, workers=executor.workers)
    tasks = [ChunkTask(plan.model, plan.points[c.point], c, plan.seed) for c in todo]
    failures: list[tuple[ChunkSpec, BaseException]] = []
    computed = 0
    status, message = "complete", ""

    def dispatched(task: ChunkTask) -> None:
        store.record_dispatch(run_id, session, task.spec.point, task.spec.chunk)

    try:
        outcomes = executor.map_unordered(
            compute_chunk, tasks, stop=lambda: bool(failures), on_submit=dispatched
        )
        for task, result, error in outcomes:
            if error is not None or result is None:
                failures.append((task.spec, error or RuntimeError("no result")))
                continue
            store.commit_chunk(run_id, session, result)
            computed += 1
            if on_chunk is not None:
                on_chunk(
                    ChunkEvent(
                        run_id,
                        task.spec.point,
                        task.spec.chunk,
                        len(done) + computed,
                        total,
                        result.seconds,
                    )
                )
    except BaseException as exc:
        store.finish_session(
            session,
            status="interrupted",
            chunks_done=computed,
            message=f"{type(exc).__name__}: {exc}",
        )
        raise
    if failures:
        spec, error = failures[0]
        status = "failed"
        message = (
            f"chunk (point {spec.point}, chunk {spec.chunk}) failed: "
            f"{type(error).__name__}: {error}; {computed} chunks committed this session, "
            f"{total - len(done) - computed} left; run the same command again to resume"
        )
    store.finish_session(session, status=status, chunks_done=computed, message=message)
    report = SweepReport(
        run_id=run_id,
        kind=plan.kind,
        store=str(store.path),
        session=session,
        executor=executor.name,
        workers=executor.workers,
        points=len(plan.points),
        total=total,
        already_done=len(done),
        computed=computed,
        failed=len(failures),
        seconds=time.perf_counter() - t0,
        status=status,
        message=message,
        repaired=len(damaged),
    )
    if failures:
        raise SweepFailed(report)
    return report
