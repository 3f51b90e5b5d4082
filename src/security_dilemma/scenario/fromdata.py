"""Draft a case file from the shipped data: COW NMC, ATOP, COW IGO and COW trade.

The draft validates as it stands (``dilemma validate --strict``) and tells the researcher, in
YAML comments, what the data cannot supply: institutions by name, identities, beliefs, events
and the coded record.

>>> text = case_from_data(["USA", "RUS", "POL"], 2001, 2009)
>>> from security_dilemma.scenario import parse_case_text
>>> case = parse_case_text(text, strict_sources=True)
>>> case.actor_ids(), [a.members for a in case.alliances if a.obligation == "defence"]
(['USA', 'RUS', 'POL'], [['USA', 'POL']])
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import BadInput, Problem, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COMMITMENT",
    "OBLIGATIONS",
    "STEPS",
    "CaseDraft",
    "State",
    "case_from_data",
    "draft_case",
    "resolve_states",
]

OBLIGATIONS: tuple[tuple[str, str], ...] = (
    ("atop_defense", "defence"),
    ("atop_offense", "offence"),
    ("atop_neutral", "neutrality"),
    ("atop_nonagg", "nonaggression"),
    ("atop_consul", "consultation"),
)
"""ATOP columns and the case format's obligation names, strongest first."""

COMMITMENT: dict[str, float] = {
    "defence": 0.8,
    "offence": 0.8,
    "neutrality": 0.4,
    "consultation": 0.3,
    "nonaggression": 0.2,
}
"""Initial commitment written for each obligation type: a stated assumption, not data."""

STEPS = ("year", "quarter", "month", "week", "day")

_ALIASES: dict[str, int] = {
    "ussr": 365,
    "soviet union": 365,
    "russian federation": 365,
    "us": 2,
    "united states": 2,
    "america": 2,
    "uk": 200,
    "britain": 200,
    "great britain": 200,
    "west germany": 260,
    "east germany": 265,
    "czech republic": 316,
}

_PERIOD_NAMES: dict[int, tuple[tuple[int, int, str], ...]] = {
    365: ((1816, 1917, "Russian Empire"), (1922, 1991, "Soviet Union")),
}

_STATE_NOTES: dict[int, str] = {
    365: "COW code 365 covers the Russian Empire, the Soviet Union (1922-1991) and the Russian "
    "Federation as one state.",
    255: "COW code 255 is Germany to 1945 and united Germany from 1990; 260 and 265 are West "
    "and East Germany in between.",
}

_URLS = {
    "cow-states": "https://correlatesofwar.org/data-sets/state-system-membership/",
    "cow-nmc": "https://correlatesofwar.org/data-sets/national-material-capabilities/",
    "atop": "https://www.atopdata.org/",
    "cow-igo": "https://correlatesofwar.org/data-sets/igos/",
    "cow-trade": "https://correlatesofwar.org/data-sets/bilateral-trade/",
    "peacesciencer": "https://svmiller.com/peacesciencer/",
}

_REFERENCES = {
    "cow-states": (
        "cow_iso3",
        "Correlates of War Project (2017), State System Membership List, v2016",
    ),
    "cow-nmc": (
        "nmc",
        "Singer, J. David, Stuart Bremer and John Stuckey (1972), 'Capability Distribution, "
        "Uncertainty, and Major Power War, 1820-1965', in Bruce Russett (ed.), Peace, War, and "
        "Numbers, Beverly Hills: Sage, 19-48; Correlates of War National Material Capabilities "
        "data set",
    ),
    "atop": (
        "atop",
        "Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell and Andrew G. Long "
        "(2002), 'Alliance Treaty Obligations and Provisions, 1815-1944', International "
        "Interactions 28(3): 237-260; ATOP data set v5.1",
    ),
    "cow-igo": (
        "igo",
        "Pevehouse, Jon C. W., Timothy Nordstrom, Roseanne W. McManus and Anne Spencer Jamison "
        "(2020), 'Tracking Organizations in the World: The Correlates of War IGO Version 3.0 "
        "Datasets', Journal of Peace Research 57(3): 492-503",
    ),
    "cow-trade": (
        "trade",
        "Barbieri, Katherine, Omar M. G. Keshk and Brian Pollins (2009), 'Trading Data: "
        "Evaluating our Assumptions and Coding Rules', Conflict Management and Peace Science "
        "26(5): 471-491; Barbieri, Katherine and Omar M. G. Keshk (2016), Correlates of War "
        "Project Trade Data Set Codebook, Version 4.0",
    ),
}


