"""Building a LeadIndex from a dedupe result reuses the result's golden records only when
they are what the index would make itself."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import leadlink as ll
from leadlink import realtime
from leadlink.datasets import generate_leads


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    return generate_leads(400, seed=5).drop(columns=["person_id", "is_ghost"])


def _rebuilt(result: ll.DedupeResult, monkeypatch: pytest.MonkeyPatch) -> ll.LeadIndex:
    """The index of ``result`` with its golden records made again from the leads."""
    with monkeypatch.context() as patched:
        patched.setattr(realtime, "_golden_as_held", lambda result: False)
        return ll.LeadIndex.from_result(result)


def _records(index: ll.LeadIndex) -> list[dict]:
    table = index._golden.table().to_pandas().sort_values("cluster_id")
    return [index._golden.of(c, exists=True) for c in table["cluster_id"]]


@pytest.mark.parametrize("outputs", ["clear", "masked"])
def test_the_golden_records_are_those_the_index_would_make(
    leads: pd.DataFrame, outputs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ll.dedupe(leads, seed=0, outputs=outputs)
    index = ll.LeadIndex.from_result(result)
    assert _records(index) == _records(_rebuilt(result, monkeypatch))
    # the index shows phones in clear whatever the outputs were
    phones = {r["phone"] for r in _records(index) if r.get("phone")}
    assert phones and not any("*" in p for p in phones)


def test_leads_of_other_kinds_than_text_get_records_made_again(
    leads: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = leads.assign(employees=range(len(leads)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ll.dedupe(typed, seed=0)
    index = ll.LeadIndex.from_result(result)
    assert _records(index) == _records(_rebuilt(result, monkeypatch))
