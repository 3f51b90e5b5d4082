"""The observation model's fits run on one BLAS thread, and give the same numbers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from threadpoolctl import threadpool_info

from security_dilemma.history.observation import fit_link, one_blas_thread

KINDS = ["crisis", "war", "arms", "crisis", "war", "arms"] * 6
COVARIATES = [((7 * i) % 11 - 5) / 2.0 for i in range(36)]
OUTCOMES = [(i * 5) % 7 < 3 for i in range(36)]
FIT = (
    "from security_dilemma.history.observation import fit_link\n"
    "from tests.history.test_blas_threads import KINDS, COVARIATES, OUTCOMES\n"
    "print(repr(sorted(fit_link(KINDS, COVARIATES, OUTCOMES).coefficients().items())))\n"
)


def _blas_threads() -> set[int]:
    return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


def test_blas_is_limited_to_one_thread_inside_and_restored_after() -> None:
    fit_link(KINDS, COVARIATES, OUTCOMES)  # loads scipy's BLAS too
    before = _blas_threads()
    with one_blas_thread():
        assert _blas_threads() == {1}
    assert _blas_threads() == before


def test_threads_fitting_at_once_leave_the_count_as_it_was() -> None:
    fit_link(KINDS, COVARIATES, OUTCOMES)
    before = _blas_threads()
    results: list[dict[str, float]] = []

    def fit() -> None:
        for _ in range(20):
            results.append(fit_link(KINDS, COVARIATES, OUTCOMES).coefficients())

    threads = [threading.Thread(target=fit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(r == results[0] for r in results)
    assert _blas_threads() == before


def test_a_fit_is_the_same_with_any_number_of_blas_threads() -> None:
    here = repr(sorted(fit_link(KINDS, COVARIATES, OUTCOMES).coefficients().items()))
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads}
        out = subprocess.run(
            [sys.executable, "-c", FIT], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == here
