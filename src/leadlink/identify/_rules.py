"""Scoring rules: the BANT and CHAMP presets, your overrides, and one entry per kind of rule.

The rules are data: a dict whose sections (``tiers``, ``title``, ``budget``, ``timeline``,
``events`` ...) say how many points each piece of evidence earns. The presets are data
files shipped with the package (``presets/bant.json``, ``presets/champ.json``), each with an
``"about"`` entry saying where the framework comes from; :data:`DEFAULT_RULES` is BANT.
Your own rules, a dict or a JSON (or YAML) file, override a preset section by section
(see :func:`load_rules`).

Every section is one entry of :data:`KINDS`: the keys it takes, how they are checked and
compiled, and the evidence it reads from the leads. Adding a kind of rule is one entry
there (and its section in the presets, if the presets should use it); nothing else
branches on the kind of a section.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._jsonfile import check_shape, read_json, read_text, too_deep
from leadlink.clean import normalize
from leadlink.errors import ConfigError
from leadlink.identify._cells import event_key, is_none, status_key
from leadlink.identify._evidence import Context, Evidence, add_events, only
from leadlink.identify._timeline import timeline_days

__all__ = [
    "CHAMP_RULES",
    "DEFAULT_RULES",
    "KINDS",
    "Contact",
    "Events",
    "Level",
    "RuleKind",
    "Rules",
    "Stage",
    "Tiers",
    "Timeline",
    "compile_rules",
    "compile_source",
    "load_rules",
]

logger = logging.getLogger(__name__)

# ============================================================================== presets


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` on ``base``: nested dicts merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _preset(name: str) -> dict[str, Any]:
    """The preset file ``presets/<name>.json`` without its ``"about"``; a preset that says
    ``"extends"`` is merged onto that one (CHAMP is BANT with other weights)."""
    text = resources.files("leadlink.identify").joinpath(f"presets/{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    data.pop("about", None)
    base = data.pop("extends", None)
    return data if base is None else _merge(_preset(base), data)


#: Default rules: BANT (Budget, Authority, Need, Timeline) plus contact quality, ghost
#: leads and behaviour, from ``presets/bant.json``. Every section is optional in your own
#: rules; see :func:`load_rules` for how they combine.
DEFAULT_RULES: dict[str, Any] = _preset("bant")

#: CHAMP: Challenges first, then Authority, Money and Prioritization, from
#: ``presets/champ.json``. Same sections as :data:`DEFAULT_RULES`, other weights; pass
#: ``rules="champ"``.
CHAMP_RULES: dict[str, Any] = _preset("champ")

_PRESETS: dict[str, dict[str, Any]] = {"bant": DEFAULT_RULES, "champ": CHAMP_RULES}

# ============================================================================ compiled


@dataclass(frozen=True)
class Tiers:
    """Score cut-offs: ``high`` and above is tier "high", ``medium`` and above "medium"."""

    high: float
    medium: float


@dataclass(frozen=True)
class Level:
    """A title level: the first whose pattern finds a keyword in the title wins."""

    label: str
    points: float
    pattern: re.Pattern[str]
    #: The label in Chinese (``label_zh``), shown when messages are in Chinese; the label
    #: itself when not given.
    label_zh: str | None = None


@dataclass(frozen=True)
class Timeline:
    """``(within_days, points)`` levels, nearest first, and the points of a timeline that is
    stated but cannot be read (``None``: none)."""

    levels: tuple[tuple[float, float], ...]
    stated: float | None


@dataclass(frozen=True)
class Contact:
    """Points for a valid phone and a usable email (``None``: not scored)."""

    phone: float | None
    email: float | None


@dataclass(frozen=True)
class Events:
    """Points per event type (keys as :func:`event_key` writes them), their half-life in
    days, the cap on their sum, and other spellings of event types."""

    weights: dict[str, float]
    half_life: float
    cap: float | None
    aliases: dict[str, str]


@dataclass(frozen=True)
class Stage:
    """What makes a customer (a status or an event) and an intent (a recent event)."""

    customer_status: frozenset[str]
    customer_events: frozenset[str]
    intent_events: frozenset[str]
    window_days: float


@dataclass(frozen=True)
class Rules:
    """Rules checked and compiled: ``settings`` holds each kind's compiled section (see
    :data:`KINDS`), ``source`` the merged dict they came from."""

    source: dict[str, Any]
    settings: Mapping[str, Any]

    def __getitem__(self, kind: str) -> Any:
        return self.settings[kind]

    @property
    def tiers(self) -> Tiers:
        tiers: Tiers = self.settings["tiers"]
        return tiers

    @property
    def stage(self) -> Stage:
        stage: Stage = self.settings["stage"]
        return stage

    def evidence(
        self,
        leads: pd.DataFrame,
        roles: Mapping[str, str],
        events: pd.DataFrame | None,
        lead_keys: np.ndarray | None,
        id_label: str,
        now: pd.Timestamp,
    ) -> Evidence:
        """Everything these rules and an outcome model read, for every lead: each kind
        adds its features in the order of :data:`KINDS`."""
        context = Context(leads, roles, events, lead_keys, id_label, now)
        for name, kind in KINDS.items():
            if kind.gather is not None:
                kind.gather(context, self, name)
        return context.evidence


# ============================================================================== loading


def load_rules(rules: Mapping[str, Any] | str | Path | None = None) -> dict[str, Any]:
    """The complete, checked rules dict that ``rules`` stands for.

    ``None`` is :data:`DEFAULT_RULES`; ``"bant"`` and ``"champ"`` are the presets; a path
    (``str`` or ``Path``) ending in ``.json`` is read as JSON (``.yaml`` with PyYAML:
    ``pip install 'leadlink[yaml]'``). A dict or file *overrides* a preset, ``"bant"``
    unless it says ``"extends": "champ"``: nested dicts merge key by key, anything else
    (lists, numbers) replaces the preset's value, and a section set to ``null`` is switched
    off. With ``"extends": null`` only the sections you give are used. An ``"about"``
    entry (as in the preset files) is a note for readers and is left out.

    >>> load_rules({"tiers": {"high": 80}})["tiers"]
    {'high': 80, 'medium': 40}

    Raises:
        ConfigError: the rules cannot be read or are not valid; the message says which
            entry is wrong and what to write instead.
    """
    return compile_rules(rules).source


def compile_rules(rules: Mapping[str, Any] | str | Path | None) -> Rules:
    """The rules ``rules`` stands for (see :func:`load_rules`), checked and compiled."""
    return compile_source(_merged(rules))


def _merged(rules: Mapping[str, Any] | str | Path | None) -> dict[str, Any]:
    if rules is None:
        return copy.deepcopy(DEFAULT_RULES)
    if isinstance(rules, str) and rules.strip().lower() in _PRESETS:
        return copy.deepcopy(_PRESETS[rules.strip().lower()])
    if isinstance(rules, (str, Path)):
        rules = _read_rules_file(Path(rules), str(rules))
    if not isinstance(rules, Mapping):
        raise ConfigError(
            say(
                f"rules must be 'bant', 'champ', a dict or a path to a JSON file, not a "
                f"{type(rules).__name__}",
                f"rules 须为 'bant'、'champ'、dict 或 JSON 文件的路径，而不是 "
                f"{type(rules).__name__}",
            )
        )
    given = dict(rules)
    given.pop("about", None)
    sections = {*KINDS, "name", "extends"}  # the kinds, the preset's name, its base
    unknown = sorted(str(key) for key in given if key not in sections)
    if unknown:
        raise ConfigError(
            say(
                f"unknown rules section(s) {', '.join(map(repr, unknown))}; sections are "
                f"{', '.join(sorted(sections))}",
                f"评分规则中有未知的配置段 {', '.join(map(repr, unknown))}；可用的配置段为 "
                f"{', '.join(sorted(sections))}",
            )
        )
    extends = given.pop("extends", "bant")
    if extends is None:
        base: dict[str, Any] = {"name": "custom", "tiers": copy.deepcopy(DEFAULT_RULES["tiers"])}
    elif isinstance(extends, str) and extends.strip().lower() in _PRESETS:
        base = copy.deepcopy(_PRESETS[extends.strip().lower()])
    else:
        raise ConfigError(
            say(
                f"rules['extends'] must be 'bant', 'champ' or null, not {extends!r}",
                f"rules['extends'] 须为 'bant'、'champ' 或 null，而不是 {extends!r}",
            )
        )
    return _merge(base, given)


def _read_rules_file(path: Path, shown: str) -> Any:
    if not path.is_file():
        raise ConfigError(
            say(
                f"rules={shown!r} is neither a preset ('bant', 'champ') nor an existing file; "
                "pass a preset name, a dict, or the path of a JSON rules file",
                f"rules={shown!r} 既不是预设（'bant'、'champ'），也不是已存在的文件；"
                "请传入预设名称、dict 或 JSON 规则文件的路径",
            )
        )
    what, what_zh = "rules file", "规则文件"
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped, unused-ignore]
        except ImportError:
            raise ConfigError(
                say(
                    f"{shown} is YAML, and PyYAML is not installed; write the rules as JSON "
                    "(same structure) or install PyYAML: pip install 'leadlink[yaml]'",
                    f"{shown} 是 YAML 文件，但未安装 PyYAML；请改用 JSON 书写规则（结构相同），"
                    "或安装 PyYAML：pip install 'leadlink[yaml]'",
                )
            ) from None
        text = read_text(path, what=what, what_zh=what_zh)
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ConfigError(
                say(f"{shown} is not valid YAML: {error}", f"{shown} 不是有效的 YAML：{error}")
            ) from error
        except RecursionError:
            raise too_deep(shown, what, what_zh, ConfigError) from None
        check_shape(loaded, shown=shown, what=what, what_zh=what_zh)
        return loaded
    return read_json(
        path, what=what, what_zh=what_zh, example='{"tiers": {"high": 75, "medium": 45}}'
    )


def compile_source(rules: dict[str, Any]) -> Rules:
    """A complete rules dict (as :func:`load_rules` returns it, or an outcome model keeps
    it) checked and compiled as it is, without merging it onto a preset."""
    settings = {
        name: kind.read(_section(rules, name, kind.keys), name) for name, kind in KINDS.items()
    }
    return Rules(source=rules, settings=settings)


def _section(rules: Mapping[str, Any], name: str, keys: frozenset[str]) -> dict[str, Any] | None:
    """The section ``name`` checked to be an object with only ``keys``; ``None`` when it is
    switched off (``null``) or not given."""
    value = rules.get(name)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigError(
            say(
                f"rules[{name!r}] must be an object like {_example(name)}, not {value!r}",
                f"rules[{name!r}] 须为对象，例如 {_example(name)}，而不是 {value!r}",
            )
        )
    unknown = sorted(str(k) for k in value if k not in keys)
    if unknown:
        raise ConfigError(
            say(
                f"rules[{name!r}] has unknown key(s) {', '.join(map(repr, unknown))}; "
                f"its keys are {', '.join(sorted(keys))}",
                f"rules[{name!r}] 中有未知的键 {', '.join(map(repr, unknown))}；"
                f"可用的键为 {', '.join(sorted(keys))}",
            )
        )
    return dict(value)


def _number(
    value: Any,
    where: str,
    *,
    low: float | None = None,
    high: float | None = None,
    positive: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(
            say(f"{where} must be a number, not {value!r}", f"{where} 须为数字，而不是 {value!r}")
        )
    if (low is not None and value < low) or (high is not None and value > high):
        span = (
            say(f"between {low:g} and {high:g}", f"在 {low:g} 到 {high:g} 之间")
            if high is not None
            else say(f"at least {low:g}", f"不小于 {low:g}")
        )
        raise ConfigError(
            say(f"{where} must be {span}, not {value!r}", f"{where} 须{span}，而不是 {value!r}")
        )
    if positive and value <= 0:
        raise ConfigError(
            say(
                f"{where} must be more than 0, not {value!r}",
                f"{where} 须大于 0，而不是 {value!r}",
            )
        )
    return float(value)


def _optional(value: Any, name: str, key: str) -> float | None:
    return None if value is None else _number(value, f"rules[{name!r}][{key!r}]")


def _words(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            say(
                f"rules['stage'][{key!r}] must be a list of words, e.g. ['won', '成交']",
                f"rules['stage'][{key!r}] 须为词语列表，例如 ['won', '成交']",
            )
        )
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


# ================================================================ kinds: reading a section
# Each reader gets its section (checked to be an object with only its keys) or None when
# the section is switched off or not given, and the section's name.


def _read_tiers(section: dict[str, Any] | None, name: str) -> Tiers:
    tiers = section or {}
    high = _number(tiers.get("high", 70), "rules['tiers']['high']", low=0, high=100)
    medium = _number(tiers.get("medium", 40), "rules['tiers']['medium']", low=0, high=100)
    if medium > high:
        raise ConfigError(
            say(
                f"rules['tiers'] cut-offs must satisfy medium <= high, got medium={medium:g} "
                f"and high={high:g}; e.g. {{'high': 70, 'medium': 40}}",
                f"rules['tiers'] 的分数线须满足 medium <= high，当前 medium={medium:g}、"
                f"high={high:g}；例如 {{'high': 70, 'medium': 40}}",
            )
        )
    return Tiers(high, medium)


def _read_points(section: dict[str, Any] | None, name: str) -> float | None:
    return None if section is None else _optional(section.get("points"), name, "points")


#: The keys of a title level (label_zh is optional).
_LEVEL_KEYS = frozenset({"label", "label_zh", "points", "keywords"})


def _read_title(section: dict[str, Any] | None, name: str) -> tuple[Level, ...]:
    if section is None:
        return ()
    raw_levels = section.get("levels", [])
    if not isinstance(raw_levels, list):
        raise ConfigError(
            say(
                f"rules['title']['levels'] must be a list like {_example('title')}",
                f"rules['title']['levels'] 须为列表，例如 {_example('title')}",
            )
        )
    levels: list[Level] = []
    for i, level in enumerate(raw_levels):
        where = f"rules['title']['levels'][{i}]"
        if not isinstance(level, Mapping) or set(level) - _LEVEL_KEYS:
            raise ConfigError(
                say(
                    f"{where} must be an object with label, points and keywords, e.g. "
                    '{"label": "is a decision-maker", "points": 20, "keywords": ["总监", '
                    '"director"]}',
                    f"{where} 须为含 label、points 和 keywords 的对象，例如 "
                    '{"label": "是决策人", "points": 20, "keywords": ["总监", "director"]}',
                )
            )
        label = level.get("label")
        if not isinstance(label, str) or not label.strip():
            raise ConfigError(
                say(
                    f"{where}['label'] must be a short text such as 'is a manager'",
                    f"{where}['label'] 须为简短的文字，例如 '是经理'",
                )
            )
        keywords = level.get("keywords")
        if (
            not isinstance(keywords, list)
            or not keywords
            or not all(isinstance(k, str) and k.strip() for k in keywords)
        ):
            raise ConfigError(
                say(
                    f"{where}['keywords'] must be a non-empty list of words, e.g. ['经理', "
                    "'manager']",
                    f"{where}['keywords'] 须为非空的词语列表，例如 ['经理', 'manager']",
                )
            )
        label_zh = level.get("label_zh")
        if label_zh is not None and (not isinstance(label_zh, str) or not label_zh.strip()):
            raise ConfigError(
                say(
                    f"{where}['label_zh'] must be a short Chinese text such as '是经理'",
                    f"{where}['label_zh'] 须为简短的中文，例如 '是经理'",
                )
            )
        points = _number(level.get("points"), f"{where}['points']")
        levels.append(
            Level(
                label.strip(),
                points,
                _keyword_pattern(keywords),
                label_zh.strip() if label_zh is not None else None,
            )
        )
    return tuple(levels)


def _read_timeline(section: dict[str, Any] | None, name: str) -> Timeline:
    if section is None:
        return Timeline((), None)
    raw_levels = section.get("levels", [])
    if not isinstance(raw_levels, list):
        raise ConfigError(
            say(
                f"rules['timeline']['levels'] must be a list like {_example('timeline')}",
                f"rules['timeline']['levels'] 须为列表，例如 {_example('timeline')}",
            )
        )
    levels: list[tuple[float, float]] = []
    for i, level in enumerate(raw_levels):
        where = f"rules['timeline']['levels'][{i}]"
        if not isinstance(level, Mapping) or set(level) != {"within_days", "points"}:
            raise ConfigError(
                say(
                    f"{where} must be an object with within_days and points, e.g. "
                    '{"within_days": 90, "points": 15}',
                    f"{where} 须为含 within_days 和 points 的对象，例如 "
                    '{"within_days": 90, "points": 15}',
                )
            )
        days = _number(level["within_days"], f"{where}['within_days']", low=0)
        levels.append((days, _number(level["points"], f"{where}['points']")))
    levels.sort()
    stated = _number(section.get("stated", 0), "rules['timeline']['stated']")
    return Timeline(tuple(levels), stated)


def _read_contact(section: dict[str, Any] | None, name: str) -> Contact:
    if section is None:
        return Contact(None, None)
    return Contact(
        _optional(section.get("phone"), name, "phone"),
        _optional(section.get("email"), name, "email"),
    )


def _read_events(section: dict[str, Any] | None, name: str) -> Events:
    if section is None:
        return Events({}, 30.0, None, {})
    raw_weights = section.get("weights", {})
    if not isinstance(raw_weights, Mapping):
        raise ConfigError(
            say(
                "rules['events']['weights'] must map event types to points, e.g. "
                '{"visit": 1, "demo_request": 12}',
                "rules['events']['weights'] 须为“事件类型 → 分值”的映射，例如 "
                '{"visit": 1, "demo_request": 12}',
            )
        )
    weights = {
        event_key(kind): _number(weight, f"rules['events']['weights'][{kind!r}]")
        for kind, weight in raw_weights.items()
    }
    half_life = _number(
        section.get("half_life_days", 30), "rules['events']['half_life_days']", low=0, positive=True
    )
    cap = None
    if section.get("cap") is not None:
        cap = _number(section["cap"], "rules['events']['cap']", low=0)
    raw_aliases = section.get("aliases", {})
    if not isinstance(raw_aliases, Mapping) or not all(
        isinstance(v, str) for v in raw_aliases.values()
    ):
        raise ConfigError(
            say(
                "rules['events']['aliases'] must map spellings to event types, e.g. "
                '{"预约演示": "demo_request"}',
                "rules['events']['aliases'] 须为“写法 → 事件类型”的映射，例如 "
                '{"预约演示": "demo_request"}',
            )
        )
    aliases = {event_key(k): event_key(v) for k, v in raw_aliases.items()}
    return Events(weights, half_life, cap, aliases)


def _read_stage(section: dict[str, Any] | None, name: str) -> Stage:
    stage = section or {}
    return Stage(
        customer_status=frozenset(
            status_key(v) for v in _words(stage.get("customer_status", []), "customer_status")
        ),
        customer_events=frozenset(
            event_key(v) for v in _words(stage.get("customer_events", []), "customer_events")
        ),
        intent_events=frozenset(
            event_key(v) for v in _words(stage.get("intent_events", []), "intent_events")
        ),
        window_days=_number(
            stage.get("window_days", 90), "rules['stage']['window_days']", low=0, positive=True
        ),
    )


# ============================================================= kinds: gathering evidence
# Each gatherer adds the features of its section to ``context.evidence``; ``name`` is the
# section (the role it reads, for budget and need).


#: The roles reasons name, as a Chinese reason names them.
_ROLE_ZH: dict[str, str] = {"budget": "预算", "need": "需求", "phone": "电话", "email": "邮箱"}


def _title_evidence(context: Context, rules: Rules, name: str) -> None:
    levels: tuple[Level, ...] = rules[name]
    if not levels:
        return
    level_of, shown = context.per_value("title", lambda v: _title_level(v, levels), -1, np.int64)
    for i, level in enumerate(levels):
        hit = level_of == i
        texts = only(
            hit,
            say("title ", "职位“")
            + shown
            + say(" " + level.label, "”" + (level.label_zh or level.label)),
        )
        label = say(f"title {level.label}", f"职位{level.label_zh or level.label}")
        context.evidence.add(f"title: {level.label}", hit, hit * level.points, texts, label=label)


def _title_level(value: Any, levels: tuple[Level, ...]) -> int:
    """The index of the first level with a keyword in ``value``; -1 for none."""
    if is_none(value):
        return -1
    text = str(value).strip().lower()
    return next((i for i, level in enumerate(levels) if level.pattern.search(text)), -1)


def _company_evidence(context: Context, rules: Rules, name: str) -> None:
    points: float | None = rules[name]
    if points is None or "company" not in context.roles:
        return
    known, shown = context.per_value("company", _known_company, False)
    texts = only(known, say("company ", "公司“") + shown + say(" is known", "”有效"))
    label = say("company known", "公司有效")
    context.evidence.add("company known", known, known * points, texts, label=label)


def _known_company(value: Any) -> bool:
    """Given, and no placeholder (测试公司, 个人 ...)."""
    return not is_none(value) and not _safe(normalize.is_placeholder_company, value)


def _stated_evidence(context: Context, rules: Rules, name: str) -> None:
    points: float | None = rules[name]
    role = name
    if points is None or role not in context.roles:
        return
    given, shown = context.per_value(role, lambda v: not is_none(v), False)
    texts = only(
        given,
        say(f"{role} ", f"{_ROLE_ZH.get(role, role)}“") + shown + say(" is stated", "”已填写"),
    )
    label = say(f"{role} stated", f"{_ROLE_ZH.get(role, role)}已填写")
    context.evidence.add(f"{role} stated", given, given * points, texts, label=label)


def _timeline_evidence(context: Context, rules: Rules, name: str) -> None:
    timeline: Timeline = rules[name]
    if not (timeline.levels or timeline.stated is not None) or "timeline" not in context.roles:
        return
    bucket, shown = context.per_value(
        "timeline",
        lambda v: _timeline_bucket(timeline_days(v, context.now), timeline.levels),
        _NO_TIMELINE,
        np.int64,
    )
    for i, (within, points) in enumerate(timeline.levels):
        hit = bucket == i
        texts = only(
            hit,
            say("timeline ", "采购时间“")
            + shown
            + say(f" is within {within:g} days", f"”在 {within:g} 天以内"),
        )
        label = say(f"timeline within {within:g} days", f"采购时间在 {within:g} 天以内")
        context.evidence.add(
            f"timeline within {within:g} days", hit, hit * points, texts, label=label
        )
    if timeline.stated is not None:
        hit = bucket == _UNREAD_TIMELINE
        texts = only(hit, say("timeline ", "采购时间“") + shown + say(" is stated", "”已填写"))
        label = say("timeline stated", "采购时间已填写")
        context.evidence.add("timeline stated", hit, hit * timeline.stated, texts, label=label)


_NO_TIMELINE, _UNREAD_TIMELINE, _BEYOND_LEVELS = -2, -1, -3


def _timeline_bucket(days: float | None, levels: tuple[tuple[float, float], ...]) -> int:
    """The first level ``days`` is within, or one of the codes above."""
    if days is None:
        return _NO_TIMELINE
    if math.isnan(days):
        return _UNREAD_TIMELINE
    return next((i for i, (within, _) in enumerate(levels) if days <= within), _BEYOND_LEVELS)


_BAD_CONTACT: dict[str, frozenset[str]] = {
    "phone": frozenset({"phone.missing", "phone.invalid", "phone.placeholder"}),
    "email": frozenset({"email.missing", "email.syntax", "email.placeholder", "email.disposable"}),
}


def _contact_evidence(context: Context, rules: Rules, name: str) -> None:
    contact: Contact = rules[name]
    for role, points in (("phone", contact.phone), ("email", contact.email)):
        if points is None or role not in context.roles:
            continue
        problems = context.validation["problems"].map(frozenset).to_numpy(dtype=object)
        bad = _BAD_CONTACT[role]
        ok = np.array([not (p & bad) for p in problems], dtype=bool)
        text = say(f"valid {role}", f"{_ROLE_ZH.get(role, role)}有效")
        context.evidence.add(f"valid {role}", ok, ok * points, only(ok, text), label=text)


def _ghost_evidence(context: Context, rules: Rules, name: str) -> None:
    points: float | None = rules[name]
    if points is None:
        return
    report = context.validation
    ghost = report["is_ghost"].to_numpy(dtype=bool)
    why = report["ghost_reasons"].astype(str).to_numpy(dtype=object)
    texts = only(ghost, say("ghost lead (", "幽灵线索（") + why + say(")", "）"))
    label = say("ghost lead", "幽灵线索")
    context.evidence.add("ghost lead", ghost, ghost * points, texts, label=label)


def _event_evidence(context: Context, rules: Rules, name: str) -> None:
    # Runs even without weights: the events still tell the stage (intent, customer).
    events: Events = rules[name]
    stage = rules.stage
    add_events(
        context,
        weights=events.weights,
        half_life=events.half_life,
        cap=events.cap,
        aliases=events.aliases,
        intent_events=stage.intent_events,
        customer_events=stage.customer_events,
        window_days=stage.window_days,
    )


def _status_evidence(context: Context, rules: Rules, name: str) -> None:
    # After the events: a customer by status or by a customer event.
    evidence = context.evidence
    customer = (
        evidence.customer if evidence.customer is not None else np.zeros(evidence.n, dtype=bool)
    )
    if "status" in context.roles:
        won, _ = context.per_value(
            "status", lambda v: status_key(v) in rules.stage.customer_status, False
        )
        customer = customer | won
    evidence.customer = customer


def _safe(predicate: Any, value: Any) -> bool:
    try:
        return bool(predicate(value))
    except Exception:
        logger.warning("%s raised on a value; treated as False", predicate.__name__)
        return False


# ============================================================================ registry


@dataclass(frozen=True)
class RuleKind:
    """One section of a rules dict: the keys it takes, how it is read into its compiled
    settings, and the evidence it adds (``None``: it adds none, as ``tiers``)."""

    keys: frozenset[str]
    read: Callable[[dict[str, Any] | None, str], Any]
    gather: Callable[[Context, Rules, str], None] | None = None


_POINTS = frozenset({"points"})

#: Every kind of scoring rule, by section name, in the order their features are added
#: (the order of reasons with equal effect, and of an outcome model's coefficients).
#: ``events`` comes before ``stage``, which adds the customers by status to those by event.
KINDS: dict[str, RuleKind] = {
    "tiers": RuleKind(frozenset({"high", "medium"}), _read_tiers),
    "title": RuleKind(frozenset({"levels"}), _read_title, _title_evidence),
    "company": RuleKind(_POINTS, _read_points, _company_evidence),
    "budget": RuleKind(_POINTS, _read_points, _stated_evidence),
    "need": RuleKind(_POINTS, _read_points, _stated_evidence),
    "timeline": RuleKind(frozenset({"levels", "stated"}), _read_timeline, _timeline_evidence),
    "contact": RuleKind(frozenset({"phone", "email"}), _read_contact, _contact_evidence),
    "ghost": RuleKind(_POINTS, _read_points, _ghost_evidence),
    "events": RuleKind(
        frozenset({"weights", "half_life_days", "cap", "aliases"}), _read_events, _event_evidence
    ),
    "stage": RuleKind(
        frozenset({"customer_status", "customer_events", "intent_events", "window_days"}),
        _read_stage,
        _status_evidence,
    ),
}
