"""Explore (the analyst's threshold workbench): what each threshold gives, expected and
measured precision and recall, charts, the pairs nearest the threshold, why a pair matched,
and labelling pairs.

* :func:`threshold_table`, :func:`expected_scores`: per threshold, the pairs, clusters and
  duplicates, with expected (and, given labels or truth, measured) precision and recall;
* charts (:class:`Chart`: shown in Jupyter, saved as PNG or self-contained HTML):
  :func:`weight_histogram`, :func:`precision_recall_chart`, :func:`cluster_sizes`,
  :func:`model_weights`;
* one pair at a time: :func:`explain_pair` (a :class:`PairExplanation` with a waterfall),
  :func:`borderline` (the pairs nearest the threshold, both leads side by side);
* labels: :func:`label_pairs` (buttons in Jupyter, a :class:`Labeller`),
  :func:`labels_template` and :func:`read_labels` (a CSV for a spreadsheet),
  :func:`precision_recall` (measured on the labels).

Reads a :class:`leadlink.DedupeResult`; it never trains or scores. Charts and the labelling
buttons need the ``explore`` extra (``pip install 'leadlink[explore]'``: matplotlib,
ipywidgets); the tables do not.
"""

from __future__ import annotations

from leadlink.explore._charts import (
    Chart,
    cluster_sizes,
    model_weights,
    precision_recall_chart,
    weight_histogram,
)
from leadlink.explore._labelling import (
    LABELS,
    Labeller,
    label_pairs,
    labels_template,
    precision_recall,
    read_labels,
)
from leadlink.explore._pairs import PairExplanation, borderline, explain_pair
from leadlink.explore._thresholds import DEFAULT_THRESHOLDS, expected_scores, threshold_table

__all__ = [
    "DEFAULT_THRESHOLDS",
    "LABELS",
    "Chart",
    "Labeller",
    "PairExplanation",
    "borderline",
    "cluster_sizes",
    "expected_scores",
    "explain_pair",
    "label_pairs",
    "labels_template",
    "model_weights",
    "precision_recall",
    "precision_recall_chart",
    "read_labels",
    "threshold_table",
    "weight_histogram",
]
