"""``dilemma sweep``, ``dilemma sensitivity`` and ``dilemma runs list|show|export``.

Results go to a DuckDB store (``./runs.duckdb`` unless ``--store`` says otherwise). Running the
same command again resumes an interrupted run: only the missing chunks are computed.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from .._output import check_writable
from .._tables import FitTable
from ..errors import BadInput, Problem, did_you_mean
from ._common import (
    ALL_LENSES,
    CASE_LENSES,
    DEFAULT_STORE,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    CaseArg,
    JsonOpt,
    LensesOpt,
    LensRun,
    MetricsOpt,
    QuietOpt,
    ReplicatesOpt,
    RestraintOpt,
    SeedOpt,
    StoreOpt,
    console,
    err_console,
    parse_lenses,
    parse_metrics,
    parse_parameter,
    plain,
    print_json,
    show_progress,
    to_jsonable,
)

if TYPE_CHECKING:
    from ..experiments import Output
    from ..experiments.params import LensSetting
    from ..scenario import Case

__all__ = ["lens_setting", "parse_output", "register", "runs_app"]

runs_app = typer.Typer(
    name="runs",
    help="List, show and export the runs kept in a results store.",
    no_args_is_help=True,
)

ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="One per parameter. sweep: NAME=LO:HI:N[:log] (N values from LO to HI), "
        "NAME=A,B,C or NAME=V, several making a grid; sensitivity: NAME=LO:HI.",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        help="METRIC[:ACTOR[:COUNTERPART]]: a stored metric's final-step value (sensitivity: "
        "the output analysed; runs show: its distribution per point).",
        show_default=False,
    ),
]
ChunkOpt = Annotated[
    int | None,
    typer.Option(
        "--chunk-size",
        help="Replicates per chunk: the unit of work and of commits (default: at most 50).",
        show_default=False,
    ),
]
ExecutorOpt = Annotated[
    str, typer.Option("--executor", help="local (process pool), dask, or serial (this process).")
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-w",
        help="Worker processes (local) or LocalCluster workers (dask) (default: all cores).",
        show_default=False,
    ),
]
AddressOpt = Annotated[
    str | None,
    typer.Option(
        "--address",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: start a LocalCluster).",
        show_default=False,
    ),
]
JsonLinesOpt = Annotated[
    bool,
    typer.Option(
        "--json-lines",
        help="Print one JSON object per line on stdout: start, each committed chunk, end.",
    ),
]


class ChunkRateColumn(ProgressColumn):
    """Chunk throughput, in chunks per second."""

    def render(self, task: Task) -> Text:
        """``1.23 chunks/s`` once a rate is known."""
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.2f} chunks/s", style="progress.data.speed")


@contextmanager
def _progress(quiet: bool, as_json: bool) -> Iterator[Progress]:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        ChunkRateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err_console,
        disable=not show_progress(quiet, as_json),
    )
    with progress:
        yield progress


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


def _command(ctx: typer.Context) -> str:
    """The command as a canonical line (options in declaration order, defaults left out)."""
    words = ["dilemma", ctx.info_name or ""]
    for param in ctx.command.params:
        name = param.name or ""
        value = ctx.params.get(name)
        if name in ("as_json", "json_lines", "quiet"):
            continue
        if param.param_type_name == "argument":
            words.append(str(value))
        elif value is None or value in ([], ()) or value == param.default:
            continue
        elif isinstance(value, bool):
            words.append(param.opts[0] if value else param.secondary_opts[0])
        else:
            for v in value if isinstance(value, list | tuple) else [value]:
                words += [param.opts[0], str(v)]
    return shlex.join(words)


def _execute(
    ctx: typer.Context,
    plan: Any,
    store_path: Path,
    executor_name: str,
    workers: int | None,
    address: str | None,
    *,
    as_json: bool,
    json_lines: bool,
    quiet: bool,
    label: str,
) -> Any:
    """Run ``plan`` with progress reporting; return the report (exit 1 if a chunk failed)."""
    from ..experiments import ExecutorLost, SweepFailed, make_executor, run_plan
    from ..experiments.store import interrupted

    if as_json and json_lines:
        raise BadInput(Problem("choose one of --json and --json-lines", path="--json"))
    if executor_name == "dask" and not os.environ.get("DILEMMA_DEBUG"):
        # Dask logs reconnection attempts with tracebacks; the command reports the outcome.
        import distributed  # noqa: F401 - configures its loggers, which are then quietened

        for name in ["distributed", *logging.root.manager.loggerDict]:
            if name.split(".")[0] == "distributed":
                logging.getLogger(name).setLevel(logging.CRITICAL)

    with (
        _open_store(store_path) as store,
        make_executor(executor_name, workers=workers, address=address) as executor,
        _progress(quiet or json_lines, as_json) as progress,
    ):
        tasks: list[Any] = []

        def on_start(done: int, total: int) -> None:
            tasks.append(progress.add_task(label, total=total, completed=done))
            if json_lines:
                _emit(
                    {
                        "event": "start",
                        "run_id": plan.run_id,
                        "total": total,
                        "already_done": done,
                        "executor": executor.name,
                        "workers": executor.workers,
                    }
                )

        def on_chunk(event: Any) -> None:
            progress.update(tasks[0], completed=event.done)
            if json_lines:
                _emit({"event": "chunk", **to_jsonable(event)})

        try:
            report = run_plan(
                plan,
                store,
                executor,
                on_chunk=on_chunk,
                on_start=on_start,
                command=_command(ctx),
            )
        except SweepFailed as exc:
            _finish(exc.report, store_path, as_json, json_lines, quiet)
            raise typer.Exit(EXIT_FAILURE) from None
        except (KeyboardInterrupt, Exception) as exc:
            if not interrupted(exc):
                raise
            done = len(store.done_chunks(plan.run_id))
            message = (
                f"interrupted, {done} of {plan.n_chunks} chunks stored in {store_path}; "
                "rerun the same command to resume"
            )
            doc = {"ok": False, "error": "interrupted", "message": message}
            if json_lines:
                _emit({"event": "end", **doc})
            elif as_json:
                print_json(doc)
            err_console.print(message, markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except ExecutorLost as exc:
            done = len(store.done_chunks(plan.run_id))
            message = (
                f"{exc}; {done} of {plan.n_chunks} chunks are committed in {store_path}; "
                "run the same command again to finish"
            )
            if as_json or json_lines:
                doc = {"ok": False, "error": "failure", "message": message}
                if json_lines:
                    _emit({"event": "end", **doc})
                else:
                    print_json(doc)
            else:
                err_console.print(f"error: {message}", markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_FAILURE) from None
    if plan.kind == "sweep" or not as_json:  # sensitivity prints its own JSON document
        _finish(report, store_path, as_json, json_lines, quiet)
    return report


def _finish(report: Any, store: Path, as_json: bool, json_lines: bool, quiet: bool) -> None:
    data = {"ok": report.status == "complete", **to_jsonable(report)}
    data["seconds"] = round(report.seconds, 3)
    if json_lines:
        _emit({"event": "end", **data})
    elif as_json:
        print_json(data)
    elif report.status != "complete":
        err_console.print(f"error: {report.message}", markup=False, soft_wrap=True)
    elif not quiet:
        console.print(
            f"run [bold]{report.run_id}[/bold]: {report.points} points, {report.total} chunks "
            f"({report.already_done} already done, {report.computed} computed) in "
            f"{report.seconds:.1f} s on {report.executor} x{report.workers}; store {plain(store)}"
            + (
                f"; {report.repaired} damaged chunks found in the store were computed again"
                if report.repaired
                else ""
            ),
        )


def parse_output(text: str) -> Output:
    """``--output``: ``METRIC``, ``METRIC:ACTOR`` or ``METRIC:ACTOR:COUNTERPART``.

    >>> parse_output("crisis_prob:USA:RUS")
    Output(metric='crisis_prob', actor='USA', counterpart='RUS')
    """
    from ..experiments import Output

    parts = [p.strip() for p in text.split(":")]
    if not 1 <= len(parts) <= 3 or not parts[0]:
        raise BadInput(
            Problem(
                f"expected METRIC, METRIC:ACTOR or METRIC:ACTOR:COUNTERPART, got '{text}'",
                path="--output",
            )
        )
    return Output(*parts)


Spec = TypeVar("Spec")


def _parameters(texts: list[str], kind: type[Spec], forms: str) -> list[Spec]:
    """Each ``--param`` text as a ``kind`` record; every problem is reported at once."""
    out: list[Spec] = []
    problems: list[Problem] = []
    for text in texts:
        try:
            spec = parse_parameter(text, "--param")
        except BadInput as exc:
            problems += exc.problems
            continue
        if isinstance(spec, kind):
            out.append(spec)
        else:
            problems.append(Problem(f"{forms} in '{text}'", path="--param"))
    if problems:
        raise BadInput(problems)
    return out


def lens_setting(run: LensRun, actors: list[str]) -> LensSetting:
    """A ``--lens`` run as the library's lens setting (:func:`~..engine.simulate`'s ``lens``)."""
    pairs = dict(run.actors)
    if run.lens == CASE_LENSES:
        return pairs or None
    if not pairs:
        return run.lens
    return {actor: pairs.get(actor, run.lens) for actor in actors}


def _lens_settings(case: Case, values: list[str] | None, keywords: list[str]) -> list[LensSetting]:
    actors = case.actor_ids()
    runs = parse_lenses(values, default=CASE_LENSES, keywords=keywords, actors=actors)
    return [lens_setting(run, actors) for run in runs]


def sweep(
    ctx: typer.Context,
    case: CaseArg,
    param: ParamOpt = None,
    lens: LensesOpt = None,
    replicates: ReplicatesOpt = 200,
    seed: SeedOpt = 0,
    chunk_size: ChunkOpt = None,
    metrics: MetricsOpt = None,
    restraint: RestraintOpt = True,
    executor: ExecutorOpt = "local",
    workers: WorkersOpt = None,
    address: AddressOpt = None,
    store: StoreOpt = DEFAULT_STORE,
    as_json: JsonOpt = False,
    json_lines: JsonLinesOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Run a case over a grid of parameter points, keeping every result in the store.

    Re-running the same command resumes it: only chunks not yet committed are computed.
    """
    from ..experiments import ParameterSpec, sweep_plan
    from ..scenario import load_case

    c = load_case(case)
    specs = _parameters(
        param or [], ParameterSpec, "a sweep takes NAME=LO:HI:N[:log], NAME=A,B,C or NAME=V"
    )
    plan = sweep_plan(
        c,
        specs,
        lenses=_lens_settings(c, lens, [ALL_LENSES, CASE_LENSES]),
        replicates=replicates,
        seed=seed,
        chunk_size=chunk_size,
        metrics=parse_metrics(metrics),
        restraint=restraint,
    )
    _execute(
        ctx,
        plan,
        store,
        executor,
        workers,
        address,
        as_json=as_json,
        json_lines=json_lines,
        quiet=quiet,
        label=f"sweep {plan.run_id[:8]}",
    )


