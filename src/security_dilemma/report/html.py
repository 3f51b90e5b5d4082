"""The self-contained HTML report of a case: findings, what its counterfactual worlds say, map,
trajectories, network, backtest, assumptions and sources in one file that opens offline.

Rendered by Jinja2 from ``report/templates/report.html.j2`` with autoescaping on, so every
string from a case file is escaped; figures are embedded as base64 PNG data URIs and the
styles are inline, so the page loads nothing. The only web addresses in it are the plain links
of the case's sources and of the project documentation.
"""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from .._tables import fixed
from ..history.backtest import CLIMATOLOGY_DEFINITION
from ..history.baselines import BASELINES, STATISTICAL_MODEL
from ..history.forecast import interval_text
from .figures import (
    NETWORK_MAX_ACTORS,
    backtest_figure,
    data_uri,
    forecast_figure,
    map_figure,
    network_figure,
    trajectories_figure,
)
from .findings import (
    DyadRisk,
    LensFindings,
    SplitRows,
    TableRow,
    findings_by_lens,
    key_actors,
    key_dyads,
    low_start,
    low_start_text,
    share,
    split_rows,
)
from .forecast import spread_answer
from .question import year_ranges
from .whatif import section_title, whatif_context

if TYPE_CHECKING:
    from ..engine import Result
    from ..history.backtest import Backtest
    from ..history.forecast import RollingForecast
    from ..history.uncertainty import ParameterSpread
    from ..scenario.schema import Case
    from ..whatif.compare import CounterfactualComparison
    from .question import QuestionAnswer

__all__ = ["DOCS_URL", "RUN_NOTES", "ReportInputs", "build_report", "run_note", "write_report"]

DOCS_URL = "https://github.com/security-dilemma/security-dilemma/tree/main/docs"
"""Where the project's documentation (docs/model.md) is published."""


