"""The periodic review of scoring rules against outcomes: which rules pick the leads that
convert, which points to change, where the tiers should start.

Points are set once, by hand (the presets' points are leadlink's guesses, see
``presets/bant.json``); after a quarter of real outcomes :func:`review_rules` shows how
they did. It scores the leads with the rules exactly as :func:`score` does and reports:

* per rule feature (the evidence :func:`score` reads: a title level, ``budget stated``,
  ``events: demo_request`` ...): the leads it fires on, their conversion rate, the rate
  where it does not fire, the lift, the points it gives now, the points your outcomes
  suggest, and a verdict (see :data:`VERDICTS` and "How the verdicts are given" below);
* per tier: leads, conversions, conversion rate and lift;
* the leads the tiers got most wrong: high-tier leads that did not convert, low-tier leads
  that did;
* the cut-offs that would put the top 20 % of these leads in the high tier and the next
  30 % in medium, the AUC of the rules' score and how many times more often the high tier
  converts than the low tier.

How the suggested points are found
    An L2-regularised logistic regression (scikit-learn, ``C=1``) learns one weight in
    log-odds per rule feature from all the leads given, on the same feature values an
    outcome model reads. One factor turns log-odds into points: it makes the spread
    (standard deviation over these leads) of the learnt scores equal to the spread of the
    rules' points now, so the suggestions are on your scale. A feature's suggested points
    are that factor × its weight × its mean value on the leads it fires on, which for a
    yes/no rule (a title level, ``budget stated``) is simply the points to give it; for an
    event type, whose points grow with the number and freshness of events, compare it
    with ``points`` (the mean points it gives now on the leads it fires on) and scale the
    event's weight by the same ratio.

How the verdicts are given
    A feature is judged only when it fires on at least 20 leads and does not fire on at
    least 20 (else ``"unclear"``). It shows **no lift** when the conversion rates where it
    fires and where it does not differ by less than 10 % of the overall rate, or by less
    than two standard errors (a two-proportion z-test): then ``"drop"``. It is
    ``"reverse"`` when it points the wrong way: positive points on leads that convert less
    often, or negative points (ghosts, junior titles) on leads that convert more often.
    Otherwise the suggested points decide: at least 1.5 times the current points is
    ``"raise"``, at most two thirds of them (or of the other sign, once the other rules
    are accounted for) is ``"lower"``, else ``"keep"``. "Raise" and "lower" are about
    weight: raising a negative rule makes it more negative.

Nothing here logs a field value.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import reference_time
from leadlink.errors import ConfigError, InputError, ModelError
from leadlink.identify._evidence import Evidence, lead_keys, resolve_roles
from leadlink.identify._learn import read_outcomes
from leadlink.identify._measures import auc, tier_table
from leadlink.identify._outcome import json_ready
from leadlink.identify._rules import Tiers, compile_rules
from leadlink.identify._score import rule_result

__all__ = ["VERDICTS", "RuleReview", "review_rules"]

#: The verdicts on a rule feature, stable in every language (``advice`` says them in
#: words, with the suggested points).
VERDICTS: tuple[str, ...] = ("keep", "raise", "lower", "drop", "reverse", "unclear")

_FORMAT = "leadlink.RuleReview"
_VERSION = 1
# A feature is judged when it fires on at least this many leads and misses as many.
_MIN_LEADS = 20
# No lift: the rates where a feature fires and where it does not differ by less than this
# share of the overall rate, or by less than this many standard errors.
_NO_LIFT_SHARE = 0.1
_NO_LIFT_Z = 2.0
# Suggested points this many times the current ones (or the inverse) raise (lower) a rule.
_RAISE_RATIO = 1.5
# The regression's inverse L2 penalty, on yes/no values and log event counts.
_C = 1.0
# Columns of RuleReview.rules and .misclassified, in order.
_RULE_COLUMNS = [
    "rule", "leads", "converted", "conversion_rate", "rate_not_fired", "lift", "points",
    "weight", "suggested_points", "verdict", "advice",
]  # fmt: skip


@dataclass(eq=False, repr=False)
class RuleReview:
    """How scoring rules did against outcomes (:func:`review_rules`).

    Attributes:
        rules: one row per rule feature: ``rule`` (the feature, as an outcome model names
            it), ``leads`` it fires on, ``converted`` among them, ``conversion_rate`` where
            it fires and ``rate_not_fired`` where it does not, ``lift`` (the rate where it
            fires over the overall rate), ``points`` (its mean points where it fires),
            ``weight`` (learnt, in log-odds), ``suggested_points``, ``verdict`` (one of
            :data:`VERDICTS`) and ``advice`` (the verdict in words).
        tiers: per tier (high, medium, low) with the rules' cut-offs: ``leads``,
            ``converted``, ``conversion_rate``, ``lift``.
        misclassified: on the leads' index, the high-tier leads that did not convert
            (highest score first), then the low-tier leads that did (lowest first): the id
            (when the leads have the id column), ``score``, ``tier``, ``converted``,
            ``reasons``.
        cutoffs: the rules' cut-offs, ``{"high": points, "medium": points}``.
        suggested_cutoffs: the points cut-offs nearest to the target tier shares.
        suggested_tiers: the tiers these cut-offs give, as :attr:`tiers`.
        tier_shares: the target shares of the high and medium tiers.
        auc: the AUC of the rules' score (0.5 is chance, 1 a perfect ranking).
        n_leads, n_converted: the leads reviewed and how many converted.
        points_scale: points per log-odds of the suggestions (see the module docstring).
        id_column: the leads' id column shown in :attr:`misclassified` (None: none).
        high_to_low: how many times more often the high tier converts than the low one
            (NaN when a tier is empty, infinite when no low-tier lead converts).
    """

    rules: pd.DataFrame
    tiers: pd.DataFrame
    misclassified: pd.DataFrame
    cutoffs: dict[str, float]
    suggested_cutoffs: dict[str, float]
    suggested_tiers: pd.DataFrame
    tier_shares: tuple[float, float]
    auc: float
    n_leads: int
    n_converted: int
    points_scale: float
    id_column: str | None = None

    @property
    def conversion_rate(self) -> float:
        return self.n_converted / self.n_leads if self.n_leads else math.nan

    @property
    def high_to_low(self) -> float:
        return _ratio(self.tiers)

    def __repr__(self) -> str:
        to_change = int((~self.rules["verdict"].isin(["keep", "unclear"])).sum())
        return (
            f"RuleReview(leads={self.n_leads}, converted={self.n_converted}, "
            f"auc={self.auc:.3f}, high_to_low={self.high_to_low:.2f}, "
            f"rules={len(self.rules)}, to_change={to_change}, "
            f"misclassified={len(self.misclassified)})"
        )

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """The review as a few lines of text, in the reader's language."""
        rate, shares = self.conversion_rate, self.tier_shares
        high_share, medium_share = round(100 * shares[0]), round(100 * shares[1])
        lines = [
            say(
                f"Rule review: {self.n_leads} leads, {self.n_converted} converted ({rate:.1%})",
                f"评分规则复核：{self.n_leads} 条线索，{self.n_converted} 条已转化（{rate:.1%}）",
            ),
            say(
                f"The rules' score: AUC {self.auc:.3f}; {_comparison(self.high_to_low)}.",
                f"规则得分：AUC {self.auc:.3f}；{_comparison(self.high_to_low)}。",
            ),
            "",
            say(
                "tier       leads  converted    rate   lift",
                "意向层     线索数   已转化   转化率   提升",
            ),
        ]
        lines += [_tier_line(row) for row in self.tiers.to_dict("records")]
        lines += [
            "",
            say(
                "rule                               leads    rate   lift  points  suggested  "
                "verdict",
                "规则                               线索数  转化率   提升    分值    建议分值  结论",
            ),
        ]
        rows = self.rules.to_dict("records")
        lines += [_rule_line(row) for row in rows if row["leads"]]
        unseen = [str(row["rule"]) for row in rows if not row["leads"]]
        if unseen:
            lines.append(
                say(
                    f"never fired on these leads: {'; '.join(unseen)}",
                    f"这些线索均未命中：{'、'.join(unseen)}",
                )
            )
        high, medium = self.suggested_cutoffs["high"], self.suggested_cutoffs["medium"]
        now_high, now_medium = self.cutoffs["high"], self.cutoffs["medium"]
        suggested_ratio = _ratio(self.suggested_tiers)
        lines += [
            "",
            say(
                f"Cut-offs now: high {now_high:g}, medium {now_medium:g}. For the top "
                f"{high_share} % in high and the next {medium_share} % in medium: high "
                f"{high:g}, medium {medium:g} (then {_comparison(suggested_ratio)}).",
                f"当前分数线：high {now_high:g}，medium {now_medium:g}。若要前 {high_share}% "
                f"为高意向、其后 {medium_share}% 为中意向：high {high:g}，medium {medium:g}"
                f"（届时{_comparison(suggested_ratio)}）。",
            ),
        ]
        wrong_high = int((self.misclassified["tier"] == "high").sum())
        wrong_low = len(self.misclassified) - wrong_high
        lines.append(
            say(
                f"Misclassified: {wrong_high} high-tier lead(s) did not convert, {wrong_low} "
                "low-tier lead(s) converted.",
                f"分层有误：{wrong_high} 条高意向线索未转化，{wrong_low} 条低意向线索已转化。",
            )
        )
        return "\n".join(lines)

    # ------------------------------------------------------------------ saving

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready contents (NaN and infinity as ``None``); :meth:`from_dict`
        reads them back."""
        misclassified = [
            {"index": _label_of(label), **row}
            for label, row in zip(self.misclassified.index, self.misclassified.to_dict("records"))
        ]
        data = {
            "kind": _FORMAT,
            "version": _VERSION,
            "n_leads": self.n_leads,
            "n_converted": self.n_converted,
            "conversion_rate": self.conversion_rate,
            "auc": self.auc,
            "high_to_low": self.high_to_low,
            "cutoffs": self.cutoffs,
            "suggested_cutoffs": self.suggested_cutoffs,
            "tier_shares": list(self.tier_shares),
            "points_scale": self.points_scale,
            "id_column": self.id_column,
            "rules": self.rules.to_dict("records"),
            "tiers": self.tiers.to_dict("records"),
            "suggested_tiers": self.suggested_tiers.to_dict("records"),
            "misclassified": misclassified,
        }
        plain: dict[str, Any] = json_ready(data)
        return plain

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleReview:
        """A review from :meth:`to_dict`'s contents (e.g. a saved ``review.json``)."""
        if not isinstance(data, Mapping) or data.get("kind") != _FORMAT:
            raise InputError(
                say(
                    "not a leadlink rule review; make one with review_rules(...).to_dict()",
                    "这不是 leadlink 的评分规则复核；请用 review_rules(...).to_dict() 生成",
                )
            )
        try:
            id_column = data["id_column"]
            wrong = list(data["misclassified"])
            columns = ([id_column] if id_column is not None else []) + [
                "score", "tier", "converted", "reasons",
            ]  # fmt: skip
            misclassified = pd.DataFrame(
                [{c: row[c] for c in columns} for row in wrong],
                index=pd.Index([row["index"] for row in wrong]),
                columns=columns,
            )
            misclassified["score"] = misclassified["score"].astype(float)
            misclassified["converted"] = misclassified["converted"].astype(bool)
            shares = data["tier_shares"]
            return cls(
                rules=_numbers(pd.DataFrame(list(data["rules"]), columns=_RULE_COLUMNS)),
                tiers=_numbers(pd.DataFrame(list(data["tiers"]))),
                misclassified=misclassified,
                cutoffs={k: float(data["cutoffs"][k]) for k in ("high", "medium")},
                suggested_cutoffs={
                    k: float(data["suggested_cutoffs"][k]) for k in ("high", "medium")
                },
                suggested_tiers=_numbers(pd.DataFrame(list(data["suggested_tiers"]))),
                tier_shares=(float(shares[0]), float(shares[1])),
                auc=_float(data["auc"]),
                n_leads=int(data["n_leads"]),
                n_converted=int(data["n_converted"]),
                points_scale=_float(data["points_scale"]),
                id_column=id_column,
            )
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise InputError(
                say(
                    f"the rule review is damaged ({type(error).__name__}: {error}); run "
                    "review_rules again",
                    f"评分规则复核内容已损坏（{type(error).__name__}：{error}）；请重新运行 "
                    "review_rules",
                )
            ) from error


