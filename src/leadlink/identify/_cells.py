"""What one cell says to the scoring rules: nothing, or a key to compare.

A budget of ``无`` or ``0`` is no budget, so it earns no points; an event type or a status
is compared by a key that ignores case, spaces, ``_`` and ``-`` (``Demo Request`` is
``demo_request``, ``Closed-Won`` is ``closedwon``). Every module of the stage reads cells
through these, so the rules, the evidence and golden scoring agree on what "none" is.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from leadlink._data import words
from leadlink._values import NO_VALUE

__all__ = ["event_key", "is_none", "is_null", "status_key"]

# Values meaning "there is none" in budget, timeline and need columns: the shared no-value
# set, the scoring fields' own words (data/no_value_extra.txt), and a blank cell.
_NONE_TOKENS = NO_VALUE | words("leadlink.identify", "no_value_extra.txt") | {""}

_SEPARATORS = re.compile(r"[\s_\-]+")


def is_null(value: Any) -> bool:
    """Missing to pandas (``None``, NaN, NaT, ``pd.NA``); a list or other cell pandas
    cannot judge is not missing.

    >>> is_null(None), is_null(float("nan")), is_null("无"), is_null(["a"])
    (True, True, False, False)
    """
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def is_none(value: Any) -> bool:
    """The cell says there is none: missing, zero, or a word for none (``无``, ``未定``,
    ``unknown``, ``n/a`` ...), compared ignoring case and surrounding spaces.

    >>> [is_none(v) for v in ("50万", " 暂无预算 ", 0, "TBD", "其他")]
    [False, True, True, True, False]
    """
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return float(value) == 0.0
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        pass
    return str(value).strip().lower() in _NONE_TOKENS


def event_key(value: Any) -> str:
    """An event type or events column name as a key: lower case, runs of spaces, ``_`` and
    ``-`` as one ``_``.

    >>> event_key(" Demo-Request "), event_key("Event Type")
    ('demo_request', 'event_type')
    """
    return _SEPARATORS.sub("_", str(value).strip().lower()).strip("_")


def status_key(value: Any) -> str:
    """A status as a key: lower case without spaces, ``_`` or ``-``.

    >>> status_key("Closed-Won"), status_key("已 成交")
    ('closedwon', '已成交')
    """
    return _SEPARATORS.sub("", str(value).strip().lower())
