"""The outcome model: weights learnt from conversions, its AUC against the rules', saving."""

from __future__ import annotations

import copy
import json
import math
import re
import sys

import numpy as np
import pandas as pd
import pytest

from leadlink._i18n import set_language
from leadlink.errors import InputError, ModelError
from leadlink.identify import OutcomeModel, fit_outcome_model, load_rules, score, score_golden
from leadlink.identify._measures import auc
from tests.identify._outcome_leads import b2b_leads, one_thread, web_leads

NOW = "2025-06-30"


def _synthetic(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    titles = rng.choice(["总监", "经理", "工程师", "CEO", None], size=n)
    budget = rng.choice(["50万", None], size=n, p=[0.3, 0.7])
    leads = pd.DataFrame({"lead_id": [f"L{i}" for i in range(n)], "title": titles})
    leads["budget"] = budget
    demos = rng.poisson(0.6, size=n)
    events = pd.DataFrame(
        {
            "lead_id": np.repeat(leads["lead_id"].to_numpy(), demos),
            "event": "demo_request",
            "timestamp": pd.Timestamp(NOW) - pd.to_timedelta(rng.integers(0, 60, demos.sum()), "D"),
        }
    )
    log_odds = (
        -2.0
        + 1.5 * np.isin(titles, ["总监", "CEO"])
        + 1.2 * (budget != None)  # noqa: E711
        + 1.0 * np.minimum(demos, 3)
    )
    converted = pd.Series(rng.random(n) < 1 / (1 + np.exp(-log_odds)), index=leads.index)
    return leads, events, converted


def test_outcome_model_beats_chance_and_scores(tmp_path):
    leads, events, converted = _synthetic(1200, seed=3)
    model = fit_outcome_model(leads, converted, events=events, now=NOW, seed=1)
    assert model.auc_holdout > 0.7
    assert model.auc_rules_holdout > 0.6
    assert model.n_holdout == pytest.approx(300, abs=2)
    logistic = fit_outcome_model(leads, converted, events=events, now=NOW, method="logistic")
    assert logistic.coefficients["budget stated"] > 0.5
    assert logistic.coefficients["events: demo_request"] > 0.5
    assert logistic.coefficients["title: is a decision-maker"] > 0.5

    result = score(leads, events=events, rules=model, now=NOW)
    assert result.index.equals(leads.index)
    assert result["score"].between(0, 100).all()
    assert auc(converted, result["score"]) > 0.7
    assert any("log-odds" in r for r in result.loc[0, "reasons"]) or not result.loc[0, "reasons"]
    assert all(r.startswith("[rule] ") for rs in result["reasons"] for r in rs)

    path = tmp_path / "outcome.json"
    model.save(path)
    again = OutcomeModel.load(path)
    assert again.to_dict() == model.to_dict()
    assert score(leads, events=events, rules=again, now=NOW).equals(result)


def test_outcome_model_refuses_one_sided_outcomes():
    leads, events, _ = _synthetic(50, seed=0)
    with pytest.raises(ModelError, match="at least 20 of each"):
        fit_outcome_model(leads, pd.Series(False, index=leads.index), events=events, now=NOW)
    with pytest.raises(InputError, match="0/1"):
        fit_outcome_model(leads, pd.Series("yes", index=leads.index))


def test_auc_matches_pair_counting():
    rng = np.random.default_rng(0)
    labels = rng.random(200) < 0.3
    scores = rng.integers(0, 10, 200).astype(float)  # many ties
    pos, neg = scores[labels], scores[~labels]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert auc(labels, scores) == pytest.approx(pairs)
    assert np.isnan(auc([1, 1], [0.2, 0.3]))


def test_old_events_give_bounded_coefficients_and_a_warning(caplog):
    """Issue 20: with events two years before ``now`` every decayed count is ~1e-7 and the
    weight of a demo request came out at 2.9e7, so any fresh demo request of a scored lead
    made its score 100."""
    leads, events, converted = _synthetic(1200, seed=3)
    with caplog.at_level("WARNING", logger="leadlink"):
        model = fit_outcome_model(leads, converted, events=events, now="2027-06-30", seed=1)
    logistic = fit_outcome_model(
        leads, converted, events=events, now="2027-06-30", seed=1, method="logistic"
    )
    assert max(abs(c) for c in logistic.coefficients.values()) < 100
    assert abs(logistic.intercept) < 100
    assert model.auc_holdout > 0.65  # title and budget still carry it
    assert "1 event type(s) have events only long before now" in caplog.text
    fresh = pd.DataFrame({"lead_id": ["new"], "title": ["工程师"]})
    demo = pd.DataFrame({"lead_id": ["new"], "event": ["demo_request"], "timestamp": [NOW]})
    assert score(fresh, events=demo, rules=model, now=NOW).loc[0, "score"] < 90


# ---------------------------------------------------------------------------- the model file
# Models on any columns (web leads: source, visits, activity ...) and on the rules' evidence
# (b2b leads with events): saving and loading them, and the score frame they give.


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """scikit-learn on one thread for every test here (five times faster on two cores)."""
    with one_thread():
        yield


@pytest.fixture(scope="module")
def web() -> pd.DataFrame:
    return web_leads(2000, seed=0)


@pytest.fixture(scope="module")
def web_model(web) -> OutcomeModel:
    return fit_outcome_model(web, "converted", now=NOW, method="boosting")


@pytest.fixture(scope="module")
def b2b() -> tuple[pd.DataFrame, pd.DataFrame]:
    return b2b_leads(1500, seed=1)


@pytest.fixture(scope="module")
def b2b_model(b2b) -> OutcomeModel:
    leads, events = b2b
    return fit_outcome_model(leads, "converted", events=events, now=NOW, method="logistic")


def _some_b2b(b2b, n: int = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    leads, events = b2b
    some = leads.head(n)
    return some, events[events["lead_id"].isin(some["lead_id"])]


@pytest.mark.parametrize("name", ["web_model", "b2b_model"])
def test_save_and_load_give_the_same_scores(request, tmp_path, web, b2b, name):
    model = request.getfixturevalue(name)
    if name == "web_model":
        leads, events = web.head(400), None
    else:
        leads, events = _some_b2b(b2b)
    path = tmp_path / "model.json"
    model.save(path)
    again = OutcomeModel.load(path)
    assert again.to_dict() == model.to_dict()
    assert (again.method, again.columns, again.cutoffs) == (
        model.method, model.columns, model.cutoffs
    )  # fmt: skip
    before = score(leads, events=events, rules=model, now=NOW)
    after = score(leads, events=events, rules=again, now=NOW)
    pd.testing.assert_frame_equal(after, before)


def _strings(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def test_the_file_is_plain_json_without_code(tmp_path, web_model):
    path = tmp_path / "model.json"
    web_model.save(path)
    text = path.read_text("utf-8")

    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    data = json.loads(text, parse_constant=refuse)  # no NaN or Infinity either
    assert data["kind"] == "leadlink.OutcomeModel" and data["version"] == 2
    assert "pickle" not in text.lower() and "__reduce__" not in text
    blob = re.compile(r"^[A-Za-z0-9+/=]{64,}$")
    assert not any(blob.match(s) for s in _strings(data))
    assert max(len(s) for s in _strings(data)) < 300
    assert isinstance(data["trees"]["feature"], list)


def test_a_loaded_model_needs_no_scikit_learn(tmp_path, web, web_model, monkeypatch):
    path = tmp_path / "model.json"
    web_model.save(path)
    expected = web_model.predict(web.head(50), now=NOW)
    for module in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "sklearn", None)  # importing it now fails
    again = OutcomeModel.load(path)
    pd.testing.assert_series_equal(again.predict(web.head(50), now=NOW), expected)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"hello": "world"}', "not a leadlink OutcomeModel"),
        ("[1, 2, 3]", "not a leadlink OutcomeModel"),
        ('"leadlink.OutcomeModel"', "not a leadlink OutcomeModel"),
        ('{"kind": "leadlink.LeadModel", "version": 2}', "not a leadlink OutcomeModel"),
        ("this is not json", "cannot read an OutcomeModel"),
        ('{"kind": "leadlink.OutcomeModel", "version": 2', "cannot read an OutcomeModel"),
    ],
)
def test_load_refuses_what_is_not_a_model(tmp_path, content, message):
    path = tmp_path / "model.json"
    path.write_text(content, "utf-8")
    with pytest.raises(ModelError, match=message):
        OutcomeModel.load(path)