@dataclass(frozen=True, slots=True)
class State:
    """A state named on the command line, resolved to a COW code."""

    query: str
    ccode: int
    iso3: str | None
    name: str
    first: int
    last: int
    note: str | None = None

    @property
    def id(self) -> str:
        """Actor id: the ISO3 code, or ``COW<code>`` for states without one."""
        return self.iso3 or f"COW{self.ccode}"


@dataclass(frozen=True)
class CaseDraft:
    """A drafted case: its YAML text (with comments), the same data as a dict, and warnings."""

    id: str
    text: str
    data: dict[str, Any]
    states: tuple[State, ...]
    warnings: tuple[str, ...]


# --- the data, indexed -----------------------------------------------------------------------


@cache
def _membership() -> dict[int, tuple[int, ...]]:
    """Years each COW state is in the NMC file (the state system), sorted."""
    from ..data import nmc

    frame = nmc()
    years: dict[int, list[int]] = {}
    for c, y in zip(frame.ccode.tolist(), frame.year.tolist(), strict=True):
        years.setdefault(int(c), []).append(int(y))
    return {c: tuple(sorted(ys)) for c, ys in years.items()}


@cache
def _coverage(name: str) -> tuple[int, int]:
    from .. import data

    frame = getattr(data, name)()
    return int(frame.year.min()), int(frame.year.max())


def _crosswalk() -> pd.DataFrame:
    from ..data import cow_iso3

    return cow_iso3()


def _name_for(ccode: int, statenme: str, year: int) -> str:
    for lo, hi, name in _PERIOD_NAMES.get(ccode, ()):
        if lo <= year <= hi:
            return name
    return statenme


def _presence(
    years: tuple[int, ...], start: int, end: int, nmc_last: int
) -> tuple[int, int] | None:
    """First and last year in [start, end] the state is in the system, or None.

    A state in the system in the last year of the data is taken to continue after it.
    """
    continues = bool(years) and years[-1] == nmc_last
    in_span = [y for y in years if start <= y <= end]
    if in_span:
        return in_span[0], end if continues and end > nmc_last else in_span[-1]
    if continues and start > nmc_last:
        return start, end
    return None


# --- resolving states ------------------------------------------------------------------------


def _candidates(query: str) -> tuple[list[int], str | None]:
    """COW codes a query may mean, or ([], reason) when it names no state."""
    from ..geo.gazetteer import Gazetteer, normalise_name

    walk = _crosswalk()
    q = query.strip()
    codes = {int(c) for c in walk.ccode}
    if q.isdigit():
        return ([int(q)], None) if int(q) in codes else ([], None)
    by_iso: dict[str, list[int]] = {}
    for c, iso in zip(walk.ccode, walk.iso3, strict=True):
        if isinstance(iso, str) and iso:
            by_iso.setdefault(iso, []).append(int(c))
    if q.upper() in by_iso and len(q) == 3:
        return by_iso[q.upper()], None
    key = normalise_name(q)
    if key in _ALIASES:
        return [_ALIASES[key]], None
    for c, name in zip(walk.ccode, walk.statenme, strict=True):
        if normalise_name(str(name)) == key:
            return [int(c)], None
    gaz = Gazetteer.default()
    if q in gaz:
        loc = gaz.resolve(q)
        iso = loc.country
        if loc.kind.startswith("capital") and normalise_name(loc.name) != key and iso in by_iso:
            return by_iso[iso], None
        if iso:
            return [], f"'{q}' is a place ({loc.name}, {iso}), not a state (did you mean '{iso}'?)"
    return [], None


def _known_names() -> list[str]:
    walk = _crosswalk()
    names = [str(n) for n in walk.statenme] + [str(i) for i in walk.iso3 if isinstance(i, str)]
    return names + [a.title() for a in _ALIASES]


def _successor_hint(ccode: int, start: int, end: int) -> str:
    """Other COW states with (nearly) the same capital that are members in the span."""
    from ..data import capitals

    caps = capitals().to_dict(orient="records")
    mine = [(float(r["lat"]), float(r["lng"])) for r in caps if int(r["ccode"]) == ccode]
    members = _membership()
    hits: list[str] = []
    for r in caps:
        other = int(r["ccode"])
        near = any(
            abs(lat - float(r["lat"])) < 0.5 and abs(lng - float(r["lng"])) < 0.5
            for lat, lng in mine
        )
        years = members.get(other, ())
        if other != ccode and near and any(start <= y <= end for y in years):
            hits.append(f"{other} ({r['statenme']})")
    return f"; in those years the state with that capital is {' or '.join(hits)}" if hits else ""


