"""One timeline of a case's statuses: defence sites, missiles, memberships and alliances by day.

Everything in a case that changes on a date is read here, once; the engine
(:func:`~security_dilemma.engine.compile_world`) and the maps (:mod:`security_dilemma.geo.maps`)
both ask this module, so they cannot disagree.

The rule
--------
A site's or missile's ``status`` is its status on the case's first day (and before). Every
dated change then applies from its day on, in date order: the record's own dates (a site's
``operational`` and ``cancelled``, a membership's ``since`` and ``until``, an alliance's
``start`` and ``end``) and the case's ``site``, ``missile``, ``membership`` and ``alliance``
events. **The latest dated change wins**: a later event overrides an earlier date and a later
date an earlier event, so a date field and an event saying the same thing on the same day are
the same fact (an event no longer overrides a record's dates for ever: the Sino-Soviet treaty
of the cold-war case, formed by an event, now ends on its ``end`` date, 1980). On one day the
record's own dates come first and events after them (an event wins a tie). ``until`` and
``end`` are last days: the change is from the day after.

* **Plans yield to cancellations.** An ``operational`` date says when a site became, or was to
  become, operational; it does not apply to a site that is cancelled on that day (by its
  ``cancelled`` date or an event). The Czech radar ``brdy`` of bmd-europe, planned for 2012
  and cancelled in 2009, is never operational. A cancelled site comes back only through a
  later ``site`` event, which is a recorded fact rather than a plan.
* **When a site counts.** A site is known to others, and counts for interception and
  deterrent erosion, from the earliest of its ``announced`` date, its first ``site`` event
  and the first day it is operational (the case's start, for a site ``operational`` then).
  A site with none of these counts from the start if its ``status`` says it exists then
  (``planned``) and never if it is ``cancelled``. Why: without an ``announced`` date, the
  first dated trace of a site in the record is the earliest day others can be shown to know
  of it; counting it from the start let a plan weigh on deterrence years before anyone
  announced it (the Safeguard site of the cold-war case, dated 1975, counted from 1948). A
  site operational at the start is known then, whatever its first event says (bmd-europe's
  Gabala radar has no announcement and one event, its 2012 cancellation).
* **Interceptors.** A ``site`` event with ``interceptors`` sets the site's inventory from its
  day on; otherwise the site's own ``interceptors`` hold.
* **Memberships.** An actor is a member of an institution on the days one of its membership
  records covers (an undated bound is open); a ``join`` event makes it a member, ``leave``
  or ``suspend`` ends that.
* **Alliances.** An alliance is in force from ``start`` to ``end`` (always, when undated); a
  ``form`` event puts it in force and an ``end`` event ends it. ``strengthen`` and ``weaken``
  events add or take their ``amount`` from its commitment, cumulatively. Its level is the
  commitment clipped to [0, 1] while in force, 0 otherwise.

Steps
-----
The engine's step ``t`` stands for the period from its date to the next step's and reads the
statuses of the period's last day (:func:`step_days`): whatever is dated in a period, a field
or an event, counts from that period's step, as every other effect of an event does (an
``alliance`` event changes the commitment in the state and the treaty in the setting in the
same step). Reading the record's dates at the period's middle instead, as the engine once
did, would put a ``cancelled: 2009-09-17`` date and a cancellation event of that day in
different steps.

>>> import datetime as dt
>>> from security_dilemma.scenario import load_case
>>> line = timeline(load_case("bmd-europe"))
>>> line.at(dt.date(2012, 6, 1)).sites["brdy"]
SiteState(status='cancelled', known=True, interceptors=None)
>>> line.at(dt.date(2006, 6, 1)).sites["brdy"].known
False
"""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from .schema import (
    Alliance,
    AllianceChange,
    Case,
    DefenceSite,
    Membership,
    MembershipChange,
    MissileStatus,
    NonNegative,
    SiteStatus,
)

__all__ = ["SiteState", "Statuses", "Timeline", "step_dates", "step_days", "timeline"]

S = TypeVar("S")
T = TypeVar("T")
SiteStatusName = Literal["planned", "operational", "cancelled"]
MissileStatusName = Literal["deployed", "tested", "in_development", "projected", "retired"]

_OWN, _EVENT = 0, 1
"""Order of changes on one day: the record's own dates, then events (which win a tie)."""


@dataclass(frozen=True)
class SiteState:
    """A defence site on one day."""

    status: SiteStatusName
    known: bool
    """Whether others know of it: only a known site counts (see the module's rule)."""
    interceptors: NonNegative | None