def test_load_refuses_a_missing_or_binary_file(tmp_path):
    with pytest.raises(ModelError, match="cannot read an OutcomeModel"):
        OutcomeModel.load(tmp_path / "nowhere.json")
    binary = tmp_path / "model.bin"
    binary.write_bytes(b"\x80\x04\x95 pickle \xff\xfe")
    with pytest.raises(ModelError, match="cannot read an OutcomeModel"):
        OutcomeModel.load(binary)


def test_load_refuses_a_newer_version(tmp_path, web_model):
    data = web_model.to_dict()
    data["version"] = 3
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ModelError, match="version 3 is newer than this leadlink reads"):
        OutcomeModel.load(path)


def _change(key, value):
    def change(data):
        data[key] = value

    return change


def _change_in(outer, key, value):
    def change(data):
        data[outer][key] = value

    return change


DAMAGE = {
    "no method": lambda d: d.pop("method"),
    "an unknown method": _change("method", "forest"),
    "no rules": lambda d: d.pop("rules"),
    "rules that are not a mapping": _change("rules", "bant"),
    "no trees key": lambda d: d.pop("trees"),
    "trees that are text": _change("trees", "trees"),
    "trees that lost a node": lambda d: d["trees"]["value"].pop(),
    "trees with a child out of range": lambda d: d["trees"]["left"].__setitem__(
        d["trees"]["feature"].index(max(d["trees"]["feature"])), 10**6
    ),
    "trees for more features": _change_in("trees", "n_features", 99),
    "no trees for a boosting model": _change("trees", None),
    "a column feature lost": lambda d: d["features"]["columns"].pop(0),
    "a column feature of text": lambda d: d["features"]["columns"].__setitem__(0, "x"),
    "levels that are a number": lambda d: d["features"]["columns"][0].__setitem__("levels", 5),
    "edges that are words": lambda d: d["features"]["columns"][1].__setitem__("edges", ["a"]),
    "rule features that are a number": _change("rule_features", 7),
    "rule features for other weights": _change("rule_features", ["budget stated"]),
    "calibration of text": _change("calibration", "platt"),
    "calibration of one number": _change("calibration", [1.0]),
    "no cutoffs": lambda d: d.pop("cutoffs"),
    "a cutoff missing": _change("cutoffs", {"high": 0.5}),
    "cutoffs the wrong way round": _change("cutoffs", {"high": 0.2, "medium": 0.5}),
    "a cutoff above 1": _change("cutoffs", {"high": 1.5, "medium": 0.5}),
    "a cutoff of text": _change("cutoffs", {"high": "top", "medium": 0.5}),
    "coefficients of text": _change("coefficients", "weights"),
    "leaky reasons that are text": _change("leaky", {"tags": "x"}),
    "left_out reasons that are text": _change_in("features", "left_out", {"x": "y"}),
}


