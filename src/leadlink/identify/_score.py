"""Lead identification (线索识别): explainable scores, intent tiers and lifecycle stages.

:func:`score` gives every lead, on the input's index, a ``score`` from 0 to 100, a ``tier``
(``"high"``, ``"medium"``, ``"low"``), a lifecycle ``stage`` (``"new"``, ``"potential"``,
``"intent"``, ``"customer"``) and ``reasons``: short sentences that name the field and the
points it earned, largest first::

    ['title 采购总监 is a decision-maker (+20)', '3 demo requests in the last 12 days (+31)',
     'budget 50万 is stated (+15)', 'valid phone (+8)']

The rules are data (:mod:`leadlink.identify._rules`): the BANT preset by default,
``rules="champ"``, or your own dict or JSON file. Behaviour events decay with a half-life,
so a demo request last week counts more than one last year, and their sum is capped so
that clicking alone cannot make a lead hot.

:func:`score_golden` scores merged people (``DedupeResult.golden``): each member lead's
events once, fields from the golden record. With an :class:`OutcomeModel`
(:func:`fit_outcome_model`) as ``rules``, the same evidence is weighed by learnt
coefficients instead of points.

Nothing here logs names, phones, emails or any other field value.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import id_text, reference_time
from leadlink.errors import ColumnError, InputError
from leadlink.identify._cells import is_none, is_null, status_key
from leadlink.identify._evidence import Evidence, count_events, lead_keys, resolve_roles
from leadlink.identify._measures import sigmoid
from leadlink.identify._outcome import OutcomeModel
from leadlink.identify._rules import Rules, compile_rules
from leadlink.schema import ROLES, SCORE_ROLES

__all__ = ["STAGES", "TIERS", "rule_result", "score", "score_golden"]

logger = logging.getLogger(__name__)

#: Tier values, best first, and lifecycle stages, earliest first.
TIERS: tuple[str, ...] = ("high", "medium", "low")
STAGES: tuple[str, ...] = ("new", "potential", "intent", "customer")

# Reasons a model score gives at most: the largest effects.
_MAX_MODEL_REASONS = 6


def score(
    leads: pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    rules: Mapping[str, Any] | str | Path | OutcomeModel | None = None,
    columns: Mapping[str, str] | None = None,
    id_column: str = "lead_id",
    now: Any = None,
    golden: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score, tier, stage and reasons for every lead, on the input's index.

    Args:
        leads: the leads; every row gets a result row, ghosts and blanks included.
        events: behaviour, one row per event: ``lead_id`` (or ``id_column``), ``event``
            (``visit``, ``download``, ``email_click``, ``demo_request``, ``webinar``,
            ``form``, ``pricing``, ``purchase`` ...) and ``timestamp``.
        rules: ``None`` (:data:`DEFAULT_RULES`, BANT), ``"champ"``, your own dict or JSON
            file (see :func:`load_rules`), or an :class:`OutcomeModel`.
        columns: role → column (``{"title": "职务", "budget": "预算金额"}``); besides the
            usual roles, ``budget``, ``timeline``, ``need`` and ``status``. Roles left out
            are detected from the headers.
        id_column: the lead id in ``leads``, used to join ``events`` and ``golden``.
        now: the reference time for event decay and timelines; defaults to now (UTC).
        golden: ``DedupeResult.golden``; when given, every lead carries the score of its
            merged person (:func:`score_golden`) and a ``cluster_id`` column is added.

    Returns:
        A frame on ``leads.index`` with ``score`` (float, 0–100), ``tier``, ``stage`` and
        ``reasons`` (list of str, largest effect first). With ``events``, its
        ``attrs["skipped_events"]`` counts the events left out — ``no_lead_id``,
        ``unknown_lead`` (an id that is not one of the leads), ``no_type`` — and
        ``attrs["undated_events"]`` those of a missing or unreadable time, which count as
        of unknown age (half their weight, never recent); a warning is logged with the
        counts when either is not zero.

    Raises:
        InputError: ``leads`` or ``events`` is not a DataFrame.
        ColumnError: a mapped column is missing, or ``events`` lack the needed columns.
        ConfigError: the rules are not valid.
    """
    model, compiled = _rules_or_model(rules)
    reference = reference_time(now)
    if golden is not None:
        result, known = _score_through_golden(
            leads, golden, events, model, compiled, columns, id_column, reference
        )
    else:
        result, keys = _score_leads(leads, events, model, compiled, columns, id_column, reference)
        known = set() if keys is None else {k for k in keys if k is not None}
    return _with_event_counts(result, events, id_column, known)


