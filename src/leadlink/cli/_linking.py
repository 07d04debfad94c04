"""The ``link`` command: each lead of one file to its account in another, with
:func:`leadlink.link`, and the writing of its output files."""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from leadlink._i18n import say
from leadlink.cli._common import (
    _check_options,
    _columns,
    _err,
    _progress,
    _show_warnings,
    _writes_outputs,
)
from leadlink.cli._matching import NOTHING_DONE, _is_workbook, _pairs_files

if TYPE_CHECKING:
    from leadlink._outputs import OutputFolder


@_writes_outputs
def _run_link(args: argparse.Namespace) -> int:
    from leadlink.errors import LeadlinkWarning
    from leadlink.io import read_leads
    from leadlink.linking import link
    from leadlink.match import LeadModel

    _check_options(args)
    lead_columns = _role_columns("--lead-column", args.lead_column)
    account_columns = _role_columns("--account-column", args.account_column)
    # The model file before the tables: a bad one should not cost reading them.
    model = LeadModel.load(args.model) if args.model else None
    tell = _progress(args)
    tell(say(f"reading {args.leads}", f"正在读取 {args.leads}"))
    leads = read_leads(args.leads, sheet=args.sheet)
    tell(say(f"reading {args.accounts}", f"正在读取 {args.accounts}"))
    accounts = read_leads(args.accounts, sheet=args.account_sheet)
    tell(
        say(
            f"linking {len(leads)} leads to {len(accounts)} accounts",
            f"正在将 {len(leads)} 条线索关联到 {len(accounts)} 个客户",
        )
    )
    options: dict[str, Any] = {} if args.threshold is None else {"threshold": args.threshold}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LeadlinkWarning)
        result = link(
            leads,
            accounts,
            lead_id=args.lead_id,
            account_id=args.account_id,
            lead_columns=lead_columns or None,
            account_columns=account_columns or None,
            region=args.region,
            seed=args.seed,
            model=model,
            **options,
        )
    _show_warnings(caught)
    out: OutputFolder = args.outputs
    tell(say("writing outputs", "正在写入输出"))
    excel = args.excel or _is_workbook(args.leads) or _is_workbook(args.accounts)
    written = _write_link_outputs(result, out, excel=excel)
    sys.stdout.write(_link_summary(result, written, out) + "\n")
    reason = _nothing_linked(result)
    if reason is not None:
        _err(say(f"warning: {reason[0]}", f"警告：{reason[1]}"))
        return NOTHING_DONE
    return 0


def _role_columns(flag: str, items: list[str]) -> dict[str, str | None]:
    """``--lead-column`` / ``--account-column ROLE=COLUMN`` (repeatable) as ``{role:
    column}``, read as ``--column`` is, refused with the flag named."""
    from leadlink.errors import ConfigError

    try:
        return _columns(items)
    except ConfigError:
        bad = [item for item in items if not item.partition("=")[0].strip() or "=" not in item]
        shown = bad[0] if bad else items[0]
        raise ConfigError(
            say(
                f"{flag} takes ROLE=COLUMN (e.g. company=公司名称; company= leaves the role "
                f"unmapped), not {shown!r}",
                f"{flag} 的格式为 ROLE=COLUMN（例如 company=公司名称；company= 表示不对应该角色），"
                f"而不是 {shown!r}",
            )
        ) from None


def _write_link_outputs(result: Any, out: OutputFolder, *, excel: bool) -> list[Path]:
    """Write a link result's files to ``out`` whole: matches, pairs, the model; with
    ``excel``, the matches as a workbook too, when they fit a sheet."""
    from leadlink.io import fits_excel, write_table

    with out.writing() as folder:
        written = [
            write_table(result.matches, folder / "matches.csv"),
            *_pairs_files(result.pairs, folder),
            result.model.save(folder / "model.json"),
        ]
        if excel and fits_excel(result.matches):
            written.append(write_table(result.matches, folder / "matches.xlsx"))
        elif excel:
            _err(
                say(
                    f"matches.xlsx not written: {len(result.matches)} rows do not fit an "
                    "Excel sheet; the CSV holds them",
                    f"未写入 matches.xlsx：{len(result.matches)} 行放不进一个 Excel 工作表；"
                    "CSV 中有全部内容",
                )
            )
    return written


def _link_summary(result: Any, written: list[Path], out: OutputFolder) -> str:
    """The line ``link`` ends with: leads per status, accounts linked, files."""
    summary = result.summary()
    files = ", ".join(p.name for p in written)
    return say(
        f"{summary['leads']} leads: {summary['matched']} matched, {summary['uncertain']} "
        f"uncertain, {summary['no_match']} no_match; {summary['accounts_linked']} accounts "
        f"linked; wrote {files} to {out.path}/",
        f"{summary['leads']} 条线索：{summary['matched']} 条已匹配（matched），"
        f"{summary['uncertain']} 条待定（uncertain），{summary['no_match']} 条无匹配"
        f"（no_match）；关联到 {summary['accounts_linked']} 个客户；已将 {files} 写入 "
        f"{out.path}/",
    )


def _nothing_linked(result: Any) -> tuple[str, str] | None:
    """Why a link run linked no lead to an account (English, Chinese), or None when it
    linked at least one: no model could be trained, no lead was compared with any account,
    or no lead reached the threshold."""
    if result.matches["account_id"].notna().any():
        return None
    code = NOTHING_DONE
    if cast("dict[str, Any]", result.model.diagnostics).get("prior_only"):
        return (
            "no model could be trained (see the warnings above), and no lead was linked to "
            f"an account; map the columns both files share with --lead-column and "
            f"--account-column (exit code {code})",
            "无法训练模型（见上方的警告），没有线索关联到客户；请用 --lead-column 和 "
            f"--account-column 指定两个文件共有的列（退出码 {code}）",
        )
    if result.pairs.empty:
        return (
            "no lead shared a company, phone, mail domain or address key with any account, "
            f"so none was compared or linked (exit code {code})",
            f"没有线索与任何客户共有公司、电话、邮箱域名或地址键，因此无一被比较或关联（退出码 {code}）",
        )
    # rounded down, so that a best of 0.99996 under a threshold of 1 does not read as 1.000
    best = math.floor(float(result.matches["match_probability"].max()) * 1000) / 1000
    return (
        f"no lead reached the threshold {result.threshold:g} (the best scored "
        f"{best:.3f}), so none was linked to an account; see matches.csv for the "
        f"candidates, or lower --threshold (exit code {code})",
        f"没有线索达到阈值 {result.threshold:g}（最高分 {best:.3f}），因此无一关联到客户；"
        f"候选客户见 matches.csv，或降低 --threshold（退出码 {code}）",
    )
