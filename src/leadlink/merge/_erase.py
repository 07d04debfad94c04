"""Erasure (PIPL, GDPR): find a person's leads and take them out of the merge outputs.

A person is named by lead ids, phone numbers or email addresses. Phones and emails are
matched the way ``dedupe`` matches them: normalised with :func:`leadlink.normalize.phone`
(main number and extension: ``138 0013 8000`` finds ``+86 138-0013-8000``, and ``010-8888
6666 转 8001`` finds only that extension, not the whole switchboard; a local number without
its area code, kept as ``local:`` and its digits, finds the same digits written with any
separators: ``882-4567`` finds ``(882) 4567``) and :func:`leadlink.normalize.email`. The
leads found are those whose own values match, read from the leads when they are at hand,
else from what the outputs attribute to each lead (lineage and conflicts).

By default the whole cluster of a matched lead is the person — dedupe decided those leads
are one person, so they all go, and so does the cluster's golden record. With
``whole_cluster=False`` only the matched leads go; a cluster that keeps other members has
its golden record, conflicts and review rebuilt from them (:func:`rebuild_clusters`), so
no value of an erased lead survives in it, and is renamed after its smallest remaining
member (a cluster id is a hash of its smallest member's id, so the old one would tie the
erased lead to the remaining person).

Nothing here reads or writes files (``leadlink.erase`` does), and nothing logs or raises
with a phone, an email or a name: only counts and positions ("phone #2").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import as_list, id_text
from leadlink.clean import normalize, phone_match_key, prepare
from leadlink.errors import InputError
from leadlink.merge._cluster import cluster_id_for
from leadlink.merge._corrections import cluster_members
from leadlink.merge._golden import conflicts, golden_records
from leadlink.merge._review import review_clusters
from leadlink.merge._survivorship import SurvivorshipPolicy

__all__ = [
    "Erasure",
    "find_leads",
    "holders_from_leads",
    "holders_from_outputs",
    "rebuild_clusters",
    "without_leads",
]

#: The columns of a holders table: which lead holds which phone key and email key.
HOLDER_COLUMNS = ("lead", "phone", "email")


@dataclass
class Erasure:
    """What an erasure removed (or, with ``dry_run``, would remove).

    Attributes:
        n_leads: leads erased.
        lead_ids: their ids, sorted (None when the caller asked for counts only).
        clusters_removed: clusters erased whole, golden record and all.
        clusters_rebuilt: clusters that kept other members and were rebuilt from them.
        rows_removed: rows taken out, per table or file (``clusters.csv``: 3 ...).
        not_found: of the lead ids, phones and emails given, how many matched no lead.
        dry_run: nothing was changed; the counts say what would be.
        result: the :class:`~leadlink.DedupeResult` without the person, when ``erase``
            was given one (None for a folder or a dry run).
    """

    n_leads: int
    lead_ids: list[str] | None
    clusters_removed: int
    clusters_rebuilt: int
    rows_removed: dict[str, int] = field(default_factory=dict)
    not_found: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    result: Any = field(default=None, repr=False)


def phone_key(value: Any, region: str) -> str | None:
    """A phone as dedupe matches it: the E.164 main number, or for a number that is not
    valid in ``region`` but has 6 to 15 digits (a local number without its area code)
    ``local:`` and its digits, with ``;ext=`` and the extension when there is one."""
    return phone_match_key(value, region)


def holders_from_leads(
    ids: Iterable[Any], phones: Iterable[Any] | None, emails: Iterable[Any] | None, region: str
) -> pd.DataFrame:
    """Which lead holds which phone and email, read from the leads' own cells (``None``
    for a role the leads do not have)."""
    lead = [id_text(i) for i in ids]
    n = len(lead)
    phone = [None] * n if phones is None else _keys(phones, lambda v: phone_key(v, region))
    email = [None] * n if emails is None else _keys(emails, normalize.email)
    return pd.DataFrame({"lead": lead, "phone": phone, "email": email}, columns=HOLDER_COLUMNS)


def holders_from_outputs(
    golden: pd.DataFrame, conflicts_table: pd.DataFrame | None, region: str
) -> pd.DataFrame:
    """Which lead holds which phone and email, as the outputs attribute them: each golden
    value to the lead it came from (``<role>_from``), each alternative in ``conflicts`` to
    the leads holding it. A member whose value equals the golden one is not named there:
    erase whole clusters, or give the leads, to reach it."""
    parts = []
    for role, read in (("phone", lambda v: phone_key(v, region)), ("email", normalize.email)):
        if role in golden.columns and f"{role}_from" in golden.columns:
            parts.append(_holders(golden[f"{role}_from"], golden[role], role, read))
        if conflicts_table is not None and len(conflicts_table):
            rows = conflicts_table[conflicts_table["role"] == role]
            leads = rows["lead_ids"].map(_id_list)
            exploded = pd.DataFrame({"lead": leads, "value": rows["value"]}).explode("lead")
            parts.append(_holders(exploded["lead"], exploded["value"], role, read))
    if not parts:
        return pd.DataFrame(columns=list(HOLDER_COLUMNS))
    return pd.concat(parts, ignore_index=True)


def find_leads(
    clusters: pd.DataFrame,
    holders: pd.DataFrame,
    *,
    lead_ids: Iterable[Any] = (),
    phones: Iterable[Any] = (),
    emails: Iterable[Any] = (),
    region: str = "CN",
    whole_cluster: bool = True,
    all_matches: bool = False,
) -> tuple[list[str], dict[str, int]]:
    """The ids of the leads to erase, sorted, and how many of the given identifiers
    matched no lead (``{"lead_ids": 0, "phones": 1, "emails": 0}``).

    Raises:
        InputError: a phone or email given is not one (``phone #2 is not a valid phone
            number``), or one matches leads of several clusters — a shared line or a
            team mailbox? — and ``all_matches`` is off.
    """
    ids, cluster = _cluster_column(clusters)
    known = set(ids)
    wanted_ids = [id_text(v) for v in as_list(lead_ids, "lead_ids")]
    found = {i for i in wanted_ids if i in known}
    not_found = {"lead_ids": sum(i not in known for i in wanted_ids), "phones": 0, "emails": 0}
    cluster_of = dict(zip(ids, cluster))
    for role, values, read, plural in (
        ("phone", phones, lambda v: phone_key(v, region), "phones"),
        ("email", emails, normalize.email, "emails"),
    ):
        for number, value in enumerate(as_list(values, plural), start=1):
            key = read(value)
            if key is None:
                raise InputError(
                    say(
                        f"{role} #{number} is not a valid {role}"
                        + (f" (phone region {region})" if role == "phone" else "")
                        + "; check it, or name the leads by id",
                        f"第 {number} 个{'电话' if role == 'phone' else '邮箱'}无效"
                        + (f"（电话地区 {region}）" if role == "phone" else "")
                        + "；请检查，或按线索 ID 指定",
                    )
                )
            holding = {lead for lead in holders.loc[holders[role] == key, "lead"] if lead in known}
            if not holding:
                not_found[plural] += 1
                continue
            people = {cluster_of[lead] for lead in holding}
            if len(people) > 1 and not all_matches:
                raise InputError(
                    say(
                        f"{role} #{number} matches {len(holding)} leads in {len(people)} "
                        "clusters: a shared line or mailbox, or one person dedupe did not "
                        "merge? Look with dry_run=True (--dry-run) and name the leads by id, "
                        "or pass all_matches=True (--all-matches) to erase them all",
                        f"第 {number} 个{'电话' if role == 'phone' else '邮箱'}匹配到 "
                        f"{len(people)} 个簇中的 {len(holding)} 条线索：是共用号码或邮箱，还是"
                        "去重未合并的同一个人？请用 dry_run=True（--dry-run）查看并按线索 ID "
                        "指定，或传入 all_matches=True（--all-matches）全部删除",
                    )
                )
            found |= holding
    if whole_cluster and found:
        people = {cluster_of[lead] for lead in found}
        found = {lead for lead, c in zip(ids, cluster) if c in people}
    return sorted(found), not_found


#: The tables whose rows belong to a cluster, removed with it.
_BY_CLUSTER = ("golden", "lineage", "conflicts", "review", "review_all")


def without_leads(
    tables: Mapping[str, pd.DataFrame | None],
    erased: Iterable[str],
    *,
    id_column: str,
) -> tuple[dict[str, pd.DataFrame | None], dict[str, int], dict[str, str]]:
    """The tables without the erased leads: the tables, the rows removed from each, and
    the clusters that keep other members, old id → new id (to rebuild).

    ``tables`` holds ``clusters`` (required) and any of ``golden``, ``lineage``,
    ``conflicts``, ``review`` and ``review_all`` (rows of clusters erased whole are removed; rows of
    rebuilt clusters are removed too, for :func:`rebuild_clusters` to replace), ``pairs``
    (rows naming an erased lead) and tables with one row per lead in ``id_column``
    (validation, scores). Golden, conflicts and review rows may hold ``lead_ids`` as lists
    or as JSON text.
    """
    gone = {id_text(lead) for lead in erased}
    clusters = tables["clusters"]
    if clusters is None:
        raise InputError(say("erasure needs the clusters table", "删除需要 clusters 表"))
    ids, cluster = _cluster_column(clusters, id_column)
    erased_mask = np.array([i in gone for i in ids], dtype=bool)
    touched = set(cluster[erased_mask])
    remaining = cluster[~erased_mask]
    kept_members = pd.Series(ids[~erased_mask]).groupby(remaining).min()
    renamed = {
        str(old): cluster_id_for(str(kept_members[old]))
        for old in touched
        if old in kept_members.index
    }
    dropped_clusters = touched  # rows of these clusters go; the rebuilt ones come back
    out: dict[str, pd.DataFrame | None] = {}
    removed: dict[str, int] = {}
    for name, table in tables.items():
        if table is None:
            out[name] = None
            continue
        if name == "clusters":
            kept = table[~erased_mask].copy()
            kept["cluster_id"] = [renamed.get(str(c), c) for c in kept["cluster_id"]]
        elif name == "pairs":
            hit = table["id_l"].map(id_text).isin(gone) | table["id_r"].map(id_text).isin(gone)
            kept = table[~hit.to_numpy()]
        elif "cluster_id" in table.columns and name in _BY_CLUSTER:
            of_gone = table["cluster_id"].astype(str).isin(dropped_clusters).to_numpy()
            if "other_cluster_id" in table.columns:  # a near miss in the review queue
                of_gone |= table["other_cluster_id"].astype(str).isin(dropped_clusters).to_numpy()
            kept = table[~of_gone]
        elif id_column in table.columns:
            kept = table[~table[id_column].map(id_text).isin(gone).to_numpy()]
        else:
            kept = table
        out[name] = kept.reset_index(drop=True)
        removed[name] = len(table) - len(kept)
    return out, removed, renamed


def rebuild_clusters(
    leads: pd.DataFrame,
    clusters: pd.DataFrame,
    pairs: pd.DataFrame,
    roles: Mapping[str, str],
    *,
    id_column: str,
    region: str = "CN",
    policy: SurvivorshipPolicy | None = None,
    prepared: pd.DataFrame | None = None,
    validation: pd.DataFrame | None = None,
    threshold: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Golden records, conflicts and review rows of clusters rebuilt from the members they
    keep: ``leads`` are those members (raw rows, aligned with ``prepared`` and
    ``validation`` when given), ``clusters`` their lead id and (new) ``cluster_id``,
    ``pairs`` the scored pairs among them."""
    leads = leads.reset_index(drop=True)
    if prepared is None:
        prepared = prepare(leads, roles, id_column=id_column, region=region)
    prepared = prepared.reset_index(drop=True)
    golden = golden_records(leads, prepared, clusters, roles, policy=policy, validation=validation)
    alternatives = conflicts(leads, prepared, clusters, roles, golden=golden)
    review = review_clusters(clusters, pairs, prepared, threshold=threshold)
    return golden, alternatives, review


