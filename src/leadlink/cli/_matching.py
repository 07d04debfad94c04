"""The commands on a table of leads and its duplicates: ``demo``, ``dedupe``,
``rethreshold``, ``check`` and ``erase``, and the writing of dedupe's output files."""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from leadlink._i18n import say
from leadlink.cli._common import (
    _check_options,
    _columns,
    _err,
    _extra,
    _label,
    _lead_ids,
    _progress,
    _show_warnings,
    _writes_outputs,
)

if TYPE_CHECKING:
    from leadlink._outputs import OutputFolder


@_writes_outputs
def _run_demo(args: argparse.Namespace) -> int:
    from leadlink.datasets import load_sample
    from leadlink.metrics import evaluate_clusters
    from leadlink.pipeline import dedupe

    leads = load_sample()
    truth = leads.pop("person_id")
    truth_ghost = leads.pop("is_ghost") if "is_ghost" in leads.columns else None
    result = dedupe(leads, id_column="lead_id", progress=_progress(args))
    out: OutputFolder = args.outputs
    written = _write_outputs(result, out)
    scores = evaluate_clusters(result.clusters["cluster_id"], truth)
    summary = result.summary()
    recall = say("recall", "召回率")
    lines = [
        say("leadlink demo — bundled sample leads", "leadlink 演示——内置示例线索"),
        f"  {_label(say('leads in', '输入线索'))}{summary['leads']:>8}",
        f"  {_label(say('ghost leads flagged', '标记为幽灵线索'))}{summary['ghosts']:>8}",
        f"  {_label(say('clusters', '簇'))}{summary['clusters']:>8}   "
        + say(
            f"({summary['clusters_with_duplicates']} with duplicates, largest "
            f"{summary['largest_cluster']})",
            f"（{summary['clusters_with_duplicates']} 个含重复，最大的有 "
            f"{summary['largest_cluster']} 条）",
        ),
        f"  {_label(say('golden records', '黄金记录'))}{len(result.golden):>8}",
        f"  {_label(say('pairwise precision', '成对精确率'))}"
        f"{scores['pairwise_precision']:>8.3f}   "
        f"{recall} {scores['pairwise_recall']:.3f}   F1 {scores['pairwise_f1']:.3f}",
        f"  {_label(say('B-cubed precision', 'B-cubed 精确率'))}"
        f"{scores['bcubed_precision']:>8.3f}   "
        f"{recall} {scores['bcubed_recall']:.3f}   F1 {scores['bcubed_f1']:.3f}",
    ]
    if truth_ghost is not None:
        flagged = result.validation["is_ghost"].to_numpy(dtype=bool)
        actual = truth_ghost.astype(str).str.lower().isin(["true", "1"]).to_numpy()
        hits = int((flagged & actual).sum())
        false_alarms = int(flagged.sum()) - hits
        lines.append(
            f"  {_label(say('ghosts found', '找到的幽灵线索'))}{hits:>8}"
            + say(
                f" of {int(actual.sum())} true ghosts, {false_alarms} false alarms",
                f"（共 {int(actual.sum())} 条真实幽灵线索），误报 {false_alarms} 条",
            )
        )
    files = ", ".join(p.name for p in written)
    lines.append(say(f"  outputs in {out.path}/: {files}", f"  输出在 {out.path}/：{files}"))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


