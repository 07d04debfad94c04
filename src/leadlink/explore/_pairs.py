"""One pair at a time: why two leads matched (:func:`explain_pair`), and the pairs an
analyst should look at first, those nearest the threshold (:func:`borderline`).

Both show the leads' values — as entered and as leadlink normalised them — the way the
result's outputs show them (``dedupe(outputs="masked")`` masks phones and emails here too).
They are for the analyst's eyes: never log them.
"""

from __future__ import annotations

import html
import math
from collections import deque
from collections.abc import Hashable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import id_text
from leadlink.clean import extra_column
from leadlink.errors import ConfigError, InputError
from leadlink.explore._charts import DECIDED_RULES, Chart, waterfall
from leadlink.match import check_threshold
from leadlink.schema import ROLE

__all__ = ["PairExplanation", "borderline", "explain_pair"]

_TABLE_COLUMNS = ("field", "value_a", "value_b", "normalised_a", "normalised_b", "level", "weight")


@dataclass(frozen=True)
class _Field:
    """A compared field: where its value is in the leads and in the prepared table."""

    name: str
    raw: str | None
    prepared: tuple[str, ...]
    key: str | None = None
    extension: str | None = None


@dataclass
class PairExplanation:
    """Why two leads were (or were not) linked: what :func:`explain_pair` returns.

    Attributes:
        id_a, id_b: the two leads, in the order asked.
        table: one row per compared field after a first ``prior`` row: ``field``,
            ``value_a`` / ``value_b`` (as entered), ``normalised_a`` / ``normalised_b``,
            ``level`` (the comparison level), ``weight`` (its match weight). The prior and
            the weights add up to the model's match weight.
        match_weight: the pair's match weight (log2 of the odds; ±60 for a decided pair).
        match_probability: the pair's match probability.
        rule: the hard rule or decision that set the probability (``""`` for none).
        threshold: the result's threshold.
        same_cluster: whether the result put the two leads in one cluster.
    """

    id_a: str
    id_b: str
    table: pd.DataFrame = field(repr=False)
    match_weight: float
    match_probability: float
    rule: str
    threshold: float
    same_cluster: bool

    @property
    def model_weight(self) -> float:
        """The model's match weight: the prior plus every field's weight. It differs from
        :attr:`match_weight` only for a pair an analyst decided."""
        return float(self.table["weight"].sum(min_count=1))

    def chart(self) -> Chart:
        """A waterfall from the prior through each field's weight to the model's total."""
        title = say(
            f"{self.id_a} and {self.id_b}: match probability {self.match_probability:.3f}",
            f"{self.id_a} 与 {self.id_b}：匹配概率 {self.match_probability:.3f}",
        )
        if self.rule:
            title += say(f" (rule {self.rule})", f"（规则 {self.rule}）")
        return waterfall(self.table, title, threshold=self.threshold)

    def _repr_html_(self) -> str:
        verdict = (
            say("linked (one cluster)", "已链接（同一簇）")
            if self.same_cluster
            else say("not linked", "未链接")
        )
        lines = [
            f"<b>{html.escape(self.id_a)}</b> — <b>{html.escape(self.id_b)}</b>: {verdict}",
            say(
                f"match probability {self.match_probability:.4f} (threshold {self.threshold:g}), "
                f"match weight {self.match_weight:.2f}",
                f"匹配概率 {self.match_probability:.4f}（阈值 {self.threshold:g}），"
                f"匹配权重 {self.match_weight:.2f}",
            ),
        ]
        if self.rule:
            lines.append(say(f"set by the rule {self.rule}", f"由规则 {self.rule} 决定"))
        parts = [f"<p>{'<br>'.join(lines)}</p>"]
        with suppress(ConfigError):  # no matplotlib: the table still explains
            parts.append(self.chart()._repr_html_())
        parts.append(self.table.to_html(index=False, na_rep="", float_format=lambda v: f"{v:.2f}"))
        return "\n".join(parts)

    def __str__(self) -> str:
        return (
            f"{self.id_a} / {self.id_b}: match_probability={self.match_probability:.4f} "
            f"match_weight={self.match_weight:.2f}\n{self.table.to_string(index=False)}"
        )


