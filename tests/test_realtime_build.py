"""Building a LeadIndex from a dedupe result reuses the result's golden records only when
they are what the index would make itself."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import leadlink as ll
from leadlink.datasets import generate_leads


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    return generate_leads(400, seed=5).drop(columns=["person_id", "is_ghost"])


def _rebuilt(result: ll.DedupeResult) -> ll.LeadIndex:
    """The index of ``result`` with its golden records made again from the leads."""
    return ll.LeadIndex(
        result.leads,
        model=result.model,
        id_column=str(result.clusters.columns[0]),
        columns=result.roles,
        region=result.masking.region,
        threshold=result.threshold,
        policy=result.policy,
        _pairs=result.pairs,
        _prepared=result.prepared,
        _validation=result.validation,
        _clusters=result.clusters,
    )


def _records(index: ll.LeadIndex) -> list[dict]:
    table = index._golden.table().to_pandas().sort_values("cluster_id")
    return [index._golden.of(c, exists=True) for c in table["cluster_id"]]


@pytest.mark.parametrize("outputs", ["clear", "masked"])
def test_the_golden_records_are_those_the_index_would_make(
    leads: pd.DataFrame, outputs: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ll.dedupe(leads, seed=0, outputs=outputs)
    index = ll.LeadIndex.from_result(result)
    assert _records(index) == _records(_rebuilt(result))
    # the index shows phones in clear whatever the outputs were
    phones = {r["phone"] for r in _records(index) if r.get("phone")}
    assert phones and not any("*" in p for p in phones)


def test_leads_of_other_kinds_than_text_get_records_made_again(leads: pd.DataFrame) -> None:
    typed = leads.assign(employees=range(len(leads)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ll.dedupe(typed, seed=0)
    index = ll.LeadIndex.from_result(result)
    assert _records(index) == _records(_rebuilt(result))
