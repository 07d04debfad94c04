"""Evidence: what the leads' fields and behaviour events show, one feature per rule outcome.

Each kind of rule (:mod:`leadlink.identify._rules`) adds its features to an
:class:`Evidence`: per lead the feature's value (what the outcome model weighs), the
points the rules give, and the sentence that explains them (``None`` where the feature
says nothing about the lead). A :class:`Context` hands the rules what they read: the
leads' columns by role, each distinct value read once, the leads' validation, and the
behaviour events, decayed by age and capped.

Nothing here logs a field value: only counts.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import get_language, say
from leadlink._values import factorize, id_text, parse_times
from leadlink.clean import validate
from leadlink.errors import ColumnError, InputError
from leadlink.identify._cells import event_key, is_null
from leadlink.schema import ROLES, SCORE_ROLES, check_frame, describe_columns, resolve_columns

__all__ = [
    "UNDATED_DECAY",
    "Context",
    "Evidence",
    "add_events",
    "count_events",
    "lead_keys",
    "only",
    "resolve_roles",
    "shown",
]

logger = logging.getLogger(__name__)

_EVENT_LABELS: dict[str, tuple[str, str]] = {
    "visit": ("visit", "visits"),
    "email_open": ("email open", "email opens"),
    "email_click": ("email click", "email clicks"),
    "download": ("download", "downloads"),
    "webinar": ("webinar", "webinars"),
    "form": ("form submission", "form submissions"),
    "pricing": ("pricing page view", "pricing page views"),
    "trial": ("trial sign-up", "trial sign-ups"),
    "demo_request": ("demo request", "demo requests"),
    "contact_sales": ("contact-sales request", "contact-sales requests"),
    "purchase": ("purchase", "purchases"),
}

#: The same events as a Chinese reason names them ("3 次预约演示").
_EVENT_LABELS_ZH: dict[str, str] = {
    "visit": "访问",
    "email_open": "打开邮件",
    "email_click": "点击邮件",
    "download": "下载",
    "webinar": "参加网络研讨会",
    "form": "提交表单",
    "pricing": "查看价格页",
    "trial": "注册试用",
    "demo_request": "预约演示",
    "contact_sales": "联系销售",
    "purchase": "购买",
}

_EVENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "event": ("event", "event_type", "eventtype", "type", "action", "事件", "行为", "事件类型"),
    "timestamp": (
        "timestamp", "time", "ts", "date", "datetime", "occurred_at", "event_time",
        "created_at", "时间", "发生时间", "事件时间",
    ),
}  # fmt: skip

#: What an event whose time is missing or unreadable is worth, as a share of its weight:
#: as much as an event one half-life old. It is kept rather than dropped (a demo request of
#: unknown date still says the lead asked for a demo), but never counts as recent.
UNDATED_DECAY = 0.5

# The roles :func:`leadlink.validate` is given to judge contacts and ghosts.
_VALIDATED_ROLES = ("name", "phone", "email", "company")


@dataclass
class Evidence:
    """Per lead and feature: the feature value (for models), the points the rules give,
    and the explanation (``None`` where the feature says nothing about the lead).

    ``customer``, ``intent`` and ``engaged`` are what the lifecycle stage is read from.
    """

    n: int
    names: list[str] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)
    points: list[np.ndarray] = field(default_factory=list)
    texts: list[np.ndarray] = field(default_factory=list)
    is_event: list[bool] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    customer: np.ndarray | None = None
    intent: np.ndarray | None = None
    engaged: np.ndarray | None = None

    def add(
        self,
        name: str,
        values: np.ndarray,
        points: np.ndarray,
        texts: np.ndarray,
        *,
        is_event: bool = False,
        label: str | None = None,
    ) -> None:
        """Add a feature; ``label`` names it in the user's language (default: ``name``)
        for the reasons that say a lead lacks it."""
        self.names.append(name)
        self.labels.append(label or name)
        self.values.append(values.astype(float))
        self.points.append(points.astype(float))
        self.texts.append(texts)
        self.is_event.append(is_event)

    def subset(self, rows: np.ndarray) -> Evidence:
        """The evidence of some leads only (positions), the same features."""
        return Evidence(
            len(rows),
            names=self.names,
            values=[v[rows] for v in self.values],
            points=[p[rows] for p in self.points],
            texts=[t[rows] for t in self.texts],
            is_event=self.is_event,
            labels=self.labels,
        )

    def matrix(self) -> np.ndarray:
        if not self.values:
            return np.zeros((self.n, 0))
        return np.column_stack(self.values)


@dataclass
class Context:
    """What the rules read: the leads and their columns by role, the events joined on
    ``lead_keys`` (one key per lead row, ``None`` for none), and the reference time."""

    leads: pd.DataFrame
    roles: Mapping[str, str]
    events: pd.DataFrame | None
    lead_keys: np.ndarray | None
    id_label: str
    now: pd.Timestamp
    evidence: Evidence = field(init=False)

    def __post_init__(self) -> None:
        self.evidence = Evidence(len(self.leads))

    def per_value(
        self, role: str, read: Callable[[Any], Any], missing: Any, dtype: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``read`` of each lead's ``role`` value, called once per distinct value, and the
        value as reasons show it; ``missing`` (and ``""``) for a blank cell or no column."""
        column = self.roles.get(role)
        values = (
            self.leads[column] if column is not None else pd.Series(np.full(len(self.leads), None))
        )
        codes, uniques = factorize(values)
        read_values = np.array([read(v) for v in uniques] + [missing], dtype=dtype)[codes]
        texts = np.array([shown(v) for v in uniques] + [""], dtype=object)[codes]
        return read_values, texts

    @cached_property
    def validation(self) -> pd.DataFrame:
        """:func:`leadlink.validate` of the leads' name, phone, email and company, read
        once for every rule that needs it."""
        columns = {r: c for r, c in self.roles.items() if r in _VALIDATED_ROLES}
        return validate(self.leads, columns=columns, required=())