@_writes_outputs
def _run_check(args: argparse.Namespace) -> int:
    from leadlink.clean import missing_summary, validate
    from leadlink.io import read_leads, write_table
    from leadlink.schema import check_ids, resolve_columns

    _check_options(args)
    tell = _progress(args)
    tell(say(f"reading {args.input}", f"正在读取 {args.input}"))
    leads, id_column = _lead_ids(read_leads(args.input, sheet=args.sheet), args.id_column, "check")
    ids = check_ids(leads, id_column)
    roles = resolve_columns(leads, _columns(args.column, args.no_role) or None, id_column=id_column)
    required = tuple(r.strip() for r in args.required.split(",") if r.strip())
    tell(say(f"checking {len(leads)} leads", f"正在检查 {len(leads)} 条线索"))
    report = validate(
        leads, columns=roles, required=required, stale_after=args.stale_after, region=args.region
    )
    missing = missing_summary(leads, roles, region=args.region)
    out: OutputFolder = args.outputs
    table = report.copy()
    table.insert(0, id_column, ids.to_numpy())
    table["problems"] = table["problems"].map(lambda codes: ";".join(map(str, codes)))
    with out.writing() as folder:
        written = [
            write_table(table, folder / "validation.csv"),
            write_table(missing.reset_index(), folder / "missing.csv"),
        ]
    counts: dict[str, int] = {}
    for codes in report["problems"]:
        for code in codes:
            counts[str(code)] = counts.get(str(code), 0) + 1
    ghosts, with_problems = int(report["is_ghost"].sum()), int(report["problems"].map(bool).sum())
    lines = [
        say(
            f"{len(leads)} leads checked: {ghosts} ghost leads, {with_problems} with at least "
            "one problem",
            f"已检查 {len(leads)} 条线索：{ghosts} 条幽灵线索，{with_problems} 条至少有一个问题",
        ),
        "",
        say("problem                     leads", "问题                       线索数"),
    ]
    lines += [f"{code:<26} {n:>6}" for code, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    lines += ["", say("role        missing   invalid", "角色         缺失率    无效率")]
    for role, row in missing.iterrows():
        lines.append(f"{role!s:<10} {row['missing_share']:>8.1%} {row['invalid_share']:>9.1%}")
    files = ", ".join(p.name for p in written)
    lines.append(say(f"\nwrote {files} to {out.path}/", f"\n已将 {files} 写入 {out.path}/"))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _run_erase(args: argparse.Namespace) -> int:
    from leadlink._erasure import erase
    from leadlink.errors import ConfigError
    from leadlink.io import read_leads

    if not (args.lead_id or args.phone or args.email):
        raise ConfigError(
            say(
                "name the person to erase: give --lead-id, --phone or --email",
                "请指明要删除的人：给出 --lead-id、--phone 或 --email",
            )
        )
    report = erase(
        args.output_dir,
        lead_ids=args.lead_id,
        phones=args.phone,
        emails=args.email,
        whole_cluster=not args.only_named,
        all_matches=args.all_matches,
        leads=read_leads(args.leads, sheet=args.sheet) if args.leads and args.sheet else args.leads,
        columns=cast("dict[str, str]", _columns(args.column)) or None,
        region=args.region,
        policy=args.policy,
        dry_run=args.dry_run,
    )
    rows = ", ".join(f"{name} {count}" for name, count in report.rows_removed.items() if count)
    removed, rebuilt = report.clusters_removed, report.clusters_rebuilt
    lines = [
        say(
            f"{'would erase' if report.dry_run else 'erased'} {report.n_leads} lead(s): "
            f"{removed} cluster(s) removed whole, {rebuilt} rebuilt from their other members; "
            f"rows removed: {rows or 'none'}",
            f"{'将删除' if report.dry_run else '已删除'} {report.n_leads} 条线索："
            f"{removed} 个簇整体删除，{rebuilt} 个簇由其余成员重建；删除的行：{rows or '无'}",
        )
    ]
    missed = {k: v for k, v in report.not_found.items() if v}
    if missed:
        kinds = {"lead_ids": "个线索 ID", "phones": "个电话", "emails": "个邮箱"}
        lines.append(
            say(
                "matched no lead: "
                + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in missed.items()),
                "未匹配到任何线索："
                + "、".join(f"{v} {kinds.get(k, k)}" for k, v in missed.items()),
            )
        )
    if args.list_ids and report.lead_ids:
        lines.append(say("lead ids: ", "线索 ID：") + ", ".join(report.lead_ids))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


