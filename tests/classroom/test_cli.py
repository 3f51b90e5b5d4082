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
