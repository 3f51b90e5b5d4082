"""Cases: the file format (schema), safe loading with located errors, and the built-in library.

What-if worlds built from a case's ``counterfactuals`` are in :mod:`security_dilemma.whatif`."""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:
    from .fromdata import CaseDraft, case_from_data, draft_case
    from .library import CaseInfo, builtin_case_names, builtin_case_path, list_cases, load_case
    from .loader import case_problems, case_warnings, load_case_file, parse_case_text
    from .schema import SCHEMA_VERSION, Case, Counterfactual

__all__ = [
    "SCHEMA_VERSION",
    "Case",
    "CaseDraft",
    "CaseInfo",
    "Counterfactual",
    "builtin_case_names",
    "builtin_case_path",
    "case_from_data",
    "case_problems",
    "case_warnings",
    "draft_case",
    "list_cases",
    "load_case",
    "load_case_file",
    "parse_case_text",
]

# The names above are imported when first used (see ``security_dilemma._lazy``).
if not TYPE_CHECKING:
    __getattr__, __dir__ = attach(__name__, __all__)
