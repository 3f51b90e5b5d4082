"""The debrief: closest lens, distances, the class's world against the lens runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from security_dilemma import simulate
from security_dilemma.classroom.debrief import (
    DILEMMA_MEASURES,
    _closest,
    debrief,
    move_distance,
)
from security_dilemma.classroom.play import (
    LENSES,
    Move,
    Table,
    Turn,
    lens_moves,
    play,
    replay,
    start,
)

SEATS = ("USA", "RUS", "POL", "IRN")


def _bots(table: Table, lens: str, turns: int) -> list[Turn]:
    """Bots that play, every turn, exactly what ``lens`` would decide for their seat."""
    game = start(table)
    log = []
    for _ in range(turns):
        turn = Turn(moves={s: lens_moves(game, s)[lens] for s in table.seats})
        game = play(game, turn.moves)
        log.append(turn)
    return log


@pytest.mark.parametrize("lens", ["realism", "liberalism", "constructivism"])
def test_bots_playing_a_lens_are_closest_to_it(lens: str) -> None:
    table = Table(case="bmd-europe", seats=SEATS, seed=3)
    report = debrief(table, _bots(table, lens, 4), replicates=5)
    assert report.overall.lens == lens
    assert report.overall.distance[lens] == 0.0
    assert all(c.lens == lens for c in report.closest.values())
    assert all(d.closest == lens and d.lenses[lens].distance == 0.0 for d in report.decisions)
    others = [x for x in LENSES if x != lens]
    assert min(report.overall.distance[x] for x in others) > 0.01


def test_a_class_playing_its_case_lenses_is_the_engines_run() -> None:
    """Every actor seated, every seat leaving its move to its case lens: the class's world is
    the engine's run of the case with the same seed, bit for bit, every measure (the
    restraint measures included)."""
    case = simulate("bmd-europe", replicates=1, seed=9)
    table = Table(case="bmd-europe", seats=case.actors, seed=9)
    log = [Turn(moves={s: Move() for s in table.seats})] * case.steps
    report = debrief(table, log, replicates=3)
    run = simulate(
        "bmd-europe", replicates=1, seed=9, keep_replicates=True, metrics=DILEMMA_MEASURES
    )
    assert run.replicate_values is not None
    for metric in DILEMMA_MEASURES:
        for i, actor in enumerate(run.actors):
            engine = run.replicate_values[:, run.layout.find(metric, i), 0]
            played = np.array(report.series[metric][actor], dtype=np.float32)
            assert np.array_equal(engine, played), (metric, actor)
    # and the class's measures sit beside the runs of each lens and of the table
    m = next(x for x in report.measures if x.metric == "security" and x.actor == "USA")
    assert set(m.runs) == {*LENSES, "table"}
    assert m.runs["table"].q05 <= m.runs["table"].mean <= m.runs["table"].q95


def test_distance_and_ties() -> None:
    a = Move(effort=0.2, allocation=0.4, cooperation={"X": 1.0, "Y": 0.0}, commitment={"X": 0.5})
    assert move_distance(a, a) == 0.0
    far = Move(effort=-0.8, allocation=1.0, cooperation={"X": 0.0, "Y": 1.0}, commitment={"X": 0.0})
    assert move_distance(a, far) == pytest.approx((0.5 + 0.6 + 1.0 + 0.5) / 4)
    assert move_distance(a, far) == move_distance(far, a)
    # only what the seat played counts; nothing played: no distance
    assert move_distance(Move(cooperation={"X": 0.5}), far) == 0.5
    assert move_distance(Move(), far) is None
    tie = _closest({"realism": 0.2, "liberalism": 0.1, "constructivism": 0.1, "pyramid": 0.3})
    assert tie.lens == "liberalism"  # ties go to the earlier lens in LENSES order
    assert _closest({"realism": 0.1 + 1e-12, "liberalism": 0.1}).lens == "realism"


def test_debrief_is_json_and_frames() -> None:
    table = Table(case="bmd-europe", seats=("USA", "RUS"), seed=1)
    log = [Turn(moves={"USA": Move(effort=0.4, allocation=0.2)}), Turn()]
    report = debrief(table, log, replicates=4)
    data = json.loads(report.model_dump_json())
    assert [p["period"] for p in data["timeline"]] == [0, 1]
    assert len(data["decisions"]) == 4
    usa, rus = report.decisions[0], report.decisions[1]
    assert usa.seat == "USA" and usa.move == Move(effort=0.4, allocation=0.2)
    assert usa.lenses["realism"].move == lens_moves(start(table), "USA")["realism"]
    assert rus.seat == "RUS" and rus.closest is None  # RUS left everything to its lens
    assert report.closest["RUS"].lens is None and report.closest["USA"].lens in LENSES
    assert report.overall.lens == report.closest["USA"].lens
    frames = report.to_frames()
    assert set(frames["decisions"]["lens"]) == set(LENSES)
    assert set(frames["measures"]["world"]) == {"played", *LENSES, "table"}
    assert len(frames["timeline"]) == 2 * len(report.series["security"])


def test_debrief_of_a_session_with_injects_replays_it() -> None:
    """4 seats x 8 turns with varied moves, signals and injects: the debrief's timeline is the
    played game's record, and every seat-period that played something has a closest lens."""
    from tests.classroom.test_play import TABLE, _log

    log = _log(start(TABLE), 8, seed=3)
    report = debrief(TABLE, log, replicates=5)
    assert report.timeline == replay(TABLE, log).history
    assert len(report.decisions) == 8 * len(TABLE.seats)
    for d in report.decisions:
        played = d.move != Move()
        assert (d.closest is not None) == played
