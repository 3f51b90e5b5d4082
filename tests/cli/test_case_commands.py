"""The foundation commands: validate, schema, cases, show, place; exit codes and JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import Run

FIXTURE = Path(__file__).parents[1] / "scenario" / "fixtures" / "minimal.yaml"


def test_cases_json_lists_the_builtin_cases(dilemma: Run) -> None:
    result = dilemma("cases", "--json")
    assert result.code == 0
    doc = json.loads(result.out)
    ids = [c["id"] for c in doc["cases"]]
    assert "bmd-europe" in ids
    bmd = doc["cases"][ids.index("bmd-europe")]
    assert {"id", "title", "start", "end", "step", "actors", "events", "observables"} <= set(bmd)
    assert "USA" in bmd["actors"] and "RUS" in bmd["actors"]


def test_show_prints_the_case(dilemma: Run) -> None:
    result = dilemma("show", "bmd-europe")
    assert result.code == 0
    assert "Redzikowo" in result.out and "Russia" in result.out
    doc = json.loads(dilemma("show", "bmd-europe", "--json").out)
    assert doc["id"] == "bmd-europe"
    sites = {s["id"]: s for s in doc["defence_sites"]}
    assert sites["redzikowo"]["interceptors"]["value"] == 10
    usa = doc["capabilities"][0]
    assert usa["missile_defence_share"]["value"] == 0.015 and "defence_share" not in usa


def test_schema_is_json_schema_for_the_case(dilemma: Run) -> None:
    result = dilemma("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"] == "Case"
    assert {"actors", "events", "observables", "sources"} <= set(schema["properties"])
    assert "IdentityShift" in schema["$defs"]
    assert schema["additionalProperties"] is False


def test_validate_ok_and_broken(dilemma: Run, tmp_path: Path) -> None:
    ok = dilemma("validate", str(FIXTURE))
    assert ok.code == 0 and "ok" in ok.out
    broken = tmp_path / "broken.yaml"
    text = FIXTURE.read_text().replace("prior_greedy: 0.4", "prior_greedy: 1.4")
    broken.write_text(text.replace("lens: realism", "lense: realism"))
    bad = dilemma("validate", str(broken))
    assert bad.code == 2
    lines = [line for line in bad.err.splitlines() if line.startswith(str(broken))]
    assert len(lines) == 2
    assert "Traceback" not in bad.err
    doc = json.loads(dilemma("validate", str(broken), "--json").out)
    assert doc["ok"] is False
    problems = doc["files"][0]["problems"]
    assert {p["path"] for p in problems} == {"actors[0].lense", "actors[1].prior_greedy"}
    assert all(isinstance(p["line"], int) and isinstance(p["col"], int) for p in problems)


def test_missing_file_and_unknown_case_exit_2(dilemma: Run) -> None:
    result = dilemma("validate", "no/such/file.yaml")
    assert result.code == 2 and "no such file" in result.err
    result = dilemma("show", "bmd-europa")
    assert result.code == 2 and "did you mean 'bmd-europe'" in result.err
    doc = json.loads(dilemma("show", "bmd-europa", "--json").out)
    assert doc["ok"] is False and doc["error"] == "bad_input"


def test_usage_errors_exit_2(dilemma: Run) -> None:
    assert dilemma("no-such-command").code == 2
    assert dilemma("show").code == 2


def test_place_resolves_and_suggests(dilemma: Run) -> None:
    doc = json.loads(dilemma("place", "Warsaw", "POL", "Tabriz", "38.07,46.30", "--json").out)
    names = [p["name"] for p in doc["places"]]
    assert names[:3] == ["Warsaw", "Warsaw", "Tabriz"]
    assert doc["places"][3]["lat"] == 38.07
    bad = dilemma("place", "Tabrz")
    assert bad.code == 2 and "did you mean 'Tabriz'" in bad.err
    case_place = dilemma("place", "Base Camp", "--case", str(FIXTURE), "--json")
    assert json.loads(case_place.out)["places"][0]["lat"] == 50.0


def test_installed_entry_point_runs() -> None:
    exe = shutil.which("dilemma", path=str(Path(sys.executable).parent))
    assert exe is not None, "the dilemma script is installed next to the interpreter"
    proc = subprocess.run([exe, "cases", "--json"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["cases"]
    proc = subprocess.run(
        [sys.executable, "-m", "security_dilemma", "show", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


OLD = Path(__file__).parents[1] / "scenario" / "fixtures" / "bmd-europe-share-def.yaml"


def test_validate_points_an_old_file_to_migrate(dilemma: Run) -> None:
    bad = dilemma("validate", str(OLD))
    assert bad.code == 2 and "Traceback" not in bad.err
    lines = [line for line in bad.err.splitlines() if line.startswith(f"{OLD}:")]
    assert len(lines) == 14
    assert all("share_def was split" in line for line in lines)
    assert f"`dilemma case migrate {OLD}` rewrites the file" in lines[0]


def test_case_migrate_writes_a_file_that_validates(dilemma: Run, tmp_path: Path) -> None:
    from security_dilemma.scenario.migrate import migrate_file

    out = tmp_path / "bmd.yaml"
    result = dilemma("case", "migrate", str(OLD), "--out", str(out))
    assert result.code == 0, result.err
    assert f"{OLD}:149:" in result.out and "share_def -> missile_defence_share" in result.out
    assert f"wrote {out}: 14 changes; it validates" in result.out
    assert out.read_text(encoding="utf-8") == migrate_file(OLD).text
    assert dilemma("validate", "--strict", str(out)).code == 0
    assert dilemma("case", "migrate", str(OLD), "--out", str(out)).code == 2  # exists
    doc = json.loads(
        dilemma(
            "case",
            "migrate",
            str(OLD),
            "-o",
            str(out),
            "--force",
            "--share-def-as",
            "defence",
            "--json",
        ).out
    )
    assert doc["ok"] and doc["share_def_as"] == "defence" and len(doc["changes"]) == 14
    assert doc["changes"][0]["new"] == "defence_share"
    assert "defence_share: {value: 0.015" in out.read_text(encoding="utf-8")
    stdout = dilemma("case", "migrate", str(OLD))
    assert stdout.code == 0 and stdout.out == migrate_file(OLD).text
    assert "share_def -> missile_defence_share" in stdout.err
    current = dilemma("case", "migrate", str(FIXTURE), "--in-place")
    assert current.code == 0 and "nothing to migrate" in current.out


def test_case_migrate_refuses_without_writing(dilemma: Run, tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    text = OLD.read_text(encoding="utf-8").replace("kind: deployment", "kind: deploymint", 1)
    assert "deploymint" in text
    old.write_text(text, encoding="utf-8")
    bad = dilemma("case", "migrate", str(old), "--in-place")
    assert bad.code == 2 and "Traceback" not in bad.err
    assert "not migrated: the rewritten file would not validate" in bad.err
    assert "did you mean 'deployment'" in bad.err
    assert old.read_text(encoding="utf-8") == text
    both = dilemma("case", "migrate", str(old), "--in-place", "--out", str(tmp_path / "x.yaml"))
    assert both.code == 2 and "--in-place: give --out or --in-place, not both" in both.err
    meaning = dilemma("case", "migrate", str(OLD), "--share-def-as", "budget")
    assert meaning.code == 2 and "--share-def-as: unknown meaning 'budget'" in meaning.err
    assert dilemma("case", "migrate", str(OLD), "--json").code == 2
