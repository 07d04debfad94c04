"""Charts for choosing a threshold: match weights, expected and measured precision and
recall, cluster sizes, and what the model learnt per comparison level.

Each chart is a :class:`Chart`: it shows itself in Jupyter, saves a ``.png`` or a
self-contained ``.html`` page (the picture embedded, a title and the data table: no scripts,
nothing fetched when the page is opened), and keeps the matplotlib ``figure`` and the
``data`` it drew. matplotlib is the optional ``explore`` extra
(``pip install 'leadlink[explore]'``), imported only when a chart is drawn. Figures are
drawn on matplotlib's Agg canvas, never through pyplot: no display is needed and a notebook
does not show each chart twice.

Charts carry counts, weights and roles only, never a lead's values.
"""

from __future__ import annotations

import base64
import html
import io
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.errors import ConfigError, InputError
from leadlink.explore._thresholds import DEFAULT_THRESHOLDS, threshold_table

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "Chart",
    "cluster_sizes",
    "model_weights",
    "precision_recall_chart",
    "weight_histogram",
]

#: Rules that mark a pair an analyst decided (see :func:`leadlink.merge.apply_decisions`).
DECIDED_RULES = ("must_link: decision", "never_link: decision")

# Fonts with Han characters, tried after matplotlib's default for the user's own column
# names; only those installed are named, so matplotlib never looks for a missing one.
_HAN_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
)
_BLUE, _ORANGE, _GREEN, _RED, _GREY = "#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8c8c8c"