@_writes_outputs
def _run_dedupe(args: argparse.Namespace) -> int:
    from leadlink.errors import LeadlinkWarning
    from leadlink.io import read_leads
    from leadlink.match import DEFAULT_MAX_BLOCK_SIZE, LeadModel
    from leadlink.merge import SurvivorshipPolicy, read_decisions
    from leadlink.pipeline import dedupe

    _check_options(args)
    # The --config file's columns and extra columns, then the command line's, which win.
    columns = {**getattr(args, "config_columns", {}), **_columns(args.column, args.no_role)}
    extra = {**getattr(args, "config_extra", {}), **_extra(args.extra)}
    # Read the policy and the decisions first: a typo in them should not cost a training run.
    policy = SurvivorshipPolicy.from_file(args.policy) if args.policy else None
    decisions = read_decisions(args.decisions) if args.decisions else None
    hash_key, outputs = _output_options(args)
    # So is the model file.
    model = LeadModel.load(args.model) if args.model else None
    review_size = _review_size(args)
    tell = _progress(args)
    tell(say(f"reading {args.input}", f"正在读取 {args.input}"))
    leads = read_leads(args.input, sheet=args.sheet)
    _check_review_value(args, leads)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LeadlinkWarning)
        result = dedupe(
            leads,
            id_column=args.id_column,
            columns=columns or None,
            threshold=args.threshold,
            seed=args.seed,
            model=model,
            max_pairs=args.max_pairs,
            blocking=args.blocking,
            max_block_size=args.max_block_size or DEFAULT_MAX_BLOCK_SIZE,
            region=args.region,
            policy=policy,
            hash_key=hash_key,
            outputs=outputs,
            mask_names=args.mask_names,
            decisions=decisions,
            progress=tell,
            extra_columns=extra or None,
            must_link=args.must_link,
            never_link=args.never_link,
            entity=args.entity,
        )
    _show_warnings(caught)
    out: OutputFolder = args.outputs
    tell(say("writing outputs", "正在写入输出"))
    review = result.review()
    queue = result.review_queue(size=review_size, value=args.review_value)
    excel = args.excel or _is_workbook(args.input)
    written = _write_outputs(
        result, out, review=review, queue=queue, leads_file=args.input, excel=excel
    )
    sys.stdout.write(_summary_line(result, review, queue, written, out) + "\n")
    if _nothing_done(result):
        _err(
            say(
                f"warning: no duplicates could be looked for (see the warnings above); the "
                f"outputs list every lead alone (exit code {NOTHING_DONE})",
                f"警告：无法查找重复（见上方的警告）；输出中每条线索各自成簇"
                f"（退出码 {NOTHING_DONE}）",
            )
        )
        return NOTHING_DONE
    return 0


#: The exit code of a ``dedupe`` that ran but did nothing meaningful: no model could be
#: trained, or no pair of leads was compared.
NOTHING_DONE = 3


def _nothing_done(result: Any) -> bool:
    """Whether a dedupe result could not have found a duplicate: no model, a model with
    nothing trained (every level at its prior), or not one pair compared."""
    if result.model is None or result.pairs.empty:
        return True
    return bool(cast("dict[str, Any]", result.model.diagnostics).get("prior_only"))


@_writes_outputs
def _run_rethreshold(args: argparse.Namespace) -> int:
    from leadlink._outputs import read_dedupe_run
    from leadlink.match import check_threshold
    from leadlink.merge import read_decisions
    from leadlink.pipeline import load_result

    started = time.perf_counter()
    threshold = check_threshold(args.threshold)
    review_size = _review_size(args)
    decisions = read_decisions(args.decisions) if args.decisions else None
    run = read_dedupe_run(args.folder)
    hash_key = _rethreshold_key(args, run)
    tell = _progress(args)
    leads, leads_file = _run_leads(args, run, tell)
    _check_review_value(args, leads)
    tell(
        say(
            f"clustering the saved pairs again at {threshold:g}",
            f"正在以 {threshold:g} 重新聚类已保存的线索对",
        )
    )
    result = load_result(
        run.folder, leads, threshold=threshold, decisions=decisions, hash_key=hash_key
    )
    out: OutputFolder = args.outputs
    if isinstance(run.options.get("erasures"), list):  # the record of erasures stays
        out.record("erasures", run.options["erasures"])
    tell(say("writing outputs", "正在写入输出"))
    review = result.review()
    queue = result.review_queue(size=review_size, value=args.review_value)
    excel = bool(run.options.get("excel")) or _is_workbook(leads_file)
    written = _write_outputs(
        result, out, review=review, queue=queue, leads_file=leads_file, excel=excel
    )
    before = float(run.settings["threshold"])
    took = time.perf_counter() - started
    sys.stdout.write(
        _summary_line(result, review, queue, written, out)
        + "\n"
        + say(
            f"re-clustered at threshold {threshold:g} (the run's: {before:g}) in {took:.2f} s, "
            "without training or scoring\n",
            f"已以阈值 {threshold:g}（原为 {before:g}）重新聚类，用时 {took:.2f} 秒，"
            "无需训练或打分\n",
        )
    )
    return 0