def add_events(
    context: Context,
    *,
    weights: Mapping[str, float],
    half_life: float,
    cap: float | None,
    aliases: Mapping[str, str],
    intent_events: frozenset[str],
    customer_events: frozenset[str],
    window_days: float,
) -> None:
    """One feature per weighed event type (``log(1 + decayed count)``, worth its weight
    times ``0.5 ** (age / half_life)`` per event, the sum capped), and the stage flags:
    ``engaged`` and ``intent`` by events in the last ``window_days``, ``customer`` by any
    customer event. An event of unknown time is worth :data:`UNDATED_DECAY` of its weight
    and is not recent; events of no lead here are left out (:func:`count_events` counts
    both)."""
    evidence = context.evidence
    n = evidence.n
    evidence.intent = np.zeros(n, dtype=bool)
    evidence.engaged = np.zeros(n, dtype=bool)
    evidence.customer = np.zeros(n, dtype=bool)
    types = list(weights)
    events, keys = context.events, context.lead_keys
    if events is None or keys is None:
        for kind in types:  # the features exist, so a model sees the same columns
            zeros = np.zeros(n)
            evidence.add(
                f"events: {kind}",
                zeros,
                zeros,
                np.full(n, None, dtype=object),
                is_event=True,
                label=_event_label(kind),
            )
        return
    table = _event_table(events, context.id_label, aliases, context.now)
    # Each lead row takes the events of its key; keys shared by several rows give each
    # row the same events (rows are never merged here — see score_golden).
    row_of_key = pd.Series(np.arange(n), index=pd.Index(keys))
    table = table[table["key"].isin(row_of_key.index)]
    table = table.merge(pd.DataFrame({"key": keys, "row": np.arange(n)}), on="key", how="inner")
    rows = table["row"].to_numpy(dtype=np.int64)
    recent = (table["age"] <= window_days).to_numpy()
    kinds = table["kind"].to_numpy(dtype=object)
    known = np.isin(kinds, np.array([*types, *intent_events, *customer_events], dtype=object))
    evidence.engaged[rows[recent & known]] = True
    evidence.intent[rows[recent & np.isin(kinds, list(intent_events))]] = True
    evidence.customer[rows[np.isin(kinds, list(customer_events))]] = True

    ages = table["age"].to_numpy(dtype=float)
    undated = np.isnan(ages)
    half = np.where(undated, UNDATED_DECAY, np.power(0.5, ages / half_life))
    describe = _event_text_zh if get_language() == "zh" else _event_text
    raw_points: list[np.ndarray] = []
    texts_by_kind: list[np.ndarray] = []
    decayed_by_kind: list[np.ndarray] = []
    for kind in types:
        mine = kinds == kind
        decayed = np.bincount(rows[mine], weights=half[mine], minlength=n)
        dated = mine & ~undated
        count = np.bincount(rows[dated], minlength=n)
        count_undated = np.bincount(rows[mine & undated], minlength=n)
        oldest = np.zeros(n)
        np.maximum.at(oldest, rows[dated], ages[dated])
        raw_points.append(decayed * weights[kind])
        decayed_by_kind.append(decayed)
        texts = np.full(n, None, dtype=object)
        for i in np.flatnonzero(count + count_undated):
            texts[i] = describe(kind, int(count[i]), float(oldest[i]), int(count_undated[i]))
        texts_by_kind.append(texts)
    total = np.sum(raw_points, axis=0) if raw_points else np.zeros(n)
    scale = np.ones(n)
    if cap is not None:
        over = total > cap
        scale[over] = cap / total[over]
    for kind, points, decayed, texts in zip(types, raw_points, decayed_by_kind, texts_by_kind):
        evidence.add(
            f"events: {kind}",
            np.log1p(decayed),
            points * scale,
            texts,
            is_event=True,
            label=_event_label(kind),
        )
    if cap is not None:
        over = total > cap
        capped = say(
            "behaviour capped at +{cap:g} (uncapped +{total:.0f})",
            "行为得分封顶 +{cap:g}（未封顶为 +{total:.0f}）",
        )
        note = only(
            over,
            np.array(
                [capped.format(cap=cap, total=t) for t in total],
                dtype=object,
            ),
        )
        evidence.add("events: cap", np.zeros(n), np.zeros(n), note, is_event=True)


