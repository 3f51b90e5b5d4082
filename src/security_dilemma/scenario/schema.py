"""The case-file schema: what a case says about states, weapons, institutions, ideas and events.

A case is plain data validated by pydantic at the boundary (loading); everything downstream
receives an immutable :class:`Case`. Every factual value lives in a record with a ``source``
(an id from the case's ``sources`` list), or carries its own as ``{value: ..., source: ...}``.
``docs/case-format.md`` is generated from the descriptions below.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ..limits import MAX_ACTORS, MAX_STEPS

__all__ = [
    "OBSERVABLE_KINDS",
    "SCHEMA_VERSION",
    "Actor",
    "Alliance",
    "AllianceChange",
    "Belief",
    "BeliefShift",
    "Capability",
    "CapabilityChange",
    "Case",
    "CostlySignal",
    "Counterfactual",
    "CrisisOccurs",
    "DefenceSite",
    "Effect",
    "Event",
    "IdentityShift",
    "IdentityTie",
    "Institution",
    "Interdependence",
    "Membership",
    "MembershipChange",
    "MissileStatus",
    "MissileSystem",
    "Observable",
    "ObservableKindInfo",
    "ParameterChange",
    "ParameterSource",
    "Parameters",
    "Party",
    "Place",
    "Quantity",
    "Question",
    "Richardson",
    "SiteStatus",
    "Source",
    "Span",
]

SCHEMA_VERSION = 1

_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$"
Id = Annotated[
    str,
    StringConstraints(pattern=_ID_PATTERN),
    Field(description="An identifier: a letter, then letters, digits, '_', '.' or '-'."),
]
SourceRef = Annotated[
    str | list[str],
    Field(description="Id (or list of ids) of entries in the case's `sources`."),
]
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_bidi(value: Any) -> Any:
    """``value`` without Unicode bidirectional controls (an override could make a name read
    backwards in a report); anything that is not text is left for the schema to judge.

    >>> strip_bidi("Iran\u202eland")
    'Iranland'
    """
    return _BIDI_CONTROLS.sub("", value) if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(strip_bidi), StringConstraints(max_length=20_000)]
Name = Annotated[str, BeforeValidator(strip_bidi), StringConstraints(min_length=1, max_length=200)]


class Model(BaseModel):
    """Base for every case record: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        populate_by_name=True,
        str_strip_whitespace=True,
    )


# --- dates ---------------------------------------------------------------------------


def to_date(value: Any, *, end: bool = False) -> Any:
    """A date from a date, a year (2001) or a month ('2001-05'): their first or last day."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not 1 <= value <= 9999:
            raise ValueError(f"year {value} is out of range")
        return dt.date(value, 12, 31) if end else dt.date(value, 1, 1)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?\s*", value)
        if m:
            year = int(m.group(1))
            if m.group(2) is None:
                return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError(f"month {month} is out of range")
            day = calendar.monthrange(year, month)[1] if end else 1
            return dt.date(year, month, day)
    return value


Date = Annotated[
    dt.date,
    BeforeValidator(lambda v: to_date(v, end=False)),
    Field(description="A date (2008-08-20), a month (2008-08) or a year (2008: its first day)."),
]
EndDate = Annotated[
    dt.date,
    BeforeValidator(lambda v: to_date(v, end=True)),
    Field(description="A date, a month or a year; a month or year means its last day."),
]


# --- sourced quantities ------------------------------------------------------------------


class Quantity(Model):
    """A number with an optional source of its own: write ``10`` or ``{value: 10, source: x}``."""

    value: float = Field(description="The number.")
    source: SourceRef | None = Field(
        None, description="Source of this value when it differs from the record's `source`."
    )
    note: Text | None = Field(None, description="How the value was obtained or derived.")

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"value": data}
        if not isinstance(data, dict):
            raise ValueError(f"expected a number or {{value: ..., source: ...}} (got {data!r:.40})")
        return data


LARGEST = 10**12
"""The largest amount a case may state (military expenditure in thousands of US dollars, a
stock): far above any state's, far below what would overflow the engine's arithmetic."""


class NonNegative(Quantity):
    """A quantity that cannot be negative."""

    value: float = Field(ge=0, le=LARGEST, description="The number, from 0 to 10^12.")


class Positive(Quantity):
    """A quantity that must be positive."""

    value: float = Field(gt=0, le=LARGEST, description="The number (> 0, at most 10^12).")


class Distance(Positive):
    """A distance on the Earth's surface, in km."""

    value: float = Field(
        gt=0, le=40_075, description="Kilometres (> 0, at most the Earth's circumference)."
    )


class Count(NonNegative):
    """A number of weapons (missiles, warheads, interceptors)."""

    value: float = Field(ge=0, le=10_000_000, description="The number, from 0 to 10^7.")


class ProbabilityQ(Quantity):
    """A probability or share."""

    value: float = Field(ge=0, le=1, description="The number, in [0, 1].")


class Signed(Quantity):
    """A position on a scale from -1 to 1."""

    value: float = Field(ge=-1, le=1, description="The number, in [-1, 1].")


Probability = Annotated[float, Field(ge=0, le=1)]


# --- top-level records ----------------------------------------------------------------------


class Source(Model):
    """A public source cited by the case."""

    id: Id = Field(description="Short id used by records' `source` fields.")
    citation: Text = Field(min_length=3, description="Full citation: author, title, venue, year.")
    url: str | None = Field(
        None, pattern=r"^https?://\S+$", description="Public address of the source."
    )
    kind: Literal[
        "dataset",
        "article",
        "book",
        "document",
        "news",
        "website",
        "speech",
        "assumption",
        "search",
    ] = Field(
        "document",
        description="What sort of source this is. `assumption`: a modelling judgement or rule "
        "(say its `sensitivity`); `search`: a search that found nothing, cited for a coding "
        "that something did not happen (the `citation` says what was searched for, where, "
        "and what came back; `accessed` says when).",
    )
    accessed: Date | None = Field(
        None, description="When an online source was consulted, or a search was made."
    )
    sensitivity: Text | None = Field(
        None,
        description="For an assumption: the range over which its values should be varied in "
        "sensitivity analyses, and what they are expected to change.",
    )
    note: Text | None = Field(None, description="What the case takes from this source.")

    @model_validator(mode="after")
    def _search_dated(self) -> Source:
        if self.kind == "search" and self.accessed is None:
            raise ValueError("a `search` source needs `accessed`: the day the search was made")
        return self