def sensitivity(
    ctx: typer.Context,
    case: CaseArg,
    param: ParamOpt = None,
    output: OutputOpt = None,
    method: Annotated[str, typer.Option("--method", help="sobol or morris.")] = "sobol",
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            help="Base samples N: Sobol' evaluates N(2D+2) points (N a power of 2), "
            "Morris N(D+1) (N trajectories), for D parameters.",
        ),
    ] = 256,
    levels: Annotated[int, typer.Option("--levels", help="Morris grid levels.")] = 4,
    lens: LensesOpt = None,
    replicates: ReplicatesOpt = 20,
    seed: SeedOpt = 0,
    chunk_size: ChunkOpt = None,
    metrics: MetricsOpt = None,
    restraint: RestraintOpt = True,
    conf_level: Annotated[
        float, typer.Option("--conf-level", min=0.5, max=0.999, help="Confidence level.")
    ] = 0.95,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            help="Write a bar chart of the indices (.png, .svg or .pdf).",
            show_default=False,
        ),
    ] = None,
    executor: ExecutorOpt = "local",
    workers: WorkersOpt = None,
    address: AddressOpt = None,
    store: StoreOpt = DEFAULT_STORE,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Sobol' or Morris sensitivity of one output to parameter ranges (SALib).

    The sample points are run and stored like a sweep (resumable); the indices, with
    bootstrap confidence intervals, are stored in the 'sensitivity' table.
    """
    from ..experiments import Bound, analyze, plot_indices, sensitivity_plan
    from ..scenario import load_case

    if not output:
        raise BadInput(
            Problem("--output METRIC[:ACTOR[:COUNTERPART]] is required", path="--output")
        )
    target = parse_output(output)
    if plot is not None and plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise BadInput(Problem("--plot must end in .png, .svg or .pdf", path="--plot"))
    if plot is not None:
        check_writable(plot, "--plot")
    chosen = parse_metrics(metrics)
    if chosen and target.metric not in chosen:
        raise BadInput(
            Problem(f"--output metric '{target.metric}' is not among --metrics", path="--output")
        )
    c = load_case(case)
    ranges = _parameters(param or [], Bound, "a sensitivity range is NAME=LO:HI")
    (setting, *more) = _lens_settings(c, lens, [CASE_LENSES])
    if more:
        raise BadInput(Problem("sensitivity analyses one lens setting at a time", path="--lens"))
    plan, bounds, x = sensitivity_plan(
        c,
        ranges,
        method=method,
        samples=samples,
        lens=setting,
        replicates=replicates,
        seed=seed,
        chunk_size=chunk_size,
        metrics=chosen,
        levels=levels,
        restraint=restraint,
    )
    report = _execute(
        ctx,
        plan,
        store,
        executor,
        workers,
        address,
        as_json=as_json,
        json_lines=False,
        quiet=quiet,
        label=f"{method} {plan.run_id[:8]}",
    )
    with _open_store(store) as st:
        means = st.output_means(plan.run_id, target.metric, target.actor, target.counterpart)
        if (means["n"] == 0).all():
            outs = st.outputs(plan.run_id)
            known = [
                ":".join(str(p) for p in (r.metric, r.actor, r.counterpart) if p)
                for r in outs.itertuples()
            ]
            raise BadInput(
                Problem(
                    f"no stored output '{target}'{did_you_mean(str(target), known)}; "
                    f"e.g. {', '.join(known[:6])}",
                    path="--output",
                )
            )
        y = means["mean"].to_numpy(dtype=float)
        indices = analyze(method, bounds, x, y, seed=seed, conf_level=conf_level, levels=levels)
        st.save_indices(plan.run_id, str(target), method, indices, conf_level)
    if plot is not None:
        plot_indices(
            indices,
            plot,
            title=f"{plan.model.identity()['case']}: "
            f"{ {'sobol': 'Sobol', 'morris': 'Morris'}[method] } indices of {target} "
            f"({len(plan.points)} points x {replicates} replicates, {conf_level:.0%} CI)",
        )
    if as_json:
        print_json(
            {
                "ok": True,
                "run_id": plan.run_id,
                "method": method,
                "output": str(target),
                "points": len(plan.points),
                "replicates": replicates,
                "conf_level": conf_level,
                "indices": indices,
                "plot": plot,
                "sweep": to_jsonable(report),
            }
        )
        return
    table = FitTable(title=f"{method} indices of {plain(target)}")
    for col in ("index", "parameter", "parameter2", "value", f"± ({conf_level:.0%})"):
        table.add_column(col, "right" if col not in ("index", "parameter") else "left")
    for rec in indices.to_dict(orient="records"):
        conf = float(rec["conf"])
        table.add_row(
            str(rec["index"]),
            str(rec["parameter"]),
            str(rec["parameter2"]),
            f"{float(rec['value']):.3f}",
            "" if math.isnan(conf) else f"{conf:.3f}",
        )
    console.print(table)
    if plot is not None:
        console.print(f"plot: {plot}", markup=False)


# --- runs -----------------------------------------------------------------------------------


@contextmanager
def _open_store(store: Path, *, read_only: bool = False) -> Iterator[Any]:
    """The store, open; a file DuckDB cannot read through (truncated, corrupt) or write to
    (disk full) is :class:`BadInput` at ``--store``, not a raw database error."""
    import duckdb

    from ..experiments import Store

    try:
        with Store.open(store, create=not read_only, read_only=read_only) as st:
            yield st
    except duckdb.IOException as exc:
        raise BadInput(
            Problem(
                f"cannot read or write the store '{store}' (a truncated or corrupt file, a "
                f"full disk?): {exc}",
                path="--store",
            )
        ) from None


def _open_read(store: Path) -> Any:
    return _open_store(store, read_only=True)


@runs_app.command("list")
def runs_list(store: StoreOpt = DEFAULT_STORE, as_json: JsonOpt = False) -> None:
    """List the runs in the store, newest first, with how many chunks are done."""
    with _open_read(store) as st:
        frame = st.runs()
    if as_json:
        print_json({"store": store, "runs": frame})
        return
    if frame.empty:
        console.print(f"{store}: no runs yet", markup=False)
        return
    table = FitTable(padding=(0, 1), pad_edge=False, show_edge=False)
    for col in ("run", "kind", "case", "created (UTC)", "points", "reps", "chunks"):
        table.add_column(
            col,
            "right" if col in ("points", "reps", "chunks") else "left",
            drop={"points": 1, "kind": 2, "created (UTC)": 3}.get(col, 0),
        )
    for r in frame.itertuples():
        done = f"{r.chunks_done}/{r.n_chunks}"
        table.add_row(
            str(r.run_id),
            str(r.kind),
            str(r.case_id),
            str(r.created_at)[:16],
            str(r.n_points),
            str(r.replicates),
            done
            if r.status == "complete"
            else f"[red]{done}, {r.chunks_damaged} damaged[/red]"
            if r.chunks_damaged
            else f"[yellow]{done}[/yellow]",
        )
    console.print(table)


@runs_app.command("show")
def runs_show(
    run: Annotated[
        str, typer.Argument(help="Run id, a unique prefix of it, or 'last' (the newest run).")
    ],
    output: OutputOpt = None,
    store: StoreOpt = DEFAULT_STORE,
    as_json: JsonOpt = False,
) -> None:
    """Show a run: specification, versions, sessions, points and (with --output) results."""
    target = parse_output(output) if output else None
    with _open_read(store) as st:
        run_id = st.resolve(run)
        info = st.run_info(run_id)
        points = st.table(run_id, "points")
        summary = None
        if target is not None:
            s = st.table(run_id, "summary")
            summary = s[
                (s["metric"] == target.metric)
                & (s["actor"] == target.actor)
                & (s["counterpart"] == target.counterpart)
            ].drop(columns=["actor", "counterpart", "metric"])
            if summary.empty:
                known = st.outputs(run_id)
                names = [":".join(p for p in r if p) for r in known.itertuples(index=False)]
                raise BadInput(
                    Problem(
                        f"no stored output '{target}'{did_you_mean(str(target), names)}",
                        path="--output",
                    )
                )
        indices = st.table(run_id, "sensitivity") if info["outputs_analysed"] else None
    if as_json:
        doc = {**info, "points": points}
        if summary is not None:
            doc["summary"] = summary
        if indices is not None:
            doc["indices"] = indices
        print_json(doc)
        return
    console.print(f"[bold]run {run_id}[/bold] ({info['kind']}, {info['status']})")
    spec = info["spec"]
    facts = [
        ("case", f"{info['case_id']} (sha256 {str(info['case_sha256'])[:12]}...)"),
        ("created (UTC)", str(info["created_at"])[:19]),
        (
            "replicates",
            f"{info['replicates']} per point, seed {info['seed']}, chunks of {info['chunk_size']}",
        ),
        (
            "progress",
            f"{info['chunks_done']}/{info['n_chunks']} chunks, "
            f"{info['replicates_done']} replicate runs"
            + (
                f"; {info['chunks_damaged']} chunks damaged (rows lost or altered): run the "
                "command again to recompute them"
                if info["chunks_damaged"]
                else ""
            ),
        ),
        ("spec", json.dumps(spec)),
        ("metrics stored", ", ".join(info["metrics"]) or "-"),
        ("versions", ", ".join(f"{k} {v}" for k, v in info["versions"].items() if k != "platform")),
        ("command", str(info["command"] or "-")),
    ]
    for key, value in facts:
        console.print(f"  {key:15} {value}", markup=False, soft_wrap=True)
    sessions = FitTable(title="sessions", pad_edge=False, show_edge=False)
    for col in ("session", "started (UTC)", "status", "executor", "workers", "host", "chunks"):
        sessions.add_column(col, drop={"host": 2, "executor": 1}.get(col, 0))
    for s in info["sessions"]:
        sessions.add_row(
            str(s["session_id"]),
            str(s["started_at"])[:19],
            str(s["status"]),
            str(s["executor"]),
            str(s["workers"]),
            str(s["host"]),
            str(s["chunks_done"]),
        )
    console.print(sessions)
    frame = summary if summary is not None else points
    title = f"{target} at the final step" if target is not None else "points"
    _print_frame(frame, title, limit=40)
    if indices is not None:
        shown = indices[["output", "index", "parameter", "parameter2", "value", "conf"]]
        _print_frame(shown, "sensitivity indices (conf: half-width of the interval)", limit=60)


def _short_names(columns: list[str]) -> list[str]:
    """Dotted parameter names shortened to their last part where that stays unique."""
    last = [c.rsplit(".", 1)[-1] for c in columns]
    return [s if last.count(s) == 1 else c for c, s in zip(columns, last, strict=True)]


def _print_frame(frame: Any, title: str, limit: int) -> None:
    if "lens" in frame.columns and (frame["lens"] == "").all():
        frame = frame.drop(columns=["lens"])
    if "parameter2" in frame.columns and (frame["parameter2"] == "").all():
        frame = frame.drop(columns=["parameter2"])
    table = FitTable(title=title, padding=(0, 1), pad_edge=False, show_edge=False)
    for col in _short_names([str(c) for c in frame.columns]):
        table.add_column(col, "right")
    for row in frame.head(limit).itertuples(index=False):
        table.add_row(*(f"{v:.3g}" if isinstance(v, float) else plain(v) for v in row))
    console.print(table)
    if len(frame) > limit:
        console.print(
            f"  ... {len(frame) - limit} more rows (use --json or runs export)", markup=False
        )


@runs_app.command("export")
def runs_export(
    run: Annotated[
        str, typer.Argument(help="Run id, a unique prefix of it, or 'last' (the newest run).")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.", show_default=False)],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="parquet or csv (default: from the --out suffix).", show_default=False
        ),
    ] = None,
    table: Annotated[
        str,
        typer.Option(
            "--table",
            help="metrics (every replicate's final values), summary (per point: mean, sd, "
            "quantiles), steps (per-step mean, sd, min, max), points, chunks, sessions, "
            "sensitivity.",
        ),
    ] = "metrics",
    store: StoreOpt = DEFAULT_STORE,
    as_json: JsonOpt = False,
) -> None:
    """Write a run's table to Parquet or CSV, one column per swept parameter."""
    from ..experiments.store import TABLES

    if fmt is None:
        fmt = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}.get(out.suffix.lower())
        if fmt is None:
            raise BadInput(
                Problem(
                    "give --format parquet|csv (the --out suffix does not say)", path="--format"
                )
            )
    if fmt not in ("parquet", "csv"):
        raise BadInput(
            Problem(
                f"unknown format '{fmt}'{did_you_mean(fmt, ['parquet', 'csv'])}", path="--format"
            )
        )
    if table not in TABLES:
        raise BadInput(
            Problem(
                f"unknown table '{table}'{did_you_mean(table, TABLES)}; tables: "
                + ", ".join(TABLES),
                path="--table",
            )
        )
    check_writable(out, "--out")
    with _open_read(store) as st:
        run_id = st.resolve(run)
        rows = st.export(run_id, table, out, fmt)
    if as_json:
        print_json(
            {"ok": True, "run_id": run_id, "table": table, "format": fmt, "out": out, "rows": rows}
        )
        return
    console.print(f"wrote {rows} rows of {table} for run {run_id} to {out}", markup=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(sweep)
    app.command()(sensitivity)
    app.add_typer(runs_app)
