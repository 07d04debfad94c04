"""explain_pair: the prior and the field weights add up to the match weight, values as
entered and normalised, clear refusals; borderline: nearest the threshold first, paged,
decided pairs left out."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from leadlink.clean import OutputMasking
from leadlink.errors import ConfigError, InputError
from leadlink.explore import PairExplanation, borderline, explain_pair


def _lead(result, lead_id):
    ids = result.clusters[result.clusters.columns[0]]
    return result.leads.loc[(ids == lead_id).to_numpy()].iloc[0]


def test_the_prior_and_the_field_weights_add_up_to_the_match_weight(result):
    sample = result.pairs.sample(25, random_state=0)
    for _, pair in sample.iterrows():
        explained = explain_pair(result, pair["id_l"], pair["id_r"])
        assert isinstance(explained, PairExplanation)
        assert explained.table["field"].iloc[0] == "prior"
        assert explained.table["weight"].sum() == pytest.approx(pair["match_weight"], abs=1e-6)
        assert explained.match_weight == pytest.approx(pair["match_weight"])
        assert explained.match_probability == pytest.approx(pair["match_probability"])


def test_each_compared_field_shows_values_level_and_weight(result):
    pair = result.pairs.loc[result.pairs["match_probability"] > 0.9].iloc[0]
    explained = explain_pair(result, pair["id_l"], pair["id_r"])
    fields = explained.table.iloc[1:].set_index("field")
    compared = [c[: -len("_level")] for c in result.pairs.columns if c.endswith("_level")]
    assert list(fields.index) == compared
    lead_a, lead_b = _lead(result, pair["id_l"]), _lead(result, pair["id_r"])
    for role in compared:
        assert fields.loc[role, "level"] == str(pair[f"{role}_level"])
        assert fields.loc[role, "weight"] == pytest.approx(pair[f"{role}_weight"])
        column = result.roles[role]
        for lead, side in ((lead_a, "a"), (lead_b, "b")):
            raw = lead[column]
            if raw is None or (isinstance(raw, float) and np.isnan(raw)):
                assert fields.loc[role, f"value_{side}"] is None
            else:
                assert fields.loc[role, f"value_{side}"] == raw
                assert fields.loc[role, f"normalised_{side}"] is not None


def test_a_phone_is_normalised_to_e164_and_a_name_shows_its_key(result):
    pairs = result.pairs
    pair = pairs.loc[(pairs["phone_level"] == "same_personal") & (pairs["name_level"] == "exact")]
    explained = explain_pair(result, pair["id_l"].iloc[0], pair["id_r"].iloc[0])
    fields = explained.table.set_index("field")
    assert fields.loc["phone", "normalised_a"].startswith("+")
    assert fields.loc["phone", "normalised_a"] == fields.loc["phone", "normalised_b"]
    assert fields.loc["name", "normalised_a"] == fields.loc["name", "normalised_b"]


def test_asking_in_the_other_order_swaps_the_sides_only(result):
    pair = result.pairs.iloc[3]
    forward = explain_pair(result, pair["id_l"], pair["id_r"])
    backward = explain_pair(result, pair["id_r"], pair["id_l"])
    assert backward.id_a == pair["id_r"]
    assert backward.table["value_a"].tolist() == forward.table["value_b"].tolist()
    assert backward.table["weight"].tolist() == forward.table["weight"].tolist()


def test_the_explanation_shows_a_waterfall_and_its_table(result):
    pair = result.pairs.iloc[0]
    explained = explain_pair(result, pair["id_l"], pair["id_r"])
    chart = explained.chart()
    assert chart.data["field"].iloc[0] == "prior"
    assert chart.data["end"].iloc[-1] == pytest.approx(pair["match_weight"], abs=1e-6)
    page = explained._repr_html_()
    assert "data:image/png;base64," in page and "<table" in page
    assert str(pair["id_l"]) in str(explained)


def test_an_unknown_id_is_refused_by_name(result):
    known = result.pairs["id_l"].iloc[0]
    with pytest.raises(InputError, match="'NOPE' is not in this result"):
        explain_pair(result, known, "NOPE")
    with pytest.raises(InputError, match="two different leads"):
        explain_pair(result, known, known)


def test_a_pair_never_compared_says_no_blocking_rule_put_them_together(result):
    scored = set(zip(result.pairs["id_l"], result.pairs["id_r"]))
    cluster_of = result.clusters.set_index(result.clusters.columns[0])["cluster_id"]
    ids = sorted(cluster_of.index)
    apart = next(
        (a, b)
        for a, b in itertools.combinations(ids[:40], 2)
        if (a, b) not in scored and cluster_of[a] != cluster_of[b]
    )
    with pytest.raises(InputError, match="not compared: no blocking rule put them together"):
        explain_pair(result, *apart)


def test_an_unscored_pair_in_one_cluster_names_the_leads_between_them(result):
    scored = set(zip(result.pairs["id_l"], result.pairs["id_r"]))
    clusters = result.clusters.groupby("cluster_id")[result.clusters.columns[0]].apply(sorted)
    together = next(
        (a, b)
        for members in clusters[clusters.map(len) > 2]
        for a, b in itertools.combinations(members, 2)
        if (a, b) not in scored
    )
    with pytest.raises(InputError, match="in one cluster, linked through other leads") as error:
        explain_pair(result, *together)
    assert f"{together[0]} → " in str(error.value) and str(error.value).endswith(together[1])


def test_a_decided_pair_shows_the_decision_and_the_model_beside_it(result):
    pair = result.pairs.loc[result.pairs["match_probability"] < 0.01].iloc[0]
    decisions = pair[["id_l", "id_r"]].to_frame().T.assign(label="match")
    decided = result.at_threshold(result.threshold, decisions=decisions)
    explained = explain_pair(decided, pair["id_l"], pair["id_r"])
    assert explained.rule == "must_link: decision"
    assert explained.match_probability == 1.0 and explained.match_weight == 60.0
    assert explained.model_weight == pytest.approx(pair["match_weight"], abs=1e-3)


def test_borderline_is_nearest_the_threshold_first_and_paged(result):
    first = borderline(result, n=10)
    second = borderline(result, n=10, page=1)
    assert len(first) == len(second) == 10
    distance = np.abs(first["match_probability"] - result.threshold)
    assert np.allclose(first["distance"], distance)
    assert first["distance"].is_monotonic_increasing
    assert second["distance"].min() >= first["distance"].max()
    both = borderline(result, n=20)
    assert both[["id_l", "id_r"]].equals(
        first[["id_l", "id_r"]]._append(second[["id_l", "id_r"]], ignore_index=True)
    )
    assert borderline(result, n=10, page=10_000).empty


def test_borderline_shows_both_leads_side_by_side_with_an_empty_label(result):
    table = borderline(result, n=5, around=0.9)
    assert table["distance"].tolist() == pytest.approx(
        (table["match_probability"] - 0.9).abs().tolist()
    )
    for role in ("name", "phone", "email", "company", "city", "source"):
        assert {f"{role}_l", f"{role}_r"} <= set(table.columns)
    assert table.columns[-1] == "label" and (table["label"] == "").all()
    row = table.iloc[0]
    assert row["name_l"] == _lead(result, row["id_l"])[result.roles["name"]]
    assert row["name_r"] == _lead(result, row["id_r"])[result.roles["name"]]


def test_borderline_leaves_decided_pairs_out(result):
    top = borderline(result, n=4)
    decisions = top[["id_l", "id_r"]].iloc[:2].assign(label=["match", "non_match"])
    decided = result.at_threshold(result.threshold, decisions=decisions)
    again = borderline(decided, n=2)
    assert again[["id_l", "id_r"]].values.tolist() == top[["id_l", "id_r"]].iloc[2:].values.tolist()


def test_borderline_shows_values_the_way_the_result_masks_them(result):
    masked = replace(result, masking=OutputMasking(mode="masked"))
    table = borderline(masked, n=20)
    phones = table["phone_l"].dropna()
    assert len(phones) and phones.str.contains(r"\*\*\*").all()


@pytest.mark.parametrize(
    ("options", "message"),
    [({"n": 0}, "n must be"), ({"page": -1}, "page must be"), ({"around": 2}, "around")],
)
def test_borderline_refuses_bad_options(result, options, message):
    with pytest.raises(ConfigError, match=message):
        borderline(result, **options)