LAST_DAY = dt.date(9998, 12, 31)
"""The latest end of a span (the engine works with the periods after it)."""


class Span(Model):
    """The period a case covers and the length of one simulation step."""

    start: Date = Field(description="First day of the case.")
    end: EndDate = Field(description="Last day of the case.")
    step: Literal["year", "quarter", "month", "week", "day"] = Field(
        "year", description="Length of one simulation step."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        if self.end > LAST_DAY:
            raise ValueError(
                f"end ({self.end}) is after {LAST_DAY}: a run needs the day after its span, and "
                "dates end with the year 9999"
            )
        if self.steps > MAX_STEPS:
            raise ValueError(
                f"the span holds {self.steps:,} steps of a {self.step}, more than the limit of "
                f"{MAX_STEPS:,}: take a longer step or a shorter span"
            )
        return self

    @property
    def steps(self) -> int:
        """Number of steps: periods starting on or before the end.

        >>> Span(start=2001, end=2012, step="quarter").steps
        48
        """
        days = (self.end - self.start).days
        if self.step in ("day", "week"):
            return days // (1 if self.step == "day" else 7) + 1
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
        if (
            self.end.day < self.start.day
            and self.end.day < calendar.monthrange(self.end.year, self.end.month)[1]
        ):
            months -= 1  # the period starting in the end's month would start after the end
        return months // {"month": 1, "quarter": 3, "year": 12}[self.step] + 1


class Actor(Model):
    """A state (or bloc) whose choices the model simulates."""

    id: Id = Field(description="Short id used everywhere in the case, e.g. ISO3 'USA'.")
    name: Name = Field(description="Display name.")
    ccode: int | None = Field(
        None, ge=1, le=999, description="Correlates of War state code (2 = USA, 365 = Russia)."
    )
    iso3: str | None = Field(
        None, pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 code, for maps."
    )
    kind: Literal["state", "bloc", "organisation"] = Field(
        "state", description="A state, a bloc of states, or an organisation acting as one."
    )
    members: list[Id] = Field(
        default_factory=list, description="For a bloc: the actor ids or ISO3 codes it joins."
    )
    capital: Name | None = Field(
        None, description="Place name for the capital (gazetteer); defaults to the COW capital."
    )
    lens: Name | None = Field(
        None,
        description="Theory lens this actor decides by when a run does not set one "
        "(realism, liberalism, constructivism, pyramid).",
    )
    prior_greedy: Probability = Field(
        0.3,
        description="Prior probability that the actor is a greedy (expansionist) type rather "
        "than a security seeker; true types are drawn from it in each replicate.",
    )
    source: SourceRef | None = Field(None, description="Source for the actor's stated data.")
    note: Text | None = Field(None, description="Free text.")


class Capability(Model):
    """An actor's military capabilities at the start of the case."""

    actor: Id = Field(description="Actor id.")
    year: int | None = Field(None, ge=1000, le=9999, description="Year the figures refer to.")
    milex: NonNegative = Field(
        description="Military expenditure (COW NMC units: thousands of current US dollars "
        "after 1913, of pounds sterling before)."
    )
    milper: NonNegative | None = Field(None, description="Military personnel, thousands (COW NMC).")
    cinc: ProbabilityQ | None = Field(
        None, description="COW composite index of national capability, share of world total."
    )
    defence_share: ProbabilityQ | None = Field(
        None,
        description="Share of the actor's military effort in defensive forces (Jervis's "
        "offence/defence allocation: air and missile defence, fortifications, defensive "
        "postures), [0, 1]; when absent the actor starts at D / (O + D) of the stocks the case "
        "gives, and at its lens's own target allocation when it gives none.",
    )
    missile_defence_share: ProbabilityQ | None = Field(
        None,
        description="Share of the actor's military budget spent on missile defence, [0, 1]: "
        "data for reports and users, not read by the dynamics (missile defence acts through "
        "the case's `defence_sites`).",
    )
    offence: NonNegative | None = Field(
        None, description="Offensive capability stock, in milex units (default: derived)."
    )
    defence: NonNegative | None = Field(
        None, description="Defensive capability stock, in milex units (default: derived)."
    )
    source: SourceRef | None = Field(None, description="Source of the figures.")
    note: Text | None = Field(None, description="Free text.")


class MissileSystem(Model):
    """A ballistic-missile system: what public sources say of its range and numbers."""

    id: Id = Field(description="Short id, e.g. 'shahab-3'.")
    actor: Id = Field(description="Actor that owns the system.")
    name: Name = Field(description="Display name.")
    range_km: Distance = Field(description="Published maximum range, km.")
    inventory: Count | None = Field(None, description="Missiles (launchers) available.")
    warheads: Count = Field(
        default_factory=lambda: Count(value=1), description="Warheads per missile."
    )
    launch_areas: list[Name] = Field(
        default_factory=list,
        description="Places (gazetteer names or 'lat,lon') the missiles could be launched from.",
    )
    status: Literal["deployed", "tested", "in_development", "projected"] = Field(
        "deployed",
        description=(
            "Status on the case's first day; `missile` events change it from their day on "
            "(the latest wins)."
        ),
    )
    source: SourceRef | None = Field(None, description="Source of the figures.")
    note: Text | None = Field(None, description="Free text.")


class DefenceSite(Model):
    """A missile-defence site: interceptors, or a radar, at a place."""

    id: Id = Field(description="Short id, e.g. 'redzikowo'.")
    actor: Id = Field(description="Actor that operates the site.")
    host: Id | None = Field(
        None,
        description="Actor (or ISO3 code of a country not simulated) on whose territory it stands.",
    )
    name: Name | None = Field(None, description="Display name.")
    place: Name = Field(description="Gazetteer place name or 'lat,lon'.")
    kind: Literal["interceptor", "radar"] = Field(description="Interceptor field or radar.")
    system: Name | None = Field(None, description="System, e.g. 'GBI (two-stage)'.")
    interceptors: Count | None = Field(None, description="Interceptors at the site.")
    sspk: ProbabilityQ | None = Field(
        None, description="Single-shot kill probability of one interceptor against one warhead."
    )
    tracking: ProbabilityQ | None = Field(
        None,
        description="Probability that the sensors track and the system engages (Wilkening's q).",
    )
    flyout_km: Distance | None = Field(
        None, description="Interceptor fly-out radius, km, for the coverage simplification."
    )
    radar_range_km: Distance | None = Field(None, description="Radar detection range, km.")
    announced: Date | None = Field(
        None,
        description=(
            "When the site was announced. A site counts (is known to others: deterrent "
            "erosion, maps) from the earliest of this date, its first `site` event and the day "
            "it becomes operational; with none of them, from the case's start unless its "
            "`status` is `cancelled`."
        ),
    )
    operational: Date | None = Field(
        None,
        description=(
            "When it became, or was planned to become, operational: operational from this day, "
            "unless it is cancelled by then (a plan never undoes a cancellation)."
        ),
    )
    cancelled: Date | None = Field(
        None,
        description=(
            "When it was cancelled: cancelled from this day on, whatever its `operational` "
            "date; only a later `site` event changes that."
        ),
    )
    status: Literal["planned", "operational", "cancelled"] = Field(
        "planned",
        description=(
            "Status on the case's first day. Its `operational` and `cancelled` dates and `site` "
            "events change it from their day on; the latest dated change wins, and an event "
            "wins a tie with a date."
        ),
    )
    source: SourceRef | None = Field(None, description="Source of the figures.")
    note: Text | None = Field(None, description="Free text.")

    @model_validator(mode="after")
    def _needs(self) -> DefenceSite:
        missing: list[str] = []
        if self.kind == "interceptor":
            missing = [f for f in ("interceptors", "sspk", "flyout_km") if getattr(self, f) is None]
        elif self.radar_range_km is None:
            missing = ["radar_range_km"]
        if missing:
            raise ValueError(f"a {self.kind} site needs {', '.join(missing)}")
        return self


class Membership(Model):
    """An actor's membership of an institution, with optional dates."""

    actor: Id = Field(description="Actor id.")
    since: Date | None = Field(
        None,
        description=(
            "Accession date: a member from this day (always, when omitted); a later "
            "`membership` event overrides it."
        ),
    )
    until: EndDate | None = Field(
        None,
        description=(
            "Last day of membership (exit or suspension): not a member from the next day; a "
            "later `membership` event overrides it."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _bare_id(cls, data: Any) -> Any:
        return {"actor": data} if isinstance(data, str) else data


class Institution(Model):
    """An international institution: members, transparency and the shadow of the future."""

    id: Id = Field(description="Short id, e.g. 'NATO'.")
    name: Name = Field(description="Display name.")
    kind: Literal["security", "economic", "political", "forum"] = Field(
        "security", description="What the institution mainly does."
    )
    members: list[Membership] = Field(
        min_length=1, description="Member actor ids, or {actor, since, until} records."
    )
    transparency: ProbabilityQ = Field(
        description="How much it reduces noise in members' observation of each other, [0, 1]."
    )
    shadow_of_future: ProbabilityQ = Field(
        description="Probability that members' interaction continues another round, [0, 1)."
    )
    founded: Date | None = Field(None, description="Founding date.")
    source: SourceRef | None = Field(None, description="Source.")
    note: Text | None = Field(None, description="Free text.")


class Alliance(Model):
    """A formal alliance (ATOP-style obligations)."""

    id: Id = Field(description="Short id.")
    name: Name = Field(description="Display name.")
    members: list[Id] = Field(min_length=2, description="Member actor ids.")
    obligation: Literal["defence", "offence", "neutrality", "nonaggression", "consultation"] = (
        Field("defence", description="ATOP obligation type.")
    )
    commitment: ProbabilityQ = Field(
        default_factory=lambda: ProbabilityQ(value=0.8),
        description="Initial strength of commitment among members, [0, 1].",
    )
    start: Date | None = Field(
        None,
        description=(
            "Date signed or in force: in force from this day (always, when omitted); a later "
            "`alliance` form or end event overrides it."
        ),
    )
    end: EndDate | None = Field(
        None,
        description=(
            "Last day in force: not in force from the next day; a later `alliance` form or end "
            "event overrides it."
        ),
    )
    atop_id: int | None = Field(None, ge=1, description="ATOP alliance id.")
    source: SourceRef | None = Field(None, description="Source.")
    note: Text | None = Field(None, description="Free text.")


class IdentityTie(Model):
    """How one actor sees another at the start: -1 enemy, 0 rival, +1 friend (Wendt)."""

    from_: Id | None = Field(None, alias="from", description="Actor who holds the view.")
    to: Id | None = Field(None, description="Actor who is viewed.")
    between: list[Id] | None = Field(
        None, min_length=2, max_length=2, description="Both directions at once: [A, B]."
    )
    value: Signed = Field(description="Identity, from -1 (enemy) to +1 (friend).")
    source: SourceRef | None = Field(None, description="Statement or analysis it is argued from.")
    note: Text | None = Field(None, description="The argument, briefly.")

    @model_validator(mode="after")
    def _one_form(self) -> IdentityTie:
        directed = self.from_ is not None or self.to is not None
        if directed and self.between is not None:
            raise ValueError("give either from/to or between, not both")
        if not directed and self.between is None:
            raise ValueError("give from and to (one direction) or between (both)")
        if directed and (self.from_ is None or self.to is None):
            raise ValueError("give both from and to")
        return self

    def pairs(self) -> list[tuple[str, str]]:
        """The directed (holder, viewed) pairs this tie sets."""
        if self.between is not None:
            a, b = self.between
            return [(a, b), (b, a)]
        assert self.from_ is not None and self.to is not None
        return [(self.from_, self.to)]


class Belief(Model):
    """One actor's initial belief that another is a greedy type (Kydd)."""

    from_: Id = Field(alias="from", description="Actor who holds the belief.")
    to: Id = Field(description="Actor the belief is about.")
    greedy: ProbabilityQ = Field(description="Probability that `to` is greedy, [0, 1].")
    source: SourceRef | None = Field(None, description="Source.")
    note: Text | None = Field(None, description="Free text.")


class Interdependence(Model):
    """Economic interdependence between two actors, [0, 1] (e.g. trade share)."""

    between: list[Id] = Field(min_length=2, max_length=2, description="The two actors.")
    value: ProbabilityQ = Field(description="Interdependence, [0, 1].")
    source: SourceRef | None = Field(None, description="Source.")
    note: Text | None = Field(None, description="Free text.")


class Place(Model):
    """A named place the case uses (sites, launch areas), added to the gazetteer."""

    name: Name = Field(description="Name used elsewhere in the case.")
    lat: float = Field(ge=-90, le=90, description="Latitude, degrees north (WGS84).")
    lon: float = Field(ge=-180, le=180, description="Longitude, degrees east (WGS84).")
    country: Id | None = Field(None, description="Actor id or ISO3 code of the country.")
    source: SourceRef | None = Field(None, description="Source of the coordinates.")
    note: Text | None = Field(None, description="Free text.")


# --- event effects ---------------------------------------------------------------------------

ActorOrAll = Annotated[
    str,
    StringConstraints(pattern=r"^(\*|[A-Za-z][A-Za-z0-9_.\-]{0,63})$"),
    Field(description="An actor id, or '*' for every actor."),
]
Ids = Annotated[
    list[ActorOrAll],
    BeforeValidator(lambda v: [v] if isinstance(v, str) else v),
    Field(description="One actor id, a list of them, or '*' for every actor."),
]


class IdentityShift(Model):
    """Discourse shock: shifts how `from` sees `to` (e.g. 'axis of evil')."""

    type: Literal["identity"] = Field(description="Effect type.")
    from_: Ids = Field(alias="from", description="Actors whose view shifts.")
    to: Ids = Field(description="Actors viewed.")
    delta: float = Field(ge=-2, le=2, description="Shift on the [-1, 1] identity scale.")


class BeliefShift(Model):
    """New information: shifts `from`'s belief that `to` is greedy."""

    type: Literal["belief"] = Field(description="Effect type.")
    from_: Ids = Field(alias="from", description="Actors who learn.")
    to: Ids = Field(description="Actors learned about.")
    delta: float = Field(ge=-1, le=1, description="Shift of the probability of greed.")


class CostlySignal(Model):
    """A signal (restraint, a cooperation offer) that is informative only if it is costly (Kydd)."""

    type: Literal["signal"] = Field(description="Effect type.")
    actor: Id = Field(description="Actor sending the signal.")
    to: Ids = Field(description="Actors it is addressed to.")
    cost: float = Field(ge=0, le=10, description="Cost to the sender, in units of its effort.")
    kind: Literal["restraint", "cooperation_offer", "reassurance", "threat"] = Field(
        "cooperation_offer", description="What sort of signal."
    )
    forced: bool = Field(
        False,
        description="false: the signal is an opportunity that each replicate's sender takes by "
        "its type (a security seeker sends it; a greedy type sends a costly one only with "
        "probability `signal_bluff`, a cheap one like a seeker); true: the case records that "
        "it was sent, so it is sent in every replicate, and recipients update by the same "
        "likelihoods.",
    )


class CapabilityChange(Model):
    """A change in an actor's capabilities (a deployment, a programme, a cut)."""

    type: Literal["capability"] = Field(description="Effect type.")
    actor: Id = Field(description="Actor whose capability changes.")
    field: Literal["milex", "offence", "defence", "defence_share"] = Field(
        description="What changes: military expenditure (`milex`, COW units), the offensive or "
        "defensive stock (milex units) or the share of effort in defensive forces."
    )
    delta: float | None = Field(
        None,
        ge=-LARGEST,
        le=LARGEST,
        description="Amount added (in the field's units; at most 10^12 either way).",
    )
    factor: float | None = Field(None, ge=0, le=100, description="Multiplier applied.")

    @model_validator(mode="after")
    def _one(self) -> CapabilityChange:
        if (self.delta is None) == (self.factor is None):
            raise ValueError("give exactly one of delta or factor")
        return self


class SiteStatus(Model):
    """A defence site is announced, becomes operational or is cancelled; or its interceptor
    inventory changes (e.g. an expansion)."""

    type: Literal["site"] = Field(description="Effect type.")
    site: Id = Field(description="Defence site id.")
    status: Literal["planned", "operational", "cancelled"] = Field(
        description=(
            "New status from the event's day (it wins over the site's own dates of the same "
            "day and earlier; a later date wins over it)."
        )
    )
    interceptors: Count | None = Field(
        None,
        description=(
            "New interceptor inventory of the site from this event on (omit to keep it); "
            "the engine recomputes interception and deterrent erosion with it."
        ),
    )


class MissileStatus(Model):
    """A missile system is tested, deployed or retired."""

    type: Literal["missile"] = Field(description="Effect type.")
    missile: Id = Field(description="Missile system id.")
    status: Literal["deployed", "tested", "in_development", "projected", "retired"] = Field(
        description="New status."
    )


class MembershipChange(Model):
    """An actor joins, leaves or suspends its part in an institution."""

    type: Literal["membership"] = Field(description="Effect type.")
    actor: Id = Field(description="Actor id.")
    institution: Id = Field(description="Institution id.")
    change: Literal["join", "leave", "suspend"] = Field(description="What happens.")


class AllianceChange(Model):
    """An alliance forms, ends, or its commitment changes."""

    type: Literal["alliance"] = Field(description="Effect type.")
    alliance: Id = Field(description="Alliance id.")
    change: Literal["form", "end", "strengthen", "weaken"] = Field(description="What happens.")
    amount: float = Field(
        0.1, ge=0, le=1, description="Change in commitment for strengthen/weaken."
    )


class CrisisOccurs(Model):
    """A militarised dispute or war breaks out between two actors."""

    type: Literal["crisis"] = Field(description="Effect type.")
    between: list[Id] = Field(min_length=2, max_length=2, description="The two sides.")
    level: Literal["dispute", "war"] = Field("dispute", description="Severity.")


class ParameterChange(Model):
    """A model parameter changes from this date (e.g. distinguishability after a change of plan):
    by ``delta`` from the value in force, within the parameter's range (a sweep or ``--set``
    of the parameter moves both sides of the date), or to an absolute ``value`` (which then
    overrides any value a run sets, with a warning)."""

    type: Literal["parameter"] = Field(description="Effect type.")
    name: Name = Field(description="Dotted parameter name, as in `parameters`.")
    delta: float | None = Field(
        None, description="Amount added to the value in force (kept within its range)."
    )
    value: float | None = Field(
        None, description="New value, whatever the run's value (prefer `delta`)."
    )

    @model_validator(mode="after")
    def _one(self) -> ParameterChange:
        if (self.delta is None) == (self.value is None):
            raise ValueError("give exactly one of delta or value")
        return self


Effect = Annotated[
    IdentityShift
    | BeliefShift
    | CostlySignal
    | CapabilityChange
    | SiteStatus
    | MissileStatus
    | MembershipChange
    | AllianceChange
    | CrisisOccurs
    | ParameterChange,
    Field(discriminator="type"),
]


class Event(Model):
    """A dated event and its effects on the simulated state."""

    id: Id = Field(description="Short id.")
    date: Date = Field(description="When it happened.")
    title: Name = Field(description="One-line description.")
    kind: Literal[
        "deployment",
        "test",
        "treaty",
        "summit",
        "agreement",
        "speech",
        "proposal",
        "war",
        "crisis",
        "sanction",
        "policy",
        "election",
        "other",
    ] = Field("other", description="What sort of event.")
    actors: list[Id] = Field(default_factory=list, description="Actors who acted.")
    description: Text | None = Field(None, description="Longer description.")
    effects: list[Effect] = Field(default_factory=list, description="Effects on the state.")
    source: SourceRef = Field(description="Source(s) reporting the event (required).")


ObservableKind = Literal[
    "arms_up",
    "tests",
    "counter_deploys",
    "signs",
    "endorses",
    "withdraws",
    "signals",
    "crisis",
    "war",
    "opposes",
    "allies",
    "cooperates",
]


@dataclass(frozen=True)
class ObservableKindInfo:
    """What an observable kind codes: an event in the period or a standing state during it."""

    nature: Literal["event", "state"]
    """`event`: something that happens in the period (coded true if it happened at least once);
    `state`: a standing condition (coded true if it held for at least half of the period)."""
    dyadic: bool
    """Whether the kind is about a counterpart (`counterpart` names it)."""
    description: str
    """What counts, in one sentence."""


OBSERVABLE_KINDS: dict[str, ObservableKindInfo] = {
    "arms_up": ObservableKindInfo(
        "event", False, "the actor raised its military expenditure over the previous year"
    ),
    "tests": ObservableKindInfo(
        "event", False, "the actor flight-tested a ballistic missile (the case states the range)"
    ),
    "counter_deploys": ObservableKindInfo(
        "event",
        True,
        "the actor announced or carried out a deployment or posture change presented as a "
        "response to the counterpart's forces or missile defence",
    ),
    "signs": ObservableKindInfo(
        "event", True, "the actor signed an agreement with the counterpart (the case says on what)"
    ),
    "endorses": ObservableKindInfo(
        "event",
        True,
        "the actor formally supported the counterpart's plan or policy, at a summit or in a "
        "formal statement",
    ),
    "withdraws": ObservableKindInfo(
        "event",
        True,
        "the actor withdrew from, or suspended, a treaty or agreement with the counterpart "
        "(a treaty's collapse)",
    ),
    "signals": ObservableKindInfo(
        "event",
        True,
        "the actor sent the counterpart a costly conciliatory signal (a concession or a "
        "commitment carried out, on the case's cost scale)",
    ),
    "crisis": ObservableKindInfo(
        "event", True, "a militarised dispute between the actor and the counterpart was under way"
    ),
    "war": ObservableKindInfo("event", True, "the actor and the counterpart were at war"),
    "opposes": ObservableKindInfo(
        "state",
        True,
        "the actor's government publicly treated the counterpart's plan or policy as a threat "
        "to its security",
    ),
    "allies": ObservableKindInfo(
        "state", True, "the actor had a formal alliance commitment with the counterpart"
    ),
    "cooperates": ObservableKindInfo(
        "state",
        True,
        "the actor took part with the counterpart in a standing cooperative arrangement on "
        "security (a treaty in force, a joint body that meets, a hosting agreement)",
    ),
}
"""Every observable kind, in one place: the schema's field description, the field reference
(docs/case-format.md), the coding checks and the forecasts read it."""

assert set(OBSERVABLE_KINDS) == set(get_args(ObservableKind)), "OBSERVABLE_KINDS is incomplete"


def _kinds_text() -> str:
    events = [k for k, v in OBSERVABLE_KINDS.items() if v.nature == "event"]
    states = [k for k, v in OBSERVABLE_KINDS.items() if v.nature == "state"]

    def one(k: str) -> str:
        return f"{k} ({OBSERVABLE_KINDS[k].description})"

    return (
        "What was observed. Events, something that happens in the period (true if it "
        "happened at least once): "
        + "; ".join(one(k) for k in events)
        + ". Standing states during the period (true if it held for at least half of it): "
        + "; ".join(one(k) for k in states)
        + "."
    )


PartyKind = Literal["actor", "institution", "state"]


@dataclass(frozen=True)
class Party:
    """Who an observable's `actor` or `counterpart` names, resolved against its case."""

    id: str
    kind: PartyKind
    """`actor`: a simulated actor; `institution`: an institution of the case (forecast from its
    members); `state`: a state that is not simulated (ISO3 code; no forecast)."""
    members: tuple[str, ...] = ()
    """For an institution: its member actor ids (at any time in the case)."""


class Observable(Model):
    """A coded fact about a period, for backtesting: did it happen (occurred) or not."""

    id: Id = Field(description="Short id.")
    kind: ObservableKind = Field(description=_kinds_text())
    actor: Id = Field(
        description="Whose behaviour is coded: a simulated actor id, an institution id of the "
        "case (e.g. NATO: forecast from its members) or the ISO3 code of a state that is not "
        "simulated (e.g. ESP: recorded, not forecast)."
    )
    counterpart: Id | None = Field(
        None,
        description="The other party, for dyadic kinds: an actor id, an institution id or the "
        "ISO3 code of a state that is not simulated, like `actor`.",
    )
    period: Date | None = Field(
        None,
        description="Shorthand for `start` = `end` = this period: a year (2008: the whole "
        "year), a month (2008-08) or a day. Give either `period` or `start` and `end`; the "
        "loaded record keeps `start` and `end`.",
    )
    start: Date = Field(description="Start of the period coded (or give `period`).")
    end: EndDate = Field(description="End of the period coded (or give `period`).")
    occurred: bool = Field(
        description="Whether it happened in the period (an event) or held during it (a state)."
    )
    source: SourceRef = Field(
        description="Source(s) for the coding (required); for a coding that something did not "
        "happen, the sources that would have reported it or a `search` source."
    )
    note: Text | None = Field(None, description="Coding note.")

    @model_validator(mode="before")
    @classmethod
    def _period(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("period") is not None:
            if "start" in data or "end" in data:
                raise ValueError("give either `period` or `start` and `end`, not both")
            data = dict(data)
            period = data.pop("period")  # input only: the record keeps `start` and `end`
            data["start"], data["end"] = period, period
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Observable:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self

    @property
    def nature(self) -> Literal["event", "state"]:
        """Whether the kind is an event or a standing state (``OBSERVABLE_KINDS``)."""
        return OBSERVABLE_KINDS[self.kind].nature


# --- parameters ------------------------------------------------------------------------


class Richardson(Model):
    """Richardson arms-race coefficients (per step); see docs/model.md, mechanism 2."""

    k: float = Field(0.4, ge=0, le=10, description="Reaction to perceived threat.")
    a: float = Field(0.2, ge=0, le=10, description="Fatigue: decay of effort.")
    g: float = Field(0.02, ge=-1, le=1, description="Grievance: drift of a security seeker.")
    g_greedy: float = Field(0.08, ge=-1, le=1, description="Grievance of a greedy type.")
    saturation: float = Field(
        0.4,
        ge=0,
        le=100,
        description="Saturation of the reaction to threat: pressure p enters as p / (1 + "
        "saturation * p); 0 gives the linear Richardson model.",
    )
    status_quo: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Weight of the status-quo calibration: 1 makes the initial effort a "
        "steady state for a security seeker facing its initial perceived threat; 0 gives "
        "pure Richardson dynamics from the initial state.",
    )
    shock: float = Field(
        0.02,
        ge=0,
        le=1,
        description="Standard deviation of random shocks to effort, as a share of effort.",
    )


class ActorParameters(Model):
    """Per-actor overrides of the model parameters."""

    k: float | None = Field(None, ge=0, le=10, description="Reaction coefficient.")
    a: float | None = Field(None, ge=0, le=10, description="Fatigue coefficient.")
    g: float | None = Field(None, ge=-1, le=1, description="Grievance of a security seeker.")
    g_greedy: float | None = Field(None, ge=-1, le=1, description="Grievance of a greedy type.")
    saturation: float | None = Field(
        None, ge=0, le=100, description="Saturation of the reaction to threat."
    )
    status_quo: float | None = Field(
        None, ge=0, le=1, description="Weight of the status-quo calibration."
    )
    shock: float | None = Field(
        None, ge=0, le=1, description="Standard deviation of effort shocks (share of effort)."
    )


class Parameters(Model):
    """Model parameters: defaults are documented in docs/model.md."""

    distinguishability: Probability = Field(
        0.5,
        description="How well defensive weapons can be told from offensive ones, [0, 1] (Jervis).",
    )
    offence_dominance: Probability = Field(
        0.5,
        description="Offence-defence balance, [0, 1]: above 0.5 the offence has the advantage.",
    )
    decisiveness: float = Field(
        2.0,
        ge=0.5,
        le=10,
        description="Hirshleifer's decisiveness of the contest between an attack and what the "
        "defender can oppose to it.",
    )
    deterrence: float = Field(
        1.0,
        ge=0,
        le=10,
        description="Weight of the defender's retaliatory offence (reaching the attacker "
        "through its missile defence) in what it can oppose to an attack.",
    )
    absolute_security: float = Field(
        1.0,
        ge=0,
        le=1,
        description="1: security falls with the absolute damage an attack could do (relative "
        "to the state's size); 0: only with the ratio of attack to what can be opposed "
        "(scale-free, as in earlier versions; for ablation).",
    )
    empathy: float = Field(
        0.5,
        ge=0,
        le=1,
        description="How far an observer recognises the pressure it itself puts on another "
        "state when judging that state's moves (1: fully, Glaser's rational updating; 0: not "
        "at all, Jervis's spiral of misperception).",
    )
    noise: float = Field(
        0.15,
        ge=0,
        le=1,
        description="Noise in observed moves, per step: standard deviation of the error with "
        "which a state reads another's effort drive (effort-index units), including its "
        "uncertainty about what a security seeker in the other's place would do.",
    )
    richardson: Richardson = Field(
        default_factory=Richardson, description="Arms-race coefficients."
    )
    stock_turnover: float = Field(
        0.3,
        gt=0,
        le=1,
        description="Share of the offensive and defensive stocks renewed from current effort "
        "each step (the rest carries over).",
    )
    allocation_rate: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Speed at which the share of effort spent on defence moves to the "
        "share the actor's lens wants, per step.",
    )
    greedy_offence: float = Field(
        0.2,
        ge=0,
        le=1,
        description="How much less of its effort a greedy type puts into defence.",
    )
    greedy_defection: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share by which a greedy type cuts the cooperation its lens would offer.",
    )
    signal_threshold: float = Field(
        0.05,
        ge=0,
        le=10,
        description="Largest cost (share of effort) a greedy type would pay for a "
        "conciliatory signal; costlier signals separate the types (Kydd).",
    )
    signal_bluff: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Probability that a greedy type sends a signal above the threshold anyway.",
    )
    signal_tremble: float = Field(
        0.05,
        ge=0,
        le=0.5,
        description="Probability that a security seeker fails to send a signal it would send "
        '(keeps "not sent" from being proof of greed).',
    )
    test_rate: float = Field(
        0.3,
        ge=0,
        le=20,
        description="Ballistic-missile flight tests per active missile system and year, for a "
        "state at its start (its effort 1, its pressure as at the start); the test hazard grows "
        "with effort and with pressure above the start.",
    )
    test_pressure: float = Field(
        1.0,
        ge=0,
        le=10,
        description="How much a rise in a state's pressure (over its start) raises its "
        "missile-test hazard.",
    )
    identity_rate: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Reflected appraisal: how far a change in how another state treats a state "
        "moves how it sees that state, per step (Wendt).",
    )
    appraisal_level: float = Field(
        0.0,
        ge=0,
        le=1,
        description="How far reflected appraisal also pulls identity toward the level of the "
        "other's treatment (1), not only its changes (0: every culture of anarchy persists "
        "without shocks).",
    )
    common_fate: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Pull towards friendship per step between states that share their main "
        "threat (Wendt's common fate).",
    )
    interdependence_pull: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Pull towards friendship per step per unit of economic interdependence.",
    )
    crisis_shock: float = Field(
        0.15,
        ge=0,
        le=2,
        description="Fall in both sides' identities after a militarised crisis between them.",
    )
    reassurance: float = Field(
        0.5,
        ge=0,
        le=1,
        description="How far one's own alliance commitment lowers the risk of being abandoned "
        "by the ally (Snyder).",
    )
    commitment_rate: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Speed at which alliance commitment moves to the level the lens wants.",
    )
    alliance_dilemma: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Weight of Snyder's alliance dilemma on commitment: fear of abandonment "
        "raises it, fear of entrapment lowers it.",
    )
    projection_km: float = Field(
        4000.0,
        gt=0,
        le=40000,
        description="Loss-of-strength distance (Boulding): conventional reach between "
        "capitals falls as exp(-distance / projection_km).",
    )
    crisis_base: float = Field(
        0.01,
        gt=0,
        lt=1,
        description="Yearly probability of a militarised dispute in a neutral dyad that can "
        "reach each other (COW MID, allied and politically relevant dyads).",
    )
    crisis_hostility: float = Field(
        1.5, ge=0, le=20, description="Log-odds of a crisis per unit of mutual hostility."
    )
    crisis_threat: float = Field(
        1.0,
        ge=0,
        le=20,
        description="Log-odds of a crisis per unit of the dyad's saturated threat ratio.",
    )
    crisis_identity: float = Field(
        1.0, ge=0, le=20, description="Fall in log-odds of a crisis per unit of shared identity."
    )
    crisis_interdependence: float = Field(
        1.0, ge=0, le=20, description="Fall in log-odds of a crisis per unit of interdependence."
    )
    crisis_institutions: float = Field(
        0.5,
        ge=0,
        le=20,
        description="Fall in log-odds of a crisis per unit of shared institutional transparency.",
    )
    crisis_offence: float = Field(
        0.5,
        ge=0,
        le=20,
        description="Log-odds of a crisis per unit of offence advantage (2 * dominance - 1).",
    )
    crisis_first_strike: float = Field(
        1.0,
        ge=0,
        le=20,
        description="Log-odds of a crisis per unit of first-strike incentive (missile defence "
        "that cannot be told from a shield for a first strike).",
    )
    crisis_war_share: float = Field(
        0.037,
        ge=0,
        le=1,
        description="Share of crises that become wars at a neutral offence-defence balance "
        "(COW MID: disputes reaching hostility level 5).",
    )
    actors: dict[Id, ActorParameters] = Field(
        default_factory=dict, description="Per-actor overrides, keyed by actor id."
    )
    lenses: dict[Name, dict[Name, float]] = Field(
        default_factory=dict,
        description="Per-lens parameters, e.g. `{realism: {k: 0.5}}`; names are checked "
        "against each lens's documented parameters.",
    )


