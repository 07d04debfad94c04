from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture
def zero_m_error() -> Callable[[str, str], ValueError]:
    """Makes the error Splink 5 raises when EM drives a level's m to 0, from Splink's own
    code (see leadlink.match._splink.collapsed_level)."""
    import importlib

    from leadlink.match._comparisons import COMPARISONS
    from leadlink.match._splink import EM_STORE_FUNCTION, EM_STORE_MODULE

    store = getattr(importlib.import_module(EM_STORE_MODULE), EM_STORE_FUNCTION)

    def make(role: str = "email", label: str = "both_personal") -> ValueError:
        comparison = COMPARISONS[role].build().get_comparison("duckdb")
        level = next(cl for cl in comparison.comparison_levels if cl.label_for_charts == label)
        lookup = {
            role: {level.comparison_vector_value: {"m_probability": 0.0, "u_probability": 0.5}}
        }
        try:
            store({"u"}, level, role, lookup)
        except ValueError as error:
            return error
        raise AssertionError("Splink accepted an m of 0")

    return make
