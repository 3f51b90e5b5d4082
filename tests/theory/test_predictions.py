"""The theory conformance suite: every canonical prediction holds for every lens whose theory
makes it, and fails when its mechanism is removed (docs/theory.md, ``dilemma check theory``).

Each row is measured on its minimal case with common random numbers, so the verdicts are
deterministic for a seed; the tests use fewer replicates than the docs page (100, not 200) and
the verdicts do not depend on it.
"""

from __future__ import annotations

import pytest

from security_dilemma.theory import PREDICTIONS, check_theory

ROWS = [(p.id, lens) for p in PREDICTIONS for lens in p.lenses]


@pytest.mark.parametrize(("prediction", "lens"), ROWS, ids=[f"{p}-{lens}" for p, lens in ROWS])
def test_prediction_holds_and_fails_without_its_mechanism(prediction: str, lens: str) -> None:
    (row,) = check_theory(predictions=[prediction], lenses=[lens], replicates=100, seed=0).rows
    assert row.holds, f"{prediction} ({lens}) does not hold: {row.summary}"
    assert not row.ablated_holds, (
        f"{prediction} ({lens}) still holds without its mechanism: {row.ablated_summary}"
    )


def test_every_prediction_names_its_lenses_source_and_ablation() -> None:
    ids = [p.id for p in PREDICTIONS]
    assert len(ids) == len(set(ids))
    for p in PREDICTIONS:
        assert p.lenses and p.source and p.mechanism and len(p.statement) > 40
        assert p.ablation or p.ablated_lens is not None, p.id


@pytest.mark.slow
def test_the_docs_page_shows_what_the_suite_measures_now() -> None:
    """docs/theory.md's table is ``dilemma check theory -n 200 --seed 0 --markdown``, verbatim."""
    from pathlib import Path

    from security_dilemma.theory import markdown_table

    page = (Path(__file__).parents[2] / "docs" / "theory.md").read_text(encoding="utf-8")
    marker = "<!-- generated: `dilemma check theory --markdown` writes what follows"
    generated = page.split(marker, 1)[1].split("-->", 1)[1].lstrip("\n")
    assert generated == markdown_table(check_theory(replicates=200, seed=0)), (
        "docs/theory.md is stale: regenerate it with `dilemma check theory -n 200 --seed 0 "
        "--markdown` below its marker"
    )
