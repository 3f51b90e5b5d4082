"""Geography commands: ``distance``, ``reach``, ``map`` and the ``bmd`` group
(``leakage``, ``coverage``, ``erosion``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._tables import FitTable
from ..errors import BadInput, Problem
from ._common import CaseArg, JsonOpt, PlacesCaseOpt, console, print_json

if TYPE_CHECKING:
    from ..geo.gazetteer import Gazetteer, Location

__all__ = ["register"]

bmd_app = typer.Typer(
    name="bmd",
    help="Missile defence: Wilkening's leakage model, coverage geometry, deterrent erosion.",
    no_args_is_help=True,
)


def _gazetteer(case: str | None) -> Gazetteer:
    from ..geo.gazetteer import Gazetteer

    if case is None:
        return Gazetteer.default()
    from ..scenario import load_case

    return Gazetteer.for_case(load_case(case))


def _write_json(path: Path, doc: Any) -> None:
    try:
        path.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BadInput(Problem(f"cannot write '{path}': {exc.strerror}", path="geojson")) from None


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    from ..scenario.schema import to_date

    try:
        value = to_date(text)
    except ValueError as exc:
        raise BadInput(Problem(str(exc), path="--date")) from None
    if not isinstance(value, dt.date):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise BadInput(
                Problem(f"not a date: '{text}' (give 2008, 2008-07 or 2008-07-09)", path="--date")
            ) from None
    return value


def _extent(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        west, east, south, north = (float(v) for v in text.split(","))
    except ValueError:
        raise BadInput(
            Problem(
                f"give --extent as WEST,EAST,SOUTH,NORTH degrees (got '{text}')", path="--extent"
            )
        ) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadInput(
            Problem(
                "--extent needs -180 <= WEST < EAST <= 180 and -90 <= SOUTH < NORTH <= 90",
                path="--extent",
            )
        )
    return west, east, south, north


def _km(x: float) -> str:
    return f"{x:,.0f}"


# --- distance ---------------------------------------------------------------------------------


def distance(
    a: Annotated[
        str,
        typer.Argument(
            metavar="FROM",
            help="Place name, ISO3/COW code or 'lat,lon' (-33.86,151.21 or 33.86S,151.21E).",
        ),
    ],
    b: Annotated[str, typer.Argument(metavar="TO", help="Place name, ISO3/COW code or 'lat,lon'.")],
    case: PlacesCaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Geodesic distance on the WGS84 ellipsoid, with initial and final azimuths.

    JSON keys: from, to (name, lat, lon), distance_km, initial_azimuth_deg, final_azimuth_deg,
    ellipsoid.
    """
    from ..geo.geodesy import distance_between

    gaz = _gazetteer(case)
    problems = [
        Problem(gaz.explain_unknown(q) or "", path=name)
        for name, q in (("A", a), ("B", b))
        if q not in gaz
    ]
    if problems:
        raise BadInput(problems)
    pa, pb = gaz.resolve(a), gaz.resolve(b)
    leg = distance_between(pa.lat, pa.lon, pb.lat, pb.lon)
    if as_json:
        print_json(
            {
                "from": {"name": pa.name, "lat": pa.lat, "lon": pa.lon},
                "to": {"name": pb.name, "lat": pb.lat, "lon": pb.lon},
                "distance_km": leg.distance_km,
                "initial_azimuth_deg": leg.initial_azimuth,
                "final_azimuth_deg": leg.final_azimuth,
                "ellipsoid": "WGS84",
            }
        )
        return
    console.print(
        f"{pa.name} ({pa.lat:.2f}, {pa.lon:.2f}) to {pb.name} ({pb.lat:.2f}, {pb.lon:.2f}): "
        f"{leg.distance_km:,.1f} km, initial azimuth {leg.initial_azimuth:.1f}°, "
        f"final azimuth {leg.final_azimuth:.1f}° (WGS84 geodesic)",
        markup=False,
    )


# --- reach ------------------------------------------------------------------------------------


