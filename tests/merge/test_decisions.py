"""An analyst's decisions on pairs: every spelling of a label read, the table normalised
(pair order, last decision wins, no self-pairs), and decisions applied to scored pairs."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from leadlink.errors import InputError
from leadlink.merge import DECIDED_WEIGHT, apply_decisions, read_decisions


def _table(labels, left=None, right=None):
    left = left or [f"L{i}" for i in range(len(labels))]
    right = right or [f"R{i}" for i in range(len(labels))]
    return pd.DataFrame({"id_l": left, "id_r": right, "label": labels})


@pytest.mark.parametrize(
    "label",
    ["match", "MATCH", " Match ", "1", "1.0", "true", "yes", "Y", "same", "duplicate",
     "是", "同一人", "相同", 1, 1.0, True],
)  # fmt: skip
def test_every_spelling_of_a_match_is_read(label):
    assert read_decisions(_table([label]))["label"].tolist() == ["match"]


@pytest.mark.parametrize(
    "label",
    ["non_match", "non-match", "NonMatch", "no_match", "0", "0.0", "false", "no", "N",
     "different", "distinct", "否", "不是", "不同", 0, 0.0, False],
)  # fmt: skip
def test_every_spelling_of_a_non_match_is_read(label):
    assert read_decisions(_table([label]))["label"].tolist() == ["non_match"]


@pytest.mark.parametrize("label", ["unsure", "skip", "?", "不确定", "", "  ", None, float("nan")])
def test_unsure_and_blank_labels_are_skipped(label):
    decided = read_decisions(_table(["match", label, "non_match"]))
    assert decided[["id_l", "label"]].values.tolist() == [["L0", "match"], ["L2", "non_match"]]


def test_an_unknown_label_is_refused_with_a_count():
    with pytest.raises(InputError, match="2 decision"):
        read_decisions(_table(["match", "maybe", "perhaps"]))


@pytest.mark.parametrize("missing", ["id_l", "id_r", "label"])
def test_a_missing_column_is_refused_naming_it(missing):
    with pytest.raises(InputError, match=repr(missing)):
        read_decisions(_table(["match"]).drop(columns=[missing]))


def test_other_column_names_are_read():
    table = pd.DataFrame({"Lead_A": ["L1"], "lead_b": ["L2"], "Decision": ["yes"]})
    assert read_decisions(table).to_dict("records") == [
        {"id_l": "L1", "id_r": "L2", "label": "match"}
    ]


def test_pair_order_is_normalised_and_the_last_decision_wins():
    table = _table(["match", "non_match", "yes"], left=["L2", "L1", "L9"], right=["L1", "L2", "L3"])
    assert read_decisions(table).to_dict("records") == [
        {"id_l": "L1", "id_r": "L2", "label": "non_match"},
        {"id_l": "L3", "id_r": "L9", "label": "match"},
    ]


def test_self_pairs_and_missing_ids_are_dropped():
    table = _table(["match", "match", "match"], left=["L1", "L1", None], right=["L1", "L2", "L3"])
    assert read_decisions(table).to_dict("records") == [
        {"id_l": "L1", "id_r": "L2", "label": "match"}
    ]


def test_ids_are_read_as_id_text():
    table = pd.DataFrame({"id_l": [7.0, " L1 "], "id_r": [3, "L2"], "label": ["是", "否"]})
    assert read_decisions(table).to_dict("records") == [
        {"id_l": "3", "id_r": "7", "label": "match"},
        {"id_l": "L1", "id_r": "L2", "label": "non_match"},
    ]


def test_none_gives_an_empty_table_with_the_columns():
    empty = read_decisions(None)
    assert empty.empty and list(empty.columns) == ["id_l", "id_r", "label"]


def test_a_csv_with_a_bom_and_a_parquet_file_are_read(tmp_path):
    csv = tmp_path / "labels.csv"
    csv.write_bytes("id_l,id_r,label\r\nL2,L1,是\r\nL3,L4,否\r\n".encode("utf-8-sig"))
    parquet = tmp_path / "labels.parquet"
    _table(["yes", "no"], left=["L2", "L3"], right=["L1", "L4"]).to_parquet(parquet)
    expected = [
        {"id_l": "L1", "id_r": "L2", "label": "match"},
        {"id_l": "L3", "id_r": "L4", "label": "non_match"},
    ]
    assert read_decisions(csv).to_dict("records") == expected
    assert read_decisions(str(parquet)).to_dict("records") == expected


def test_a_file_that_is_not_a_table_is_refused(tmp_path):
    junk = tmp_path / "labels.parquet"
    junk.write_bytes(b"\x00\x01 not parquet")
    with pytest.raises(InputError, match=r"labels\.parquet"):
        read_decisions(junk)
    with pytest.raises(InputError, match=r"absent\.csv"):
        read_decisions(tmp_path / "absent.csv")


def test_something_else_than_a_table_or_path_is_refused():
    with pytest.raises(InputError, match="DataFrame"):
        read_decisions([("L1", "L2", "match")])  # type: ignore[arg-type]


def _pairs():
    return pd.DataFrame(
        {
            "id_l": ["L1", "L3"],
            "id_r": ["L2", "L4"],
            "match_weight": [5.0, -3.0],
            "match_probability": [0.97, 0.1],
            "found_by": ["phone", "email"],
            "rule": ["", ""],
        }
    )


IDS = ["L1", "L2", "L3", "L4", "L5"]


def test_a_scored_pair_is_overridden_whichever_way_it_is_written():
    pairs = _pairs()
    pairs.loc[1, ["id_l", "id_r"]] = ["L4", "L3"]  # scored as (L4, L3), decided as (L3, L4)
    decided = read_decisions(_table(["non_match", "match"], left=["L2", "L3"], right=["L1", "L4"]))
    out = apply_decisions(pairs, decided, IDS)
    assert len(out) == 2
    assert out["match_probability"].tolist() == [0.0, 1.0]
    assert out["match_weight"].tolist() == [-DECIDED_WEIGHT, DECIDED_WEIGHT]
    assert out["rule"].tolist() == ["never_link: decision", "must_link: decision"]
    assert out["found_by"].tolist() == ["phone", "email"]
    assert pairs["match_probability"].tolist() == [0.97, 0.1]  # the input is left as it was


def test_an_unscored_pair_is_added_found_by_decision():
    decided = read_decisions(_table(["match", "no"], left=["L5", "L1"], right=["L1", "L4"]))
    out = apply_decisions(_pairs(), decided, IDS)
    added = out.iloc[2:].to_dict("records")
    assert added == [
        {"id_l": "L1", "id_r": "L5", "match_weight": DECIDED_WEIGHT, "match_probability": 1.0,
         "found_by": "decision", "rule": "must_link: decision"},
        {"id_l": "L1", "id_r": "L4", "match_weight": -DECIDED_WEIGHT, "match_probability": 0.0,
         "found_by": "decision", "rule": "never_link: decision"},
    ]  # fmt: skip


def test_pairs_without_rule_or_found_by_columns_get_a_rule_only():
    pairs = _pairs().drop(columns=["found_by", "rule"])
    out = apply_decisions(pairs, read_decisions(_table(["match"], ["L2"], ["L5"])), IDS)
    assert "found_by" not in out.columns
    assert out["rule"].tolist() == ["", "", "must_link: decision"]


def test_no_decisions_leave_the_pairs_as_they_are():
    pairs = _pairs()
    assert apply_decisions(pairs, read_decisions(None), IDS) is pairs


def test_decisions_on_leads_not_in_the_data_are_left_out_with_a_count_only(caplog):
    secret = ["CUSTOMER-0001-ZHANG", "CUSTOMER-0002-WANG"]
    decided = read_decisions(
        _table(["match", "match", "non_match"], left=["L1", secret[0], "L3"],
               right=["L5", "L2", secret[1]])
    )  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="leadlink"):
        out = apply_decisions(_pairs(), decided, IDS)
    assert out[["id_l", "id_r"]].values.tolist()[-1] == ["L1", "L5"]
    assert len(out) == 3
    assert not out[["id_l", "id_r"]].isin(secret).any().any()
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1
    text = warned[0].getMessage()
    assert "2 decision" in text
    for lead in ["L1", "L2", "L3", "L5", *secret]:
        assert lead not in text
