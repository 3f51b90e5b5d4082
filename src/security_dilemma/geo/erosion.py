"""What a defence could stop: warheads aimed at a defender, and the erosion of a deterrent.

One rule serves both :func:`defence_outcome` (used by the engine's interception term) and
:func:`deterrent_erosion` (the question Russia asked of the Polish site):

1. The attacker's warheads are ``inventory x warheads per missile`` for each of its systems
   (times ``retaliation``, the share that survives to be launched), split evenly over the
   system's launch points and the defender's targets. A share is *in range* when the geodesic
   distance from launch point to target is within the system's range.
2. A warhead's path is *covered* by an interceptor site when the site defends the defender (it
   is the defender's, an ally's, or hosted by the defender), is active, and passes the coverage
   test of :mod:`~security_dilemma.geo.coverage` with an active supporting radar.
3. Each site spreads its interceptors evenly over the warheads whose paths it covers, at most
   ``shots`` per warhead, and kills each with Wilkening's probability
   (:func:`~security_dilemma.geo.leakage.mean_kill_fraction`). Sites covering the same path
   act as independent layers.

The fraction stopped is the expected number of warheads killed over the warheads in range.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import BadInput, Problem, did_you_mean
from .casegeometry import CaseGeometry, case_geometry
from .gazetteer import Gazetteer, Location
from .leakage import mean_kill_fraction

if TYPE_CHECKING:
    from ..scenario.schema import Case

__all__ = [
    "DEFAULT_SHOTS",
    "DefenceOutcome",
    "ErosionResult",
    "PathShare",
    "SiteLoad",
    "defence_outcome",
    "deterrent_erosion",
]

DEFAULT_SHOTS = 2
"""Interceptors fired at each warhead when a case does not say (a common planning figure)."""


@dataclass(frozen=True)
class PathShare:
    """A share of the attacker's warheads on one launch-to-target path."""

    missile: str
    launch: str
    target: str
    distance_km: float
    warheads: float
    in_range: bool
    covered_by: tuple[str, ...]
    """Defending interceptor sites covering the path (with radar support)."""
    closest_km: dict[str, float] = field(default_factory=dict)
    """Closest approach of the path to each of the case's sites, km."""


@dataclass(frozen=True)
class SiteLoad:
    """One interceptor site's engagement: warheads it covers, inventory, kill probability."""

    site: str
    interceptors: float
    warheads: float
    kill_probability: float
    """Expected fraction of the covered warheads this site kills (even spread, <= shots each)."""


@dataclass(frozen=True)
class DefenceOutcome:
    """Expected result of ``defender``'s sites against ``attacker``'s warheads."""

    defender: str
    attacker: str
    warheads: float
    """Warheads considered (inventory x warheads x retaliation)."""
    warheads_in_range: float
    warheads_covered: float
    expected_stopped: float
    fraction: float
    """Expected share of the in-range warheads stopped; 0 when none is in range."""
    sites: tuple[SiteLoad, ...]
    paths: tuple[PathShare, ...] = field(repr=False)
    assumed_inventory: tuple[str, ...] = ()
    """Systems without an inventory, counted as one missile."""