class Chart:
    """A drawn chart: shows itself in Jupyter and saves to ``.png`` or ``.html``.

    Attributes:
        figure: the matplotlib ``Figure``, to restyle or save another way.
        data: the table the chart drew.
        title: what the chart shows, in a line.
    """

    def __init__(self, figure: Figure, data: pd.DataFrame, title: str) -> None:
        self.figure = figure
        self.data = data
        self.title = title
        self._png: bytes | None = None

    def png(self) -> bytes:
        """The chart as PNG bytes (drawn once, then kept)."""
        if self._png is None:
            buffer = io.BytesIO()
            with _style(), warnings.catch_warnings():
                # A glyph missing from every installed font is drawn as a box, not refused.
                warnings.filterwarnings("ignore", message="Glyph .* missing from")
                self.figure.savefig(
                    buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None}
                )
            self._png = buffer.getvalue()
        return self._png

    def html(self) -> str:
        """A self-contained HTML page: the title, the picture (embedded) and the data."""
        table = self.data.to_html(index=False, border=0, na_rep="", float_format=_number)
        return (
            '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(self.title)}</title>\n"
            "<style>body{font-family:sans-serif;margin:2em}"
            "table{border-collapse:collapse;font-size:0.85em}"
            "td,th{padding:0.2em 0.6em;text-align:right;border-bottom:1px solid #ddd}"
            "</style>\n</head>\n<body>\n"
            f"{self._repr_html_()}\n{table}\n</body>\n</html>\n"
        )

    def save(self, path: str | PathLike[str]) -> Path:
        """Write the chart to ``path``: a ``.png`` picture or a self-contained ``.html``
        page. Returns the path."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".png":
            target.write_bytes(self.png())
        elif suffix in (".html", ".htm"):
            target.write_text(self.html(), encoding="utf-8")
        else:
            raise ConfigError(
                say(
                    f"a chart saves to .png or .html, not {suffix or 'a name without suffix'!r}; "
                    "e.g. chart.save('weights.html')",
                    f"图表只能保存为 .png 或 .html，而不是 {suffix or '无后缀的文件名'!r}；"
                    "例如 chart.save('weights.html')",
                )
            )
        return target

    def _repr_png_(self) -> bytes:
        return self.png()

    def _repr_html_(self) -> str:
        encoded = base64.b64encode(self.png()).decode("ascii")
        title = html.escape(self.title)
        return (
            f'<figure style="margin:0"><img src="data:image/png;base64,{encoded}" alt="{title}">'
            f"<figcaption>{title}</figcaption></figure>"
        )

    def __repr__(self) -> str:
        return f"Chart({self.title!r}, data: {len(self.data)} rows)"


def weight_histogram(result: Any, bins: int = 60) -> Chart:
    """How the scored pairs' match weights spread, with the threshold drawn as a line.

    Pairs an analyst decided (``rule`` ``must_link: decision`` / ``never_link: decision``)
    are left out and counted in the title: their weight is the decision's, not the model's.
    A model that separates well shows two humps — non-matches far left, matches right —
    and few pairs near the line.
    """
    if int(bins) < 1:
        raise ConfigError(
            say(f"bins must be 1 or more, not {bins}", f"bins 须至少为 1，而不是 {bins}")
        )
    pairs = result.pairs
    decided = _decided(pairs)
    weights = pairs.loc[~decided, "match_weight"].to_numpy(dtype=float)
    weights = weights[np.isfinite(weights)]
    if len(weights):
        counts, edges = np.histogram(weights, bins=int(bins))
    else:
        counts, edges = np.zeros(0, dtype=int), np.zeros(1)
    data = pd.DataFrame(
        {"weight_from": edges[:-1], "weight_to": edges[1:], "pairs": np.asarray(counts, dtype=int)}
    )
    threshold = float(result.threshold)
    line = weight_of(threshold)
    title = say(
        f"Match weights of {len(weights):,} scored pairs",
        f"{len(weights):,} 个已评分线索对的匹配权重",
    )
    if decided.any():
        title += say(
            f" ({int(decided.sum())} decided pairs left out)",
            f"（未含 {int(decided.sum())} 个已标注的线索对）",
        )
    with _style():
        figure, axes = _figure(8, 4)
        if len(weights):
            below = data["weight_to"] <= line
            widths = data["weight_to"] - data["weight_from"]
            for part, colour, label in (
                (below, _BLUE, say("below the threshold", "低于阈值")),
                (~below, _ORANGE, say("linked", "被链接")),
            ):
                axes.bar(
                    data.loc[part, "weight_from"], data.loc[part, "pairs"],
                    width=widths[part], align="edge", color=colour, label=label,
                )  # fmt: skip
        if math.isfinite(line):
            axes.axvline(line, color="black", linestyle="--", linewidth=1)
            axes.annotate(
                say(f"threshold {threshold:g}", f"阈值 {threshold:g}"),
                (line, 1), xycoords=("data", "axes fraction"), xytext=(4, -12),
                textcoords="offset points", fontsize=9,
            )  # fmt: skip
        axes.set_xlabel(say("match weight (log2 of the odds)", "匹配权重（几率的 log2）"))
        axes.set_ylabel(say("pairs", "线索对"))
        axes.set_title(title)
        if len(weights):
            axes.legend(frameon=False)
    return Chart(figure, data, title)


def precision_recall_chart(
    result: Any,
    thresholds: Sequence[float] | None = None,
    *,
    truth: pd.Series | Mapping[str, Any] | None = None,
    labels: Any = None,
) -> Chart:
    """Expected precision, recall and F1 against the threshold (see
    :func:`threshold_table`), with the measured ones dashed beside them when ``truth`` (a
    person id per lead id) or ``labels`` (labelled pairs) are given. The result's own
    threshold is drawn as a line."""
    table = threshold_table(
        result,
        DEFAULT_THRESHOLDS if thresholds is None else thresholds,
        truth=truth,
        labels=labels,
    )
    measured = "precision" in table.columns
    title = say("Precision and recall by threshold", "各阈值下的精确率与召回率")
    with _style():
        figure, axes = _figure(8, 4.5)
        x = table["threshold"].to_numpy(dtype=float)
        for name, chinese, colour in (
            ("precision", "精确率", _BLUE),
            ("recall", "召回率", _ORANGE),
            ("F1", "F1", _GREEN),
        ):
            axes.plot(
                x, table[f"expected_{name.lower()}"], color=colour, marker="o", markersize=3,
                label=say(f"expected {name}", f"预期{chinese}"),
            )  # fmt: skip
            if measured:
                axes.plot(
                    x, table[name.lower()], color=colour, linestyle="--", marker="x",
                    markersize=4, label=say(f"measured {name}", f"实测{chinese}"),
                )  # fmt: skip
        axes.axvline(float(result.threshold), color="black", linestyle=":", linewidth=1)
        axes.set_ylim(0, 1.05)
        axes.set_xlim(min(x.min(initial=0.0), 0.0), 1.0)
        axes.set_xlabel(say("threshold (match probability)", "阈值（匹配概率）"))
        axes.set_ylabel(say("pairwise score", "成对指标"))
        axes.set_title(title)
        axes.grid(alpha=0.3)
        axes.legend(frameon=False, fontsize=8, ncol=2 if measured else 1, loc="lower left")
    return Chart(figure, table, title)


def cluster_sizes(result: Any) -> Chart:
    """How many clusters have 1, 2, 3 … leads (counts on a log scale): a long tail of
    large clusters is chaining (colleagues on one switchboard, namesakes)."""
    sizes = result.clusters["cluster_id"].value_counts()
    counts = sizes.value_counts().sort_index()
    data = pd.DataFrame(
        {
            "size": counts.index.to_numpy(dtype=int),
            "clusters": counts.to_numpy(dtype=int),
        }
    )
    data["leads"] = data["size"] * data["clusters"]
    title = say(
        f"Cluster sizes: {len(sizes):,} clusters of {len(result.clusters):,} leads",
        f"簇大小：{len(result.clusters):,} 条线索分为 {len(sizes):,} 个簇",
    )
    with _style():
        figure, axes = _figure(8, 4)
        positions = np.arange(len(data))
        axes.bar(positions, data["clusters"], color=_BLUE)
        axes.set_yscale("log")
        step = max(1, math.ceil(len(data) / 30))
        axes.set_xticks(positions[::step], [str(s) for s in data["size"]][::step])
        axes.set_xlabel(say("leads in the cluster", "簇内线索数"))
        axes.set_ylabel(say("clusters (log scale)", "簇数（对数刻度）"))
        axes.set_title(title)
    return Chart(figure, data, title)


def model_weights(result_or_model: Any) -> Chart:
    """What the model learnt: per comparison and level, the match weight (log2 m/u) as a
    bar — right for evidence of one person, left against — and beside it m (how often
    the level occurs among matches) and u (among non-matches), on a log scale.

    Takes a :class:`leadlink.DedupeResult` or a :class:`leadlink.LeadModel`.
    """
    model = getattr(result_or_model, "model", result_or_model)
    if model is None or not hasattr(model, "parameters"):
        raise InputError(
            say(
                "model_weights needs a trained LeadModel or a DedupeResult that has one; this "
                "result has no model (fewer than two leads could be matched)",
                "model_weights 需要已训练的 LeadModel 或带模型的 DedupeResult；此结果没有模型"
                "（可匹配的线索不足两条）",
            )
        )
    data = model.parameters.reset_index(drop=True)
    title = say("Match weights per comparison level", "各比较级别的匹配权重")
    labels = [f"{role} · {level}" for role, level in zip(data["role"], data["level"])]
    positions = np.arange(len(data))[::-1]
    with _style():
        figure, (left, right) = _figure(11, 1.2 + 0.28 * len(data), columns=2, share_y=True)
        weights = data["match_weight"].to_numpy(dtype=float)
        left.barh(positions, weights, color=np.where(weights >= 0, _GREEN, _RED))
        left.axvline(0, color="black", linewidth=0.8)
        left.set_yticks(positions, labels, fontsize=8)
        left.set_xlabel(say("match weight (log2 m/u)", "匹配权重（log2 m/u）"))
        left.set_title(title)
        height = 0.4
        right.barh(positions + height / 2, data["m"], height=height, color=_BLUE, label="m")
        right.barh(positions - height / 2, data["u"], height=height, color=_ORANGE, label="u")
        right.set_xscale("log")
        right.set_xlabel(say("probability of the level (log scale)", "该级别的概率（对数刻度）"))
        right.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncol=2)
        # A line between comparisons, so each one's levels read as a group.
        ends = np.flatnonzero(data["role"].to_numpy()[1:] != data["role"].to_numpy()[:-1])
        for axes in (left, right):
            for end in ends:
                axes.axhline(positions[end] - 0.5, color=_GREY, linewidth=0.5)
            axes.set_ylim(-0.7, len(data) - 0.3)
    return Chart(figure, data, title)


def waterfall(steps: pd.DataFrame, title: str, *, threshold: float | None = None) -> Chart:
    """A waterfall of ``steps`` (``field``, ``weight``, optionally ``level``): bars from the
    first (the prior) through each field's contribution to a last bar for the total, with
    the weight of ``threshold`` drawn as a line."""
    data = steps[["field", "weight"]].copy()
    data["level"] = steps["level"] if "level" in steps.columns else None
    data["weight"] = data["weight"].astype(float).fillna(0.0)
    data["end"] = data["weight"].cumsum()
    data["start"] = data["end"] - data["weight"]
    total = float(data["end"].iloc[-1]) if len(data) else 0.0
    last = {"field": [say("total", "合计")], "level": [None], "weight": [total]}
    data = pd.concat(
        [data, pd.DataFrame(last | {"end": [total], "start": [0.0]})], ignore_index=True
    )
    with _style():
        figure, axes = _figure(max(6.0, 0.95 * len(data)), 4.5)
        positions = np.arange(len(data))
        heights = (data["end"] - data["start"]).to_numpy(dtype=float)
        colours = [_GREY] + [_GREEN if h >= 0 else _RED for h in heights[1:-1]] + [_BLUE]
        axes.bar(positions, heights, bottom=data["start"], color=colours[: len(data)])
        for position, (start, end) in enumerate(zip(data["start"], data["end"])):
            if position < len(data) - 1:
                axes.plot([position + 0.4, position + 0.6], [end, end], color=_GREY, linewidth=0.8)
            axes.annotate(
                f"{end - start:+.1f}", (position, max(start, end)), xytext=(0, 2),
                textcoords="offset points", ha="center", fontsize=8,
            )  # fmt: skip
        axes.axhline(0, color="black", linewidth=0.8)
        line = weight_of(threshold) if threshold is not None else math.nan
        if math.isfinite(line):
            axes.axhline(line, color="black", linestyle="--", linewidth=0.8)
            axes.annotate(
                say(f"threshold {threshold:g}", f"阈值 {threshold:g}"),
                (1, line), xycoords=("axes fraction", "data"), xytext=(-4, 2),
                textcoords="offset points", ha="right", fontsize=8,
            )  # fmt: skip
        axes.use_sticky_edges = False  # room for the labels above the bars
        axes.margins(y=0.12)
        ticks = [
            f"{name}\n{level}" if isinstance(level, str) and level else str(name)
            for name, level in zip(data["field"], data["level"])
        ]
        axes.set_xticks(positions, ticks, fontsize=8)
        axes.set_ylabel(say("match weight (log2 of the odds)", "匹配权重（几率的 log2）"))
        axes.set_title(title)
    return Chart(figure, data[["field", "level", "weight", "start", "end"]], title)


def weight_of(probability: float) -> float:
    """The match weight (log2 of the odds) of a match probability; ±inf at 1 and 0."""
    if probability <= 0:
        return -math.inf
    if probability >= 1:
        return math.inf
    return math.log2(probability / (1 - probability))


def _decided(pairs: pd.DataFrame) -> np.ndarray:
    if "rule" not in pairs.columns:
        return np.zeros(len(pairs), dtype=bool)
    return pairs["rule"].isin(DECIDED_RULES).to_numpy()


def _figure(
    width: float, height: float, *, columns: int = 1, share_y: bool = False
) -> tuple[Figure, Any]:
    """A figure on the Agg canvas (no pyplot, no display) and its axes."""
    figure_class, canvas_class = _matplotlib()
    figure = figure_class(figsize=(width, height), layout="constrained")
    canvas_class(figure)
    axes: Axes | Any = figure.subplots(1, columns, sharey=share_y)
    return figure, axes


def _matplotlib() -> tuple[Any, Any]:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ConfigError(
            say(
                "charts need matplotlib, which leadlink installs as an option: "
                "pip install 'leadlink[explore]'",
                "图表需要 matplotlib，它是 leadlink 的可选依赖：pip install 'leadlink[explore]'",
            )
        ) from error
    return Figure, FigureCanvasAgg


@contextmanager
def _style() -> Iterator[None]:
    """matplotlib settings while a chart is built and drawn: fonts with Han characters
    after the default, for column names such as 身份证."""
    _matplotlib()  # the clear error first, when matplotlib is missing
    import matplotlib

    with matplotlib.rc_context(
        {"font.sans-serif": [*matplotlib.rcParams["font.sans-serif"][:1], *_han_fonts()]}
    ):
        yield


@cache
def _han_fonts() -> tuple[str, ...]:
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return tuple(name for name in _HAN_FONTS if name in installed)


def _number(value: float) -> str:
    return f"{value:.4g}"