def _rethreshold_key(args: argparse.Namespace, run: Any) -> bytes | None:
    """The hash key of a re-threshold: ``--hash-key-file``, else the run's key file when
    the run hashed phones and emails."""
    path = args.hash_key_file
    if path is None and run.settings.get("hashed"):
        path = run.options.get("hash_key_file")
    return _hash_key(str(path)) if path else None


def _run_leads(args: argparse.Namespace, run: Any, tell: Any) -> tuple[Any, str | None]:
    """The leads a saved run read, and their file: ``--input``, else the file the run
    recorded, else (a ``demo`` folder) the bundled sample."""
    from leadlink.errors import InputError
    from leadlink.io import read_leads

    path = args.input or run.settings.get("leads_file")
    if path is None and run.command == "demo":
        from leadlink.datasets import load_sample

        return load_sample().drop(columns=["person_id", "is_ghost"], errors="ignore"), None
    if path is None:
        raise InputError(
            say(
                "the run did not record the leads file it read; give it with --input",
                "该次运行未记录其读取的线索文件；请用 --input 给出",
            )
        )
    if not Path(path).is_file():
        raise InputError(
            say(
                f"the leads file the run read, {str(path)!r}, is not there any more; give "
                "its new place with --input",
                f"该次运行读取的线索文件 {str(path)!r} 已不在原处；请用 --input 给出其新位置",
            )
        )
    tell(say(f"reading {path}", f"正在读取 {path}"))
    return read_leads(path, sheet=run.options.get("sheet")), str(path)


def _summary_line(
    result: Any, review: Any, queue: Any, written: list[Path], out: OutputFolder
) -> str:
    """The line ``dedupe`` and ``rethreshold`` end with: leads, clusters, the review queue
    and what it leaves out, the flagged clusters, files."""
    summary = result.summary()
    to_review, files = review["cluster_id"].nunique(), ", ".join(p.name for p in written)
    return say(
        f"{summary['leads']} leads -> {summary['clusters']} clusters "
        f"({summary['clusters_with_duplicates']} with duplicates, {summary['ghosts']} ghost "
        f"leads kept single); review.csv: {queue.describe()}; review_all.csv: "
        f"{to_review} clusters to review, in {len(review)} rows (one per cluster and "
        f"reason); wrote {files} to {out.path}/",
        f"{summary['leads']} 条线索 -> {summary['clusters']} 个簇"
        f"（{summary['clusters_with_duplicates']} 个含重复，{summary['ghosts']} 条幽灵线索"
        f"保持单独）；review.csv：{queue.describe()}；review_all.csv：{to_review} 个簇待复核，"
        f"共 {len(review)} 行（每个簇每个原因一行）；已将 {files} 写入 {out.path}/",
    )


def _review_size(args: argparse.Namespace) -> int | None:
    """``--review-size``: the items of review.csv, None for all (0), checked before any
    work."""
    from leadlink.errors import ConfigError

    size = args.review_size
    if size < 0:
        raise ConfigError(
            say(
                f"--review-size must be 0 (all items) or more, not {size}",
                f"--review-size 须为 0（全部条目）或正整数，而不是 {size}",
            )
        )
    return size or None


