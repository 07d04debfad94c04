"""Lead identification (线索识别): explainable scores, intent tiers and lifecycle stages.

:func:`score` gives every lead, on the input's index, a ``score`` from 0 to 100, a ``tier``
(``"high"``, ``"medium"``, ``"low"``), a lifecycle ``stage`` (``"new"``, ``"potential"``,
``"intent"``, ``"customer"``) and ``reasons``: short sentences that name the field and the
points it earned, largest first::

    ['title 采购总监 is a decision-maker (+20)', '3 demo requests in the last 12 days (+31)',
     'budget 50万 is stated (+15)', 'valid phone (+8)']

The rules are data. :data:`DEFAULT_RULES` is a BANT set (Budget, Authority, Need, Timeline,
plus contact quality, ghost leads and behaviour); ``rules="champ"`` is the CHAMP preset
(Challenges, Authority, Money, Prioritization). Your own rules are a dict or a JSON file
that overrides a preset section by section (see :func:`load_rules`). Behaviour events
decay with a half-life, so a demo request last week counts more than one last year, and
their sum is capped so that clicking alone cannot make a lead hot.

:func:`score_golden` scores merged people (``DedupeResult.golden``): each member lead's
events once, fields from the golden record. :func:`fit_outcome_model` learns weights for
the same evidence from past conversions (an L2 logistic regression in numpy) and reports
its held-out AUC next to the rules'; ``score(..., rules=model)`` then scores with it.

Nothing here logs names, phones, emails or any other field value.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadlink._values import factorize, id_text, parse_times, reference_time
from leadlink.errors import ColumnError, ConfigError, InputError, ModelError
from leadlink.schema import ROLES, SCORE_ROLES, resolve_columns

__all__ = [
    "CHAMP_RULES",
    "DEFAULT_RULES",
    "SCORE_ROLES",
    "STAGES",
    "TIERS",
    "OutcomeModel",
    "auc",
    "fit_outcome_model",
    "load_rules",
    "score",
    "score_golden",
]

logger = logging.getLogger(__name__)

#: Tier values, best first, and lifecycle stages, earliest first.
TIERS: tuple[str, ...] = ("high", "medium", "low")
STAGES: tuple[str, ...] = ("new", "potential", "intent", "customer")


_TITLE_LEVELS: list[dict[str, Any]] = [
    {
        "label": "is an assistant or junior role",
        "points": -5,
        "keywords": ["助理", "秘书", "实习", "学生", "assistant", "secretary", "intern", "student", "trainee"],
    },
    {
        "label": "is a top executive",
        "points": 25,
        "keywords": [
            "董事长", "总经理", "总裁", "副总", "首席", "创始人", "合伙人", "老板", "法人",
            "ceo", "cto", "cfo", "coo", "cio", "cmo", "founder", "co-founder", "owner",
            "president", "vp", "svp", "evp", "vice president", "chief", "general manager",
            "managing director",
        ],
    },
    {
        "label": "is a decision-maker",
        "points": 20,
        "keywords": ["总监", "部长", "负责人", "director", "head of"],
    },
    {
        "label": "has purchasing authority",
        "points": 15,
        "keywords": ["采购", "procurement", "purchasing", "buyer", "sourcing"],
    },
    {
        "label": "is a manager",
        "points": 10,
        "keywords": ["经理", "主管", "组长", "manager", "supervisor", "team lead"],
    },
]  # fmt: skip

#: Default rules: BANT plus contact quality, ghost leads and behaviour. Every section is
#: optional in your own rules; see :func:`load_rules` for how they combine.
DEFAULT_RULES: dict[str, Any] = {
    "name": "bant",
    # score >= high -> "high"; >= medium -> "medium"; else "low"
    "tiers": {"high": 70, "medium": 40},
    # Authority: the first level whose keyword occurs in the title wins (so put the
    # exceptions, 总经理助理, before the rule, 总经理).
    "title": {"levels": _TITLE_LEVELS},
    # a company that is given and is no placeholder (测试公司, 无, 个人 ...)
    "company": {"points": 10},
    # Budget: any value that is not "none" (无, 未定, unknown, 0 ...)
    "budget": {"points": 15},
    # Timeline: read as days from now (3个月内, 半年, next quarter, 2025-09, ASAP ...);
    # the first level it is within wins; a timeline given but not readable gets "stated".
    "timeline": {
        "levels": [
            {"within_days": 90, "points": 15},
            {"within_days": 180, "points": 10},
            {"within_days": 365, "points": 5},
        ],
        "stated": 3,
    },
    # Need: any stated need or pain point
    "need": {"points": 10},
    # reachable: a valid phone / a usable email (leadlink.validate)
    "contact": {"phone": 8, "email": 5},
    # a ghost lead (leadlink.validate: test entry, placeholder number ...)
    "ghost": {"points": -50},
    # Behaviour: each event is worth its weight times 0.5 ** (age_days / half_life_days);
    # the sum over a lead's events is capped.
    "events": {
        "weights": {
            "visit": 1,
            "email_open": 1,
            "email_click": 3,
            "download": 5,
            "webinar": 6,
            "form": 8,
            "pricing": 10,
            "trial": 10,
            "demo_request": 12,
            "contact_sales": 12,
            "purchase": 10,
        },
        "half_life_days": 30,
        "cap": 40,
        # other spellings of event types, mapped before weighing
        "aliases": {
            "page_view": "visit",
            "pageview": "visit",
            "访问": "visit",
            "浏览": "visit",
            "下载": "download",
            "邮件点击": "email_click",
            "打开邮件": "email_open",
            "直播": "webinar",
            "研讨会": "webinar",
            "表单": "form",
            "留资": "form",
            "form_submit": "form",
            "报价": "pricing",
            "询价": "pricing",
            "试用": "trial",
            "预约演示": "demo_request",
            "演示": "demo_request",
            "demo": "demo_request",
            "联系销售": "contact_sales",
            "购买": "purchase",
            "成交": "purchase",
        },
    },
    # Stage: customer if the status column says so (compared whole, ignoring case, spaces,
    # "_" and "-") or a customer event happened; intent if an intent event happened in the
    # last window_days or the tier is high; potential if any known event happened in the
    # window or the tier is medium; else new.
    "stage": {
        "customer_status": [
            "won", "closed won", "customer", "purchased", "成交", "已成交", "客户",
            "成交客户", "已购买", "签约", "已签约", "赢单",
        ],
        "customer_events": ["purchase"],
        "intent_events": ["demo_request", "pricing", "trial", "contact_sales"],
        "window_days": 90,
    },
}  # fmt: skip

#: CHAMP: Challenges first, then Authority, Money and Prioritization. Same sections as
#: :data:`DEFAULT_RULES`, other weights; pass ``rules="champ"``.
CHAMP_RULES: dict[str, Any] = {
    **copy.deepcopy(DEFAULT_RULES),
    "name": "champ",
    "need": {"points": 20},
    "budget": {"points": 10},
    "timeline": {
        "levels": [
            {"within_days": 30, "points": 20},
            {"within_days": 90, "points": 15},
            {"within_days": 180, "points": 8},
            {"within_days": 365, "points": 4},
        ],
        "stated": 3,
    },
}

_PRESETS: dict[str, dict[str, Any]] = {"bant": DEFAULT_RULES, "champ": CHAMP_RULES}
_SECTIONS = frozenset(DEFAULT_RULES) | {"extends"}

# Values meaning "there is none" in budget, timeline and need columns.
_NONE_TOKENS = frozenset(
    {
        "", "nan", "none", "null", "nil", "n/a", "na", "nat", "<na>", "-", "--", "/", "?",
        "0", "0元", "无", "暂无", "没有", "未定", "待定", "不确定", "未知", "不详", "未填",
        "无预算", "没预算", "暂无预算", "无计划", "暂无计划", "没有计划", "不采购", "unknown",
        "no", "tbd", "no budget", "no plan", "not sure", "n.a.",
    }
)  # fmt: skip

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

_EVENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "event": ("event", "event_type", "eventtype", "type", "action", "事件", "行为", "事件类型"),
    "timestamp": (
        "timestamp", "time", "ts", "date", "datetime", "occurred_at", "event_time",
        "created_at", "时间", "发生时间", "事件时间",
    ),
}  # fmt: skip

_SEPARATORS = re.compile(r"[\s_\-]+")


# ================================================================================ rules


@dataclass(frozen=True)
class _Level:
    label: str
    points: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Rules:
    """Rules checked and compiled; ``source`` is the merged dict they came from."""

    source: dict[str, Any]
    high: float
    medium: float
    title: tuple[_Level, ...]
    company: float | None
    budget: float | None
    timeline: tuple[tuple[float, float], ...]
    timeline_stated: float | None
    need: float | None
    phone: float | None
    email: float | None
    ghost: float | None
    weights: dict[str, float]
    half_life: float
    cap: float | None
    aliases: dict[str, str]
    customer_status: frozenset[str]
    customer_events: frozenset[str]
    intent_events: frozenset[str]
    window_days: float


def load_rules(rules: Mapping[str, Any] | str | Path | None = None) -> dict[str, Any]:
    """The complete, checked rules dict that ``rules`` stands for.

    ``None`` is :data:`DEFAULT_RULES`; ``"bant"`` and ``"champ"`` are the presets; a path
    (``str`` or ``Path``) ending in ``.json`` is read as JSON (``.yaml`` only when PyYAML is
    installed). A dict or file *overrides* a preset, ``"bant"`` unless it says
    ``"extends": "champ"``: nested dicts merge key by key, anything else (lists, numbers)
    replaces the preset's value, and a section set to ``null`` is switched off. With
    ``"extends": null`` only the sections you give are used.

    >>> load_rules({"tiers": {"high": 80}})["tiers"]
    {'high': 80, 'medium': 40}

    Raises:
        ConfigError: the rules cannot be read or are not valid; the message says which
            entry is wrong and what to write instead.
    """
    return _compile(_merged(rules)).source


def _merged(rules: Mapping[str, Any] | str | Path | None) -> dict[str, Any]:
    if rules is None:
        return copy.deepcopy(DEFAULT_RULES)
    if isinstance(rules, str) and rules.strip().lower() in _PRESETS:
        return copy.deepcopy(_PRESETS[rules.strip().lower()])
    if isinstance(rules, (str, Path)):
        rules = _read_rules_file(Path(rules), str(rules))
    if not isinstance(rules, Mapping):
        raise ConfigError(
            f"rules must be 'bant', 'champ', a dict or a path to a JSON file, not a "
            f"{type(rules).__name__}"
        )
    given = dict(rules)
    unknown = sorted(str(key) for key in given if key not in _SECTIONS)
    if unknown:
        raise ConfigError(
            f"unknown rules section(s) {', '.join(map(repr, unknown))}; sections are "
            f"{', '.join(sorted(_SECTIONS))}"
        )
    extends = given.pop("extends", "bant")
    if extends is None:
        base: dict[str, Any] = {"name": "custom", "tiers": copy.deepcopy(DEFAULT_RULES["tiers"])}
    elif isinstance(extends, str) and extends.strip().lower() in _PRESETS:
        base = copy.deepcopy(_PRESETS[extends.strip().lower()])
    else:
        raise ConfigError(f"rules['extends'] must be 'bant', 'champ' or null, not {extends!r}")
    return _merge(base, given)


def _read_rules_file(path: Path, shown: str) -> Any:
    if not path.is_file():
        raise ConfigError(
            f"rules={shown!r} is neither a preset ('bant', 'champ') nor an existing file; "
            "pass a preset name, a dict, or the path of a JSON rules file"
        )
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped, unused-ignore]
        except ImportError:
            raise ConfigError(
                f"{shown} is YAML, and PyYAML is not installed; write the rules as JSON "
                "(same structure) or install PyYAML"
            ) from None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ConfigError(f"{shown} is not valid YAML: {error}") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{shown} is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}); rules files are JSON objects like "
            '{"tiers": {"high": 75, "medium": 45}}'
        ) from error


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _compile(rules: dict[str, Any]) -> _Rules:
    def section(name: str, keys: set[str]) -> dict[str, Any] | None:
        value = rules.get(name)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"rules[{name!r}] must be an object like {_example(name)}, not {value!r}"
            )
        unknown = sorted(str(k) for k in value if k not in keys)
        if unknown:
            raise ConfigError(
                f"rules[{name!r}] has unknown key(s) {', '.join(map(repr, unknown))}; "
                f"its keys are {', '.join(sorted(keys))}"
            )
        return dict(value)

    tiers = section("tiers", {"high", "medium"}) or {}
    high = _number(tiers.get("high", 70), "rules['tiers']['high']", low=0, high=100)
    medium = _number(tiers.get("medium", 40), "rules['tiers']['medium']", low=0, high=100)
    if medium > high:
        raise ConfigError(
            f"rules['tiers'] cut-offs must satisfy medium <= high, got medium={medium:g} "
            f"and high={high:g}; e.g. {{'high': 70, 'medium': 40}}"
        )

    title = section("title", {"levels"})
    levels: list[_Level] = []
    if title is not None:
        raw_levels = title.get("levels", [])
        if not isinstance(raw_levels, list):
            raise ConfigError(f"rules['title']['levels'] must be a list like {_example('title')}")
        for i, level in enumerate(raw_levels):
            where = f"rules['title']['levels'][{i}]"
            if not isinstance(level, Mapping) or set(level) - {"label", "points", "keywords"}:
                raise ConfigError(
                    f"{where} must be an object with label, points and keywords, e.g. "
                    '{"label": "is a decision-maker", "points": 20, "keywords": ["总监", "director"]}'
                )
            label = level.get("label")
            if not isinstance(label, str) or not label.strip():
                raise ConfigError(f"{where}['label'] must be a short text such as 'is a manager'")
            keywords = level.get("keywords")
            if (
                not isinstance(keywords, list)
                or not keywords
                or not all(isinstance(k, str) and k.strip() for k in keywords)
            ):
                raise ConfigError(
                    f"{where}['keywords'] must be a non-empty list of words, e.g. ['经理', 'manager']"
                )
            points = _number(level.get("points"), f"{where}['points']")
            levels.append(_Level(label.strip(), points, _keyword_pattern(keywords)))

    timeline = section("timeline", {"levels", "stated"})
    timeline_levels: list[tuple[float, float]] = []
    stated: float | None = None
    if timeline is not None:
        raw_levels = timeline.get("levels", [])
        if not isinstance(raw_levels, list):
            raise ConfigError(
                f"rules['timeline']['levels'] must be a list like {_example('timeline')}"
            )
        for i, level in enumerate(raw_levels):
            where = f"rules['timeline']['levels'][{i}]"
            if not isinstance(level, Mapping) or set(level) != {"within_days", "points"}:
                raise ConfigError(
                    f"{where} must be an object with within_days and points, e.g. "
                    '{"within_days": 90, "points": 15}'
                )
            days = _number(level["within_days"], f"{where}['within_days']", low=0)
            timeline_levels.append((days, _number(level["points"], f"{where}['points']")))
        timeline_levels.sort()
        stated = _number(timeline.get("stated", 0), "rules['timeline']['stated']")

    contact = section("contact", {"phone", "email"})
    events = section("events", {"weights", "half_life_days", "cap", "aliases"})
    weights: dict[str, float] = {}
    aliases: dict[str, str] = {}
    half_life = 30.0
    cap: float | None = None
    if events is not None:
        raw_weights = events.get("weights", {})
        if not isinstance(raw_weights, Mapping):
            raise ConfigError(
                "rules['events']['weights'] must map event types to points, e.g. "
                '{"visit": 1, "demo_request": 12}'
            )
        for name, weight in raw_weights.items():
            weights[_event_key(name)] = _number(weight, f"rules['events']['weights'][{name!r}]")
        half_life = _number(
            events.get("half_life_days", 30),
            "rules['events']['half_life_days']",
            low=0,
            positive=True,
        )
        if events.get("cap") is not None:
            cap = _number(events["cap"], "rules['events']['cap']", low=0)
        raw_aliases = events.get("aliases", {})
        if not isinstance(raw_aliases, Mapping) or not all(
            isinstance(v, str) for v in raw_aliases.values()
        ):
            raise ConfigError(
                "rules['events']['aliases'] must map spellings to event types, e.g. "
                '{"预约演示": "demo_request"}'
            )
        aliases = {_event_key(k): _event_key(v) for k, v in raw_aliases.items()}

    stage = (
        section("stage", {"customer_status", "customer_events", "intent_events", "window_days"})
        or {}
    )
    return _Rules(
        source=rules,
        high=high,
        medium=medium,
        title=tuple(levels),
        company=_points(section("company", {"points"}), "company"),
        budget=_points(section("budget", {"points"}), "budget"),
        timeline=tuple(timeline_levels),
        timeline_stated=stated,
        need=_points(section("need", {"points"}), "need"),
        phone=None if contact is None else _optional(contact.get("phone"), "contact", "phone"),
        email=None if contact is None else _optional(contact.get("email"), "contact", "email"),
        ghost=_points(section("ghost", {"points"}), "ghost"),
        weights=weights,
        half_life=half_life,
        cap=cap,
        aliases=aliases,
        customer_status=frozenset(
            _status_key(v) for v in _words(stage.get("customer_status", []), "customer_status")
        ),
        customer_events=frozenset(
            _event_key(v) for v in _words(stage.get("customer_events", []), "customer_events")
        ),
        intent_events=frozenset(
            _event_key(v) for v in _words(stage.get("intent_events", []), "intent_events")
        ),
        window_days=_number(
            stage.get("window_days", 90), "rules['stage']['window_days']", low=0, positive=True
        ),
    )


def _number(
    value: Any,
    where: str,
    *,
    low: float | None = None,
    high: float | None = None,
    positive: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{where} must be a number, not {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise ConfigError(f"{where} must be {span}, not {value!r}")
    if positive and value <= 0:
        raise ConfigError(f"{where} must be more than 0, not {value!r}")
    return float(value)


def _points(section: Mapping[str, Any] | None, name: str) -> float | None:
    if section is None:
        return None
    return _optional(section.get("points"), name, "points")


def _optional(value: Any, name: str, key: str) -> float | None:
    return None if value is None else _number(value, f"rules[{name!r}][{key!r}]")


def _words(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"rules['stage'][{key!r}] must be a list of words, e.g. ['won', '成交']")
    return value


def _example(name: str) -> str:
    value = DEFAULT_RULES.get(name)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) < 90 else text[:86] + " …}"


def _keyword_pattern(keywords: list[str]) -> re.Pattern[str]:
    # Latin keywords match whole words (VP, not the vp in "mvp"); Han ones anywhere.
    parts = []
    for keyword in sorted({k.strip().lower() for k in keywords}, key=len, reverse=True):
        escaped = re.escape(keyword)
        parts.append(f"(?<![a-z]){escaped}(?![a-z])" if keyword.isascii() else escaped)
    return re.compile("|".join(parts))


def _event_key(value: Any) -> str:
    return _SEPARATORS.sub("_", str(value).strip().lower()).strip("_")


def _status_key(value: Any) -> str:
    return _SEPARATORS.sub("", str(value).strip().lower())


# ============================================================================= evidence


@dataclass
class _Evidence:
    """Per lead and feature: the feature value (for models), the points the rules give,
    and the explanation (``None`` where the feature says nothing about the lead)."""

    n: int
    names: list[str] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)
    points: list[np.ndarray] = field(default_factory=list)
    texts: list[np.ndarray] = field(default_factory=list)
    is_event: list[bool] = field(default_factory=list)
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
    ) -> None:
        self.names.append(name)
        self.values.append(values.astype(float))
        self.points.append(points.astype(float))
        self.texts.append(texts)
        self.is_event.append(is_event)

    def matrix(self) -> np.ndarray:
        if not self.values:
            return np.zeros((self.n, 0))
        return np.column_stack(self.values)


def _gather(
    leads: pd.DataFrame,
    roles: Mapping[str, str],
    rules: _Rules,
    events: pd.DataFrame | None,
    lead_keys: np.ndarray | None,
    id_label: str,
    now: pd.Timestamp,
) -> _Evidence:
    """Everything the rules and the outcome model read, for every lead."""
    n = len(leads)
    evidence = _Evidence(n)
    empty = np.full(n, None, dtype=object)

    if rules.title:
        column = roles.get("title")
        values = leads[column] if column is not None else pd.Series(empty)
        codes, uniques = factorize(values)
        matched = [_title_level(value, rules.title) for value in uniques] + [None]
        level_of = np.array([-1 if m is None else m for m in matched], dtype=np.int64)[codes]
        shown = np.array([_shown(v) for v in uniques] + [""], dtype=object)[codes]
        for i, level in enumerate(rules.title):
            hit = level_of == i
            texts = _only(hit, "title " + shown + " " + level.label)
            evidence.add(f"title: {level.label}", hit, hit * level.points, texts)

    if rules.company is not None and "company" in roles:
        from leadlink.clean import normalize

        codes, uniques = factorize(leads[roles["company"]])
        known = np.array(
            [not _is_none(v) and not _safe(normalize.is_placeholder_company, v) for v in uniques]
            + [False]
        )[codes]
        shown = np.array([_shown(v) for v in uniques] + [""], dtype=object)[codes]
        texts = _only(known, "company " + shown + " is known")
        evidence.add("company known", known, known * rules.company, texts)

    for role, points in (("budget", rules.budget), ("need", rules.need)):
        if points is None or role not in roles:
            continue
        codes, uniques = factorize(leads[roles[role]])
        given = np.array([not _is_none(v) for v in uniques] + [False])[codes]
        shown = np.array([_shown(v) for v in uniques] + [""], dtype=object)[codes]
        texts = _only(given, f"{role} " + shown + " is stated")
        evidence.add(f"{role} stated", given, given * points, texts)

    if (rules.timeline or rules.timeline_stated is not None) and "timeline" in roles:
        codes, uniques = factorize(leads[roles["timeline"]])
        days = np.array([_timeline_days(v, now) for v in uniques] + [None], dtype=object)
        shown = np.array([_shown(v) for v in uniques] + [""], dtype=object)
        bucket = np.full(len(days), -2, dtype=np.int64)  # -2 none, -1 stated, i level
        for j, d in enumerate(days):
            if d is None:
                continue
            bucket[j] = -1
            if not math.isnan(d):
                bucket[j] = next(
                    (i for i, (within, _) in enumerate(rules.timeline) if d <= within), -3
                )
        bucket, shown = bucket[codes], shown[codes]
        for i, (within, points) in enumerate(rules.timeline):
            hit = bucket == i
            texts = _only(hit, "timeline " + shown + f" is within {within:g} days")
            evidence.add(f"timeline within {within:g} days", hit, hit * points, texts)
        if rules.timeline_stated is not None:
            hit = bucket == -1
            texts = _only(hit, "timeline " + shown + " is stated")
            evidence.add("timeline stated", hit, hit * rules.timeline_stated, texts)

    contact_points = {"phone": rules.phone, "email": rules.email}
    if rules.ghost is not None or any(
        p is not None and r in roles for r, p in contact_points.items()
    ):
        from leadlink.clean import validate

        check_roles = {r: c for r, c in roles.items() if r in ("name", "phone", "email", "company")}
        report = validate(leads, columns=check_roles, required=())
        problems = report["problems"].map(frozenset).to_numpy(dtype=object)
        for role, points in contact_points.items():
            if points is None or role not in roles:
                continue
            bad = _BAD_CONTACT[role]
            ok = np.array([not (p & bad) for p in problems], dtype=bool)
            texts = _only(ok, f"valid {role}")
            evidence.add(f"valid {role}", ok, ok * points, texts)
        if rules.ghost is not None:
            ghost = report["is_ghost"].to_numpy(dtype=bool)
            why = report["ghost_reasons"].astype(str).to_numpy(dtype=object)
            texts = _only(ghost, "ghost lead (" + why + ")")
            evidence.add("ghost lead", ghost, ghost * rules.ghost, texts)

    _gather_events(evidence, rules, events, lead_keys, id_label, now)
    status = roles.get("status")
    customer = evidence.customer if evidence.customer is not None else np.zeros(n, dtype=bool)
    if status is not None:
        codes, uniques = factorize(leads[status])
        won = np.array([_status_key(v) in rules.customer_status for v in uniques] + [False])
        customer = customer | won[codes]
    evidence.customer = customer
    return evidence


_BAD_CONTACT: dict[str, frozenset[str]] = {
    "phone": frozenset({"phone.missing", "phone.invalid", "phone.placeholder"}),
    "email": frozenset({"email.missing", "email.syntax", "email.placeholder", "email.disposable"}),
}


def _gather_events(
    evidence: _Evidence,
    rules: _Rules,
    events: pd.DataFrame | None,
    lead_keys: np.ndarray | None,
    id_label: str,
    now: pd.Timestamp,
) -> None:
    n = evidence.n
    evidence.intent = np.zeros(n, dtype=bool)
    evidence.engaged = np.zeros(n, dtype=bool)
    evidence.customer = np.zeros(n, dtype=bool)
    types = list(rules.weights)
    if events is None or lead_keys is None:
        for kind in types:  # the features exist, so a model sees the same columns
            zeros = np.zeros(n)
            evidence.add(
                f"events: {kind}", zeros, zeros, np.full(n, None, dtype=object), is_event=True
            )
        return
    table = _event_table(events, id_label, rules, now)
    # Each lead row takes the events of its key; keys shared by several rows give each
    # row the same events (rows are never merged here — see score_golden).
    row_of_key = pd.Series(np.arange(n), index=pd.Index(lead_keys))
    table = table[table["key"].isin(row_of_key.index)]
    dropped = len(events) - len(table)
    if dropped:
        logger.debug("%d event(s) skipped: unknown lead, unreadable type or time", dropped)
    table = table.merge(
        pd.DataFrame({"key": lead_keys, "row": np.arange(n)}), on="key", how="inner"
    )
    rows = table["row"].to_numpy(dtype=np.int64)
    recent = (table["age"] <= rules.window_days).to_numpy()
    kinds = table["kind"].to_numpy(dtype=object)
    known = np.isin(
        kinds, np.array([*types, *rules.intent_events, *rules.customer_events], dtype=object)
    )
    evidence.engaged[rows[recent & known]] = True
    evidence.intent[rows[recent & np.isin(kinds, list(rules.intent_events))]] = True
    evidence.customer[rows[np.isin(kinds, list(rules.customer_events))]] = True

    half = np.power(0.5, table["age"].to_numpy(dtype=float) / rules.half_life)
    raw_points: list[np.ndarray] = []
    texts_by_kind: list[np.ndarray] = []
    decayed_by_kind: list[np.ndarray] = []
    for kind in types:
        mine = kinds == kind
        decayed = np.bincount(rows[mine], weights=half[mine], minlength=n)
        count = np.bincount(rows[mine], minlength=n)
        oldest = np.zeros(n)
        np.maximum.at(oldest, rows[mine], table["age"].to_numpy(dtype=float)[mine])
        raw_points.append(decayed * rules.weights[kind])
        decayed_by_kind.append(decayed)
        texts = np.full(n, None, dtype=object)
        for i in np.flatnonzero(count):
            texts[i] = _event_text(kind, int(count[i]), float(oldest[i]))
        texts_by_kind.append(texts)
    total = np.sum(raw_points, axis=0) if raw_points else np.zeros(n)
    scale = np.ones(n)
    if rules.cap is not None:
        over = total > rules.cap
        scale[over] = rules.cap / total[over]
    for kind, points, decayed, texts in zip(types, raw_points, decayed_by_kind, texts_by_kind):
        evidence.add(f"events: {kind}", np.log1p(decayed), points * scale, texts, is_event=True)
    if rules.cap is not None:
        over = total > rules.cap
        note = _only(
            over,
            np.array(
                [f"behaviour capped at +{rules.cap:g} (uncapped +{t:.0f})" for t in total],
                dtype=object,
            ),
        )
        evidence.add("events: cap", np.zeros(n), np.zeros(n), note, is_event=True)


def _event_table(
    events: pd.DataFrame, id_label: str, rules: _Rules, now: pd.Timestamp
) -> pd.DataFrame:
    if not isinstance(events, pd.DataFrame):
        raise InputError(
            f"events must be a pandas DataFrame with columns {id_label}, event, timestamp, "
            f"not {type(events).__name__}"
        )
    found: dict[str, str] = {}
    id_column = id_label if id_label in events.columns else None
    if id_column is None and "lead_id" in events.columns:
        id_column = "lead_id"
    if id_column is None:
        raise ColumnError(
            f"events need a lead id column named {id_label!r}; the events have "
            f"{', '.join(map(repr, map(str, events.columns))) or 'no columns'}"
        )
    for name, spellings in _EVENT_COLUMNS.items():
        match = [c for c in events.columns if _event_key(c) in spellings and c != id_column]
        if not match:
            raise ColumnError(
                f"events need a {name!r} column (also read: {', '.join(spellings[1:4])} …); "
                f"the events have {', '.join(map(repr, map(str, events.columns)))}"
            )
        found[name] = match[0]
    codes, uniques = factorize(events[found["event"]])
    kind_of = [rules.aliases.get(_event_key(u), _event_key(u)) for u in uniques]
    kinds = np.array([*kind_of, ""], dtype=object)[codes]
    times = parse_times(events[found["timestamp"]])
    age = (now.to_datetime64() - times) / np.timedelta64(1, "D")
    table = pd.DataFrame(
        {
            "key": events[id_column].map(id_text).to_numpy(dtype=object),
            "kind": kinds,
            "age": np.clip(age, 0, None),  # a time after `now` counts as now
        }
    )
    return table[~np.isnat(times) & events[id_column].notna().to_numpy()]


def _event_text(kind: str, count: int, oldest_days: float) -> str:
    one, many = _EVENT_LABELS.get(kind, (f"{kind} event", f"{kind} events"))
    if count == 1:
        when = "today" if oldest_days < 1 else f"{_days(oldest_days)} ago"
        return f"1 {one} {when}"
    return f"{count} {many} in the last {_days(max(oldest_days, 1.0))}"


def _days(days: float) -> str:
    whole = max(1, math.ceil(days - 1e-9))
    return "1 day" if whole == 1 else f"{whole} days"


def _title_level(value: Any, levels: tuple[_Level, ...]) -> int | None:
    if _is_none(value):
        return None
    text = str(value).strip().lower()
    return next((i for i, level in enumerate(levels) if level.pattern.search(text)), None)


_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNIT_DAYS = {
    "天": 1, "日": 1, "day": 1, "days": 1, "d": 1,
    "周": 7, "星期": 7, "礼拜": 7, "week": 7, "weeks": 7, "w": 7, "wk": 7, "wks": 7,
    "月": 30, "month": 30, "months": 30, "mo": 30, "mos": 30, "m": 30,
    "季度": 90, "季": 90, "quarter": 90, "quarters": 90, "q": 90,
    "年": 360, "year": 360, "years": 360, "yr": 360, "yrs": 360, "y": 360,
}  # fmt: skip
_AMOUNT = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十半]+)"
_UNIT = "|".join(sorted((re.escape(u) for u in _UNIT_DAYS), key=len, reverse=True))
_DURATION = re.compile(rf"{_AMOUNT}\s*个?\s*({_UNIT})(?![a-z])")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?")
_NO_TIMELINE = re.compile(
    r"暂不|暂时不|不考虑|没有计划|无计划|不采购|不买|no plans?\b|not (?:now|yet|planned|interested)"
)
_PHRASES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern), days)
    for pattern, days in (
        (r"立即|立刻|马上|尽快|紧急|\basap\b|immediate|urgent|right away", 7),
        (r"本周|这周|this week", 7),
        (r"下周|next week", 14),
        (r"本月|这个月|当月|this month", 30),
        (r"下个?月|next month", 60),
        (r"本季度?|这个?季度|this quarter", 90),
        (r"下个?季度|next quarter", 180),
        (r"半年|half a year", 180),
        (r"今年|年内|本年|年底|this year|end of (?:the )?year|year end", 365),
        (r"明年|next year", 730),
    )
)


def _timeline_days(value: Any, now: pd.Timestamp) -> float | None:
    """Days until the stated purchase: ``None`` when there is none, NaN when a timeline
    is given but cannot be read.

    >>> now = pd.Timestamp("2025-01-01")
    >>> [_timeline_days(v, now) for v in ("3个月内", "半年", "ASAP", "within 2 weeks", "无")]
    [90.0, 180.0, 7.0, 14.0, None]
    """
    if _is_none(value) or isinstance(value, (bool, int, float, np.number)):
        return None if _is_none(value) else math.nan
    text = str(value).strip().lower()
    if _NO_TIMELINE.search(text):
        return None
    date = _DATE.search(text)
    if date:
        year, month, day = int(date[1]), int(date[2]), int(date[3] or 15)
        try:
            when = pd.Timestamp(year=year, month=month, day=day)
        except ValueError:
            return math.nan
        days = (when - now).total_seconds() / 86400
        return max(days, 0.0) if days > -31 else math.nan
    for pattern, days in _PHRASES:
        if pattern.search(text):
            return float(days)
    duration = _DURATION.search(text)
    if duration:
        amount = _cn_number(duration[1])
        if amount is not None:
            return float(amount * _UNIT_DAYS[duration[2]])
    return math.nan


def _cn_number(text: str) -> float | None:
    if text[0].isdigit():
        return float(text)
    if text == "半":
        return 0.5
    if text.startswith("十"):
        text = "一" + text
    if "十" in text:
        tens, _, ones = text.partition("十")
        return float(_CN_DIGITS.get(tens, 0) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0))
    return float(_CN_DIGITS[text]) if text in _CN_DIGITS else None


# ================================================================================ score


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
        ``reasons`` (list of str, largest effect first).

    Raises:
        InputError: ``leads`` or ``events`` is not a DataFrame.
        ColumnError: a mapped column is missing, or ``events`` lack the needed columns.
        ConfigError: the rules are not valid.
    """
    model, compiled = _rules_or_model(rules)
    reference = reference_time(now)
    if golden is not None:
        return _score_through_golden(leads, golden, events, rules, columns, id_column, reference)
    roles = _resolve(leads, columns, id_column)
    keys = _lead_keys(leads, id_column, required=events is not None)
    evidence = _gather(leads, roles, compiled, events, keys, id_column, reference)
    if model is not None:
        return model._result(evidence, leads.index, compiled)
    return _rule_result(evidence, leads.index, compiled)


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
        ``cluster_id``, ``score``, ``tier``, ``stage``, ``reasons``.

    Raises:
        InputError: ``result_golden`` lacks ``cluster_id``/``lead_ids``, or a lead id
            belongs to two clusters.
    """
    model, compiled = _rules_or_model(rules)
    reference = reference_time(now)
    people, roles, members = _golden_frame(result_golden, leads, columns, id_column, compiled)
    keys = people["cluster_id"].map(id_text).to_numpy(dtype=object)
    cluster_events = None
    if events is not None:
        cluster_events = _events_by_cluster(events, members, id_column)
    evidence = _gather(people, roles, compiled, cluster_events, keys, "cluster_id", reference)
    result = (
        model._result(evidence, result_golden.index, compiled)
        if model is not None
        else _rule_result(evidence, result_golden.index, compiled)
    )
    result.insert(0, "cluster_id", result_golden["cluster_id"].to_numpy())
    return result


def _rules_or_model(
    rules: Mapping[str, Any] | str | Path | OutcomeModel | None,
) -> tuple[OutcomeModel | None, _Rules]:
    if isinstance(rules, OutcomeModel):
        return rules, rules._compiled()
    return None, _compile(_merged(rules))


def _score_through_golden(
    leads: pd.DataFrame,
    golden: pd.DataFrame,
    events: pd.DataFrame | None,
    rules: Any,
    columns: Mapping[str, str] | None,
    id_column: str,
    now: pd.Timestamp,
) -> pd.DataFrame:
    people = score_golden(
        golden, leads, events, rules, columns=columns, id_column=id_column, now=now
    )
    keys = _lead_keys(leads, id_column, required=True)
    assert keys is not None  # required=True raises instead
    members = _members(golden)
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
        single = score(
            leads.iloc[alone],
            events=events,
            rules=rules,
            columns=columns,
            id_column=id_column,
            now=now,
        )
    for column in ("cluster_id", "score", "tier", "stage", "reasons"):
        values = np.empty(len(leads), dtype=object)
        values[merged] = people[column].to_numpy(dtype=object)[rows[merged]]
        if single is not None:
            values[alone] = single[column].to_numpy(dtype=object) if column in single else None
        out[column] = values
    result = pd.DataFrame(out, index=leads.index)
    result["score"] = result["score"].astype(float)
    return result


def _golden_frame(
    golden: pd.DataFrame,
    leads: pd.DataFrame,
    columns: Mapping[str, str] | None,
    id_column: str,
    rules: _Rules,
) -> tuple[pd.DataFrame, dict[str, str], pd.DataFrame]:
    if not isinstance(golden, pd.DataFrame) or not {"cluster_id", "lead_ids"} <= set(
        golden.columns
    ):
        raise InputError(
            "result_golden must be DedupeResult.golden: a DataFrame with cluster_id and "
            "lead_ids (a list of lead ids per cluster)"
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
    lead_roles = _resolve(leads, columns, id_column)
    extra = {r: c for r, c in lead_roles.items() if r in SCORE_ROLES}
    if extra:
        keys = _lead_keys(leads, id_column, required=True)
        order = members.assign(position=np.arange(len(members)))
        frame = pd.DataFrame({"lead": keys})
        for role, column in extra.items():
            frame[role] = leads[column].to_numpy(dtype=object)
        joined = order.merge(frame, on="lead", how="inner").sort_values("position", kind="stable")
        row_of_cluster = pd.Series(
            np.arange(len(golden)), index=golden["cluster_id"].map(id_text).to_numpy()
        )
        for role in extra:
            if role == "status":
                won = joined[role].map(lambda v: _status_key(v) in rules.customer_status)
                picked = pd.concat([joined[won], joined[~won]]).drop_duplicates("cluster")
            else:
                picked = joined[~joined[role].map(_is_none)].drop_duplicates("cluster")
            values = np.full(len(golden), None, dtype=object)
            values[row_of_cluster[picked["cluster"]].to_numpy()] = picked[role].to_numpy(
                dtype=object
            )
            people[role] = values
            roles[role] = role
    return people, roles, members


def _members(golden: pd.DataFrame) -> pd.DataFrame:
    """(cluster, lead) pairs as text, each once; refuses a lead in two clusters."""
    pairs = [
        (id_text(cluster), id_text(lead))
        for cluster, ids in zip(golden["cluster_id"], golden["lead_ids"])
        for lead in (ids if isinstance(ids, (list, tuple, np.ndarray)) else [ids])
        if not _is_null(lead)
    ]
    members = pd.DataFrame(pairs, columns=["cluster", "lead"]).drop_duplicates()
    shared = members["lead"].duplicated(keep=False)
    if shared.any():
        raise InputError(
            f"{members.loc[shared, 'lead'].nunique()} lead id(s) are listed in more than one "
            "cluster of the golden records; pass DedupeResult.golden unchanged"
        )
    return members


def _events_by_cluster(events: pd.DataFrame, members: pd.DataFrame, id_column: str) -> pd.DataFrame:
    if not isinstance(events, pd.DataFrame):
        raise InputError(f"events must be a pandas DataFrame, not {type(events).__name__}")
    id_in_events = id_column if id_column in events.columns else "lead_id"
    if id_in_events not in events.columns:
        raise ColumnError(f"events need a lead id column named {id_column!r}")
    cluster_of = dict(zip(members["lead"], members["cluster"]))
    moved = events.drop(columns=[id_in_events])
    moved.insert(
        0, "cluster_id", events[id_in_events].map(lambda v: cluster_of.get(id_text(v))).to_numpy()
    )
    return moved


def _rule_result(evidence: _Evidence, index: pd.Index, rules: _Rules) -> pd.DataFrame:
    points = np.column_stack(evidence.points) if evidence.points else np.zeros((evidence.n, 0))
    total = np.clip(points.sum(axis=1), 0, 100).round(1)
    reasons = _reasons(evidence, points, lambda p: f"({_signed(p)})")
    return _frame(total, reasons, evidence, index, rules)


def _frame(
    total: np.ndarray,
    reasons: list[list[str]],
    evidence: _Evidence,
    index: pd.Index,
    rules: _Rules,
) -> pd.DataFrame:
    tier = np.where(total >= rules.high, "high", np.where(total >= rules.medium, "medium", "low"))
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


def _reasons(evidence: _Evidence, effects: np.ndarray, suffix: Any) -> list[list[str]]:
    collected: list[list[tuple[float, int, str]]] = [[] for _ in range(evidence.n)]
    for j, texts in enumerate(evidence.texts):
        for i in np.flatnonzero(pd.notna(texts)):
            effect = float(effects[i, j])
            if evidence.names[j] == "events: cap":
                collected[i].append((-1.0, j, str(texts[i])))
            elif abs(effect) >= 0.05:
                collected[i].append((abs(effect), j, f"{texts[i]} {suffix(effect)}"))
    return [[text for _, _, text in sorted(row, key=lambda r: (-r[0], r[1]))] for row in collected]


def _signed(points: float) -> str:
    rounded = round(points)
    return f"{rounded:+d}" if abs(points - rounded) < 0.05 else f"{points:+.1f}"


# ======================================================================== outcome model


class OutcomeModel:
    """Weights for the scoring evidence learnt from past conversions.

    Made by :func:`fit_outcome_model`; use it with ``score(leads, rules=model)``, which
    gives ``score = 100 × P(convert)`` and reasons in log-odds. The features are those the
    rules read (title level, company known, budget, timeline level, need, valid contact,
    ghost, and per event type ``log(1 + decayed count)``).

    Attributes:
        coefficients: feature → log-odds per unit of the feature (1 = present).
        intercept: log-odds of a lead with none of the features.
        auc_holdout: the model's AUC on the held-out leads.
        auc_rules_holdout: the rules' AUC on the same held-out leads.
        n_train, n_holdout: leads used to fit and to evaluate.
    """

    def __init__(
        self,
        rules: Mapping[str, Any],
        coefficients: Mapping[str, float],
        intercept: float,
        *,
        auc_holdout: float = math.nan,
        auc_rules_holdout: float = math.nan,
        n_train: int = 0,
        n_holdout: int = 0,
        l2: float = 1.0,
    ) -> None:
        self.rules = dict(rules)
        self.coefficients = dict(coefficients)
        self.intercept = float(intercept)
        self.auc_holdout = float(auc_holdout)
        self.auc_rules_holdout = float(auc_rules_holdout)
        self.n_train = int(n_train)
        self.n_holdout = int(n_holdout)
        self.l2 = float(l2)

    def __repr__(self) -> str:
        return (
            f"OutcomeModel(features={len(self.coefficients)}, auc_holdout="
            f"{self.auc_holdout:.3f}, auc_rules_holdout={self.auc_rules_holdout:.3f})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready contents; :meth:`from_dict` reads them back."""
        return {
            "kind": "leadlink.OutcomeModel",
            "version": 1,
            "rules": self.rules,
            "coefficients": self.coefficients,
            "intercept": self.intercept,
            "auc_holdout": self.auc_holdout,
            "auc_rules_holdout": self.auc_rules_holdout,
            "n_train": self.n_train,
            "n_holdout": self.n_holdout,
            "l2": self.l2,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutcomeModel:
        if not isinstance(data, Mapping) or data.get("kind") != "leadlink.OutcomeModel":
            raise ModelError("not a leadlink OutcomeModel; save one with OutcomeModel.save")
        return cls(
            data["rules"],
            data["coefficients"],
            data["intercept"],
            auc_holdout=data.get("auc_holdout", math.nan),
            auc_rules_holdout=data.get("auc_rules_holdout", math.nan),
            n_train=data.get("n_train", 0),
            n_holdout=data.get("n_holdout", 0),
            l2=data.get("l2", 1.0),
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), "utf-8")

    @classmethod
    def load(cls, path: str | Path) -> OutcomeModel:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ModelError(f"cannot read an OutcomeModel from {path}: {error}") from error
        return cls.from_dict(data)

    def _compiled(self) -> _Rules:
        return _compile(copy.deepcopy(self.rules))

    def _log_odds(self, evidence: _Evidence) -> tuple[np.ndarray, np.ndarray]:
        x = evidence.matrix()
        weights = np.array([self.coefficients.get(name, 0.0) for name in evidence.names])
        contributions = x * weights
        return self.intercept + contributions.sum(axis=1), contributions

    def _result(self, evidence: _Evidence, index: pd.Index, rules: _Rules) -> pd.DataFrame:
        log_odds, contributions = self._log_odds(evidence)
        total = (100.0 * _sigmoid(log_odds)).round(1)
        reasons = _reasons(evidence, contributions, lambda c: f"({c:+.2f} log-odds)")
        return _frame(total, reasons, evidence, index, rules)


