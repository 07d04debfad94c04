"""Identify (线索识别): score and tier leads (high / medium / low intent) from their fields
and behaviour, alone or on the merged history.

Reads the base modules and :mod:`leadlink.clean` (ghosts score low); it never imports Splink.

* :func:`score`, :func:`score_golden` — points from rules (BANT, CHAMP or your own);
* :func:`load_rules` — the complete rules a preset, dict or file stands for;
  :data:`DEFAULT_RULES` (BANT) and :data:`CHAMP_RULES` are the presets, read from the data
  files ``identify/presets/bant.json`` and ``champ.json``;
* :class:`OutcomeModel`, :func:`fit_outcome_model` — which leads convert, learnt with
  scikit-learn from any columns (behaviour, source, activity ...) and the rules' evidence,
  calibrated, with a leakage guard and a held-out evaluation;
* :func:`review_rules`, :class:`RuleReview` — the periodic review of the rules against
  outcomes: lift and suggested points per rule, conversion per tier, the leads the tiers
  got wrong, cut-offs for target tier shares.

Inside, one way: ``_cells`` (what a cell says) and ``_timeline`` (reading purchase
timelines) ← ``_evidence`` (features from fields and events) ← ``_rules`` (presets,
loading, one registry entry per kind of rule); ``_features`` (any column as model
features) ← ``_leakage`` (the leakage guard); ``_trees`` (boosted trees as arrays) and
``_measures`` (AUC, calibration, tiers) ← ``_outcome`` (the learnt model) ← ``_learn``
(fitting it) ← ``_score`` (the score, tier, stage and reasons frame) ← ``_review`` (the
rules against outcomes).
"""

from __future__ import annotations

from leadlink.identify._learn import fit_outcome_model
from leadlink.identify._outcome import OutcomeModel
from leadlink.identify._review import RuleReview, review_rules
from leadlink.identify._rules import CHAMP_RULES, DEFAULT_RULES, load_rules
from leadlink.identify._score import score, score_golden

__all__ = [
    "CHAMP_RULES",
    "DEFAULT_RULES",
    "OutcomeModel",
    "RuleReview",
    "fit_outcome_model",
    "load_rules",
    "review_rules",
    "score",
    "score_golden",
]
