from __future__ import annotations

import pandas as pd

import leadlink as ll
from leadlink.datasets import generate_leads
from leadlink.match import LeadModel
from leadlink.schema import resolve_columns


def _prepare(leads: pd.DataFrame) -> pd.DataFrame:
    return ll.prepare(leads, resolve_columns(leads, id_column="lead_id"), id_column="lead_id")


def _matching_pairs(leads: pd.DataFrame) -> float:
    """The number of matching pairs the model's λ stands for."""
    prepared = _prepare(leads)
    n = len(prepared)
    return LeadModel(seed=1).fit(prepared).lambda_ * n * (n - 1) / 2


def test_namesakes_on_a_switchboard_do_not_raise_lambda():
    # λ counts the pairs of the same phone and name only on personal lines: two
    # colleagues of one name on their company's switchboard are two people (before, 60
    # of them made the estimated matching pairs 22-27 % more, and so every pair that
    # agrees on name and company scored too high)
    leads = generate_leads(400, seed=5).drop(columns=["person_id", "is_ghost"])
    prepared = _prepare(leads)
    on_board = leads[(prepared["phone_shared"] == 1).to_numpy() & leads["name"].notna().to_numpy()]
    colleagues = on_board.head(60).assign(
        lead_id=lambda frame: "C" + frame["lead_id"], email=None, title=None
    )
    before = _matching_pairs(leads)
    after = _matching_pairs(pd.concat([leads, colleagues], ignore_index=True))
    assert after / before < 1.1