@dataclass(frozen=True)
class ErosionResult:
    """Deterrent erosion: the share of the attacker's retaliation the defender could stop."""

    defender: str
    attacker: str
    shots: int
    retaliation: float
    today: DefenceOutcome
    expanded: DefenceOutcome | None
    """The same with the expanded interceptor count (None when none was given)."""

    @property
    def fraction_today(self) -> float:
        """Share stopped with today's inventory."""
        return self.today.fraction

    @property
    def fraction_expanded(self) -> float | None:
        """Share stopped with the expanded inventory."""
        return None if self.expanded is None else self.expanded.fraction

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stable keys: defender, attacker, shots, retaliation, today,
        expanded, fraction_today, fraction_expanded)."""
        return {
            "defender": self.defender,
            "attacker": self.attacker,
            "shots": self.shots,
            "retaliation": self.retaliation,
            "fraction_today": self.fraction_today,
            "fraction_expanded": self.fraction_expanded,
            "today": asdict(self.today),
            "expanded": None if self.expanded is None else asdict(self.expanded),
        }


def _defends(geo: CaseGeometry, site_id: str, defender: str) -> bool:
    s = geo.site(site_id)
    return s.kind == "interceptor" and (
        s.actor == defender or s.host == defender or geo.allied(s.actor, defender)
    )


def _check_actor(geo: CaseGeometry, actor: str, field_name: str) -> None:
    if actor not in geo.actor_ids:
        raise BadInput(
            Problem(
                f"unknown actor '{actor}'{did_you_mean(actor, geo.actor_ids)}; actors: "
                f"{', '.join(geo.actor_ids)}",
                path=field_name,
            )
        )


def active_sites(geo: CaseGeometry, sites: Iterable[str] | None, default: str) -> frozenset[str]:
    """Site ids in use: the given ones (checked), or by default the case's sites whose status
    is ``operational`` (``default="operational"``) or not ``cancelled`` (``"standing"``)."""
    known = [s.id for s in geo.sites]
    if sites is None:
        if default == "operational":
            return frozenset(s.id for s in geo.sites if s.status == "operational")
        return frozenset(s.id for s in geo.sites if s.status != "cancelled")
    chosen = frozenset(sites)
    bad = sorted(chosen - set(known))
    if bad:
        raise BadInput(
            Problem(
                f"unknown defence site '{bad[0]}'{did_you_mean(bad[0], known)}; sites: "
                f"{', '.join(known) or '(none)'}",
                path="sites",
            )
        )
    return chosen


def defence_outcome(
    geo: CaseGeometry,
    defender: str,
    attacker: str,
    active: frozenset[str],
    *,
    shots: int = DEFAULT_SHOTS,
    interceptors: Mapping[str, float] | None = None,
    retaliation: float = 1.0,
    targets: tuple[Location, ...] | None = None,
    missiles: frozenset[str] | None = None,
) -> DefenceOutcome:
    """Expected outcome of the defender's active sites against the attacker's warheads."""
    aims = geo.targets[defender] if targets is None else targets
    defending = [sid for sid in active if _defends(geo, sid, defender)]
    paths: list[PathShare] = []
    assumed: list[str] = []
    total = 0.0
    for m in geo.systems(attacker, missiles):
        if m.inventory is None:
            assumed.append(m.id)
        count = (m.inventory.value if m.inventory is not None else 1.0) * m.warheads.value
        count *= retaliation
        total += count
        launches = geo.launches[m.id]
        if not launches or not aims:
            continue
        share = count / (len(launches) * len(aims))
        for launch in launches:
            for target in aims:
                p = geo.path(launch, target)
                reachable = p.distance_km <= m.range_km.value
                cover = p.defended_by(active, geo.allied) if reachable else ()
                engaged = m.range_km.value
                cover = tuple(s for s in cover if s in defending and geo.site(s).engages(engaged))
                paths.append(
                    PathShare(
                        m.id,
                        launch.name,
                        target.name,
                        p.distance_km,
                        share,
                        reachable,
                        cover,
                        dict(p.closest_km),
                    )
                )
    loads = []
    kill: dict[str, float] = {}
    for sid in sorted(defending):
        site = geo.site(sid)
        stock = (
            site.interceptors if interceptors is None else interceptors.get(sid, site.interceptors)
        )
        load = sum(p.warheads for p in paths if sid in p.covered_by)
        kill[sid] = mean_kill_fraction(site.sspk, shots, site.tracking, load, stock)
        loads.append(SiteLoad(sid, float(stock), float(load), kill[sid]))
    in_range = sum(p.warheads for p in paths if p.in_range)
    covered = sum(p.warheads for p in paths if p.covered_by)
    stopped = sum(
        p.warheads * (1.0 - math.prod(1.0 - kill[s] for s in p.covered_by))
        for p in paths
        if p.covered_by
    )
    return DefenceOutcome(
        defender=defender,
        attacker=attacker,
        warheads=total,
        warheads_in_range=in_range,
        warheads_covered=covered,
        expected_stopped=stopped,
        fraction=stopped / in_range if in_range > 0 else 0.0,
        sites=tuple(loads),
        paths=tuple(paths),
        assumed_inventory=tuple(assumed),
    )


def deterrent_erosion(
    case: Case,
    defender: str,
    attacker: str,
    sites: Iterable[str] | None = None,
    interceptors: int | Mapping[str, int] | None = None,
    *,
    shots: int = DEFAULT_SHOTS,
    retaliation: float = 1.0,
    targets: Iterable[str] | None = None,
    missiles: Iterable[str] | None = None,
) -> ErosionResult:
    """Share of ``attacker``'s retaliatory warheads that ``defender``'s sites could stop.

    ``sites``: site ids to count (default: every site not cancelled: planned sites count,
    since the question is what the defence *could* do). ``interceptors``: the expanded count,
    either one number for every counted interceptor site or ``{site id: count}``.
    ``retaliation``: share of the attacker's force that survives to retaliate (1 = the whole
    inventory; a "ragged retaliation" after a first strike is smaller). ``targets``: place
    names the retaliation is aimed at (default: the defender's capital). ``missiles``: the
    attacker's systems to count (default: all).
    """
    geo = case_geometry(case)
    _check_actor(geo, defender, "defender")
    _check_actor(geo, attacker, "attacker")
    if not 0 < retaliation <= 1:
        raise BadInput(Problem(f"must be in (0, 1] (got {retaliation:g})", path="retaliation"))
    if shots < 1:
        raise BadInput(Problem(f"must be 1 or more (got {shots})", path="shots"))
    active = active_sites(geo, sites, "standing")
    aims = None
    if targets is not None:
        gaz = Gazetteer.for_case(case)
        aims = tuple(gaz.resolve(t, field="targets") for t in targets)
    chosen = None if missiles is None else frozenset(missiles)
    if chosen is not None:
        known = {m.id for m in geo.systems(attacker)}
        bad = sorted(chosen - known)
        if bad:
            raise BadInput(
                Problem(
                    f"'{bad[0]}' is not a missile system of {attacker}"
                    f"{did_you_mean(bad[0], known)}",
                    path="missiles",
                )
            )
    today = defence_outcome(
        geo,
        defender,
        attacker,
        active,
        shots=shots,
        retaliation=retaliation,
        targets=aims,
        missiles=chosen,
    )
    expanded = None
    if interceptors is not None:
        if isinstance(interceptors, Mapping):
            stock = {k: float(v) for k, v in interceptors.items()}
            unknown = sorted(set(stock) - active)
            if unknown:
                raise BadInput(
                    Problem(
                        f"'{unknown[0]}' is not a counted interceptor site"
                        f"{did_you_mean(unknown[0], active)}",
                        path="interceptors",
                    )
                )
        else:
            stock = {s: float(interceptors) for s in active}
        if any(v < 0 for v in stock.values()):
            raise BadInput(Problem("interceptor counts must be 0 or more", path="interceptors"))
        expanded = defence_outcome(
            geo,
            defender,
            attacker,
            active,
            shots=shots,
            interceptors=stock,
            retaliation=retaliation,
            targets=aims,
            missiles=chosen,
        )
    return ErosionResult(defender, attacker, shots, retaliation, today, expanded)
