"""``dilemma games``: normal-form games, Jervis's worlds, Kydd's reassurance, iterated games."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

from .._tables import FitTable
from ..errors import BadInput, Problem
from ..games.equilibria import METHODS
from ._common import JsonOpt, QuietOpt, SeedOpt, console, print_json, progress_bar

if TYPE_CHECKING:
    from ..games import Game, MatchConfig, Strategy

__all__ = ["DEFAULT_LINEUP", "app", "register"]

app = typer.Typer(
    name="games",
    help="Strategic games: equilibria, Jervis's worlds, Kydd's reassurance, iterated games.",
    no_args_is_help=True,
)

DEFAULT_LINEUP = (
    "Cooperator",
    "Defector",
    "TitForTat",
    "SuspiciousTitForTat",
    "TitFor2Tats",
    "Grudger",
    "WinStayLoseShift",
    "GenerousTitForTat",
    "Alternator",
    "Random(0.5)",
)

TurnsOpt = Annotated[
    int, typer.Option("--turns", help="Rounds per match (the cap with --prob-end).")
]
NoiseOpt = Annotated[
    float, typer.Option("--noise", help="Implementation error: P(an intended move is flipped).")
]
MisOpt = Annotated[
    float,
    typer.Option("--misperception", help="Misperception: P(a side sees the other's move flipped)."),
]
ProbEndOpt = Annotated[
    float | None,
    typer.Option("--prob-end", help="Shadow of the future: P(the match ends after each round)."),
]
PayoffsOpt = Annotated[
    str, typer.Option("--payoffs", help="R,S,T,P of the stage game (standard 3,0,5,1).")
]


def _matrix(text: str, option: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            Problem(f"not a JSON matrix ({exc.msg} at column {exc.colno}): {text!r}", path=option)
        ) from None


def _game(row: str, col: str | None) -> Game:
    from ..games import Game

    r = _matrix(row, "--row")
    c = None if col is None else _matrix(col, "--col")
    try:
        return Game.of(r, c)
    except BadInput as exc:
        raise BadInput(
            [
                Problem(p.message, path=f"--{p.path}" if p.path in ("row", "col") else p.path)
                for p in exc.problems
            ]
        ) from None


def _payoffs(text: str) -> tuple[float, float, float, float]:
    try:
        values = [float(v) for v in text.replace(" ", "").split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or not all(np.isfinite(values)):
        raise BadInput(Problem(f"expected four numbers R,S,T,P, got {text!r}", path="--payoffs"))
    r, s, t, p = values
    return r, s, t, p


def _split_strategies(items: list[str]) -> list[str]:
    """Split "A,B(1,2) C" on commas and spaces outside parentheses."""
    out: list[str] = []
    for item in items:
        depth = 0
        current = ""
        for ch in item:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            if depth == 0 and (ch == "," or ch.isspace()):
                if current:
                    out.append(current)
                current = ""
            else:
                current += ch
        if current:
            out.append(current)
    return out


def _strategies(items: list[str] | None) -> list[Strategy]:
    from ..games import parse_strategy

    names = _split_strategies(items) if items else list(DEFAULT_LINEUP)
    problems: list[Problem] = []
    out: list[Strategy] = []
    for name in names:
        try:
            out.append(parse_strategy(name))
        except BadInput as exc:
            problems += exc.problems
    if problems:
        raise BadInput(problems)
    return out


def _fmt_mix(p: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.4g}" for v in p) + ")"


@app.command()
def equilibria(
    row: Annotated[str, typer.Option("--row", help='Row payoffs as JSON, e.g. "[[3,0],[5,1]]".')],
    col: Annotated[
        str | None, typer.Option("--col", help="Column payoffs as JSON (omit for zero-sum).")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help=f"One of {', '.join(METHODS)}.")
    ] = "vertex",
    as_json: JsonOpt = False,
) -> None:
    """All Nash equilibria (pure and mixed) of a bimatrix game, with Pareto optimality."""
    from ..games import classify, nash_equilibria, pareto_optimal_profiles

    game = _game(row, col)
    eqs = nash_equilibria(game, method)
    cls = classify(game) if game.shape == (2, 2) else None
    pareto = pareto_optimal_profiles(game)
    if as_json:
        print_json(
            {
                "game": game.to_dict(),
                "shape": list(game.shape),
                "classification": cls.to_dict() if cls else None,
                **eqs.to_dict(),
                "pareto_optimal": [list(p) for p in pareto],
            }
        )
        return
    m, n = game.shape
    title = f"{m}x{n} game"
    if cls is not None:
        title += f": {cls.name} ({cls.family})"
    console.print(f"[bold]{title}[/bold]")
    t = FitTable(title=f"Nash equilibria ({eqs.method})")
    for c in ("#", "row plays", "column plays", "row payoff", "col payoff", "kind", "Pareto"):
        t.add_column(c, wrap=c.endswith("plays"))
    for k, e in enumerate(eqs.equilibria):
        t.add_row(
            str(k),
            _fmt_mix(e.row),
            _fmt_mix(e.col),
            f"{e.row_payoff:.4g}",
            f"{e.col_payoff:.4g}",
            "pure" if e.pure else "mixed",
            "dominated" if e.pareto_dominated else "optimal",
        )
    console.print(t)
    if eqs.degenerate:
        console.print(
            "The game is degenerate: equilibria may form continua. Components (equilibrium "
            f"numbers): {[list(c) for c in eqs.components]}",
            markup=False,
        )
    console.print(f"Pareto-optimal pure outcomes (row, col): {pareto}", markup=False)


@app.command("classify")
def classify_cmd(
    row: Annotated[str, typer.Option("--row", help="Row payoffs as a 2x2 JSON matrix.")],
    col: Annotated[
        str | None, typer.Option("--col", help="Column payoffs (omit: symmetric).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Name a 2x2 game by its ordinal payoffs (prisoner's dilemma, stag hunt, chicken, ...)."""
    from ..games import Game, classify

    r = _matrix(row, "--row")
    if col is None:
        game = Game.symmetric(r) if np.asarray(r).ndim == 2 else _game(row, None)
    else:
        game = _game(row, col)
    cls = classify(game)
    if as_json:
        print_json({"game": game.to_dict(), **cls.to_dict()})
        return
    console.print(f"[bold]{cls.name}[/bold] ({cls.family})")
    console.print(
        f"row order {cls.orders[0]}, column order {cls.orders[1]}; pure equilibria "
        f"{list(cls.pure_equilibria)}",
        markup=False,
    )
    if cls.ties:
        console.print("Tied payoffs: the name lists every game the ties lie between.", markup=False)


