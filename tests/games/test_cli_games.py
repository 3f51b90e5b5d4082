"""``dilemma games ...`` as a user runs it: JSON documents, tables, exit codes."""

from __future__ import annotations

import json

import pytest

from security_dilemma.cli import main


def run(capsys, *args):
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_equilibria_json_for_the_prisoners_dilemma(capsys):
    code, out, _ = run(
        capsys, "games", "equilibria", "--row", "[[3,0],[5,1]]", "--col", "[[3,5],[0,1]]", "--json"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["classification"]["name"] == "Prisoner's Dilemma"
    assert [e["row"] for e in doc["equilibria"]] == [[0.0, 1.0]]
    assert doc["equilibria"][0]["pareto_dominated"] is True
    assert doc["pareto_optimal"] == [[0, 0], [0, 1], [1, 0]]
    assert doc["degenerate"] is False and doc["method"] == "vertex"


def test_equilibria_table_and_bad_matrices(capsys):
    code, out, _ = run(capsys, "games", "equilibria", "--row", "[[1,-1],[-1,1]]")
    assert code == 0 and "mixed" in out and "(0.5, 0.5)" in out
    code, out, err = run(capsys, "games", "equilibria", "--row", "[[3,0],[5,1", "--col", "[[1]]")
    assert code == 2 and out == "" and "--row: not a JSON matrix" in err
    code, out, _ = run(
        capsys, "games", "equilibria", "--row", "[[1,2]]", "--col", "[[1,2,3]]", "--json"
    )
    assert code == 2
    doc = json.loads(out)
    assert doc["error"] == "bad_input" and doc["problems"][0]["path"] == "--col"


def test_match_json_reports_moves_and_scores(capsys):
    args = (
        "games",
        "match",
        "TitForTat",
        "Grudger",
        "--turns",
        "200",
        "--noise",
        "0",
        "--seed",
        "1",
        "--json",
    )
    code, out, _ = run(capsys, *args)
    doc = json.loads(out)
    assert code == 0 and doc["players"] == ["TitForTat", "Grudger"]
    assert doc["moves"] == ["C" * 200, "C" * 200]
    assert doc["scores"]["total"] == [600.0, 600.0]
    assert len(doc["scores"]["per_turn"][0]) == 200
    _, again, _ = run(capsys, *args)
    assert again == out


def test_match_unknown_strategy_gets_a_hint(capsys):
    code, _, err = run(capsys, "games", "match", "TitForTat", "Gruger")
    assert code == 2 and "did you mean 'Grudger'" in err
    code, _out, err = run(capsys, "games", "match", "TitForTat", "Random(0.3)", "--noise", "2")
    assert code == 2 and "noise" in err


def test_tournament_json(capsys):
    code, out, _ = run(
        capsys,
        "games",
        "tournament",
        "--strategies",
        "TitForTat,Grudger,Random(0.3),MemoryOne(1,0.3,1,0.3)",
        "--turns",
        "50",
        "--repetitions",
        "4",
        "--noise",
        "0.05",
        "--seed",
        "1",
        "--json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["repetitions"] == 4
    assert sorted(r["strategy"] for r in doc["ranking"]) == sorted(
        ["TitForTat", "Grudger", "Random(0.3)", "MemoryOne(1,0.3,1,0.3)"]
    )
    assert len(doc["payoff_matrix"]) == 4 and len(doc["scores"][0]) == 4
    for r in doc["ranking"]:
        assert r["ci95"][0] <= r["mean_score"] <= r["ci95"][1]


def test_jervis_and_kydd_json(capsys):
    code, out, _ = run(capsys, "games", "jervis", "--json")
    doc = json.loads(out)
    assert code == 0
    assert [w["game"] for w in doc["worlds"]] == [
        "Prisoner's Dilemma",
        "Stag Hunt",
        "Chicken",
        "Harmony",
    ]
    assert doc["worlds"][0]["outcomes"] == ["arms race (D,D)"]
    code, out, _ = run(capsys, "games", "kydd", "--prior", "0.3", "--cost", "2", "--json")
    doc = json.loads(out)
    assert doc["thresholds"] == {"trust": 0.4, "cost_min": 1.0, "cost_max": 3.0}
    assert doc["reassurance_possible"] is True
    code, _, err = run(capsys, "games", "kydd", "--prior", "1.2")
    assert code == 2 and "prior" in err


@pytest.mark.parametrize(
    "args",
    [
        ("games", "classify", "--row", "[[3,0],[5,1]]"),
        ("games", "jervis", "--grid", "3"),
        ("games", "kydd"),
        ("games", "strategies"),
        ("games", "moran", "TitForTat", "Defector", "--runs", "200", "--turns", "20"),
        ("games", "replicator", "--strategies", "TitForTat,Defector", "--turns", "20"),
    ],
)
def test_human_output_runs(capsys, args):
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert out.strip()


def test_moran_json(capsys):
    code, out, _ = run(
        capsys,
        "games",
        "moran",
        "TitForTat",
        "Defector",
        "--population",
        "10",
        "--runs",
        "0",
        "--turns",
        "20",
        "--json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["simulated"] is None and doc["neutral"] == 0.1
    assert 0 < doc["fixation_probability"] < 1
