"""The argparse parser: every command's options, each command pointing at its runner."""

from __future__ import annotations

import argparse
from typing import NoReturn

from leadlink._i18n import LANGUAGES, say
from leadlink.cli._common import _err
from leadlink.cli._entry import _run_match
from leadlink.cli._linking import _run_link
from leadlink.cli._matching import (
    _run_check,
    _run_dedupe,
    _run_demo,
    _run_erase,
    _run_rethreshold,
)
from leadlink.cli._scoring import _run_learn, _run_review_rules, _run_score
from leadlink.cli._serving import _run_serve


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
    table.add_argument("input", help="CSV, Excel (.xlsx) or Parquet file of leads")
    table.add_argument("--sheet", metavar="NAME_OR_INDEX", help=_SHEET_HELP)
    table.add_argument(
        "--id-column",
        default="lead_id",
        help="column with a unique lead id (default lead_id; dedupe, check and score: when "
        "absent, a column named like an id, such as id or 线索ID, else the row numbers "
        "row_1, row_2 ...)",
    )
    table.add_argument("--output-dir", required=True, help="folder for the outputs")
    table.add_argument("--overwrite", action="store_true", help=_OVERWRITE_HELP)
    table.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="ROLE=COLUMN",
        help="map a role to a column, e.g. --column phone=手机 (repeatable); --column phone= "
        "leaves the role unmapped",
    )
    table.add_argument(
        "--no-role",
        action="append",
        default=[],
        metavar="ROLE",
        help="do not map ROLE, not even from a header that looks like it, e.g. --no-role "
        "phone (repeatable); its column can then be compared with --extra",
    )
    table.add_argument(
        "--region",
        default=None,
        help="phone region for numbers without a country code, a two-letter code such as CN, "
        "HK, US (default: CN, unless most numbers are clearly of another region, which is "
        "then used and named in a warning)",
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
        "members disagree on), review.csv (the review queue: uncertain merges and near "
        "misses, ranked by the leads they put at stake), review_all.csv (every cluster worth "
        "a look, one row per cluster and reason), pairs.parquet "
        "(and pairs.csv, the same pairs for a spreadsheet, when they fit one) and "
        "model.json to the output folder.",
        epilog='A --policy file is JSON: {"rules": {ROLE: [RULE, ...]}, "sources": [...]}, '
        'e.g. {"rules": {"phone": ["source_priority", "most_recent"]}, "sources": ["CRM", '
        '"官网表单"]}. Roles: name, phone, email, company, city, title, address, postcode, '
        "website (the others keep their default rules). Rules, best first: first_valid, "
        "longest, most_complete, "
        "most_frequent, most_recent, personal (phone, email), source_priority (needs "
        "sources, best first). See docs/golden.md.",
    )
    dedupe.add_argument(
        "--threshold",
        type=float,
        help="match probability to link, 0 to 1 (0 links every scored pair)",
    )
    dedupe.add_argument("--model", help="use this trained model.json instead of training")
    dedupe.add_argument(
        "--entity",
        choices=("person", "company"),
        default=None,
        help="what one record is: person (a lead, the default) or company (an account: "
        "organisation names with branches and subsidiaries kept apart, addresses, phones, "
        "websites; a company name alone is enough)",
    )
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
    dedupe.add_argument("--decisions", metavar="FILE", help=_DECISIONS_HELP)
    _review_options(dedupe)
    dedupe.add_argument(
        "--excel",
        action="store_true",
        help="also write golden_records.xlsx and clusters.xlsx (always when INPUT is an "
        "Excel workbook)",
    )
    dedupe.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="COLUMN=KIND",
        help="compare your own column too, e.g. --extra Address=fuzzy; kinds: exact, fuzzy, "
        "date, numeric (repeatable)",
    )
    dedupe.add_argument(
        "--must-link",
        action="append",
        default=[],
        metavar="ROLE",
        help="equal values of this role (or --extra column) always mean one person (repeatable)",
    )
    dedupe.add_argument(
        "--never-link",
        action="append",
        default=[],
        metavar="ROLE",
        help="different values of this role (or --extra column) never mean one person (repeatable)",
    )
    dedupe.add_argument(
        "--config",
        metavar="FILE",
        help="settings as JSON (or YAML with PyYAML): id_column, columns, extra_columns, "
        "must_link, never_link, region, threshold, hash_key_file, outputs; options on the "
        "command line win",
    )
    dedupe.set_defaults(run=_run_dedupe)

    linking = commands.add_parser(
        "link",
        parents=[common],
        help="link each lead to its account in an account table",
        description="Link each lead of LEADS to the account it belongs to in ACCOUNTS, "
        "scored by the organisation model (branches and subsidiaries kept apart), and write "
        "matches.csv (one row per lead: lead_id, account_id, status matched / uncertain / "
        "no_match, the best candidate and the runner-up), pairs.parquet (and pairs.csv, the "
        "same pairs for a spreadsheet, when they fit one) and model.json to the output folder. Exit code 3 when "
        "no lead was linked to an account.",
    )
    linking.add_argument("leads", help="CSV, Excel (.xlsx) or Parquet file of leads")
    linking.add_argument("accounts", help="CSV, Excel (.xlsx) or Parquet file of accounts")
    linking.add_argument("--sheet", metavar="NAME_OR_INDEX", help=_SHEET_HELP + " (LEADS)")
    linking.add_argument("--account-sheet", metavar="NAME_OR_INDEX", help="the same for ACCOUNTS")
    linking.add_argument("--output-dir", required=True, help="folder for the outputs")
    linking.add_argument("--overwrite", action="store_true", help=_OVERWRITE_HELP)
    linking.add_argument(
        "--lead-id", default="lead_id", help="column of LEADS with a unique id (default lead_id)"
    )
    linking.add_argument(
        "--account-id",
        default="account_id",
        help="column of ACCOUNTS with a unique id (default account_id)",
    )
    for side in ("lead", "account"):
        linking.add_argument(
            f"--{side}-column",
            action="append",
            default=[],
            metavar="ROLE=COLUMN",
            help=f"map a role to a column of the {side}s, e.g. --{side}-column company=公司名称 "
            f"(repeatable); --{side}-column ROLE= leaves the role unmapped",
        )
    linking.add_argument(
        "--threshold",
        type=float,
        help="match probability at which a lead is linked to its best account, 0 to 1 "
        "(default 0.5)",
    )
    linking.add_argument(
        "--region",
        default=None,
        help="phone region for numbers without a country code, e.g. CN, HK, US (default: CN "
        "unless the numbers of both files say otherwise)",
    )
    linking.add_argument("--seed", type=int, default=0, help="seed for training (default 0)")
    linking.add_argument(
        "--model", help="use this trained organisation model.json instead of training"
    )
    linking.add_argument(
        "--excel",
        action="store_true",
        help="also write matches.xlsx (always when LEADS or ACCOUNTS is an Excel workbook)",
    )
    linking.set_defaults(run=_run_link)

    rethreshold = commands.add_parser(
        "rethreshold",
        parents=[common],
        help="cluster a dedupe output again at another threshold, without training",
        description="Cluster the scored pairs a dedupe run saved in FOLDER again at "
        "--threshold, with the run's model, options and decisions (and --decisions), and "
        "write the same files as dedupe to --output-dir: no training, no scoring. The "
        "leads are read again for the golden records, from the file the run read unless "
        "--input gives its new place. Prints the summary and how long it took.",
    )
    rethreshold.add_argument("folder", help="the --output-dir of a leadlink dedupe run")
    rethreshold.add_argument(
        "--threshold", type=float, required=True, help="match probability to link, 0 to 1"
    )
    rethreshold.add_argument("--output-dir", required=True, help="folder for the new outputs")
    rethreshold.add_argument("--overwrite", action="store_true", help=_OVERWRITE_HELP)
    rethreshold.add_argument(
        "--input", metavar="LEADS", help="the leads file the run read, when it has moved"
    )
    rethreshold.add_argument("--decisions", metavar="FILE", help=_DECISIONS_HELP)
    _review_options(rethreshold)
    rethreshold.add_argument(
        "--hash-key-file",
        metavar="FILE",
        help="the secret the run hashed phones and emails under, when its key file has moved",
    )
    rethreshold.set_defaults(run=_run_rethreshold)

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
    learn.add_argument(
        "input", help="CSV, Excel (.xlsx) or Parquet file of leads with a known outcome"
    )
    learn.add_argument("--sheet", metavar="NAME_OR_INDEX", help=_SHEET_HELP)
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
    erase.add_argument("--sheet", metavar="NAME_OR_INDEX", help="the sheet of an Excel --leads")
    erase.add_argument(
        "--column", action="append", default=[], metavar="ROLE=COLUMN", help="as for dedupe"
    )
    erase.add_argument("--region", help="phone region (default: the run's, else CN)")
    erase.add_argument("--policy", metavar="FILE", help="survivorship policy to rebuild with")
    erase.add_argument("--list-ids", action="store_true", help="print the erased lead ids")
    erase.add_argument("--dry-run", action="store_true", help="change nothing; say what would go")
    erase.set_defaults(run=_run_erase)

    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="check leads as they are typed in: an HTTP API and a lead-entry page",
        description="Index the leads of --against with the trained --model (or load the "
        "index saved at --index) and serve it over HTTP until Ctrl-C: POST /match, "
        "/match/batch, /leads; PUT and DELETE /leads/ID; GET /clusters/ID, /health; the "
        "API description at /docs; a lead-entry page that warns of duplicates at /. Needs "
        "pip install 'leadlink[serve]'. No authentication and no TLS: put it behind your "
        "gateway. See docs/serve.md.",
    )
    _index_options(
        serve,
        "a saved index: loaded when it exists (then --model and --against are not needed), "
        "else built and saved there; saved again, with the leads added, on exit",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.set_defaults(run=_run_serve)

    match = commands.add_parser(
        "match",
        parents=[common],
        help="check one record, or a list, against existing leads",
        description="Check one record (JSON) or a list (--input) against the leads of "
        "--against with the trained --model (or the index saved at --index), as the "
        "duplicate warning on entry does. One record: the candidates as JSON on stdout, best "
        "first, with their cluster, golden record and why they match. A list: one row per "
        "lead with status exists / uncertain / new / flagged and the best match, as CSV "
        "(--output, else stdout). Nothing is added to the leads.",
    )
    match.add_argument("record", nargs="?", help='the record as JSON: \'{"name": "张伟"}\'')
    match.add_argument("--input", metavar="FILE", help="a list of leads to check instead")
    match.add_argument("--output", metavar="FILE", help="where to write the list's CSV")
    match.add_argument("--top", type=int, default=5, help="candidates per record (default 5)")
    _index_options(match, "a saved index to load (or, when it does not exist, to save to)")
    match.set_defaults(run=_run_match)
    return parser


def _index_options(parser: argparse.ArgumentParser, index_help: str) -> None:
    """The options ``serve`` and ``match`` build (or load) their LeadIndex with."""
    parser.add_argument("--model", metavar="FILE", help="a model.json from leadlink dedupe")
    parser.add_argument("--against", metavar="LEADS", help="CSV, Excel or Parquet of leads")
    parser.add_argument("--sheet", metavar="NAME_OR_INDEX", help=_SHEET_HELP)
    parser.add_argument(
        "--id-column", default="lead_id", help="column with a unique lead id (default lead_id)"
    )
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="ROLE=COLUMN",
        help="map a role to a column, as for dedupe (repeatable)",
    )
    parser.add_argument("--region", help="phone region for numbers without a country code")
    parser.add_argument("--index", metavar="PATH", help=index_help)


