"""FeatureSpec: what each lead column is (number, flag, date, category), learnt once from
the training leads, and the same matrix from any later export."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from leadlink._i18n import set_language
from leadlink.identify._features import ColumnFeature, FeatureSpec, describe

NOW = pd.Timestamp("2025-06-30")
N = 400


def _leads(n: int = N, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    source = rng.choice(["Google", "Direct Traffic", "Olark Chat", "Reference"], n)
    rare = rng.random(n) < 0.04
    source = np.where(rare, [f"partner {i}" for i in range(n)], source)  # each once: "other"
    visits = rng.poisson(3, n).astype(float)
    visits[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "lead_id": [f"W{i}" for i in range(n)],
            "lead_source": source,
            "total_visits": visits,
            "amount": rng.choice(["1,200", " 3.5 ", "45", "2,000,000", None], n),
            "do_not_email": rng.choice(["Yes", "No", None], n, p=[0.1, 0.85, 0.05]),
            "是否同意": rng.choice(["是", "否"], n),
            "opted_in": rng.choice([True, False], n),
            "last_seen": rng.choice(["2025-06-20", "2025-05-31", "2024-06-30", None], n),
            "signed_up": pd.to_datetime(rng.choice(["2025-06-29", "2025-04-01"], n)),
            "remarks": [f"called on day {i}, will call back" for i in range(n)],
            "row_number": np.arange(n),
            "country": "China",
            "empty": [None] * n,
        }
    )


@pytest.fixture(scope="module")
def leads() -> pd.DataFrame:
    return _leads()


@pytest.fixture(scope="module")
def spec(leads) -> FeatureSpec:
    return FeatureSpec.learn(leads, [c for c in leads.columns if c != "lead_id"], NOW)


def _feature(spec: FeatureSpec, column: str) -> ColumnFeature:
    return next(c for c in spec.columns if c.column == column)


# ---------------------------------------------------------------------------- learning


def test_each_column_is_read_as_what_it_is(spec):
    assert {c.column: c.kind for c in spec.columns} == {
        "lead_source": "category",
        "total_visits": "number",
        "amount": "number",
        "do_not_email": "flag",
        "是否同意": "flag",
        "opted_in": "flag",
        "last_seen": "date",
        "signed_up": "date",
    }


def test_numbers_written_as_text_with_separators_are_numbers(spec, leads):
    amount = _feature(spec, "amount")
    x = FeatureSpec([amount]).encode(leads.head(40), NOW, for_trees=True)[:, 0]
    expected = {"1,200": 1200.0, " 3.5 ": 3.5, "45": 45.0, "2,000,000": 2e6}
    for value, got in zip(leads["amount"].head(40), x):
        if value is None:
            assert np.isnan(got)
        else:
            assert got == expected[value]
    assert set(amount.edges) <= {3.5, 45.0, 1200.0, 2e6}


def test_dates_are_ages_in_days_at_now(spec):
    frame = pd.DataFrame(
        {
            "last_seen": ["2025-06-20", "2024-06-30", None, "not a date"],
            "signed_up": pd.to_datetime(["2025-06-29", "2025-04-01", None, "2025-06-30"]),
        }
    )
    dates = FeatureSpec([_feature(spec, "last_seen"), _feature(spec, "signed_up")])
    x = dates.encode(frame, NOW, for_trees=True)
    np.testing.assert_array_equal(x[:2], [[10.0, 1.0], [365.0, 90.0]])
    assert np.isnan(x[2]).all() and np.isnan(x[3, 0]) and x[3, 1] == 0.0
    later = dates.encode(frame, NOW + pd.Timedelta(days=5), for_trees=True)
    np.testing.assert_array_equal(later[:2], x[:2] + 5.0)


def test_flags_read_yes_no_in_english_and_chinese(spec):
    frame = pd.DataFrame(
        {
            "do_not_email": ["Yes", "no", " YES ", None, "maybe"],
            "是否同意": ["是", "否", "否", None, "是"],
            "opted_in": [True, False, True, None, False],
        }
    )
    flags = FeatureSpec([_feature(spec, c) for c in ("do_not_email", "是否同意", "opted_in")])
    x = flags.encode(frame, NOW, for_trees=True)
    np.testing.assert_array_equal(x[:3], [[1, 1, 1], [0, 0, 0], [1, 0, 1]])
    assert np.isnan(x[3]).all()
    assert np.isnan(x[4, 0])  # a word that is neither yes nor no is not given


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "0"], "flag"),
        (["true", "false"], "flag"),
        (["y", "n"], "flag"),
        (["有", "无"], "flag"),
        ([1, 0], "flag"),
        (["12", "3.5", "1,200"], "number"),
        ([0.5, 1.5, 2.5], "number"),
        (["2025-01-01", "2025-02-03T10:00:00+08:00", "2024-12-31"], "date"),
        (["Google", "Bing", "Direct"], "category"),
        (["Yes", "No", "Maybe"], "category"),
    ],
)
def test_kind_of_a_small_column(values, kind):
    frame = pd.DataFrame({"x": (values * 40)[:120]})
    (feature,) = FeatureSpec.learn(frame, ["x"], NOW).columns
    assert feature.kind == kind


def test_rare_categories_are_grouped_as_other(spec, leads):
    source = _feature(spec, "lead_source")
    assert set(source.levels) == {"google", "direct traffic", "olark chat", "reference"}
    assert source.names(for_trees=True)[-1] == "lead_source=<other>"
    frame = pd.DataFrame({"lead_source": ["Google", "GOOGLE ", "partner 3", "Bing", None, ""]})
    x = FeatureSpec([source]).encode(frame, NOW, for_trees=True)
    levels = list(source.levels)
    google = levels.index("google")
    assert x[0, google] == 1 and x[1, google] == 1  # case and spaces do not matter
    assert x[2, -1] == 1 and x[3, -1] == 1  # a rare value and one never seen: other
    assert x[4].sum() == 0 and x[5].sum() == 0  # missing or blank: none of them
    assert np.all(x.sum(axis=1) <= 1)


def test_a_category_value_needs_ten_leads_to_be_its_own_feature():
    frame = pd.DataFrame({"city": ["北京"] * 100 + ["上海"] * 10 + ["广州"] * 9 + [None] * 5})
    (feature,) = FeatureSpec.learn(frame, ["city"], NOW).columns
    assert feature.levels == ("北京", "上海")


def test_identifiers_free_text_and_constants_are_left_out_with_reasons(spec):
    learnt = {c.column for c in spec.columns}
    assert {"remarks", "row_number", "country", "empty"}.isdisjoint(learnt)
    identifier = "a different value on almost every lead (an identifier or free text)"
    assert spec.left_out["remarks"][0] == identifier
    assert spec.left_out["row_number"][0] == identifier
    assert spec.left_out["country"] == ("one value only", "只有一种取值")
    assert spec.left_out["empty"][0] == "one value only"
    assert "标识" in spec.left_out["remarks"][1]


def test_the_lead_id_text_is_an_identifier():
    leads = _leads(200)
    spec = FeatureSpec.learn(leads, ["lead_id"], NOW)
    assert spec.columns == [] and "lead_id" in spec.left_out


def test_few_leads_with_distinct_values_are_still_a_category():
    """Under 50 leads, a different value on every lead is no proof of an identifier."""
    frame = pd.DataFrame({"plan": [f"plan {i}" for i in range(30)]})
    (feature,) = FeatureSpec.learn(frame, ["plan"], NOW).columns
    assert feature.kind == "category" and feature.levels == ()


def test_blank_text_counts_as_missing_when_learning():
    """One value besides blanks: whether it is filled is what the column says."""
    frame = pd.DataFrame({"x": ["a", " ", "", None] * 30, "y": ["a", " "] * 60 + [None] * 0})
    spec = FeatureSpec.learn(frame, ["x"], NOW)
    assert [(c.column, c.kind) for c in spec.columns] == [("x", "filled")]
    assert spec.encode(frame.head(4), NOW, for_trees=False)[:, 0].tolist() == [1, 0, 0, 0]
    constant = FeatureSpec.learn(pd.DataFrame({"x": ["a"] * 120}), ["x"], NOW)
    assert constant.left_out["x"][0] == "one value only"


# ---------------------------------------------------------------------------- encoding


@pytest.mark.parametrize("for_trees", [True, False])
def test_matrix_width_equals_the_names(spec, leads, for_trees):
    x = spec.encode(leads, NOW, for_trees=for_trees)
    names = spec.names(for_trees)
    assert x.shape == (len(leads), len(names))
    assert len(spec.groups(for_trees)) == len(names)
    assert len(set(names)) == len(names)
    for feature in spec.columns:
        assert feature.names(for_trees)[0].startswith(feature.column)


def test_trees_read_numbers_as_they_are_with_missing_values(spec, leads):
    x = spec.encode(leads, NOW, for_trees=True)
    column = spec.names(True).index("total_visits")
    np.testing.assert_array_equal(x[:, column], leads["total_visits"].to_numpy())


def test_logistic_bins_every_number_and_marks_not_given(spec, leads):
    visits = _feature(spec, "total_visits")
    block = FeatureSpec([visits]).encode(leads, NOW, for_trees=False)
    assert block.shape[1] == len(visits.edges) + 2
    assert np.all(block.sum(axis=1) == 1)  # exactly one bin per lead
    missing = leads["total_visits"].isna().to_numpy()
    assert np.all(block[missing, -1] == 1) and np.all(block[~missing, -1] == 0)
    edges = np.asarray(visits.edges)
    values = np.array([edges[0] - 1, edges[0], edges[-1] + 100])
    probe = FeatureSpec([visits]).encode(pd.DataFrame({"total_visits": values}), NOW, False)
    assert probe[0, 0] == 1  # below the first edge
    assert probe[1, 1] == 1  # on an edge: the bin above it
    assert probe[2, len(edges)] == 1  # above the last edge: the last bin


def test_logistic_flags_are_the_value_and_a_not_given_column(spec):
    flag = _feature(spec, "do_not_email")
    assert flag.names(for_trees=False) == ["do_not_email", "do_not_email=<not given>"]
    frame = pd.DataFrame({"do_not_email": ["Yes", "No", None]})
    x = FeatureSpec([flag]).encode(frame, NOW, for_trees=False)
    np.testing.assert_array_equal(x, [[1, 0], [0, 0], [0, 1]])


@pytest.mark.parametrize("for_trees", [True, False])
def test_a_frame_without_a_learnt_column_reads_it_as_not_given(spec, leads, for_trees):
    partial = leads[["lead_source", "do_not_email"]].head(20)
    assert spec.missing_columns(partial) == [
        c.column for c in spec.columns if c.column not in ("lead_source", "do_not_email")
    ]
    x = spec.encode(partial, NOW, for_trees=for_trees)
    assert x.shape == (20, len(spec.names(for_trees)))
    full = spec.encode(leads.head(20), NOW, for_trees=for_trees)
    groups = np.asarray(spec.groups(for_trees))
    kept = np.isin(groups, ["lead_source", "do_not_email"])
    np.testing.assert_array_equal(x[:, kept], full[:, kept])
    gone = x[:, ~kept]
    if for_trees:
        assert np.isnan(gone).all()
    else:
        names = np.asarray(spec.names(False))[~kept]
        assert np.all(gone[:, np.char.endswith(names.astype(str), "=<not given>")] == 1)
    words = spec.texts(partial, NOW)
    assert set(words["total_visits"]) == {"total_visits not given"}


def test_no_columns_give_an_empty_matrix(leads):
    assert FeatureSpec().encode(leads, NOW, for_trees=True).shape == (len(leads), 0)


def test_the_spec_survives_json(spec, leads):
    again = FeatureSpec.from_dict(json.loads(json.dumps(spec.to_dict(), ensure_ascii=False)))
    assert again == spec
    for for_trees in (True, False):
        np.testing.assert_array_equal(
            again.encode(leads, NOW, for_trees), spec.encode(leads, NOW, for_trees)
        )


# ---------------------------------------------------------------------------- words


def test_values_in_words(spec):
    frame = pd.DataFrame(
        {
            "amount": ["1,200", " 3.5 ", None, 3.25],
            "total_visits": [5.0, np.nan, 1200.0, 0.0],
            "lead_source": ["Google", "partner 7", None, "  "],
            "do_not_email": ["Yes", "No", None, "yes"],
            "last_seen": ["2025-06-20", None, "2024-06-30", "garbled"],
        }
    )
    words = FeatureSpec([_feature(spec, c) for c in frame.columns]).texts(frame, NOW)
    assert list(words["amount"]) == [
        "amount is 1,200",
        "amount is 3.5",
        "amount not given",
        "amount is 3.25",
    ]
    assert list(words["total_visits"]) == [
        "total_visits is 5",
        "total_visits not given",
        "total_visits is 1,200",
        "total_visits is 0",
    ]
    assert list(words["lead_source"]) == [
        "lead_source: Google",
        "lead_source: partner 7",
        "lead_source not given",
        "lead_source not given",
    ]
    assert list(words["do_not_email"]) == [
        "do_not_email: Yes",
        "do_not_email: No",
        "do_not_email not given",
        "do_not_email: yes",
    ]
    assert list(words["last_seen"]) == [
        "last_seen 10 days ago",
        "last_seen not given",
        "last_seen 365 days ago",
        "last_seen not given",
    ]


def test_values_in_chinese_words(spec):
    frame = pd.DataFrame({"amount": ["1,200", None], "last_seen": ["2025-06-20", None]})
    set_language("zh")
    try:
        words = FeatureSpec([_feature(spec, "amount"), _feature(spec, "last_seen")]).texts(
            frame, NOW
        )
    finally:
        set_language("en")
    assert list(words["amount"]) == ["amount为 1,200", "amount未填写"]
    assert list(words["last_seen"]) == ["last_seen在 10 天前", "last_seen未填写"]


def test_a_long_value_is_cut_in_its_words():
    feature = ColumnFeature("note", "category", levels=("a",))
    (text,) = describe(feature, pd.Series(["x" * 60]), NOW)
    assert text.startswith("note: xxx") and text.endswith("…") and len(text) == len("note: ") + 24
