"""Static maps (PNG, SVG, PDF) and GeoJSON of a case's geography, drawn offline.

Maps use matplotlib without a display (a bare :class:`~matplotlib.figure.Figure` with the Agg
canvas, never pyplot) and the Natural Earth borders shipped with the package, in a Lambert
azimuthal equal-area projection (pyproj) centred on what is drawn: areas on the map compare
truly, and range rings look like the circles they are near the centre.

* :func:`case_map`: borders, the actors' capitals (labelled), defence sites, fly-out and radar
  circles, missile range rings from launch areas and the defended footprint.
* :func:`reach_map`: range rings from several launch points and the capitals they reach.
* :func:`paths_map`: launch-to-target geodesics past defence sites.
* :func:`case_geojson`: the same features as a GeoJSON FeatureCollection for a web page.
* :class:`MapCanvas`: the drawing surface the three maps are built on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from ..errors import BadInput, Problem
from .coverage import Site, defended_area, site_footprint
from .gazetteer import Location
from .geodesy import (
    GEOD,
    distances_km,
    geojson_geometry,
    path_points,
    range_ring,
    unit_vectors,
)
from .reach import countries_table

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..scenario.schema import Case

__all__ = [
    "MapCanvas",
    "case_geojson",
    "case_map",
    "missile_status_at",
    "paths_geojson",
    "paths_map",
    "reach_map",
    "ring_geojson",
    "save",
    "site_status_at",
]

_RING_COLOURS = ["#c0392b", "#d35400", "#8e44ad", "#7d6608", "#c2185b", "#6d4c41", "#a04000"]
_SITE_STYLE: dict[str, tuple[str, str, float]] = {  # marker, colour, size
    "interceptor": ("^", "#1f4e79", 9.0),
    "radar": ("D", "#117a65", 7.0),
}
_FOOTPRINT_COLOUR = {"interceptor": "#2e86c1", "radar": "#17a589"}
_LINESTYLE = {"operational": "-", "planned": "--", "cancelled": ":"}


# --- case status at a date --------------------------------------------------------------------


def site_status_at(case: Case, date: dt.date | None = None) -> dict[str, str]:
    """Each defence site's status on ``date`` by the case's timeline
    (:mod:`security_dilemma.scenario.timeline`), ``"unannounced"`` for a site not yet known
    then; without a date, the statuses as recorded (each site's ``status``)."""
    from ..scenario.timeline import timeline

    if date is None:
        return {s.id: s.status for s in case.defence_sites}
    now = timeline(case).at(date)
    return {k: s.status if s.known else "unannounced" for k, s in now.sites.items()}


def missile_status_at(case: Case, date: dt.date | None = None) -> dict[str, str]:
    """Each missile system's status on ``date`` by the case's timeline; without a date, the
    statuses as recorded."""
    from ..scenario.timeline import timeline

    if date is None:
        return {m.id: m.status for m in case.missiles}
    return dict(timeline(case).at(date).missiles)


def site_years(case: Case) -> dict[str, str]:
    """The years each defence site stood (known and not cancelled, by the case's timeline,
    read month by month): ``"2007-2009"``, ``"2011-"`` when it still stands at the end of the
    case, ``"never"`` when it never stood.

    >>> from security_dilemma.scenario import load_case
    >>> years = site_years(load_case("bmd-europe"))
    >>> years["redzikowo"], years["deveselu"]
    ('2007-2009', '2010-')
    """
    from ..scenario.timeline import timeline

    line = timeline(case)
    start, end = case.span.start, case.span.end
    months = [
        dt.date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1)
        for k in range((end.year - start.year) * 12 + end.month - start.month + 1)
    ]
    stood: dict[str, list[dt.date]] = {s.id: [] for s in case.defence_sites}
    for day in [*months, end]:
        for k in line.at(day).standing:
            stood[k].append(day)
    out = {}
    for k, days in stood.items():
        if not days:
            out[k] = "never"
        elif days[-1] == end:
            out[k] = f"{days[0].year}-"
        else:
            first, last = days[0].year, days[-1].year
            out[k] = str(first) if first == last else f"{first}-{last}"
    return out


# --- the canvas --------------------------------------------------------------------------------


