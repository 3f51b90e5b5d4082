"""Runs launched from the web: a bounded queue, one run at a time, progress, cancel, resume.

A run is a sweep plan (:func:`security_dilemma.experiments.sweep_plan`) with one point per
lens setting, computed by :func:`~security_dilemma.experiments.run_plan` into the server's
DuckDB store, exactly as ``dilemma sweep`` would: its chunks are committed as they finish,
so a run cut short by a restart is resumed by launching it again (only the missing chunks
are computed). This process is the store's only writer; pages read through cursors of the
same database.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ..errors import BadInput, Problem
from ..experiments import Plan, Store, run_plan
from ..experiments.executors import Executor, LocalExecutor, make_executor

__all__ = ["NICE", "Job", "JobState", "QueueFull", "RunManager", "plan_from_store"]

NICE = 10
"""How much lower than the server's the priority of a process computing runs or analyses is:
the server keeps a core for its pages while a large run computes."""

JobState = Literal["queued", "running", "complete", "failed", "cancelled", "interrupted"]


class QueueFull(RuntimeError):
    """The run queue holds as many runs as it may; try again when one has finished."""


class _Cancelled(Exception):
    """Raised from the progress callback to stop a run after its current chunk."""


@dataclass(frozen=True, slots=True)
class Job:
    """What the server knows about a run it was asked to compute."""

    run_id: str
    case: str
    label: str
    state: JobState
    done: int = 0
    total: int = 0
    message: str = ""
    updated: float = field(default_factory=time.monotonic)

    def to_json(self) -> dict[str, Any]:
        """The job as JSON-ready data (keys: run_id, case, label, state, done, total, message)."""
        return {
            "run_id": self.run_id,
            "case": self.case,
            "label": self.label,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "message": self.message,
        }


def plan_from_store(store: Store, run_id: str) -> Plan:
    """The plan of a stored run, rebuilt from its case, points and settings (to resume it).

    Raises :class:`BadInput` when the rebuilt plan does not have the stored run's id (a run
    made by another version of the package).
    """
    from ..experiments.model import EngineModel
    from ..experiments.params import Point
    from ..scenario import Case

    info = store.run_info(run_id)
    row = store.con.execute(
        "SELECT content FROM cases WHERE case_sha256 = ?", [info["case_sha256"]]
    ).fetchone()
    if row is None:
        raise BadInput(Problem(f"run {run_id} has no stored case", path="run_id"))
    case = Case.model_validate_json(row[0])
    model_id = info["identity"]["model"]
    points = store.table(run_id, "points")
    params = [c for c in points.columns if c not in ("point", "lens")]
    plan = Plan(
        model=EngineModel(case, tuple(model_id["metrics"]), bool(model_id["counterfactual"])),
        points=tuple(
            Point(tuple((p, float(r[p])) for p in params), str(r["lens"]))
            for r in points.to_dict(orient="records")
        ),
        replicates=int(info["replicates"]),
        seed=int(info["seed"]),
        chunk_size=int(info["chunk_size"]),
        kind=info["kind"],
        spec=info["spec"],
    )
    if plan.run_id != run_id:
        raise BadInput(
            Problem(
                f"run {run_id} was made by another version of the package; it cannot be resumed",
                path="run_id",
            )
        )
    return plan


class RunManager:
    """The server's runs: at most ``max_queue`` waiting, one computing at a time.

    ``executor`` is ``local`` (a process pool of ``workers`` at a lower priority,
    :data:`NICE`, started with the first run) or
    ``serial`` (this process; for tests and tiny runs).
    """

    def __init__(
        self, store: Path, *, max_queue: int, executor: str = "local", workers: int | None = None
    ) -> None:
        self.path = store
        self._writer = Store.open(store)
        self.max_queue = max_queue
        self._executor_name = executor
        self._workers = workers
        self._executor: Executor | None = None
        self._jobs: dict[str, Job] = {}
        self._plans: dict[str, Plan] = {}
        self._queue: collections.deque[str] = collections.deque()
        self._cancel: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._closing = False
        self._thread = threading.Thread(target=self._work, name="dilemma-runs", daemon=True)
        self._thread.start()

    # --- reading ---------------------------------------------------------------------------

    @contextmanager
    def reader(self) -> Iterator[Store]:
        """A store on a cursor of the server's database, for one request's reads."""
        cursor = self._writer.con.cursor()
        try:
            yield Store(cursor, self.path, True)
        finally:
            cursor.close()

    def job(self, run_id: str) -> Job | None:
        """The server's record of a run launched since it started (None otherwise)."""
        with self._lock:
            return self._jobs.get(run_id)

    def jobs(self) -> list[Job]:
        """Every run launched since the server started, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: -j.updated)

    @staticmethod
    def state_of(job: Job | None, chunks_done: int, n_chunks: int) -> JobState:
        """A stored run's state: its live job's (read before the store), else complete or
        interrupted (a run cut short by a restart or a stopped command)."""
        if job is not None and job.state in ("queued", "running"):
            return job.state
        if chunks_done >= n_chunks:
            return "complete"
        if job is not None:
            return job.state
        return "interrupted"

    # --- launching -------------------------------------------------------------------------

    def submit(self, plan: Plan, case: str, label: str) -> Job:
        """Queue ``plan`` (or return its job when it is already queued or running)."""
        run_id = plan.run_id
        with self._wake:
            current = self._jobs.get(run_id)
            if current is not None and current.state in ("queued", "running"):
                return current
            if len(self._queue) >= self.max_queue:
                raise QueueFull(
                    f"the run queue is full ({self.max_queue} runs waiting); "
                    "try again when one has finished"
                )
            job = Job(run_id, case, label, "queued", total=plan.n_chunks)
            self._jobs[run_id] = job
            self._plans[run_id] = plan
            self._cancel.discard(run_id)
            self._queue.append(run_id)
            self._wake.notify()
            return job

    def cancel(self, run_id: str) -> Job | None:
        """Stop a queued run, or a running one after its current chunk; None if not live."""
        with self._lock:
            job = self._jobs.get(run_id)
            if job is None or job.state not in ("queued", "running"):
                return None
            if job.state == "queued":
                self._queue.remove(run_id)
                job = replace(job, state="cancelled", updated=time.monotonic())
                self._jobs[run_id] = job
                return job
            self._cancel.add(run_id)
            return job

    def close(self) -> None:
        """Stop after the current chunk, release the workers and close the store."""
        with self._wake:
            self._closing = True
            self._cancel.update(self._queue)
            self._cancel.update(j.run_id for j in self._jobs.values() if j.state == "running")
            self._queue.clear()
            self._wake.notify()
        self._thread.join(timeout=60)
        if self._executor is not None:
            self._executor.close()
        self._writer.close()

    # --- the worker thread -----------------------------------------------------------------

    def _update(self, run_id: str, **changes: Any) -> None:
        with self._lock:
            self._jobs[run_id] = replace(self._jobs[run_id], updated=time.monotonic(), **changes)

    def _next(self) -> str | None:
        with self._wake:
            while not self._queue and not self._closing:
                self._wake.wait()
            if self._closing:
                return None
            run_id = self._queue.popleft()
            self._jobs[run_id] = replace(self._jobs[run_id], state="running")
            return run_id

    def _work(self) -> None:
        while (run_id := self._next()) is not None:
            plan = self._plans.pop(run_id)

            def on_start(done: int, total: int, run_id: str = run_id) -> None:
                self._update(run_id, done=done, total=total)

            def on_chunk(event: Any, run_id: str = run_id) -> None:
                self._update(run_id, done=event.done)
                with self._lock:
                    stop = run_id in self._cancel
                if stop:
                    raise _Cancelled

            try:
                if self._executor is None:
                    self._executor = (
                        LocalExecutor(self._workers, nice=NICE)
                        if self._executor_name == "local"
                        else make_executor(self._executor_name, workers=self._workers)
                    )
                run_plan(
                    plan,
                    self._writer,
                    self._executor,
                    on_chunk=on_chunk,
                    on_start=on_start,
                    command=f"dilemma serve (web): {self._jobs[run_id].label}",
                )
            except _Cancelled:
                self._update(run_id, state="cancelled", message="cancelled")
            except BadInput as exc:
                self._update(run_id, state="failed", message=str(exc))
            except Exception as exc:  # a failed chunk: the others stay committed
                self._update(run_id, state="failed", message=f"{type(exc).__name__}: {exc}")
            else:
                self._update(run_id, state="complete")
            finally:
                with self._lock:
                    self._cancel.discard(run_id)