def _event_label(kind: str) -> str:
    """An event type as reasons name it: ``demo requests``, ``预约演示``."""
    english = _EVENT_LABELS.get(kind, (kind, kind))[1]
    return say(english, _EVENT_LABELS_ZH.get(kind, kind))


def count_events(events: pd.DataFrame, id_label: str, known: set[str]) -> dict[str, int]:
    """How many ``events`` there are and how many cannot count as they are: ``no_lead_id``
    (a blank id), ``unknown_lead`` (an id not in ``known``, the lead ids as text),
    ``no_type`` (a blank event type) — these are left out — and, of the others,
    ``undated`` (a missing or unreadable time: counted as of unknown age)."""
    id_column, event_column, time_column = _event_columns(events, id_label)
    keys = events[id_column].map(lambda v: "" if is_null(v) else id_text(v))
    has_id = (keys != "").to_numpy()
    in_known = keys.isin(known).to_numpy() & has_id
    codes, uniques = factorize(events[event_column])
    typed = np.array([event_key(u) != "" for u in uniques] + [False], dtype=bool)[codes]
    times = parse_times(events[time_column])
    return {
        "events": len(events),
        "no_lead_id": int((~has_id).sum()),
        "unknown_lead": int((has_id & ~in_known).sum()),
        "no_type": int((in_known & ~typed).sum()),
        "undated": int((in_known & typed & np.isnat(times)).sum()),
    }


def _event_columns(events: pd.DataFrame, id_label: str) -> tuple[str, str, str]:
    """The events' lead id, event type and time columns."""
    if not isinstance(events, pd.DataFrame):
        raise InputError(
            say(
                f"events must be a pandas DataFrame with columns {id_label}, event, timestamp, "
                f"not {type(events).__name__}",
                f"events 须为含 {id_label}、event、timestamp 列的 pandas DataFrame，"
                f"而不是 {type(events).__name__}",
            )
        )
    found: dict[str, str] = {}
    id_column = id_label if id_label in events.columns else None
    if id_column is None and "lead_id" in events.columns:
        id_column = "lead_id"
    if id_column is None:
        raise ColumnError(
            say(
                f"events need a lead id column named {id_label!r}; the events have "
                f"{describe_columns(events.columns)}",
                f"events 需要名为 {id_label!r} 的线索 ID 列；events 的列为 "
                f"{describe_columns(events.columns)}",
            )
        )
    for name, spellings in _EVENT_COLUMNS.items():
        match = [c for c in events.columns if event_key(c) in spellings and c != id_column]
        if not match:
            raise ColumnError(
                say(
                    f"events need a {name!r} column (also read: {', '.join(spellings[1:4])} …); "
                    f"the events have {describe_columns(events.columns)}",
                    f"events 需要 {name!r} 列（也可写作：{', '.join(spellings[1:4])} …）；"
                    f"events 的列为 {describe_columns(events.columns)}",
                )
            )
        found[name] = match[0]
    return id_column, found["event"], found["timestamp"]