def explain_pair(result: Any, id_a: Any, id_b: Any) -> PairExplanation:
    """Why the two leads ``id_a`` and ``id_b`` of ``result`` matched or did not: each
    compared field's values (as entered and normalised), comparison level and weight, after
    the prior (the weight every pair starts from). ``.chart()`` draws it as a waterfall.

    Raises:
        InputError: an id that is not in the result, the same id twice, or two leads that
            were never compared (no blocking rule put them together).
    """
    leads, prepared, ids = _inputs(result, "explain_pair")
    a, b = id_text(id_a), id_text(id_b)
    position = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    for lead in (a, b):
        if lead not in position.index:
            raise InputError(
                say(
                    f"lead {lead!r} is not in this result ({len(ids):,} leads); pass an id of "
                    f"its {result.clusters.columns[0]!r} column",
                    f"线索 {lead!r} 不在此结果中（共 {len(ids):,} 条线索）；"
                    f"请传入 {result.clusters.columns[0]!r} 列中的 ID",
                )
            )
    if a == b:
        raise InputError(
            say(
                f"explain_pair needs two different leads, got {a!r} twice",
                f"explain_pair 需要两条不同的线索，而两次都传入了 {a!r}",
            )
        )
    cluster_of = pd.Series(result.clusters["cluster_id"].to_numpy(), index=ids.to_numpy())
    same_cluster = bool(cluster_of[a] == cluster_of[b])
    pairs = result.pairs
    left, right = pairs["id_l"].astype(str), pairs["id_r"].astype(str)
    hit = np.flatnonzero((((left == a) & (right == b)) | ((left == b) & (right == a))).to_numpy())
    if not len(hit):
        raise InputError(_not_compared(result, a, b, same_cluster, cluster_of))
    row = pairs.iloc[int(hit[-1])]
    rule = "" if "rule" not in pairs.columns or pd.isna(row["rule"]) else str(row["rule"])
    rows_a, rows_b = int(position[a]), int(position[b])
    fields = _fields(result, pairs.columns)
    # A decision on a pair can stand in a row of its own beside the model's score: the
    # fields are read from the last row the model scored.
    weight_columns = [f"{spec.name}_weight" for spec in fields]
    scored = next(
        (pairs.iloc[int(i)] for i in hit[::-1] if pairs.iloc[int(i)][weight_columns].notna().any()),
        row,
    )
    records = []
    for spec in fields:
        weight = scored.get(f"{spec.name}_weight")
        level = scored.get(f"{spec.name}_level")
        records.append(
            {
                "field": spec.name,
                "value_a": _raw(result, leads, spec, rows_a),
                "value_b": _raw(result, leads, spec, rows_b),
                "normalised_a": _normalised(result, prepared, spec, rows_a),
                "normalised_b": _normalised(result, prepared, spec, rows_b),
                "level": None if pd.isna(level) else str(level),
                "weight": float(weight) if weight is not None and pd.notna(weight) else np.nan,
            }
        )
    fields_weight = float(np.nansum([r["weight"] for r in records]))
    match_weight = float(row["match_weight"])
    if rule in DECIDED_RULES:
        # The decision replaced the model's weight; the prior is the model's own.
        lam = getattr(result.model, "lambda_", None) if result.model is not None else None
        prior = math.log2(lam / (1 - lam)) if lam is not None and 0 < lam < 1 else np.nan
    else:
        prior = match_weight - fields_weight
    prior_row: dict[str, Any] = {"field": "prior", "level": None, "weight": prior}
    prior_row |= dict.fromkeys(("value_a", "value_b", "normalised_a", "normalised_b"))
    table = pd.DataFrame([prior_row, *records], columns=list(_TABLE_COLUMNS))
    return PairExplanation(
        id_a=a,
        id_b=b,
        table=table,
        match_weight=match_weight,
        match_probability=float(row["match_probability"]),
        rule=rule,
        threshold=float(result.threshold),
        same_cluster=same_cluster,
    )


