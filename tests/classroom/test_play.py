"""The played world: moves, reproducibility, replay, views, lens moves (classroom/play.py)."""

from __future__ import annotations

import numpy as np
import pytest

from security_dilemma import load_case, simulate
from security_dilemma.classroom.play import (
    MAX_EFFORT_CHANGE,
    Encoded,
    Game,
    Inject,
    Move,
    Signal,
    Table,
    Turn,
    default_move,
    lens_moves,
    overview,
    parse_inject,
    parse_move,
    parse_table,
    play,
    replay,
    start,
    validate_move,
    view,
)
from security_dilemma.engine.draws import ReplicateStreams, split_draws, step_uniforms
from security_dilemma.errors import BadInput
from security_dilemma.scenario.schema import (
    CapabilityChange,
    CrisisOccurs,
    IdentityShift,
    SiteStatus,
)

SEATS = ("USA", "RUS", "POL", "IRN")
TABLE = Table(case="bmd-europe", seats=SEATS, seed=11)


@pytest.fixture(scope="module")
def game0() -> Game:
    return start(TABLE)


def _random_move(rng: np.random.Generator, actor: str, others: list[str]) -> Move:
    """A varied move: some fields played, some left to the lens, a signal now and then."""
    picked = rng.choice(others, size=3, replace=False)
    return Move(
        effort=None if rng.random() < 0.3 else float(rng.uniform(-0.3, 0.3)),
        allocation=None if rng.random() < 0.3 else float(rng.random()),
        cooperation={str(a): float(rng.random()) for a in picked},
        commitment={str(a): float(rng.random()) for a in picked[:2]},
        signals=(Signal(to=str(picked[0]), kind="reassure", cost=0.3),)
        if rng.random() < 0.4
        else (),
    )


def _log(game: Game, turns: int, seed: int) -> list[Turn]:
    rng = np.random.default_rng(seed)
    injects = {
        2: (
            Inject(
                title="A speech: Russia names Poland a target",
                kind="speech",
                effects=(
                    IdentityShift(type="identity", **{"from": ["POL"]}, to=["RUS"], delta=-0.4),
                ),
            ),
        ),
        4: (
            Inject(
                title="Poland's site goes live early",
                kind="deployment",
                effects=(SiteStatus(type="site", site="redzikowo", status="operational"),),
            ),
            Inject(
                title="Iran doubles its missile budget",
                kind="test",
                effects=(
                    CapabilityChange(type="capability", actor="IRN", field="milex", factor=2.0),
                ),
            ),
        ),
        6: (
            Inject(
                title="A border clash",
                kind="crisis",
                effects=(CrisisOccurs(type="crisis", between=["RUS", "POL"]),),
            ),
        ),
    }
    log = []
    for t in range(turns):
        moves = {
            seat: _random_move(rng, seat, [a for a in game.actors if a != seat])
            for seat in SEATS
            if rng.random() < 0.85  # a seat now and then submits nothing
        }
        log.append(Turn(moves=moves, injects=injects.get(t, ())))
    return log


def test_step_uniforms_are_the_runs_numbers() -> None:
    """Period t's draws depend only on seed and t, and are the run's own (odd and even
    offsets into the 32-bit word stream)."""
    for n in (2, 3, 13):
        streams = ReplicateStreams(seed=5, first=0, count=1)
        streams.motives(n)
        run = streams.uniforms(n, steps=5)
        for t in (4, 0, 2, 3, 1):
            assert np.array_equal(step_uniforms(5, 0, n, t), run[t])


def test_play_is_pure_and_reproducible(game0: Game) -> None:
    moves = {"USA": Move(effort=0.2, allocation=0.7, cooperation={"RUS": 0.1})}
    one, two = play(game0, moves), play(game0, moves)
    assert one.to_json() == two.to_json()
    assert game0.period == 0 and not game0.history  # the input is untouched
    other = play(game0, {"USA": Move(effort=-0.2)})
    assert other.history[0].effort_next != one.history[0].effort_next


def test_replay_reproduces_a_stored_game_bit_for_bit(game0: Game) -> None:
    """4 seats x 8 turns, varied moves, signals and injects: the stored game's JSON round
    trip is exact and a replay of its log rebuilds it bit for bit."""
    log = _log(game0, 8, seed=3)
    game = game0
    for turn in log:
        game = play(game, turn.moves, turn.injects)
        game = Game.from_json(game.to_json())  # stored and loaded every period
    assert game.period == 8
    stored = Game.from_json(game.to_json())
    assert stored == game
    again = replay(TABLE, stored.log)
    assert again.to_json() == game.to_json()
    titles = [t for rec in game.history for t in rec.events]
    assert "A border clash" in titles and "Poland's site goes live early" in titles
    assert game.history[6].crisis[1][3]  # RUS-POL: the injected crisis happened
    assert any(s.sender in SEATS for rec in game.history for s in rec.signals)
    # a different log gives a different world (the test can fail)
    changed = replay(TABLE, [*log[:7], Turn(moves={"USA": Move(effort=0.5)})])
    assert changed.to_json() != game.to_json()