def fit_outcome_model(
    leads: pd.DataFrame,
    converted: pd.Series,
    *,
    events: pd.DataFrame | None = None,
    rules: Mapping[str, Any] | str | Path | None = None,
    columns: Mapping[str, str] | None = None,
    id_column: str = "lead_id",
    now: Any = None,
    holdout: float = 0.25,
    l2: float = 1.0,
    seed: int = 0,
) -> OutcomeModel:
    """Learn weights for the rules' evidence from which leads converted.

    An L2-penalised logistic regression (Newton–IRLS in numpy) on the features the rules
    read. A random ``holdout`` share of the leads (stratified, drawn with ``seed``) is kept
    out of fitting; :attr:`OutcomeModel.auc_holdout` and
    :attr:`OutcomeModel.auc_rules_holdout` compare model and rules on it.

    Args:
        converted: bool or 0/1 per lead, on ``leads.index``.
        l2: penalty on the coefficients of standardised features (the intercept is free).

    Raises:
        InputError: ``converted`` does not cover every lead with 0/1.
        ModelError: too few leads of one outcome to fit and evaluate.
    """
    compiled = _compile(_merged(rules))
    reference = reference_time(now)
    if not isinstance(converted, pd.Series):
        raise InputError("converted must be a pandas Series of 0/1 or bool on leads.index")
    aligned = converted.reindex(leads.index)
    if aligned.isna().any() or not aligned.isin([0, 1, True, False]).all():
        raise InputError(
            "converted must hold 0/1 or True/False for every lead, on the same index as leads"
        )
    if not 0 < holdout < 1 or isinstance(l2, bool) or l2 < 0:
        raise ConfigError("holdout must be between 0 and 1 and l2 at least 0")
    y = aligned.astype(int).to_numpy()
    roles = _resolve(leads, columns, id_column)
    keys = _lead_keys(leads, id_column, required=events is not None)
    evidence = _gather(leads, roles, compiled, events, keys, id_column, reference)
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for outcome in (0, 1):
        where = np.flatnonzero(y == outcome)
        if len(where) < 4:
            raise ModelError(
                f"only {len(where)} lead(s) with converted={outcome}; the outcome model needs "
                "at least 4 of each outcome (more for a useful model)"
            )
        chosen = rng.choice(where, size=max(1, round(holdout * len(where))), replace=False)
        test[chosen] = True
    x = evidence.matrix()
    keep = [j for j, name in enumerate(evidence.names) if name != "events: cap"]
    names = [evidence.names[j] for j in keep]
    x = x[:, keep]
    coefficients, intercept = _logistic(x[~test], y[~test], l2)
    model = OutcomeModel(
        compiled.source,
        dict(zip(names, coefficients.tolist())),
        intercept,
        n_train=int((~test).sum()),
        n_holdout=int(test.sum()),
        l2=l2,
    )
    log_odds, _ = model._log_odds(evidence)
    rule_points = (
        np.column_stack(evidence.points).sum(axis=1) if evidence.points else np.zeros(len(y))
    )
    model.auc_holdout = auc(y[test], log_odds[test])
    model.auc_rules_holdout = auc(y[test], rule_points[test])
    logger.info(
        "outcome model: %d features, holdout AUC %.3f (rules %.3f)",
        len(names),
        model.auc_holdout,
        model.auc_rules_holdout,
    )
    return model


