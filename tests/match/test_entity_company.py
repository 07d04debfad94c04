"""Accounts as the entity: dedupe(entity="company") and LeadModel(entity="company")."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import leadlink as ll
from leadlink.datasets import generate_accounts
from leadlink.errors import ConfigError, ModelError
from leadlink.match import LeadModel

ROLES = {r: r for r in ("company", "address", "city", "postcode", "phone", "website", "email")}


@pytest.fixture(scope="module")
def accounts() -> tuple[pd.DataFrame, pd.Series]:
    frame = generate_accounts(250, seed=7)
    truth = frame.pop("company_id")
    return frame, truth


@pytest.fixture(scope="module")
def result(accounts: tuple[pd.DataFrame, pd.Series]) -> ll.DedupeResult:
    frame, _ = accounts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ll.dedupe(frame, id_column="account_id", columns=ROLES, entity="company")


def test_account_lists_are_deduplicated_as_organisations(
    accounts: tuple[pd.DataFrame, pd.Series], result: ll.DedupeResult
) -> None:
    frame, truth = accounts
    by_id = result.clusters.set_index("account_id")["cluster_id"]
    scores = ll.evaluate_clusters(frame["account_id"].map(by_id), truth)
    # measured 0.99+ on several seeds and sizes (benchmarks/generality.py); the person
    # model reached 0.37-0.72 on the same kind of list
    assert scores["pairwise_f1"] >= 0.95
    assert len(result.clusters) == len(frame)  # every account accounted for


def test_the_model_compares_organisations_not_people(result: ll.DedupeResult) -> None:
    model = result.model
    assert model is not None and model.entity == "company"
    assert "name" not in model.roles and "company" in model.roles
    levels = set(model.parameters.query("role == 'company'")["level"])
    assert {"exact", "same_words", "branch_of", "same_brand"} <= levels
    assert set(model.parameters.query("role == 'phone'")["level"]) >= {"same_local_number"}


def test_a_branch_is_not_its_parent() -> None:
    # names alone, among other organisations (one of each), as in a register
    others = generate_accounts(600, seed=3, dup_rate=0.0)["company"].drop_duplicates()
    names = [
        "Novatek Logistics LLC",
        "NOVATEK LOGISTICS, L.L.C.",
        "Novatek Logistics LLC - Shanghai Branch",
        "Logistics Novatek Inc.",
        "Novatek Health Inc.",
        "Acme Trading GmbH",
        *others,
    ]
    frame = pd.DataFrame({"account_id": [f"A{i}" for i in range(len(names))], "company": names})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ll.dedupe(frame, id_column="account_id", entity="company")
    cluster = result.clusters.set_index("account_id")["cluster_id"]
    assert cluster["A0"] == cluster["A1"]  # legal forms, case, dots
    assert cluster["A2"] != cluster["A0"]  # the branch is an account of its own
    pairs = result.pairs.set_index(["id_l", "id_r"])["match_probability"]
    # word order counts for more than a branch or a sister company, though with names
    # alone and one such pair among 600 organisations it stays below the threshold
    assert pairs[("A0", "A3")] > 10 * max(pairs[("A0", "A2")], pairs[("A0", "A4")])
    assert cluster["A4"] != cluster["A0"]  # a sister company
    assert cluster["A5"] != cluster["A0"]


def test_identical_records_are_scored_once_and_paired_with_their_copy() -> None:
    names = ["Akzo Nobel N.V."] * 300 + ["Agilent Technologies, Inc."] * 5 + ["ABB B.V."]
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(len(names))], "company": names})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ll.dedupe(frame, id_column="id", entity="company")
    # 300 copies are more than a block may hold (200): they are still one organisation
    assert result.clusters["cluster_id"].nunique() == 3
    identical = result.pairs[result.pairs["found_by"] == "identical"]
    assert len(identical) == 299 + 4
    assert (identical["company_level"] == "exact").all()
    assert (identical["match_probability"] > 0.5).all()


def test_the_entity_is_saved_with_the_model(result: ll.DedupeResult, tmp_path: Path) -> None:
    assert result.model is not None
    path = result.model.save(tmp_path / "model.json")
    data = json.loads(path.read_text("utf-8"))
    assert data["options"]["entity"] == "company"
    loaded = LeadModel.load(path)
    assert loaded.entity == "company"
    pd.testing.assert_frame_equal(loaded.parameters, result.model.parameters)
    # a person model file (no entity) still loads as a person model
    del data["options"]["entity"]
    with pytest.raises(ModelError):  # its comparisons are an organisation's
        LeadModel.from_dict(data)


def test_an_unknown_entity_is_refused_before_any_work() -> None:
    with pytest.raises(ConfigError, match="entity"):
        LeadModel(entity="household")
    frame = pd.DataFrame({"lead_id": ["1", "2"], "company": ["Acme", "Acme Inc"]})
    with pytest.raises(ConfigError, match="entity"):
        ll.dedupe(frame, entity="organisation")


def test_a_model_of_another_entity_is_refused(result: ll.DedupeResult) -> None:
    frame = pd.DataFrame({"account_id": ["1", "2"], "company": ["Acme", "Acme Inc"]})
    with pytest.raises(ConfigError, match="entity"):
        ll.dedupe(frame, id_column="account_id", model=result.model, entity="person")


def test_person_mode_suggests_the_company_entity_for_an_account_list(
    accounts: tuple[pd.DataFrame, pd.Series],
) -> None:
    frame, _ = accounts
    with pytest.warns(ll.LeadlinkWarning, match="entity='company'"):
        ll.dedupe(frame, id_column="account_id", columns=ROLES)


def test_the_cli_takes_the_entity(tmp_path: Path, accounts: tuple[pd.DataFrame, pd.Series]) -> None:
    from leadlink.cli import main

    frame, _ = accounts
    source = tmp_path / "accounts.csv"
    frame.head(120).to_csv(source, index=False)
    code = main(
        ["dedupe", str(source), "--id-column", "account_id", "--entity", "company",
         "--output-dir", str(tmp_path / "out")]
    )  # fmt: skip
    assert code == 0
    saved = json.loads((tmp_path / "out" / "model.json").read_text("utf-8"))
    assert saved["options"]["entity"] == "company"