def _centre(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Spherical mean of (lat, lon) points."""
    v = unit_vectors([p[0] for p in points], [p[1] for p in points]).sum(axis=0)
    norm = float(np.linalg.norm(v))
    if norm < 1e-9:
        return 0.0, 0.0
    x, y, z = v / norm
    return math.degrees(math.asin(z)), math.degrees(math.atan2(y, x))


def _boundary_points(geom: Any) -> list[tuple[float, float]]:
    """(lat, lon) of the vertices of a lon/lat geometry's boundary (or the point itself)."""
    if geom.is_empty:
        return []
    xy = shapely.get_coordinates(geom)
    step = max(1, len(xy) // 400)
    return [(float(y), float(x)) for x, y in xy[::step]]


def _path_of(geom: Any) -> MplPath | None:
    verts: list[Any] = []
    codes: list[int] = []
    for poly in shapely.get_parts(geom):
        if not isinstance(poly, Polygon) or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 3:
                continue
            verts += xy.tolist()
            codes += [int(MplPath.MOVETO)] + [int(MplPath.LINETO)] * (len(xy) - 2)
            codes.append(int(MplPath.CLOSEPOLY))
    return MplPath(verts, codes) if verts else None


@dataclass
class _Label:
    x: float
    y: float
    text: str
    priority: int
    colour: str = "#222222"
    size: float = 7.5
    optional: bool = False
    """Left out when it cannot be placed without overlapping."""


class MapCanvas:
    """A map in a Lambert azimuthal equal-area projection centred on ``focus``.

    ``focus`` is a list of (lat, lon) points that must be visible; the view is their extent
    plus a margin, and countries are clipped to a cap around the centre so that nothing
    folds over the far side of the globe.

    >>> canvas = MapCanvas([(52.2, 21.0), (35.7, 51.4)], title="Warsaw and Tehran")
    >>> canvas.countries()
    >>> fig = canvas.finish()
    >>> fig.axes[0].get_title()
    'Warsaw and Tehran'
    """

    def __init__(
        self,
        focus: Sequence[tuple[float, float]],
        *,
        ax: Axes | None = None,
        title: str | None = None,
        size: tuple[float, float] | None = None,
        margin: float = 0.06,
        legend_side: bool = False,
    ) -> None:
        if not focus:
            raise BadInput(Problem("nothing to draw: the map has no places", path="map"))
        self.lat0, self.lon0 = _centre(focus)
        self._to_xy = Transformer.from_crs(
            "EPSG:4326",
            f"+proj=laea +lat_0={self.lat0:.6f} +lon_0={self.lon0:.6f} +ellps=WGS84 +units=m",
            always_xy=True,
        )
        self.legend_side = legend_side and ax is None
        if ax is None:
            self.fig = Figure(figsize=size or ((12.0, 7.6) if legend_side else (9.0, 7.5)), dpi=150)
            FigureCanvasAgg(self.fig)
            rect = (0.01, 0.07, 0.70, 0.86) if legend_side else (0.02, 0.12, 0.96, 0.8)
            self.ax = self.fig.add_axes(rect)
        else:
            fig = ax.figure
            assert isinstance(fig, Figure)
            self.fig, self.ax = fig, ax
        self.ax.set_aspect("equal")
        self.ax.set_facecolor("#eaf2f8")
        self.ax.set_xticks([])
        self.ax.set_yticks([])
        if title:
            self.ax.set_title(title, fontsize=11)
        xs, ys = self.project_points([p[0] for p in focus], [p[1] for p in focus])
        w = max(float(xs.max() - xs.min()), 2e5)
        h = max(float(ys.max() - ys.min()), 2e5)
        cx, cy = (xs.max() + xs.min()) / 2, (ys.max() + ys.min()) / 2
        w, h = w * (1 + 2 * margin), h * (1 + 2 * margin)
        pos = self.ax.get_position(original=True)
        box_w, box_h = pos.width * self.fig.get_figwidth(), pos.height * self.fig.get_figheight()
        if w / h < box_w / box_h:
            w = h * box_w / box_h
        else:
            h = w * box_h / box_w
        self.ax.set_xlim(cx - w / 2, cx + w / 2)
        self.ax.set_ylim(cy - h / 2, cy + h / 2)
        # countries are clipped to a cap that just covers the view (nothing from the far side)
        corners_x = np.array([cx - w / 2, cx + w / 2, cx - w / 2, cx + w / 2])
        corners_y = np.array([cy - h / 2, cy - h / 2, cy + h / 2, cy + h / 2])
        lon, lat = self._to_xy.transform(corners_x, corners_y, direction="INVERSE")
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        far = distances_km(self.lat0, self.lon0, lat, lon) if np.all(np.isfinite(lat)) else None
        radius = 15_000.0 if far is None else float(far.max()) * 1.02 + 100.0
        self.clip_km = float(min(max(radius, 1000.0), 15_000.0))
        self.clip = range_ring(self.lat0, self.lon0, self.clip_km)
        self._labels: list[_Label] = []
        self._legend: dict[str, Any] = {}
        self.notes: list[str] = []

    def _add(self, patch: PathPatch) -> None:
        """Add a patch without recomputing the data limits (the view is fixed)."""
        self.ax.add_artist(patch)

    # projection ------------------------------------------------------------------------
    def project_points(self, lats: Iterable[float], lons: Iterable[float]) -> tuple[Any, Any]:
        """Projected (x, y) arrays of (lat, lon) points."""
        x, y = self._to_xy.transform(np.asarray(list(lons), float), np.asarray(list(lats), float))
        return np.asarray(x), np.asarray(y)

    def project(self, geom: Any) -> Any:
        """A lon/lat geometry clipped to the map's cap and projected."""
        clipped = geom.intersection(self.clip)
        if clipped.is_empty:
            return clipped
        dense = shapely.segmentize(clipped, 0.5)
        out = shapely.transform(
            dense, lambda xy: np.column_stack(self._to_xy.transform(xy[:, 0], xy[:, 1]))
        )
        west, _, east, _ = clipped.bounds
        if out.geom_type == "MultiPolygon" and (west <= -179.999 or east >= 179.999):
            # re-join the pieces split at the antimeridian, so no seam is drawn
            with contextlib.suppress(shapely.errors.GEOSException):  # else keep the pieces
                out = shapely.union_all(shapely.get_parts(shapely.make_valid(out)), grid_size=1.0)
        return out

    def visible(self, lat: float, lon: float) -> bool:
        """Whether a point falls inside the drawn view."""
        x, y = self.project_points([lat], [lon])
        (x0, x1), (y0, y1) = self.ax.get_xlim(), self.ax.get_ylim()
        return bool(x0 <= x[0] <= x1 and y0 <= y[0] <= y1)

    # layers ----------------------------------------------------------------------------
    def countries(self, highlight: Iterable[str] = ()) -> None:
        """Natural Earth countries, ``highlight`` (ISO3 codes) in a warmer tint."""
        marked = set(highlight)
        for c in countries_table():
            if not c.geometry.intersects(self.clip):
                continue
            path = _path_of(self.project(c.geometry))
            if path is None:
                continue
            face = "#f6e7c8" if c.iso3 in marked else "#f4f4f0"
            self._add(PathPatch(path, facecolor=face, edgecolor="#9a9a9a", linewidth=0.4, zorder=1))

    def area(
        self,
        geom: Any,
        *,
        colour: str,
        label: str | None = None,
        alpha: float = 0.12,
        linestyle: str = "-",
        linewidth: float = 1.2,
        hatch: str | None = None,
        zorder: float = 2,
    ) -> None:
        """A lon/lat polygon, filled lightly and outlined; in the legend only when some of it
        shows in the view (its outline, or its fill when it has one)."""
        projected = self.project(geom)
        path = _path_of(projected)
        if path is None:
            return
        self._add(PathPatch(path, facecolor=colour, alpha=alpha, edgecolor="none", zorder=zorder))
        self._add(
            PathPatch(
                path,
                facecolor="none",
                edgecolor=colour,
                linewidth=linewidth,
                linestyle=linestyle,
                hatch=hatch,
                zorder=zorder + 0.1,
            )
        )
        (x0, x1), (y0, y1) = self.ax.get_xlim(), self.ax.get_ylim()
        view = shapely.box(x0, y0, x1, y1)
        shown = projected.boundary.intersects(view) or (alpha > 0 and projected.intersects(view))
        if label and label not in self._legend and shown:
            style: Any = linestyle
            self._legend[label] = Patch(
                facecolor=colour, alpha=0.35, edgecolor=colour, linestyle=style, hatch=hatch
            )

    def ring(
        self,
        lat: float,
        lon: float,
        radius_km: float,
        *,
        colour: str,
        label: str | None = None,
        linestyle: str = "-",
        alpha: float = 0.06,
    ) -> None:
        """A geodesic range ring."""
        self.area(
            range_ring(lat, lon, radius_km),
            colour=colour,
            label=label,
            linestyle=linestyle,
            alpha=alpha,
        )

    def path(self, a: Location, b: Location, *, colour: str, label: str | None = None) -> None:
        """The geodesic from ``a`` to ``b``."""
        lats, lons = path_points(a.lat, a.lon, b.lat, b.lon, spacing_km=50.0)
        line = self.project(LineString(np.column_stack([lons, lats])))
        for part in shapely.get_parts(line):
            if isinstance(part, LineString | MultiLineString) and not part.is_empty:
                xy = shapely.get_coordinates(part)
                self.ax.plot(xy[:, 0], xy[:, 1], color=colour, linewidth=0.9, zorder=3)
        if label and label not in self._legend:
            self._legend[label] = Line2D([], [], color=colour, linewidth=0.9)

    def point(
        self,
        lat: float,
        lon: float,
        *,
        marker: str = "o",
        colour: str = "#222222",
        size: float = 4.0,
        label: str | None = None,
        text: str | None = None,
        priority: int = 5,
        text_colour: str | None = None,
        optional: bool = False,
    ) -> None:
        """A marker, with an optional legend entry and a map label placed without overlaps."""
        x, y = self.project_points([lat], [lon])
        self.ax.plot(
            x,
            y,
            linestyle="none",
            marker=marker,
            color=colour,
            markersize=size,
            markeredgecolor="white",
            markeredgewidth=0.6,
            zorder=6,
        )
        if label and label not in self._legend:
            self._legend[label] = Line2D(
                [],
                [],
                linestyle="none",
                marker=marker,
                color=colour,
                markersize=size,
                markeredgecolor="white",
            )
        if text:
            self._labels.append(
                _Label(
                    float(x[0]),
                    float(y[0]),
                    text,
                    priority,
                    text_colour or colour,
                    optional=optional,
                )
            )

    # finishing ---------------------------------------------------------------------------
    def _place_labels(self) -> None:
        if not hasattr(self.fig.canvas, "get_renderer"):  # a bare Figure: give it Agg
            FigureCanvasAgg(self.fig)
        renderer = self.fig.canvas.get_renderer()  # type: ignore[attr-defined]
        axbox = self.ax.get_window_extent(renderer)
        taken = [
            line.get_window_extent(renderer).expanded(1.0, 1.0)
            for line in self.ax.get_lines()
            if line.get_marker() not in (None, "None", "none", "")
        ]
        offsets = [
            (4, 3, "left", "bottom"), (-4, 3, "right", "bottom"), (4, -3, "left", "top"),
            (-4, -3, "right", "top"), (6, 0, "left", "center"), (-6, 0, "right", "center"),
            (0, 6, "center", "bottom"), (0, -6, "center", "top"), (10, 9, "left", "bottom"),
            (-10, 9, "right", "bottom"), (10, -9, "left", "top"), (-10, -9, "right", "top"),
        ]  # fmt: skip
        (x0, x1), (y0, y1) = self.ax.get_xlim(), self.ax.get_ylim()
        for lab in sorted(self._labels, key=lambda lb: lb.priority):
            if not (x0 <= lab.x <= x1 and y0 <= lab.y <= y1):
                continue
            best = None
            for dx, dy, ha, va in offsets:
                t = self.ax.annotate(
                    lab.text,
                    (lab.x, lab.y),
                    xytext=(dx, dy),
                    textcoords="offset points",
                    ha=ha,
                    va=va,
                    fontsize=lab.size,
                    color=lab.colour,
                    zorder=7,
                    bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.7},
                )
                bb = t.get_window_extent(renderer)
                inside = axbox.contains(bb.x0, bb.y0) and axbox.contains(bb.x1, bb.y1)
                clash = sum(bb.overlaps(o) for o in taken) + (0 if inside else 10)
                if best is None or clash < best[0]:
                    if best is not None:
                        best[1].remove()
                    best = (clash, t, bb)
                else:
                    t.remove()
                if clash == 0:
                    break
            if best is not None:
                if lab.optional and best[0] > 0:
                    best[1].remove()
                else:
                    taken.append(best[2])

    def finish(self, out: str | Path | None = None, *, legend_cols: int = 3) -> Figure:
        """Place labels, legend and notes; save to ``out`` (format from its suffix)."""
        self._place_labels()
        handles, names = list(self._legend.values()), list(self._legend.keys())
        if handles and self.legend_side:
            self.fig.legend(
                handles, names, loc="upper left", ncols=1, fontsize=7.5, frameon=False,
                bbox_to_anchor=(0.725, 0.93), labelspacing=0.7,
            )  # fmt: skip
        elif handles and self.fig.axes[0] is self.ax and len(self.fig.axes) == 1:
            self.fig.legend(
                handles, names, loc="lower center", ncols=min(legend_cols, len(handles)),
                fontsize=7.5, frameon=False, bbox_to_anchor=(0.5, 0.005),
            )  # fmt: skip
        elif handles:
            self.ax.legend(handles, names, loc="lower right", fontsize=6.5, framealpha=0.85)
        if self.notes and self.legend_side:
            self.fig.text(
                0.01, 0.005, "\n".join(self.notes), fontsize=6.5, color="#444444",
                va="bottom", ha="left",
            )  # fmt: skip
        elif self.notes:
            self.ax.text(
                0.005,
                0.005,
                "\n".join(self.notes),
                transform=self.ax.transAxes,
                fontsize=6.5,
                color="#444444",
                va="bottom",
                ha="left",
                zorder=8,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#cccccc", "alpha": 0.85},
            )
        if out is not None:
            save(self.fig, out)
        return self.fig


def save(fig: Figure, out: str | Path) -> Path:
    """Write a figure to PNG, SVG or PDF (chosen by the suffix)."""
    path = Path(out)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise BadInput(
            Problem(f"map files must end in .png, .svg or .pdf (got '{path.name}')", path="out")
        )
    meta: dict[str, Any] = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {})
    fig.savefig(path, format=fmt, metadata=meta or None, facecolor="white")
    return path


