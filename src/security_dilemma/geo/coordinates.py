"""Coordinates written as text: ``"lat,lon"`` in signed decimal degrees or with hemispheres.

``"-33.86,151.21"``, ``"33.86S,151.21E"`` and ``"33.86 S, 151.21 E"`` are the same point (Sydney).
A hemisphere letter replaces the sign (``"-33.86S"`` is refused). Light on purpose: the
command line reads coordinates before it imports anything else.

>>> parse_coordinates("33.86S,151.21E")
(-33.86, 151.21)
>>> parse_coordinates("40.71,-74.01")
(40.71, -74.01)
>>> parse_coordinates("Warsaw") is None
True
>>> with_hemisphere("-33.86,151.21")
'33.86S,151.21'
"""

from __future__ import annotations

import re

__all__ = ["COORDINATES", "parse_coordinates", "with_hemisphere"]

_NUMBER = r"([-+]?\d+(?:\.\d+)?)\s*°?\s*"
COORDINATES = re.compile(rf"^\s*{_NUMBER}([NSns])?\s*,\s*{_NUMBER}([EWew])?\s*$")
"""``lat,lon``: two decimal numbers, each signed or followed by its hemisphere letter."""


def _signed(number: str, letter: str | None, negative: str) -> float | None:
    value = float(number)
    if letter is None:
        return value
    if number[0] in "+-":
        return None  # a sign and a hemisphere: ambiguous
    return -value if letter.upper() == negative else value


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """``(lat, lon)`` in signed degrees when ``text`` is written as coordinates, else None
    (not checked against the valid ranges)."""
    m = COORDINATES.match(text)
    if m is None:
        return None
    lat = _signed(m.group(1), m.group(2), "S")
    lon = _signed(m.group(3), m.group(4), "W")
    if lat is None or lon is None:
        return None
    return lat, lon


def with_hemisphere(text: str) -> str:
    """``text`` with a leading minus on the latitude written as ``S`` instead, so that a
    command line does not read it as an option; any other text is returned unchanged."""
    m = COORDINATES.match(text)
    if m is None or not m.group(1).startswith("-") or m.group(2):
        return text
    lon = m.group(3) + (m.group(4) or "")
    return f"{m.group(1)[1:]}S,{lon}"
