"""The Cuban missile crisis case is coded by the rules of docs/case-format.md, week by week.

Every series covers every weekly step exactly once, on step boundaries; the signal costs lie on
the case's stated scale; the codings taken from COW MID and ATOP agree with the shipped data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from itertools import pairwise

import pytest

from security_dilemma import data
from security_dilemma.engine import step_dates
from security_dilemma.scenario import load_case
from security_dilemma.scenario.schema import Case, CostlySignal, Observable

CCODE = {"USA": 2, "RUS": 365, "CUB": 40, "TUR": 640}


@cache
def case() -> Case:
    return load_case("cuban-missile-crisis", strict_sources=True)


def steps(c: Case) -> list[tuple[dt.date, dt.date]]:
    firsts = step_dates(c.span.start, c.span.end, c.span.step)
    lasts = [d - dt.timedelta(days=1) for d in firsts[1:]] + [c.span.end]
    return list(zip(firsts, lasts, strict=True))


def series(c: Case) -> dict[tuple[str, str, str | None], list[Observable]]:
    out: dict[tuple[str, str, str | None], list[Observable]] = defaultdict(list)
    for o in c.observables:
        out[(o.kind, o.actor, o.counterpart)].append(o)
    return dict(out)


def test_every_series_covers_every_week_once_on_step_boundaries() -> None:
    c = case()
    weeks = steps(c)
    assert len(weeks) == 18
    firsts, lasts = {a for a, _ in weeks}, {b for _, b in weeks}
    for key, rows in series(c).items():
        rows = sorted(rows, key=lambda o: o.start)
        assert all(o.start in firsts and o.end in lasts for o in rows), key
        assert rows[0].start == c.span.start and rows[-1].end == c.span.end, key
        for a, b in pairwise(rows):
            assert b.start == a.end + dt.timedelta(days=1), (key, a.id, b.id)


def test_no_kind_is_coded_only_as_happened() -> None:
    by_kind: dict[str, set[bool]] = defaultdict(set)
    for o in case().observables:
        by_kind[o.kind].add(o.occurred)
    assert "arms_up" not in by_kind and "tests" not in by_kind  # not kept (see the case)
    assert {k for k, seen in by_kind.items() if seen == {True}} == set()
    assert {k for k, seen in by_kind.items() if seen == {False}} == {"war"}


def test_signal_costs_lie_on_the_stated_scale() -> None:
    costs = [f.cost for e in case().events for f in e.effects if isinstance(f, CostlySignal)]
    assert costs and set(costs) <= {0.1, 0.2, 0.3}
    assert all(f.forced for e in case().events for f in e.effects if isinstance(f, CostlySignal))


def test_the_open_confrontation_runs_from_the_address_to_the_end_of_the_quarantine() -> None:
    events = {e.id: e.date for e in case().events}
    for pair in (("USA", "RUS"), ("USA", "CUB")):
        rows = series(case())[("crisis", *pair)]
        true = [o for o in rows if o.occurred]
        assert min(o.start for o in true) <= events["quarantine-speech"]
        assert events["quarantine-speech"] <= min(o.end for o in true)
        assert max(o.end for o in true) >= events["quarantine-ends"]
        assert all(
            o.end < events["quarantine-speech"]
            for o in rows
            if o.start < min(t.start for t in true)
        )


def test_the_soviet_turkish_dispute_is_coded_in_its_cow_month() -> None:
    d = data.mid_disputes().set_index("dispnum").loc[3163]
    assert (d.styear, d.stmon) == (1962, 8)
    dyads = data.mid_dyads()
    assert ((dyads.dispnum == 3163) & (dyads.ccode1 == 365) & (dyads.ccode2 == 640)).any()
    rows = series(case())[("crisis", "RUS", "TUR")]
    true = [o for o in rows if o.occurred]
    assert len(true) == 1
    assert true[0].start <= dt.date(1962, 8, 1) and true[0].end >= dt.date(1962, 8, 31)


@pytest.mark.parametrize(("actor", "counterpart"), [("RUS", "CUB"), ("USA", "TUR")])
def test_allies_follow_atop(actor: str, counterpart: str) -> None:
    atop = data.atop().set_index(["ccode1", "ccode2", "year"])
    key = (CCODE[actor], CCODE[counterpart], 1962)
    pledged = key in atop.index and int(atop.loc[key, "atop_defense"]) == 1
    (row,) = series(case())[("allies", actor, counterpart)]
    assert row.occurred is pledged