@pytest.mark.parametrize("change", DAMAGE.values(), ids=list(DAMAGE))
def test_load_refuses_a_damaged_file_with_a_model_error(tmp_path, web_model, change):
    data = copy.deepcopy(web_model.to_dict())
    change(data)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    with pytest.raises(ModelError, match="fit and save"):
        OutcomeModel.load(path)


WRONG_CONTAINERS = {
    "features that are a list": _change("features", []),
    "features that are null": _change("features", None),
    "leaky that is a list": _change("leaky", []),
    "left_out that is a list": _change_in("features", "left_out", []),
}


@pytest.mark.parametrize("change", WRONG_CONTAINERS.values(), ids=list(WRONG_CONTAINERS))
def test_load_refuses_a_list_where_a_mapping_belongs(tmp_path, web_model, change):
    data = copy.deepcopy(web_model.to_dict())
    change(data)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ModelError):
        OutcomeModel.load(path)


NON_FINITE = {
    "a NaN calibration slope": ("web", lambda d: d["calibration"].__setitem__(0, math.nan)),
    "an infinite calibration shift": ("web", lambda d: d["calibration"].__setitem__(1, math.inf)),
    "a NaN tree baseline": ("web", _change_in("trees", "baseline", math.nan)),
    "a NaN intercept": ("b2b", _change("intercept", math.nan)),
    "a NaN coefficient": ("b2b", lambda d: d["coefficients"].__setitem__(0, math.nan)),
    "an infinite mean": ("b2b", lambda d: d["means"].__setitem__(0, math.inf)),
}


@pytest.mark.parametrize("case", NON_FINITE.values(), ids=list(NON_FINITE))
def test_load_refuses_non_finite_numbers(request, tmp_path, case):
    which, change = case
    model = request.getfixturevalue(f"{which}_model")
    data = copy.deepcopy(model.to_dict())
    change(data)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), "utf-8")  # writes NaN / Infinity, as json.dumps does
    with pytest.raises(ModelError):
        OutcomeModel.load(path)


