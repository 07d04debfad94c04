"""Messages in the reader's language: English or Chinese (简体中文).

Most leadlink users are Chinese CRM teams, many are not: every message a user reads (error
messages, score reasons, validation explanations, review details, the CLI's summaries) is
written in both languages where it is raised, with :func:`say`, and shown in one.

The language is, first to last: what :func:`set_language` chose (the CLI's ``--lang``), the
``LEADLINK_LANG`` environment variable, the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``:
``zh_CN.UTF-8`` → Chinese), else English. Reason codes (``phone.invalid``, ``large``,
``weak_link`` ...) stay the same in both languages, so code that reads them does not change.

>>> set_language("zh"); say("invalid phone", "电话无效")
'电话无效'
>>> set_language("en"); say("invalid phone", "电话无效")
'invalid phone'
>>> set_language(None)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from leadlink.errors import ConfigError

__all__ = ["LANGUAGES", "get_language", "language", "say", "set_language"]

#: The languages messages are written in.
LANGUAGES: tuple[str, ...] = ("en", "zh")

_chosen: str | None = None


def set_language(language: str | None) -> None:
    """Show messages in ``language`` (``"en"`` or ``"zh"``) from now on, in this process;
    ``None`` goes back to the environment's choice (``LEADLINK_LANG``, then the locale)."""
    global _chosen
    if language is None:
        _chosen = None
        return
    code = _code(language)
    if code is None:
        raise ConfigError(
            say(
                f"language {language!r} is not supported; choose one of {', '.join(LANGUAGES)} "
                "(e.g. set_language('zh') / --lang zh)",
                f"不支持语言 {language!r}；可选：{', '.join(LANGUAGES)}"
                "（例如 set_language('zh') 或 --lang zh）",
            )
        )
    _chosen = code


@contextmanager
def language(code: str | None) -> Iterator[None]:
    """Messages in ``code`` inside the ``with`` block (``None``: as they are), then back to
    the choice made before: the CLI's ``--lang`` does not outlive its command.

    >>> with language("zh"):
    ...     say("invalid phone", "电话无效")
    '电话无效'
    """
    global _chosen
    before = _chosen
    if code is not None:
        set_language(code)
    try:
        yield
    finally:
        _chosen = before


def get_language() -> str:
    """The language messages are shown in now: ``"en"`` or ``"zh"``."""
    if _chosen is not None:
        return _chosen
    for variable in ("LEADLINK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            code = _code(value)
            if code is not None or variable == "LEADLINK_LANG":
                return code or "en"
            if variable in ("LC_ALL", "LC_MESSAGES"):
                return "en"  # a set locale decides, even when it is not one of ours
    return "en"


def say(english: str, chinese: str) -> str:
    """The message in the current language (see :func:`get_language`)."""
    return chinese if get_language() == "zh" else english


def _code(value: str) -> str | None:
    """``zh_CN.UTF-8``, ``zh-Hans``, ``ZH`` -> ``zh``; ``en_US``, ``C``, ``POSIX`` -> ``en``;
    anything else -> None."""
    head = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    if head == "zh":
        return "zh"
    if head in ("en", "c", "posix"):
        return "en"
    return None
