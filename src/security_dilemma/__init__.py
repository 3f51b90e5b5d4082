"""security-dilemma: a laboratory for the security dilemma in international relations.

State a case (states, weapons, alliances, institutions, identities, dated events), simulate it
under competing theories, and test those theories against what happened.

>>> import security_dilemma as sd
>>> case = sd.load_case("bmd-europe")
>>> case.actor_ids()[:3]
['USA', 'RUS', 'IRN']
"""

from importlib.metadata import PackageNotFoundError, version

from . import data
from .errors import BadInput, Problem
from .geo import Gazetteer, Location
from .scenario import Case, list_cases, load_case, load_case_file, parse_case_text

try:
    __version__ = version("security-dilemma")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "BadInput",
    "Case",
    "Gazetteer",
    "Location",
    "Problem",
    "__version__",
    "data",
    "list_cases",
    "load_case",
    "load_case_file",
    "parse_case_text",
]
