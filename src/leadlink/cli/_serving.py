"""The ``serve`` command: a :class:`~leadlink.LeadIndex` behind the HTTP service of
:mod:`leadlink.serve`, run by uvicorn until interrupted."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from leadlink._i18n import say
from leadlink.cli._common import _columns, _err, _progress


def _run_serve(args: argparse.Namespace) -> int:
    from leadlink.serve import create_app, require_extra

    require_extra()  # before the index is built, which may take a while
    tell = _progress(args)
    index = _index(args, tell)
    app = create_app(index, save_to=args.index)
    import uvicorn

    where = f"http://{args.host}:{args.port}/"
    _err(
        say(
            f"serving {len(index)} leads at {where} (API description at {where}docs); Ctrl-C stops",
            f"正在服务 {len(index)} 条线索：{where}（API 说明见 {where}docs）；按 Ctrl-C 停止",
        )
    )
    # No access log: it would record the callers' addresses, and nothing in it is needed.
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")
    return 0


def _index(args: argparse.Namespace, tell: Any) -> Any:
    """The index saved at ``--index`` when it exists, else one built from ``--against``
    with ``--model`` (and saved at ``--index`` when given)."""
    from leadlink.errors import ConfigError

    saved = bool(args.index) and Path(args.index).exists()
    if not saved and not (args.model and args.against):
        raise ConfigError(
            say(
                f"leadlink {args.command} needs --model and --against (a trained model.json "
                "and the leads to check against), or --index with a saved index",
                f"leadlink {args.command} 需要 --model 和 --against（训练好的 model.json 与"
                "用来比对的线索），或用 --index 指定已保存的索引",
            )
        )
    from leadlink.io import read_leads
    from leadlink.realtime import LeadIndex

    if saved:
        tell(say(f"loading the index {args.index}", f"正在读取索引 {args.index}"))
        return LeadIndex.load(args.index)
    tell(say(f"reading {args.against}", f"正在读取 {args.against}"))
    leads = read_leads(args.against, args.sheet)
    tell(say(f"indexing {len(leads)} leads", f"正在为 {len(leads)} 条线索建立索引"))
    index = LeadIndex(
        leads,
        model=args.model,
        id_column=args.id_column,
        columns=_columns(args.column) or None,
        region=args.region,
    )
    if args.index:
        index.save(args.index)
        tell(say(f"index saved to {args.index}", f"索引已保存到 {args.index}"))
    return index