def resolve_states(queries: Sequence[str], start: int, end: int) -> list[State]:
    """Resolve ISO3 codes, COW codes or names to COW states in the system during [start, end]."""
    walk = _crosswalk()
    statenme = {int(c): str(n) for c, n in zip(walk.ccode, walk.statenme, strict=True)}
    iso3 = {
        int(c): (str(i) if isinstance(i, str) and i else None)
        for c, i in zip(walk.ccode, walk.iso3, strict=True)
    }
    members = _membership()
    nmc_first, nmc_last = _coverage("nmc")
    problems: list[Problem] = []
    states: list[State] = []
    for i, query in enumerate(queries):
        where = f"states[{i}]"
        codes, reason = _candidates(query)
        if not codes:
            message = reason or (
                f"unknown state '{query}'{did_you_mean(query, _known_names())}; give an ISO3 "
                "code (POL), a COW code (290) or a name (Poland)"
            )
            problems.append(Problem(message, path=where))
            continue
        chosen: tuple[int, tuple[int, int]] | None = None
        for c in codes:
            present = _presence(members.get(c, ()), start, end, nmc_last)
            if present is not None and (chosen is None or present[0] < chosen[1][0]):
                chosen = (c, present)
        if chosen is None:
            c = codes[0]
            years = members.get(c, ())
            span = f"{years[0]}-{years[-1]}" if years else "never"
            problems.append(
                Problem(
                    f"'{query}' (COW {c}, {statenme.get(c, '?')}) is not in the COW state system "
                    f"in {start}-{end} (in the system: {span}; COW NMC covers "
                    f"{nmc_first}-{nmc_last}){_successor_hint(c, start, end)}",
                    path=where,
                )
            )
            continue
        c, (first, last) = chosen
        name = _name_for(c, statenme.get(c, str(c)), first)
        others = [
            (c2, p2)
            for c2 in codes
            if c2 != c and (p2 := _presence(members.get(c2, ()), start, end, nmc_last))
        ]
        note = None
        if others:
            parts = [
                f"COW {code} ({statenme.get(code, '?')}) in {lo}-{hi}"
                for code, (lo, hi) in [(c, (first, last)), *others]
            ]
            note = (
                f"'{query}' is {' and '.join(parts)}; this case uses COW {c}: edit the actor "
                "if the other matters more."
            )
        states.append(State(query, c, iso3.get(c), name, first, last, note))
    seen: dict[str, str] = {}
    for s in states:
        if s.id in seen:
            problems.append(
                Problem(
                    f"'{s.query}' and '{seen[s.id]}' name the same state ({s.id})", path="states"
                )
            )
        seen.setdefault(s.id, s.query)
    if problems:
        raise BadInput(problems)
    return states


# --- the pieces of the case ----------------------------------------------------------------


def _nearest(values: pd.Series, year: int) -> tuple[int, float] | None:
    """(year, value) nearest ``year`` with a usable value: not NaN, not a negative COW code."""
    ok = values[values.notna() & (values >= 0)]
    if ok.empty:
        return None
    order = sorted(ok.index, key=lambda y: (abs(int(y) - year), int(y)))
    y = int(order[0])
    return y, float(ok.loc[y])


def _number(v: float) -> float | int:
    return int(v) if float(v).is_integer() else float(v)