# --- the case's features ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Features:
    """Everything a case map or its GeoJSON shows, in lon/lat."""

    sites: list[tuple[Site, str]]
    rings: list[tuple[str, str, Location, float, str]]
    """(missile id, missile name, launch point, range_km, status)."""
    capitals: list[tuple[str, Location]]
    defended: list[tuple[str, str, Any, float]]
    """(missile id, missile name, footprint, grid cell degrees)."""


def _features(
    case: Case, date: dt.date | None, missiles: Iterable[str] | None, footprints: bool
) -> _Features:
    from .casegeometry import case_geometry

    geo = case_geometry(case)
    site_status = site_status_at(case, date)
    missile_status = missile_status_at(case, date)
    chosen = None if missiles is None else set(missiles)
    sites = [(s, site_status[s.id]) for s in geo.sites if site_status[s.id] != "unannounced"]
    rings = [
        (m.id, m.name, p, m.range_km.value, missile_status[m.id])
        for m in geo.missiles
        if missile_status[m.id] != "retired" and (chosen is None or m.id in chosen)
        for p in geo.launches[m.id]
    ]
    capitals = [(a, loc) for a in geo.actor_ids for loc in geo.targets[a]]
    defended = []
    standing = [s for s, st in sites if st != "cancelled"]
    if footprints and standing:
        for m in geo.missiles:
            points = [r[2] for r in rings if r[0] == m.id]
            if not points or m.range_km.value > FOOTPRINT_MAX_RANGE_KM:
                continue
            able = [s for s in standing if s.engages(m.range_km.value)]
            if not any(s.kind == "interceptor" for s in able):
                continue
            area, cell = defended_area(
                points, m.range_km.value, able, allied=geo.allied, max_targets=5000
            )
            if not area.is_empty:
                defended.append((m.id, m.name, area, cell))
    return _Features(sites, rings, capitals, defended)


