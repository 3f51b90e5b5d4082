"""Hostile case files (issue 15): each is refused with a located message, or read as written.

The files are in ``tests/data/hostile/``; those that cannot be kept in git (a FIFO, a device,
files of megabytes) are made by the tests.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from security_dilemma.engine import step_dates
from security_dilemma.errors import BadInput
from security_dilemma.limits import MAX_ACTORS, MAX_DEPTH, MAX_STEPS
from security_dilemma.scenario import load_case
from security_dilemma.scenario.reader import read_yaml, read_yaml_text
from security_dilemma.scenario.schema import Span

from ..conftest import Run

HOSTILE = Path(__file__).parents[1] / "data" / "hostile"
MINIMAL = Path(__file__).parent / "fixtures" / "minimal.yaml"


def messages(path: Path) -> list[str]:
    with pytest.raises(BadInput) as info:
        load_case(path)
    return [str(p) for p in info.value.problems]


def test_deep_nesting_is_refused_not_a_crash(dilemma: Run) -> None:
    """Defect 1: 30,000 nested ``[`` crashed libyaml's composer (exit 139) before any check;
    ``validate`` runs in a process of its own, so that a crash fails the test, not pytest."""
    path = HOSTILE / "deep-nesting.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "security_dilemma", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert f"{path}:1:" in done.stderr and "nests too deeply" in done.stderr
    for command in ("show", "run"):
        result = dilemma(command, str(path))
        assert result.code == 2 and "nests too deeply" in result.err, command


def test_nesting_just_within_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 1
    doc = read_yaml_text("a: " + "[" * depth + "1" + "]" * depth + "\n")
    assert doc.data["a"] is not None
    with pytest.raises(BadInput, match="nests too deeply"):
        read_yaml_text("a: " + "[" * (MAX_DEPTH + 1) + "1" + "]" * (MAX_DEPTH + 1) + "\n")


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    """Defect 2: a FIFO made ``validate`` wait forever for a writer."""
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            read_yaml(fifo)
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)
        else:
            outcome.append(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # unblock the thread (a writer's open) before failing
        with open(fifo, "w"):
            pass
        pytest.fail("reading a FIFO blocked")
    (exc,) = outcome
    assert isinstance(exc, BadInput)
    assert "FIFO" in str(exc) and "only regular files" in str(exc)


def _limited() -> None:  # pragma: no cover - runs in the child process
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_devices_and_links_to_them_are_refused(tmp_path: Path) -> None:
    """Defect 2: ``/dev/zero`` (or a link to it) was read past 3 GB (here in a process of its
    own, limited to 4 GB and a minute, so that the defect fails the test, not the machine)."""
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    for path in (Path("/dev/zero"), link):
        done = subprocess.run(
            [sys.executable, "-m", "security_dilemma", "validate", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=_limited,
        )
        assert done.returncode == 2, done.stderr[-300:]
        assert "is a device, not a case file" in done.stderr


def test_the_bytes_read_are_capped_whatever_the_size_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that grows (or lies about its size) is read no further than the cap."""
    from security_dilemma.scenario import reader

    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 5000 + b"\n")
    monkeypatch.setattr(reader, "MAX_BYTES", 1000)
    real_fstat = os.fstat

    def small_fstat(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[6] = 10  # st_size: the file says it is tiny
        return os.stat_result(info)

    monkeypatch.setattr(reader.os, "fstat", small_fstat)
    with pytest.raises(BadInput, match="larger than"):
        reader.read_bytes(path, limit=1000)


def test_a_span_ending_in_9999_is_refused_at_validation() -> None:
    """Defect 4: it validated, then ``run`` failed with 'year 10000 is out of range'."""
    (msg,) = messages(HOSTILE / "span-ends-9999.yaml")
    assert ":6:" in msg and "span" in msg and "9998-12-31" in msg


def test_parameter_effects_are_validated_with_their_lines() -> None:
    """Defect 5: an unknown name or an out-of-range value in an event passed validation."""
    unknown, out_of_range = messages(HOSTILE / "parameter-effects.yaml")
    assert ":51:" in unknown and "unknown parameter 'no_such_parameter'" in unknown
    assert ":52:" in out_of_range and "effects[4].value" in out_of_range
    assert "less than or equal to 1" in out_of_range


def test_overflowing_amounts_are_refused() -> None:
    """Defect 6: ``milex: 1.0e+308`` validated and ran to zeros."""
    (msg,) = messages(HOSTILE / "milex-overflow.yaml")
    assert ":12:" in msg and "capabilities[0].milex" in msg


def test_spans_and_actors_are_bounded_at_validation(tmp_path: Path) -> None:
    """Defect 3: a 1,000-actor case or an 8,000-year daily span ran out of memory."""
    (msg,) = messages(HOSTILE / "daily-8000-years.yaml")
    assert "2,921,940 steps" in msg and f"{MAX_STEPS:,}" in msg
    doc = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    doc["actors"] += [
        {"id": f"X{i}", "name": f"X{i}", "source": "s1"} for i in range(MAX_ACTORS + 1)
    ]
    path = tmp_path / "crowd.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    (msg,) = messages(path)
    assert msg.startswith(f"{path}:") and "actors" in msg and f"at most {MAX_ACTORS}" in msg


def test_bad_references_are_found() -> None:
    """Unchecked references: bloc members, place countries, ties of an actor with itself."""
    found = "\n".join(messages(HOSTILE / "bad-references.yaml"))
    assert "actors[3].members[1]: unknown member 'ZZZ'" in found
    assert "actors[3].members[2]: a bloc cannot be its own member" in found
    assert "places[0].country: unknown country 'QQQ'" in found
    assert "identities[1].to: an identity of 'BBB' with itself" in found
    assert "interdependence[0].between[1]: interdependence of 'AAA' with itself" in found


def test_a_bad_date_does_not_hide_the_other_problems() -> None:
    found = messages(HOSTILE / "bad-date-and-more.yaml")
    assert len(found) == 2
    assert any(":42:" in m and "2003-02-30" in m for m in found)
    assert any(":8:" in m and "prior_greedy" in m for m in found)


def test_bidi_controls_are_stripped_from_names() -> None:
    case = load_case(HOSTILE / "bidi-name.yaml")
    assert case.title == "A minimal esac two-state case"
    assert case.actors[1].name == "Beta"


def test_markup_in_names_is_kept_as_written() -> None:
    case = load_case(HOSTILE / "markup-names.yaml")
    assert case.title == "Cat :cat: [bold]bold[/bold] a:b:c [red]"


def test_values_written_out_are_not_counted_as_alias_expansions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A large case was refused as an alias bomb: every value counted, not what aliases add
    (the limit is lowered here to keep the test fast)."""
    from security_dilemma.scenario import reader

    monkeypatch.setattr(reader, "MAX_NODES", 100)
    values = ", ".join(["1"] * 300)
    assert read_yaml_text(f"a: [{values}]\n").data["a"][-1] == 1
    with pytest.raises(BadInput, match="aliases expand to too many values"):
        read_yaml_text(f"a: &a [{values}]\nb: [*a]\n")


@pytest.mark.slow
def test_a_large_legitimate_case_is_accepted(dilemma: Run, tmp_path: Path) -> None:
    """The issue's case: 20,000 events in 2.4 MB (about 10 s to read)."""
    events = "".join(
        f"  - {{id: g{k}, date: 2003-01-01, title: Event {k}, kind: speech, actors: [AAA, BBB],"
        f" source: s2, effects: [{{type: identity, from: BBB, to: AAA, delta: -0.001}}]}}\n"
        for k in range(20_000)
    )
    text = MINIMAL.read_text(encoding="utf-8").replace("events:\n", "events:\n" + events, 1)
    path = tmp_path / "large.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size > 2_000_000
    result = dilemma("validate", str(path))
    assert result.code == 0 and "20001 events" in result.out


def test_the_hostile_files_fail_validate_with_located_messages(dilemma: Run) -> None:
    for name in (
        "span-ends-9999",
        "daily-8000-years",
        "milex-overflow",
        "parameter-effects",
        "bad-references",
        "bad-date-and-more",
    ):
        path = HOSTILE / f"{name}.yaml"
        result = dilemma("validate", str(path))
        assert result.code == 2, name
        assert f"{path}:" in result.err and "Traceback" not in result.err


@given(
    start=st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2100, 12, 31)),
    days=st.integers(1, 2000),
    step=st.sampled_from(["day", "week", "month", "quarter", "year"]),
)
def test_the_step_limit_counts_the_steps_the_engine_runs(
    start: dt.date, days: int, step: str
) -> None:
    """``Span.steps`` (counted without listing the dates, for the limit) is the number of
    dates the engine steps through."""
    span = Span(start=start, end=start + dt.timedelta(days=days), step=step)  # type: ignore[arg-type]
    assert span.steps == len(step_dates(span.start, span.end, span.step))
