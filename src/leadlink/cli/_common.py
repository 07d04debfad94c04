"""What several commands share: claiming the output folder, checking options before any
work, ``--column ROLE=COLUMN`` and ``--no-role``, ``--extra``, the ``--config`` file,
the lead id column (as dedupe finds it), progress, warning and error lines on stderr,
padded labels."""

from __future__ import annotations

import argparse
import functools
import sys
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from leadlink._i18n import say


def _writes_outputs(
    run: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """Claim ``--output-dir`` before ``run`` reads anything, and hand it over as
    ``args.outputs``: a file, an unwritable folder, another run writing there or files
    leadlink did not write stop the command at once with exit code 2, not after the run."""

    @functools.wraps(run)
    def claimed(args: argparse.Namespace) -> int:
        from leadlink._outputs import OutputFolder

        options = {
            key: value
            for key, value in vars(args).items()
            if key not in ("run", "command", "debug", "quiet", "flags_given")
        }
        with OutputFolder(
            args.output_dir, overwrite=args.overwrite, command=args.command, options=options
        ) as outputs:
            args.outputs = outputs
            return run(args)

    return claimed


def _check_options(args: argparse.Namespace) -> None:
    """Check the options that leadlink's functions would check later, before any file is
    read: a bad one exits 2 at once, not after the input is read or a model is trained."""
    from leadlink.clean import check_region
    from leadlink.match import (
        check_blocking,
        check_max_block_size,
        check_max_pairs,
        check_threshold,
    )

    if getattr(args, "region", None) is not None:
        args.region = check_region(args.region)
    if getattr(args, "threshold", None) is not None:
        args.threshold = check_threshold(args.threshold)
    if getattr(args, "max_pairs", None) is not None:
        args.max_pairs = check_max_pairs(args.max_pairs)
    if getattr(args, "max_block_size", None) is not None:
        args.max_block_size = check_max_block_size(args.max_block_size)
    if getattr(args, "blocking", None) is not None:
        args.blocking = check_blocking(_names(args.blocking))


def _names(text: str) -> list[str]:
    """``--blocking a,b`` as ``["a", "b"]``."""
    return [name.strip() for name in text.split(",") if name.strip()]


def _columns(items: Sequence[str], unmapped: Sequence[str] = ()) -> dict[str, str | None]:
    """``--column ROLE=COLUMN`` (repeatable) as ``{role: column}``; ``--column ROLE=`` with
    nothing after the ``=``, or ``--no-role ROLE``, maps the role to None: it is left
    unmapped, not detected from the headers."""
    from leadlink.errors import ConfigError

    columns: dict[str, str | None] = {}
    for item in items:
        role, sep, column = item.partition("=")
        if not sep or not role.strip():
            raise ConfigError(
                say(
                    f"--column takes ROLE=COLUMN (e.g. phone=手机; phone= leaves the role "
                    f"unmapped), not {item!r}",
                    f"--column 的格式为 ROLE=COLUMN（例如 phone=手机；phone= 表示不对应该角色），"
                    f"而不是 {item!r}",
                )
            )
        columns[role.strip()] = column.strip() or None
    for role in unmapped:
        columns[role.strip()] = None
    return columns


def _extra(items: Sequence[str]) -> dict[str, str]:
    """``--extra COLUMN=KIND`` (repeatable) as ``{column: kind}``; the kinds are checked
    where ``extra_columns`` is."""
    from leadlink.errors import ConfigError

    extra: dict[str, str] = {}
    for item in items:
        column, sep, kind = item.rpartition("=")
        if not sep or not column.strip() or not kind.strip():
            raise ConfigError(
                say(
                    f"--extra takes COLUMN=KIND (e.g. Address=fuzzy; kinds: exact, fuzzy, "
                    f"date, numeric), not {item!r}",
                    f"--extra 的格式为 COLUMN=KIND（例如 Address=fuzzy；类型有 exact、fuzzy、"
                    f"date、numeric），而不是 {item!r}",
                )
            )
        extra[column.strip()] = kind.strip()
    return extra


#: What a ``dedupe --config`` file may hold, and the type of each value.
_CONFIG_KEYS: dict[str, tuple[type, ...]] = {
    "id_column": (str, type(None)),
    "columns": (dict,),
    "extra_columns": (dict,),
    "must_link": (list,),
    "never_link": (list,),
    "region": (str,),
    "entity": (str,),
    "threshold": (int, float),
    "hash_key_file": (str,),
    "outputs": (str,),
}


def _read_config(path: str) -> dict[str, Any]:
    """The settings in a ``dedupe --config`` file: JSON, or YAML (``.yaml``, ``.yml``)
    when PyYAML is installed; read as untrusted, within the bounds of every file leadlink
    reads (:mod:`leadlink._jsonfile`)."""
    from leadlink._jsonfile import check_shape, read_json, read_text, too_deep
    from leadlink.errors import ConfigError

    what, what_zh = "the config file", "配置文件"
    example = '{"columns": {"phone": null}, "extra_columns": {"Phone": "exact"}}'
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped, unused-ignore]
        except ImportError:
            raise ConfigError(
                say(
                    f"{path} is YAML, and PyYAML is not installed; write it as JSON (same "
                    "structure) or install PyYAML: pip install 'leadlink[yaml]'",
                    f"{path} 是 YAML 文件，但未安装 PyYAML；请改用 JSON（结构相同），"
                    "或安装 PyYAML：pip install 'leadlink[yaml]'",
                )
            ) from None
        text = read_text(path, what=what, what_zh=what_zh)
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError:
            raise ConfigError(say(f"{path} is not valid YAML", f"{path} 不是有效的 YAML")) from None
        except RecursionError:
            raise too_deep(path, what, what_zh, ConfigError) from None
        check_shape(loaded, shown=path, what=what, what_zh=what_zh)
    else:
        loaded = read_json(path, what=what, what_zh=what_zh, example=example)
    if not isinstance(loaded, dict):
        raise ConfigError(
            say(
                f"{what} {path!r} must hold an object of settings, e.g. {example}",
                f"{what_zh} {path!r} 须为一个设置对象，例如 {example}",
            )
        )
    for key, value in loaded.items():
        if key not in _CONFIG_KEYS:
            raise ConfigError(
                say(
                    f"{what} {path!r} has an unknown setting {key!r}; the settings are "
                    f"{', '.join(_CONFIG_KEYS)}",
                    f"{what_zh} {path!r} 中的设置 {key!r} 未知；可用的设置有 "
                    f"{', '.join(_CONFIG_KEYS)}",
                )
            )
        kinds = _CONFIG_KEYS[key]
        valid = isinstance(value, kinds) and not isinstance(value, bool)
        if valid and isinstance(value, dict):
            valid = all(
                isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
            )
        elif valid and isinstance(value, list):
            valid = all(isinstance(item, str) for item in value)
        if not valid:
            wanted = {
                "columns": '{"ROLE": "COLUMN" or null}',
                "extra_columns": '{"COLUMN": "KIND"}',
                "must_link": '["ROLE", ...]',
                "never_link": '["ROLE", ...]',
                "threshold": "a number",
                "id_column": "a column name or null",
            }.get(key, "a text")
            raise ConfigError(
                say(
                    f"{what} {path!r}: {key} must be {wanted}",
                    f"{what_zh} {path!r}：{key} 须为 {wanted}",
                )
            )
    if "hash_key_file" in loaded:  # a relative path is read from the config file's folder
        loaded["hash_key_file"] = str(Path(path).parent / loaded["hash_key_file"])
    return loaded


