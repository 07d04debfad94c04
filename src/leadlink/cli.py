"""The ``leadlink`` command: the same stages as the Python API, files in and out.

Exit codes: 0 success, 2 bad input or options (one line on stderr), 1 internal error
(one line on stderr; ``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import sys
import traceback
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from leadlink._i18n import LANGUAGES, language, say
from leadlink.errors import LeadlinkError

if TYPE_CHECKING:
    from leadlink._outputs import OutputFolder

__all__ = ["main"]

logger = logging.getLogger("leadlink")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    # --lang is read before parsing, so that a wrong option is refused in that language too
    with language(_lang_option(arguments)):
        return _main(arguments)


def _lang_option(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` in ``argv`` when it is one of the languages, else None."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
        if arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value is not None:
            return value if value in LANGUAGES else None
    return None


def _main(argv: Sequence[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="leadlink: %(message)s",
        stream=sys.stderr,
    )
    try:
        result: int = args.run(args)
        return result
    except LeadlinkError as error:
        if args.debug:
            traceback.print_exc()
        _err(say(f"error: {error}", f"错误：{error}"))
        return 2
    except KeyboardInterrupt:
        _err(say("interrupted", "已中断"))
        return 130
    except Exception as error:
        kind = type(error).__name__
        if args.debug:
            traceback.print_exc()
            _err(
                say(
                    f"internal error ({kind}); please report it",
                    f"内部错误（{kind}）；请报告此问题",
                )
            )
            return 1
        _err(
            say(
                f"internal error ({kind}); run again with --debug for the traceback and report it",
                f"内部错误（{kind}）；请加上 --debug 重新运行以查看调用栈，并报告此问题",
            )
        )
        return 1


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: a wrong option exits 2 with one line on stderr, like
    every other bad input, instead of a usage block."""

    def error(self, message: str) -> NoReturn:
        _err(
            say(
                f"error: {message} (see {self.prog} --help)",
                f"错误：{message}（参见 {self.prog} --help）",
            )
        )
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="leadlink",
        description="CRM lead data quality: clean leads, merge duplicates, score them.",
    )
    from leadlink._version import __version__

    parser.add_argument("--version", action="version", version=f"leadlink {__version__}")
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show debug logs and tracebacks")
    common.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    # --lang before or after the command; read by main() before parsing (see _lang_option)
    lang_help = (
        "language of messages, summaries and reasons: en or zh (default: LEADLINK_LANG, "
        "then the locale)"
    )
    parser.add_argument("--lang", choices=LANGUAGES, help=lang_help)
    common.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=lang_help)
    table = _Parser(add_help=False)
    table.add_argument("input", help="CSV or Parquet file of leads")
    table.add_argument("--id-column", default="lead_id", help="column with a unique lead id")
    table.add_argument("--output-dir", required=True, help="folder for the outputs")
    table.add_argument("--overwrite", action="store_true", help=_OVERWRITE_HELP)
    table.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="ROLE=COLUMN",
        help="map a role to a column, e.g. --column phone=手机 (repeatable)",
    )
    table.add_argument(
        "--region",
        default="CN",
        help="default phone region, a two-letter code such as CN, HK, US (default CN)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="run the whole flow on the bundled sample leads",
        description="Deduplicate the bundled sample leads, write the outputs and report "
        "precision and recall against the sample's ground truth.",
    )
    demo.add_argument("--output-dir", default="leadlink-demo", help="where to write outputs")
    demo.add_argument("--overwrite", action="store_true", help=_OVERWRITE_HELP)
    demo.set_defaults(run=_run_demo)

    dedupe = commands.add_parser(
        "dedupe",
        parents=[common, table],
        help="merge duplicate leads into golden records",
        description="Find duplicate leads and write clusters.csv, golden_records.csv, "
        "lineage.csv (where each golden value came from), conflicts.csv (the values the "
        "members disagree on), review.csv (clusters worth a human look), pairs.parquet and "
        "model.json to the output folder.",
        epilog='A --policy file is JSON: {"rules": {ROLE: [RULE, ...]}, "sources": [...]}, '
        'e.g. {"rules": {"phone": ["source_priority", "most_recent"]}, "sources": ["CRM", '
        '"官网表单"]}. Roles: name, phone, email, company, city, title, address (the others '
        "keep their default rules). Rules, best first: first_valid, longest, most_complete, "
        "most_frequent, most_recent, personal (phone, email), source_priority (needs "
        "sources, best first). See docs/golden.md.",
    )
    dedupe.add_argument(
        "--threshold",
        type=float,
        help="match probability to link, 0 to 1 (0 links every scored pair)",
    )
    dedupe.add_argument("--model", help="use this trained model.json instead of training")
    dedupe.add_argument("--seed", type=int, default=0, help="seed for training (default 0)")
    dedupe.add_argument(
        "--max-pairs",
        type=int,
        metavar="N",
        help="stop before comparing more than N pairs of leads in all, and say which "
        "blocking key makes the most (default: 50 a lead, at least 1000000)",
    )
    dedupe.add_argument(
        "--max-block-size",
        type=int,
        metavar="N",
        help="a blocking key shared by more than N leads is not used alone (2 to 5000, "
        "default 200)",
    )
    dedupe.add_argument(
        "--blocking",
        metavar="NAMES",
        help="comma-separated blocking presets to train with (default: all that fit), e.g. "
        "phone,email,phone_name,name_company",
    )
    dedupe.add_argument(
        "--policy",
        metavar="FILE",
        help="survivorship rules as JSON: which value each golden record keeps (see below)",
    )
    dedupe.add_argument(
        "--hash-key-file",
        metavar="FILE",
        help="match phones and emails as keyed hashes (HMAC-SHA256) under the secret in "
        "FILE (at least 16 bytes; a trailing newline is ignored)",
    )
    shown = dedupe.add_mutually_exclusive_group()
    shown.add_argument(
        "--mask-outputs",
        action="store_true",
        help="mask phones and emails in the output files (+86138****8000, z***@example.com)",
    )
    shown.add_argument(
        "--hash-outputs",
        action="store_true",
        help="write phones and emails as their keyed hashes (needs --hash-key-file)",
    )
    dedupe.add_argument(
        "--mask-names", action="store_true", help="mask names in the output files (张*, Z*** W***)"
    )
    dedupe.set_defaults(run=_run_dedupe)

    check = commands.add_parser(
        "check",
        parents=[common, table],
        help="validate leads: problems, missing fields, ghost leads",
        description="Check every lead and write validation.csv (one row per lead: id, "
        "is_ghost, ghost_score, problems, ghost_reasons) and missing.csv to the output "
        "folder; print a summary table.",
    )
    check.add_argument(
        "--required", default="name", help="comma-separated roles every lead must have"
    )
    check.add_argument("--stale-after", help="flag leads older than this, e.g. 180D")
    check.set_defaults(run=_run_check)

    score = commands.add_parser(
        "score",
        parents=[common, table],
        help="score leads: 0-100, tier, stage and the reasons",
        description="Score every lead with BANT/CHAMP rules (or your own JSON rules) and "
        "its behaviour events; write scores.csv (id, score, tier, stage, reasons).",
    )
    score.add_argument("--events", help="CSV or Parquet of events: lead id, event, timestamp")
    score.add_argument("--rules", help="bant (default), champ, or a rules JSON or YAML file")
    score.add_argument(
        "--model",
        metavar="FILE",
        help="an outcome model from leadlink learn, instead of --rules: scores.csv then has "
        "the probability of converting too",
    )
    score.add_argument("--now", help="reference time for recency, e.g. 2026-11-22")
    score.set_defaults(run=_run_score)

    learn = commands.add_parser(
        "learn",
        parents=[common],
        help="learn which leads convert from past outcomes; save the model",
        description="Fit an outcome model on leads whose outcome is known, from every "
        "informative column and the rules' evidence; measure it on held-out leads (the "
        "newest, when the leads have a creation date), save it as JSON and print the "
        "evaluation. Columns that look like the outcome in disguise are left out with a "
        "warning. Score new leads with: leadlink score LEADS --model FILE --output-dir DIR.",
    )
    learn.add_argument("input", help="CSV or Parquet file of leads with a known outcome")
    learn.add_argument(
        "--converted",
        required=True,
        metavar="COLUMN",
        help="the outcome column: yes/no, 1/0, true/false, 是/否",
    )
    learn.add_argument("--output", required=True, metavar="FILE", help="the model JSON to write")
    learn.add_argument(
        "--overwrite",
        action="store_true",
        help="replace --output even when it is not an outcome model leadlink wrote",
    )
    _outcome_options(learn)
    learn.add_argument(
        "--include",
        nargs="+",
        action="extend",
        metavar="COL",
        help="learn from these columns only (besides the rules' evidence)",
    )
    learn.add_argument(
        "--exclude", nargs="+", action="extend", default=[], metavar="COL", help="never learn from"
    )
    learn.add_argument(
        "--keep",
        nargs="+",
        action="extend",
        default=[],
        metavar="COL",
        help="learn from these columns even when the leakage guard flags them",
    )
    learn.add_argument(
        "--method",
        choices=("auto", "boosting", "logistic"),
        default="auto",
        help="the model: the better by cross-validated AUC (auto, default), boosted trees or "
        "a logistic regression",
    )
    learn.add_argument("--seed", type=int, default=0, help="seed for the split (default 0)")
    learn.add_argument("--id-column", default="lead_id", help="column with a unique lead id")
    learn.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="ROLE=COLUMN",
        help="map a role to a column, e.g. --column title=职务 (repeatable)",
    )
    learn.set_defaults(run=_run_learn)

    review = commands.add_parser(
        "review-rules",
        parents=[common, table],
        help="review scoring rules against outcomes: lift, points, tiers",
        description="Score leads whose outcome is known with the rules and write rules.csv "
        "(per rule: leads it fires on, their conversion rate and lift, its points, the "
        "points the outcomes suggest, a verdict), tiers.csv (conversion per tier with the "
        "current and the suggested cut-offs), misclassified.csv (high-tier leads that did "
        "not convert, low-tier leads that did) and review.json; print the summary.",
    )
    review.add_argument(
        "--converted",
        required=True,
        metavar="COLUMN",
        help="the outcome column: yes/no, 1/0, true/false, 是/否",
    )
    _outcome_options(review)
    review.set_defaults(run=_run_review_rules)

    erase = commands.add_parser(
        "erase",
        parents=[common],
        help="erase a person (PIPL, GDPR) from a dedupe output folder",
        description="Remove a person, named by lead id, phone or email (matched as dedupe "
        "matches them), from the files of a dedupe output folder, in place: the whole "
        "cluster of each lead found, unless --only-named. Prints what was removed (counts; "
        "the lead ids with --list-ids). Phones and emails on a command line can be seen by "
        "other users of the machine and stay in the shell history: see docs/security.md.",
    )
    erase.add_argument("--output-dir", required=True, help="the dedupe output folder")
    for flag, what in (("--lead-id", "a lead id"), ("--phone", "a phone"), ("--email", "an email")):
        erase.add_argument(flag, action="append", default=[], help=f"{what} (repeatable)")
    erase.add_argument(
        "--only-named",
        action="store_true",
        help="erase only the leads found, not their whole clusters; the clusters they leave "
        "are rebuilt from the other members (needs --leads)",
    )
    erase.add_argument(
        "--all-matches",
        action="store_true",
        help="erase every lead a phone or email matches, even in several clusters",
    )
    erase.add_argument("--leads", help="the leads file dedupe read (to match and rebuild)")
    erase.add_argument(
        "--column", action="append", default=[], metavar="ROLE=COLUMN", help="as for dedupe"
    )
    erase.add_argument("--region", help="phone region (default: the run's, else CN)")
    erase.add_argument("--policy", metavar="FILE", help="survivorship policy to rebuild with")
    erase.add_argument("--list-ids", action="store_true", help="print the erased lead ids")
    erase.add_argument("--dry-run", action="store_true", help="change nothing; say what would go")
    erase.set_defaults(run=_run_erase)
    return parser