def borderline(
    result: Any, *, around: float | None = None, n: int = 20, page: int = 0
) -> pd.DataFrame:
    """The scored pairs nearest the threshold (``around``, by default the result's), nearest
    first, ``n`` a page (``page=1`` for the next ``n``): ``id_l``, ``id_r``,
    ``match_probability``, ``match_weight``, ``distance`` (from ``around``), both leads'
    values side by side for each role (``name_l``, ``name_r``, ``phone_l`` …) and an empty
    ``label`` column for the analyst (``match`` / ``non_match``; see
    :func:`leadlink.merge.read_decisions`).

    Pairs already decided (``result.decisions``) are left out: they need no second look.
    """
    leads, _, ids = _inputs(result, "borderline")
    around = float(result.threshold) if around is None else check_threshold(around, field="around")
    n, page = _count(n, "n", 1), _count(page, "page", 0)
    pairs = result.pairs
    left = pairs["id_l"].map(id_text).to_numpy(dtype=object)
    right = pairs["id_r"].map(id_text).to_numpy(dtype=object)
    keep = ~_decided(pairs, left, right, result.decisions)
    probability = pairs["match_probability"].to_numpy(dtype=float)
    distance = np.abs(probability - around)
    candidates = np.flatnonzero(keep)
    wanted = (page + 1) * n
    if wanted < len(candidates):  # only the nearest need sorting (ties at the edge kept)
        edge = np.partition(distance[candidates], wanted - 1)[wanted - 1]
        candidates = candidates[distance[candidates] <= edge]
    order = np.lexsort(
        (right[candidates].astype(str), left[candidates].astype(str), distance[candidates])
    )
    chosen = candidates[order[page * n : (page + 1) * n]]
    out = pd.DataFrame(
        {
            "id_l": left[chosen],
            "id_r": right[chosen],
            "match_probability": probability[chosen],
            "match_weight": pairs["match_weight"].to_numpy(dtype=float)[chosen],
            "distance": distance[chosen],
        }
    )
    position = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    rows_l = position.reindex(out["id_l"]).to_numpy()
    rows_r = position.reindex(out["id_r"]).to_numpy()
    for spec in _shown_fields(result, pairs.columns):
        for suffix, rows in (("_l", rows_l), ("_r", rows_r)):
            out[spec.name + suffix] = [_raw(result, leads, spec, int(i)) for i in rows]
    out["label"] = ""
    return out


def side_by_side(result: Any, id_l: Any, id_r: Any) -> pd.DataFrame:
    """The two leads' values, one row per role: ``field``, ``left``, ``right``."""
    leads, _, ids = _inputs(result, "side_by_side")
    position = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    rows = [int(position[id_text(id_l)]), int(position[id_text(id_r)])]
    return pd.DataFrame(
        [
            {
                "field": spec.name,
                "left": _raw(result, leads, spec, rows[0]),
                "right": _raw(result, leads, spec, rows[1]),
            }
            for spec in _shown_fields(result, result.pairs.columns)
        ]
    )


