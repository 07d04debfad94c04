"""One small result for every explore test: the session's generated leads, deduplicated
once (tests/conftest.py), and their truth."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="package")
def result(small_result):
    """A DedupeResult of about 600 generated leads; tests must not change it."""
    return small_result


@pytest.fixture(scope="package")
def truth(small_leads) -> pd.Series:
    """Person id by lead id."""
    return small_leads.set_index("lead_id")["person_id"]
