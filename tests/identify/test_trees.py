"""TreeEnsemble: scikit-learn's boosted trees copied into arrays predict exactly as
scikit-learn does, split every prediction into a bias and per-feature contributions, and
refuse a damaged copy with a ModelError."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from leadlink.errors import ModelError
from leadlink.identify._trees import TreeEnsemble
from tests.identify._outcome_leads import one_thread


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    with one_thread():
        yield


def _data(n: int, seed: int, missing: float) -> tuple[np.ndarray, np.ndarray]:
    """Four features: two informative, one noise, one constant; ``missing`` of the first
    two are NaN."""
    rng = np.random.default_rng(seed)
    x = np.column_stack(
        [rng.normal(size=n), rng.gamma(2.0, 3.0, n), rng.normal(size=n), np.ones(n)]
    )
    log_odds = 1.2 * x[:, 0] + 0.3 * (x[:, 1] - 6.0) - 0.5
    y = rng.random(n) < 1 / (1 + np.exp(-log_odds))
    for j in (0, 1):
        x[rng.random(n) < missing, j] = np.nan
    return x, y


def _fit(x: np.ndarray, y: np.ndarray, **options):
    from sklearn.ensemble import HistGradientBoostingClassifier

    settings = {"max_iter": 40, "max_leaf_nodes": 15, "learning_rate": 0.1, "random_state": 0}
    return HistGradientBoostingClassifier(**{**settings, **options}).fit(x, y)


@pytest.fixture(scope="module")
def fitted():
    x, y = _data(2000, seed=1, missing=0.15)
    model = _fit(x, y)
    return model, TreeEnsemble.from_sklearn(model, x.shape[1])


# ---------------------------------------------------------------------------- predicting


def test_log_odds_equal_sklearn_with_missing_values_in_training_and_scoring(fitted):
    model, trees = fitted
    x, _ = _data(1500, seed=2, missing=0.3)
    assert np.isnan(x).any()
    assert trees.n_trees == model.n_iter_
    np.testing.assert_allclose(trees.log_odds(x), model.decision_function(x), rtol=0, atol=1e-9)


def test_log_odds_equal_sklearn_when_values_are_missing_only_at_scoring():
    """Trees that never saw a missing value still send one somewhere: the side
    scikit-learn chose (the child with more training leads)."""
    x, y = _data(2000, seed=3, missing=0.0)
    model = _fit(x, y)
    trees = TreeEnsemble.from_sklearn(model, x.shape[1])
    scored, _ = _data(1000, seed=4, missing=0.5)
    np.testing.assert_allclose(
        trees.log_odds(scored), model.decision_function(scored), rtol=0, atol=1e-9
    )


def test_a_split_on_missingness_alone_survives_json():
    """A feature that is only given or missing splits at an infinite threshold, which JSON
    cannot hold: it is written as null and read back as infinity."""
    rng = np.random.default_rng(5)
    n = 2000
    given = rng.random(n) < 0.5
    x = np.column_stack([np.where(given, 1.0, np.nan), rng.normal(size=n)])
    y = rng.random(n) < np.where(given, 0.7, 0.2)
    model = _fit(x, y, max_iter=10)
    trees = TreeEnsemble.from_sklearn(model, 2)
    again = TreeEnsemble.from_dict(json.loads(json.dumps(trees.to_dict(), allow_nan=False)))
    probe = np.array([[1.0, 0.0], [np.nan, 0.0], [1.0, 2.0], [np.nan, -2.0]])
    np.testing.assert_allclose(again.log_odds(probe), model.decision_function(probe), atol=1e-9)
    assert again.log_odds(probe)[0] > again.log_odds(probe)[1]


def test_bias_and_contributions_sum_to_the_log_odds(fitted):
    model, trees = fitted
    x, _ = _data(500, seed=6, missing=0.2)
    bias, contributions = trees.explain(x)
    assert contributions.shape == (500, 4)
    assert np.all(bias == bias[0])
    np.testing.assert_allclose(
        bias + contributions.sum(axis=1), model.decision_function(x), rtol=0, atol=1e-9
    )


def test_a_feature_never_split_on_contributes_nothing(fitted):
    _, trees = fitted
    x, _ = _data(300, seed=7, missing=0.1)
    _, contributions = trees.explain(x)
    assert np.all(contributions[:, 3] == 0.0)  # the constant column
    assert np.abs(contributions[:, 0]).mean() > np.abs(contributions[:, 2]).mean()


def test_contributions_follow_the_signal(fitted):
    """A higher first feature raises the log-odds, and its contribution says so."""
    _, trees = fitted
    low = np.array([[-2.0, 6.0, 0.0, 1.0]])
    high = np.array([[2.0, 6.0, 0.0, 1.0]])
    assert trees.explain(high)[1][0, 0] > 0 > trees.explain(low)[1][0, 0]


def test_more_rows_than_one_chunk(fitted):
    model, trees = fitted
    x, _ = _data(9000, seed=8, missing=0.1)
    np.testing.assert_allclose(trees.log_odds(x), model.decision_function(x), rtol=0, atol=1e-9)


def test_no_rows():
    x, y = _data(400, seed=9, missing=0.0)
    trees = TreeEnsemble.from_sklearn(_fit(x, y, max_iter=5), 4)
    bias, contributions = trees.explain(np.zeros((0, 4)))
    assert bias.shape == (0,) and contributions.shape == (0, 4)


def test_categorical_splits_are_refused():
    rng = np.random.default_rng(10)
    x = np.column_stack([rng.integers(0, 4, 800).astype(float), rng.normal(size=800)])
    y = rng.random(800) < np.where(x[:, 0] == 2, 0.8, 0.2)
    model = _fit(x, y, categorical_features=[0], max_iter=5)
    with pytest.raises(ModelError, match="categorical splits"):
        TreeEnsemble.from_sklearn(model, 2)


# ---------------------------------------------------------------------------- saving


def test_json_round_trip_gives_identical_predictions(fitted):
    _, trees = fitted
    text = json.dumps(trees.to_dict(), allow_nan=False)  # plain JSON: no NaN, no infinity
    again = TreeEnsemble.from_dict(json.loads(text))
    x, _ = _data(700, seed=11, missing=0.25)
    assert np.array_equal(again.log_odds(x), trees.log_odds(x))
    for got, want in zip(again.explain(x), trees.explain(x)):
        assert np.array_equal(got, want)
    assert again.to_dict() == trees.to_dict()


def _damaged(trees: TreeEnsemble, change) -> dict:
    data = copy.deepcopy(trees.to_dict())
    change(data)
    return data


def _first_split(data: dict) -> int:
    return next(k for k, f in enumerate(data["feature"]) if f >= 0)


def _set(key, value):
    return lambda d: d.__setitem__(key, value)


def _set_at_split(key, value):
    return lambda d: d[key].__setitem__(_first_split(d), value)


DAMAGE = {
    "a shorter feature array": lambda d: d["feature"].pop(),
    "a longer value array": lambda d: d["value"].append(0.0),
    "a left child past the end": lambda d: _set_at_split("left", len(d["feature"]) + 5)(d),
    "a right child past the end": lambda d: _set_at_split("right", len(d["feature"]))(d),
    "a child pointing back at its parent": lambda d: _set_at_split("left", _first_split(d))(d),
    "a negative child": lambda d: _set_at_split("right", -1)(d),
    "a feature index past n_features": lambda d: _set_at_split("feature", d["n_features"])(d),
    "fewer features than the splits use": lambda d: d.__setitem__("n_features", 1),
    "a root past the end": lambda d: d["roots"].append(len(d["feature"])),
    "a negative root": lambda d: d["roots"].__setitem__(0, -1),
    "a NaN value": lambda d: d["value"].__setitem__(0, float("nan")),
    "an infinite value": lambda d: d["value"].__setitem__(3, float("inf")),
    "a missing value": lambda d: d["value"].__setitem__(0, None),
    "a text threshold": _set_at_split("threshold", "high"),
    "no baseline": lambda d: d.pop("baseline"),
    "no left array": lambda d: d.pop("left"),
    "a text n_features": _set("n_features", "four"),
}


@pytest.mark.parametrize("change", DAMAGE.values(), ids=list(DAMAGE))
def test_damaged_trees_are_refused_with_a_model_error(fitted, change):
    _, trees = fitted
    with pytest.raises(ModelError, match="fit and save the model again"):
        TreeEnsemble.from_dict(_damaged(trees, change))


@pytest.mark.parametrize("data", [None, [], "trees", 3])
def test_something_else_than_trees_is_refused(data):
    with pytest.raises(ModelError, match="damaged"):
        TreeEnsemble.from_dict(data)


def test_a_nan_baseline_is_refused(fitted):
    _, trees = fitted
    with pytest.raises(ModelError):
        TreeEnsemble.from_dict(_damaged(trees, _set("baseline", float("nan"))))


def test_a_nan_split_threshold_is_refused(fitted):
    _, trees = fitted
    with pytest.raises(ModelError):
        TreeEnsemble.from_dict(_damaged(trees, _set_at_split("threshold", float("nan"))))


SCALARS = {
    "a number instead of the feature array": _set("feature", 3),
    "a number instead of the value array": _set("value", 1.0),
    "a number instead of the roots": _set("roots", 0),
    "a text instead of the missing_left array": _set("missing_left", "left"),
}


@pytest.mark.parametrize("change", SCALARS.values(), ids=list(SCALARS))
def test_a_number_where_an_array_belongs_is_refused(fitted, change):
    _, trees = fitted
    x, _ = _data(5, seed=12, missing=0.0)
    with pytest.raises(ModelError):
        TreeEnsemble.from_dict(_damaged(trees, change)).log_odds(x)