# ------------------------------------------------------------------------------ helpers


def _keys(values: Iterable[Any], read: Any) -> list[str | None]:
    series = pd.Series(list(values), dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = [read(u) for u in uniques] + [None]
    return [mapped[c] for c in codes]


def _holders(leads: pd.Series, values: pd.Series, role: str, read: Any) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"lead": leads.to_numpy(dtype=object), "value": values.to_numpy(dtype=object)}
    ).dropna()
    out = pd.DataFrame(
        {
            "lead": [id_text(v) for v in frame["lead"]],
            "phone": None,
            "email": None,
        },
        columns=HOLDER_COLUMNS,
    )
    out[role] = _keys(frame["value"], read)
    return out


def _id_list(cell: Any) -> list[str]:
    """``lead_ids`` as a list of id texts, from a list or the JSON text a CSV holds."""
    if isinstance(cell, str):
        try:
            cell = json.loads(cell)
        except ValueError:
            return [id_text(cell)]
    if isinstance(cell, (list, tuple, np.ndarray)):
        return [id_text(v) for v in cell]
    return []


def _cluster_column(
    clusters: pd.DataFrame, id_column: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The lead ids (as text, checked) and the cluster of each, from a clusters table."""
    ids, cluster, _ = cluster_members(clusters, id_column)
    return ids, cluster.astype(str).to_numpy(dtype=object)