def reach(
    origin: Annotated[
        str, typer.Option("--from", help="Launch place: name, ISO3/COW code or 'lat,lon'.")
    ],
    range_km: Annotated[float, typer.Option("--range-km", help="Missile range, km.")],
    case: PlacesCaseOpt = None,
    continent: Annotated[
        list[str] | None,
        typer.Option("--continent", help="Only list capitals and countries on this continent."),
    ] = None,
    geojson: Annotated[
        Path | None, typer.Option("--geojson", help="Write the ring and capitals as GeoJSON.")
    ] = None,
    map_out: Annotated[
        Path | None, typer.Option("--map", help="Draw the ring and capitals (PNG, SVG or PDF).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Capitals within range of a place, and the share of each country's territory in range.

    Shares are geodesic-area fractions of the Natural Earth country polygons. JSON keys:
    origin, range_km, capitals (name, iso3, country, continent, lat, lon, distance_km),
    countries (iso3, name, continent, fraction, area_in_range_km2, area_km2).
    """
    from ..geo.reach import check_range
    from ..geo.reach import reach as reach_of

    gaz = _gazetteer(case)
    if origin not in gaz:
        raise BadInput(Problem(gaz.explain_unknown(origin) or "", path="--from"))
    where = gaz.resolve(origin)
    result = reach_of(where, check_range(range_km, field="--range-km"))
    keep = None if not continent else {c.casefold() for c in continent}
    doc = result.to_dict()
    if keep is not None:
        doc["capitals"] = [c for c in doc["capitals"] if c["continent"].casefold() in keep]
        doc["countries"] = [c for c in doc["countries"] if c["continent"].casefold() in keep]
    if geojson is not None:
        from ..geo.maps import ring_geojson

        caps = [c for c in result.capitals if keep is None or c.continent.casefold() in keep]
        _write_json(geojson, ring_geojson(where, result.range_km, caps))
    if map_out is not None:
        from ..geo.maps import reach_map

        reach_map([where], [result.range_km], out=map_out,
                  title=f"{result.range_km:,.0f} km from {where.name}")  # fmt: skip
    if as_json:
        print_json(doc)
        return
    console.print(
        f"From {where.name} ({where.lat:.2f}, {where.lon:.2f}), range {result.range_km:,.0f} km "
        "(WGS84 geodesic):",
        markup=False,
    )
    t = FitTable(title="National capitals in range")
    for col in ("capital", "country", "continent", "km"):
        t.add_column(
            col,
            "right" if col == "km" else "left",
            wrap=col in ("capital", "country"),
            drop=int(col == "continent"),
        )
    for c in doc["capitals"]:
        t.add_row(c["name"], c["country"], c["continent"], _km(c["distance_km"]))
    console.print(t)
    t = FitTable(title="Territory in range (share of area)")
    for col in ("country", "iso3", "share", "km² in range"):
        t.add_column(col, "left" if col in ("country", "iso3") else "right", wrap=col == "country")
    for c in doc["countries"]:
        share = f"{c['fraction']:.1%}" if c["fraction"] >= 0.001 else "<0.1%"
        t.add_row(c["name"], c["iso3"], share, _km(c["area_in_range_km2"]))
    console.print(t)


# --- map --------------------------------------------------------------------------------------


def map_cmd(
    case: CaseArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Map file: .png, .svg or .pdf.")],
    date: Annotated[
        str | None, typer.Option("--date", help="Show site and missile statuses on this date.")
    ] = None,
    missile: Annotated[
        list[str] | None, typer.Option("--missile", help="Only these missile systems (ids).")
    ] = None,
    footprints: Annotated[
        bool, typer.Option("--footprints/--no-footprints", help="Draw defended footprints.")
    ] = True,
    extent: Annotated[
        str | None,
        typer.Option("--extent", help="View 'WEST,EAST,SOUTH,NORTH' in degrees (default: auto)."),
    ] = None,
    geojson: Annotated[
        Path | None, typer.Option("--geojson", help="Also write the features as GeoJSON.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Draw a case's map: borders, capitals, sites, fly-out and radar circles, range rings.

    JSON keys: case, out, geojson, features.
    """
    from ..geo.maps import case_geojson, case_map, save
    from ..scenario import load_case

    c = load_case(case)
    when = _date(date)
    if missile:
        known = {m.id for m in c.missiles}
        bad = [m for m in missile if m not in known]
        if bad:
            from ..errors import did_you_mean

            raise BadInput(
                Problem(
                    f"unknown missile '{bad[0]}'{did_you_mean(bad[0], known)}", path="--missile"
                )
            )
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise BadInput(Problem(f"map files end in .png, .svg or .pdf (got '{out}')", path="--out"))
    fig = case_map(c, date=when, missiles=missile, footprints=footprints, extent=_extent(extent))
    save(fig, out)
    n = 0
    if geojson is not None:
        doc = case_geojson(c, when, missiles=missile, footprints=footprints)
        n = len(doc["features"])
        _write_json(geojson, doc)
    if as_json:
        print_json({"case": c.id, "out": str(out), "geojson": geojson, "features": n})
    else:
        console.print(f"wrote {out}" + (f" and {geojson}" if geojson else ""), markup=False)


# --- bmd leakage ----------------------------------------------------------------------------


def _layer(text: str, i: int) -> Any:
    from ..geo.leakage import Layer

    parts = text.split(",")
    try:
        if len(parts) not in (3, 4):
            raise ValueError
        p, n, q = float(parts[0]), int(parts[1]), float(parts[2])
        inv = int(parts[3]) if len(parts) == 4 and parts[3] else None
    except ValueError:
        raise BadInput(
            Problem(
                f"a layer is 'SSPK,SHOTS,TRACKING[,INTERCEPTORS]' (got '{text}')",
                path=f"--layer[{i}]",
            )
        ) from None
    return Layer(sspk=p, shots=n, tracking=q, interceptors=inv, name=f"layer {i + 1}")


def leakage(
    sspk: Annotated[float, typer.Option("--sspk", help="Single-shot kill probability p.")] = 0.5,
    shots: Annotated[int, typer.Option("--shots", help="Interceptors per warhead n.")] = 2,
    tracking: Annotated[
        float, typer.Option("--tracking", help="Probability q that the defence tracks/engages.")
    ] = 1.0,
    warheads: Annotated[int, typer.Option("--warheads", help="Attacking warheads W.")] = 1,
    interceptors: Annotated[
        int | None, typer.Option("--interceptors", help="Inventory I (default: unlimited).")
    ] = None,
    look: Annotated[
        int | None,
        typer.Option("--look", help="Shoot-look-shoot: shots at each survivor after a look."),
    ] = None,
    layer: Annotated[
        list[str] | None,
        typer.Option(
            "--layer", help="Add an independent layer 'SSPK,SHOTS,TRACKING[,INTERCEPTORS]'."
        ),
    ] = None,
    confidence: Annotated[
        float | None,
        typer.Option("--confidence", help="Also report shots needed for this P(zero leakage)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Wilkening's leakage model: kill probability, leakers and P(zero leakage).

    JSON keys: mode (salvo | shoot-look-shoot | layered), and for a salvo or shoot-look-shoot
    sspk, shots, second_shots, tracking, warheads, interceptors, allocation, interceptors_used,
    exhausted, kill_probability, expected_kills, expected_leakers, p_zero_independent,
    p_zero_common, expected_kills_independent; shots_for_confidence when asked.
    """
    from ..geo import leakage as lk

    doc: dict[str, Any]
    if layer:
        layers = [lk.Layer(sspk=sspk, shots=shots, tracking=tracking, interceptors=interceptors)]
        layers += [_layer(t, i) for i, t in enumerate(layer)]
        res = lk.layered(layers, warheads)
        doc = {
            "mode": "layered",
            "warheads": warheads,
            "layers": [vars(x) for x in res.layers],
            "kill_probabilities": res.kill_probabilities,
            "survival_probability": res.survival_probability,
            "expected_kills": res.expected_kills,
            "expected_leakers": res.expected_leakers,
            "p_zero_independent": res.p_zero_independent,
            "p_zero_common": res.p_zero_common,
        }
    elif look is not None:
        e = lk.shoot_look_shoot(
            sspk=sspk,
            first=shots,
            second=look,
            tracking=tracking,
            warheads=warheads,
            interceptors=interceptors,
        )
        doc = {"mode": "shoot-look-shoot", **e.to_dict()}
    else:
        e = lk.engage(
            sspk=sspk, shots=shots, tracking=tracking, warheads=warheads, interceptors=interceptors
        )
        doc = {"mode": "salvo", **e.to_dict()}
    if confidence is not None:
        doc["shots_for_confidence"] = {
            "confidence": confidence,
            "common_mode": lk.shots_for_confidence(
                sspk=sspk, tracking=tracking, warheads=warheads, confidence=confidence
            ),
            "independent": lk.shots_for_confidence(
                sspk=sspk,
                tracking=tracking,
                warheads=warheads,
                confidence=confidence,
                common_mode=False,
            ),
        }
    if as_json:
        print_json(doc)
        return
    t = FitTable(title=f"Leakage ({doc['mode']}, Wilkening 2000)")
    t.add_column("quantity", wrap=True)
    t.add_column("value", "right")
    for key in (
        "warheads", "interceptors", "allocation", "interceptors_used", "exhausted",
        "kill_probability", "kill_probabilities", "survival_probability", "expected_kills",
        "expected_leakers", "p_zero_independent", "p_zero_common",
    ):  # fmt: skip
        if key in doc:
            v = doc[key]
            text = f"{v:.4f}" if isinstance(v, float) else str(v)
            if key == "interceptors" and v is None:
                text = "unlimited"
            t.add_row(key.replace("_", " "), text)
    if "shots_for_confidence" in doc:
        s = doc["shots_for_confidence"]
        for mode in ("common_mode", "independent"):
            n = s[mode]
            t.add_row(
                f"shots for P0 >= {confidence:g} ({mode.replace('_', ' ')})",
                "impossible" if n is None else str(n),
            )
    console.print(t)


# --- bmd coverage -------------------------------------------------------------------------------


def _resolve_all(gaz: Gazetteer, names: list[str], flag: str) -> list[Location]:
    problems = [
        Problem(gaz.explain_unknown(q) or "", path=f"{flag}[{i}]")
        for i, q in enumerate(names)
        if q not in gaz
    ]
    if problems:
        raise BadInput(problems)
    return [gaz.resolve(q) for q in names]


def coverage(
    case: CaseArg,
    launch: Annotated[
        list[str] | None,
        typer.Option("--from", help="Launch places (default: the case's launch areas)."),
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option("--to", help="Target places (default: the actors' capitals)."),
    ] = None,
    site: Annotated[
        list[str] | None, typer.Option("--site", help="Only these defence sites (ids).")
    ] = None,
    geojson: Annotated[
        Path | None, typer.Option("--geojson", help="Write paths and site circles as GeoJSON.")
    ] = None,
    map_out: Annotated[
        Path | None, typer.Option("--map", help="Draw the paths and sites (PNG, SVG or PDF).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Which launch-to-target geodesics pass within the sites' fly-out and radar circles.

    A path is covered by an interceptor site when one of its points lies within the site's
    fly-out radius and within range of a radar of the same operator or an ally. JSON keys:
    case, sites, paths (launch, target, distance_km, sites: id to kind, closest_km, reach_km,
    within; defended_by).
    """
    from ..geo.casegeometry import case_geometry
    from ..geo.coverage import path_coverage
    from ..geo.gazetteer import Gazetteer
    from ..scenario import load_case

    c = load_case(case)
    geo = case_geometry(c)
    gaz = Gazetteer.for_case(c)
    sites = list(geo.sites)
    if site:
        known = {s.id for s in sites}
        bad = [s for s in site if s not in known]
        if bad:
            from ..errors import did_you_mean

            raise BadInput(
                Problem(f"unknown site '{bad[0]}'{did_you_mean(bad[0], known)}", path="--site")
            )
        sites = [s for s in sites if s.id in set(site)]
    if launch:
        launches = _resolve_all(gaz, launch, "--from")
    else:
        launches = list(dict.fromkeys(p for m in c.missiles for p in geo.launches[m.id]))
        if not launches:
            raise BadInput(
                Problem("the case has no missile launch areas: give --from PLACE", path="--from")
            )
    if target:
        targets = _resolve_all(gaz, target, "--to")
    else:
        targets = list(dict.fromkeys(t for a in geo.actor_ids for t in geo.targets[a]))
    # by default a launch point is not paired with targets in its own country
    paths = [
        path_coverage(a, b, sites)
        for a in launches
        for b in targets
        if a != b and (target or a.country is None or a.country != b.country)
    ]
    allies = geo.allied
    docs = []
    for p in paths:
        d = p.to_dict()
        d["defended_by"] = list(p.defended_by(allied=allies))
        docs.append(d)
    if geojson is not None:
        from ..geo.maps import paths_geojson

        _write_json(geojson, paths_geojson(launches, targets, sites))
    if map_out is not None:
        from ..geo.maps import paths_map

        paths_map(launches, targets, sites, out=map_out, title=f"{c.title}: coverage")
    if as_json:
        print_json({"case": c.id, "sites": [vars(s) for s in sites], "paths": docs})
        return
    t = FitTable(title=f"Coverage of launch-to-target geodesics ({c.id})")
    for col in ("from", "to", "km"):
        t.add_column(col, "right" if col == "km" else "left", wrap=col != "km")
    for s in sites:
        t.add_column(f"{s.id}\n({s.kind}, {s.reach_km:,.0f} km)", "right")
    t.add_column("covered by", wrap=True)
    for p, d in zip(paths, docs, strict=True):
        row = [p.launch.name, p.target.name, _km(p.distance_km)]
        for s in sites:
            mark = "in" if p.within[s.id] else "out"
            row.append(f"{_km(p.closest_km[s.id])} ({mark})")
        row.append(", ".join(d["defended_by"]) or "-")
        t.add_row(*row)
    console.print(t)
    console.print(
        "Closest approach of each path to each site, km; 'in' when the path enters its circle.",
        markup=False,
    )


# --- bmd erosion --------------------------------------------------------------------------------


def erosion(
    case: CaseArg,
    defender: Annotated[str, typer.Option("--defender", help="Actor whose defences count.")],
    attacker: Annotated[str, typer.Option("--attacker", help="Actor whose deterrent is eroded.")],
    site: Annotated[
        list[str] | None,
        typer.Option("--site", help="Defence sites to count (default: all not cancelled)."),
    ] = None,
    interceptors: Annotated[
        int | None,
        typer.Option("--interceptors", help="Expanded interceptor count per counted site."),
    ] = None,
    shots: Annotated[int, typer.Option("--shots", help="Interceptors per warhead.")] = 2,
    retaliation: Annotated[
        float,
        typer.Option("--retaliation", help="Share of the attacker's force that retaliates."),
    ] = 1.0,
    target: Annotated[
        list[str] | None,
        typer.Option("--target", help="Places the retaliation aims at (default: capital)."),
    ] = None,
    missile: Annotated[
        list[str] | None, typer.Option("--missile", help="Only these systems of the attacker.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Share of the attacker's retaliatory warheads the defender's sites could stop.

    JSON keys: defender, attacker, shots, retaliation, fraction_today, fraction_expanded,
    today and expanded (warheads, warheads_in_range, warheads_covered, expected_stopped,
    fraction, sites, paths, assumed_inventory).
    """
    from ..geo.erosion import deterrent_erosion
    from ..scenario import load_case

    c = load_case(case)
    res = deterrent_erosion(
        c,
        defender,
        attacker,
        sites=site,
        interceptors=interceptors,
        shots=shots,
        retaliation=retaliation,
        targets=target,
        missiles=missile,
    )
    if as_json:
        print_json(res.to_dict())
        return
    today = res.today
    console.print(
        f"{attacker}'s warheads: {today.warheads:,.1f} (retaliation share {retaliation:g}); "
        f"in range of {defender}'s targets: {today.warheads_in_range:,.1f}; on paths covered "
        f"by {defender}'s sites: {today.warheads_covered:,.1f}.",
        markup=False,
    )
    if today.assumed_inventory:
        console.print(
            "No inventory given (counted as one missile): " + ", ".join(today.assumed_inventory),
            markup=False,
        )
    t = FitTable(title="Deterrent erosion")
    for col in (
        "inventory",
        "site",
        "interceptors",
        "warheads covered",
        "kill prob.",
        "share stopped",
    ):
        t.add_column(col, "left" if col in ("inventory", "site") else "right")
    for label, out in (("today", today), ("expanded", res.expanded)):
        if out is None:
            continue
        if not out.sites:
            t.add_row(label, "-", "0", "0", "-", f"{out.fraction:.2%}")
        for k, s in enumerate(out.sites):
            t.add_row(
                label if k == 0 else "",
                s.site,
                f"{s.interceptors:g}",
                f"{s.warheads:,.1f}",
                f"{s.kill_probability:.4f}",
                f"{out.fraction:.2%}" if k == 0 else "",
            )
    console.print(t)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command("distance")(distance)
    app.command("reach")(reach)
    app.command("map")(map_cmd)
    bmd_app.command("leakage")(leakage)
    bmd_app.command("coverage")(coverage)
    bmd_app.command("erosion")(erosion)
    app.add_typer(bmd_app, name="bmd")
