"""The engine's first simulation is safe from several threads at once: the kernels are compiled
(or loaded from numba's disk cache) once, under a lock, whichever thread comes first."""

from __future__ import annotations

import subprocess
import sys

FIRST_CALLS = """
import threading
import numpy as np
from security_dilemma.engine import simulate
from tests.engine.helpers import synthetic

case = synthetic(3, steps=4, prior=0.3, identity=-0.2)
barrier = threading.Barrier(4)
results, errors = {}, []

def run(i):
    try:
        barrier.wait()
        r = simulate(case, lens={"A0": "realism", "A1": "liberalism", "A2": "pyramid"},
                     replicates=8, seed=3)
        results[i] = np.concatenate([r.means.ravel(), r.quantiles.ravel()])
    except BaseException as exc:  # reported by the parent
        errors.append(repr(exc))

threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert not errors, errors
assert len(results) == 4
assert all(np.array_equal(results[0], r) for r in results.values())
print("ok", results[0].shape)
"""


def test_threads_making_the_first_simulation_at_once_all_succeed() -> None:
    out = subprocess.run(
        [sys.executable, "-c", FIRST_CALLS], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("ok")
