"""Labelling: the Labeller's answers, going back, saving after each answer and resuming; the
spreadsheet round trip; measured precision and recall; labels that later runs honour."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from leadlink.errors import ConfigError, InputError
from leadlink.explore import (
    Labeller,
    borderline,
    label_pairs,
    labels_template,
    precision_recall,
    read_labels,
)


def test_answers_move_on_back_returns_and_a_new_answer_replaces_the_old(result):
    labeller = Labeller(result, n=5)
    first = labeller.current
    assert first["label"] == ""
    labeller.answer("match")
    labeller.answer("unsure")
    assert labeller.position == 2
    labeller.back()
    assert labeller.current["label"] == "unsure"
    labeller.answer("non_match")
    assert labeller.labels["label"].tolist() == ["match", "non_match"]
    assert labeller.labels[["id_l", "id_r"]].iloc[0].tolist() == [first["id_l"], first["id_r"]]


def test_the_labeller_ends_and_refuses_unknown_answers(result):
    labeller = Labeller(result, n=2)
    with pytest.raises(ConfigError, match="match, non_match, unsure"):
        labeller.answer("maybe")
    labeller.answer("match")
    labeller.answer("match")
    assert labeller.done and labeller.current is None
    with pytest.raises(InputError, match="all 2 pairs are labelled"):
        labeller.answer("match")


def test_every_answer_is_saved_and_a_new_labeller_resumes(result, tmp_path):
    path = tmp_path / "labels.csv"
    labeller = Labeller(result, n=4, path=path)
    labeller.answer("match")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    labeller.answer("unsure")
    saved = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert saved.equals(labeller.labels)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.csv"]  # no staging left

    resumed = Labeller(result, n=4, path=path)
    assert resumed.position == 2
    assert resumed.labels.equals(labeller.labels)
    assert read_labels(path)["label"].tolist() == ["match"]  # unsure is no decision


def test_the_labeller_takes_any_table_of_pairs(result):
    pairs = borderline(result, n=3)[["id_r", "id_l"]].rename(
        columns={"id_r": "id_l", "id_l": "id_r"}
    )  # the larger id first: kept as decisions are, smaller first
    labeller = Labeller(result, pairs)
    assert (labeller.pairs["id_l"] < labeller.pairs["id_r"]).all()
    with pytest.raises(InputError, match="id_l and id_r"):
        Labeller(result, pairs[["id_l"]])


def test_the_widget_records_button_clicks(result, tmp_path):
    pytest.importorskip("ipywidgets")
    labeller = label_pairs(result, borderline(result, n=3), path=tmp_path / "labels.csv")
    box = labeller.widget
    assert "application/vnd.jupyter.widget-view+json" in labeller._repr_mimebundle_()
    view = labeller._view
    assert "pair 1 of 3" in view.counter.value and "<table" in view.pair.value
    view.buttons["match"].click()
    view.back.click()
    view.buttons["non_match"].click()
    view.buttons["unsure"].click()
    view.buttons["match"].click()
    assert labeller.labels["label"].tolist() == ["non_match", "unsure", "match"]
    assert all(button.disabled for button in view.buttons.values())
    assert "All pairs are labelled" in view.pair.value and box is labeller.widget


def test_without_ipywidgets_the_buttons_say_how_to_install_them(result, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ConfigError, match=r"pip install 'leadlink\[explore\]'"):
        label_pairs(result)


def test_a_template_filled_in_a_spreadsheet_measures_the_result(result, truth, tmp_path):
    path = tmp_path / "to_label.csv"
    written = labels_template(result, path, n=30)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    sheet = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(sheet) == len(written) == 30 and (sheet["label"] == "").all()

    same = sheet["id_l"].map(truth).to_numpy() == sheet["id_r"].map(truth).to_numpy()
    sheet["label"] = ["是" if s else "否" for s in same]  # as an analyst would type
    sheet.loc[0, "label"] = ""  # left blank: not sure
    sheet.to_csv(path, index=False, encoding="utf-8-sig")
    labels = read_labels(path)
    assert len(labels) == 29

    measured = precision_recall(result, path)
    cluster_of = result.clusters.set_index(result.clusters.columns[0])["cluster_id"]
    together = labels["id_l"].map(cluster_of) == labels["id_r"].map(cluster_of)
    match = labels["label"] == "match"
    tp, fp, fn = (together & match).sum(), (together & ~match).sum(), (~together & match).sum()
    assert measured["labelled_pairs"] == 29
    assert measured["precision"] == pytest.approx(tp / (tp + fp))
    assert measured["recall"] == pytest.approx(tp / (tp + fn))
    assert precision_recall(result, labels) == measured


def test_labels_applied_to_the_result_are_honoured(result, truth):
    table = borderline(result, n=30)
    same = table["id_l"].map(truth).to_numpy() == table["id_r"].map(truth).to_numpy()
    labels = table[["id_l", "id_r"]].assign(label=["match" if s else "non_match" for s in same])
    relabelled = result.at_threshold(result.threshold, decisions=labels)
    measured = precision_recall(relabelled, labels)
    assert measured["precision"] == 1.0 and measured["recall"] == 1.0
    assert borderline(relabelled, n=30)[["id_l", "id_r"]].merge(labels).empty


def test_a_match_label_links_a_pair_the_model_scored_low(result):
    pair = result.pairs.loc[result.pairs["match_probability"] < 0.001].iloc[0]
    labels = pair[["id_l", "id_r"]].to_frame().T.assign(label="match")
    relabelled = result.at_threshold(result.threshold, decisions=labels)
    assert len(relabelled.pairs) == len(result.pairs)
    assert precision_recall(relabelled, labels)["recall"] == 1.0