def _inputs(result: Any, method: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """The result's leads, prepared table and lead ids (as text, in row order)."""
    if result.leads is None or result.prepared is None:
        raise InputError(
            say(
                f"this DedupeResult has no leads or prepared table, which {method}() needs; "
                "use the result of leadlink.dedupe()",
                f"此 DedupeResult 没有 leads 或预处理表，而 {method}() 需要它们；"
                "请使用 leadlink.dedupe() 的结果",
            )
        )
    ids = result.clusters[result.clusters.columns[0]].map(id_text)
    return result.leads, result.prepared, ids


def _fields(result: Any, columns: Sequence[Hashable]) -> list[_Field]:
    """The compared fields, in the order of the pairs' ``<field>_level`` columns."""
    names = [str(c)[: -len("_level")] for c in columns if str(c).endswith("_level")]
    extra = getattr(result.model, "extra", {}) if result.model is not None else {}
    found = []
    for name in names:
        role = ROLE.get(name)
        if role is not None and name not in extra:
            found.append(
                _Field(
                    name,
                    raw=result.roles.get(name),
                    prepared=role.prepared,
                    key=role.key,
                    extension=role.extension,
                )
            )
        else:  # the user's own column, compared under its own name
            found.append(_Field(name, raw=name, prepared=(extra_column(name),)))
    return found


def _shown_fields(result: Any, columns: Sequence[Hashable]) -> list[_Field]:
    """The compared fields, then the other roles the result knows (source, created_at …)."""
    compared = _fields(result, columns)
    names = {spec.name for spec in compared}
    others = [
        _Field(role, raw=column, prepared=())
        for role, column in result.roles.items()
        if role not in names
    ]
    return compared + others


def _raw(result: Any, leads: pd.DataFrame, spec: _Field, row: int) -> Any:
    if spec.raw is None or spec.raw not in leads.columns:
        return None
    value = leads[spec.raw].iat[row]
    if _missing(value):
        return None
    return result.masking.value(spec.name, value)


def _normalised(result: Any, prepared: pd.DataFrame, spec: _Field, row: int) -> Any:
    """The field's normalised value: its first prepared column, the match key beside it when
    that is another column and another value (``黄俊澜 (huang junlan)``), and a phone's
    extension (``;ext=8001``)."""
    if not spec.prepared or spec.prepared[0] not in prepared.columns:
        return None
    main = prepared[spec.prepared[0]].iat[row]
    if _missing(main):
        return None
    text = str(main)
    if spec.extension is not None and spec.extension in prepared.columns:
        extension = prepared[spec.extension].iat[row]
        if not _missing(extension):
            text = f"{text};ext={extension}"
    text = str(result.masking.key(spec.name, text))
    if spec.key is not None and spec.key != spec.prepared[0] and spec.key in prepared.columns:
        key = prepared[spec.key].iat[row]
        if not _missing(key) and str(key) != str(main):
            text = f"{text} ({result.masking.key(spec.name, str(key))})"
    return text


def _decided(
    pairs: pd.DataFrame, left: np.ndarray, right: np.ndarray, decisions: pd.DataFrame | None
) -> np.ndarray:
    """Which pairs an analyst decided: by their rule, or named in the decisions."""
    decided = np.zeros(len(pairs), dtype=bool)
    if "rule" in pairs.columns:
        decided |= pairs["rule"].isin(DECIDED_RULES).to_numpy()
    if decisions is not None and len(decisions):
        first, second = decisions["id_l"].map(id_text), decisions["id_r"].map(id_text)
        named = set(zip(first, second)) | set(zip(second, first))
        decided |= np.fromiter(
            ((one, other) in named for one, other in zip(left, right)), dtype=bool, count=len(left)
        )
    return decided


def _not_compared(result: Any, a: str, b: str, same_cluster: bool, cluster_of: pd.Series) -> str:
    if not same_cluster:
        return say(
            f"leads {a!r} and {b!r} were not compared: no blocking rule put them together, "
            "so the model never scored them; label them a match (decisions=...) to link them",
            f"线索 {a!r} 与 {b!r} 未被比较：没有任何分块规则把它们放在一起，模型从未为它们评分；"
            "如需链接，可将其标注为 match（decisions=...）",
        )
    path = _path(result, a, b, cluster_of)
    through = " → ".join(path) if path else ""
    return say(
        f"leads {a!r} and {b!r} were not compared with each other (no blocking rule put them "
        "together), but they are in one cluster, linked through other leads"
        + (f": {through}" if through else ""),
        f"线索 {a!r} 与 {b!r} 之间未被直接比较（没有分块规则把它们放在一起），"
        "但它们经由其他线索被链接到同一簇" + (f"：{through}" if through else ""),
    )


def _path(result: Any, a: str, b: str, cluster_of: pd.Series) -> list[str]:
    """The shortest chain of linked pairs from ``a`` to ``b`` inside their cluster (empty
    when none is found)."""
    pairs = result.pairs
    left, right = pairs["id_l"].map(id_text), pairs["id_r"].map(id_text)
    cluster = cluster_of[a]
    inside = (
        (left.map(cluster_of) == cluster)
        & (right.map(cluster_of) == cluster)
        & (pairs["match_probability"] >= result.threshold)
    ).to_numpy()
    neighbours: dict[str, list[str]] = {}
    for one, other in zip(left[inside], right[inside]):
        neighbours.setdefault(one, []).append(other)
        neighbours.setdefault(other, []).append(one)
    came_from: dict[str, str | None] = {a: None}
    queue = deque([a])
    while queue:
        lead = queue.popleft()
        if lead == b:
            path = [b]
            while (step := came_from[path[-1]]) is not None:
                path.append(step)
            return path[::-1]
        for other in neighbours.get(lead, ()):
            if other not in came_from:
                came_from[other] = lead
                queue.append(other)
    return []


def _count(value: Any, name: str, lowest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lowest:
        raise ConfigError(
            say(
                f"{name} must be a whole number of at least {lowest}, not {value!r}",
                f"{name} 须为不小于 {lowest} 的整数，而不是 {value!r}",
            )
        )
    return int(value)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are values
        return False