def _short(outcome: str) -> str:
    """A table-sized outcome label: "restraint (C,C)" -> "C,C restraint"."""
    if outcome.startswith("mixed"):
        return "mixed, P(C)=" + outcome.rsplit("=", 1)[-1]
    label, cell = outcome.rsplit(" (", 1)
    return f"{cell.rstrip(')')} {label.split()[-1] if 'exploited' in label else label}"


@app.command()
def jervis(
    gain: Annotated[float, typer.Option(help="R: gain from mutual restraint.")] = 2.0,
    temptation: Annotated[
        float, typer.Option(help="Gain from exploiting when offence is strong.")
    ] = 2.0,
    exploitation_cost: Annotated[float, typer.Option(help="Loss from being exploited.")] = 3.0,
    arms_cost: Annotated[float, typer.Option(help="-P: cost of a mutual arms race.")] = 1.0,
    offence_dominant: Annotated[
        float, typer.Option(help="Offence share in the offence worlds.")
    ] = 0.75,
    defence_dominant: Annotated[
        float, typer.Option(help="Offence share in the defence worlds.")
    ] = 0.25,
    distinguishable: Annotated[
        float, typer.Option(help="Distinguishability when distinguishable.")
    ] = 1.0,
    indistinguishable: Annotated[float, typer.Option(help="Distinguishability when not.")] = 0.0,
    grid: Annotated[
        int, typer.Option(help="Also map the game over an N x N offence x distinguishability grid.")
    ] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Jervis's four worlds: the game and its equilibrium outcome in each."""
    from ..games import JervisParams, four_worlds, world_grid

    params = JervisParams(gain, temptation, exploitation_cost, arms_cost).validate()
    for name, v in {
        "--offence-dominant": offence_dominant,
        "--defence-dominant": defence_dominant,
        "--distinguishable": distinguishable,
        "--indistinguishable": indistinguishable,
    }.items():
        if not 0.0 <= v <= 1.0:
            raise BadInput(Problem(f"must be in [0, 1], got {v}", path=name))
    if (
        not offence_dominant > 0.5 >= defence_dominant
        or not distinguishable > 0.5 >= indistinguishable
    ):
        raise BadInput(
            Problem(
                "offence/distinguishable settings must be above 0.5 and defence/indistinguishable "
                "at or below it",
                path="--offence-dominant",
            )
        )
    if grid and not 2 <= grid <= 101:
        raise BadInput(Problem(f"must be between 2 and 101, got {grid}", path="--grid"))
    worlds = four_worlds(
        params,
        offence_dominant=offence_dominant,
        defence_dominant=defence_dominant,
        distinguishable=distinguishable,
        indistinguishable=indistinguishable,
    )
    mapping = world_grid(params, grid, grid) if grid else None
    if as_json:
        doc: dict[str, Any] = {
            "params": {
                "gain": gain,
                "temptation": temptation,
                "exploitation_cost": exploitation_cost,
                "arms_cost": arms_cost,
            },
            "worlds": [w.to_dict() for w in worlds],
        }
        if mapping is not None:
            doc["grid"] = mapping
        print_json(doc)
        return
    t = FitTable(title="Jervis's four worlds")
    for c in (
        "#",
        "dominant",
        "distinguishable",
        "R, S, T, P",
        "greed",
        "fear",
        "game",
        "equilibria",
    ):
        t.add_column(c, wrap=c in ("R, S, T, P", "game", "equilibria"))
    for w in worlds:
        t.add_row(
            str(w.number),
            "offence" if w.params.offence > 0.5 else "defence",
            "yes" if w.params.distinguishability > 0.5 else "no",
            " ".join(f"{v:.3g}" for v in w.rstp),
            f"{w.greed:.3g}",
            f"{w.fear:.3g}",
            w.game_name,
            "\n".join(_short(o) for o in w.outcomes),
        )
    console.print(t)
    for w in worlds:
        console.print(f"  {w.number}: {w.description}", markup=False)
    if mapping is not None:
        g = FitTable(title="Game by offence (rows) and distinguishability (columns)")
        g.add_column("offence")
        for d in mapping["distinguishability"]:  # type: ignore[attr-defined]
            g.add_column(f"{d:.2f}", wrap=True)
        for o, names in zip(mapping["offence"], mapping["game"], strict=True):  # type: ignore[call-overload]
            g.add_row(f"{o:.2f}", *names)
        console.print(g)


@app.command()
def kydd(
    prior: Annotated[
        float, typer.Option(help="Prior probability the sender is trustworthy.")
    ] = 0.3,
    cost: Annotated[float, typer.Option(help="Cost of the reassuring signal.")] = 2.0,
    value_trustworthy: Annotated[
        float, typer.Option(help="What being trusted is worth to a security seeker.")
    ] = 3.0,
    value_untrustworthy: Annotated[
        float, typer.Option(help="What being trusted is worth to a greedy state.")
    ] = 1.0,
    reward: Annotated[float, typer.Option(help="Receiver: trusting a trustworthy sender.")] = 3.0,
    sucker: Annotated[float, typer.Option(help="Receiver: trusting a greedy sender.")] = -2.0,
    punishment: Annotated[float, typer.Option(help="Receiver: not trusting.")] = 0.0,
    as_json: JsonOpt = False,
) -> None:
    """Kydd's reassurance game: separating, pooling and semi-separating equilibria."""
    from ..games import reassurance

    res = reassurance(
        prior,
        cost,
        value_trustworthy=value_trustworthy,
        value_untrustworthy=value_untrustworthy,
        reward=reward,
        sucker=sucker,
        punishment=punishment,
    )
    if as_json:
        print_json(res.to_dict())
        return
    console.print(
        f"Trust threshold {res.trust_threshold:.3g} (prior {prior:.3g}); "
        "a signal reassures when its "
        f"cost is in [{res.cost_window[0]:.3g}, {res.cost_window[1]:.3g}] (cost {cost:.3g}).",
        markup=False,
    )
    t = FitTable(title="Equilibria")
    for c in (
        "kind",
        "signal|secure",
        "signal|greedy",
        "trust|signal",
        "trust|none",
        "belief|signal",
        "intuitive",
    ):
        t.add_column(c)
    for e in res.equilibria:
        t.add_row(
            e.kind,
            f"{e.signal_trustworthy:.3g}",
            f"{e.signal_untrustworthy:.3g}",
            f"{e.trust_after_signal:.3g}",
            f"{e.trust_after_no_signal:.3g}",
            "-" if e.belief_after_signal is None else f"{e.belief_after_signal:.3g}",
            "yes" if e.intuitive else "no",
        )
    console.print(t)
    console.print(
        "signal|type: P(the type signals); trust|...: P(the receiver trusts); "
        "belief: P(trustworthy). "
        "intuitive: survives the Cho-Kreps intuitive criterion.",
        markup=False,
    )


def _config(
    turns: int, noise: float, misperception: float, prob_end: float | None, payoffs: str
) -> MatchConfig:
    from ..games import MatchConfig

    return MatchConfig(
        turns=turns,
        noise=noise,
        misperception=misperception,
        prob_end=prob_end,
        payoffs=_payoffs(payoffs),
    ).validate()


@app.command("match")
def match_cmd(
    first: Annotated[str, typer.Argument(help="First strategy, e.g. TitForTat or Random(0.3).")],
    second: Annotated[str, typer.Argument(help="Second strategy.")],
    turns: TurnsOpt = 200,
    noise: NoiseOpt = 0.0,
    misperception: MisOpt = 0.0,
    prob_end: ProbEndOpt = None,
    payoffs: PayoffsOpt = "3,0,5,1",
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Play one iterated match: the moves ("C"/"D") and scores per round and in total."""
    from ..games import match

    a, b = _strategies([first]), _strategies([second])
    if len(a) != 1 or len(b) != 1:
        raise BadInput(Problem("give exactly one strategy per player", path="strategy"))
    res = match(a[0], b[0], _config(turns, noise, misperception, prob_end, payoffs), seed=seed)
    if as_json:
        print_json(res.to_dict())
        return
    d = res.to_dict()
    t = FitTable(title=f"{res.players[0]} vs {res.players[1]} ({len(res.moves[0])} rounds)")
    for c in ("player", "moves (first 60)", "total", "per round", "cooperation"):
        t.add_column(c, wrap=c in ("player", "moves (first 60)"))
    for k in (0, 1):
        t.add_row(
            res.players[k],
            res.moves[k][:60],
            f"{res.totals[k]:.4g}",
            f"{d['scores']['mean'][k]:.4g}",  # type: ignore[index]
            f"{d['cooperation_rate'][k]:.1%}",  # type: ignore[index]
        )
    console.print(t)


@app.command()
def tournament(
    strategies: Annotated[
        list[str] | None,
        typer.Option("--strategies", help="Strategies, comma-separated (default: ten classics)."),
    ] = None,
    turns: TurnsOpt = 200,
    repetitions: Annotated[
        int, typer.Option("--repetitions", help="Times each match is played.")
    ] = 10,
    noise: NoiseOpt = 0.0,
    misperception: MisOpt = 0.0,
    prob_end: ProbEndOpt = None,
    payoffs: PayoffsOpt = "3,0,5,1",
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """A round-robin tournament (with self-play), ranked by median score per round."""
    from ..games import round_robin

    players = _strategies(strategies)
    config = _config(turns, noise, misperception, prob_end, payoffs)
    with progress_bar(quiet, as_json) as bar:
        task = bar.add_task("rounds", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        res = round_robin(players, config, repetitions, seed, on_round=advance)

    if as_json:
        print_json(res.to_dict())
        return
    t = FitTable(
        title=f"Round robin: {len(players)} strategies, {turns} rounds, {repetitions} repetitions"
    )
    for c in ("rank", "strategy", "median", "mean", "95% CI", "coop.", "wins"):
        t.add_column(c, wrap=c == "strategy", drop={"mean": 2, "95% CI": 1}.get(c, 0))
    for r in res.to_dict()["ranking"]:  # type: ignore[attr-defined]
        t.add_row(
            str(r["rank"]),
            r["strategy"],
            f"{r['median_score']:.3f}",
            f"{r['mean_score']:.3f}",
            f"[{r['ci95'][0]:.3f}, {r['ci95'][1]:.3f}]",
            f"{r['cooperation_rate']:.1%}",
            f"{r['wins']:.1f}",
        )
    console.print(t)


@app.command()
def moran(
    mutant: Annotated[str, typer.Argument(help="Invading strategy.")],
    resident: Annotated[str, typer.Argument(help="Resident strategy.")],
    population: Annotated[int, typer.Option(help="Population size N.")] = 20,
    intensity: Annotated[float, typer.Option(help="Selection intensity w in [0, 1].")] = 0.1,
    runs: Annotated[int, typer.Option(help="Simulated populations (0: closed form only).")] = 2000,
    turns: TurnsOpt = 50,
    repetitions: Annotated[int, typer.Option(help="Repetitions of the payoff tournament.")] = 20,
    noise: NoiseOpt = 0.0,
    misperception: MisOpt = 0.0,
    prob_end: ProbEndOpt = None,
    payoffs: PayoffsOpt = "3,0,5,1",
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Can one mutant take over? Moran fixation probability vs the neutral 1/N."""
    from ..games import fixation_probability, moran_process, round_robin

    players = _strategies([mutant]) + _strategies([resident])
    if not 2 <= population <= 10_000:
        raise BadInput(
            Problem(f"must be between 2 and 10000, got {population}", path="--population")
        )
    if not 0 <= runs <= 1_000_000:
        raise BadInput(Problem(f"must be between 0 and 1000000, got {runs}", path="--runs"))
    config = _config(turns, noise, misperception, prob_end, payoffs)
    tour = round_robin(players, config, repetitions, seed)
    pay = tour.payoff_matrix
    rho = fixation_probability(pay, population, intensity)
    sim = None
    if runs:
        counts = np.array([1, population - 1])
        sim = moran_process(
            pay, counts, np.random.default_rng(seed), runs=runs, intensity=intensity
        )
    doc = {
        "mutant": tour.names[0],
        "resident": tour.names[1],
        "population": population,
        "intensity": intensity,
        "payoff_matrix": pay.tolist(),
        "fixation_probability": rho,
        "neutral": 1 / population,
        "favoured": rho > 1 / population,
        "simulated": None
        if sim is None
        else {"runs": runs, "fixation_rate": float(sim.fixation_rates[0])},
    }
    if as_json:
        print_json(doc)
        return
    console.print(
        f"One {tour.names[0]} in {population - 1} {tour.names[1]}: fixation probability "
        f"{rho:.4f} (neutral {1 / population:.4f}; selection "
        f"{'favours' if rho > 1 / population else 'opposes'} the mutant)"
        + ("" if sim is None else f"; simulated {sim.fixation_rates[0]:.4f} over {runs} runs"),
        markup=False,
    )


@app.command("replicator")
def replicator_cmd(
    strategies: Annotated[
        list[str] | None, typer.Option("--strategies", help="Strategies, comma-separated.")
    ] = None,
    t_max: Annotated[float, typer.Option("--time", help="Integration time.")] = 100.0,
    turns: TurnsOpt = 50,
    repetitions: Annotated[int, typer.Option(help="Repetitions of the payoff tournament.")] = 20,
    noise: NoiseOpt = 0.0,
    misperception: MisOpt = 0.0,
    prob_end: ProbEndOpt = None,
    payoffs: PayoffsOpt = "3,0,5,1",
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Replicator dynamics on tournament payoffs: shares from an even start, stable rest points."""
    from ..games import replicator, rest_points, round_robin

    players = _strategies(strategies or ["TitForTat", "Defector", "Cooperator"])
    if not 0 < t_max <= 1e5:
        raise BadInput(Problem(f"must be in (0, 100000], got {t_max}", path="--time"))
    tour = round_robin(
        players, _config(turns, noise, misperception, prob_end, payoffs), repetitions, seed
    )
    k = len(players)
    _times, shares = replicator(tour.payoff_matrix, np.full(k, 1.0 / k), t_max)
    rests = rest_points(tour.payoff_matrix) if k <= 12 else []
    doc = {
        "strategies": list(tour.names),
        "payoff_matrix": tour.payoff_matrix.tolist(),
        "final_shares": shares[-1].tolist(),
        "time": t_max,
        "stable_rest_points": [r.to_dict() for r in rests if r.stable],
    }
    if as_json:
        print_json(doc)
        return
    t = FitTable(title=f"Replicator dynamics from an even start, t = {t_max:g}")
    t.add_column("strategy", wrap=True)
    t.add_column("final share", "right")
    for name, x in zip(tour.names, shares[-1], strict=True):
        t.add_row(name, f"{x:.3f}")
    console.print(t)
    for r in rests:
        if r.stable:
            parts = [f"{n} {x:.3f}" for n, x in zip(tour.names, r.state, strict=True) if x > 1e-9]
            console.print("stable rest point: " + ", ".join(parts), markup=False)


@app.command("strategies")
def strategies_cmd(as_json: JsonOpt = False) -> None:
    """List the strategy names the iterated games understand."""
    from ..games import STRATEGIES

    names = list(STRATEGIES)
    if as_json:
        print_json({"strategies": names, "default_lineup": list(DEFAULT_LINEUP)})
        return
    for n in names:
        suffix = {
            "Random": "(p)",
            "GenerousTitForTat": "(generosity)",
            "MemoryOne": "(cc,cd,dc,dd[,first])",
        }
        console.print(n + suffix.get(n, ""), markup=False)


def register(main_app: typer.Typer) -> None:
    """Add the ``games`` sub-app to the application."""
    main_app.add_typer(app, name="games")