def test_encoded_arrays_are_exact() -> None:
    a = np.array([[0.1, np.nextafter(0.1, 1)], [1e-30, -0.0]], dtype=np.float32)
    back = Encoded.model_validate_json(Encoded.of(a).model_dump_json()).array()
    assert back.dtype == a.dtype and back.tobytes() == a.tobytes()


def test_a_world_nobody_moves_is_the_engines_run() -> None:
    """Seats that submit nothing leave every decision to their lenses: the world is replicate
    0 of the engine's run of the case with the same seed, bit for bit."""
    table = Table(case="bmd-europe", seats=("USA", "RUS"), seed=7)
    game = start(table)
    for _ in range(len(game.dates)):
        game = play(game, {})
    assert game.done and game.date is None
    with pytest.raises(BadInput) as err:
        play(game, {})
    assert err.value.problems[0].path == "game"
    with pytest.raises(BadInput):
        lens_moves(game, "USA")
    final = view(game, "USA")
    assert final.done and final.events == () and final.happened == game.history[-1].events
    assert overview(game).actors["USA"].effort == final.effort
    result = simulate("bmd-europe", replicates=1, seed=7, keep_replicates=True)
    values = result.replicate_values
    assert values is not None
    for i in range(len(game.actors)):
        security = values[:, result.layout.find("security", i), 0]
        effort = values[:, result.layout.find("effort", i), 0]
        assert np.array_equal(security, np.float32([h.security[i] for h in game.history]))
        assert np.array_equal(effort, np.float32([h.effort[i] for h in game.history]))


def test_played_decisions_are_applied(game0: Game) -> None:
    move = Move(effort=0.25, allocation=0.9, cooperation={"RUS": 0.0}, commitment={"POL": 1.0})
    after = play(game0, {"USA": move})
    rec = after.history[0]
    usa, rus, pol = (game0.actors.index(a) for a in ("USA", "RUS", "POL"))
    assert rec.effort_next[usa] == pytest.approx(rec.effort[usa] + 0.25, rel=1e-6)
    assert rec.cooperation[usa][rus] == 0.0
    assert rec.desire[usa][pol] == 1.0
    before = view(game0, "USA").share
    assert before < rec.share[usa] < 0.9  # moving toward the target at allocation_rate


def test_a_signal_moves_the_recipients_belief(game0: Game) -> None:
    quiet = play(game0, {})
    costly = play(game0, {"USA": Move(signals=(Signal(to="RUS", kind="reassure", cost=2.0),))})
    assert view(costly, "RUS").belief["USA"] < view(quiet, "RUS").belief["USA"]
    assert view(costly, "IRN").belief["USA"] == view(quiet, "IRN").belief["USA"]
    seen = view(costly, "RUS").last["USA"].signals
    assert [(s.sender, s.kind) for s in seen] == [("USA", "reassurance")]
    assert not view(costly, "IRN").last["USA"].signals
    # a signal is private to its recipient: not among the period's public events
    assert view(costly, "IRN").happened == view(quiet, "IRN").happened
    assert costly.history[0].events == quiet.history[0].events