THEATRE_KM = 3500.0
"""Half-width of a case map's default view: features within this distance of the densest
cluster of sites and launch areas set the view."""

FOOTPRINT_MAX_RANGE_KM = 3000.0
"""Defended footprints are drawn for missiles up to this range (theatre missiles); coverage of
intercontinental paths is shown by :func:`paths_map` instead."""


def _theatre(points: Sequence[tuple[float, float]], radius_km: float) -> tuple[float, float]:
    """Centre of the densest cluster: the point with most others within ``radius_km``,
    averaged with those neighbours."""
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    counts = [int((distances_km(a, b, lat, lon) <= radius_km).sum()) for a, b in points]
    a, b = points[int(np.argmax(counts))]
    near = distances_km(a, b, lat, lon) <= radius_km
    return _centre([p for p, k in zip(points, near, strict=True) if k])


def _wrap_label(text: str, width: int = 26) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def case_map(
    case: Case,
    ax: Axes | None = None,
    out: str | Path | None = None,
    date: dt.date | None = None,
    *,
    missiles: Iterable[str] | None = None,
    footprints: bool = True,
    title: str | None = None,
    extent: tuple[float, float, float, float] | None = None,
) -> Figure:
    """Map of a case: borders, capitals, sites, fly-out/radar circles, range rings, footprints.

    The view centres on the densest cluster of defence sites and launch areas and takes in
    what lies within :data:`THEATRE_KM` of it (``extent=(west, east, south, north)`` in degrees
    overrides it); what falls outside is listed in a note. ``date`` shows site and missile
    statuses on that day, by the case's timeline (:mod:`security_dilemma.scenario.timeline`:
    sites not yet known are left out; cancelled ones are grey and dotted). ``missiles`` limits
    the range rings to those systems. ``footprints`` hatches the defended footprint of the
    standing sites against each missile system of at most :data:`FOOTPRINT_MAX_RANGE_KM`.
    Saved to ``out`` when given (PNG, SVG or PDF by suffix).
    """
    f = _features(case, date, missiles, footprints)
    anchors = [(s.lat, s.lon) for s, _ in f.sites] + [(p.lat, p.lon) for *_, p, _, _ in f.rings]
    capitals = [(loc.lat, loc.lon) for _, loc in f.capitals]
    if extent is not None:
        west, east, south, north = extent
        focus = [(y, x) for x in np.linspace(west, east, 9) for y in (south, north)]
        focus += [(y, x) for y in np.linspace(south, north, 9) for x in (west, east)]
    else:
        lat0, lon0 = _theatre(anchors or capitals, THEATRE_KM)
        focus = []
        for s, _ in f.sites:
            if distances_km(lat0, lon0, [s.lat], [s.lon])[0] <= THEATRE_KM:
                focus.append((s.lat, s.lon))
                if s.reach_km <= THEATRE_KM:
                    focus += _boundary_points(site_footprint(s))
        for _, _, p, rng, _ in f.rings:
            if distances_km(lat0, lon0, [p.lat], [p.lon])[0] <= THEATRE_KM:
                focus.append((p.lat, p.lon))
                if rng <= THEATRE_KM:
                    focus += _boundary_points(range_ring(p.lat, p.lon, rng))
        if capitals:
            near = distances_km(lat0, lon0, [c[0] for c in capitals], [c[1] for c in capitals])
            focus += [c for c, d in zip(capitals, near, strict=True) if d <= THEATRE_KM]
        focus = focus or anchors or capitals
    heading = title or case.title + (f" ({date.isoformat()})" if date else "")
    years = site_years(case) if date is None else {}
    if years and len(set(years.values())) > 1:
        heading += ": every site, with the years it stood"
    canvas = MapCanvas(focus, ax=ax, title=heading, legend_side=True)
    canvas.countries(highlight=[a.iso3 for a in case.actors if a.iso3])
    colours = {
        mid: _RING_COLOURS[i % len(_RING_COLOURS)]
        for i, mid in enumerate(dict.fromkeys(r[0] for r in f.rings))
    }
    for mid, name, p, rng, status in f.rings:
        style = "--" if status in ("projected", "in_development") else "-"
        canvas.ring(
            p.lat, p.lon, rng, colour=colours[mid], linestyle=style,
            label=_wrap_label(f"{name}: {rng:,.0f} km"),
            alpha=0.0 if rng > FOOTPRINT_MAX_RANGE_KM else 0.05,
        )  # fmt: skip
    for mid, _, area, _ in f.defended:
        canvas.area(
            area, colour=colours[mid], alpha=0.22, hatch="////", linewidth=0.8, zorder=2.5,
            label="defended footprint (hatched in the missile's colour)",
        )  # fmt: skip
    for s, status in f.sites:
        kind = "interceptor fly-out" if s.kind == "interceptor" else "radar range"
        canvas.area(
            site_footprint(s),
            colour="#888888" if status == "cancelled" else _FOOTPRINT_COLOUR[s.kind],
            alpha=0.04,
            linestyle=_LINESTYLE.get(status, "-"),
            label=f"{kind} ({status})",
        )
    hidden: list[str] = []
    for s, status in f.sites:
        marker, colour, size = _SITE_STYLE[s.kind]
        colour = "#888888" if status == "cancelled" else colour
        if not canvas.visible(s.lat, s.lon):
            hidden.append(s.id)
        canvas.point(
            s.lat, s.lon, marker=marker, colour=colour, size=size,
            label=f"{s.kind} site" + (" (cancelled)" if status == "cancelled" else ""),
            text=_wrap_label(s.name or s.id, 24) + (f"\n({years[s.id]})" if s.id in years else ""),
            priority=1, text_colour=colour,
        )  # fmt: skip
    launches_done: set[str] = set()
    for _, _, p, _, _ in f.rings:
        if p.name not in launches_done:
            launches_done.add(p.name)
            canvas.point(
                p.lat, p.lon, marker="X", colour="#641e16", size=6, label="launch area",
                text=p.name, priority=2,
            )  # fmt: skip
    for actor_id, loc in f.capitals:
        if canvas.visible(loc.lat, loc.lon):
            canvas.point(
                loc.lat, loc.lon, marker="o", colour="#222222", size=4.5, label="actor capital",
                text=f"{loc.name} ({actor_id})", priority=3,
            )  # fmt: skip
        else:
            hidden.append(f"{loc.name} ({actor_id})")
    if hidden:
        canvas.notes.append(_wrap_label("Outside the map: " + ", ".join(hidden), 110))
    if years and len(set(years.values())) > 1:
        canvas.notes.append(
            _wrap_label(
                "No date given: every site is drawn, with the years it stood; they did not all "
                "stand at once (a date, e.g. dilemma map --date 2008-06-01, shows one day).",
                110,
            )
        )
    assumed = [
        s.id
        for s in case.defence_sites
        if any(
            q is not None and q.source and "assumption" in str(q.source)
            for q in (s.flyout_km, s.radar_range_km)
        )
    ]
    if assumed:
        canvas.notes.append(
            _wrap_label(
                "Fly-out/radar radii that are model assumptions: " + ", ".join(assumed), 110
            )
        )
    if f.defended:
        cell = max(d[3] for d in f.defended)
        canvas.notes.append(f"Defended footprints on a {cell:.1f}-degree grid of targets.")
    return canvas.finish(out)