def _capabilities(
    states: Sequence[State], start: int, warnings: list[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    from ..data import nmc

    frame = nmc()
    last = _coverage("nmc")[1]
    records: list[dict[str, Any]] = []
    comments: list[str] = []
    for s in states:
        rows = frame[frame.ccode == s.ccode].set_index("year")
        want = min(max(start, s.first), last)
        if start > last:
            warnings.append(f"COW NMC ends in {last}: {s.id}'s capabilities are for {last}")
        got = {f: _nearest(rows[f], want) for f in ("milex", "milper", "cinc")}
        milex = got["milex"]
        if milex is None:
            comments.append(f"no COW milex at all for {s.id}: add its capabilities by hand")
            continue
        year = milex[0]
        rec: dict[str, Any] = {"actor": s.id, "year": year}
        notes: list[str] = []
        if year != start:
            reason = (
                f"NMC ends in {last}"
                if start > last
                else f"{s.id} enters the state system in {s.first}"
                if s.first > start and year == s.first
                else f"no milex for {want}"
            )
            notes.append(f"figures for {year} ({reason})")
        for f in ("milex", "milper", "cinc"):
            hit = got[f]
            if hit is None:
                notes.append(f"no {f} in COW NMC")
                continue
            y, v = hit
            value = _number(round(v, 6) if f == "cinc" else v)
            rec[f] = {"value": value, "note": f"no {year} figure: {y} used"} if y != year else value
        rec["source"] = "cow-nmc"
        if notes:
            rec["note"] = "; ".join(notes)
        records.append(rec)
    return records, comments


Pledges = dict[tuple[str, str], dict[str, int]]


def _pledge_table(states: Sequence[State]) -> dict[int, Pledges]:
    """Per year, per unordered pair (in actor order): obligation -> directions pledged (1, 2)."""
    from ..data import atop

    frame = atop()
    by_code = {s.ccode: s.id for s in states}
    order = {s.id: i for i, s in enumerate(states)}
    rows = frame[frame.ccode1.isin(list(by_code)) & frame.ccode2.isin(list(by_code))]
    flags = {col: rows[col].to_numpy() for col, _ in OBLIGATIONS}
    out: dict[int, Pledges] = {}
    for i, (c1, c2, year) in enumerate(
        zip(rows.ccode1.tolist(), rows.ccode2.tolist(), rows.year.tolist(), strict=True)
    ):
        a, b = by_code[int(c1)], by_code[int(c2)]
        pair = (a, b) if order[a] < order[b] else (b, a)
        for col, obligation in OBLIGATIONS:
            if int(flags[col][i]) == 1:
                slot = out.setdefault(int(year), {}).setdefault(pair, {})
                slot[obligation] = slot.get(obligation, 0) + 1
    return out


def _cliques(nodes: list[str], edges: set[frozenset[str]]) -> list[list[str]]:
    """Maximal cliques (Bron-Kerbosch with pivoting), each in node order; edges of size 2."""
    adj = {n: {m for m in nodes if m != n and frozenset((n, m)) in edges} for n in nodes}
    out: list[list[str]] = []

    def expand(r: set[str], p: set[str], x: set[str]) -> None:
        if not p and not x:
            if len(r) >= 2:
                out.append([n for n in nodes if n in r])
            return
        pivot = max(p | x, key=lambda n: len(adj[n] & p))
        for v in sorted(p - adj[pivot], key=nodes.index):
            expand(r | {v}, p & adj[v], x & adj[v])
            p = p - {v}
            x = x | {v}

    expand(set(), set(nodes), set())
    index = {n: i for i, n in enumerate(nodes)}
    return sorted(out, key=lambda c: [index[n] for n in c])


def _alliances(
    states: Sequence[State], table: dict[int, Pledges], start: int, warnings: list[str]
) -> tuple[list[dict[str, Any]], list[str], int]:
    hi = _coverage("atop")[1]
    year = min(start, hi)
    if start > hi:
        warnings.append(f"ATOP ends in {hi}: alliances are as coded for {hi}")
    pledges = table.get(year, {})
    names = {s.id: s.name for s in states}
    nodes = [s.id for s in states]
    # each pair joins the pact of its strongest obligation; the note lists every pledge
    strongest: dict[tuple[str, str], str] = {}
    for pair, kinds in pledges.items():
        strongest[pair] = next(o for _, o in OBLIGATIONS if o in kinds)
    records: list[dict[str, Any]] = []
    for _, obligation in OBLIGATIONS:
        edges = {frozenset(p) for p, o in strongest.items() if o == obligation}
        for members in _cliques(nodes, edges):
            pairs = [
                (a, b) for i, a in enumerate(members) for b in members[i + 1 :] if (a, b) in pledges
            ]
            common = [o for _, o in OBLIGATIONS if all(o in pledges[p] for p in pairs)]
            one_sided = [f"{a}-{b}" for a, b in pairs if pledges[(a, b)][obligation] == 1]
            run_from = _pledged_since(table, members, obligation, year)
            who = _and([names[m] for m in members])
            among = "between" if len(members) == 2 else "among"
            pair_text = "the two members" if len(members) == 2 else "every pair of members"
            span = (
                f"in every year {run_from}-{year}" if run_from and run_from < year else f"in {year}"
            )
            note = f"ATOP codes {obligation} pledges between {pair_text} {span}"
            others = [o for o in common if o != obligation]
            if others:
                note += f"; in {year} also {_and(others)} pledges"
            if one_sided:
                note += f"; one-sided (only one state pledges) for {', '.join(one_sided)}"
            note += ". The ATOP dyad-year file does not name the treaty: add its name and date."
            records.append(
                {
                    "id": f"{obligation}-{'-'.join(m.lower() for m in members)}",
                    "name": f"{obligation.capitalize()} pledges {among} {who}",
                    "members": members,
                    "obligation": obligation,
                    "commitment": {
                        "value": COMMITMENT[obligation],
                        "source": "assumption-commitment",
                    },
                    "source": "atop",
                    "note": note,
                }
            )
    comments = [
        f"ATOP {year}: each pair of actors is grouped by its strongest pledge",
        "(defence > offence > neutrality > consultation > non-aggression); each pact is a",
        "group of states all of whose pairs share that strongest pledge. Commitments are",
        "assumptions by obligation type (source assumption-commitment): revise them.",
    ]
    if not records:
        comments.append(f"ATOP codes no pledges among these states in {year}.")
    return records, comments, year


def _pledged_since(
    table: dict[int, Pledges], members: list[str], obligation: str, year: int
) -> int:
    """First year of the unbroken run up to ``year`` in which all member pairs hold the pledge."""
    pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]

    def held(y: int) -> bool:
        return all(obligation in table.get(y, {}).get(p, {}) for p in pairs)

    y = year
    while held(y - 1):
        y -= 1
    return y


def _pledge_changes(table: dict[int, Pledges], year: int, end: int) -> list[str]:
    """Pledges that begin or end between ``year`` and ``end`` (within ATOP), for the events."""
    last = min(end, _coverage("atop")[1])
    out: list[str] = []
    for y in range(year + 1, last + 1):
        before, now = table.get(y - 1, {}), table.get(y, {})
        for pair in sorted(set(before) | set(now)):
            was, is_ = set(before.get(pair, {})), set(now.get(pair, {}))
            for _, o in OBLIGATIONS:
                if o in is_ and o not in was:
                    out.append(f"{y}: ATOP codes a new {o} pledge between {pair[0]} and {pair[1]}")
                elif o in was and o not in is_:
                    out.append(f"{y}: ATOP's {o} pledge between {pair[0]} and {pair[1]} ends")
    return out


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _interdependence(
    states: Sequence[State], start: int, warnings: list[str]
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    from ..data import igo, trade

    _, trade_hi = _coverage("trade")
    _, igo_hi = _coverage("igo")
    ty, iy = min(start, trade_hi), min(start, igo_hi)
    if start > trade_hi:
        warnings.append(f"COW trade ends in {trade_hi}: interdependence is for {trade_hi}")
    if start > igo_hi:
        warnings.append(f"COW IGO ends in {igo_hi}: shared IGO counts are for {igo_hi}")
    tr = trade()
    tr = tr[tr.year == ty]
    sums = (tr.imports + tr.exports).to_numpy(dtype=float)
    total = {
        int(c): float(v)
        for c, v in zip(tr.ccode.tolist(), sums.tolist(), strict=True)
        if math.isfinite(v)
    }
    world = sum(total.values())
    ig = igo()
    ig = ig[ig.year == iy]
    shared = {
        (int(a), int(b)): int(n) for a, b, n in zip(ig.ccode1, ig.ccode2, ig.dyadigos, strict=True)
    }
    records: list[dict[str, Any]] = []
    todo: list[str] = []
    igo_lines: list[str] = []
    for i, s in enumerate(states):
        for t in states[i + 1 :]:
            n = shared.get((min(s.ccode, t.ccode), max(s.ccode, t.ccode)))
            igo_text = (
                f"{n} shared IGO memberships in {iy} (COW IGO)"
                if n is not None
                else f"no COW IGO record for {iy}"
            )
            igo_lines.append(f"{s.id}-{t.id}: {igo_text}")
            ts, tt = total.get(s.ccode), total.get(t.ccode)
            if ts is None or tt is None:
                missing = _and([u.id for u, v in ((s, ts), (t, tt)) if v is None])
                todo.append(f"{s.id}-{t.id}: no COW trade totals for {missing} in {ty}")
                continue
            value = min(tt / (world - ts), ts / (world - tt))
            records.append(
                {
                    "between": [s.id, t.id],
                    "value": float(f"{value:.4g}"),
                    "source": ["cow-trade", "assumption-trade-proxy", "cow-igo"],
                    "note": (
                        f"Proxy from {ty} trade totals, not dyadic trade: the smaller of the "
                        "two expected trade shares with each other if trade were spread in "
                        f"proportion to partner totals (imports + exports: {s.id} {ts:,.0f}, "
                        f"{t.id} {tt:,.0f}, world {world:,.0f} million USD); {igo_text}."
                    ),
                }
            )
    return records, todo, igo_lines


def _sources() -> list[dict[str, Any]]:
    from ..data import DATASETS

    out: list[dict[str, Any]] = []
    for sid, (dataset, reference) in _REFERENCES.items():
        d = DATASETS[dataset]
        out.append(
            {
                "id": sid,
                "kind": "dataset",
                "citation": f"{reference}. As shipped with security-dilemma ({d.file}): {d.what}; "
                f"{d.citation}; terms: {d.terms}.",
                "url": _URLS[sid],
            }
        )
    out.append(
        {
            "id": "peacesciencer",
            "kind": "article",
            "citation": "Miller, Steven V. (2022), 'peacesciencer: An R Package for Quantitative "
            "Peace Science Research', Conflict Management and Peace Science 39(6): 755-779; the "
            "package the shipped COW and ATOP files were converted from.",
            "url": _URLS["peacesciencer"],
        }
    )
    out.append(
        {
            "id": "assumption-commitment",
            "kind": "assumption",
            "citation": "Assumption of `dilemma case from-data`: initial commitment by ATOP "
            "obligation type ("
            + ", ".join(f"{k} {v}" for k, v in COMMITMENT.items())
            + "); not a published figure: revise it from the treaty texts.",
        }
    )
    out.append(
        {
            "id": "assumption-trade-proxy",
            "kind": "assumption",
            "citation": "Assumption of `dilemma case from-data`: with only each state's total "
            "imports and exports shipped (no dyadic trade), interdependence is approximated as "
            "min(T_j / (W - T_i), T_i / (W - T_j)), T = imports + exports, W = the sum over "
            "states: the weaker side's share of trade with the partner if trade were spread in "
            "proportion to partners' totals. It ignores distance and politics (neighbours trade "
            "far more); replace it with dyadic trade (COW Dyadic Trade v4).",
        }
    )
    return out


# --- YAML with comments ------------------------------------------------------------------------


def _flow(value: Any) -> str:
    text: str = yaml.safe_dump(
        value, default_flow_style=True, sort_keys=False, width=10**6, allow_unicode=True
    )
    return text.strip()


def _scalar(key: str, value: Any, indent: str) -> list[str]:
    """``key: value``; long strings as folded block scalars (no quoting, wrapped)."""
    if isinstance(value, str) and len(value) > 60 and "\n" not in value:
        return [f"{indent}{key}: >-", *(f"{indent}  {ln}" for ln in _wrap(value, 92 - len(indent)))]
    if isinstance(value, dict | list):
        return [f"{indent}{key}: {_flow(value)}"]
    return [f"{indent}{_flow({key: value})[1:-1]}"]


def _section(key: str, records: Sequence[dict[str, Any]], comments: Iterable[str]) -> list[str]:
    lines = ["", *(f"# {c}" for c in comments)]
    if not records:
        return [*lines, f"{key}: []"]
    lines.append(f"{key}:")
    for r in records:
        flow = _flow(r)
        if len(flow) + 4 <= 100:
            lines.append(f"  - {flow}")
            continue
        for i, (k, v) in enumerate(r.items()):
            block = _scalar(k, v, "    ")
            if i == 0:
                block[0] = "  - " + block[0][4:]
            lines.extend(block)
    return lines


def _wrap(text: str, width: int = 96) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    return [*lines, line] if line else lines


# --- the case ------------------------------------------------------------------------------------

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$")


def draft_case(
    states: Sequence[str],
    start: int,
    end: int,
    *,
    step: str = "year",
    case_id: str | None = None,
) -> CaseDraft:
    """Draft a case for ``states`` over ``start``-``end`` (years) from the shipped data."""
    queries = _check_request(states, start, end, step, case_id)
    resolved = resolve_states(queries, start, end)
    cid = case_id or _default_id(resolved, start, end)
    warnings = _coverage_warnings(resolved, start, end)
    actors = _actor_records(resolved, start)
    caps, cap_comments = _capabilities(resolved, start, warnings)
    table = _pledge_table(resolved)
    alliances, ally_comments, atop_year = _alliances(resolved, table, start, warnings)
    inter, trade_todo, igo_lines = _interdependence(resolved, start, warnings)
    changes = _pledge_changes(table, atop_year, end)

    names = _and([s.name for s in resolved])
    title = f"{names}, {start}-{end}" if start != end else f"{names}, {start}"
    summary = (
        f"Draft from COW and ATOP data for {names}, {start}-{end}: capabilities, alliances and a "
        "trade-based interdependence proxy. Institutions, identities, beliefs, events and the "
        "coded record are still to be written."
    )
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": cid,
        "title": title[:200],
        "summary": summary,
        "span": {"start": start, "end": end, "step": step},
        "actors": actors,
        "capabilities": caps,
        "alliances": alliances,
        "institutions": [],
        "interdependence": inter,
        "identities": [],
        "beliefs": [],
        "events": [],
        "observables": [],
        "sources": _sources(),
    }

    command = f"dilemma case from-data --states {','.join(queries)} --start {start} --end {end}" + (
        f" --step {step}" if step != "year" else ""
    )
    lines = _opening_comments(command, warnings)
    lines += [
        "schema_version: 1",
        f"id: {cid}",
        *_scalar("title", data["title"], ""),
        "summary: >-",
        *("  " + ln for ln in _wrap(summary)),
        f"span: {_flow(data['span'])}",
    ]
    lines += _section(
        "actors",
        actors,
        [
            "Actors: id is the ISO3 code; ccode the COW state code. prior_greedy (default 0.3)",
            "and lens (realism, liberalism, constructivism, pyramid) are yours to set.",
        ],
    )
    lines += _section(
        "capabilities",
        caps,
        [
            f"COW NMC for {start}: milex in thousands of current "
            + ("pounds sterling" if start <= 1913 else "US dollars")
            + " (COW switches from",
            "pounds to dollars in 1914), milper in thousands, cinc a share of the world total.",
            *cap_comments,
        ],
    )
    lines += _section(
        "alliances",
        alliances,
        ally_comments,
    )
    lines += _section(
        "institutions",
        [],
        [
            "Institutions: the COW IGO file counts shared memberships per pair but does not name",
            "the organisations, so none are written here. Add them by hand (id, name, kind,",
            "members, transparency, shadow_of_future, source), e.g. NATO or the OSCE.",
            "Shared IGO memberships:",
            *(f"  {ln}" for ln in igo_lines),
        ],
    )
    lines += _section(
        "interdependence",
        inter,
        [
            "Interdependence: COW trade ships only each state's total imports and exports, so",
            "the value is a size-only proxy (source assumption-trade-proxy), not dyadic trade.",
            "TODO: replace it with dyadic trade shares (COW Dyadic Trade) where it matters.",
            *(f"TODO: {t}" for t in trade_todo),
        ],
    )
    lines += _section(
        "identities",
        [],
        [
            "Identities (Wendt): how each actor sees another, -1 enemy .. +1 friend, with a",
            "source, e.g. - {from: USA, to: RUS, value: -0.2, source: ...}. Unlisted pairs: 0.",
        ],
    )
    lines += _section(
        "beliefs",
        [],
        [
            "Beliefs (Kydd): each actor's initial probability that another is greedy, e.g.",
            "- {from: RUS, to: USA, greedy: {value: 0.4}, source: ...}. Unlisted: the prior.",
        ],
    )
    lines += _section(
        "events",
        [],
        [
            "Events: dated shocks with effects and a source (deployments, summits, treaties,",
            "speeches); see docs/case-format.md. Alliance changes ATOP codes in the span:",
            *([f"  {c}" for c in changes[:40]] or ["  (none)"]),
            *(["  ..."] if len(changes) > 40 else []),
        ],
    )
    lines += _section(
        "observables",
        [],
        [
            "Observables: the coded record for backtesting, e.g. - {id: rus-arms-up, kind:",
            f"arms_up, actor: RUS, start: {start}, end: {end}, occurred: true, source: ...}}.",
        ],
    )
    lines += _section("sources", data["sources"], ["Sources cited above, with full citations."])
    text = "\n".join(lines) + "\n"
    _self_check(text, cid)
    return CaseDraft(cid, text, data, tuple(resolved), tuple(warnings))


def _check_request(
    states: Sequence[str], start: int, end: int, step: str, case_id: str | None
) -> list[str]:
    """The state queries of a draft (blank ones dropped); a :class:`BadInput` naming each
    parameter that is wrong: years out of order or range, an unknown step, no state, an
    invalid id."""
    problems: list[Problem] = []
    if start > end:
        problems.append(Problem(f"start {start} is after end {end}", path="start"))
    if not 1 <= start <= 9999 or not 1 <= end <= 9999:
        problems.append(Problem("years must be between 1 and 9999", path="start"))
    if step not in STEPS:
        problems.append(
            Problem(
                f"unknown step '{step}'{did_you_mean(step, STEPS)}; steps: {', '.join(STEPS)}",
                path="step",
            )
        )
    queries = [q.strip() for q in states if q.strip()]
    if not queries:
        problems.append(Problem("give at least one state", path="states"))
    if case_id is not None and not _ID.match(case_id):
        problems.append(
            Problem(
                f"id '{case_id}' is not valid: a letter, then letters, digits, '_', '.' or '-'",
                path="id",
            )
        )
    if problems:
        raise BadInput(problems)
    return queries


def _default_id(resolved: Sequence[State], start: int, end: int) -> str:
    """The draft's id when none is given: the states' ids and the years, prefixed by
    ``case-`` when that is not a valid id."""
    cid = "-".join(s.id.lower() for s in resolved) + f"-{start}-{end}"
    return cid if _ID.match(cid) else "case-" + cid


def _coverage_warnings(resolved: Sequence[State], start: int, end: int) -> list[str]:
    """What the shipped data cannot say about the span: datasets that end before it does,
    states that enter the COW state system after its start or leave it before its end."""
    warnings: list[str] = []
    for dataset, label in (("nmc", "COW NMC"), ("atop", "ATOP"), ("trade", "COW trade")):
        lo, hi = _coverage(dataset)
        if end > hi:
            warnings.append(
                f"{label} covers {lo}-{hi}: no data after {hi} to check the case against"
            )
    for s in resolved:
        if s.first > start:
            warnings.append(f"{s.id} enters the COW state system in {s.first}, after {start}")
        if s.note:
            warnings.append(s.note)
        elif s.last < end:
            warnings.append(f"{s.id} leaves the COW state system after {s.last}")
    return warnings


def _actor_records(resolved: Sequence[State], start: int) -> list[dict[str, Any]]:
    """The case's actors: id, name, COW code, ISO3 code when there is one, source, and a
    note on the state (and on a later entry into the state system)."""
    actors = []
    for s in resolved:
        actor: dict[str, Any] = {
            "id": s.id,
            "name": s.name,
            "ccode": s.ccode,
        }
        if s.iso3:
            actor["iso3"] = s.iso3
        actor["source"] = "cow-states"
        notes = [n for n in (_STATE_NOTES.get(s.ccode), s.note) if n]
        if s.first > start:
            notes.append(f"In the COW state system from {s.first}.")
        if notes:
            actor["note"] = " ".join(notes)
        actors.append(actor)
    return actors


def _opening_comments(command: str, warnings: Sequence[str]) -> list[str]:
    """The comments that open the draft: the ``command`` that wrote it, what is left to do,
    and the notes on coverage."""
    lines = [
        f"# Draft case written by `{command}`",
        "# from the data shipped with security-dilemma (COW NMC, ATOP, COW IGO, COW trade).",
        "# It validates as it stands; before drawing conclusions, check the figures against the",
        "# sources at the end and add what data cannot give: institutions, identities, beliefs,",
        "# dated events and the coded record (observables).",
    ]
    if warnings:
        lines.append("#")
        lines.append("# Notes on coverage:")
        for w in warnings:
            wrapped = _wrap(w, 88)
            lines += [f"#   - {wrapped[0]}", *(f"#     {ln}" for ln in wrapped[1:])]
    return lines


def _self_check(text: str, cid: str) -> None:
    """The draft must validate strictly; if it does not, that is a bug here, not bad input."""
    from .loader import parse_case_text

    try:
        parse_case_text(text, f"{cid}.yaml", strict_sources=True)
    except BadInput as exc:  # pragma: no cover - a failure here is a bug in this module
        raise RuntimeError(f"the drafted case does not validate: {exc}") from exc


def case_from_data(
    states: Sequence[str],
    start: int,
    end: int,
    *,
    step: str = "year",
    case_id: str | None = None,
) -> str:
    """YAML text (with comments) of a case drafted from the shipped data; see :func:`draft_case`."""
    return draft_case(states, start, end, step=step, case_id=case_id).text
