"""The ``match`` command: one record, or a whole list, checked against the leads of a file (or
a saved index) with a trained model, as the duplicate warning on entry does."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from leadlink._i18n import say
from leadlink.cli._common import _err, _progress
from leadlink.cli._serving import _index


def _run_match(args: argparse.Namespace) -> int:
    from leadlink.errors import ConfigError
    from leadlink.io import read_leads

    if (args.record is None) == (args.input is None):
        raise ConfigError(
            say(
                'leadlink match takes one record as JSON (\'{"name": "张伟", "phone": '
                '"138 0013 8000"}\') or a list with --input FILE, not both nor neither',
                'leadlink match 需要一条 JSON 记录（\'{"name": "张伟", "phone": '
                '"138 0013 8000"}\'）或用 --input FILE 指定一个列表，二者只能选其一',
            )
        )
    record = _record(args.record) if args.record is not None else None
    # the index only once the input is known to be readable
    new = read_leads(args.input, sheet=args.sheet) if args.input is not None else None
    index = _index(args, _progress(args))
    if record is not None:
        found = index.match(record, top=args.top).to_dict()
        sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=1, default=str) + "\n")
        return 0
    assert new is not None
    checked = index.match_frame(new)
    if args.output:
        checked.to_csv(args.output, index=False)
        counts = checked["status"].value_counts().to_dict()
        _err(
            say(
                f"{len(checked)} leads checked: "
                + ", ".join(f"{counts.get(s, 0)} {s}" for s in _STATUSES)
                + f"; wrote {args.output}",
                f"已检查 {len(checked)} 条线索："
                + "，".join(f"{s} {counts.get(s, 0)} 条" for s in _STATUSES)
                + f"；已写入 {args.output}",
            )
        )
    else:
        checked.to_csv(sys.stdout, index=False)
    return 0


_STATUSES = ("exists", "uncertain", "new", "flagged")


def _record(text: str) -> dict[str, Any]:
    """The record given on the command line: a JSON object of fields."""
    from leadlink.errors import InputError

    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            say(
                f"the record is not valid JSON ({error.msg} at character {error.pos}); write "
                'it as \'{"name": "张伟", "phone": "138 0013 8000"}\'',
                f"记录不是有效的 JSON（第 {error.pos} 个字符处：{error.msg}）；请写成 "
                '\'{"name": "张伟", "phone": "138 0013 8000"}\'',
            )
        ) from None
    if not isinstance(value, dict):
        raise InputError(
            say(
                f"the record must be a JSON object of fields, not {type(value).__name__}",
                f"记录须为字段组成的 JSON 对象，而不是 {type(value).__name__}",
            )
        )
    return value
