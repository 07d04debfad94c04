"""link(): every lead accounted for, the right account found, branches kept apart, clear
errors, and ids of the two tables never confused."""

from __future__ import annotations

import pandas as pd
import pytest

import leadlink as ll
from leadlink.datasets import generate_account_leads, generate_accounts
from leadlink.errors import ColumnError, ConfigError, InputError
from leadlink.linking import STATUSES

TRUTH = ["account_id", "company_id"]


@pytest.fixture(scope="module")
def generated() -> tuple[pd.DataFrame, pd.DataFrame, ll.LinkResult]:
    accounts = generate_accounts(300, seed=1, dup_rate=0)
    leads = generate_account_leads(accounts, 400, seed=1)
    result = ll.link(leads.drop(columns=TRUTH), accounts.drop(columns=["company_id"]), seed=1)
    return accounts, leads, result


def test_every_lead_gets_one_row_in_input_order(generated):
    _, leads, result = generated
    matches = result.matches
    assert matches["lead_id"].tolist() == leads["lead_id"].tolist()
    assert set(matches["status"]) <= set(STATUSES)
    assert matches.loc[matches["status"] == "no_match", "account_id"].isna().all()
    linked = matches["account_id"].notna()
    assert (matches.loc[linked, "match_probability"] >= result.threshold).all()
    summary = result.summary()
    assert summary["leads"] == len(leads) == sum(summary[s] for s in STATUSES)


def test_generated_leads_find_their_accounts(generated):
    # Measured on this set: precision 0.99, recall 0.94 (docs/link.md has the table); the bar
    # leaves room for the model's own changes, not for a broken link.
    accounts, leads, result = generated
    company = accounts.set_index("account_id")["company_id"]
    found = result.matches.set_index("lead_id")["account_id"].map(company)
    truth = leads.set_index("lead_id")["company_id"]
    assigned = found.notna()
    correct = assigned & (found == truth)
    precision = correct.sum() / assigned.sum()
    recall = correct.sum() / truth.notna().sum()
    assert precision >= 0.95
    assert recall >= 0.85


def test_pairs_are_lead_account_pairs_with_levels(generated):
    accounts, leads, result = generated
    pairs = result.pairs
    assert {"lead_id", "account_id", "match_probability", "company_level"} <= set(pairs.columns)
    assert pairs["lead_id"].isin(leads["lead_id"]).all()
    assert pairs["account_id"].isin(accounts["account_id"]).all()
    assert result.model.entity == "company"


BRANCH_ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["A1", "A2", "A3"],
        "company": ["华润医药有限公司", "华润医药有限公司上海分公司", "Novatek Logistics LLC"],
        "city": ["北京", "上海", "San Francisco"],
        "phone": ["010-8888 6666", "021-6666 8888", "+1 415 555 0123"],
        "website": ["www.crpharm.com", "www.crpharm.com", "novatek.com"],
    }
)
BRANCH_LEADS = pd.DataFrame(
    {
        "lead_id": ["L1", "L2", "L3", "L4"],
        "name": ["张伟", "李娜", "Mary Smith", "王芳"],
        "company": ["华润医药", "华润医药上海分公司", "Novatek Logistics", "完全不同科技"],
        "email": ["zhangwei@crpharm.com", "lina@crpharm.com", "mary@novatek.com", None],
        "phone": ["010-8888 6666 转 8001", "021 6666 8888", None, "13800138000"],
        "city": ["北京", "上海", None, "成都"],
    }
)


# A handful of rows is too few to train on: the small examples reuse the generated set's model.


def test_a_branch_and_its_parent_are_kept_apart(generated):
    result = ll.link(BRANCH_LEADS, BRANCH_ACCOUNTS, model=generated[2].model)
    linked = result.matches.set_index("lead_id")["account_id"]
    assert linked["L1"] == "A1"
    assert linked["L2"] == "A2"
    assert linked["L3"] == "A3"
    assert linked["L4"] is None


def test_ids_that_look_the_same_in_both_tables_do_not_clash(generated):
    accounts = BRANCH_ACCOUNTS.assign(account_id=[1, 2, 3])
    leads = BRANCH_LEADS.assign(lead_id=[3, 2, 1, 4])
    matches = ll.link(leads, accounts, model=generated[2].model).matches.set_index("lead_id")
    assert matches.loc["3", "account_id"] == "1"
    assert matches.loc["2", "account_id"] == "2"
    assert matches.loc["1", "account_id"] == "3"
    assert matches.loc["4", "status"] == "no_match"


def test_other_id_columns_and_role_mappings(generated):
    accounts = BRANCH_ACCOUNTS.rename(columns={"account_id": "客户ID", "company": "单位全称"})
    leads = BRANCH_LEADS.rename(columns={"lead_id": "id"})
    result = ll.link(
        leads,
        accounts,
        lead_id="id",
        account_id="客户ID",
        account_columns={"company": "单位全称"},
        model=generated[2].model,
    )
    assert result.roles["accounts"]["company"] == "单位全称"
    assert result.matches.set_index("lead_id").loc["L2", "account_id"] == "A2"