def test_load_refuses_an_unknown_column_kind(tmp_path, web_model):
    data = copy.deepcopy(web_model.to_dict())
    number = next(c for c in data["features"]["columns"] if c["kind"] == "number")
    number["kind"] = "currency"
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ModelError):
        OutcomeModel.load(path)


def _version_1() -> dict:
    return {
        "kind": "leadlink.OutcomeModel",
        "version": 1,
        "rules": load_rules(None),
        "coefficients": {
            "budget stated": 1.2,
            "title: is a decision-maker": 1.5,
            "events: demo_request": 0.8,
        },
        "intercept": -2.0,
        "auc_holdout": 0.81,
        "auc_rules_holdout": 0.74,
        "n_train": 900,
        "n_holdout": 300,
    }


def test_a_version_1_file_loads_and_scores(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps(_version_1(), ensure_ascii=False), "utf-8")
    model = OutcomeModel.load(path)
    assert model.method == "logistic" and model.columns == {}
    assert model.rule_features == ["budget stated", "title: is a decision-maker",
                                   "events: demo_request"]  # fmt: skip
    assert (model.auc_holdout, model.auc_rules_holdout) == (0.81, 0.74)
    assert (model.n_train, model.n_holdout) == (900, 300)
    leads = pd.DataFrame(
        {"lead_id": ["a", "b"], "title": ["采购总监", "工程师"], "budget": ["50万", None]},
        index=[7, 3],
    )
    result = score(leads, rules=model, now=NOW)
    assert result.loc[7, "probability"] == pytest.approx(1 / (1 + math.exp(-(-2.0 + 1.2 + 1.5))))
    assert result.loc[3, "probability"] == pytest.approx(1 / (1 + math.exp(2.0)))
    assert result.loc[7, "reasons"] == [
        "[rule] title 采购总监 is a decision-maker (+1.50 log-odds)",
        "[rule] budget 50万 is stated (+1.20 log-odds)",
    ]
    assert result.loc[7, "tier"] == "high" and result.loc[3, "tier"] == "low"
    # saved again, it is a version 2 file of plain JSON
    model.save(path)
    assert json.loads(path.read_text("utf-8"), parse_constant=float)["version"] == 2
    assert OutcomeModel.load(path).to_dict() == model.to_dict()


def test_a_file_without_a_version_is_read_as_version_1():
    data = _version_1()
    del data["version"]
    assert OutcomeModel.from_dict(data).rule_features[0] == "budget stated"


def test_a_damaged_version_1_file_is_refused():
    data = _version_1()
    data["coefficients"] = {"budget stated": "much"}
    with pytest.raises(ModelError, match="damaged"):
        OutcomeModel.from_dict(data)
    data = _version_1()
    del data["intercept"]
    with pytest.raises(ModelError, match="damaged"):
        OutcomeModel.from_dict(data)


# ---------------------------------------------------------------------------- scoring with it

_REASON = re.compile(r"^\[(data|rule)\] (.+) \(([+-]\d+\.\d\d) log-odds\)$")


def _crafted() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": ["hot", "cold", "unknown"],
            "lead_source": ["Reference", "Google", "Bing"],
            "total_visits": [12.0, 0.0, np.nan],
            "time_on_site": [4000.0, 20.0, 1500.0],
            "last_activity": ["SMS Sent", "Email Opened", None],
            "do_not_email": ["No", "Yes", "No"],
        },
        index=[30, 20, 10],
    )


@pytest.fixture(scope="module")
def crafted_scores(web_model) -> pd.DataFrame:
    return score(_crafted(), rules=web_model, now=NOW)


def test_the_score_frame_with_a_model(crafted_scores, web_model):
    result = crafted_scores
    assert list(result.columns) == ["score", "probability", "tier", "stage", "reasons"]
    assert list(result.index) == [30, 20, 10]
    assert result.loc[30, "score"] > result.loc[20, "score"]
    assert result.loc[30, "tier"] == "high" and result.loc[20, "tier"] == "low"
    assert result.loc[30, "stage"] == "intent" and result.loc[20, "stage"] == "new"
    expected = web_model.predict(_crafted(), now=NOW)
    np.testing.assert_allclose(result["probability"], expected, rtol=0, atol=1e-12)


def test_scores_are_percentages_of_the_probability(web, web_model):
    result = score(web.head(500), rules=web_model, now=NOW)
    assert result["score"].between(0, 100).all()
    assert result["probability"].between(0, 1).all()
    np.testing.assert_array_equal(result["score"], (100 * result["probability"]).round(1))
    assert list(result["tier"]) == list(web_model.tier(result["probability"].to_numpy()))