@dataclass(frozen=True)
class Statuses:
    """Everything the timeline says about one day, by id."""

    day: dt.date
    sites: Mapping[str, SiteState]
    missiles: Mapping[str, MissileStatusName]
    members: Mapping[str, frozenset[str]]
    """Institution id to the ids of its members on the day."""
    alliances: Mapping[str, float]
    """Alliance id to its level: commitment in [0, 1] while in force, else 0."""

    @property
    def operational(self) -> tuple[str, ...]:
        """Ids of the sites operational on the day (they intercept), sorted."""
        return tuple(sorted(k for k, s in self.sites.items() if s.status == "operational"))

    @property
    def standing(self) -> tuple[str, ...]:
        """Ids of the sites known and not cancelled on the day (they erode deterrence), sorted."""
        return tuple(
            sorted(k for k, s in self.sites.items() if s.known and s.status != "cancelled")
        )


@dataclass(frozen=True)
class _Change(Generic[T]):
    day: dt.date
    rank: int
    value: T
    plan: bool = False
    """A planned date: it does not apply to a cancelled site."""


@dataclass(frozen=True)
class _Dated(Generic[T]):
    """An event's effect and the event's day."""

    day: dt.date
    effect: T


@dataclass(frozen=True)
class _Series(Generic[T]):
    """A value that changes on dated days: ``values[k]`` holds from ``days[k]`` on."""

    first: T
    days: tuple[dt.date, ...]
    values: tuple[T, ...]

    def at(self, day: dt.date) -> T:
        k = bisect_right(self.days, day)
        return self.values[k - 1] if k else self.first


def _replace(old: T, change: _Change[T]) -> T:
    return change.value


def _series(
    first: S, changes: Iterable[_Change[T]], apply: Callable[[S, _Change[T]], S]
) -> _Series[S]:
    """Apply ``changes`` in date order (own dates before events on a day) from ``first``."""
    value, days, values = first, [], []
    for c in sorted(changes, key=lambda c: (c.day, c.rank)):
        value = apply(value, c)
        days.append(c.day)
        values.append(value)
    return _Series(first, tuple(days), tuple(values))


def _day_after(day: dt.date | None) -> dt.date | None:
    return None if day is None or day == dt.date.max else day + dt.timedelta(days=1)


@dataclass(frozen=True)
class _Pact:
    on: bool
    shift: float


@dataclass(frozen=True)
class _SiteLine:
    status: _Series[SiteStatusName]
    interceptors: _Series[NonNegative | None]
    known_from: dt.date | None


@dataclass(frozen=True)
class _AllianceLine:
    commitment: float
    pact: _Series[_Pact]

    def level(self, day: dt.date) -> float:
        pact = self.pact.at(day)
        return max(0.0, min(1.0, self.commitment + pact.shift)) if pact.on else 0.0


@dataclass(frozen=True)
class Timeline:
    """A case's statuses as functions of the day; build it with :func:`timeline`."""

    sites: Mapping[str, _SiteLine]
    missiles: Mapping[str, _Series[MissileStatusName]]
    members: Mapping[str, Mapping[str, _Series[bool]]]
    alliances: Mapping[str, _AllianceLine]

    def at(self, day: dt.date) -> Statuses:
        """The statuses on ``day`` (every change dated on or before it applied)."""
        return Statuses(
            day=day,
            sites={
                k: SiteState(
                    line.status.at(day),
                    line.known_from is not None and line.known_from <= day,
                    line.interceptors.at(day),
                )
                for k, line in self.sites.items()
            },
            missiles={k: line.at(day) for k, line in self.missiles.items()},
            members={
                k: frozenset(a for a, line in lines.items() if line.at(day))
                for k, lines in self.members.items()
            },
            alliances={k: line.level(day) for k, line in self.alliances.items()},
        )

    def over(self, days: Sequence[dt.date]) -> tuple[Statuses, ...]:
        """The statuses on each of ``days`` (e.g. :func:`step_days` for the engine)."""
        return tuple(self.at(day) for day in days)


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def step_dates(start: dt.date, end: dt.date, step: str) -> list[dt.date]:
    """First day of every period from ``start`` while it is on or before ``end``."""
    out: list[dt.date] = []
    t = 0
    while True:
        if step == "year":
            d = _add_months(start, 12 * t)
        elif step == "quarter":
            d = _add_months(start, 3 * t)
        elif step == "month":
            d = _add_months(start, t)
        elif step == "week":
            d = start + dt.timedelta(weeks=t)
        else:
            d = start + dt.timedelta(days=t)
        if d > end:
            return out
        out.append(d)
        t += 1


def step_days(dates: Sequence[dt.date], end: dt.date) -> list[dt.date]:
    """The day whose statuses each step reads: the last of its period (the day before the next
    step's date; ``end`` for the last step)."""
    return [d - dt.timedelta(days=1) for d in dates[1:]] + [end] if dates else []