def _check_review_value(args: argparse.Namespace, leads: Any) -> None:
    """``--review-value`` names a column of the leads (checked before any training)."""
    from leadlink.errors import ColumnError
    from leadlink.schema import describe_columns

    column = args.review_value
    if column is not None and column not in leads.columns:
        raise ColumnError(
            say(
                f"--review-value {column!r} is not a column of the leads (they have "
                f"{describe_columns(leads.columns, limit=10)})",
                f"--review-value {column!r} 不是线索中的列（线索的列为 "
                f"{describe_columns(leads.columns, limit=10)}）",
            )
        )


def _output_options(args: argparse.Namespace) -> tuple[bytes | None, str]:
    """(hash key, outputs mode) of ``dedupe``'s options, checked before any work."""
    from leadlink.clean import OutputMasking
    from leadlink.errors import ConfigError

    if args.hash_outputs and not args.hash_key_file:
        raise ConfigError(
            say(
                "--hash-outputs needs --hash-key-file FILE (the secret the hashes are keyed "
                "with); or use --mask-outputs, which needs none",
                "--hash-outputs 需要 --hash-key-file FILE（哈希所用的密钥）；"
                "或改用不需要密钥的 --mask-outputs",
            )
        )
    hash_key = _hash_key(args.hash_key_file) if args.hash_key_file else None
    outputs = "hashed" if args.hash_outputs else "masked" if args.mask_outputs else "clear"
    OutputMasking(outputs, names=args.mask_names, hash_key=hash_key)  # refuses a short key
    return hash_key, outputs


def _hash_key(path: str) -> bytes:
    """The secret in the file ``path`` (``--hash-key-file``), without a trailing newline."""
    from leadlink.errors import ConfigError

    try:
        return Path(path).read_bytes().rstrip(b"\r\n")
    except OSError as error:
        raise ConfigError(
            say(
                f"cannot read the --hash-key-file {path!r} ({error.strerror}); give the path "
                "of a file holding the secret, e.g. made with python -c 'import secrets; "
                "print(secrets.token_hex(32))' > key.txt",
                f"无法读取 --hash-key-file {path!r}（{error.strerror}）；请给出存放密钥的文件路径，"
                "例如用 python -c 'import secrets; print(secrets.token_hex(32))' > key.txt 生成",
            )
        ) from None


def _write_outputs(
    result: Any,
    out: OutputFolder,
    *,
    review: Any = None,
    queue: Any = None,
    leads_file: str | None = None,
    excel: bool = False,
) -> list[Path]:
    """Write a dedupe result's files to ``out`` whole: all of them, or none; the manifest
    records the result's settings, for ``leadlink rethreshold``. With ``excel``, the golden
    records and clusters as workbooks too, when they fit a sheet. review.csv is the review
    queue (default: its first 200 items), review_all.csv every flagged cluster."""
    from leadlink._csv_text import writes_behind
    from leadlink._outputs import SETTINGS, dedupe_settings
    from leadlink.io import fits_excel, write_table

    if review is None:
        review = result.review()
    if queue is None:
        queue = result.review_queue(size=200)
    out.record(SETTINGS, dedupe_settings(result, leads_file=leads_file))
    with out.writing() as folder, writes_behind():
        # Each file is written behind while the next table is made: pairs.parquet first,
        # encoded by Arrow while the golden records are made in Python.
        pairs_files = _pairs_files(result.pairs, folder, ids=_pair_texts(result))
        golden_files = _golden_files(result.golden, folder)
        written = [
            write_table(result.clusters, folder / "clusters.csv"),
            *golden_files,
            write_table(_json_lists(result.conflicts()), folder / "conflicts.csv"),
            write_table(_json_lists(queue.items), folder / "review.csv"),
            write_table(_json_lists(review), folder / "review_all.csv"),
            *pairs_files,
        ]
        if result.model is not None:
            written.append(result.model.save(folder / "model.json"))
        if len(result.decisions):
            written.append(write_table(result.decisions, folder / "decisions.csv"))
        if excel:
            for table, name in (
                (_json_lists(result.golden), "golden_records.xlsx"),
                (result.clusters, "clusters.xlsx"),
            ):
                if fits_excel(table):
                    written.append(write_table(table, folder / name))
                else:
                    _err(
                        say(
                            f"{name} not written: {len(table)} rows do not fit an Excel "
                            "sheet; the CSV holds them",
                            f"未写入 {name}：{len(table)} 行放不进一个 Excel 工作表；CSV 中有全部内容",
                        )
                    )
    return written