def test_reasons_quote_the_values_with_their_effect(crafted_scores):
    hot = crafted_scores.loc[30, "reasons"]
    assert "[data] total_visits is 12" in [r.split(" (")[0] for r in hot]
    assert any(r.startswith("[data] lead_source: Reference (+") for r in hot)
    cold = crafted_scores.loc[20, "reasons"]
    assert any(r.startswith("[data] time_on_site is 20 (-") for r in cold)
    unknown = crafted_scores.loc[10, "reasons"]
    assert any(r.startswith("[data] total_visits not given (") for r in unknown)
    assert any(r.startswith("[data] time_on_site is 1,500 (") for r in unknown)
    for reasons in crafted_scores["reasons"]:
        assert 0 < len(reasons) <= 6
        effects = []
        for reason in reasons:
            match = _REASON.match(reason)
            assert match, reason
            effects.append(abs(float(match.group(3))))
        assert effects == sorted(effects, reverse=True)
        assert min(effects) >= 0.05


def test_contributions_add_up_to_the_log_odds(web, web_model, b2b, b2b_model):
    from leadlink.identify._evidence import lead_keys, resolve_roles

    for model, leads, events in (
        (web_model, web.head(300), None),
        (b2b_model, *_some_b2b(b2b)),
    ):
        roles = resolve_roles(leads, None, "lead_id")
        keys = lead_keys(leads, "lead_id", required=events is not None)
        evidence = model._compiled().evidence(leads, roles, events, keys, "lead_id",
                                              pd.Timestamp(NOW))  # fmt: skip
        log_odds, parts, groups = model.explain(leads, evidence, pd.Timestamp(NOW))
        assert parts.shape == (len(leads), len(groups)) and len(set(groups)) == len(groups)
        bias = log_odds - parts.sum(axis=1)
        np.testing.assert_allclose(bias, bias[0], rtol=0, atol=1e-9)
        expected = model.predict(leads, events=events, now=NOW).to_numpy()
        np.testing.assert_allclose(1 / (1 + np.exp(-log_odds)), expected, atol=1e-12)


def test_rule_reasons_are_tagged(b2b, b2b_model):
    leads, events = _some_b2b(b2b)
    result = score(leads, events=events, rules=b2b_model, now=NOW)
    tagged = [r for rs in result["reasons"] for r in rs]
    assert all(_REASON.match(r) for r in tagged)
    assert any(r.startswith("[rule] budget 50万 is stated (+") for r in tagged)
    assert any(r.startswith("[data] industry: ") for r in tagged)
    assert any(re.match(r"\[rule\] \d demo requests? ", r) for r in tagged)


def test_an_unseen_value_is_other_and_a_missing_column_is_not_given(web_model):
    leads = _crafted()
    rare = leads.assign(lead_source="partner 7")  # once in the training leads: other
    unseen = leads.assign(lead_source="Bing")  # never seen
    np.testing.assert_array_equal(
        web_model.predict(unseen, now=NOW), web_model.predict(rare, now=NOW)
    )
    words = web_model.spec.texts(unseen, pd.Timestamp(NOW))["lead_source"]
    assert set(words) == {"lead_source: Bing"}  # the reason quotes the value as it is
    without = score(leads.drop(columns=["time_on_site"]), rules=web_model, now=NOW)
    blank = score(leads.assign(time_on_site=np.nan), rules=web_model, now=NOW)
    pd.testing.assert_frame_equal(without, blank)
    assert without["score"].between(0, 100).all()


def test_reasons_in_chinese(web_model):
    set_language("zh")
    try:
        result = score(_crafted(), rules=web_model, now=NOW)
    finally:
        set_language("en")
    hot = result.loc[30, "reasons"]
    assert any(re.match(r"^\[数据\] total_visits为 12（\+\d\.\d\d 对数几率）$", r) for r in hot)
    assert any(r.startswith("[数据] lead_source: Reference（+") for r in hot)
    unknown = result.loc[10, "reasons"]
    assert any(r.startswith("[数据] total_visits未填写（") for r in unknown)
    assert not any("log-odds" in r or "[data]" in r for rs in result["reasons"] for r in rs)


def test_absent_rule_evidence_in_chinese(b2b, b2b_model):
    leads, events = _some_b2b(b2b, 50)
    set_language("zh")
    try:
        result = score(leads, events=events, rules=b2b_model, now=NOW)
    finally:
        set_language("en")
    tagged = [r for rs in result["reasons"] for r in rs if r.startswith("[规则]")]
    assert tagged
    assert not any(re.search(r"budget stated|events: |title: is", r) for r in tagged)


