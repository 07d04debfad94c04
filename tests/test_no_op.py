"""Never a silent no-op: a run that cannot do what was asked says why with a
LeadlinkWarning that names what to map, instead of ending in "0 duplicates"."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import leadlink as ll

FIRST = ["Anna", "Ben", "Carl", "Dora", "Emil", "Frida", "Gus", "Hilde", "Ivan", "Jana"]
LAST = ["Berg", "Stone", "Hill", "Ford", "Wood", "Lake", "Moss", "Reed"]


def contacts_with_a_junk_phone_column() -> pd.DataFrame:
    """80 people, every other one entered twice, with names and emails, and a phone column
    that holds a number for only 2 leads of 120 ("ask reception" elsewhere)."""
    rows = []
    for person in range(80):
        first, last = FIRST[person % 10], LAST[person // 10]
        for _ in range(1 + person % 2):
            rows.append(
                {
                    "lead_id": f"L{len(rows)}",
                    "name": f"{first} {last}",
                    "email": f"{first.lower()}.{last.lower()}@example{person % 5}.com",
                    "phone": f"1380013{len(rows):04d}" if len(rows) % 60 == 0 else "ask reception",
                }
            )
    return pd.DataFrame(rows)


def _said(leads: pd.DataFrame, **options) -> tuple[ll.DedupeResult, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ll.LeadlinkWarning)
        result = ll.dedupe(leads, **options)
    return result, [str(w.message) for w in caught if w.category is ll.LeadlinkWarning]


@pytest.fixture(scope="module")
def junk_phone():
    return _said(contacts_with_a_junk_phone_column())


def test_a_mapped_role_no_lead_can_use_is_named_with_what_to_map(junk_phone):
    result, said = junk_phone
    unusable = [message for message in said if "not used for matching" in message]
    assert len(unusable) == 1
    assert "'phone' role ('phone')" in unusable[0]
    assert "only 2 of 120 leads have a usable value" in unusable[0]
    assert "--no-role phone" in unusable[0] and "columns={'phone': None}" in unusable[0]
    # the other roles still find the duplicates
    assert result.summary()["clusters_with_duplicates"] == 40


def test_phones_invalid_for_the_region_suggest_the_region(junk_phone):
    _, said = junk_phone
    assert any("118 of 120 phone numbers" in message and "--region" in message for message in said)


def test_no_pair_at_the_threshold_is_said_with_the_best_probability(junk_phone):
    result, _ = junk_phone
    leads = contacts_with_a_junk_phone_column()
    again, said = _said(leads, model=result.model, threshold=1.0)
    assert again.summary()["clusters_with_duplicates"] == 0
    assert any("no pair reached the threshold 1 (the best of 40 scored" in m for m in said)


def test_nothing_trained_and_no_pair_compared_are_said():
    leads = pd.DataFrame({"lead_id": [f"L{i}" for i in range(30)], "company": ["Acme"] * 30})
    result, said = _said(leads)
    assert result.model is not None and result.model.diagnostics.get("prior_only")
    assert any(
        "'company' role" in m and "30 leads with a value in it all have the same one" in m
        for m in said
    )
    assert any(m.startswith("nothing could be trained") for m in said)
    assert any(m.startswith("no pair of leads was compared") for m in said)


def test_a_single_matchable_lead_is_said():
    # one person among 24 test entries (ghost leads, kept out of matching)
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(25)],
            "name": ["Anna Berg"] + ["test"] * 24,
            "phone": [None] + ["13800000000"] * 24,
        }
    )
    result, said = _said(leads)
    assert result.model is None
    assert said == [
        "only 1 lead(s) could be matched (the others are ghost leads or have no name, phone, "
        "email or company), so nothing was trained or compared"
    ]


def test_a_small_table_without_duplicates_says_nothing():
    leads = pd.DataFrame({"lead_id": ["a", "b", "c"], "name": ["Anna Berg", "Ben Hill", "Jana"]})
    result, said = _said(leads)
    assert said == [] and result.summary()["clusters_with_duplicates"] == 0


def test_the_messages_hold_no_personal_data(junk_phone):
    _, said = junk_phone
    text = " ".join(said)
    assert "1380013" not in text and "@example" not in text and "Anna" not in text


def test_the_warning_can_be_made_an_error():
    leads = pd.DataFrame({"Id": ["L1"], "name": ["Anna Berg"]})  # the id is found in 'Id'
    with warnings.catch_warnings():
        warnings.simplefilter("error", ll.LeadlinkWarning)
        with pytest.raises(ll.LeadlinkWarning):
            ll.dedupe(leads)


def test_an_account_list_without_person_names_is_said_to_be_weak() -> None:
    """Issue 17: account lists (company, no person's name) went through the person model
    without a word, at pairwise F1 0.37-0.72 on generated account lists."""
    from leadlink.datasets import generate_accounts

    accounts = generate_accounts(60, seed=1).drop(columns=["company_id"])
    with pytest.warns(ll.LeadlinkWarning, match="company but no person's name"):
        ll.dedupe(accounts, id_column="account_id", progress=False)