def _logistic(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Newton–IRLS for L2 logistic regression; returns weights on the raw features."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    varying = scale > 1e-12
    z = np.zeros_like(x)
    z[:, varying] = (x[:, varying] - mean[varying]) / scale[varying]
    design = np.column_stack([np.ones(len(z)), z])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    beta = np.zeros(design.shape[1])
    beta[0] = math.log((y.mean() + 1e-3) / (1 - y.mean() + 1e-3))
    for _ in range(100):
        p = _sigmoid(design @ beta)
        gradient = design.T @ (y - p) - penalty * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    weights = np.zeros(x.shape[1])
    weights[varying] = beta[1:][varying] / scale[varying]
    intercept = float(beta[0] - np.sum(weights * mean))
    return weights, intercept


def auc(labels: Any, scores: Any) -> float:
    """Area under the ROC curve from ranks (Mann–Whitney), ties counted half.

    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y = np.asarray(labels, dtype=bool)
    ranks = pd.Series(np.asarray(scores, dtype=float)).rank(method="average").to_numpy()
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return math.nan
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -35, 35)))


# ============================================================================== helpers


def _resolve(
    leads: pd.DataFrame, columns: Mapping[str, str] | None, id_column: str
) -> dict[str, str]:
    if not isinstance(leads, pd.DataFrame):
        raise InputError(
            f"leads must be a pandas DataFrame, not {type(leads).__name__}; read files with "
            "pandas.read_csv / read_parquet or leadlink.read_leads"
        )
    if columns is not None and not isinstance(columns, Mapping):
        raise ColumnError(
            f"columns must map roles to column names, e.g. columns={{'budget': '预算'}}, "
            f"not a {type(columns).__name__}"
        )
    usable_id = id_column if id_column in leads.columns else None
    return resolve_columns(leads, columns, id_column=usable_id, roles=(*ROLES, *SCORE_ROLES))


def _lead_keys(leads: pd.DataFrame, id_column: str, *, required: bool) -> np.ndarray | None:
    if id_column not in leads.columns:
        if required:
            raise ColumnError(
                f"the leads have no id column {id_column!r} to join events or golden records "
                "on; pass id_column=..."
            )
        return None
    return (
        leads[id_column].map(lambda v: None if _is_null(v) else id_text(v)).to_numpy(dtype=object)
    )


def _is_null(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_none(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return float(value) == 0.0
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        pass
    return str(value).strip().lower() in _NONE_TOKENS


def _only(mask: np.ndarray, texts: Any) -> np.ndarray:
    """``texts`` (one text or one per lead) where ``mask``, else ``None``."""
    out = np.full(len(mask), None, dtype=object)
    out[mask] = texts[mask] if isinstance(texts, np.ndarray) else texts
    return out


def _shown(value: Any, limit: int = 24) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe(predicate: Any, value: Any) -> bool:
    try:
        return bool(predicate(value))
    except Exception:
        logger.warning("%s raised on a value; treated as False", predicate.__name__)
        return False