class ParameterSource(Model):
    """Where a value set in `parameters` comes from: its sources, or a stated assumption.

    An assumption also gives the range a sensitivity analysis should try (`range`)."""

    name: Name = Field(
        description="Dotted parameter name, as in `parameters` (e.g. `distinguishability`)."
    )
    source: SourceRef = Field(description="Source(s): evidence, or a source of kind `assumption`.")
    range: list[float] | None = Field(
        None,
        min_length=2,
        max_length=2,
        description="[low, high]: the values a sensitivity analysis should try (the case's "
        "value lies between them).",
    )
    note: Text | None = Field(None, description="The argument for the value, briefly.")

    @model_validator(mode="after")
    def _ordered(self) -> ParameterSource:
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"range {self.range} must be [low, high]")
        return self


# --- counterfactuals ---------------------------------------------------------------------


class Counterfactual(Model):
    """A "what if" world: the case without some events, sites or missiles, or other parameters.

    `dilemma whatif` compares it with the case as recorded (docs/whatif.md).
    """

    id: Id = Field(description="Short id, e.g. 'no-missile-defence'.")
    title: Name = Field(description="One-line description of the world it describes.")
    description: Text = Field(
        "",
        description="What is taken out and why, what stays in the record, and which way "
        "that biases the comparison.",
    )
    drop_events: list[Id] = Field(
        default_factory=list,
        description="Ids of events that do not happen in this world: removed with all their "
        "effects.",
    )
    drop_sites: list[Id] = Field(
        default_factory=list,
        description="Ids of defence sites that never exist in this world: removed from "
        "`defence_sites`, and every `site` effect on them is removed from the events that "
        "remain (their other effects stay).",
    )
    drop_missiles: list[Id] = Field(
        default_factory=list,
        description="Ids of missile systems that never exist in this world: removed from "
        "`missiles`, with every `missile` effect on them (the events' other effects stay).",
    )
    parameters: dict[Name, float] = Field(
        default_factory=dict,
        description="Model parameters changed in this world, by dotted name as in "
        "`parameters` (e.g. `distinguishability`, `lenses.realism.k`, `actors.RUS.k`); they "
        "replace the case's values from the start, and dated `parameter` events that remain "
        "still apply from their dates.",
    )
    note: Text | None = Field(None, description="Free text.")


