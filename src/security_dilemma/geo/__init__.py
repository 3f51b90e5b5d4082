"""Geography: gazetteer (and, with the geography issue, geodesy, reach, missile defence, maps)."""

from .gazetteer import Gazetteer, Location, normalise_name

__all__ = ["Gazetteer", "Location", "normalise_name"]