def _score_leads(
    leads: pd.DataFrame,
    events: pd.DataFrame | None,
    model: OutcomeModel | None,
    compiled: Rules,
    columns: Mapping[str, str] | None,
    id_column: str,
    reference: pd.Timestamp,
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The result frame of :func:`score` without golden records, and the leads' keys."""
    roles = resolve_roles(leads, columns, id_column)
    keys = lead_keys(leads, id_column, required=events is not None)
    evidence = compiled.evidence(leads, roles, events, keys, id_column, reference)
    if model is not None:
        return _model_result(model, evidence, leads, leads.index, compiled, reference), keys
    return rule_result(evidence, leads.index, compiled), keys


def _with_event_counts(
    result: pd.DataFrame, events: pd.DataFrame | None, id_column: str, known: set[str]
) -> pd.DataFrame:
    """``result`` with the counts of events left out and of undated events in its
    ``attrs``, and a warning with the counts (never an id) when there are any."""
    if events is None:
        return result
    counts = count_events(events, id_column, known)
    skipped = {k: counts[k] for k in ("no_lead_id", "unknown_lead", "no_type")}
    result.attrs["skipped_events"] = skipped
    result.attrs["undated_events"] = counts["undated"]
    if any(skipped.values()):
        logger.warning(
            say(
                "%d of %d event(s) left out of the scores: %d without a lead id, %d of a lead "
                "id that is not among the leads, %d without an event type",
                "%d 个事件（共 %d 个）未计入得分：%d 个没有线索 ID，%d 个的线索 ID "
                "不在这批线索中，%d 个没有事件类型",
            ),
            sum(skipped.values()),
            counts["events"],
            skipped["no_lead_id"],
            skipped["unknown_lead"],
            skipped["no_type"],
        )
    if counts["undated"]:
        logger.warning(
            say(
                "%d event(s) have a missing or unreadable time: counted as of unknown age "
                "(half their weight, not recent)",
                "%d 个事件的时间缺失或无法识别：按时间未知计算（计一半权重，不算近期）",
            ),
            counts["undated"],
        )
    return result


def score_golden(
    result_golden: pd.DataFrame,
    leads: pd.DataFrame,
    events: pd.DataFrame | None = None,
    rules: Mapping[str, Any] | str | Path | OutcomeModel | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    id_column: str = "lead_id",
    now: Any = None,
) -> pd.DataFrame:
    """Score merged people: one row per cluster of ``result_golden``, on its index.

    Fields come from the golden record (its name, phone, email, company, title ...);
    ``budget``, ``timeline`` and ``need``, which golden records do not carry, come from the
    first member lead (in ``lead_ids`` order) that states them, and ``status`` makes the
    person a customer when any member's does. Events count once per event across all the
    members: a lead id listed twice is counted once, so someone who filled three forms
    under three spellings scores as one engaged person.

    Returns:
        ``cluster_id``, ``score``, ``tier``, ``stage``, ``reasons``; with ``events``, the
        ``attrs`` counts of :func:`score` (an event of a lead in no cluster is
        ``unknown_lead``).

    Raises:
        InputError: ``result_golden`` lacks ``cluster_id``/``lead_ids``, or a lead id
            belongs to two clusters.
    """
    model, compiled = _rules_or_model(rules)
    reference = reference_time(now)
    result, members = _score_golden(
        result_golden, leads, events, model, compiled, columns, id_column, reference
    )
    return _with_event_counts(result, events, id_column, set(members["lead"]))


def _score_golden(
    result_golden: pd.DataFrame,
    leads: pd.DataFrame,
    events: pd.DataFrame | None,
    model: OutcomeModel | None,
    compiled: Rules,
    columns: Mapping[str, str] | None,
    id_column: str,
    reference: pd.Timestamp,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The result frame of :func:`score_golden`, and the (cluster, lead) members."""
    carry = [] if model is None else list(model.columns)
    people, roles, members = _golden_frame(
        result_golden, leads, columns, id_column, compiled, carry
    )
    keys = people["cluster_id"].map(id_text).to_numpy(dtype=object)
    cluster_events = None
    if events is not None:
        cluster_events = _events_by_cluster(events, members, id_column)
    evidence = compiled.evidence(people, roles, cluster_events, keys, "cluster_id", reference)
    result = (
        _model_result(model, evidence, people, result_golden.index, compiled, reference)
        if model is not None
        else rule_result(evidence, result_golden.index, compiled)
    )
    result.insert(0, "cluster_id", result_golden["cluster_id"].to_numpy())
    return result, members


def _rules_or_model(
    rules: Mapping[str, Any] | str | Path | OutcomeModel | None,
) -> tuple[OutcomeModel | None, Rules]:
    if isinstance(rules, OutcomeModel):
        return rules, rules._compiled()
    return None, compile_rules(rules)


def _score_through_golden(
    leads: pd.DataFrame,
    golden: pd.DataFrame,
    events: pd.DataFrame | None,
    model: OutcomeModel | None,
    compiled: Rules,
    columns: Mapping[str, str] | None,
    id_column: str,
    now: pd.Timestamp,
) -> tuple[pd.DataFrame, set[str]]:
    """Each lead with its person's score (alone when in no cluster), and the lead ids
    the events may name (the members' and the leads')."""
    people, members = _score_golden(golden, leads, events, model, compiled, columns, id_column, now)
    keys = lead_keys(leads, id_column, required=True)
    assert keys is not None  # required=True raises instead
    cluster_of = dict(zip(members["lead"], members["cluster"]))
    row_of_cluster = {id_text(c): i for i, c in enumerate(golden["cluster_id"])}
    rows = np.array(
        [row_of_cluster.get(cluster_of.get(k, ""), -1) if k is not None else -1 for k in keys],
        dtype=np.int64,
    )
    alone = np.flatnonzero(rows < 0)
    merged = np.flatnonzero(rows >= 0)
    out: dict[str, np.ndarray] = {}
    single = None
    if len(alone):
        single, _ = _score_leads(
            leads.iloc[alone], events, model, compiled, columns, id_column, now
        )
    for column in people.columns:
        values = np.empty(len(leads), dtype=object)
        values[merged] = people[column].to_numpy(dtype=object)[rows[merged]]
        if single is not None:
            values[alone] = single[column].to_numpy(dtype=object) if column in single else None
        out[column] = values
    result = pd.DataFrame(out, index=leads.index)
    for number in ("score", "probability"):
        if number in result:
            result[number] = result[number].astype(float)
    known = set(members["lead"]) | {k for k in keys if k is not None}
    return result, known


def _golden_frame(
    golden: pd.DataFrame,
    leads: pd.DataFrame,
    columns: Mapping[str, str] | None,
    id_column: str,
    rules: Rules,
    carry: list[str],
) -> tuple[pd.DataFrame, dict[str, str], pd.DataFrame]:
    """One row per merged person: the golden record's roles, the scoring roles from the
    first member lead that states them (a customer when any member is), and ``carry`` —
    an outcome model's columns — from the first member lead that has a value."""
    if not isinstance(golden, pd.DataFrame) or not {"cluster_id", "lead_ids"} <= set(
        golden.columns
    ):
        raise InputError(
            say(
                "result_golden must be DedupeResult.golden: a DataFrame with cluster_id and "
                "lead_ids (a list of lead ids per cluster)",
                "result_golden 须为 DedupeResult.golden：含 cluster_id 和 lead_ids"
                "（每个簇的线索 ID 列表）的 DataFrame",
            )
        )
    members = _members(golden)
    people = pd.DataFrame(
        {"cluster_id": golden["cluster_id"].to_numpy()}, index=pd.RangeIndex(len(golden))
    )
    roles: dict[str, str] = {}
    for role in ROLES:
        if role in golden.columns:
            people[role] = golden[role].to_numpy(dtype=object)
            roles[role] = role
    lead_roles = resolve_roles(leads, columns, id_column)
    extra = {r: c for r, c in lead_roles.items() if r in SCORE_ROLES}
    extra |= {c: c for c in carry if c in leads.columns and c not in people.columns}
    if extra:
        keys = lead_keys(leads, id_column, required=True)
        order = members.assign(position=np.arange(len(members)))
        frame = pd.DataFrame({"lead": keys})
        for label, column in extra.items():
            frame[label] = leads[column].to_numpy(dtype=object)
        joined = order.merge(frame, on="lead", how="inner").sort_values("position", kind="stable")
        row_of_cluster = pd.Series(
            np.arange(len(golden)), index=golden["cluster_id"].map(id_text).to_numpy()
        )
        for label in extra:
            if label in SCORE_ROLES and label == "status":
                won = joined[label].map(lambda v: status_key(v) in rules.stage.customer_status)
                picked = pd.concat([joined[won], joined[~won]]).drop_duplicates("cluster")
            elif label in SCORE_ROLES:
                picked = joined[~joined[label].map(is_none)].drop_duplicates("cluster")
            else:
                blank = joined[label].map(lambda v: is_null(v) or str(v).strip() == "")
                picked = joined[~blank].drop_duplicates("cluster")
            values = np.full(len(golden), None, dtype=object)
            values[row_of_cluster[picked["cluster"]].to_numpy()] = picked[label].to_numpy(
                dtype=object
            )
            people[label] = values
            if label in SCORE_ROLES:
                roles[label] = label
    return people, roles, members


def _members(golden: pd.DataFrame) -> pd.DataFrame:
    """(cluster, lead) pairs as text, each once; refuses a lead in two clusters."""
    pairs = [
        (id_text(cluster), id_text(lead))
        for cluster, ids in zip(golden["cluster_id"], golden["lead_ids"])
        for lead in (ids if isinstance(ids, (list, tuple, np.ndarray)) else [ids])
        if not is_null(lead)
    ]
    members = pd.DataFrame(pairs, columns=["cluster", "lead"]).drop_duplicates()
    shared = members["lead"].duplicated(keep=False)
    if shared.any():
        raise InputError(
            say(
                f"{members.loc[shared, 'lead'].nunique()} lead id(s) are listed in more than one "
                "cluster of the golden records; pass DedupeResult.golden unchanged",
                f"有 {members.loc[shared, 'lead'].nunique()} 个线索 ID 出现在黄金记录的多个簇中；"
                "请原样传入 DedupeResult.golden",
            )
        )
    return members


def _events_by_cluster(events: pd.DataFrame, members: pd.DataFrame, id_column: str) -> pd.DataFrame:
    if not isinstance(events, pd.DataFrame):
        raise InputError(
            say(
                f"events must be a pandas DataFrame, not {type(events).__name__}",
                f"events 须为 pandas DataFrame，而不是 {type(events).__name__}",
            )
        )
    id_in_events = id_column if id_column in events.columns else "lead_id"
    if id_in_events not in events.columns:
        raise ColumnError(
            say(
                f"events need a lead id column named {id_column!r}",
                f"events 需要名为 {id_column!r} 的线索 ID 列",
            )
        )
    cluster_of = dict(zip(members["lead"], members["cluster"]))
    moved = events.drop(columns=[id_in_events])
    moved.insert(
        0, "cluster_id", events[id_in_events].map(lambda v: cluster_of.get(id_text(v))).to_numpy()
    )
    return moved


def rule_result(evidence: Evidence, index: pd.Index, rules: Rules) -> pd.DataFrame:
    points = np.column_stack(evidence.points) if evidence.points else np.zeros((evidence.n, 0))
    total = np.clip(points.sum(axis=1), 0, 100).round(1)
    template = say(" ({})", "（{}）")
    reasons = _reasons(evidence, points, lambda p: template.format(_signed(p)))
    return _frame(total, reasons, evidence, index, rules)


def _model_result(
    model: OutcomeModel,
    evidence: Evidence,
    leads: pd.DataFrame,
    index: pd.Index,
    rules: Rules,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """Score = 100 × the model's calibrated probability, the model's tiers, and reasons
    from the columns (``[data]``) and the rules' evidence (``[rule]``) by their effect in
    log-odds. A ghost lead is low by the rules' policy, whatever the model says."""
    missing = model.spec.missing_columns(leads)
    if missing:
        logger.warning(
            say(
                "%d column(s) the outcome model learnt from are not in the leads and count as "
                "not given: %s",
                "转化预测模型学习过的 %d 列不在这批线索中，按未填写计算：%s",
            ),
            len(missing),
            ", ".join(repr(c) for c in missing),
        )
    log_odds, parts, groups = model.explain(leads, evidence, now)
    probability = sigmoid(log_odds)
    tier = model.tier(probability)
    words = model.spec.texts(leads, now)
    position = {name: j for j, name in enumerate(evidence.names)}
    data_tag, rule_tag = say("[data] ", "[数据] "), say("[rule] ", "[规则] ")
    template = say(" ({:+.2f} log-odds)", "（{:+.2f} 对数几率）")
    texts: list[np.ndarray] = []
    for group in groups:
        if group.startswith("rule:"):
            name = group[len("rule:") :]
            said = evidence.texts[position[name]] if name in position else None
            label = evidence.labels[position[name]] if name in position else name
            absent = say(f"no: {label}", f"否：{label}")
            column = np.full(evidence.n, rule_tag + absent, dtype=object)
            if said is not None:
                given = pd.notna(said)
                column[given] = rule_tag + said[given].astype(str)
            texts.append(column)
        else:
            texts.append(data_tag + words[group].astype(object))
    reasons: list[list[str]] = []
    for i in range(evidence.n):
        ranked = sorted(
            (j for j in range(len(groups)) if abs(parts[i, j]) >= 0.05),
            key=lambda j: (-abs(parts[i, j]), j),
        )[:_MAX_MODEL_REASONS]
        reasons.append([f"{texts[j][i]}{template.format(parts[i, j])}" for j in ranked])
    if "ghost lead" in position and rules["ghost"] is not None:
        ghosts = np.flatnonzero(evidence.values[position["ghost lead"]] > 0)
        policy = say(": low tier by the rules", "：按规则列为低意向")
        for g in ghosts:
            tier[g] = "low"
            reasons[g].insert(0, f"{rule_tag}{evidence.texts[position['ghost lead']][g]}{policy}")
    total = (100.0 * probability).round(1)
    result = _frame(total, reasons, evidence, index, rules, tier=tier)
    result.insert(1, "probability", probability)
    return result


def _frame(
    total: np.ndarray,
    reasons: list[list[str]],
    evidence: Evidence,
    index: pd.Index,
    rules: Rules,
    tier: np.ndarray | None = None,
) -> pd.DataFrame:
    if tier is None:
        high, medium = rules.tiers.high, rules.tiers.medium
        tier = np.where(total >= high, "high", np.where(total >= medium, "medium", "low"))
    n = evidence.n
    customer = evidence.customer if evidence.customer is not None else np.zeros(n, dtype=bool)
    intent = evidence.intent if evidence.intent is not None else np.zeros(n, dtype=bool)
    engaged = evidence.engaged if evidence.engaged is not None else np.zeros(n, dtype=bool)
    stage = np.select(
        [customer, intent | (tier == "high"), engaged | (tier == "medium")],
        ["customer", "intent", "potential"],
        default="new",
    )
    return pd.DataFrame(
        {
            "score": total.astype(float),
            "tier": pd.Series(tier, dtype=object).to_numpy(),
            "stage": pd.Series(stage, dtype=object).to_numpy(),
            "reasons": reasons,
        },
        index=index,
    )


def _reasons(evidence: Evidence, effects: np.ndarray, suffix: Any) -> list[list[str]]:
    collected: list[list[tuple[float, int, str]]] = [[] for _ in range(evidence.n)]
    for j, texts in enumerate(evidence.texts):
        for i in np.flatnonzero(pd.notna(texts)):
            effect = float(effects[i, j])
            if evidence.names[j] == "events: cap":
                collected[i].append((-1.0, j, str(texts[i])))
            elif abs(effect) >= 0.05:
                collected[i].append((abs(effect), j, f"{texts[i]}{suffix(effect)}"))
    return [[text for _, _, text in sorted(row, key=lambda r: (-r[0], r[1]))] for row in collected]


def _signed(points: float) -> str:
    rounded = round(points)
    return f"{rounded:+d}" if abs(points - rounded) < 0.05 else f"{points:+.1f}"
