"""``dilemma whatif`` and the what-if part of ``dilemma run``: exit codes, JSON, tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import RIVALS, Run


@pytest.fixture
def rivals_file(tmp_path: Path) -> Path:
    path = tmp_path / "rivals.yaml"
    path.write_text(RIVALS, encoding="utf-8")
    return path


def test_json_document(dilemma: Run, rivals_file: Path) -> None:
    r = dilemma("whatif", str(rivals_file), "-n", "6", "--lens", "realism,pyramid", "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["ok"] is True and doc["case"] == "rivals"
    assert doc["lenses"] == ["realism", "pyramid"] and doc["replicates"] == 6
    assert list(doc["counterfactuals"]) == ["nothing", "no-shield"]
    nothing = doc["counterfactuals"]["nothing"]["effects"]["pyramid"]["ALF"]
    assert nothing["verdict"] == "unaffected" and nothing["security"]["mean"] == 0.0


def test_table_per_lens(dilemma: Run, rivals_file: Path) -> None:
    r = dilemma("whatif", str(rivals_file), "-c", "no-shield", "-n", "5", "-l", "liberalism")
    assert r.code == 0, r.err
    assert "What if: No shield (no-shield)" in r.out
    assert "liberalism: as recorded − no-shield, at 2007" in r.out
    for column in ("Δsecurity", "90% interval", "P(worse)", "Δeffort", "Δcrisis"):
        assert column in r.out
    assert "CHA" in r.out and "Traceback" not in r.err


def test_a_world_from_the_command_line(dilemma: Run, rivals_file: Path) -> None:
    args = ("whatif", str(rivals_file), "--drop-site", "shield", "--set", "noise=0.3")
    r = dilemma(*args, "--drop-event", "speech", "-n", "4", "-l", "realism", "--json")
    assert r.code == 0, r.err
    (world,) = json.loads(r.out)["counterfactuals"].values()
    changes = world["counterfactual"]
    assert changes["id"] == "command-line"
    assert [e["id"] for e in changes["dropped_events"]] == ["speech"]
    assert changes["trimmed_events"][0]["id"] == "shield-up"
    assert changes["parameters"] == {"noise": 0.3}
    r = dilemma(
        "whatif",
        str(rivals_file),
        "-c",
        "no-shield",
        "--drop-event",
        "speech",
        "-n",
        "3",
        "-l",
        "realism",
        "--json",
    )
    (world,) = json.loads(r.out)["counterfactuals"].values()
    assert world["counterfactual"]["id"] == "no-shield.extended"
    assert {e["id"] for e in world["counterfactual"]["dropped_events"]} == {"shield-up", "speech"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("--drop-event", "speach"),
            "--drop-event: unknown event 'speach' (did you mean 'speech'?)",
        ),
        (
            ("--drop-site", "sheild"),
            "--drop-site: unknown defence site 'sheild' (did you mean 'shield'?)",
        ),
        (("--drop-missile", "rockt"), "unknown missile system 'rockt' (did you mean 'rocket'?)"),
        (("--set", "nois=0.2"), "unknown parameter 'nois' (did you mean 'noise'?)"),
        (("--set", "noise=2"), "less than or equal to 1"),
        (("--set", "noise"), "expected name=number"),
        (("-c", "no-shiel"), "unknown counterfactual 'no-shiel' (did you mean 'no-shield'?)"),
        (("-c", "nothing", "-c", "no-shield", "--drop-event", "speech"), "at most one"),
        (("--lens", "realsm"), "unknown lens 'realsm'"),
    ],
)
def test_bad_input_exits_2_without_traceback(
    dilemma: Run, rivals_file: Path, args: tuple[str, ...], expected: str
) -> None:
    r = dilemma("whatif", str(rivals_file), "-n", "3", *args)
    assert r.code == 2, (r.out, r.err)
    assert expected in r.err
    assert "Traceback" not in r.err and r.out == ""


def test_bad_input_as_json_and_a_case_without_worlds(dilemma: Run, tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text(
        RIVALS.split("counterfactuals:")[0]
        + "sources:\n  - {id: s, citation: Synthetic test case, kind: assumption}\n",
        encoding="utf-8",
    )
    r = dilemma("whatif", str(path), "-n", "3", "--json")
    assert r.code == 2
    doc = json.loads(r.out)
    assert doc["ok"] is False and "lists no counterfactuals" in doc["problems"][0]["message"]
    r = dilemma("whatif", "bmd-europa", "-n", "3")
    assert r.code == 2 and "did you mean 'bmd-europe'" in r.err


def test_run_includes_the_worlds(dilemma: Run, rivals_file: Path, tmp_path: Path) -> None:
    report = tmp_path / "rivals.html"
    base = ("run", str(rivals_file), "-n", "4", "--lens", "realism", "--no-restraint")
    r = dilemma(*base, "--whatif-replicates", "5", "--report", str(report), "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert list(doc["counterfactuals"]) == ["nothing", "no-shield"]
    assert doc["counterfactuals"]["no-shield"]["replicates"] == 5
    assert doc["whatif_replicates"] == 5 and "findings" in doc and "backtest" in doc
    html = report.read_text(encoding="utf-8")
    assert 'id="whatif"' in html and "What the missile-defence programme did" in html
    assert "--whatif-replicates 5" in html
    r = dilemma(*base, "--no-whatif", "--no-report", "--json")
    doc = json.loads(r.out)
    assert doc["counterfactuals"] == {} and doc["whatif_replicates"] is None
    r = dilemma(*base, "--whatif-replicates", "3", "--no-report")
    assert r.code == 0, r.err
    assert "Did it leave them less secure? as recorded − no-shield" in r.out
    assert "unaffected" in r.out  # the empty world