def _golden_files(golden: Any, folder: Path) -> list[Path]:
    """golden_records.csv and lineage.csv (what :func:`leadlink.io.write_table` writes for
    the golden records and for ``lineage(golden)``). Lineage holds the golden values
    again, a row per record and role: its columns are laid out by Arrow from the golden
    records' text columns, converted and escaped once for golden_records.csv, rather
    than made a table of millions of Python texts and converted again (at a million
    leads, four million rows)."""
    from leadlink._csv_text import escaped_arrays, write_csv

    table = _json_lists(golden)
    escaped, texts = escaped_arrays(table)
    write_csv(escaped, folder / "golden_records.csv", texts=texts)
    held = {str(table.columns[position]): text for position, text in texts.items()}
    return [folder / "golden_records.csv", _write_lineage(golden, held, folder / "lineage.csv")]


def _write_lineage(golden: Any, held: dict[str, Any], target: Path) -> Path:
    """lineage.csv from the golden records, with ``held``: their text columns as escaped
    Arrow arrays, by name. A lineage that holds anything but text (or has rules, or no
    roles) is made a table and written by :func:`leadlink.io.write_table`."""
    import numpy as np
    import pyarrow as pa
    from pandas.api.types import infer_dtype

    from leadlink._csv_text import escaped_text, write_text_csv
    from leadlink.io import write_table
    from leadlink.merge import lineage, lineage_layout

    roles, rows, role_at = lineage_layout(golden)
    explained = any(f"{role}_rule" in golden.columns for role in roles)
    texts: dict[str, Any] = {}
    if roles and not explained and golden.columns.is_unique:
        for name in ["cluster_id", *roles, *(f"{role}_from" for role in roles)]:
            values = golden[name].to_numpy(dtype=object)
            if infer_dtype(values, skipna=True) not in ("string", "empty"):
                break
            text = held.get(name)
            texts[name] = text if text is not None else escaped_text(values)
    if len(texts) != 1 + 2 * len(roles) or any(text is None for text in texts.values()):
        return write_table(lineage(golden), target)
    n = len(golden)
    at = pa.array(role_at.astype(np.int64) * n + rows)
    columns = [
        texts["cluster_id"].take(pa.array(rows)),
        pa.array(roles, type=pa.large_string()).take(pa.array(role_at)),
        pa.concat_arrays([texts[role] for role in roles]).take(at),
        pa.concat_arrays([texts[f"{role}_from"] for role in roles]).take(at),
    ]
    write_text_csv(["cluster_id", "role", "value", "lead_id"], columns, target)
    return target


def _is_workbook(path: str | None) -> bool:
    """Whether ``path`` is named like an Excel workbook: its outputs are then written as
    workbooks too."""
    return path is not None and Path(path).suffix.lower() in (".xlsx", ".xlsm", ".xls")


#: What ``pandas.api.types.infer_dtype`` calls a column that holds no list.
_NO_LISTS = frozenset(
    {"string", "empty", "integer", "floating", "mixed-integer-float", "boolean", "bytes",
     "datetime", "datetime64", "date", "time", "timedelta", "decimal", "categorical"}
)  # fmt: skip


def _json_lists(frame: Any) -> Any:
    """``frame`` with list-valued columns as JSON text, so a CSV cell holds one value."""
    import pandas as pd
    from pandas.api.types import infer_dtype

    flat = frame.copy(deep=False)  # columns are replaced, never edited
    for column in flat.columns:
        values = flat[column]
        if values.dtype.kind != "O" or infer_dtype(values, skipna=True) in _NO_LISTS:
            continue  # told apart in C: a million golden records hold no list
        cells = values.tolist()
        dumped = _json_cells(cells)
        if any(a is not b for a, b in zip(dumped, cells)):
            flat[column] = pd.Series(dumped, index=values.index, dtype=object)
    return flat