@dataclass(frozen=True)
class ReportInputs:
    """Everything the template needs, prepared (kept for tests and other renderers)."""

    case: Case
    results: Mapping[str, Result]
    backtest: Backtest | None
    findings: Sequence[LensFindings]
    dyads: Sequence[tuple[str, str]]
    actors: Sequence[str]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("security_dilemma.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["ci"] = interval_text
    env.filters["crisis_rate"] = _crisis_rate
    return env


def _crisis_rate(risk: DyadRisk) -> str:
    """A dyad's crisis probability: per step and per year, or per year alone (yearly steps)."""
    if risk.per_step == risk.yearly:
        return f"{risk.per_step:.1%}"
    return f"{risk.per_step:.1%} · {share(risk.yearly)}"


def _findings_rows(findings: Sequence[LensFindings], unit: str) -> SplitRows:
    """The headline findings table's rows (labels and cells as escaped HTML), split by
    :func:`~.findings.split_rows`: rows the same under every lens go in the caption."""

    def row(label: Markup, cell: Callable[[LensFindings], str]) -> TableRow:
        return TableRow(label, [escape(cell(f)) for f in findings])  # Markup stays as it is

    def names(items: Sequence[tuple[str, float]], effort: bool = False) -> str:
        if not items:
            return "nobody"
        return ", ".join(f"{a} ×{_num(e, 2)}" if effort else a for a, e in items)

    def world(f: LensFindings) -> str:
        start = f.jervis_world_start
        moved = f"{start} → " if start is not None and start != f.jervis_world else ""
        return f"{moved}{f.jervis_world}: {f.jervis_description}"

    def restrained(f: LensFindings) -> str:
        better = f"; better off restrained: {', '.join(f.self_defeating)}"
        return _pct(f.self_defeat_all) + (better if f.self_defeating else "")

    def no_policy(f: LensFindings) -> str:
        who = f" ({', '.join(f.no_adequate_actors)})" if f.no_adequate_actors else ""
        return _pct(f.no_adequate_policy) + who

    def crisis(f: LensFindings) -> Markup:
        return Markup("<br>").join(f"{r.actor}-{r.counterpart} {_crisis_rate(r)}" for r in f.crisis)

    def top(f: LensFindings) -> str:
        r = f.top_crisis
        return f"{r.actor}-{r.counterpart} {_crisis_rate(r)}" if r else ""

    rows = []
    if any(f.brier is not None for f in findings):
        rows.append(
            row(
                Markup("Backtest Brier (skill vs climatology)"),
                lambda f: f"{_num(f.brier)} ({_num(f.brier_skill, 2)})",
            )
        )
    jervis = (
        "Jervis's world (start → end; an input: the case's offence-defence setting, not a result)"
    )
    rows += [
        row(Markup("Who arms (final effort)"), lambda f: names(f.arms, effort=True)),
        row(Markup("Who ends less secure"), lambda f: names(f.less_secure)),
        row(Markup(jervis), world),
        row(Markup("Culture of anarchy"), lambda f: f.culture),
        row(Markup("(a) Harm to others (mean Δ security)"), lambda f: _num(f.harm, 4)),
        row(Markup("(b) Self-defeat: all who armed end less secure"), restrained),
        row(
            Markup("(c) Uncertainty: belief entropy · types misread"),
            lambda f: f"{_num(f.belief_entropy, 2)} bits · {_pct(f.misperception)}",
        ),
        row(Markup("(d) No adequate policy"), no_policy),
        row(Markup("Crisis probability, key dyads ({})").format(unit), crisis),
        row(Markup("Highest crisis risk ({})").format(unit), top),
    ]
    return split_rows(rows)


def _num(value: Any, digits: int = 3, *, sign: bool = False) -> str:
    if value is None:
        return "–"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    return "–" if x != x else fixed(x, digits, sign=sign)


def _pct(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{float(value):.{digits}%}"


def _flatten(prefix: str, node: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _flatten(f"{prefix}{k}.", v, out)
    elif node is not None:
        out.append((prefix[:-1], str(node)))


def _parameters(case: Case) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    _flatten("", case.parameters.model_dump(mode="json"), out)
    return out


def _lenses(case: Case, names: Sequence[str]) -> list[dict[str, Any]]:
    from ..lenses import get_lens

    set_values = case.parameters.lenses
    out = []
    for name in names:
        try:
            lens = get_lens(name)
        except Exception:  # a mixed-lens label: no single definition to show
            continue
        values = lens.defaults() | dict(set_values.get(name, {}))
        out.append(
            {
                "name": lens.name,
                "title": lens.title,
                "description": lens.description,
                "citations": list(lens.citations),
                "parameters": [
                    {
                        "name": p.name,
                        "value": values[p.name],
                        "default": p.default,
                        "description": p.description,
                    }
                    for p in lens.parameters
                ],
            }
        )
    return out


def _observable_mapping() -> Markup:
    """The table of engine/predict.py's docstring (reStructuredText) rendered as HTML; a
    docutils warning stops the report rather than printing raw markup."""
    import importlib

    from docutils.core import publish_parts

    doc = importlib.import_module("security_dilemma.engine.predict").__doc__ or ""
    start = doc.find("====")
    text = doc[start:] if start >= 0 else doc
    parts = publish_parts(
        text,
        writer="html5",
        settings_overrides={"report_level": 5, "halt_level": 2, "output_encoding": "unicode"},
    )
    return Markup(parts["fragment"])  # docutils escapes the text it renders


RUN_NOTES = {
    "reach": (
        "Missile reach: the share of each state's territory within range of the other's "
        "missile systems, from their launch areas (geodesic range rings on WGS84)"
    ),
    "intercept": (
        "Interception: the expected share of the warheads aimed at a state that its "
        "operational interceptor sites, with a supporting radar, stop (coverage of the "
        "launch-to-target paths and Wilkening's leakage model)"
    ),
    "erosion": (
        "Deterrent erosion: the share of a state's retaliatory warheads the other's "
        "announced, not cancelled defence sites could stop"
    ),
}
"""What the engine's ``name: method`` notes computed, in words (docs/geography.md)."""


def run_note(note: str) -> str:
    """A note from a run in words: ``erosion: geo.erosion_matrix`` says what deterrent erosion
    is and that it was computed from the case's geography; other notes are kept as written.

    >>> run_note("reach: none")
    'Missile reach: not computed in these steps: no missile system was active.'
    """
    name, sep, method = note.partition(": ")
    if not sep or name not in RUN_NOTES:
        return note
    if method == "none":
        why = "no missile system was active" if name == "reach" else "no site or missile"
        return f"{RUN_NOTES[name].split(':')[0]}: not computed in these steps: {why}."
    return f"{RUN_NOTES[name]}; computed from the case's geography ({method})."


def _sources(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "citation": s.citation,
            "url": s.url,
            "kind": s.kind,
            "note": s.note,
            "accessed": s.accessed.isoformat() if s.accessed else None,
        }
        for s in case.sources
    ]


def _version() -> str:
    from .. import __version__

    return str(__version__)


def build_report(
    case: Case,
    results_by_lens: Mapping[str, Result],
    backtest: Backtest | None = None,
    *,
    dyads: Sequence[tuple[str, str]] | None = None,
    command: str | None = None,
    generated: dt.datetime | None = None,
    include_map: bool = True,
    map_footprints: bool = True,
    comparisons: Sequence[CounterfactualComparison] = (),
    forecast: RollingForecast | None = None,
    spread: ParameterSpread | None = None,
    question: QuestionAnswer | None = None,
) -> str:
    """The report as one HTML document (a string).

    ``results_by_lens`` maps a lens name to its run (:func:`~security_dilemma.engine.simulate`);
    ``backtest`` adds the backtest section (:func:`~security_dilemma.history.backtest.backtest`);
    ``dyads`` overrides the key dyads (default :func:`~.findings.key_dyads`); ``command`` and
    ``generated`` go in the reproducibility footer; ``comparisons``
    (:func:`~security_dilemma.whatif.compare_all`) add the section on what the
    case's counterfactual worlds say; ``forecast``
    (:func:`~security_dilemma.history.rolling_forecast`) the leading section on the
    rolling-origin forecasts, with a reliability diagram per lens; ``spread``
    (:func:`~security_dilemma.history.parameter_spread`) their spread over the parameter
    sample; ``question`` (:func:`~.question.question_answer`) the case's question, which
    then leads the report.
    """
    if not results_by_lens:
        raise ValueError("the report needs at least one run")
    key = list(dyads) if dyads is not None else key_dyads(case)
    actors = key_actors(case, key)
    lens_findings = findings_by_lens(results_by_lens, key, backtest)
    first = next(iter(results_by_lens.values()))
    figures: dict[str, str] = {}
    notes: list[str] = []
    map_note: str | None = None
    if include_map and (case.missiles or case.defence_sites):
        fig, why = map_figure(case, footprints=map_footprints)
        if fig is not None:
            figures["map"] = data_uri(fig)
            map_note = why
        elif why:
            notes.append(why)
    elif include_map:
        notes.append("no map: the case has no missile systems or defence sites")
    else:
        notes.append("the map was left out (include_map=False)")
    figures["trajectories"] = data_uri(trajectories_figure(results_by_lens, actors, key))
    figures["network"] = data_uri(network_figure(case, results_by_lens))
    if backtest is not None:
        figures["backtest"] = data_uri(backtest_figure(backtest))
    if forecast is not None:
        figures["forecast"] = data_uri(forecast_figure(forecast))
    run_notes = [
        run_note(n) for n in sorted({n for r in results_by_lens.values() for n in r.notes})
    ]
    when = generated or dt.datetime.now(dt.UTC).replace(microsecond=0)
    predictions = _prediction_rows(backtest) if backtest is not None else []
    kind_first: dict[str, Any] = {}
    for lb in backtest.lenses if backtest is not None else ():
        for kind, scores in lb.by_kind.items():
            kind_first.setdefault(kind, scores)
    import numpy
    import scipy

    crisis_unit = (
        "per year" if first.step == "year" else f"per {first.step} · per year at that rate"
    )
    context = {
        "case": case,
        "findings_rows": _findings_rows(lens_findings, crisis_unit),
        "span": f"{case.span.start.isoformat()} – {case.span.end.isoformat()} ({case.span.step})",
        "results": results_by_lens,
        "findings": lens_findings,
        "backtest": backtest,
        "forecast": forecast,
        "spread": spread,
        "spread_answer": spread_answer(spread) if spread is not None else None,
        "question": question,
        "low_start": low_start_text(low_start(results_by_lens, case)),
        "question_rows": [y for y in question.years if not y.unchanged()] if question else [],
        "question_same": year_ranges([y.year for y in question.years if y.unchanged()])
        if question
        else "",
        "baselines": BASELINES,
        "statistical_model": STATISTICAL_MODEL,
        "backtest_diffs": {c.a: c.difference for c in backtest.comparisons if c.b == "climatology"}
        if backtest is not None
        else {},
        "predictions": predictions,
        "climatology_definition": CLIMATOLOGY_DEFINITION,
        "kinds": sorted(kind_first),
        "kind_first": kind_first,
        "dyads": key,
        "actors": actors,
        "figures": figures,
        "notes": notes,
        "map_note": map_note,
        "run_notes": run_notes,
        "lenses": _lenses(
            case, list(dict.fromkeys(lens for r in results_by_lens.values() for lens in r.lenses))
        ),
        "parameters": _parameters(case),
        "mapping": _observable_mapping(),
        "sources": _sources(case),
        "events": [
            {"date": e.date.isoformat(), "title": e.title, "kind": e.kind, "actors": e.actors}
            for e in case.events
        ],
        "footer": {
            "version": _version(),
            "seed": first.seed,
            "replicates": first.replicates,
            "command": command,
            "generated": when.isoformat(),
            "python": platform.python_version(),
            "numpy": numpy.__version__,
            "scipy": scipy.__version__,
            "quantile_method": first.quantile_method,
        },
        "docs_url": DOCS_URL,
        "network_matrix": len(case.actors) > NETWORK_MAX_ACTORS,
        "step": first.step,
        "steps_per_year": first.steps_per_year,
        "crisis_unit": crisis_unit,
        "whatif": whatif_context(comparisons, actors) if comparisons else [],
        "whatif_title": section_title(comparisons),
    }
    template = _environment().get_template("report.html.j2")
    return template.render(**context)


def _prediction_rows(backtest: Backtest) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for lb in backtest.lenses:
        for q in lb.predictions:
            row = rows.setdefault(
                q.id,
                {
                    "id": q.id,
                    "kind": q.kind,
                    "dyad": q.actor + (f" → {q.counterpart}" if q.counterpart else ""),
                    "period": q.start.isoformat()
                    + ("" if q.end == q.start else f" – {q.end.isoformat()}"),
                    "occurred": q.occurred,
                    "window": q.window,
                    "status": q.status,
                    "climatology": q.climatology,
                    "p": {},
                },
            )
            row["p"][lb.lens] = q.p
    return list(rows.values())


def write_report(
    path: str | Path,
    case: Case,
    results_by_lens: Mapping[str, Result],
    backtest: Backtest | None = None,
    **options: Any,
) -> Path:
    """Build the report (:func:`build_report`) and write it to ``path`` (UTF-8)."""
    target = Path(path)
    target.write_text(build_report(case, results_by_lens, backtest, **options), encoding="utf-8")
    return target
