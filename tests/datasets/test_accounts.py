"""Generated account lists: columns, determinism, truth, and the hard parts they promise
(legal forms, branches, subsidiaries named after their parent, local numbers, missing
values)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from leadlink.datasets import ACCOUNT_ZH_HEADERS, generate_accounts

COLUMNS = ["account_id", "company", "address", "city", "postcode", "phone", "website", "email",
           "company_id"]  # fmt: skip


@pytest.fixture(scope="module")
def accounts() -> pd.DataFrame:
    return generate_accounts(600, seed=3)


def test_columns_ids_and_truth(accounts):
    assert list(accounts.columns) == COLUMNS
    assert accounts["account_id"].is_unique
    assert accounts["company_id"].nunique() == 600
    assert accounts["company"].notna().all()
    sizes = accounts["company_id"].value_counts()
    assert 1 < sizes.mean() < 3 and sizes.max() <= 6


def test_same_seed_same_list_other_seed_other_list():
    first = generate_accounts(80, seed=5)
    pd.testing.assert_frame_equal(first, generate_accounts(80, seed=5))
    assert not first.equals(generate_accounts(80, seed=6))


def test_chinese_headers_keep_the_truth_column():
    frame = generate_accounts(30, seed=1, headers="zh")
    assert list(frame.columns) == [ACCOUNT_ZH_HEADERS.get(c, c) for c in COLUMNS]
    assert "company_id" in frame.columns


def test_legal_forms_in_several_languages(accounts):
    names = " ".join(accounts["company"])
    for form in ("有限公司", "股份有限公司", "GmbH", "N.V.", "B.V.", "S.A.", "Inc", "LLC", "Ltd",
                 "Co., Ltd."):  # fmt: skip
        assert form in names, form


def test_subsidiaries_and_branches_are_companies_of_their_own(accounts):
    names = accounts.drop_duplicates("company_id")["company"]
    branches = names[names.str.contains("分公司|Branch")]
    assert len(branches) >= 5
    # Companies that share a brand word with another company: the hard negatives.
    brand = names.str.extract(r"^(?:[\u4e00-\u9fff]{2})?([A-Za-z]+|[\u4e00-\u9fff]{2,3})")[0]
    assert brand.value_counts().max() >= 5


def test_duplicates_vary(accounts):
    dup = accounts[accounts["company_id"].duplicated(keep=False)]
    varied = dup.groupby("company_id")["company"].nunique().gt(1).mean()
    assert 0.2 < varied < 0.9
    addresses = accounts["address"].dropna()
    assert addresses.str.contains("路|街|大道").any() and addresses.str.contains("室").any()
    assert addresses.str.contains(r"\b(?:St\.|Street|Rd\.|Road)", regex=True).any()
    assert addresses.str.contains("Suite|Ste ", regex=True).any()


def test_local_numbers_full_numbers_and_missing_values(accounts):
    digits = accounts["phone"].dropna().map(lambda p: re.sub(r"\D", "", p))
    assert digits.str.len().isin([7, 8]).mean() > 0.2  # local, without area code
    assert digits.str.len().ge(10).mean() > 0.3  # full, with area (and country) code
    missing = accounts.isna().mean()
    assert 0.35 < missing["postcode"] < 0.75
    assert missing["email"] > 0.8
    assert 0.03 < missing["address"] < 0.3
    assert accounts["website"].dropna().str.contains(r"\.", regex=True).all()


@pytest.mark.parametrize(
    "options",
    [{"n_companies": 0}, {"dup_rate": 1.5}, {"corruption": -0.1}, {"headers": "fr"}],
)
def test_bad_options_are_refused(options):
    arguments = {"n_companies": 10, **options}
    with pytest.raises(ValueError):
        generate_accounts(**arguments)