def _outcome_options(parser: argparse.ArgumentParser) -> None:
    """The options ``learn`` and ``review-rules`` share with ``score``."""
    parser.add_argument("--events", help="CSV or Parquet of events: lead id, event, timestamp")
    parser.add_argument("--rules", help="bant (default), champ, or a rules JSON or YAML file")
    parser.add_argument(
        "--now",
        help="the time the outcomes were taken, for recency and timelines, e.g. 2026-11-22",
    )


_OVERWRITE_HELP = (
    "write into a folder that holds files leadlink did not write: its outputs replace "
    "same-named files, other files are kept (a previous run's outputs are replaced anyway)"
)


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


@_writes_outputs
def _run_check(args: argparse.Namespace) -> int:
    from leadlink.clean import missing_summary, validate
    from leadlink.io import read_leads, write_table
    from leadlink.schema import check_ids, resolve_columns

    _check_options(args)
    tell = _progress(args)
    tell(say(f"reading {args.input}", f"正在读取 {args.input}"))
    leads = read_leads(args.input)
    ids = check_ids(leads, args.id_column)
    roles = resolve_columns(leads, _columns(args.column) or None, id_column=args.id_column)
    required = tuple(r.strip() for r in args.required.split(",") if r.strip())
    tell(say(f"checking {len(leads)} leads", f"正在检查 {len(leads)} 条线索"))
    report = validate(
        leads, columns=roles, required=required, stale_after=args.stale_after, region=args.region
    )
    missing = missing_summary(leads, roles, region=args.region)
    out: OutputFolder = args.outputs
    table = report.copy()
    table.insert(0, args.id_column, ids.to_numpy())
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
    leads = read_leads(args.input)
    ids = check_ids(leads, args.id_column)
    events = read_leads(args.events) if args.events else None
    tell(say(f"scoring {len(leads)} leads", f"正在为 {len(leads)} 条线索打分"))
    scored = score(
        leads,
        events=events,
        rules=rules,
        columns=_columns(args.column) or None,
        id_column=args.id_column,
        now=args.now,
    )
    table = scored.copy()
    table.insert(0, args.id_column, ids.to_numpy())
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
    leads = read_leads(args.input)
    events = read_leads(args.events) if args.events else None
    tell(say(f"learning from {len(leads)} leads", f"正在从 {len(leads)} 条线索中学习"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit_outcome_model(
            leads,
            args.converted,
            events=events,
            rules=args.rules,
            columns=_columns(args.column) or None,
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
    leads = read_leads(args.input)
    events = read_leads(args.events) if args.events else None
    tell(say(f"reviewing the rules on {len(leads)} leads", f"正在用 {len(leads)} 条线索复核规则"))
    review = review_rules(
        leads,
        args.converted,
        rules=args.rules,
        events=events,
        columns=_columns(args.column) or None,
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


def _run_erase(args: argparse.Namespace) -> int:
    from leadlink._erasure import erase
    from leadlink.errors import ConfigError

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
        leads=args.leads,
        columns=_columns(args.column) or None,
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
    from leadlink.io import read_leads
    from leadlink.match import DEFAULT_MAX_BLOCK_SIZE, LeadModel
    from leadlink.merge import SurvivorshipPolicy
    from leadlink.pipeline import dedupe

    _check_options(args)
    columns = _columns(args.column)
    # Read the policy first: a typo in it should not cost a training run.
    policy = SurvivorshipPolicy.from_file(args.policy) if args.policy else None
    hash_key, outputs = _output_options(args)
    # So is the model file.
    model = LeadModel.load(args.model) if args.model else None
    tell = _progress(args)
    tell(say(f"reading {args.input}", f"正在读取 {args.input}"))
    leads = read_leads(args.input)
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
        progress=tell,
    )
    out: OutputFolder = args.outputs
    tell(say("writing outputs", "正在写入输出"))
    review = result.review()
    written = _write_outputs(result, out, review=review)
    summary = result.summary()
    to_review, files = review["cluster_id"].nunique(), ", ".join(p.name for p in written)
    sys.stdout.write(
        say(
            f"{summary['leads']} leads -> {summary['clusters']} clusters "
            f"({summary['clusters_with_duplicates']} with duplicates, {summary['ghosts']} ghost "
            f"leads kept single); {to_review} clusters to review, in "
            f"{len(review)} rows of review.csv (one per cluster and reason); "
            f"wrote {files} to {out.path}/\n",
            f"{summary['leads']} 条线索 -> {summary['clusters']} 个簇"
            f"（{summary['clusters_with_duplicates']} 个含重复，{summary['ghosts']} 条幽灵线索"
            f"保持单独）；{to_review} 个簇待复核，review.csv 中共 {len(review)} 行"
            f"（每个簇每个原因一行）；已将 {files} 写入 {out.path}/\n",
        )
    )
    return 0


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


def _write_outputs(result: Any, out: OutputFolder, *, review: Any = None) -> list[Path]:
    """Write a dedupe result's files to ``out`` whole: all of them, or none."""
    from leadlink.io import write_table

    if review is None:
        review = result.review()
    with out.writing() as folder:
        written = [
            write_table(result.clusters, folder / "clusters.csv"),
            write_table(_json_lists(result.golden), folder / "golden_records.csv"),
            write_table(result.lineage(), folder / "lineage.csv"),
            write_table(_json_lists(result.conflicts()), folder / "conflicts.csv"),
            write_table(_json_lists(review), folder / "review.csv"),
            write_table(_flat(result.pairs), folder / "pairs.parquet"),
        ]
        if result.model is not None:
            written.append(result.model.save(folder / "model.json"))
    return written


def _json_lists(frame: Any) -> Any:
    """``frame`` with list-valued columns as JSON text, so a CSV cell holds one value."""
    flat = frame.copy()
    for column in flat.columns:
        if flat[column].map(lambda v: isinstance(v, list)).any():
            flat[column] = flat[column].map(
                lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
            )
    return flat


def _flat(pairs: Any) -> Any:
    flat = pairs.copy()
    for column in flat.columns:
        if str(flat[column].dtype) == "category":
            flat[column] = flat[column].astype(str)
    return flat


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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
