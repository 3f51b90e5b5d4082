"""`dilemma run --json` in the size a reader needs: --metrics and --series."""

from __future__ import annotations

import json

from .conftest import Run

BASE = ["run", "cuban-missile-crisis", "-n", "3", "--no-report", "--no-whatif", "--json"]


def test_series_and_metrics_shrink_the_document(dilemma: Run) -> None:
    full = dilemma(*BASE, "--lens", "realism")
    final = dilemma(*BASE, "--lens", "realism", "--series", "final")
    chosen = dilemma(*BASE, "--lens", "realism", "--metrics", "security,crisis_prob")
    assert full.code == final.code == chosen.code == 0, final.err + chosen.err
    whole, last, some = (json.loads(o.out)["lenses"]["realism"] for o in (full, final, chosen))
    assert len(whole["steps"]) == len(whole["dates"]) == 18
    assert [s["step"] for s in last["steps"]] == [17] and last["series"] == "final"
    assert last["steps"][0] == whole["steps"][-1]
    assert last["summary"] == whole["summary"] and last["observables"] == whole["observables"]
    assert len(final.out) < len(full.out)
    # 18 steps: about 1/18 of the series (the rest of the document, e.g. the backtest of the
    # case's observables, is the same in both)
    assert len(json.dumps(last["steps"])) * 9 < len(json.dumps(whole["steps"]))
    assert [m["name"] for m in some["metrics"]] == ["security", "crisis_prob"]
    step = some["steps"][5]
    assert set(step["actors"]["USA"]) == {"security"} and step["system"] == {}
    assert set(step["dyads"]["USA"]["CUB"]) == {"crisis_prob"}
    assert step["actors"]["USA"]["security"] == whole["steps"][5]["actors"]["USA"]["security"]
    assert some["summary"] == whole["summary"]  # the findings' metrics are still recorded
    none = json.loads(dilemma(*BASE, "--lens", "realism", "--series", "none").out)
    assert none["lenses"]["realism"]["steps"] == []


def test_bad_metrics_and_series_are_bad_input(dilemma: Run) -> None:
    bad = dilemma(*BASE, "--metrics", "securty")
    assert bad.code == 2
    problem = json.loads(bad.out)["problems"][0]
    assert problem["path"] == "--metrics" and "did you mean 'security'" in problem["message"]
    series = dilemma(*BASE, "--series", "last")
    assert series.code == 2 and json.loads(series.out)["problems"][0]["path"] == "--series"