def _apply_config(args: argparse.Namespace) -> None:
    """Fill ``args`` from its ``--config`` file: an option given on the command line wins
    over the file's setting; ``--column``, ``--no-role`` and ``--extra`` win role by role
    and column by column."""
    from leadlink.errors import ConfigError

    if not getattr(args, "config", None):
        return
    config = _read_config(args.config)
    given = set(getattr(args, "flags_given", ()))
    if "id_column" in config and "--id-column" not in given:
        args.id_column = config["id_column"]
    if "region" in config and "--region" not in given:
        args.region = config["region"]
    if "entity" in config and getattr(args, "entity", None) is None:
        args.entity = config["entity"]
    if "threshold" in config and args.threshold is None:
        args.threshold = float(config["threshold"])
    if "hash_key_file" in config and args.hash_key_file is None:
        args.hash_key_file = config["hash_key_file"]
    for key in ("must_link", "never_link"):
        if key in config and not getattr(args, key):
            setattr(args, key, list(config[key]))
    args.config_columns = dict(config.get("columns") or {})
    args.config_extra = dict(config.get("extra_columns") or {})
    if "outputs" in config and not (args.mask_outputs or args.hash_outputs):
        outputs = config["outputs"]
        if outputs not in ("clear", "masked", "hashed"):
            raise ConfigError(
                say(
                    f"the config file {args.config!r}: outputs must be clear, masked or "
                    f"hashed, not {outputs!r}",
                    f"配置文件 {args.config!r}：outputs 须为 clear、masked 或 hashed，"
                    f"而不是 {outputs!r}",
                )
            )
        args.mask_outputs, args.hash_outputs = outputs == "masked", outputs == "hashed"


def _warned(warning: Any) -> None:
    """A :class:`~leadlink.LeadlinkWarning` as one ``leadlink: warning: ...`` line."""
    _err(say(f"warning: {warning.message}", f"警告：{warning.message}"))


def _show_warnings(caught: Sequence[Any]) -> None:
    """Warnings recorded during a command: leadlink's as ``leadlink: warning: ...`` lines,
    others as Python would have shown them."""
    from leadlink.errors import LeadlinkWarning

    for warning in caught:
        if issubclass(warning.category, LeadlinkWarning):
            _warned(warning)
        else:
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno
            )


#: What ``check`` and ``score`` would do, for the message that refuses a table of no leads.
_DOING = {"check": ("check", "检查"), "score": ("score", "打分")}


def _lead_ids(leads: Any, id_column: str | None, command: str) -> tuple[Any, str]:
    """The leads and their id column, found as ``dedupe`` finds it: ``--id-column`` when
    the file has it; for the default ``lead_id`` when absent, a column with an id-like
    header (``id``, ``线索ID`` ...), else the row numbers ``row_1`` ... in a new
    ``row_id`` column; either said in a warning line. A column named with ``--id-column``
    that is not there is refused later, by :func:`leadlink.schema.check_ids` (exit 2), and
    a table of no leads (a sheet of notes?) is refused here, as dedupe refuses it."""
    from leadlink.errors import InputError, LeadlinkWarning
    from leadlink.pipeline import _id_column  # dedupe's own rule, so the commands agree

    if leads.empty:
        english, chinese = _DOING.get(command, (command, command))
        raise InputError(
            say(
                f"the input has no leads; nothing to {english}",
                f"输入中没有线索；无需{chinese}",
            )
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LeadlinkWarning)
        found = _id_column(leads, id_column)
    _show_warnings(caught)
    return found


def _label(text: str, width: int = 20) -> str:
    """``text`` padded to ``width`` columns, a Han character taking two."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - shown)


def _progress(args: argparse.Namespace) -> Any:
    if getattr(args, "quiet", False):
        return lambda message: None
    return lambda message: _err(f"... {message}")


def _err(message: str) -> None:
    sys.stderr.write(f"leadlink: {message}\n")
    sys.stderr.flush()