def test_a_ghost_is_low_whatever_the_model_says(web_model):
    leads = pd.concat([_crafted().head(1)] * 2, ignore_index=True)
    leads["lead_id"] = ["ghost", "real"]
    leads["name"] = ["测试", "张伟"]
    leads["phone"] = ["13800000000", "13912345670"]
    result = score(leads, rules=web_model, now=NOW)
    ghost, real = result.loc[0], result.loc[1]
    assert real["tier"] == "high"
    assert ghost["tier"] == "low" and ghost["stage"] == "new"
    assert ghost["score"] == real["score"]  # the model's probability, kept for reference
    assert ghost["reasons"][0].startswith("[rule] ghost lead (placeholder phone number")
    assert ghost["reasons"][0].endswith(": low tier by the rules")
    assert ghost["reasons"][1:] == real["reasons"]
    set_language("zh")
    try:
        chinese = score(leads, rules=web_model, now=NOW).loc[0, "reasons"][0]
    finally:
        set_language("en")
    assert chinese.startswith("[规则] 幽灵线索（") and chinese.endswith("：按规则列为低意向")


def _members() -> tuple[pd.DataFrame, pd.DataFrame]:
    leads = pd.DataFrame(
        {
            "lead_id": ["a1", "a2", "b1", "c1"],
            "lead_source": [None, "Reference", "Google", "Direct Traffic"],
            "total_visits": [np.nan, 9.0, 2.0, 1.0],
            "time_on_site": [100.0, 3000.0, 50.0, 10.0],
            "last_activity": ["SMS Sent", "Email Opened", None, "Page Visited"],
            "do_not_email": ["No", "Yes", "No", "No"],
        },
        index=[13, 12, 11, 10],
    )
    golden = pd.DataFrame(
        {
            "cluster_id": ["A", "B"],
            "lead_ids": [["a1", "a2"], ["b1"]],
            "n_leads": [2, 1],
            "name": ["张伟", "李娜"],
            "phone": ["+8613912345670", None],
        },
        index=[5, 6],
    )
    return leads, golden


def test_score_golden_takes_each_column_from_the_first_member_with_a_value(web_model):
    leads, golden = _members()
    result = score_golden(golden, leads, rules=web_model, now=NOW)
    assert list(result.index) == [5, 6]
    assert list(result["cluster_id"]) == ["A", "B"]
    # A: a1's time on site, activity and do-not-email; a2's source and visits (a1 has none)
    person = pd.DataFrame(
        {
            "lead_id": ["A"],
            "name": ["张伟"],
            "phone": ["+8613912345670"],
            "lead_source": ["Reference"],
            "total_visits": [9.0],
            "time_on_site": [100.0],
            "last_activity": ["SMS Sent"],
            "do_not_email": ["No"],
        }
    )
    alone = score(person, rules=web_model, now=NOW)
    assert result.loc[5, "probability"] == pytest.approx(alone.loc[0, "probability"], abs=1e-12)
    assert result.loc[5, "reasons"] == alone.loc[0, "reasons"]
    single = score(leads.loc[[11]], rules=web_model, now=NOW)
    assert result.loc[6, "probability"] == pytest.approx(single.iloc[0]["probability"])


def test_score_with_golden_gives_each_lead_its_persons_score(web_model):
    leads, golden = _members()
    result = score(leads, rules=web_model, now=NOW, golden=golden)
    assert list(result.index) == [13, 12, 11, 10]
    assert list(result["cluster_id"]) == ["A", "A", "B", None]
    assert result.loc[13, "score"] == result.loc[12, "score"]
    people = score_golden(golden, leads, rules=web_model, now=NOW)
    assert result.loc[13, "probability"] == people.loc[5, "probability"]
    assert result.loc[11, "probability"] == people.loc[6, "probability"]
    alone = score(leads.loc[[10]], rules=web_model, now=NOW)
    assert result.loc[10, "probability"] == pytest.approx(alone.loc[10, "probability"])
    assert result["score"].dtype == float and result["probability"].dtype == float


def test_a_blank_cell_is_no_value_to_carry(web_model):
    leads, golden = _members()
    leads.loc[13, "lead_source"] = ""
    result = score_golden(golden, leads, rules=web_model, now=NOW)
    assert any(r.startswith("[data] lead_source: Reference") for r in result.loc[5, "reasons"])
