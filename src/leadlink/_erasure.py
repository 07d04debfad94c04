"""Erasure (PIPL, GDPR): take a person out of a dedupe result or a dedupe output folder.

:func:`erase` sits on top of the stages, beside :func:`leadlink.dedupe`: it finds the
person's leads the way dedupe matches them (``leadlink.merge.find_leads``), removes them from
every table (``without_leads``), rebuilds the golden records of clusters that keep other
members (``rebuild_clusters``), and for a folder rewrites its files through the output
folder's lock and staging (``leadlink._outputs``).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import as_list, id_text
from leadlink.errors import InputError
from leadlink.match import (
    LeadModel,
)
from leadlink.merge import (
    Erasure,
    find_leads,
    holders_from_leads,
    holders_from_outputs,
    lineage,
    rebuild_clusters,
    without_leads,
)
from leadlink.pipeline import DedupeResult, PolicyLike, resolve_policy
from leadlink.schema import (
    check_ids,
    resolve_columns,
)

__all__ = ["erase"]

logger = logging.getLogger(__name__)


#: The tables of a dedupe output folder that hold per-lead rows, and their files.
_ERASABLE_FILES = {
    "clusters": "clusters.csv",
    "golden": "golden_records.csv",
    "lineage": "lineage.csv",
    "conflicts": "conflicts.csv",
    "review": "review.csv",
    "review_all": "review_all.csv",
    "pairs": "pairs.parquet",
    "validation": "validation.csv",
    "scores": "scores.csv",
}


#: Other files of the same tables (dedupe writes them for spreadsheets), and their table.
_COPIES = {"pairs.csv": "pairs", "golden_records.xlsx": "golden", "clusters.xlsx": "clusters"}


#: The tables whose ``lead_ids`` / ``sources`` cells are lists (JSON text in the files).
_LISTED = ("golden", "conflicts", "review", "review_all")


def erase(
    target: DedupeResult | str | PathLike[str],
    *,
    lead_ids: Iterable[Any] = (),
    phones: Iterable[Any] = (),
    emails: Iterable[Any] = (),
    whole_cluster: bool = True,
    all_matches: bool = False,
    leads: pd.DataFrame | str | PathLike[str] | None = None,
    columns: Mapping[str, str] | None = None,
    region: str | None = None,
    policy: PolicyLike | None = None,
    list_ids: bool = True,
    dry_run: bool = False,
) -> Erasure:
    """Erase a person (PIPL, GDPR) from a :class:`DedupeResult` or a dedupe output folder.

    The person is named by ``lead_ids``, ``phones`` or ``emails`` (any mix); phones and
    emails are matched the way dedupe matches them (``138 0013 8000`` finds
    ``+86 138-0013-8000``; a switchboard with an extension finds only that extension).
    By default the whole cluster of each lead found is the person: its leads, golden
    record, lineage, conflicts, review rows and pairs all go. With ``whole_cluster=False``
    only the leads found go, and each cluster that keeps other members gets its golden
    record, conflicts and review rebuilt from them and is renamed after its smallest
    remaining member (see :mod:`leadlink.merge._erase`).

    A folder (``clusters.csv``, ``golden_records.csv``, ``lineage.csv``,
    ``conflicts.csv``, ``review.csv``, ``review_all.csv``, ``pairs.parquet``, and
    ``validation.csv`` / ``scores.csv`` when there) is rewritten in place, whole or not at
    all, under the folder's lock; ``model.json`` holds no per-person data and is kept as it
    is. Without ``leads``, phones and emails are looked up in what the files attribute to
    each lead (golden values and their lineage, conflicts); give ``leads`` (the table or
    file dedupe read) to match on every lead's own values, and to rebuild clusters that keep
    members.

    Args:
        target: the result of :func:`dedupe`, or the path of a folder it was written to.
        whole_cluster: erase every lead of a found lead's cluster (the default).
        all_matches: erase all the leads a phone or email matches even when they are in
            several clusters (a shared line or mailbox?); by default that is refused.
        leads: for a folder: the leads dedupe read (a DataFrame or a CSV/Parquet path).
        columns: role → column of ``leads``, as given to dedupe.
        region: the phone region dedupe was given (default: the result's or the folder
            run's, else ``"CN"``).
        policy: the survivorship policy to rebuild golden records with (default: the
            result's; for a folder, the run's policy file when it is still there).
        list_ids: put the erased lead ids in the report (ids are not personal data by
            themselves; turn it off to keep the report to counts).
        dry_run: change nothing; the report says what would be erased.

    Returns:
        An :class:`~leadlink.merge.Erasure` report; for a :class:`DedupeResult`, its
        ``result`` is the result without the person (the one given is left unchanged:
        drop it).

    Raises:
        InputError: the target is not a result or an output folder; a phone or email is
            not valid, or matches several clusters without ``all_matches``; a cluster
            keeps members to rebuild and the leads are not at hand.
    """
    lead_ids, phones, emails = (
        as_list(lead_ids, "lead_ids"),
        as_list(phones, "phones"),
        as_list(emails, "emails"),
    )
    if isinstance(target, DedupeResult):
        return _erase_result(
            target,
            lead_ids=lead_ids,
            phones=phones,
            emails=emails,
            whole_cluster=whole_cluster,
            all_matches=all_matches,
            region=region,
            policy=policy,
            list_ids=list_ids,
            dry_run=dry_run,
        )
    if isinstance(target, (str, PathLike)):
        return _erase_folder(
            Path(target),
            lead_ids=lead_ids,
            phones=phones,
            emails=emails,
            whole_cluster=whole_cluster,
            all_matches=all_matches,
            leads=leads,
            columns=columns,
            region=region,
            policy=policy,
            list_ids=list_ids,
            dry_run=dry_run,
        )
    raise InputError(
        say(
            f"erase takes a DedupeResult or the path of a dedupe output folder, not "
            f"{type(target).__name__}",
            f"erase 需要 DedupeResult 或去重输出文件夹的路径，而不是 {type(target).__name__}",
        )
    )


def _erase_result(
    result: DedupeResult,
    *,
    lead_ids: Iterable[Any],
    phones: Iterable[Any],
    emails: Iterable[Any],
    whole_cluster: bool,
    all_matches: bool,
    region: str | None,
    policy: PolicyLike | None,
    list_ids: bool,
    dry_run: bool,
) -> Erasure:
    id_column = _id_column_of(result.clusters)
    region = region or result.masking.region
    if result.leads is not None and result.prepared is not None:
        holders = holders_from_leads(
            result.prepared["unique_id"],
            _role_column(result.leads, result.roles, "phone"),
            _role_column(result.leads, result.roles, "email"),
            region,
        )
    else:
        holders = holders_from_outputs(result.golden, None, region)
    erased, not_found = find_leads(
        result.clusters,
        holders,
        lead_ids=lead_ids,
        phones=phones,
        emails=emails,
        region=region,
        whole_cluster=whole_cluster,
        all_matches=all_matches,
    )
    before: dict[str, pd.DataFrame | None] = {
        "clusters": result.clusters,
        "golden": result.golden,
        "pairs": result.pairs,
    }
    tables, _, renamed = without_leads(before, erased, id_column=id_column)
    report = _report(erased, result.clusters, renamed, not_found, list_ids)
    if renamed and (result.leads is None or result.prepared is None):
        raise _needs_leads(len(renamed))
    report.dry_run = dry_run
    clusters, golden, pairs = tables["clusters"], tables["golden"], tables["pairs"]
    assert clusters is not None and golden is not None and pairs is not None
    leads, prepared, validation = result.leads, result.prepared, result.validation
    if leads is not None and prepared is not None:
        keep = ~prepared["unique_id"].map(id_text).isin(set(erased)).to_numpy()
        leads = leads[keep].reset_index(drop=True)
        prepared = prepared[keep].reset_index(drop=True)
        validation = validation[keep].reset_index(drop=True)
        report.rows_removed["leads"] = int((~keep).sum())
    if renamed:
        assert leads is not None and prepared is not None
        kept = clusters[clusters["cluster_id"].isin(set(renamed.values())).to_numpy()]
        members = prepared["unique_id"].map(id_text).isin(set(kept[id_column])).to_numpy()
        rebuilt_golden, _, _ = rebuild_clusters(
            leads[members],
            kept,
            _pairs_among(pairs, kept[id_column]),
            result.roles,
            id_column=id_column,
            policy=resolve_policy(policy) if policy is not None else result.policy,
            prepared=prepared[members],
            validation=validation[members],
            threshold=result.threshold,
        )
        golden = _sorted_by_cluster(
            pd.concat([golden, result.masking.columns(rebuilt_golden)], ignore_index=True)
        )
    report.rows_removed = {
        **_rows_removed(before, {"clusters": clusters, "golden": golden, "pairs": pairs}),
        **report.rows_removed,
    }
    if dry_run:
        return report
    if not erased:
        report.result = result
        return report
    report.result = replace(
        result,
        clusters=clusters,
        golden=golden,
        pairs=pairs,
        validation=validation,
        leads=leads,
        prepared=prepared,
    )
    _log_erasure(report)
    return report


def _erase_folder(
    folder: Path,
    *,
    lead_ids: Iterable[Any],
    phones: Iterable[Any],
    emails: Iterable[Any],
    whole_cluster: bool,
    all_matches: bool,
    leads: pd.DataFrame | str | PathLike[str] | None,
    columns: Mapping[str, str] | None,
    region: str | None,
    policy: PolicyLike | None,
    list_ids: bool,
    dry_run: bool,
) -> Erasure:
    from leadlink._outputs import MANIFEST, OutputFolder
    from leadlink.io import read_leads

    if not (folder / _ERASABLE_FILES["clusters"]).is_file():
        raise InputError(
            say(
                f"{str(folder)!r} is not a dedupe output folder (it has no clusters.csv); "
                "give the --output-dir of a leadlink dedupe run",
                f"{str(folder)!r} 不是去重输出文件夹（其中没有 clusters.csv）；"
                "请给出 leadlink dedupe 的 --output-dir",
            )
        )
    run = _run_manifest(folder / MANIFEST)
    found_options = run.get("options")
    options: dict[str, Any] = found_options if isinstance(found_options, dict) else {}
    region = region or str(options.get("region") or "CN")
    found_erasures = options.get("erasures")
    erasures: list[Any] = found_erasures if isinstance(found_erasures, list) else []
    # The manifest keeps the run's command and options, and the times of the erasures:
    # never a phone, an email or a lead id.
    record = {**options, "erasures": [*erasures, {"at": _now_text()}]}
    with OutputFolder(
        folder, overwrite=True, command=str(run.get("command") or "dedupe"), options=record
    ) as out:
        tables: dict[str, pd.DataFrame | None] = {}
        for name, file in _ERASABLE_FILES.items():
            path = folder / file
            if not path.is_file():
                tables[name] = None
            elif path.suffix == ".parquet":
                tables[name] = pd.read_parquet(path)
            else:
                tables[name] = read_leads(path)
        clusters = tables["clusters"]
        assert clusters is not None
        id_column = _id_column_of(clusters)
        lead_table = read_leads(Path(leads)) if isinstance(leads, (str, PathLike)) else leads
        # Outputs written masked or hashed (dedupe --mask-outputs, --hash-outputs,
        # --mask-names) cannot be matched on, and rebuilt rows would show values in clear.
        shown_changed = (
            any(options.get(flag) for flag in ("mask_outputs", "hash_outputs", "mask_names"))
            or options.get("outputs", "clear") != "clear"
        )
        if shown_changed and lead_table is None and (phones or emails):
            raise InputError(
                say(
                    "this folder's phones and emails are masked or hashed, so they cannot be "
                    "matched in it: pass leads=... (--leads, the table dedupe read), or name "
                    "the leads by id",
                    "此文件夹中的电话和邮箱经过掩码或哈希处理，无法在其中匹配：请传入 leads=..."
                    "（--leads，去重时读取的表），或按线索 ID 指定",
                )
            )
        roles: dict[str, str] = {}
        if lead_table is not None:
            roles = resolve_columns(lead_table, columns, id_column=id_column)
            holders = holders_from_leads(
                check_ids(lead_table, id_column),
                _role_column(lead_table, roles, "phone"),
                _role_column(lead_table, roles, "email"),
                region,
            )
        else:
            golden_table = tables["golden"]
            holders = (
                holders_from_outputs(golden_table, tables["conflicts"], region)
                if golden_table is not None
                else holders_from_leads([], None, None, region)
            )
        erased, not_found = find_leads(
            clusters,
            holders,
            lead_ids=lead_ids,
            phones=phones,
            emails=emails,
            region=region,
            whole_cluster=whole_cluster,
            all_matches=all_matches,
        )
        new, _, renamed = without_leads(tables, erased, id_column=id_column)
        report = _report(erased, clusters, renamed, not_found, list_ids)
        report.dry_run = dry_run
        if renamed:
            if lead_table is None:
                raise _needs_leads(len(renamed))
            if shown_changed:
                raise InputError(
                    say(
                        "this folder's outputs are masked or hashed; rebuilt golden records "
                        "would show values in clear — erase whole clusters instead",
                        "此文件夹的输出经过掩码或哈希处理；重建的黄金记录会以明文显示值 —— "
                        "请改为删除整个簇",
                    )
                )
            _rebuild_in_folder(
                folder, new, renamed, lead_table, roles, id_column, region, policy, options
            )
        report.rows_removed = {
            _ERASABLE_FILES[name]: count for name, count in _rows_removed(tables, new).items()
        }
        if dry_run or not erased:
            return report
        with out.writing() as staging:
            from leadlink.io import write_table

            for name, table in new.items():
                if table is not None:
                    shown = _json_lists(table) if name in _LISTED else table
                    write_table(shown, staging / _ERASABLE_FILES[name])
            listed = run.get("files") if isinstance(run.get("files"), dict) else {}
            assert isinstance(listed, dict)
            for file in listed:
                source = folder / str(file)
                copy_of = _COPIES.get(str(file))
                if copy_of is not None and new[copy_of] is not None:
                    # another format of an erasable table: written from what is kept
                    table = new[copy_of]
                    assert table is not None
                    shown = _json_lists(table) if copy_of in _LISTED else table
                    write_table(shown, staging / str(file))
                elif (
                    file not in _ERASABLE_FILES.values()
                    and source.is_file()
                    and not source.is_symlink()
                ):
                    shutil.copyfile(source, staging / str(file))
    _log_erasure(report)
    return report


def _rebuild_in_folder(
    folder: Path,
    tables: dict[str, pd.DataFrame | None],
    renamed: dict[str, str],
    lead_table: pd.DataFrame,
    roles: Mapping[str, str],
    id_column: str,
    region: str,
    policy: PolicyLike | None,
    options: Mapping[str, Any],
) -> None:
    """Put the rebuilt golden records, lineage, conflicts and review rows of the clusters
    that keep members into ``tables`` (in place)."""
    clusters = tables["clusters"]
    assert clusters is not None
    members = clusters[clusters["cluster_id"].isin(set(renamed.values()))]
    ids = check_ids(lead_table, id_column)
    at = pd.Index(ids).get_indexer(members[id_column].map(id_text))
    if (at < 0).any():
        raise InputError(
            say(
                f"{int((at < 0).sum())} remaining member(s) of the clusters to rebuild are not "
                "in the leads given; pass the leads dedupe read",
                f"待重建簇中有 {int((at < 0).sum())} 条剩余线索不在所给的线索中；"
                "请传入去重时读取的线索",
            )
        )
    member_leads = lead_table.iloc[at].reset_index(drop=True)
    pairs = tables["pairs"]
    model_file = folder / "model.json"
    threshold = options.get("threshold")
    if threshold is None and model_file.is_file():
        threshold = LeadModel.load(model_file).threshold
    run_policy = options.get("policy")
    if policy is None and isinstance(run_policy, str) and Path(run_policy).is_file():
        policy = run_policy
    golden, alternatives, review = rebuild_clusters(
        member_leads,
        members.reset_index(drop=True),
        _pairs_among(pairs, members[id_column]) if pairs is not None else _no_pairs(),
        roles,
        id_column=id_column,
        region=region,
        policy=resolve_policy(policy),
        threshold=None if threshold is None else float(threshold),
    )
    for name, rebuilt in (
        ("golden", golden),
        ("lineage", lineage(golden)),
        ("conflicts", alternatives),
        ("review_all", review),  # the review queue keeps its ranking: their items just go
    ):
        table = tables[name]
        if table is None:
            continue
        rebuilt = _json_lists(rebuilt)
        merged = pd.concat([table, rebuilt.reindex(columns=table.columns)], ignore_index=True)
        if name == "review_all":
            size = pd.to_numeric(merged["n_leads"], errors="coerce")
            order = np.lexsort((merged["cluster_id"].astype(str).to_numpy(), -size.to_numpy()))
            tables[name] = merged.iloc[order].reset_index(drop=True)
        elif name == "lineage":
            tables[name] = merged.sort_values(
                ["cluster_id", "role"], kind="stable", ignore_index=True
            )
        else:
            tables[name] = _sorted_by_cluster(merged)


def _report(
    erased: list[str],
    clusters: pd.DataFrame,
    renamed: Mapping[str, str],
    not_found: Mapping[str, int],
    list_ids: bool,
) -> Erasure:
    ids, cluster = _ids_and_clusters(clusters)
    gone = set(erased)
    touched = {c for i, c in zip(ids, cluster) if i in gone}
    return Erasure(
        n_leads=len(erased),
        lead_ids=list(erased) if list_ids else None,
        clusters_removed=len(touched) - len(renamed),
        clusters_rebuilt=len(renamed),
        not_found=dict(not_found),
    )


def _ids_and_clusters(clusters: pd.DataFrame) -> tuple[list[str], list[str]]:
    ids = clusters[_id_column_of(clusters)].map(id_text).tolist()
    return ids, clusters["cluster_id"].astype(str).tolist()


def _rows_removed(
    before: Mapping[str, pd.DataFrame | None], after: Mapping[str, pd.DataFrame | None]
) -> dict[str, int]:
    """Rows each table lost (a rebuilt golden record replaces the old one: not counted)."""
    removed = {}
    for name, table in before.items():
        if table is not None:
            kept = after[name]
            removed[name] = len(table) - (0 if kept is None else len(kept))
    return removed


def _log_erasure(report: Erasure) -> None:
    logger.info(
        "erase: %d lead(s), %d cluster(s) removed, %d rebuilt",
        report.n_leads,
        report.clusters_removed,
        report.clusters_rebuilt,
    )


def _needs_leads(n_clusters: int) -> InputError:
    return InputError(
        say(
            f"{n_clusters} cluster(s) keep other members, whose golden records must be rebuilt "
            "without the erased leads' values, which needs the leads: pass leads=... "
            "(--leads, the table dedupe read), or erase whole clusters",
            f"有 {n_clusters} 个簇还有其他成员，其黄金记录须去掉被删除线索的值后重建，"
            "这需要线索数据：请传入 leads=...（--leads，去重时读取的表），或删除整个簇",
        )
    )


def _id_column_of(clusters: pd.DataFrame) -> str:
    others = [c for c in clusters.columns if c != "cluster_id"]
    if "cluster_id" not in clusters.columns or len(others) != 1:
        raise InputError(
            say(
                "clusters must hold a lead id column and cluster_id, like DedupeResult.clusters",
                "clusters 须含一个线索 ID 列和 cluster_id 列，如 DedupeResult.clusters",
            )
        )
    return str(others[0])


def _role_column(leads: pd.DataFrame, roles: Mapping[str, str], role: str) -> pd.Series | None:
    column = roles.get(role)
    return None if column is None or column not in leads.columns else leads[column]


def _pairs_among(pairs: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    among = set(ids.map(id_text))
    inside = pairs["id_l"].map(id_text).isin(among) & pairs["id_r"].map(id_text).isin(among)
    return pairs[inside.to_numpy()].reset_index(drop=True)


def _no_pairs() -> pd.DataFrame:
    return pd.DataFrame({"id_l": [], "id_r": [], "match_probability": []})


def _sorted_by_cluster(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("cluster_id", kind="stable", ignore_index=True)


def _json_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with list cells as JSON text, as the CLI writes them to CSV."""
    out = frame.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, list)).any():
            out[column] = out[column].map(
                lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
            )
    return out


def _run_manifest(path: Path) -> dict[str, Any]:
    """The folder run's manifest (``leadlink-run.json``), or ``{}``."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 1 << 20:
            return {}
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _now_text() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