def review_rules(
    leads: pd.DataFrame,
    converted: pd.Series | str,
    *,
    rules: Mapping[str, Any] | str | Path | None = None,
    events: pd.DataFrame | None = None,
    columns: Mapping[str, str] | None = None,
    id_column: str = "lead_id",
    now: Any = None,
    tier_shares: tuple[float, float] = (0.2, 0.3),
) -> RuleReview:
    """Review scoring rules against outcomes: per rule its lift, its points and the points
    the outcomes suggest, per tier its conversion, the leads the tiers got wrong, and
    cut-offs for target tier shares (see the module docstring for how).

    Args:
        leads: the leads whose outcomes are known, with the columns the rules read.
        converted: the outcome per lead (bool or 0/1 on ``leads.index``), or the name of
            the column of ``leads`` that holds it (yes/no, 是/否, 1/0 ...).
        rules: the rules to review: ``None`` (BANT), ``"champ"``, a dict or a JSON file,
            as for :func:`score`.
        events: behaviour events, as for :func:`score`.
        columns: role → column, as for :func:`score`.
        id_column: the lead id, to join ``events`` and to show in ``misclassified``.
        now: the reference time for event decay and timelines: the time the outcomes
            were taken, so that events count as they did then.
        tier_shares: the shares of the leads the suggested cut-offs aim at for the high
            and the medium tier.

    Raises:
        InputError: ``leads`` is not a DataFrame, or ``converted`` is not 0/1 for every lead.
        ColumnError: the outcome column or a mapped column is missing.
        ModelError: fewer than 20 leads of one outcome.
        ConfigError: the rules or ``tier_shares`` are not valid.
    """
    shares = _check_shares(tier_shares)
    try:
        y, _ = read_outcomes(leads, converted)
    except ModelError as error:
        raise ModelError(
            say(f"cannot review the rules: {error}", f"无法复核评分规则：{error}")
        ) from error
    compiled = compile_rules(rules)
    reference = reference_time(now)
    roles = resolve_roles(leads, columns, id_column)
    keys = lead_keys(leads, id_column, required=events is not None)
    evidence = compiled.evidence(leads, roles, events, keys, id_column, reference)
    scored = rule_result(evidence, leads.index, compiled)
    points = scored["score"].to_numpy(dtype=float)
    tiers = scored["tier"].to_numpy(dtype=object)
    tier_rows = tier_table(y, tiers)
    suggested = _suggested_cutoffs(points, shares)
    suggested_tiers = np.where(
        points >= suggested["high"],
        "high",
        np.where(points >= suggested["medium"], "medium", "low"),
    ).astype(object)
    rule_table, scale = _rule_table(evidence, y)
    shown_id = id_column if id_column in leads.columns else None
    return RuleReview(
        rules=rule_table,
        tiers=pd.DataFrame(tier_rows),
        misclassified=_misclassified(leads, scored, y, shown_id),
        cutoffs=_cutoffs_of(compiled.tiers),
        suggested_cutoffs=suggested,
        suggested_tiers=pd.DataFrame(tier_table(y, suggested_tiers)),
        tier_shares=shares,
        auc=auc(y, points),
        n_leads=len(y),
        n_converted=int(y.sum()),
        points_scale=scale,
        id_column=shown_id,
    )


