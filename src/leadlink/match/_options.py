"""The options of a :class:`~leadlink.LeadModel` and the contents of a model file, checked
in one place.

A model file is input like any other: it may have been edited by hand, truncated, or come
from someone else. Every value has a type and a range, and a file with anything else is
refused before it is used — an option passed in Python the same way:

=====================  ===============================================================
field                  allowed
=====================  ===============================================================
``threshold``          a real number in [0, 1] (``true`` is not a number)
``max_block_size``     an integer in [2, :data:`MAX_BLOCK_SIZE_LIMIT`]
``max_pairs``          ``None`` or an integer of at least 1 (not saved in the file)
``blocking``           ``null`` or a non-empty list of distinct preset names
``seed``               an integer in [0, 2**31 - 1]
``extra``              at most 50 columns: name (≤ 200 characters) → kind
``must_link`` ...      lists of roles or extra columns
``entity``             ``"person"`` (leads; the default, and for files without it) or
                       ``"company"`` (accounts)
``lambda``             a real number in (0, 1)
``m``, ``u``           real numbers in (0, 1], one per comparison level, in level order
=====================  ===============================================================

Numbers must be finite (the file reader refuses ``NaN`` and ``Infinity`` too); unknown
keys are refused, so a misspelt option is not silently ignored. Messages name the field
and what it may be: a :class:`~leadlink.errors.ConfigError` for an option passed in
Python, a :class:`~leadlink.errors.ModelError` for a model file.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leadlink._i18n import say
from leadlink.clean import extra_column
from leadlink.errors import ConfigError, LeadlinkError, ModelError
from leadlink.match._blocking import (
    MAX_BLOCK_SIZE_LIMIT,
    PRESET_NAMES,
    presets_for,
)
from leadlink.match._comparisons import (
    COMPARISONS,
    ENTITY_COMPARISONS,
    EXTRA_KINDS,
    comparison_for,
)
from leadlink.schema import MATCH_ROLES

__all__ = [
    "MAX_EXTRA_COLUMNS",
    "MAX_SEED",
    "ModelFile",
    "check_blocking",
    "check_max_block_size",
    "check_max_pairs",
    "check_options",
    "check_threshold",
    "read_model_file",
]

#: The most user columns a model compares.
MAX_EXTRA_COLUMNS = 50
_MAX_NAME = 200
#: The largest seed (the random sampling of u takes a 32-bit seed).
MAX_SEED = 2**31 - 1
# Pairs sampled for u or per EM session: at least a thousand, at most a billion.
_SAMPLED_PAIRS = (1e3, 1e9)

_OPTION_KEYS = frozenset(
    {
        "threshold",
        "max_block_size",
        "blocking",
        "seed",
        "extra",
        "must_link",
        "never_link",
        "entity",
    }
)
#: What a model matches: people (leads) or organisations (accounts).
ENTITIES = ("person", "company")
_FILE_KEYS = frozenset(
    {
        "format",
        "version",
        "leadlink_version",
        "options",
        "lambda",
        "comparisons",
        "diagnostics",
    }
)
_FILE_HINT = (
    "; the model file may have been edited by hand or damaged — retrain and save it again",
    "；模型文件可能被手工改动或已损坏——请重新训练并保存",
)


class _Where:
    """Where a value comes from: an option of a call (ConfigError) or a field of a model
    file (ModelError), for the messages."""

    def __init__(self, error: type[LeadlinkError], prefix: str = "", prefix_zh: str = "") -> None:
        self.error, self.prefix, self.prefix_zh = error, prefix, prefix_zh

    def missing(self, field: str) -> LeadlinkError:
        hint = _FILE_HINT if self.error is ModelError else ("", "")
        return self.error(
            say(
                f"{self.prefix}{field} is missing{hint[0]}",
                f"{self.prefix_zh}{field} 缺失{hint[1]}",
            )
        )

    def refuse(self, field: str, allowed: str, allowed_zh: str, value: Any) -> LeadlinkError:
        shown = _shown(value)
        hint = _FILE_HINT if self.error is ModelError else ("", "")
        return self.error(
            say(
                f"{self.prefix}{field} must be {allowed}, not {shown}{hint[0]}",
                f"{self.prefix_zh}{field} 须为{allowed_zh}，而不是 {shown}{hint[1]}",
            )
        )


_IN_CALL = _Where(ConfigError)
_IN_FILE = _Where(ModelError, "the model file's ", "模型文件中的 ")


def check_threshold(value: Any, *, field: str = "threshold") -> float:
    """``value`` as a match probability in [0, 1]; a ConfigError naming ``field`` otherwise."""
    return _real(value, field, 0.0, 1.0, _IN_CALL)


def check_max_block_size(value: Any, *, field: str = "max_block_size") -> int:
    """``value`` as a block size cap in [2, :data:`MAX_BLOCK_SIZE_LIMIT`]."""
    return _integer(value, field, 2, MAX_BLOCK_SIZE_LIMIT, _IN_CALL)


def check_blocking(value: Any, *, field: str = "blocking") -> tuple[str, ...] | None:
    """``value`` as blocking preset names: None, or a non-empty list of distinct names of
    :data:`~leadlink.match.PRESET_NAMES`."""
    return _blocking(value, field, _IN_CALL)


def check_max_pairs(value: Any, *, field: str = "max_pairs") -> int:
    """``value`` as a budget of pairs: an integer of at least 1."""
    return _integer(value, field, 1, None, _IN_CALL)


def check_options(
    *,
    threshold: Any,
    max_block_size: Any,
    blocking: Any,
    seed: Any,
    u_max_pairs: Any,
    em_max_pairs: Any,
    extra: Any,
    must_link: Any,
    never_link: Any,
    max_pairs: Any,
    entity: Any = "person",
) -> dict[str, Any]:
    """The options of :class:`~leadlink.LeadModel`, checked and normalised (tuples for
    lists, ints and floats for numbers); a ConfigError naming the first bad one."""
    options = _options(
        {
            "threshold": threshold,
            "max_block_size": max_block_size,
            "blocking": blocking,
            "seed": seed,
            "extra": extra,
            "must_link": must_link,
            "never_link": never_link,
            "entity": entity,
        },
        _IN_CALL,
    )
    options["u_max_pairs"] = _real(u_max_pairs, "u_max_pairs", *_SAMPLED_PAIRS, _IN_CALL)
    options["em_max_pairs"] = _real(em_max_pairs, "em_max_pairs", *_SAMPLED_PAIRS, _IN_CALL)
    options["max_pairs"] = (
        None if max_pairs is None else _integer(max_pairs, "max_pairs", 1, None, _IN_CALL)
    )
    return options


@dataclass(frozen=True)
class ModelFile:
    """The checked contents of a model file."""

    options: dict[str, Any]
    lambda_: float
    m: dict[str, list[float]]
    u: dict[str, list[float]]
    diagnostics: dict[str, Any]


def read_model_file(data: Any, *, format_name: str, version: int) -> ModelFile:
    """The contents of a model file (:meth:`leadlink.LeadModel.to_dict` data), every value
    checked for type and range; a ModelError that names the first bad field."""
    where = _IN_FILE
    if not isinstance(data, Mapping) or data.get("format") != format_name:
        raise ModelError(
            say(
                "this is not a leadlink model file (its 'format' is not "
                f"{format_name!r}); save models with LeadModel.save()",
                f"这不是 leadlink 的模型文件（其 'format' 不是 {format_name!r}）；"
                "请用 LeadModel.save() 保存模型",
            )
        )
    if data.get("version") != version or isinstance(data.get("version"), bool):
        raise ModelError(
            say(
                f"model file version {_shown(data.get('version'))} is not supported by this "
                f"leadlink (it reads version {version}); retrain the model with this version",
                f"此版本的 leadlink 不支持模型文件版本 {_shown(data.get('version'))}"
                f"（只能读取版本 {version}）；请用当前版本重新训练模型",
            )
        )
    _known_keys(data, _FILE_KEYS, "", where)
    for key in ("options", "lambda", "comparisons"):
        if key not in data:
            raise where.missing(key)
    leadlink_version = data.get("leadlink_version")
    if leadlink_version is not None and not (
        isinstance(leadlink_version, str) and len(leadlink_version) <= 50
    ):
        raise where.refuse("leadlink_version", "a version text", "版本号文本", leadlink_version)
    raw_options = data["options"]
    if not isinstance(raw_options, Mapping):
        raise where.refuse("options", "an object", "对象", raw_options)
    _known_keys(raw_options, _OPTION_KEYS, "options.", where)
    for key in ("threshold", "max_block_size"):
        if key not in raw_options:
            raise where.missing(f"options.{key}")
    options = _options(
        {
            "threshold": raw_options["threshold"],
            "max_block_size": raw_options["max_block_size"],
            "blocking": raw_options.get("blocking"),
            "seed": raw_options.get("seed", 0),
            "extra": raw_options.get("extra") or {},
            "must_link": raw_options.get("must_link") or [],
            "never_link": raw_options.get("never_link") or [],
            "entity": raw_options.get("entity", "person"),
        },
        where,
        "options.",
    )
    lam = _real(data["lambda"], "lambda", 0.0, 1.0, where, open_low=True, open_high=True)
    for key in ("must_link", "never_link"):
        for name in options[key]:
            if name not in MATCH_ROLES and name not in options["extra"]:
                raise where.refuse(
                    f"options.{key}",
                    f"a list of roles ({', '.join(MATCH_ROLES)}) or extra columns",
                    f"角色（{', '.join(MATCH_ROLES)}）或额外列的列表",
                    list(options[key]),
                )
    extra_kinds = {extra_column(column): kind for column, kind in options["extra"].items()}
    comparisons = data["comparisons"]
    if not isinstance(comparisons, list) or not comparisons:
        raise where.refuse(
            "comparisons", "a non-empty list of comparisons", "非空的比较列表", comparisons
        )
    known = ENTITY_COMPARISONS[options["entity"]]
    if len(comparisons) > len(known) + len(extra_kinds):
        raise where.refuse(
            "comparisons",
            f"a list of at most {len(known) + len(extra_kinds)} comparisons",
            f"至多 {len(known) + len(extra_kinds)} 项的比较列表",
            len(comparisons),
        )
    m: dict[str, list[float]] = {}
    u: dict[str, list[float]] = {}
    for i, comparison in enumerate(comparisons):
        field = f"comparisons[{i}]"
        if not isinstance(comparison, Mapping):
            raise where.refuse(
                field, "an object with role and levels", "含 role 和 levels 的对象", comparison
            )
        _known_keys(comparison, frozenset({"role", "levels"}), f"{field}.", where)
        role = comparison.get("role")
        if not isinstance(role, str) or (role not in known and role not in extra_kinds):
            raise ModelError(
                say(
                    f"the model file compares an unknown role {_shown(role)}; it compares "
                    f"{', '.join(known)} or the extra columns it lists{_FILE_HINT[0]}",
                    f"模型文件比较了未知的角色 {_shown(role)}；可比较的是 "
                    f"{', '.join(known)} 或其列出的额外列{_FILE_HINT[1]}",
                )
            )
        if role in m:
            raise where.refuse(
                f"{field}.role",
                f"a role not compared before ({role!r} is)",
                f"未重复的角色（{role!r} 已出现过）",
                role,
            )
        expected = comparison_for(role, extra_kinds, options["entity"]).level_ids
        levels = comparison.get("levels")
        found = (
            [level.get("id") if isinstance(level, Mapping) else None for level in levels]
            if isinstance(levels, list)
            else levels
        )
        if found != list(expected):
            raise ModelError(
                say(
                    f"the model file's levels for {role!r} are {_shown(found)}, this leadlink "
                    f"expects {list(expected)}; retrain the model with this version",
                    f"模型文件中 {role!r} 的比较级别为 {_shown(found)}，"
                    f"而此版本的 leadlink 需要 {list(expected)}；请用当前版本重新训练模型",
                )
            )
        assert isinstance(levels, list)
        m[role], u[role] = [], []
        for j, level in enumerate(levels):
            _known_keys(level, frozenset({"id", "m", "u"}), f"{field}.levels[{j}].", where)
            for key, values in (("m", m[role]), ("u", u[role])):
                if key not in level:
                    raise where.missing(f"{field}.levels[{j}].{key}")
                values.append(
                    _real(level[key], f"{role}.{level['id']}.{key}", 0.0, 1.0, where, open_low=True)
                )
    roles = list(m)
    if not presets_for(roles, options["blocking"], extra_kinds, options["entity"]):
        raise where.refuse(
            "options.blocking",
            f"presets that fit the roles the model compares ({', '.join(roles)})",
            f"适用于模型所比较角色（{', '.join(roles)}）的预设",
            options["blocking"],
        )
    diagnostics = data.get("diagnostics") or {}
    if not isinstance(diagnostics, Mapping):
        raise where.refuse("diagnostics", "an object", "对象", diagnostics)
    return ModelFile(options, lam, m, u, dict(diagnostics))


# -- the checks ------------------------------------------------------------------------


def _options(raw: Mapping[str, Any], where: _Where, prefix: str = "") -> dict[str, Any]:
    """The options a model file and the constructor share, checked and normalised."""
    options: dict[str, Any] = {
        "threshold": _real(raw["threshold"], f"{prefix}threshold", 0.0, 1.0, where),
        "max_block_size": _integer(
            raw["max_block_size"], f"{prefix}max_block_size", 2, MAX_BLOCK_SIZE_LIMIT, where
        ),
        "blocking": _blocking(raw["blocking"], f"{prefix}blocking", where),
        "seed": _integer(raw["seed"], f"{prefix}seed", 0, MAX_SEED, where),
        "extra": _extra(raw["extra"], f"{prefix}extra", where),
    }
    if not isinstance(raw["entity"], str) or raw["entity"] not in ENTITIES:
        raise where.refuse(
            f"{prefix}entity",
            f"one of {', '.join(map(repr, ENTITIES))}",
            f"{'、'.join(map(repr, ENTITIES))} 之一",
            raw["entity"],
        )
    options["entity"] = raw["entity"]
    for key in ("must_link", "never_link"):
        options[key] = _names(raw[key], f"{prefix}{key}", where)
    return options


def _real(
    value: Any,
    field: str,
    low: float,
    high: float,
    where: _Where,
    *,
    open_low: bool = False,
    open_high: bool = False,
) -> float:
    allowed = f"{'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise where.refuse(field, f"a number in {allowed}", f" {allowed} 之间的数", value)
    number = float(value)
    inside = (low < number if open_low else low <= number) and (
        number < high if open_high else number <= high
    )
    if not math.isfinite(number) or not inside:
        raise where.refuse(field, f"in {allowed}", f" {allowed} 之间的数", value)
    return number


def _integer(value: Any, field: str, low: int, high: int | None, where: _Where) -> int:
    if high is None:
        allowed, allowed_zh = f"an integer of at least {low}", f"不小于 {low} 的整数"
    else:
        allowed, allowed_zh = f"an integer in [{low}, {high}]", f" [{low}, {high}] 之间的整数"
    whole = isinstance(value, numbers.Integral) or (
        isinstance(value, float) and math.isfinite(value) and value.is_integer()
    )
    if isinstance(value, bool) or not whole:
        raise where.refuse(field, allowed, allowed_zh, value)
    number = int(value)
    if number < low or (high is not None and number > high):
        raise where.refuse(field, allowed, allowed_zh, value)
    return number


def _blocking(value: Any, field: str, where: _Where) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = sorted(PRESET_NAMES)
    allowed = (
        f"None (every preset that fits) or a non-empty list of distinct preset names from {names}"
    )
    allowed_zh = f" None（所有适用的预设）或由不重复的预设名组成的非空列表，可选：{names}"
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        raise where.refuse(field, allowed, allowed_zh, value)
    if any(not isinstance(name, str) or name not in PRESET_NAMES for name in value):
        raise where.refuse(field, allowed, allowed_zh, value)
    if len(set(value)) < len(value):
        raise where.refuse(field, allowed, allowed_zh, value)
    return tuple(value)


def _extra(value: Any, field: str, where: _Where) -> dict[str, str]:
    kinds = sorted(EXTRA_KINDS)
    allowed = (
        f"an object of at most {MAX_EXTRA_COLUMNS} columns, each column name (at most "
        f"{_MAX_NAME} characters) to a kind from {kinds}"
    )
    allowed_zh = (
        f"至多 {MAX_EXTRA_COLUMNS} 列的对象，每个列名（至多 {_MAX_NAME} 个字符）对应一种类型，"
        f"可选：{kinds}"
    )
    if value is None:
        return {}
    if not isinstance(value, Mapping) or len(value) > MAX_EXTRA_COLUMNS:
        raise where.refuse(field, allowed, allowed_zh, value)
    for column, kind in value.items():
        if not isinstance(column, str) or not 0 < len(column) <= _MAX_NAME:
            raise where.refuse(field, allowed, allowed_zh, column)
        if kind not in EXTRA_KINDS:
            raise where.refuse(
                f"{field}[{column!r}]", f"one of {kinds}", f"以下之一：{kinds}", kind
            )
    return dict(value)


def _names(value: Any, field: str, where: _Where) -> tuple[str, ...]:
    allowed = "a list of roles or extra columns, e.g. ['email']"
    allowed_zh = "角色或额外列的列表，例如 ['email']"
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise where.refuse(field, allowed, allowed_zh, value)
    if len(value) > len(COMPARISONS) + MAX_EXTRA_COLUMNS or any(
        not isinstance(name, str) or not 0 < len(name) <= _MAX_NAME for name in value
    ):
        raise where.refuse(field, allowed, allowed_zh, value)
    return tuple(value)


def _known_keys(value: Any, known: frozenset[str], prefix: str, where: _Where) -> None:
    """Refuse a key that is not in ``known`` (a misspelt option would be ignored)."""
    if not isinstance(value, Mapping):
        raise where.refuse(prefix.rstrip(".") or "content", "an object", "对象", value)
    unknown = sorted(str(key) for key in value if key not in known)
    if unknown:
        key = _shown(f"{prefix}{unknown[0]}")
        raise where.error(
            say(
                f"{where.prefix}key {key} is not one leadlink knows; the keys there are "
                f"{', '.join(sorted(known))}{_FILE_HINT[0]}",
                f"{where.prefix_zh}键 {key} 不是 leadlink 认识的键；此处的键为 "
                f"{', '.join(sorted(known))}{_FILE_HINT[1]}",
            )
        )


def _shown(value: Any) -> str:
    """``value`` for a message: its repr, cut short (a file can hold anything)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
