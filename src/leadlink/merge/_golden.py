"""Golden records: one row per cluster, built from its member leads by survivorship.

Which member's value survives is decided by a :class:`SurvivorshipPolicy` (rules per role,
see :mod:`leadlink.merge._survivorship`). The golden record shows the chosen lead's value as
it was entered and records which lead it came from (``<role>_from``), so every golden value
can be traced to a member lead. :func:`lineage` lays that out as a long table and
:func:`conflicts` lists every alternative value where members disagree. The roles a golden
record carries, and the prepared column that is each role's value, come from
:mod:`leadlink.schema` (``SURVIVED_ROLES``, ``Role.key``, ``Role.extension``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from leadlink._i18n import say
from leadlink._values import factorize, parse_times, positional
from leadlink.clean import normalize, validate
from leadlink.errors import ConfigError, InputError
from leadlink.merge._members import aligned_clusters, cluster_codes, group_starts
from leadlink.merge._survivorship import RULES, Candidates, Rule, SurvivorshipPolicy
from leadlink.schema import ROLE, SURVIVED_ROLES, map_distinct

__all__ = ["conflicts", "golden_records", "lineage", "lineage_layout", "refresh_golden"]

logger = logging.getLogger(__name__)

# Roles whose key is read from the values as entered rather than from the prepared table:
# there the address key is a keyed hash when the leads were prepared with a ``hash_key``,
# and the "most_complete" rule needs its length in clear (the same key). Values of a role
# without a prepared key (a lead source) are compared as folded text.
_KEYS_FROM_ENTERED: dict[str, Callable[[Any], str | None]] = {"address": normalize.address_key}

#: Roles whose golden value is shown normalised too (``<role>_normalized``), for the
#: spreadsheets and CRMs that want one spelling: a phone as E.164, an email as its mailbox.
_NORMALIZED_ROLES = ("phone", "email")


def golden_records(
    leads: pd.DataFrame,
    prepared: pd.DataFrame,
    clusters: pd.DataFrame,
    roles: Mapping[str, str],
    *,
    policy: SurvivorshipPolicy | None = None,
    validation: pd.DataFrame | None = None,
    explain: bool = False,
) -> pd.DataFrame:
    """One row per cluster, sorted by ``cluster_id``.

    Columns: ``cluster_id``, ``n_leads``, ``lead_ids`` (sorted), then per role present the
    survived value as entered and ``<role>_from`` (the lead it came from; both None when no
    member has a usable value), then ``first_seen``/``last_seen`` (with ``created_at``)
    and ``sources`` (with ``source``: the distinct sources, sorted). Phones and emails
    also have ``phone_normalized`` (E.164, ``+8613800138000;ext=8001`` with an extension)
    and ``email_normalized`` (the canonical mailbox) beside the value as entered: the
    prepared key of the same lead's value (a keyed hash when the leads were prepared with
    a ``hash_key``).

    Args:
        leads: the raw leads, aligned row by row with ``prepared``.
        prepared: :func:`leadlink.prepare` output for ``leads``.
        clusters: a lead id column (``id`` or the id column) and ``cluster_id``, one row per
            lead, in any order (``DedupeResult.clusters`` or :func:`unmerge` output).
        roles: role → column of ``leads``.
        policy: the survivorship rules (default: :class:`SurvivorshipPolicy`()).
        validation: :func:`leadlink.validate` output aligned with ``leads``, for the
            ``first_valid`` rule; computed when needed and not given.
        explain: also add ``<role>_rule``: the rule that decided between the winner and the
            best alternative value (``only_value`` when the members agree after
            normalisation, ``most_recent`` or ``lead_id`` when the policy's rules tied).
    """
    context = _Context(leads, prepared, clusters, roles, validation)
    policy = policy or SurvivorshipPolicy()
    base = context.base()
    for role in SURVIVED_ROLES:
        if role not in roles:
            continue
        chosen = context.survive(role, policy)
        base[role] = chosen["value"]
        if role in _NORMALIZED_ROLES:
            base[f"{role}_normalized"] = context.key_at(role, chosen["row"].to_numpy())
        base[f"{role}_from"] = chosen["from"]
        if explain:
            base[f"{role}_rule"] = chosen["rule"]
    context.add_history(base)
    return base


def lineage(golden: pd.DataFrame) -> pd.DataFrame:
    """The golden values as a long table: ``cluster_id``, ``role``, ``value``, ``lead_id``
    (the member lead the value came from) and, when ``golden`` was built with
    ``explain=True``, ``rule``. Roles without a value in a cluster are left out."""
    roles, rows, role_at = lineage_layout(golden)
    if not roles:
        return pd.DataFrame(columns=["cluster_id", "role", "value", "lead_id"])

    def column(name: str, default: object = None) -> np.ndarray:
        """The column ``name`` of every role (``{}`` for the role), laid out in rows."""
        stacked = np.empty((len(roles), len(golden)), dtype=object)
        for i, role in enumerate(roles):
            values = golden.get(name.format(role))
            stacked[i] = default if values is None else values.to_numpy(dtype=object)
        return stacked[role_at, rows]

    out = pd.DataFrame(
        {
            "cluster_id": golden["cluster_id"].to_numpy(dtype=object)[rows],
            "role": np.asarray(roles, dtype=object)[role_at],
            "value": column("{}"),
            "lead_id": column("{}_from"),
        }
    )
    if any(f"{role}_rule" in golden.columns for role in roles):
        # a role without its rule has none (NaN), as a concatenation gives
        out["rule"] = column("{}_rule", np.nan)
    return out


def lineage_layout(golden: pd.DataFrame) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Where each row of :func:`lineage` comes from: the roles with a ``<role>_from``
    column, and per row the golden record (its position in ``golden``) and the role (its
    position among the roles). Rows are in order of cluster id, then role, sorted as
    numbers (each cluster's rank among the ids, each role's among the roles), not as
    millions of texts; a role is left out of a record without its ``<role>_from``. The
    writer of lineage.csv lays its columns out from this without making the table."""
    if "cluster_id" not in golden.columns:
        raise InputError(
            say(
                "lineage needs golden records (a cluster_id column and <role>_from)",
                "lineage 需要黄金记录（含 cluster_id 列和 <role>_from 列）",
            )
        )
    roles = [role for role in SURVIVED_ROLES if f"{role}_from" in golden.columns]
    if not roles:
        return roles, np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    cluster_rank = _sorted_rank(golden["cluster_id"].to_numpy(dtype=object))
    role_rank = {role: rank for rank, role in enumerate(sorted(roles))}
    kept = [np.flatnonzero(golden[f"{role}_from"].notna().to_numpy()) for role in roles]
    ranks = [cluster_rank[k] * len(roles) + role_rank[role] for role, k in zip(roles, kept)]
    order = np.argsort(np.concatenate(ranks), kind="stable")
    rows = np.concatenate(kept)[order]
    role_at = np.repeat(np.arange(len(roles)), [len(k) for k in kept])[order]
    return roles, rows, role_at


def _sorted_rank(cluster_ids: np.ndarray) -> np.ndarray:
    """``cluster_codes(cluster_ids)[0]``: each id's rank among the distinct ids; read off
    the positions when the ids are texts in strictly increasing order, as golden records
    have them (half a second at a million leads to sort again)."""
    if infer_dtype(cluster_ids, skipna=False) == "string" and (
        len(cluster_ids) < 2 or bool((cluster_ids[1:] > cluster_ids[:-1]).all())
    ):
        return np.arange(len(cluster_ids), dtype=np.intp)
    return cluster_codes(cluster_ids)[0]


def conflicts(
    leads: pd.DataFrame,
    prepared: pd.DataFrame,
    clusters: pd.DataFrame,
    roles: Mapping[str, str],
    *,
    golden: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every alternative value where a cluster's members disagree after normalisation.

    One row per cluster, role and distinct value as entered: ``cluster_id``, ``role``,
    ``key`` (the normalised value; None when it is not usable, e.g. an invalid phone),
    ``value`` (as entered), ``lead_ids`` (the members holding it) and ``n_leads``. Members
    disagree on a role when their non-blank values have two or more distinct keys (an
    unusable value counts as its own key). With ``golden``, ``survived`` says whether the
    row holds the golden record's value. Nothing from the input is left out: blank values
    are not alternatives, every other value of a disputed role is listed.
    """
    context = _Disagreements(leads, prepared, clusters, roles, None, times=False)
    parts = []
    for role in SURVIVED_ROLES:
        if role in roles:
            parts.append(context.alternatives(role))
    columns = ["cluster_id", "role", "key", "value", "lead_ids", "n_leads"]
    codes = None
    if not parts:
        out = pd.DataFrame(columns=columns)
    else:
        out = pd.concat(parts, ignore_index=True)
        # Sorted by cluster id, role, leads (most first) and first lead: as numbers (the
        # clusters' codes are in id order), not as a million texts.
        role_rank = {role: rank for rank, role in enumerate(sorted(set(out["role"])))}
        order = np.lexsort(
            (
                out["_first"].to_numpy(),
                -out["n_leads"].to_numpy(),
                out["role"].map(role_rank).to_numpy(),
                out["_c"].to_numpy(),
            )
        )
        codes = out["_c"].to_numpy(dtype=np.int64)[order]
        # each column taken once (a frame's take, then its reset_index, copied it twice)
        out = pd.DataFrame({column: out[column].to_numpy()[order] for column in columns})
    if golden is not None:
        out["survived"] = _survived(out, golden, codes, context.cluster_names)
    return out


def _survived(
    out: pd.DataFrame,
    golden: pd.DataFrame,
    codes: np.ndarray | None = None,
    names: np.ndarray | None = None,
) -> np.ndarray:
    """Whether each row of ``conflicts`` holds the lead the golden value of its cluster
    and role came from. ``codes``: each row's cluster among ``names`` (the cluster ids,
    sorted); when the golden records are those clusters in that order (as
    :func:`golden_records` makes them), a row's record is found without looking its
    cluster id up."""
    survived = np.zeros(len(out), dtype=bool)
    if not len(out):
        return survived
    records = golden["cluster_id"].to_numpy(dtype=object)
    if (
        codes is not None
        and names is not None
        and len(records) == len(names)
        and (np.array_equal(records, names))
    ):
        at_golden = codes
    else:
        index = pd.Index(golden["cluster_id"])
        if not index.is_unique:  # the last record of a cluster id counts, as in a dict
            golden = golden[~index.duplicated(keep="last")]
            index = pd.Index(golden["cluster_id"])
        at_golden = index.get_indexer(out["cluster_id"])
    roles_of_rows = out["role"].to_numpy(dtype=object)
    lead_lists = out["lead_ids"].to_numpy(dtype=object)
    for role in SURVIVED_ROLES:
        at = np.flatnonzero(roles_of_rows == role)
        if f"{role}_from" not in golden.columns or not len(at):
            continue
        # -1 (a cluster without a golden record) takes the None appended last
        sources = np.empty(len(golden) + 1, dtype=object)
        sources[:-1] = golden[f"{role}_from"].to_numpy(dtype=object)
        chosen = sources[at_golden[at]]
        survived[at] = [
            isinstance(lead, str) and lead in ids
            for lead, ids in zip(chosen.tolist(), lead_lists[at].tolist())
        ]
    return survived


# ------------------------------------------------------------------------------ internals


class _Context:
    """The per-lead arrays every role needs, computed once: cluster codes, lead id ranks,
    timestamps, validation problems. It is what survivorship rules read
    (:class:`leadlink.merge._survivorship.Members`)."""

    def __init__(
        self,
        leads: pd.DataFrame,
        prepared: pd.DataFrame,
        clusters: pd.DataFrame,
        roles: Mapping[str, str],
        validation: pd.DataFrame | None,
        *,
        times: bool = True,
    ) -> None:
        if len(leads) != len(prepared):
            raise InputError(
                say(
                    f"leads ({len(leads)} rows) and prepared ({len(prepared)} rows) must be "
                    "aligned row by row; prepare the same leads",
                    f"leads（{len(leads)} 行）和 prepared（{len(prepared)} 行）须逐行对应；"
                    "请对同一批线索执行 prepare",
                )
            )
        self.leads = positional(leads)
        self.prepared = positional(prepared)
        self.roles = dict(roles)
        self.validation = validation
        self.lead_ids = self.prepared["unique_id"].to_numpy(dtype=object)
        self.cluster_ids = aligned_clusters(self.lead_ids, clusters)
        self.cluster_codes, self.cluster_names = cluster_codes(self.cluster_ids)
        # Rank of each lead id in text order: the last tie-break, and the callable order.
        self.id_rank = np.empty(len(self.lead_ids), dtype=np.int64)
        self.id_rank[np.argsort(self.lead_ids.astype(str), kind="stable")] = np.arange(
            len(self.lead_ids)
        )
        # the leads' times, for survivorship (``times=False``: not read, not parsed)
        self.times = _timestamps(self.leads, self.roles) if times else None
        self._problems: np.ndarray | None = None
        self._keys: dict[str, np.ndarray] = {}  # each role's keys, once survivorship read them

    def base(self) -> pd.DataFrame:
        n_clusters = len(self.cluster_names)
        order = np.lexsort((self.id_rank, self.cluster_codes))
        sizes = np.bincount(self.cluster_codes, minlength=n_clusters)
        return pd.DataFrame(
            {
                "cluster_id": np.asarray(self.cluster_names, dtype=object),
                "n_leads": sizes.astype(np.int64),
                "lead_ids": _lists(self.lead_ids[order].astype(str), sizes),
            }
        )

    def add_history(self, base: pd.DataFrame) -> None:
        if self.times is not None:
            stamps = pd.Series(self.times)
            grouped = stamps.groupby(self.cluster_codes)
            base["first_seen"] = grouped.min().reindex(base.index).to_numpy()
            base["last_seen"] = grouped.max().reindex(base.index).to_numpy()
        source = self.source_text()
        if source is not None:
            frame = pd.DataFrame({"c": self.cluster_codes, "s": source}).dropna()
            frame = frame.drop_duplicates().sort_values(["c", "s"], kind="stable")
            counts = np.bincount(frame["c"].to_numpy(), minlength=len(base))
            base["sources"] = _lists(frame["s"].to_numpy(dtype=object), counts)

    # ----------------------------------------------------------------- survivorship

    def entered(self, role: str) -> pd.Series:
        """The column of ``role`` as entered."""
        return self.leads[self.roles[role]]

    def source_text(self) -> np.ndarray | None:
        """The lead source as entered, stripped, None when blank; None without a source."""
        if "source" not in self.roles:
            return None
        return _plain(self.leads[self.roles["source"]])

    def problems(self) -> np.ndarray:
        """The validation problem codes of every lead, from ``validation`` or computed on
        first use (only the ``first_valid`` rule needs them)."""
        if self._problems is None:
            validation = self.validation
            if validation is None:
                validation = validate(self.leads, columns=self.roles, required=())
            elif len(validation) != len(self.leads):
                raise InputError(
                    say(
                        f"validation has {len(validation)} rows for {len(self.leads)} leads; "
                        "pass leadlink.validate(leads) for the same leads",
                        f"validation 有 {len(validation)} 行，而线索有 {len(self.leads)} 条；"
                        "请传入同一批线索的 leadlink.validate(leads) 结果",
                    )
                )
            self._problems = validation["problems"].to_numpy(dtype=object)
        return self._problems

    def key(self, role: str, rows: np.ndarray | None = None) -> np.ndarray:
        """The normalised value of ``role`` per lead (of the leads at ``rows``, default
        all); None where it is not usable."""
        prepared = self.prepared
        spec = ROLE[role]
        if role in _KEYS_FROM_ENTERED:
            entered = self.entered(role)
            return map_distinct(
                entered if rows is None else entered.iloc[rows], _KEYS_FROM_ENTERED[role]
            )
        if spec.key is not None and spec.key in prepared:
            # the prepared key: a name in any script, a title in any wording is one value
            values = prepared[spec.key].to_numpy(dtype=object)
            values = values if rows is None else values[rows]
            if spec.extension is None or spec.extension not in prepared:
                return values
            extension = prepared[spec.extension].to_numpy(dtype=object)
            extension = extension if rows is None else extension[rows]
            with_ext = pd.notna(values) & pd.notna(extension)
            out = values.copy()
            out[with_ext] = [f"{v};ext={e}" for v, e in zip(values[with_ext], extension[with_ext])]
            return out
        raw = self.leads[self.roles[role]]
        return map_distinct(raw if rows is None else raw.iloc[rows], _text_key)

    def key_at(self, role: str, rows: np.ndarray) -> np.ndarray:
        """The normalised value of ``role`` of the leads at ``rows`` (None at -1): the
        golden value's key, read after survivorship chose its lead."""
        keys = self._keys.get(role)
        if keys is None:
            keys = self._keys[role] = self.key(role)
        found = np.full(len(rows), None, dtype=object)
        chosen = rows >= 0
        found[chosen] = keys[rows[chosen]]
        return found

    def survive(self, role: str, policy: SurvivorshipPolicy) -> pd.DataFrame:
        """Per cluster (in ``cluster_names`` order): ``value``, ``from``, ``rule`` and
        ``row`` (the position of the lead it came from, -1 for none)."""
        n_clusters = len(self.cluster_names)
        value = np.full(n_clusters, None, dtype=object)
        source = np.full(n_clusters, None, dtype=object)
        rule_used = np.full(n_clusters, None, dtype=object)
        chosen = np.full(n_clusters, -1, dtype=np.int64)
        key = self._keys[role] = self.key(role)
        rows = np.flatnonzero(pd.notna(key))
        raw = self.entered(role).to_numpy(dtype=object)
        # A cluster with one value to choose from takes it: no rule is scored for it (most
        # clusters of a large table are one lead).
        alone = (
            np.bincount(self.cluster_codes[rows], minlength=n_clusters)[self.cluster_codes[rows]]
            == 1
        )
        single = rows[alone]
        value[self.cluster_codes[single]] = raw[single]
        chosen[self.cluster_codes[single]] = single
        source[self.cluster_codes[single]] = self.lead_ids[single].astype(str)
        rule_used[self.cluster_codes[single]] = "only_value"
        rows = rows[~alone]
        if len(rows):
            cluster = self.cluster_codes[rows]
            candidates = Candidates(
                role=role,
                rows=rows,
                cluster=cluster,
                key=key[rows],
                entered=raw[rows],
                members=self,
                policy=policy,
            )
            names: list[str] = []
            scores: list[np.ndarray] = []
            for rule in policy.rules_for(role):
                names.append(rule if isinstance(rule, str) else getattr(rule, "__name__", "custom"))
                scores.append(self._score(rule, candidates))
            # Ties left by the policy go to the most recent lead, then the smallest lead id.
            names += ["most_recent", "lead_id"]
            scores.append(RULES["most_recent"].score(candidates))
            scores.append(-self.id_rank[rows].astype(np.float64))
            # lexsort: last key is primary; higher scores first.
            order = np.lexsort((*(-s for s in reversed(scores)), cluster))
            sorted_cluster = cluster[order]
            first = group_starts(sorted_cluster)
            winners = order[first]
            won = sorted_cluster[first]
            value[won] = raw[rows[winners]]
            chosen[won] = rows[winners]
            source[won] = self.lead_ids[rows[winners]].astype(str)
            rule_used[won] = "only_value"
            # The rule that decided: the first score on which the runner-up differs, the
            # runner-up being the best candidate with another value after normalisation.
            key_codes = pd.factorize(key[rows])[0][order]
            group_start = np.cumsum(first) - 1
            other = key_codes != key_codes[np.flatnonzero(first)][group_start]
            runner = np.flatnonzero(other)
            runner = runner[group_starts(sorted_cluster[runner])]
            has_other = np.isin(won, sorted_cluster[runner])
            a = winners[has_other]
            b = order[runner]
            decided = np.full(len(a), None, dtype=object)
            for name, score in zip(names, scores):
                differs = (score[a] != score[b]) & pd.isna(decided)
                decided[differs] = name
            rule_used[won[has_other]] = decided
        return pd.DataFrame({"value": value, "from": source, "rule": rule_used, "row": chosen})

    def _score(self, rule: Rule, candidates: Candidates) -> np.ndarray:
        """Higher is better, one float per candidate: a named rule from the registry, or
        the analyst's function."""
        if callable(rule):
            return self._callable_score(rule, candidates)
        return RULES[rule].score(candidates)

    def _callable_score(self, fn: Callable[[list[Any]], int], candidates: Candidates) -> np.ndarray:
        """1 for the value ``fn`` chose in each cluster of two or more candidates, which
        it receives as entered in lead id order; 0 elsewhere."""
        role, rows, entered = candidates.role, candidates.rows, candidates.entered
        score = np.zeros(len(rows))
        order = np.lexsort((self.id_rank[rows], self.cluster_codes[rows]))
        cluster = self.cluster_codes[rows][order]
        starts = np.flatnonzero(group_starts(cluster))
        ends = np.r_[starts[1:], len(order)]
        for start, end in zip(starts.tolist(), ends.tolist()):
            if end - start < 2:
                continue  # one candidate: nothing to choose
            members = order[start:end]
            values = [entered[m] for m in members]
            chosen = fn(values)
            if isinstance(chosen, bool) or not isinstance(chosen, (int, np.integer)):
                raise ConfigError(
                    say(
                        f"the survivorship function for {role!r} returned {type(chosen).__name__}; "
                        f"it must return the index of the chosen value (0 to {len(values) - 1})",
                        f"{role!r} 的存活规则函数返回了 {type(chosen).__name__}；"
                        f"它须返回所选值的下标（0 到 {len(values) - 1}）",
                    )
                )
            if not 0 <= chosen < len(values):
                raise ConfigError(
                    say(
                        f"the survivorship function for {role!r} returned {int(chosen)} for "
                        f"{len(values)} values; return an index from 0 to {len(values) - 1}",
                        f"{role!r} 的存活规则函数对 {len(values)} 个值返回了 {int(chosen)}；"
                        f"请返回 0 到 {len(values) - 1} 之间的下标",
                    )
                )
            score[members[int(chosen)]] = 1.0
        return score


class _Disagreements(_Context):
    """What :func:`conflicts` reads of a :class:`_Context` (made with ``times=False``):
    the leads' clusters and id ranks, without the timestamps and validation only
    survivorship needs."""

    def alternatives(self, role: str) -> pd.DataFrame:
        columns = ["cluster_id", "role", "key", "value", "lead_ids", "n_leads", "_first", "_c"]
        raw = self.leads[self.roles[role]]
        # Members of a cluster of one never disagree: only the others are looked at.
        rows = np.flatnonzero((np.bincount(self.cluster_codes) >= 2)[self.cluster_codes])
        rows = rows[~_blank(raw.iloc[rows])]
        key = self.key(role, rows)
        value = raw.to_numpy(dtype=object)[rows]
        # An unusable value is its own alternative, keyed by what was entered: numbered
        # after the keys.
        has_key = pd.notna(key)
        group = np.empty(len(rows), dtype=np.int64)
        key_codes, key_names = pd.factorize(pd.Series(key[has_key], dtype=object).astype(str))
        group[has_key] = key_codes
        group[~has_key] = (
            len(key_names) + pd.factorize(pd.Series(value[~has_key], dtype=object).astype(str))[0]
        )
        c = self.cluster_codes[rows]
        # the clusters whose members hold two or more groups (distinct pairs of cluster and
        # group by a sort: numpy's unique hashes, several times slower on a million)
        pair = np.sort(c * np.int64(len(rows) + 1) + group)
        pair = pair[group_starts(pair)]
        n_groups = np.bincount(pair // np.int64(len(rows) + 1), minlength=len(self.cluster_names))
        disputed = np.flatnonzero(n_groups[c] >= 2)
        if not len(disputed):
            return pd.DataFrame(columns=columns)
        rows, key, value, c, group = (a[disputed] for a in (rows, key, value, c, group))
        rank = self.id_rank[rows]
        sort = np.lexsort((rank, c))
        # One row per cluster, key and value as entered, numbered in order of first
        # appearance (members by id rank); the rows of each are gathered by a stable sort
        # of their numbers (a list per group built by pandas' groupby was most of this at
        # 1M leads).
        text = pd.factorize(pd.Series(value, dtype=object).astype(str))[0]
        cluster_group = pd.factorize(c * np.int64(len(rows) + 1) + group)[0]
        number = pd.factorize((cluster_group * np.int64(text.max() + 1) + text)[sort])[0]
        order = sort[np.argsort(number, kind="stable")]
        starts = group_starts(np.sort(number, kind="stable"))
        firsts = order[starts]
        bounds = np.flatnonzero(starts)
        leads = self.lead_ids[rows].astype(str)[order].tolist()
        ends = np.append(bounds[1:], len(order)).tolist()
        out = pd.DataFrame(
            {
                "_c": c[firsts],
                "key": key[firsts],
                "value": value[firsts],
                "lead_ids": [leads[a:b] for a, b in zip(bounds.tolist(), ends)],
                "_first": np.minimum.reduceat(rank[order], bounds),
            }
        )
        out["n_leads"] = np.diff(np.append(bounds, len(order)))
        out["key"] = out["key"].astype(object).where(out["key"].notna(), None)
        out.insert(0, "cluster_id", np.asarray(self.cluster_names, dtype=object)[out["_c"]])
        out.insert(1, "role", role)
        return out[columns]


def _lists(values: np.ndarray, sizes: np.ndarray) -> list[list[Any]]:
    """``values`` cut into consecutive lists of ``sizes`` (slices of one Python list: a
    million small lists without a numpy view and a ``tolist`` each)."""
    items = values.tolist()
    ends = np.cumsum(sizes).tolist()
    starts = [0, *ends[:-1]]
    return [items[start:end] for start, end in zip(starts, ends)]


def _timestamps(leads: pd.DataFrame, roles: Mapping[str, str]) -> np.ndarray | None:
    """``created_at`` as naive UTC datetime64[ns] (NaT where not a time)."""
    column = roles.get("created_at")
    return None if column is None else parse_times(leads[column])


_SPACES = re.compile(r"\s+")


def _text_key(value: Any) -> str | None:
    """Text with no normaliser of its own (a lead source): width, case and spaces folded."""
    if not isinstance(value, str):
        return None if value is None or value != value else _text_key(str(value))
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", value[:1000]).strip()).casefold()
    return text or None


def _blank(values: pd.Series) -> np.ndarray:
    """Whether each value is blank (``_plain`` gives None): missing, or text of
    white space only in its first 1,000 characters. Text is tested by ``str.strip``
    alone: NFKC turns no character that is not white space into white space, nor white
    space into anything else, so normalising first (a tenth of a second per hundred
    thousand values) changes nothing."""
    codes, uniques = factorize(values)
    blank = np.empty(len(uniques) + 1, dtype=bool)
    blank[:-1] = [
        not value[:1000].strip() if type(value) is str else _text_key(value) is None
        for value in uniques.tolist()
    ]
    blank[-1] = True  # code -1: missing
    return blank[codes]


def _plain(values: pd.Series) -> np.ndarray:
    """Values as entered, stripped, with blanks as None."""
    return map_distinct(values, lambda v: _text_key(v) and str(v).strip())


def refresh_golden(
    golden: pd.DataFrame,
    before: pd.DataFrame,
    after: pd.DataFrame,
    leads: pd.DataFrame,
    prepared: pd.DataFrame,
    roles: Mapping[str, str],
    *,
    policy: SurvivorshipPolicy | None = None,
    validation: pd.DataFrame | None = None,
    shown: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The golden records of the clusters ``after``, rebuilding only the clusters that
    changed since ``before`` (both: one row per lead, aligned with ``leads``, the ids first
    and ``cluster_id``); the rows of ``golden`` (built from ``before``) are kept for the
    others. A cluster is unchanged when it has the same id and the same members. ``shown``
    turns new rows into what ``golden`` shows (masking); the result is sorted by
    ``cluster_id``, as :func:`golden_records` sorts it.

    Re-thresholding a result changes few clusters, so this is much less work than building
    every record again; the records are the same (survivorship looks at a cluster's members
    only, and the prepared keys already hold what is shared across the data)."""
    old = before["cluster_id"].to_numpy(dtype=object)
    new = after["cluster_id"].to_numpy(dtype=object)
    moved = pd.Series(old != new).groupby(new).any()
    old_size = pd.Series(old).value_counts()
    new_size = pd.Series(new).value_counts()
    same_size = new_size.index.map(lambda c: old_size.get(c, -1)).to_numpy() == new_size
    changed = set(moved[moved].index) | set(new_size.index[~same_size])
    rows = np.flatnonzero(pd.Series(new).isin(changed).to_numpy())
    kept = golden[~golden["cluster_id"].isin(changed) & golden["cluster_id"].isin(new_size.index)]
    if len(rows) == 0:
        return kept.reset_index(drop=True)

    def part(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.iloc[rows].reset_index(drop=True)

    rebuilt = golden_records(
        part(leads),
        part(prepared),
        part(after),
        roles,
        policy=policy,
        validation=None if validation is None else part(validation),
    )
    if shown is not None:
        rebuilt = shown(rebuilt)
    merged = pd.concat([kept, rebuilt], ignore_index=True)
    return merged.sort_values("cluster_id", kind="stable").reset_index(drop=True)