def _check_shares(shares: Any) -> tuple[float, float]:
    try:
        high, medium = (float(v) for v in shares)
    except (TypeError, ValueError) as error:
        raise ConfigError(
            say(
                "tier_shares takes two numbers: (high, medium), e.g. (0.2, 0.3)",
                "tier_shares 须为两个数：(high, medium)，例如 (0.2, 0.3)",
            )
        ) from error
    if not (high > 0 and medium >= 0 and high + medium <= 1):
        raise ConfigError(
            say(
                f"tier_shares need 0 < high and high + medium <= 1, not ({high:g}, {medium:g})",
                f"tier_shares 须满足 0 < high 且 high + medium <= 1，而不是 ({high:g}, {medium:g})",
            )
        )
    return high, medium


def _cutoffs_of(tiers: Tiers) -> dict[str, float]:
    return {"high": float(tiers.high), "medium": float(tiers.medium)}


def _rule_table(evidence: Evidence, y: np.ndarray) -> tuple[pd.DataFrame, float]:
    """One row per rule feature (the events' cap is a note, not a feature), and the
    points per log-odds of the suggestions."""
    kept = [j for j, name in enumerate(evidence.names) if name != "events: cap"]
    names = [evidence.names[j] for j in kept]
    n = len(y)
    values = np.column_stack([evidence.values[j] for j in kept]) if kept else np.zeros((n, 0))
    points = np.column_stack([evidence.points[j] for j in kept]) if kept else np.zeros((n, 0))
    fired = values > 0
    weights, scale = _weights(values, points.sum(axis=1), y)
    overall = float(y.mean())
    rows = []
    for j, name in enumerate(names):
        hit = fired[:, j]
        n_hit, n_miss = int(hit.sum()), int((~hit).sum())
        converted = int(y[hit].sum())
        rate = converted / n_hit if n_hit else math.nan
        rate_not = float(y[~hit].mean()) if n_miss else math.nan
        now_points = float(points[hit, j].mean()) if n_hit else math.nan
        suggested = (
            scale * weights[j] * float(values[hit, j].mean())
            if n_hit and not math.isnan(weights[j])
            else math.nan
        )
        verdict = _verdict(now_points, suggested, rate, rate_not, overall, n_hit, n_miss)
        rows.append(
            {
                "rule": name,
                "leads": n_hit,
                "converted": converted,
                "conversion_rate": rate,
                "rate_not_fired": rate_not,
                "lift": rate / overall if overall > 0 else math.nan,
                "points": now_points,
                "weight": weights[j],
                "suggested_points": round(suggested, 1) if not math.isnan(suggested) else suggested,
                "verdict": verdict,
                "advice": _advice(verdict, now_points, suggested, n_hit),
            }
        )
    return pd.DataFrame(rows, columns=_RULE_COLUMNS), scale


