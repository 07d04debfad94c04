"""Reading the JSON files a user hands to leadlink — a model, a survivorship policy, scoring
rules — with bounds, through one door.

Such a file may come from anywhere (a colleague, a ticket, a download), so it is read as
untrusted: at most :data:`MAX_JSON_BYTES`, nested at most :data:`MAX_JSON_DEPTH` deep,
standard JSON only (no ``NaN`` or ``Infinity``, no key twice in one object, no number of
thousands of digits). Whatever is wrong gives the caller's error class (a
:class:`~leadlink.errors.ConfigError` by default) with a message that names the file and
what to do, never a ``RecursionError`` or a traceback. What the values must be is the
caller's check (:meth:`leadlink.LeadModel.from_dict`, ...).
"""

from __future__ import annotations

import json
import os
from typing import Any

from leadlink._i18n import say
from leadlink.errors import ConfigError, LeadlinkError

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_VALUES",
    "check_shape",
    "read_json",
    "read_text",
    "too_deep",
]

#: A model, policy or rules file is a few kilobytes; a larger file is not read.
MAX_JSON_BYTES = 4 * 2**20
#: How deep objects and lists may nest (a model file nests 5 deep, rules files 5).
MAX_JSON_DEPTH = 32
#: How many values (objects, lists, numbers, texts ...) a file may hold in all; a YAML file
#: whose aliases expand a few lines into millions of values is refused too.
MAX_JSON_VALUES = 200_000


def read_json(
    path: str | os.PathLike[str],
    *,
    what: str,
    what_zh: str,
    error: type[LeadlinkError] = ConfigError,
    example: str = "",
) -> Any:
    """The JSON value in the file ``path``, read within the bounds above.

    ``what`` / ``what_zh`` name the file in messages ("the model file", "模型文件");
    ``example`` is appended to the message of a file that is not valid JSON.

    Raises:
        error: the file is missing, unreadable, too large, not UTF-8, not valid JSON,
            nested too deep, or holds a non-standard number or a repeated key.
    """
    text = read_text(path, what=what, what_zh=what_zh, error=error)
    return _parse(text, str(path), what, what_zh, error, example)


def read_text(
    path: str | os.PathLike[str],
    *,
    what: str,
    what_zh: str,
    error: type[LeadlinkError] = ConfigError,
) -> str:
    """The UTF-8 text of the file ``path``, at most :data:`MAX_JSON_BYTES` of it (for
    formats other than JSON, such as YAML rules; check what they parse to with
    :func:`check_shape`)."""
    shown = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_JSON_BYTES + 1)
    except FileNotFoundError:
        raise error(
            say(
                f"cannot read {what} {shown!r}: it does not exist",
                f"{what_zh} {shown!r} 不存在，无法读取",
            )
        ) from None
    except OSError as problem:
        raise error(
            say(
                f"cannot read {what} {shown!r} ({problem.strerror or type(problem).__name__}); "
                "pass the path of a JSON file",
                f"无法读取{what_zh} {shown!r}（{problem.strerror or type(problem).__name__}）；"
                "请传入 JSON 文件的路径",
            )
        ) from None
    if len(raw) > MAX_JSON_BYTES:
        raise error(
            say(
                f"{what} {shown!r} is larger than {MAX_JSON_BYTES // 2**20} MB, which leadlink "
                "does not read (such files are a few KB); check that it is the right file",
                f"{what_zh} {shown!r} 超过 {MAX_JSON_BYTES // 2**20} MB，leadlink 不读取"
                "（这类文件通常只有几 KB）；请确认文件是否正确",
            )
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(
            say(
                f"{what} {shown!r} is not UTF-8 text; save it as UTF-8 JSON",
                f"{what_zh} {shown!r} 不是 UTF-8 文本；请保存为 UTF-8 编码的 JSON",
            )
        ) from None
    return text


def check_shape(
    value: Any,
    *,
    shown: str,
    what: str,
    what_zh: str,
    error: type[LeadlinkError] = ConfigError,
) -> None:
    """Refuse ``value`` when its objects and lists nest deeper than :data:`MAX_JSON_DEPTH`
    or it holds more than :data:`MAX_JSON_VALUES` values (walked without recursion, and
    stopped at the limit, so any shape is measured safely)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > MAX_JSON_VALUES:
            raise error(
                say(
                    f"{what} {shown!r} holds more than {MAX_JSON_VALUES:,} values, which no "
                    "leadlink file does; check that it is the right file",
                    f"{what_zh} {shown!r} 含有超过 {MAX_JSON_VALUES:,} 个值，leadlink 的文件"
                    "都不会这样；请确认文件是否正确",
                )
            )
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple)):
            children = list(item)
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise too_deep(shown, what, what_zh, error)
        stack.extend((child, depth + 1) for child in children)


def _parse(
    text: str,
    shown: str,
    what: str,
    what_zh: str,
    error: type[LeadlinkError],
    example: str,
) -> Any:
    try:
        value = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise too_deep(shown, what, what_zh, error) from None
    except json.JSONDecodeError as problem:
        raise error(
            say(
                f"{what} {shown!r} is not valid JSON ({problem.msg} at line {problem.lineno}, "
                f"column {problem.colno}); it may be truncated or edited by hand"
                + (f" — write it like {example}" if example else ""),
                f"{what_zh} {shown!r} 不是有效的 JSON（第 {problem.lineno} 行：{problem.msg}，"
                f"第 {problem.colno} 列）；文件可能不完整或被手工改动过"
                + (f"——请写成如 {example}" if example else ""),
            )
        ) from None
    except _NotStandard as problem:
        raise error(
            say(
                f"{what} {shown!r} is not standard JSON: {problem.english}",
                f"{what_zh} {shown!r} 不是标准 JSON：{problem.chinese}",
            )
        ) from None
    except ValueError:  # an integer of more digits than Python converts
        raise error(
            say(
                f"{what} {shown!r} holds a number with thousands of digits; no leadlink "
                "setting takes one",
                f"{what_zh} {shown!r} 含有数千位的数字；leadlink 没有任何设置需要这样的数",
            )
        ) from None
    check_shape(value, shown=shown, what=what, what_zh=what_zh, error=error)
    return value


class _NotStandard(ValueError):
    def __init__(self, english: str, chinese: str) -> None:
        super().__init__(english)
        self.english, self.chinese = english, chinese


def _no_constant(name: str) -> Any:
    raise _NotStandard(
        f"it holds {name}, which JSON does not allow; write a number",
        f"含有 JSON 不允许的 {name}；请写成数字",
    )


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _NotStandard(
                f"the key {key!r} appears twice in one object (only one would be used); keep one",
                f"同一个对象中键 {key!r} 出现了两次（只会用到其中一个）；请只保留一个",
            )
        seen.add(key)
    return dict(pairs)


def too_deep(shown: str, what: str, what_zh: str, error: type[LeadlinkError]) -> LeadlinkError:
    return error(
        say(
            f"{what} {shown!r} nests objects or lists more than {MAX_JSON_DEPTH} deep, which "
            "no leadlink file does; check that it is the right file",
            f"{what_zh} {shown!r} 的对象或列表嵌套超过 {MAX_JSON_DEPTH} 层，leadlink 的文件"
            "都不会这样；请确认文件是否正确",
        )
    )
