"""Hostile command lines (issue 15): work, seeds and output paths refused up front with the
numbers and the flag, user text printed as written, Ctrl-C reported."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from security_dilemma.limits import MAX_POINTS, MAX_REPLICATES, MAX_SEED

from ..conftest import Outcome, Run

HOSTILE = Path(__file__).parents[1] / "data" / "hostile"
MINIMAL = str(Path(__file__).parents[1] / "scenario" / "fixtures" / "minimal.yaml")
BILLION = "1000000000"
RANGES = ["--param", "noise=0:1", "--param", "offence_dominance=0:1"]


def bad_flag(out: Outcome, flag: str) -> dict[str, object]:
    """The JSON document of a refused command, whose one problem is at ``flag``."""
    assert out.code == 2, out.err
    doc = json.loads(out.out)
    assert doc["ok"] is False and doc["error"] == "bad_input"
    (problem,) = doc["problems"]
    assert problem["path"] == flag, problem
    return dict(problem)


@pytest.mark.parametrize(
    ("args", "flag", "words"),
    [
        (["sweep", MINIMAL, "--replicates", BILLION], "--replicates", f"{MAX_REPLICATES:,}"),
        (
            ["sweep", MINIMAL, "--param", "noise=0:1:1000000000"],
            "--param",
            f"{MAX_POINTS:,}",
        ),
        (
            ["sweep", MINIMAL, "--replicates", "1000000", "--param", "noise=0:1:1000"],
            "--replicates",
            "20,000,000 chunks",
        ),
        (["run", MINIMAL, "-n", BILLION, "--no-report"], "--replicates", "10,000,000"),
        (
            ["sensitivity", MINIMAL, "--output", "security:AAA", "--samples", BILLION, *RANGES],
            "--samples",
            f"{MAX_POINTS:,}",
        ),
    ],
)
def test_work_beyond_the_limits_is_refused_up_front(
    dilemma: Run, tmp_path: Path, args: list[str], flag: str, words: str
) -> None:
    """Defect 7: a billion replicates, points or samples ran until memory ran out."""
    store = tmp_path / "runs.duckdb"
    extra = ["--store", str(store)] if args[0] in ("sweep", "sensitivity") else []
    problem = bad_flag(dilemma(*args, *extra, "--json"), flag)
    assert words in str(problem["message"])
    assert not store.exists()


def test_work_is_bounded_in_actor_steps(dilemma: Run, tmp_path: Path) -> None:
    out = dilemma(
        "sweep",
        MINIMAL,
        "--replicates",
        "1000000",
        "--chunk-size",
        "100000",
        "--param",
        "noise=0:1:10000",
        "--store",
        str(tmp_path / "runs.duckdb"),
        "--json",
    )
    message = str(bad_flag(out, "--replicates")["message"])
    assert "150,000,000,000 actor-steps" in message and "10,000,000,000" in message


@pytest.mark.parametrize("command", ["sweep", "run"])
@pytest.mark.parametrize("flag", ["--seed", "--replicates"])
def test_one_seed_range_everywhere(dilemma: Run, tmp_path: Path, command: str, flag: str) -> None:
    """Defect 8: ``sweep --seed 2**63`` was a raw DuckDB error while ``run`` accepted it."""
    args = [command, MINIMAL, flag, str(2**63), "--json"]
    args += ["--store", str(tmp_path / "s.duckdb")] if command == "sweep" else ["--no-report"]
    problem = bad_flag(dilemma(*args), flag)
    if flag == "--seed":
        assert str(MAX_SEED) in str(problem["message"])


@pytest.mark.parametrize(
    ("args", "flag", "words"),
    [
        (["run", MINIMAL, "-n", "5000000", "--report", "/proc/report.html"], "--report", "/proc"),
        (["run", MINIMAL, "-n", "5000000", "--report", "{tmp}"], "--report", "is a directory"),
        (["map", MINIMAL, "--out", "{tmp}/missing/map.png"], "--out", "does not exist"),
        (
            ["reach", "--from", "Tehran", "--range-km", "2000", "--map", "{tmp}/missing/r.png"],
            "--map",
            "does not exist",
        ),
        (
            [
                "sensitivity",
                MINIMAL,
                "--output",
                "security:AAA",
                *RANGES,
                "--plot",
                "{tmp}/missing/p.png",
                "--store",
                "{tmp}/s.duckdb",
            ],
            "--plot",
            "does not exist",
        ),
    ],
)
def test_output_paths_are_checked_before_the_work(
    tmp_path: Path, args: list[str], flag: str, words: str
) -> None:
    """Defect 9: a report or map that could not be written failed after the computation
    (here a run of 5 million replicates: a late check would not end within the timeout)."""
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "security_dilemma", *argv, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    problem = bad_flag(Outcome(done.returncode, done.stdout, done.stderr), flag)
    assert words in str(problem["message"])
    assert not (tmp_path / "s.duckdb").exists()


def test_json_option_errors_are_json(dilemma: Run, tmp_path: Path) -> None:
    """Defect 10: ``--json`` printed nothing on stdout for ``--replicates 0``."""
    out = dilemma("sweep", MINIMAL, "--replicates", "0", "--json")
    bad_flag(out, "--replicates")


def test_user_text_is_printed_as_written(dilemma: Run, tmp_path: Path) -> None:
    """Defect 12: ``:cat:`` became an emoji, ``[bold]`` vanished, ``x:fire:y.yaml`` x🔥y.yaml."""
    path = tmp_path / "x:fire:y.yaml"
    path.write_bytes((HOSTILE / "markup-names.yaml").read_bytes())
    title = "Cat :cat: [bold]bold[/bold] a:b:c [red]"
    out = dilemma("show", str(path))
    assert out.code == 0 and title in out.out and "Al:fire:pha" in out.out
    out = dilemma("validate", str(path))
    assert out.code == 0 and str(path) in out.out.replace("\n", "")  # wrapped at 80 columns
    out = dilemma("run", str(path), "-n", "2", "--no-whatif", "--no-report")
    assert out.code == 0, out.err
    assert out.out.count(title) == 2  # the run's line and the findings table's title
    assert "🔥" not in out.out + out.err and "🐱" not in out.out
    bad = tmp_path / "b:fire:[b]ad.yaml"
    bad.write_text(path.read_text().replace("prior_greedy: 0.2", "prior_greedy: 7"))
    out = dilemma("validate", str(bad))
    assert out.code == 2 and f"{bad}:" in out.err


def test_bidi_controls_do_not_reach_the_report(dilemma: Run, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    out = dilemma(
        "run", str(HOSTILE / "bidi-name.yaml"), "-n", "2", "--no-whatif", "--report", str(report)
    )
    assert out.code == 0, out.err
    html = report.read_text(encoding="utf-8")
    assert "A minimal esac two-state case" in html
    assert not any(c in html for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def interrupt(argv: list[str], after: str) -> tuple[int, list[str], str]:
    """Run ``dilemma argv``, press Ctrl-C (SIGINT to the process group, as a terminal does)
    once a JSON line containing ``after`` is out; exit code, lines out, errors."""
    with subprocess.Popen(
        [sys.executable, "-m", "security_dilemma", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as proc:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if after in line:
                break
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    return proc.returncode, lines + out.splitlines(), err


SWEEP = ["sweep", MINIMAL, "--param", "noise=0:1:20", "--replicates", "4"]


def test_ctrl_c_says_how_far_the_sweep_got(tmp_path: Path) -> None:
    """Ctrl-C exited 130 in silence; a JSON-lines stream had no end."""
    store = str(tmp_path / "s.duckdb")
    # long enough (400 chunks) that the sweep cannot finish before a busy machine delivers the
    # signal: a short one sometimes ended with exit 0 under load
    long_sweep = ["sweep", MINIMAL, "--param", "noise=0:1:400", "--replicates", "4"]
    code, lines, err = interrupt(
        [*long_sweep, "--executor", "serial", "--store", store, "--json-lines"],
        '"event": "start"',
    )
    assert code == 130, err
    end = json.loads(lines[-1])
    assert end == {"event": "end", "ok": False, "error": "interrupted", "message": end["message"]}
    assert re.search(r"\b\d+ of 400 chunks stored", err), err
    assert "rerun the same command to resume" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_ctrl_c_stops_the_workers_quietly(tmp_path: Path) -> None:
    """With a pool of workers (which get the terminal's SIGINT too): about 40 s."""
    argv = [*SWEEP, "--chunk-size", "1", "--executor", "local", "--workers", "2"]
    code, lines, err = interrupt(
        [*argv, "--store", str(tmp_path / "s.duckdb"), "--json-lines"], '"event": "chunk"'
    )
    assert code == 130, err
    assert json.loads(lines[-1])["error"] == "interrupted"
    assert "of 80 chunks stored" in err and "Traceback" not in err