def test_bad_moves_are_named(game0: Game) -> None:
    bad = Move(effort=MAX_EFFORT_CHANGE * 2, cooperation={"RUS": 1.5, "XXX": 0.5, "USA": 0.2})
    with pytest.raises(BadInput) as err:
        validate_move(game0, "USA", bad)
    paths = {p.path for p in err.value.problems}
    assert paths == {"move.effort", "move.cooperation.RUS", "move.cooperation.XXX",
                     "move.cooperation.USA"}  # fmt: skip
    with pytest.raises(BadInput) as err:
        play(game0, {"DEU": Move()})
    assert err.value.problems[0].path == "actor"
    with pytest.raises(BadInput) as err:
        play(
            game0,
            {},
            [
                Inject(
                    title="x",
                    effects=(
                        CapabilityChange(type="capability", actor="ZZZ", field="milex", delta=1.0),
                    ),
                )
            ],
        )
    assert err.value.problems[0].path.startswith("injects[0].effects[0]")
    with pytest.raises(BadInput) as err:
        start(Table(case="bmd-europe", seats=("USA", "UZZ"), lens="realsm"))
    assert {p.path for p in err.value.problems} == {"seats[1]", "lens"}
    with pytest.raises(BadInput) as err:
        Game.from_json('{"table": 1}')
    assert err.value.problems[0].path.startswith("game.")
    with pytest.raises(BadInput) as err:
        parse_table({"case": "bmd-europe", "seats": "USA", "seed": "x"})
    assert {p.path for p in err.value.problems} == {"table.seats", "table.seed"}
    with pytest.raises(BadInput) as err:
        start(Table(case="bmd-europe", seed=-1))
    assert err.value.problems[0].path == "seed"
    with pytest.raises(BadInput) as err:
        parse_move({"effort": "lots", "cooperation": {"RUS": "x"}, "colour": 1})
    assert {p.path for p in err.value.problems} == {
        "move.effort",
        "move.cooperation.RUS",
        "move.colour",
    }
    inject = {"title": "A test", "effects": [{"type": "identity", "from": ["RUS"], "to": ["USA"]}]}
    with pytest.raises(BadInput) as err:
        parse_inject(inject)
    assert [p.path for p in err.value.problems] == ["inject.effects[0].identity.delta"]
    inject["effects"][0]["delta"] = -0.2  # type: ignore[index]
    assert parse_inject(inject).effects[0].delta == -0.2  # type: ignore[union-attr]
    assert default_move(game0, "USA") == Move()


def test_view_holds_nothing_of_another_seats_private_state(game0: Game) -> None:
    """Changing RUS's private state (its type, beliefs, identities, its decisions toward third
    parties) changes nothing in USA's view, and does change RUS's own."""
    game = play(game0, {"RUS": Move(cooperation={"IRN": 0.9})})
    rus = game.actors.index("RUS")
    state = {k: v.array() for k, v in game.state.items()}
    state["motive"][rus] = 1.0 - state["motive"][rus]
    state["belief"][rus] = np.float32(0.5)
    state["log_odds"][rus] = np.float32(0.0)
    state["identity"][rus] = np.float32(-0.7)
    state["identity"][rus, rus] = np.float32(1.0)
    history = list(game.history)
    rec = history[-1]
    cooperation = [list(r) for r in rec.cooperation]
    cooperation[rus] = [0.123 if j not in (rus, 0) else c for j, c in enumerate(cooperation[rus])]
    history[-1] = rec.model_copy(update={"cooperation": tuple(tuple(r) for r in cooperation)})
    other = game.model_copy(
        update={"state": {k: Encoded.of(v) for k, v in state.items()}, "history": tuple(history)}
    )
    assert view(other, "USA") == view(game, "USA")
    assert view(other, "RUS") != view(game, "RUS")
    assert overview(other) != overview(game)
    shown = view(game, "USA").model_dump()
    assert set(shown["belief"]) == set(game.actors) - {"USA"}
    assert "motive" not in str(shown) and "greedy" not in str(shown)


def test_lens_moves_of_an_unseated_actor_are_what_the_engine_did(game0: Game) -> None:
    game = play(game0, {"USA": Move(effort=0.1)})
    moves = lens_moves(game, "DEU")
    assert set(moves) == {"realism", "liberalism", "constructivism", "pyramid"}
    own = moves[game.lenses[game.actors.index("DEU")]]
    after = play(game, {})
    rec = after.history[-1]
    i = game.actors.index("DEU")
    others = [a for a in game.actors if a != "DEU"]
    assert own.cooperation == {
        a: rec.cooperation[i][j] for j, a in enumerate(game.actors) if a in others
    }
    assert own.commitment == {a: rec.desire[i][j] for j, a in enumerate(game.actors) if a in others}
    # effort: the lens's change plus the period's shock
    draws = split_draws(
        step_uniforms(TABLE.seed, 0, len(game.actors), game.period), len(game.actors)
    )
    sd = load_case(TABLE.case).parameters.richardson.shock  # the case's calibrated shock
    shock = sd * rec.effort[i] * float(draws.effort[i, 0])
    assert rec.effort_next[i] == pytest.approx(rec.effort[i] + own.effort + shock, abs=1e-6)
    # allocation: the share moved toward the lens's target at allocation_rate
    share = view(game, "DEU").share
    assert own.allocation is not None and own.effort is not None
    rate = load_case("bmd-europe").parameters.allocation_rate
    assert rec.share[i] == pytest.approx(share + rate * (own.allocation - share), abs=1e-6)
    # a seated actor playing its lens's move exactly does what the lens would have
    played = play(game, {"USA": lens_moves(game, "USA")[game.lenses[0]]})
    lensed = play(game, {})
    u = game.actors.index("USA")
    assert played.history[-1].cooperation[u] == lensed.history[-1].cooperation[u]
