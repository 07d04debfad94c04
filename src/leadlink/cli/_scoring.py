"""The commands on lead scores and outcomes: ``score``, ``learn`` and ``review-rules``, and
the lines that show an outcome model's evaluation."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from leadlink._i18n import say
from leadlink.cli._common import (
    _check_options,
    _columns,
    _err,
    _lead_ids,
    _progress,
    _writes_outputs,
)

if TYPE_CHECKING:
    from leadlink._outputs import OutputFolder


def _roles(args: argparse.Namespace) -> dict[str, str] | None:
    """``--column`` and ``--no-role`` as the ``columns`` the scoring functions take (a role
    mapped to None is left unmapped, as in :func:`leadlink.schema.resolve_columns`)."""
    columns = _columns(args.column, getattr(args, "no_role", ()))
    return cast("dict[str, str]", columns) or None


@_writes_outputs
def _run_score(args: argparse.Namespace) -> int:
    from leadlink.errors import ConfigError
    from leadlink.identify import OutcomeModel, load_rules, score
    from leadlink.io import read_leads, write_table
    from leadlink.schema import check_ids

    _check_options(args)
    if args.model is not None and args.rules is not None:
        raise ConfigError(
            say(
                "give --model or --rules, not both: an outcome model scores with the rules it "
                "was learnt with (leadlink learn --rules ...)",
                "--model 与 --rules 只能给出其一：转化预测模型按其训练时的规则打分"
                "（leadlink learn --rules ...）",
            )
        )
    # a bad rules or model file should not wait for the leads to be read
    rules: Any = args.rules
    if args.model is not None:
        rules = OutcomeModel.load(args.model)
    else:
        load_rules(args.rules)
    tell = _progress(args)
    tell(say(f"reading {args.input}", f"正在读取 {args.input}"))
    leads, id_column = _lead_ids(read_leads(args.input, sheet=args.sheet), args.id_column, "score")
    ids = check_ids(leads, id_column)
    events = read_leads(args.events) if args.events else None
    tell(say(f"scoring {len(leads)} leads", f"正在为 {len(leads)} 条线索打分"))
    scored = score(
        leads,
        events=events,
        rules=rules,
        columns=_roles(args),
        id_column=id_column,
        now=args.now,
    )
    table = scored.copy()
    table.insert(0, id_column, ids.to_numpy())
    table["reasons"] = table["reasons"].map(lambda reasons: "; ".join(map(str, reasons)))
    out: OutputFolder = args.outputs
    with out.writing() as folder:
        written = write_table(table, folder / "scores.csv")
    tiers = scored["tier"].value_counts()
    high, medium, low = (int(tiers.get(tier, 0)) for tier in ("high", "medium", "low"))
    sys.stdout.write(
        say(
            f"{len(leads)} leads scored: {high} high, {medium} medium, {low} low; "
            f"wrote {written.name} to {out.path}/\n",
            f"已为 {len(leads)} 条线索打分：high {high} 条，medium {medium} 条，low {low} 条；"
            f"已将 {written.name} 写入 {out.path}/\n",
        )
    )
    if events is not None:
        skipped = scored.attrs["skipped_events"]
        left_out, undated = sum(skipped.values()), scored.attrs["undated_events"]
        sys.stdout.write(
            say(
                f"{len(events)} events: {left_out} left out "
                f"({skipped['no_lead_id']} without a lead id, {skipped['unknown_lead']} of an "
                f"unknown lead, {skipped['no_type']} without a type), "
                f"{undated} of unknown time counted at half weight\n",
                f"{len(events)} 个事件：{left_out} 个未计入"
                f"（{skipped['no_lead_id']} 个没有线索 ID，{skipped['unknown_lead']} 个的线索 ID "
                f"不在这批线索中，{skipped['no_type']} 个没有事件类型），"
                f"{undated} 个时间未知，按一半权重计入\n",
            )
        )
    return 0


def _run_learn(args: argparse.Namespace) -> int:
    from leadlink.identify import fit_outcome_model, load_rules
    from leadlink.io import read_leads

    target = _model_output(args.output, args.overwrite)
    load_rules(args.rules)  # a bad rules file should not wait for the leads to be read
    tell = _progress(args)
    tell(say(f"reading {args.input}", f"正在读取 {args.input}"))
    leads = read_leads(args.input, sheet=args.sheet)
    events = read_leads(args.events) if args.events else None
    tell(say(f"learning from {len(leads)} leads", f"正在从 {len(leads)} 条线索中学习"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit_outcome_model(
            leads,
            args.converted,
            events=events,
            rules=args.rules,
            columns=_roles(args),
            id_column=args.id_column,
            now=args.now,
            include=args.include,
            exclude=args.exclude,
            keep_columns=args.keep,
            method=args.method,
            seed=args.seed,
        )
    # The leakage guard warns in words: shown as a message, once each, not as a traceback.
    for message in dict.fromkeys(str(w.message) for w in caught):
        _err(say(f"warning: {message}", f"警告：{message}"))
    if model.leaky:
        _err(
            say(
                "on the command line, --keep COLUMN learns from a flagged column anyway",
                "在命令行中，用 --keep COLUMN 仍可学习被标记的列",
            )
        )
    _save_model(model, target)
    sys.stdout.write("\n".join([*_evaluation_lines(model), _saved_line(target)]) + "\n")
    return 0


def _model_output(path: str, overwrite: bool) -> Path:
    """``learn --output``, checked before any work: a file in an existing folder, and, unless
    ``overwrite``, nothing there or an outcome model leadlink wrote."""
    from leadlink.errors import ConfigError

    target = Path(path)
    if target.is_dir():
        raise ConfigError(
            say(
                f"--output {path!r} is a folder; give the path of the model file, e.g. "
                f"{str(target / 'model.json')!r}",
                f"--output {path!r} 是文件夹；请给出模型文件的路径，例如 "
                f"{str(target / 'model.json')!r}",
            )
        )
    if not target.parent.is_dir():
        raise ConfigError(
            say(
                f"the folder of --output {path!r} does not exist; create it first",
                f"--output {path!r} 所在的文件夹不存在；请先创建",
            )
        )
    if target.exists() and not overwrite and not _is_outcome_model(target):
        raise ConfigError(
            say(
                f"--output {path!r} exists and is not an outcome model leadlink wrote; choose "
                "another path or pass --overwrite to replace it",
                f"--output {path!r} 已存在，且不是 leadlink 写出的转化预测模型；请换一个路径，"
                "或加上 --overwrite 以替换它",
            )
        )
    return target


def _is_outcome_model(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and data.get("kind") == "leadlink.OutcomeModel"


def _save_model(model: Any, target: Path) -> None:
    """Save ``model`` to ``target`` whole: written next to it, then renamed over it."""
    import os
    import tempfile

    handle, staging = tempfile.mkstemp(prefix=".leadlink-", suffix=".json", dir=target.parent)
    os.close(handle)
    try:
        model.save(staging)
        os.replace(staging, target)
    finally:
        Path(staging).unlink(missing_ok=True)


def _saved_line(target: Path) -> str:
    return say(
        f"saved the model to {target}; score leads with: leadlink score LEADS --model "
        f"{target} --output-dir DIR",
        f"模型已保存到 {target}；用它打分：leadlink score LEADS --model {target} --output-dir DIR",
    )


def _evaluation_lines(model: Any) -> list[str]:
    """An outcome model's held-out evaluation in a few lines."""
    evaluation = model.evaluation
    n_train, n_holdout = model.n_train, model.n_holdout
    rate = float(evaluation.get("conversion_rate", float("nan")))
    cv = evaluation.get("cv_auc") or {}
    compared = ", ".join(f"{k} {v:.3f}" for k, v in cv.items())
    held = (
        say(
            f"evaluated on the {n_holdout} newest leads, learnt from the {n_train} older ones",
            f"在最新的 {n_holdout} 条线索上评估，从较早的 {n_train} 条中学习",
        )
        if evaluation.get("split") == "time"
        else say(
            f"evaluated on {n_holdout} leads held out at random, learnt from the other {n_train}",
            f"在随机留出的 {n_holdout} 条线索上评估，从其余 {n_train} 条中学习",
        )
    )
    lines = [
        say(
            f"outcome model: {model.method}"
            + (f" (cross-validated AUC: {compared})" if compared else ""),
            f"转化预测模型：{model.method}" + (f"（交叉验证 AUC：{compared}）" if compared else ""),
        ),
        held + say(f"; {rate:.1%} of them converted", f"；其中 {rate:.1%} 已转化"),
        say(
            f"holdout AUC {model.auc_holdout:.3f} (the rules: {model.auc_rules_holdout:.3f}); "
            f"the high tier converts at "
            f"{float(evaluation.get('high_tier_precision', float('nan'))):.1%}; "
            f"calibration error {float(evaluation.get('calibration_error', float('nan'))):.3f}",
            f"留出集 AUC {model.auc_holdout:.3f}（规则：{model.auc_rules_holdout:.3f}）；"
            f"高意向层转化率 {float(evaluation.get('high_tier_precision', float('nan'))):.1%}；"
            f"校准误差 {float(evaluation.get('calibration_error', float('nan'))):.3f}",
        ),
    ]
    tiers = evaluation.get("tiers") or []
    if tiers:
        lines.append(
            say("lift per tier (held out): ", "各意向层提升（留出集）：")
            + ", ".join(
                f"{row['tier']} {row['leads']} "
                + say("leads ", "条 ")
                + f"{_share(row.get('conversion_rate'))} ×{_plain_number(row.get('lift'))}"
                for row in tiers
            )
        )
    learnt = ", ".join(f"{column} ({kind})" for column, kind in model.columns.items())
    lines.append(
        say(
            f"learnt from {len(model.columns)} column(s){': ' + learnt if learnt else ''} and "
            f"{len(model.rule_features)} rule feature(s)",
            f"学习了 {len(model.columns)} 列{'：' + learnt if learnt else ''}，以及 "
            f"{len(model.rule_features)} 个规则特征",
        )
    )
    left_out = model.left_out
    if left_out:
        leaks = [c for c in left_out if c in model.leaky]
        ordered = leaks + [c for c in left_out if c not in model.leaky]
        lines.append(say(f"left out {len(left_out)} column(s):", f"排除了 {len(left_out)} 列："))
        for column in ordered:
            leak = say("leak: ", "泄漏：") if column in model.leaky else ""
            lines.append(f"  {column}: {leak}{left_out[column]}")
    return lines