def _review_options(command: argparse.ArgumentParser) -> None:
    """The options of review.csv, the review queue, that ``dedupe`` and ``rethreshold`` share."""
    command.add_argument(
        "--review-size",
        type=int,
        default=200,
        metavar="N",
        help="how many items review.csv holds, best first (default 200; 0 for all); the "
        "summary line counts the rest",
    )
    command.add_argument(
        "--review-value",
        metavar="COLUMN",
        help="rank review.csv by the value at stake: a numeric column of the leads, such as "
        "a deal amount or a lead score (default: by the leads at stake)",
    )


def _outcome_options(parser: argparse.ArgumentParser) -> None:
    """The options ``learn`` and ``review-rules`` share with ``score``."""
    parser.add_argument("--events", help="CSV or Parquet of events: lead id, event, timestamp")
    parser.add_argument("--rules", help="bant (default), champ, or a rules JSON or YAML file")
    parser.add_argument(
        "--now",
        help="the time the outcomes were taken, for recency and timelines, e.g. 2026-11-22",
    )


_DECISIONS_HELP = (
    "CSV or Parquet of labelled pairs to honour: id_l, id_r, label (match / non_match; also "
    "1/0, yes/no, same/different, 是/否): a match links the two leads, a non-match keeps them "
    "apart, whatever the model scores; written back as decisions.csv"
)

_SHEET_HELP = (
    "the sheet of an Excel workbook to read: its name, or its position counting from 0 "
    "(default: the first sheet)"
)

_OVERWRITE_HELP = (
    "write into a folder that holds files leadlink did not write: its outputs replace "
    "same-named files, other files are kept (a previous run's outputs are replaced anyway)"
)
