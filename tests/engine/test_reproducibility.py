"""Seeds and chunks: the same seed gives the same output, whatever the chunking.

Replicate r draws from ``SeedSequence(seed, spawn_key=(r,))``; summaries are exact integer
sums and exact (or fixed-bin) quantiles, so 1 chunk of 1000 replicates and 10 chunks of 100
give identical results, and a run of replicates 300..399 reproduces those of a larger run.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from security_dilemma.engine import ReplicateStreams, simulate
from security_dilemma.engine.summary import EXACT_LIMIT

from .helpers import synthetic


def test_replicate_streams_are_seed_sequence_spawns() -> None:
    spawned = np.random.SeedSequence(42).spawn(5)[3]
    direct = np.random.SeedSequence(42, spawn_key=(3,))
    assert spawned.generate_state(4).tolist() == direct.generate_state(4).tolist()
    ours = ReplicateStreams(42, 3, 1).motives(6)[0]
    expected = np.random.Generator(np.random.PCG64(spawned)).random(6, dtype=np.float32)
    assert_array_equal(ours, expected)


def test_same_seed_same_output_and_different_seed_differs() -> None:
    a = simulate("bmd-europe", lens="pyramid", replicates=12, seed=5)
    b = simulate("bmd-europe", lens="pyramid", replicates=12, seed=5)
    c = simulate("bmd-europe", lens="pyramid", replicates=12, seed=6)
    assert_array_equal(a.means, b.means)
    assert_array_equal(a.quantiles, b.quantiles)
    assert a.to_json() == b.to_json()
    assert not np.array_equal(a.means, c.means)


def test_one_chunk_of_1000_equals_ten_chunks_of_100() -> None:
    case = synthetic(4, steps=6, prior=0.4, identity=-0.2, milex=[1, 2, 3, 4])
    one = simulate(case, replicates=1000, chunk_size=1000, restraint=False, seed=3)
    ten = simulate(case, replicates=1000, chunk_size=100, restraint=False, seed=3)
    odd = simulate(case, replicates=1000, chunk_size=77, restraint=False, seed=3)
    for other in (ten, odd):
        assert_array_equal(one.means, other.means)
        assert_array_equal(one.quantiles, other.quantiles)
        assert one.observables == other.observables


def test_chunking_does_not_change_restraint_measures() -> None:
    a = simulate("bmd-europe", replicates=30, chunk_size=30, seed=9)
    b = simulate("bmd-europe", replicates=30, chunk_size=7, seed=9)
    assert_array_equal(a.means, b.means)
    assert_array_equal(a.quantiles, b.quantiles)


def test_histogram_quantiles_are_chunk_invariant_too() -> None:
    case = synthetic(8, steps=40, prior=0.4, identity=-0.2)
    cells_per_replicate = 40 * 800
    replicates = EXACT_LIMIT // cells_per_replicate + 50
    runs = [
        simulate(case, replicates=replicates, chunk_size=c, restraint=False, seed=1)
        for c in (replicates, 333)
    ]
    assert runs[0].quantile_method == "histogram"
    assert_array_equal(runs[0].means, runs[1].means)
    assert_array_equal(runs[0].quantiles, runs[1].quantiles)


def test_a_slice_of_replicates_reproduces_the_larger_run() -> None:
    case = synthetic(3, steps=5, prior=0.5, identity=0.1)
    big = simulate(case, replicates=40, keep_replicates=True, seed=7, chunk_size=16)
    part = simulate(case, replicates=10, first_replicate=30, keep_replicates=True, seed=7)
    assert big.replicate_values is not None and part.replicate_values is not None
    assert_array_equal(big.replicate_values[..., 30:40], part.replicate_values)
    frame = part.replicates_frame()
    assert sorted(set(frame.replicate)) == list(range(30, 40))


def test_progress_reports_replicates_done() -> None:
    seen: list[int] = []
    simulate(synthetic(2), replicates=25, chunk_size=10, progress=seen.append)
    assert seen == [10, 20, 25]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float32_and_float64_agree(dtype: str) -> None:
    case = synthetic(3, steps=8, prior=0.3, identity=-0.3)
    ref = simulate(case, replicates=20, seed=2, dtype="float64", restraint=False)
    run = simulate(case, replicates=20, seed=2, dtype=dtype, restraint=False)
    np.testing.assert_allclose(run.value("effort", "A1"), ref.value("effort", "A1"), rtol=1e-4)
