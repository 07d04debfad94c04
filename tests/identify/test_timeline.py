"""Reading stated purchase timelines as days from now."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadlink.identify._timeline import timeline_days

NOW = "2025-06-30"


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("3个月内", 90),
        ("一个月", 30),
        ("半年内", 180),
        ("两周", 14),
        ("1-3 months", 90),
        ("within 6 months", 180),
        ("本季度", 90),
        ("next quarter", 180),
        ("尽快", 7),
        ("今年", 365),
        ("2025-08", 46),
        ("2025年9月30日", 92),
        ("看情况", "stated"),
        ("暂无计划", None),
        ("暂不考虑", None),
        ("no plans for now", None),
        (None, None),
    ],
)
def test_timeline_reading(text, days):
    found = timeline_days(text, pd.Timestamp(NOW))
    if days is None:
        assert found is None
    elif days == "stated":
        assert found is not None and np.isnan(found)
    else:
        assert found == pytest.approx(days, abs=1)