# --- the question ------------------------------------------------------------------------


class Question(Model):
    """The question a case asks, which `dilemma run` and the report lead with: per lens and
    year, the difference in one actor's value between the case as recorded and a what-if world
    (recorded minus the world, with intervals)."""

    text: Name = Field(
        description="The question in words, e.g. 'Did the programme change Russia's security?'."
    )
    world: Id = Field(
        description="Id of the what-if world in `counterfactuals` without what the question "
        "asks about."
    )
    actor: Id = Field(description="The actor whose value is compared.")
    metric: Literal["security", "effort", "threat", "crisis_risk"] = Field(
        "security", description="The per-actor value compared."
    )
    source: SourceRef | None = Field(None, description="Where the question comes from.")
    note: Text | None = Field(None, description="Free text.")


# --- the case --------------------------------------------------------------------------------


class Case(Model):
    """A whole case: who, with what, bound by what, seeing each other how, and what happened."""

    schema_version: Literal[1] = Field(1, description="Version of this file format.")
    id: Id = Field(description="Short id of the case, e.g. 'bmd-europe'.")
    title: Name = Field(description="Title.")
    summary: Text = Field("", description="What the case is about, in a paragraph.")
    span: Span = Field(description="Period and step length.")
    actors: list[Actor] = Field(
        min_length=1, max_length=MAX_ACTORS, description="States (or blocs) simulated."
    )
    capabilities: list[Capability] = Field(
        default_factory=list, description="Military capabilities at the start."
    )
    missiles: list[MissileSystem] = Field(
        default_factory=list, description="Ballistic-missile systems."
    )
    defence_sites: list[DefenceSite] = Field(
        default_factory=list, description="Missile-defence sites (interceptors and radars)."
    )
    institutions: list[Institution] = Field(
        default_factory=list, description="International institutions."
    )
    alliances: list[Alliance] = Field(default_factory=list, description="Formal alliances.")
    identities: list[IdentityTie] = Field(
        default_factory=list, description="Initial identities (unlisted pairs start at 0)."
    )
    beliefs: list[Belief] = Field(
        default_factory=list,
        description="Initial beliefs about greed (unlisted pairs: the viewed actor's prior).",
    )
    interdependence: list[Interdependence] = Field(
        default_factory=list, description="Economic interdependence (unlisted pairs: 0)."
    )
    places: list[Place] = Field(default_factory=list, description="Named places used by the case.")
    events: list[Event] = Field(default_factory=list, description="Dated events.")
    observables: list[Observable] = Field(
        default_factory=list, description="Coded record for backtesting."
    )
    parameters: Parameters = Field(default_factory=Parameters, description="Model parameters.")
    parameter_sources: list[ParameterSource] = Field(
        default_factory=list,
        description="Sources (or stated assumptions, with a sensitivity range) of the values "
        "set in `parameters`; built-in cases give one for every value they set.",
    )
    sources: list[Source] = Field(default_factory=list, description="Sources cited by the case.")
    counterfactuals: list[Counterfactual] = Field(
        default_factory=list,
        description="What-if worlds to compare with the case as recorded (`dilemma whatif`; "
        "`dilemma run` runs them too).",
    )
    question: Question | None = Field(
        None,
        description="The question the headline leads with; without it the headline takes the "
        "first what-if world and the first actor it concerns.",
    )

    @field_validator("events")
    @classmethod
    def _chronological(cls, events: list[Event]) -> list[Event]:
        return sorted(events, key=lambda e: e.date)

    # convenience look-ups (pure, derived from the data) --------------------------------
    def actor_ids(self) -> list[str]:
        """Actor ids in file order: the order of the engine's state axis."""
        return [a.id for a in self.actors]

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id."""
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    def party(self, party_id: str) -> Party:
        """Who an observable's ``actor`` or ``counterpart`` names: a simulated actor, an
        institution of the case (with its members) or a state that is not simulated.

        >>> case = Case.model_validate({"id": "c", "title": "c", "span": {"start": 2000,
        ...     "end": 2001}, "actors": [{"id": "USA", "name": "US"}, {"id": "POL",
        ...     "name": "Poland"}], "institutions": [{"id": "NATO", "name": "NATO",
        ...     "members": ["USA", "POL"], "transparency": 0.7, "shadow_of_future": 0.9}]})
        >>> case.party("NATO").kind, case.party("NATO").members, case.party("ESP").kind
        ('institution', ('USA', 'POL'), 'state')
        """
        if party_id in self.actor_ids():
            return Party(party_id, "actor")
        for inst in self.institutions:
            if inst.id == party_id:
                return Party(party_id, "institution", tuple(m.actor for m in inst.members))
        return Party(party_id, "state")

    def source(self, source_id: str) -> Source:
        """The source with this id."""
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)
