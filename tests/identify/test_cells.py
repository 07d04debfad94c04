"""What a cell says to the scoring rules: the words for none, and the keys of events and
statuses."""

from __future__ import annotations

import pandas as pd
import pytest

from leadlink._values import NO_VALUE
from leadlink.identify._cells import event_key, is_none, status_key


def test_the_shared_no_value_words_are_none_in_any_case():
    for value in NO_VALUE:
        assert is_none(value) and is_none(f" {value.upper()} "), value


@pytest.mark.parametrize(
    "value",
    ["", "  ", "0", "0元", "无", "无预算", "暂无计划", "TBD", "Not Sure", "nan", "<NA>",
     None, float("nan"), 0, 0.0, pd.NA, pd.NaT],
)  # fmt: skip
def test_scoring_fields_add_their_own_words_for_none(value):
    assert is_none(value)


@pytest.mark.parametrize("value", ["50万", "其他", "1", 1, True, "ASAP", "想替换现有CRM系统"])
def test_a_stated_value_is_not_none(value):
    assert not is_none(value)


def test_keys_ignore_case_spaces_and_separators():
    assert event_key("Email  Click") == event_key("email-click") == "email_click"
    assert status_key("Closed Won") == status_key("closed_won") == "closedwon"