def reach_map(
    origins: Sequence[Location],
    ranges_km: Sequence[float],
    *,
    ax: Axes | None = None,
    out: str | Path | None = None,
    title: str | None = None,
    continents: Iterable[str] | None = ("Europe", "Asia", "Africa"),
) -> Figure:
    """Range rings of each range from each origin, with the national capitals they reach."""
    if not origins or not ranges_km:
        raise BadInput(Problem("give at least one origin and one range", path="map"))
    biggest = max(ranges_km)
    focus: list[tuple[float, float]] = []
    for o in origins:
        focus += _boundary_points(range_ring(o.lat, o.lon, biggest))
    canvas = MapCanvas(focus, ax=ax, title=title or "Range rings")
    canvas.countries()
    for k, rng in enumerate(sorted(ranges_km)):
        colour = _RING_COLOURS[k % len(_RING_COLOURS)]
        for o in origins:
            canvas.ring(o.lat, o.lon, rng, colour=colour, label=f"{rng:,.0f} km", alpha=0.04)
    for o in origins:
        canvas.point(
            o.lat,
            o.lon,
            marker="X",
            colour="#641e16",
            size=7,
            label="launch point",
            text=o.name,
            priority=1,
        )
    wanted = None if continents is None else set(continents)
    from .reach import _capitals

    for loc, _, cont in _capitals():
        if wanted is not None and cont not in wanted:
            continue
        d = min(float(GEOD.inv(o.lon, o.lat, loc.lon, loc.lat)[2]) / 1000.0 for o in origins)
        if not canvas.visible(loc.lat, loc.lon):
            continue
        if d <= biggest:
            canvas.point(
                loc.lat,
                loc.lon,
                colour="#922b21",
                size=4.5,
                text=loc.name,
                label="capital in reach",
                priority=2,
                text_colour="#7b241c",
            )
        else:
            canvas.point(
                loc.lat,
                loc.lon,
                colour="#7f8c8d",
                size=3.5,
                text=loc.name,
                label="capital out of reach",
                priority=4,
                text_colour="#566573",
                optional=True,
            )
    canvas.notes.append("Geodesic range rings (WGS84); capitals from Natural Earth.")
    return canvas.finish(out, legend_cols=4)


