"""Identify (线索识别): score and tier leads (high / medium / low intent) from their fields
and behaviour, alone or on the merged history.

Reads the base modules and :mod:`leadlink.clean` (ghosts score low); it never imports Splink.

* :func:`score`, :func:`score_golden` — points from rules (BANT, CHAMP or your own);
* :func:`load_rules` — the complete rules a preset, dict or file stands for;
* :class:`OutcomeModel`, :func:`fit_outcome_model` — weights learnt from outcomes.
"""

from __future__ import annotations

from leadlink.identify._score import (
    OutcomeModel,
    fit_outcome_model,
    load_rules,
    score,
    score_golden,
)

__all__ = ["OutcomeModel", "fit_outcome_model", "load_rules", "score", "score_golden"]
