"""Renamed keywords: the old name keeps working for one release, with a ``DeprecationWarning``.

>>> import warnings
>>> renamed_keyword("simulate", "counterfactual", None, "restraint", False, default=True)
False
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     renamed_keyword("simulate", "counterfactual", False, "restraint", True, default=True)
False
>>> print(caught[0].category.__name__, caught[0].message)
DeprecationWarning simulate(): the keyword 'counterfactual' is now 'restraint';
'counterfactual' will be removed in the next release
"""

from __future__ import annotations

import warnings

from .errors import BadInput, Problem

__all__ = ["renamed_keyword"]


def renamed_keyword(
    function: str, old: str, old_value: bool | None, new: str, value: bool, *, default: bool
) -> bool:
    """The value of ``function``'s keyword ``new``, which was called ``old``: ``value`` when
    ``old`` is not given (None); else ``old_value``, with a ``DeprecationWarning`` pointing at
    the caller of ``function``. Both given with different values, or a value that is not
    True or False (``'no'`` is not false), is :class:`BadInput`."""
    from .limits import check_flag

    value = check_flag(value, new)
    if old_value is None:
        return value
    old_value = check_flag(old_value, old)
    warnings.warn(
        f"{function}(): the keyword '{old}' is now '{new}'; '{old}' will be removed in the "
        "next release",
        DeprecationWarning,
        stacklevel=3,
    )
    if value != default and value != old_value:
        raise BadInput(
            Problem(f"give '{new}' only ('{old}' is its old name, and the two differ)", path=old)
        )
    return old_value