def paths_map(
    launches: Sequence[Location],
    targets: Sequence[Location],
    sites: Sequence[Site],
    *,
    ax: Axes | None = None,
    out: str | Path | None = None,
    title: str | None = None,
) -> Figure:
    """Geodesics from every launch point to every target, past the sites' circles."""
    focus = [(p.lat, p.lon) for p in [*launches, *targets]]
    for s in sites:
        focus += _boundary_points(site_footprint(s))
    canvas = MapCanvas(focus, ax=ax, title=title or "Launch-to-target geodesics")
    canvas.countries()
    for s in sites:
        canvas.area(
            site_footprint(s),
            colour=_FOOTPRINT_COLOUR[s.kind],
            alpha=0.06,
            label="interceptor fly-out" if s.kind == "interceptor" else "radar range",
        )
    for a in launches:
        for b in targets:
            canvas.path(a, b, colour="#922b21", label="geodesic ground track")
    for s in sites:
        marker, colour, size = _SITE_STYLE[s.kind]
        canvas.point(
            s.lat,
            s.lon,
            marker=marker,
            colour=colour,
            size=size,
            label=f"{s.kind} site",
            text=s.name or s.id,
            priority=1,
        )
    for p in launches:
        canvas.point(
            p.lat,
            p.lon,
            marker="X",
            colour="#641e16",
            size=6,
            label="launch point",
            text=p.name,
            priority=2,
        )
    for p in targets:
        canvas.point(
            p.lat,
            p.lon,
            marker="o",
            colour="#222222",
            size=5,
            label="target",
            text=p.name,
            priority=2,
        )
    return canvas.finish(out)