def _event_table(
    events: pd.DataFrame, id_label: str, aliases: Mapping[str, str], now: pd.Timestamp
) -> pd.DataFrame:
    """The events as ``key`` (lead id text), ``kind`` (event type after aliases) and
    ``age`` (days before ``now``, NaN when the time is missing or unreadable), without
    rows lacking an id."""
    id_column, event_column, time_column = _event_columns(events, id_label)
    codes, uniques = factorize(events[event_column])
    kind_of = [aliases.get(event_key(u), event_key(u)) for u in uniques]
    kinds = np.array([*kind_of, ""], dtype=object)[codes]
    times = parse_times(events[time_column])
    age = (now.to_datetime64() - times) / np.timedelta64(1, "D")
    table = pd.DataFrame(
        {
            "key": events[id_column].map(id_text).to_numpy(dtype=object),
            "kind": kinds,
            "age": np.clip(age, 0, None),  # a time after `now` counts as now
        }
    )
    return table[events[id_column].notna().to_numpy()]


def _event_text(kind: str, count: int, oldest_days: float, undated: int = 0) -> str:
    one, many = _EVENT_LABELS.get(kind, (f"{kind} event", f"{kind} events"))
    unknown_time = "at an unknown time" if undated == 1 else "at unknown times"
    if count == 0:
        return f"{undated} {one if undated == 1 else many} {unknown_time}"
    if count == 1:
        when = "today" if oldest_days < 1 else f"{_days(oldest_days)} ago"
        text = f"1 {one} {when}"
    else:
        text = f"{count} {many} in the last {_days(max(oldest_days, 1.0))}"
    return f"{text} and {undated} {unknown_time}" if undated else text


def _event_text_zh(kind: str, count: int, oldest_days: float, undated: int) -> str:
    """:func:`_event_text` in Chinese: "近 12 天内 3 次预约演示，另有 1 次时间未知"."""
    label = _EVENT_LABELS_ZH.get(kind, f"{kind} 事件")
    if count == 0:
        return f"{undated} 次{label}，时间未知"
    if count == 1:
        when = "今天" if oldest_days < 1 else f"{_whole_days(oldest_days)} 天前"
        text = f"{when} 1 次{label}"
    else:
        text = f"近 {_whole_days(max(oldest_days, 1.0))} 天内 {count} 次{label}"
    return f"{text}，另有 {undated} 次时间未知" if undated else text


def _days(days: float) -> str:
    whole = _whole_days(days)
    return "1 day" if whole == 1 else f"{whole} days"


def _whole_days(days: float) -> int:
    return max(1, math.ceil(days - 1e-9))


def resolve_roles(
    leads: pd.DataFrame, columns: Mapping[str, str] | None, id_column: str
) -> dict[str, str]:
    """Role → column of ``leads``, the scoring roles (budget, timeline, need, status)
    included; ``columns`` wins, the rest is detected from the headers."""
    check_frame(leads)  # before reading its columns
    usable_id = id_column if id_column in leads.columns else None
    return resolve_columns(leads, columns, id_column=usable_id, roles=(*ROLES, *SCORE_ROLES))


def lead_keys(leads: pd.DataFrame, id_column: str, *, required: bool) -> np.ndarray | None:
    """Each lead's id as text (``None`` for a blank id), to join events and golden
    records on; ``None`` without an id column unless ``required``."""
    if id_column not in leads.columns:
        if required:
            raise ColumnError(
                say(
                    f"the leads have no id column {id_column!r} to join events or golden records "
                    "on; pass id_column=...",
                    f"线索中没有 ID 列 {id_column!r}，无法关联行为事件或黄金记录；请传入 "
                    "id_column=...",
                )
            )
        return None
    return leads[id_column].map(lambda v: None if is_null(v) else id_text(v)).to_numpy(dtype=object)


def only(mask: np.ndarray, texts: Any) -> np.ndarray:
    """``texts`` (one text or one per lead) where ``mask``, else ``None``."""
    out = np.full(len(mask), None, dtype=object)
    out[mask] = texts[mask] if isinstance(texts, np.ndarray) else texts
    return out


def shown(value: Any, limit: int = 24) -> str:
    """A field value as a reason quotes it: spaces collapsed, cut to ``limit`` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
