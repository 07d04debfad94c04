"""What several commands share: claiming the output folder, checking options before any
work, ``--column ROLE=COLUMN``, progress and error lines on stderr, padded labels."""

from __future__ import annotations

import argparse
import functools
import sys
import unicodedata
from collections.abc import Callable, Sequence
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
            if key not in ("run", "command", "debug", "quiet")
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


def _columns(items: Sequence[str]) -> dict[str, str]:
    from leadlink.errors import ConfigError

    columns: dict[str, str] = {}
    for item in items:
        role, sep, column = item.partition("=")
        if not sep or not role or not column:
            raise ConfigError(
                say(
                    f"--column takes ROLE=COLUMN (e.g. phone=手机), not {item!r}",
                    f"--column 的格式为 ROLE=COLUMN（例如 phone=手机），而不是 {item!r}",
                )
            )
        columns[role.strip()] = column.strip()
    return columns


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
