"""``dilemma classroom create`` and ``dilemma serve --database/--workers``: links and codes,
bad input located at the flag with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

from security_dilemma.classroom.sessions import Classroom
from security_dilemma.classroom.store import open_database

from ..conftest import Run


def test_create_prints_the_instructor_link_and_the_join_code(dilemma: Run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'class.sqlite'}"
    done = dilemma(
        "classroom",
        "create",
        "bmd-europe",
        "--seats",
        "USA,RUS,POL,IRN",
        "--turn-minutes",
        "5",
        "--groups",
        "2",
        "--lens",
        "realism",
        "--database",
        url,
        "--url",
        "http://10.0.0.2:8000",
        "--json",
    )
    assert done.code == 0, done.err
    doc = json.loads(done.out)
    assert doc["join_url"] == f"http://10.0.0.2:8000/classroom?code={doc['code']}"
    token = doc["instructor_url"].rsplit("/", 1)[1]
    engine = open_database(url)
    overview = Classroom(engine).overview(token)
    engine.dispose()
    assert overview["code"] == doc["code"] and len(overview["worlds"]) == 2
    assert overview["table"]["lens"] == "realism"
    text = dilemma(
        "classroom",
        "create",
        "bmd-europe",
        "--seats",
        "USA",
        "--store",
        str(tmp_path / "lab.duckdb"),
    )
    assert text.code == 0 and "join code:" in text.out and "/classroom/teach/" in text.out
    assert (tmp_path / "lab.classroom.sqlite").is_file()  # next to the run store


def test_bad_input_names_the_flag(dilemma: Run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    for args, flag in [
        (["--seats", "USA,XXX"], "--seats"),
        (["--seats", "USA", "--lens", "realism,liberalism"], "--lens"),
        (["--seats", "USA", "--lens", "nolens"], "--lens"),
        (["--seats", ","], "--seats"),
    ]:
        done = dilemma("classroom", "create", "bmd-europe", *args, "--database", url, "--json")
        assert done.code == 2, args
        assert json.loads(done.out)["problems"][0]["path"] == flag, (args, done.out)
    done = dilemma(
        "classroom", "create", "bmd-europe", "--seats", "USA", "--database", "mysql://x/y", "--json"
    )
    assert done.code == 2 and json.loads(done.out)["problems"][0]["path"] == "--database"
    done = dilemma("serve", "--workers", "2")
    assert done.code == 2 and "--workers" in done.err and "--database" in done.err
    done = dilemma("serve", "--database", "oracle://x")
    assert done.code == 2 and "--database" in done.err


MINIMAL = Path(__file__).parents[1] / "scenario" / "fixtures" / "minimal.yaml"


def test_create_from_a_case_file(dilemma: Run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'class.sqlite'}"
    done = dilemma(
        "classroom", "create", str(MINIMAL), "--seats", "AAA,BBB", "--database", url, "--json"
    )
    assert done.code == 0, done.err
    token = json.loads(done.out)["instructor_url"].rsplit("/", 1)[1]
    engine = open_database(url)
    overview = Classroom(engine).overview(token)
    engine.dispose()
    assert overview["title"] == "minimal: AAA, BBB"  # the case's id
    assert overview["table"]["case"] == MINIMAL.read_text("utf-8")
    assert set(overview["worlds"][0]["overview"]["actors"]) == {"AAA", "BBB", "CCC"}
    # a bad file: every problem located in it (file, line, field), exit 2, nothing made
    text = MINIMAL.read_text("utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("range_km: 2000", "range_km: -5"), encoding="utf-8")
    line = 1 + next(i for i, x in enumerate(text.splitlines()) if "range_km: 2000" in x)
    done = dilemma("classroom", "create", str(bad), "--seats", "AAA", "--database", url, "--json")
    assert done.code == 2, done.out
    problem = json.loads(done.out)["problems"][0]
    assert problem["file"] == str(bad) and problem["line"] == line, problem
    assert problem["path"].startswith("missiles[0]"), problem
    done = dilemma("classroom", "create", str(bad), "--seats", "AAA", "--database", url)
    assert done.code == 2 and f"bad.yaml:{line}" in done.err and "Traceback" not in done.err
    for args, path in [
        ([str(tmp_path / "missing.yaml"), "--seats", "AAA"], None),
        ([str(MINIMAL), "--seats", "AAA,USA"], "--seats"),
    ]:
        done = dilemma("classroom", "create", *args, "--database", url, "--json")
        assert done.code == 2, (args, done.out)
        if path:
            assert json.loads(done.out)["problems"][0]["path"] == path, done.out
    engine = open_database(url)
    with engine.connect() as con:
        sessions = con.exec_driver_sql("SELECT count(*) FROM sessions").scalar()
    engine.dispose()
    assert sessions == 1