def _json_cells(cells: list[Any]) -> list[Any]:
    """Each list of ``cells`` as :func:`_json_list` writes it, other cells as they are.
    When every list holds texts only and no text needs an escape (lead ids, sources), the
    lists are joined without a test per list: a million golden records' ids in a second
    less."""
    lists = [cell for cell in cells if type(cell) is list]
    items = list(itertools.chain.from_iterable(lists))
    if set(map(type, items)) <= {str} and _JSON_ESCAPED.search("".join(items)) is None:
        return [
            ('["' + '", "'.join(cell) + '"]' if cell else "[]")
            if type(cell) is list
            else _json_list(cell)
            if isinstance(cell, list)
            else cell
            for cell in cells
        ]
    return [_json_list(cell) if isinstance(cell, list) else cell for cell in cells]


#: What JSON writes other than as it is: a quote, a backslash, a control character.
_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')


def _json_list(values: list[Any]) -> str:
    """``json.dumps(values, ensure_ascii=False)``; a list of texts that need no escape
    (lead ids, most values) is joined without the encoder, a tenth of its time."""
    if values and all(type(v) is str for v in values):
        joined = '", "'.join(values)
        if _JSON_ESCAPED.search(joined) is None:
            return f'["{joined}"]'
    return json.dumps(values, ensure_ascii=False)


def _pairs_files(pairs: Any, folder: Path, *, ids: Any = None) -> list[Path]:
    """pairs.parquet, and pairs.csv when the pairs fit a sheet (see :func:`_pairs_csv`);
    ``ids``: the pairs' ids as Arrow arrays of text, when they are at hand."""
    return [
        _write_pairs_parquet(pairs, folder / "pairs.parquet", ids=ids),
        *_pairs_csv(pairs, folder),
    ]


def _pair_texts(result: Any) -> Any:
    """The pairs' ``id_l`` and ``id_r`` as Arrow arrays of text, when the review context
    the result holds for these pairs made them (to place the pairs); else None."""
    held = getattr(result, "_review_held", None)
    if held is None or held[1] is not result.pairs:
        return None
    return held[3].pair_ids


def _pairs_csv(pairs: Any, folder: Path) -> list[Path]:
    """pairs.csv, the pairs for a spreadsheet (Excel does not open Parquet), when they fit
    a sheet: more rows than a sheet holds would only cost minutes of writing (a million
    leads make millions of pairs), and the message says so."""
    from leadlink.io import fits_excel, write_table

    if fits_excel(pairs):
        return [write_table(_flat(pairs), folder / "pairs.csv")]
    _err(
        say(
            f"pairs.csv not written: {len(pairs)} pairs do not fit a spreadsheet; "
            "pairs.parquet holds them",
            f"未写入 pairs.csv：{len(pairs)} 对线索放不进一个电子表格；pairs.parquet 中有全部内容",
        )
    )
    return []