def _share(value: Any) -> str:
    return "-" if value is None or value != value else f"{float(value):.1%}"


def _plain_number(value: Any) -> str:
    return "-" if value is None or value != value else f"{float(value):.2f}"


@_writes_outputs
def _run_review_rules(args: argparse.Namespace) -> int:
    from leadlink.identify import load_rules, review_rules
    from leadlink.io import read_leads, write_table

    _check_options(args)
    load_rules(args.rules)  # a bad rules file should not wait for the leads to be read
    tell = _progress(args)
    tell(say(f"reading {args.input}", f"正在读取 {args.input}"))
    leads = read_leads(args.input, sheet=args.sheet)
    events = read_leads(args.events) if args.events else None
    tell(say(f"reviewing the rules on {len(leads)} leads", f"正在用 {len(leads)} 条线索复核规则"))
    review = review_rules(
        leads,
        args.converted,
        rules=args.rules,
        events=events,
        columns=_roles(args),
        id_column=args.id_column,
        now=args.now,
    )
    wrong = review.misclassified.copy()
    # the data row in the file, counted as read_leads counts them (1 = the first after the header)
    wrong.insert(0, "row", [int(i) + 1 for i in wrong.index])
    wrong["reasons"] = wrong["reasons"].map(lambda reasons: "; ".join(map(str, reasons)))
    out: OutputFolder = args.outputs
    with out.writing() as folder:
        written = [
            write_table(review.rules, folder / "rules.csv"),
            write_table(_tier_rows(review), folder / "tiers.csv"),
            write_table(wrong, folder / "misclassified.csv"),
        ]
        report = folder / "review.json"
        report.write_text(
            json.dumps(review.to_dict(), ensure_ascii=False, indent=1, allow_nan=False), "utf-8"
        )
        written.append(report)
    files = ", ".join(p.name for p in written)
    sys.stdout.write(
        review.summary()
        + say(f"\nwrote {files} to {out.path}/\n", f"\n已将 {files} 写入 {out.path}/\n")
    )
    return 0


def _tier_rows(review: Any) -> Any:
    """tiers.csv: each tier with the current cut-offs, then with the suggested ones, and the
    score each starts at."""
    import pandas as pd

    frames = []
    for label, table, cutoffs in (
        ("current", review.tiers, review.cutoffs),
        ("suggested", review.suggested_tiers, review.suggested_cutoffs),
    ):
        frame = table.copy()
        starts = {"high": cutoffs["high"], "medium": cutoffs["medium"], "low": 0.0}
        frame.insert(0, "cutoffs", label)
        frame.insert(2, "starts_at", frame["tier"].map(starts))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