# --- GeoJSON ---------------------------------------------------------------------------------


def _feature(geom: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geojson_geometry(geom), "properties": props}


def case_geojson(
    case: Case,
    date: dt.date | None = None,
    *,
    missiles: Iterable[str] | None = None,
    footprints: bool = True,
) -> dict[str, Any]:
    """The case map's features as a GeoJSON FeatureCollection (RFC 7946, WGS84 lon/lat).

    Each feature has a ``kind`` property: ``site``, ``flyout``, ``radar``, ``range_ring``,
    ``launch_area``, ``capital`` or ``defended_area``, plus ids and figures (km) to label it.
    Polygons are split at the antimeridian and wound counter-clockwise.
    """
    f = _features(case, date, missiles, footprints)
    feats = []
    for s, status in f.sites:
        props = {"id": s.id, "name": s.name, "site_kind": s.kind, "actor": s.actor,
                 "host": s.host, "status": status, "reach_km": s.reach_km}  # fmt: skip
        feats.append(_feature(Point(s.lon, s.lat), kind="site", **props))
        kind = "flyout" if s.kind == "interceptor" else "radar"
        feats.append(_feature(site_footprint(s), kind=kind, **props))
    seen = set()
    for mid, name, p, rng, status in f.rings:
        feats.append(
            _feature(
                range_ring(p.lat, p.lon, rng),
                kind="range_ring",
                missile=mid,
                name=name,
                launch=p.name,
                range_km=rng,
                status=status,
            )
        )
        if p.name not in seen:
            seen.add(p.name)
            feats.append(_feature(Point(p.lon, p.lat), kind="launch_area", name=p.name))
    for actor_id, loc in f.capitals:
        feats.append(
            _feature(Point(loc.lon, loc.lat), kind="capital", actor=actor_id, name=loc.name)
        )
    for mid, name, area, cell in f.defended:
        feats.append(_feature(area, kind="defended_area", missile=mid, name=name, grid_deg=cell))
    return {"type": "FeatureCollection", "features": feats, "properties": {"case": case.id}}


