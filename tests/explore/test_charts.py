"""Charts render, show in Jupyter and save as PNG or self-contained HTML; decided pairs
stay out of the weight histogram; a missing matplotlib is a clear error."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from leadlink.errors import ConfigError, InputError
from leadlink.explore import (
    Chart,
    borderline,
    cluster_sizes,
    explain_pair,
    model_weights,
    precision_recall_chart,
    weight_histogram,
)

pytest.importorskip("matplotlib")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def charts(result, truth):
    pair = result.pairs.iloc[0]
    return {
        "histogram": weight_histogram(result, bins=30),
        "precision_recall": precision_recall_chart(result, [0.3, 0.5, 0.9], truth=truth),
        "cluster_sizes": cluster_sizes(result),
        "model_weights": model_weights(result),
        "waterfall": explain_pair(result, pair["id_l"], pair["id_r"]).chart(),
    }


@pytest.mark.parametrize(
    "name", ["histogram", "precision_recall", "cluster_sizes", "model_weights", "waterfall"]
)
def test_a_chart_saves_a_png_and_a_self_contained_html_page(charts, name, tmp_path):
    chart = charts[name]
    assert isinstance(chart, Chart)
    assert type(chart.figure).__name__ == "Figure"
    assert len(chart.data) > 0
    assert chart._repr_png_().startswith(PNG_MAGIC)
    assert "data:image/png;base64," in chart._repr_html_()

    png = chart.save(tmp_path / "chart.png")
    assert png.read_bytes().startswith(PNG_MAGIC)
    page = chart.save(tmp_path / "chart.html").read_text("utf-8")
    assert "data:image/png;base64," in page
    assert "http" not in page  # nothing fetched: no CDN, no links
    assert "<script" not in page
    assert "<table" in page and chart.title.split(":")[0] in page


def test_a_chart_refuses_a_suffix_it_cannot_write(charts, tmp_path):
    with pytest.raises(ConfigError, match=r"\.png or \.html"):
        charts["histogram"].save(tmp_path / "chart.jpg")


def test_the_histogram_counts_every_scored_pair_and_marks_the_threshold(result, charts):
    data = charts["histogram"].data
    assert list(data.columns) == ["weight_from", "weight_to", "pairs"]
    assert len(data) == 30
    assert data["pairs"].sum() == len(result.pairs)
    axes = charts["histogram"].figure.axes[0]
    threshold_weight = np.log2(result.threshold / (1 - result.threshold))
    assert any(np.allclose(line.get_xdata(), threshold_weight) for line in axes.get_lines())


def test_the_histogram_leaves_decided_pairs_out(result):
    decided = borderline(result, n=3)[["id_l", "id_r"]].assign(label="non_match")
    relabelled = result.at_threshold(result.threshold, decisions=decided)
    chart = weight_histogram(relabelled)
    assert chart.data["pairs"].sum() == len(relabelled.pairs) - 3
    assert "3 decided pairs left out" in chart.title


def test_bins_must_be_positive(result):
    with pytest.raises(ConfigError, match="bins"):
        weight_histogram(result, bins=0)


def test_the_precision_recall_chart_draws_expected_and_measured_scores(charts):
    chart = charts["precision_recall"]
    assert {"expected_precision", "expected_recall", "precision", "recall"} <= set(chart.data)
    assert chart.data["threshold"].tolist() == [0.3, 0.5, 0.9]
    styles = [line.get_linestyle() for line in chart.figure.axes[0].get_lines()]
    assert styles.count("--") == 3  # measured precision, recall, F1


def test_without_truth_only_expected_scores_are_drawn(result):
    chart = precision_recall_chart(result, [0.5, 0.9])
    assert "precision" not in chart.data.columns
    assert chart.data["expected_precision"].between(0, 1).all()


def test_cluster_sizes_add_up_to_the_leads(result, charts):
    data = charts["cluster_sizes"].data
    assert data["leads"].sum() == len(result.clusters)
    assert data["clusters"].sum() == result.clusters["cluster_id"].nunique()
    assert charts["cluster_sizes"].figure.axes[0].get_yscale() == "log"


def test_model_weights_reads_a_model_or_a_result(result, charts):
    from_model = model_weights(result.model)
    assert from_model.data.equals(charts["model_weights"].data)
    assert {"role", "level", "m", "u", "match_weight"} <= set(from_model.data.columns)


def test_model_weights_without_a_model_says_why(result):
    from dataclasses import replace

    with pytest.raises(InputError, match="no model"):
        model_weights(replace(result, model=None))


def test_charts_without_matplotlib_say_how_to_install_it(result, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    with pytest.raises(ConfigError, match=r"pip install 'leadlink\[explore\]'"):
        cluster_sizes(result)