def _site_apply(old: SiteStatusName, change: _Change[SiteStatusName]) -> SiteStatusName:
    return old if change.plan and old == "cancelled" else change.value


def _site_line(site: DefenceSite, events: Sequence[_Dated[SiteStatus]]) -> _SiteLine:
    own: list[_Change[SiteStatusName]] = []
    if site.operational is not None:
        own.append(_Change(site.operational, _OWN, "operational", plan=True))
    if site.cancelled is not None:
        own.append(_Change(site.cancelled, _OWN, "cancelled"))
    status = _series(
        site.status, own + [_Change(d.day, _EVENT, d.effect.status) for d in events], _site_apply
    )
    stocked: list[_Change[NonNegative | None]] = [
        _Change(d.day, _EVENT, d.effect.interceptors)
        for d in events
        if d.effect.interceptors is not None
    ]
    signs = [site.announced] if site.announced is not None else []
    signs += [d.day for d in events]
    signs += [d for d, v in zip(status.days, status.values, strict=True) if v == "operational"]
    if site.status == "operational" or (not signs and site.status == "planned"):
        signs.append(dt.date.min)  # it exists at the start
    inventory: _Series[NonNegative | None] = _series(site.interceptors, stocked, _replace)
    return _SiteLine(status, inventory, min(signs, default=None))


def _covered(records: Sequence[Membership], day: dt.date) -> bool:
    return any(
        (m.since is None or m.since <= day) and (m.until is None or day <= m.until) for m in records
    )


def _membership_line(
    records: Sequence[Membership], events: Sequence[_Dated[MembershipChange]]
) -> _Series[bool]:
    bounds = {m.since for m in records} | {_day_after(m.until) for m in records}
    own = [_Change(b, _OWN, _covered(records, b)) for b in bounds if b is not None]
    dated = own + [_Change(d.day, _EVENT, d.effect.change == "join") for d in events]
    return _series(any(m.since is None for m in records), dated, _replace)


def _pact_apply(old: _Pact, change: _Change[bool | AllianceChange]) -> _Pact:
    e = change.value
    if isinstance(e, bool):
        return _Pact(e, old.shift)
    if e.change in ("form", "end"):
        return _Pact(e.change == "form", old.shift)
    return _Pact(old.on, old.shift + (e.amount if e.change == "strengthen" else -e.amount))


def _alliance_line(alliance: Alliance, events: Sequence[_Dated[AllianceChange]]) -> _AllianceLine:
    own: list[_Change[bool | AllianceChange]] = []
    if alliance.start is not None:
        own.append(_Change(alliance.start, _OWN, True))
    end = _day_after(alliance.end)
    if end is not None:
        own.append(_Change(end, _OWN, False))
    dated = own + [_Change(d.day, _EVENT, d.effect) for d in events]
    pact = _series(_Pact(alliance.start is None, 0.0), dated, _pact_apply)
    return _AllianceLine(alliance.commitment.value, pact)


def timeline(case: Case) -> Timeline:
    """The timeline of ``case``: one pass over its events, one over its records."""
    sites: dict[str, list[_Dated[SiteStatus]]] = {}
    missiles: dict[str, list[_Dated[MissileStatus]]] = {}
    members: dict[tuple[str, str], list[_Dated[MembershipChange]]] = {}
    alliances: dict[str, list[_Dated[AllianceChange]]] = {}
    for event in case.events:
        for e in event.effects:
            if isinstance(e, SiteStatus):
                sites.setdefault(e.site, []).append(_Dated(event.date, e))
            elif isinstance(e, MissileStatus):
                missiles.setdefault(e.missile, []).append(_Dated(event.date, e))
            elif isinstance(e, MembershipChange):
                members.setdefault((e.institution, e.actor), []).append(_Dated(event.date, e))
            elif isinstance(e, AllianceChange):
                alliances.setdefault(e.alliance, []).append(_Dated(event.date, e))
    return Timeline(
        sites={s.id: _site_line(s, sites.get(s.id, [])) for s in case.defence_sites},
        missiles={
            m.id: _series(
                m.status,
                [_Change(d.day, _EVENT, d.effect.status) for d in missiles.get(m.id, [])],
                _replace,
            )
            for m in case.missiles
        },
        members={
            i.id: {
                a: _membership_line(
                    [m for m in i.members if m.actor == a], members.get((i.id, a), [])
                )
                for a in dict.fromkeys(
                    [m.actor for m in i.members] + [a for k, a in members if k == i.id]
                )
            }
            for i in case.institutions
        },
        alliances={a.id: _alliance_line(a, alliances.get(a.id, [])) for a in case.alliances},
    )