@pytest.mark.parametrize(
    ("leads", "accounts", "kwargs", "error", "words"),
    [
        ([{"company": "x"}], BRANCH_ACCOUNTS, {}, InputError, "leads must be a pandas DataFrame"),
        (BRANCH_LEADS, "accounts.csv", {}, InputError, "accounts must be a pandas DataFrame"),
        (BRANCH_LEADS.iloc[:0], BRANCH_ACCOUNTS, {}, InputError, "leads has no rows"),
        (BRANCH_LEADS, BRANCH_ACCOUNTS.iloc[:0], {}, InputError, "accounts has no rows"),
        (BRANCH_LEADS, BRANCH_ACCOUNTS, {"lead_id": "id"}, ColumnError, "leads: id column 'id'"),
        (BRANCH_LEADS, BRANCH_ACCOUNTS.drop(columns="account_id"), {}, ColumnError, "accounts:"),
        (BRANCH_LEADS.assign(lead_id="L1"), BRANCH_ACCOUNTS, {}, InputError, "leads:"),
        (BRANCH_LEADS, BRANCH_ACCOUNTS.assign(account_id="A"), {}, InputError, "accounts:"),
        (
            BRANCH_LEADS[["lead_id", "name"]],
            BRANCH_ACCOUNTS,
            {},
            ColumnError,
            "the leads have none",
        ),
        (BRANCH_LEADS, BRANCH_ACCOUNTS, {"threshold": 2}, ConfigError, "threshold"),
        (BRANCH_LEADS, BRANCH_ACCOUNTS, {"model": ll.LeadModel()}, ConfigError, "organisation"),
    ],
)
def test_clear_errors(leads, accounts, kwargs, error, words, monkeypatch):
    monkeypatch.setenv("LEADLINK_LANG", "en")
    with pytest.raises(error, match=words):
        ll.link(leads, accounts, **kwargs)


def test_no_shared_role_names_what_each_table_has(monkeypatch):
    monkeypatch.setenv("LEADLINK_LANG", "en")
    leads = BRANCH_LEADS[["lead_id", "name", "phone"]]
    accounts = BRANCH_ACCOUNTS[["account_id", "company", "city"]]
    with pytest.raises(ColumnError, match="the leads have phone, the accounts city, company"):
        ll.link(leads, accounts)


def test_a_trained_model_can_be_reused(generated):
    _, _, result = generated
    again = ll.link(BRANCH_LEADS, BRANCH_ACCOUNTS, model=result.model)
    assert again.model is result.model
    assert len(again.matches) == len(BRANCH_LEADS)


def test_generated_leads_hold_their_truth():
    accounts = generate_accounts(40, seed=3, dup_rate=0)
    leads = generate_account_leads(accounts, 60, seed=3, match_share=0.5)
    assert len(leads) == 60 and leads["lead_id"].is_unique
    inside = leads["account_id"].notna()
    assert 0 < inside.sum() < 60
    assert leads.loc[inside, "account_id"].isin(accounts["account_id"]).all()
    assert leads.loc[~inside, "company_id"].isna().all()
    again = generate_account_leads(accounts, 60, seed=3, match_share=0.5)
    pd.testing.assert_frame_equal(leads, again)


def test_an_account_written_twice_is_no_tie(generated):
    # The same organisation twice in the account table is not two candidates for a lead.
    twice = pd.concat([BRANCH_ACCOUNTS, BRANCH_ACCOUNTS.iloc[[0]].assign(account_id="A4")])
    matches = ll.link(BRANCH_LEADS, twice, model=generated[2].model).matches.set_index("lead_id")
    assert matches.loc["L1", "account_id"] in {"A1", "A4"}
    assert matches.loc["L1", "status"] == "matched"
    assert matches.loc["L1", "runner_up"] not in {"A1", "A4"}


def _pairs(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["lead_id", "account_id", "match_probability", "match_weight"]
    )


def test_statuses_from_the_scores():
    from leadlink.linking import _best_accounts

    pairs = _pairs(
        [
            ("sure", "A", 0.99, 7.0), ("sure", "B", 0.9, 3.2),  # 3.8 bits apart: matched
            ("tie", "A", 0.97, 5.0), ("tie", "B", 0.96, 4.6),  # 0.4 bits apart: uncertain
            ("twice", "A", 0.97, 5.0), ("twice", "C", 0.96, 4.6),  # C is A written again
            ("weak", "B", 0.3, -1.2),  # below the threshold, above 0.2: uncertain, unlinked
            ("none", "C", 0.05, -4.2),
        ]
    )  # fmt: skip
    ids = pd.Series(["sure", "tie", "twice", "weak", "none", "unscored"])
    out = _best_accounts(ids, pairs, {("A", "C")}, 0.5).set_index("lead_id")
    assert out["status"].to_dict() == {
        "sure": "matched", "tie": "uncertain", "twice": "matched", "weak": "uncertain",
        "none": "no_match", "unscored": "no_match",
    }  # fmt: skip
    assert out["account_id"].to_dict() == {
        "sure": "A", "tie": "A", "twice": "A", "weak": None, "none": None, "unscored": None
    }  # fmt: skip
    assert out.loc["weak", "candidate_id"] == "B"
    assert out.loc["twice", "runner_up"] is None


def test_leads_that_share_no_key_with_any_account_are_all_no_match() -> None:
    import warnings

    from leadlink.datasets import generate_accounts

    accounts = generate_accounts(50, seed=1, dup_rate=0).drop(columns="company_id")
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2"],
            "company": ["Zyxxq Unrelated Widgets", "Qqqzz Foo"],
            "phone": ["+1 212 555 0199", "+1 212 555 0198"],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matches = ll.link(leads, accounts).matches
    assert matches["lead_id"].tolist() == ["L1", "L2"]
    assert (matches["status"] == "no_match").all()
