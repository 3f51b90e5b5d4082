"""Where chunks are computed: in this process, a local process pool, or a Dask cluster.

Every executor offers :meth:`~Executor.map_unordered`: it keeps a bounded number of tasks in
flight, yields ``(task, result, error)`` as tasks finish (in any order), stops submitting once
``stop()`` is true and lets the tasks already running finish. Results never depend on the
executor: each chunk is a pure function of its task.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol, TypeVar

from ..errors import BadInput, Problem

__all__ = [
    "DaskExecutor",
    "Executor",
    "ExecutorLost",
    "LocalExecutor",
    "SerialExecutor",
    "available_cores",
    "make_executor",
]

T = TypeVar("T")
R = TypeVar("R")
Outcome = tuple[T, R | None, BaseException | None]


class ExecutorLost(RuntimeError):
    """The workers went away (a lost Dask scheduler); committed chunks are kept."""


def available_cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Executor(Protocol):
    """Runs tasks somewhere and yields their outcomes as they finish."""

    name: str
    workers: int

    def map_unordered(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        stop: Callable[[], bool] = ...,
        on_submit: Callable[[T], None] | None = None,
    ) -> Iterator[Outcome[T, R]]:
        """Yield ``(task, result, None)`` or ``(task, None, error)`` as tasks finish."""
        ...

    def close(self) -> None:
        """Release workers (and a cluster this executor started)."""
        ...


def _distributed() -> Any:
    """The ``distributed`` module (untyped), imported only when Dask is used."""
    return importlib.import_module("distributed")


def _never() -> bool:
    return False


class SerialExecutor:
    """Run tasks one by one in this process (for debugging and tiny runs)."""

    name = "serial"
    workers = 1

    def map_unordered(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        stop: Callable[[], bool] = _never,
        on_submit: Callable[[T], None] | None = None,
    ) -> Iterator[Outcome[T, R]]:
        """Run each task in turn."""
        for task in tasks:
            if stop():
                return
            if on_submit is not None:
                on_submit(task)
            try:
                result = fn(task)
            except Exception as exc:
                yield task, None, exc
            else:
                yield task, result, None

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _exit_with_parent(nice: int = 0) -> None:
    """Worker initializer: exit as soon as the coordinating process dies (even by SIGKILL);
    Ctrl-C is the coordinator's to handle (it stops the pool), not each worker's. ``nice``
    lowers the worker's priority (a server keeps a core for its pages)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice:
        os.nice(nice)
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - always set in a pool worker
        return

    def watch() -> None:
        from multiprocessing.connection import wait as wait_for

        wait_for([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _warm(_: object) -> int:
    import time

    import security_dilemma.engine  # importing is the warm-up
    import security_dilemma.experiments.chunks  # noqa: F401

    time.sleep(0.2)
    return os.getpid()


_PRELOAD = ["security_dilemma.experiments.chunks", "security_dilemma.engine"]


def _context() -> multiprocessing.context.BaseContext:
    """'forkserver' with the engine preloaded (fast, no fork of a threaded process), or
    'spawn' where there is no forkserver (Windows)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


class LocalExecutor:
    """A pool of ``workers`` processes on this machine (forkserver, or spawn on Windows).

    Workers exit by themselves when this process dies, even by SIGKILL; ``nice`` lowers
    their priority (``os.nice``).
    """

    name = "local"

    def __init__(self, workers: int | None = None, *, nice: int = 0) -> None:
        self.workers = workers or available_cores()
        if self.workers < 1:
            raise BadInput(Problem("must be at least 1", path="workers"))
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=_context(),
            initializer=_exit_with_parent,
            initargs=(nice,),
        )

    def map_unordered(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        stop: Callable[[], bool] = _never,
        on_submit: Callable[[T], None] | None = None,
    ) -> Iterator[Outcome[T, R]]:
        """Keep ``2 * workers`` tasks in flight; yield each as it finishes."""
        pending: dict[Future[R], T] = {}
        queue = iter(tasks)
        window = 2 * self.workers
        try:
            while True:
                while len(pending) < window and not stop():
                    task = next(queue, None)
                    if task is None:
                        break
                    if on_submit is not None:
                        on_submit(task)
                    pending[self._pool.submit(fn, task)] = task
                if not pending:
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    error = future.exception()
                    if error is None:
                        yield task, future.result(), None
                    else:
                        yield task, None, error
        finally:
            for future in pending:
                future.cancel()

    def warm_up(self, fn: Callable[[T], object] | None = None, arg: T | None = None) -> None:
        """Start every worker and import the engine there, or run ``fn(arg)`` in each (for
        timing the steady state alone)."""
        if fn is None:
            list(self._pool.map(_warm, range(2 * self.workers)))
        else:
            list(self._pool.map(fn, [arg] * (2 * self.workers)))

    def close(self) -> None:
        """Shut the pool down (cancelling queued tasks)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskExecutor:
    """Chunks on a Dask cluster: an existing scheduler at ``address``, or a new LocalCluster.

    Workers must have ``security-dilemma`` installed (same version as the coordinator).
    """

    name = "dask"

    def __init__(
        self, address: str | None = None, workers: int | None = None, timeout: float = 10
    ) -> None:
        dist = _distributed()
        self.address = address
        self._cluster: Any = None
        if address is None:
            n = workers or available_cores()
            self._cluster = dist.LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self.client: Any = dist.Client(self._cluster)
        else:
            try:
                self.client = dist.Client(address, timeout=timeout)
            except (OSError, TimeoutError, ValueError) as exc:
                raise BadInput(
                    Problem(f"cannot reach a Dask scheduler at '{address}': {exc}", path="address")
                ) from None
        self.workers = self._threads() or (workers or 1)

    def _threads(self) -> int:
        return int(sum(self.client.nthreads().values()))

    def map_unordered(
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        *,
        stop: Callable[[], bool] = _never,
        on_submit: Callable[[T], None] | None = None,
    ) -> Iterator[Outcome[T, R]]:
        """Keep twice the cluster's threads in flight (rechecked as workers come and go).

        Raises :class:`ExecutorLost` when the connection to the scheduler is lost.
        """
        dist = _distributed()
        cancelled = dist.client.FutureCancelledError
        queue = iter(tasks)
        pending: dict[str, tuple[Any, T]] = {}
        running = dist.as_completed()

        def fill() -> None:
            window = max(4, 2 * self._threads())
            while len(pending) < window and not stop():
                task = next(queue, None)
                if task is None:
                    return
                if on_submit is not None:
                    on_submit(task)
                future = self.client.submit(fn, task, pure=False)
                pending[future.key] = (future, task)
                running.add(future)

        try:
            fill()
            for future in running:
                _, task = pending.pop(future.key)
                try:
                    result = future.result()
                except (OSError, cancelled) as exc:
                    raise ExecutorLost(
                        f"lost the Dask cluster{f' at {self.address}' if self.address else ''}: "
                        f"{type(exc).__name__}: {exc}"
                    ) from None
                except Exception as exc:
                    yield task, None, exc
                else:
                    yield task, result, None
                future.release()
                fill()
        except OSError as exc:
            raise ExecutorLost(f"lost the Dask cluster: {type(exc).__name__}: {exc}") from None
        finally:
            for future, _ in pending.values():
                future.cancel()

    def close(self) -> None:
        """Close the client, and the LocalCluster if this executor started one."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_executor(
    executor: str = "local", *, workers: int | None = None, address: str | None = None
) -> SerialExecutor | LocalExecutor | DaskExecutor:
    """An executor by name: 'local' (default), 'dask' or 'serial'."""
    if workers is not None and workers < 1:
        raise BadInput(Problem("must be at least 1", path="workers"))
    if address is not None and executor != "dask":
        raise BadInput(Problem("only the dask executor takes an address", path="address"))
    if executor == "local":
        return LocalExecutor(workers)
    if executor == "serial":
        return SerialExecutor()
    if executor == "dask":
        return DaskExecutor(address, workers)
    from ..errors import did_you_mean

    names = ["local", "dask", "serial"]
    raise BadInput(
        Problem(f"unknown executor '{executor}'{did_you_mean(executor, names)}", path="executor")
    )