def ring_geojson(origin: Location, range_km: float, capitals: Iterable[Any] = ()) -> dict[str, Any]:
    """A FeatureCollection with one range ring, its origin and the given capitals in reach."""
    feats = [
        _feature(
            range_ring(origin.lat, origin.lon, range_km),
            kind="range_ring",
            launch=origin.name,
            range_km=range_km,
        ),
        _feature(Point(origin.lon, origin.lat), kind="launch_area", name=origin.name),
    ]
    for c in capitals:
        feats.append(
            _feature(
                Point(c.lon, c.lat),
                kind="capital",
                name=c.name,
                iso3=c.iso3,
                distance_km=c.distance_km,
            )
        )
    return {"type": "FeatureCollection", "features": feats}


def paths_geojson(
    launches: Sequence[Location], targets: Sequence[Location], sites: Sequence[Site]
) -> dict[str, Any]:
    """Launch-to-target geodesics (LineStrings, split at the antimeridian) and site circles."""
    feats = []
    for s in sites:
        feats.append(_feature(Point(s.lon, s.lat), kind="site", id=s.id, site_kind=s.kind))
        kind = "flyout" if s.kind == "interceptor" else "radar"
        feats.append(_feature(site_footprint(s), kind=kind, id=s.id, reach_km=s.reach_km))
    for a in launches:
        for b in targets:
            if a == b:
                continue
            lats, lons = path_points(a.lat, a.lon, b.lat, b.lon, spacing_km=25.0)
            feats.append(
                _feature(_split_line(lons, lats), kind="path", launch=a.name, target=b.name)
            )
    return {"type": "FeatureCollection", "features": feats}


def _split_line(lons: Any, lats: Any) -> Any:
    """A lon/lat line cut where it crosses the antimeridian (RFC 7946)."""
    parts: list[list[tuple[float, float]]] = [[(float(lons[0]), float(lats[0]))]]
    for k in range(1, len(lons)):
        x0, y0, x1, y1 = float(lons[k - 1]), float(lats[k - 1]), float(lons[k]), float(lats[k])
        if abs(x1 - x0) > 180.0:
            edge = 180.0 if x0 > 0 else -180.0
            x1u = x1 + 360.0 if x0 > 0 else x1 - 360.0
            t = (edge - x0) / (x1u - x0)
            yc = y0 + t * (y1 - y0)
            parts[-1].append((edge, yc))
            parts.append([(-edge, yc)])
        parts[-1].append((x1, y1))
    lines = [LineString(p) for p in parts if len(p) > 1]
    return lines[0] if len(lines) == 1 else MultiLineString(lines)
