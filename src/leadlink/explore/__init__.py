"""Explore (the analyst's threshold workbench): what each threshold gives, expected and
measured precision and recall, charts, the pairs nearest the threshold, why a pair matched.

Reads a :class:`leadlink.DedupeResult`; it never trains or scores.
"""

from __future__ import annotations

from leadlink.explore._thresholds import DEFAULT_THRESHOLDS, expected_scores, threshold_table

__all__ = ["DEFAULT_THRESHOLDS", "expected_scores", "threshold_table"]