def _weights(values: np.ndarray, total: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """The L2 logistic regression's weight per feature (NaN for a feature that does not
    vary), and the factor that gives its scores the spread of the rules' points."""
    from sklearn.linear_model import LogisticRegression

    weights = np.full(values.shape[1], math.nan)
    varying = np.flatnonzero(values.std(axis=0) > 1e-12) if values.size else np.array([], int)
    if not len(varying):
        return weights, math.nan
    fitted = LogisticRegression(C=_C, max_iter=3000).fit(values[:, varying], y)
    weights[varying] = fitted.coef_[0]
    learnt = values[:, varying] @ fitted.coef_[0]
    spread = float(learnt.std())
    scale = float(total.std()) / spread if spread > 1e-12 else math.nan
    return weights, scale


def _verdict(
    points: float,
    suggested: float,
    rate: float,
    rate_not: float,
    overall: float,
    n_hit: int,
    n_miss: int,
) -> str:
    """One of :data:`VERDICTS`, by the thresholds of the module docstring."""
    if n_hit < _MIN_LEADS or n_miss < _MIN_LEADS:
        return "unclear"
    difference = rate - rate_not
    pooled = (rate * n_hit + rate_not * n_miss) / (n_hit + n_miss)
    error = math.sqrt(pooled * (1 - pooled) * (1 / n_hit + 1 / n_miss))
    if abs(difference) < _NO_LIFT_SHARE * overall or abs(difference) < _NO_LIFT_Z * error:
        return "keep" if points == 0 else "drop"
    if points == 0:
        return "raise" if difference > 0 else "lower"
    if (points > 0) != (difference > 0):
        return "reverse"
    if math.isnan(suggested):
        return "keep"
    ratio = suggested / points
    if ratio >= _RAISE_RATIO:
        return "raise"
    if ratio <= 1 / _RAISE_RATIO:
        return "lower"
    return "keep"


def _advice(verdict: str, points: float, suggested: float, n_hit: int) -> str:
    """The verdict in words, with the suggested points where it changes them."""
    about = "" if math.isnan(suggested) else _signed(suggested)
    if verdict == "raise":
        return say(f"raise (to about {about})", f"提高（约 {about}）")
    if verdict == "lower":
        return say(f"lower (to about {about})", f"降低（约 {about}）")
    if verdict == "drop":
        return say("drop (no lift)", "删除（没有提升）")
    if verdict == "reverse":
        return (
            say(
                "reverse (fires on leads that convert less)",
                "反向（命中的线索转化更少）",
            )
            if points > 0
            else say(
                "reverse (fires on leads that convert more)",
                "反向（命中的线索转化更多）",
            )
        )
    if verdict == "unclear" and not n_hit:
        return say("unclear (never fires on these leads)", "无法判断（这些线索均未命中）")
    if verdict == "unclear":
        return say(
            f"unclear (fewer than {_MIN_LEADS} leads on one side)",
            f"无法判断（命中或未命中的线索少于 {_MIN_LEADS} 条）",
        )
    return say("keep", "保持")


def _signed(points: float) -> str:
    rounded = round(points)
    return f"{rounded:+d}" if abs(points - rounded) < 0.05 else f"{points:+.1f}"


def _suggested_cutoffs(points: np.ndarray, shares: tuple[float, float]) -> dict[str, float]:
    """The scores whose tiers (score at or above them) hold the share of the leads nearest
    to the target: ``shares[0]`` for high, ``shares[0] + shares[1]`` for high and medium
    together. Tied scores stay together, so a tier can miss its share; on a tie of
    distances, the higher cut-off."""
    ordered = np.sort(points)
    candidates = np.unique(ordered)[::-1]  # highest first, so argmin prefers it on a tie
    at_or_above = (len(ordered) - np.searchsorted(ordered, candidates, side="left")) / len(ordered)

    def nearest(share: float) -> float:
        return float(candidates[int(np.argmin(np.abs(at_or_above - share)))])

    high = nearest(shares[0])
    medium = nearest(shares[0] + shares[1]) if shares[1] > 0 else high
    return {"high": high, "medium": min(medium, high)}


def _misclassified(
    leads: pd.DataFrame, scored: pd.DataFrame, y: np.ndarray, id_column: str | None
) -> pd.DataFrame:
    """High-tier leads that did not convert (highest score first), then low-tier leads that
    did (lowest score first); ties keep the leads' order."""
    tiers = scored["tier"].to_numpy(dtype=object)
    points = scored["score"].to_numpy(dtype=float)
    high = np.flatnonzero((tiers == "high") & (y == 0))
    low = np.flatnonzero((tiers == "low") & (y == 1))
    rows = np.concatenate(
        [
            high[np.argsort(-points[high], kind="stable")],
            low[np.argsort(points[low], kind="stable")],
        ]
    ).astype(np.int64)
    frame = pd.DataFrame(index=leads.index[rows])
    if id_column is not None:
        frame[id_column] = leads[id_column].to_numpy(dtype=object)[rows]
    frame["score"] = points[rows]
    frame["tier"] = tiers[rows]
    frame["converted"] = y[rows].astype(bool)
    frame["reasons"] = scored["reasons"].to_numpy(dtype=object)[rows]
    return frame


def _ratio(tiers: pd.DataFrame) -> float:
    """The high tier's conversion rate over the low tier's."""
    rate = dict(zip(tiers["tier"], tiers["conversion_rate"]))
    high, low = float(rate.get("high", math.nan)), float(rate.get("low", math.nan))
    if math.isnan(high) or math.isnan(low):
        return math.nan
    return high / low if low > 0 else (math.inf if high > 0 else math.nan)


def _comparison(ratio: float) -> str:
    """How the high tier converts against the low tier, as a clause."""
    if math.isnan(ratio):
        return say("the high or the low tier is empty", "高意向层或低意向层为空")
    if math.isinf(ratio):
        return say("no low-tier lead converted", "低意向层没有线索转化")
    return say(
        f"the high tier converts {ratio:.1f}× as often as the low tier",
        f"高意向层的转化率是低意向层的 {ratio:.1f} 倍",
    )


def _tier_line(row: Mapping[Any, Any]) -> str:
    return (
        f"{row['tier']:<8} {row['leads']:>7} {row['converted']:>10} "
        f"{_percent(row['conversion_rate']):>7} {_number(row['lift']):>6}"
    )


def _rule_line(row: Mapping[Any, Any]) -> str:
    return (
        f"{_cut(str(row['rule']), 32)} {row['leads']:>7} {_percent(row['conversion_rate']):>7} "
        f"{_number(row['lift']):>6} {_number(row['points'], 1):>7} "
        f"{_number(row['suggested_points'], 1):>10}  {row['advice']}"
    )


def _percent(value: Any) -> str:
    return "-" if _missing(value) else f"{float(value):.1%}"


def _number(value: Any, digits: int = 2) -> str:
    return "-" if _missing(value) else f"{float(value):.{digits}f}"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _cut(text: str, width: int) -> str:
    """``text`` cut (with "…") and padded to ``width`` columns, a Han character taking two."""

    def size(char: str) -> int:
        return 2 if unicodedata.east_asian_width(char) in "WF" else 1

    if sum(map(size, text)) > width:
        while sum(map(size, text)) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - sum(map(size, text)))


def _label_of(label: Any) -> Any:
    """An index label as JSON holds it: numbers and text as they are, anything else as
    text."""
    if isinstance(label, (str, int, float, bool, np.integer, np.floating, np.bool_)):
        return label
    return str(label)


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns that JSON's ``null`` turned into objects, back to floats."""
    for column in ("conversion_rate", "rate_not_fired", "lift", "points", "weight",
                   "suggested_points"):  # fmt: skip
        if column in frame.columns:
            frame[column] = frame[column].astype(float)
    return frame