def _write_pairs_parquet(pairs: Any, target: Path, *, ids: Any = None) -> Path:
    """``_flat(pairs)`` as Parquet: the same schema, metadata and values as
    ``_flat(pairs).to_parquet(target, index=False)`` writes (pandas reads the same frame
    back), made without converting millions of Python texts. ``ids``: ``id_l`` and
    ``id_r`` already made Arrow arrays of text (by the review context), taken as they
    are: converting millions of ids again took seconds at a million leads.

    A categorical column (a comparison's level, ``found_by``: millions of pairs, a handful
    of levels) is handed to the encoder as its codes and its levels' texts (with "nan" for
    none, as ``_flat``), not as a text per pair: the file then holds every level in the
    column's dictionary, used or not, and its bytes differ from ``to_parquet``'s, not its
    contents. The file is written behind the caller inside
    :func:`leadlink._csv_text.writes_behind`.
    """
    import base64

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from leadlink._csv_text import run_behind

    held: dict[str, Any] = {}
    names = [str(name) for name in pairs.columns]
    if ids is not None and len(pairs) == len(ids[0]) > 0 and len(set(names)) == len(names):
        held = {"id_l": ids[0], "id_r": ids[1]}
    rest = [name for name in pairs.columns if name not in held]
    table = pa.Table.from_pandas(pairs, columns=rest, preserve_index=False)
    described = json.loads(table.schema.metadata[b"pandas"])
    if held:
        # where the ids go, and pandas' description of them: Arrow's, from a first row
        first = pa.Table.from_pandas(pairs.iloc[:1], columns=list(held), preserve_index=False)
        about = {
            entry["name"]: entry
            for entry in json.loads(first.schema.metadata[b"pandas"])["columns"]
        }
        converted = dict(zip(table.column_names, zip(table.schema, table.columns)))
        entries = {entry["name"]: entry for entry in described["columns"]}
        for name, values in held.items():
            converted[name] = (pa.field(name, pa.string()), values)
            entries[name] = about[name]
        order = list(pairs.columns)
        described["columns"] = [entries[name] for name in order]
        parts = [converted[name] for name in order]
    else:
        parts = list(zip(table.schema, table.columns))
    coded = hasattr(pq.ParquetWriter, "add_key_value_metadata")  # pyarrow 15 and later
    columns, fields = [], []
    for field, column in parts:
        if pa.types.is_dictionary(field.type):  # as _flat: "nan" for none
            levels = field.type.value_type
            if coded and (pa.types.is_string(levels) or pa.types.is_large_string(levels)):
                column = pa.chunked_array(
                    [_with_nan(chunk) for chunk in column.chunks],
                    pa.dictionary(pa.int32(), pa.string()),
                )
            else:
                column = pc.fill_null(column.cast(pa.string()), "nan")
            field = pa.field(field.name, pa.string())
        columns.append(column)
        fields.append(field)
    for column_description in described["columns"]:
        if column_description["pandas_type"] == "categorical":
            column_description.update(pandas_type="unicode", numpy_type="object", metadata=None)
    schema = pa.schema(fields, metadata={b"pandas": json.dumps(described).encode()})
    if not any(pa.types.is_dictionary(column.type) for column in columns):
        run_behind(lambda: pq.write_table(pa.Table.from_arrays(columns, schema=schema), target))
        return target
    # The schema Arrow stores in the file is the one of the text columns, as to_parquet's.
    stored = {
        "ARROW:schema": base64.b64encode(schema.serialize().to_pybytes()).decode("ascii"),
        "pandas": schema.metadata[b"pandas"].decode(),
    }
    coded_table = pa.Table.from_arrays(columns, names=schema.names)

    def write() -> None:
        with pq.ParquetWriter(target, coded_table.schema, store_schema=False) as writer:
            writer.write_table(coded_table)
            writer.add_key_value_metadata(stored)

    run_behind(write)
    return target


def _with_nan(chunk: Any) -> Any:
    """A dictionary array of text with "nan" where it holds none, as ``_flat`` writes it:
    the codes point at "nan", added to the levels when it is not one of them."""
    import numpy as np
    import pyarrow as pa

    levels = chunk.dictionary.cast(pa.string())
    texts = levels.to_pylist()
    codes = chunk.indices.fill_null(0).to_numpy()
    missing = chunk.is_null().to_numpy(zero_copy_only=False)
    if missing.any():
        if "nan" not in texts:
            levels = pa.concat_arrays([levels, pa.array(["nan"], type=pa.string())])
            texts.append("nan")
        codes = np.where(missing, texts.index("nan"), codes)
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), levels)


def _flat(pairs: Any) -> Any:
    """``pairs`` with categorical columns (levels, ``found_by``) as text, as ``astype(str)``
    writes them ("nan" for none), each category's text made once."""
    import numpy as np
    import pandas as pd

    flat = pairs.copy(deep=False)  # columns are replaced, never edited
    for column in flat.columns:
        values = flat[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            names = [str(c) for c in values.cat.categories] + ["nan"]  # code -1: none
            text = np.asarray(names, dtype=object)[values.cat.codes.to_numpy()]
            flat[column] = pd.Series(text, index=values.index, dtype=object)
    return flat
