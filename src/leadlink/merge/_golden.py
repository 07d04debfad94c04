"""Golden records: one row per cluster, built from its member leads by survivorship.

For each role a :class:`SurvivorshipPolicy` lists *rules*, best first. The candidates of a
cluster are its members whose value is usable after normalisation; the first rule ranks
them, the next rule breaks its ties, and so on; remaining ties go to the most recent lead
(by ``created_at``), then to the smallest lead id, so the result never depends on row order.

=====================  ===================================================================
``most_recent``        the value of the lead created last (``created_at``)
``most_frequent``      the value held by most members, compared after normalisation
                       (张伟 = 張偉 = Zhang Wei; +86 138-0013-8000 = 13800138000)
``most_complete``      the most complete normalised value: for names a full name beats a
                       surname alone (张总 → 张), then the longer key
``longest``            the longest value as entered
``source_priority``    the value from the best source in ``SurvivorshipPolicy.sources``
``first_valid``        a value that passes validation (a valid, non-placeholder phone or
                       email, a non-placeholder name or company) before one that does not
``personal``           phone: a personal number (``phone_shared == 0``) before a shared
                       line; email: a personal mailbox before a role one (sales@, info@)
a callable             ``fn(values) -> index``: receives the usable values of a cluster's
                       members as entered (lead id order; called only when there are two
                       or more) and returns the index of the one it chose
=====================  ===================================================================

The golden record shows the chosen lead's value as it was entered and records which lead
it came from (``<role>_from``), so every golden value can be traced to a member lead.
:func:`lineage` lays that out as a long table, :func:`conflicts` lists every alternative
value where members disagree, and :func:`unmerge`, :func:`split` and :func:`merge` correct
clusters by hand (ids are recomputed the way :mod:`leadlink.merge._cluster` computes them).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from leadlink._values import id_text, parse_times
from leadlink.clean import normalize
from leadlink.errors import ConfigError, InputError
from leadlink.merge._cluster import cluster_id_for
from leadlink.schema import ROLE, SURVIVED_ROLES, check_ids, map_distinct

__all__ = [
    "DEFAULT_RULES",
    "GOLDEN_ROLES",
    "RULES",
    "Rule",
    "SurvivorshipPolicy",
    "conflicts",
    "golden_records",
    "lineage",
    "merge",
    "split",
    "unmerge",
]

logger = logging.getLogger(__name__)

#: A survivorship rule: one of :data:`RULES`, or ``fn(values) -> index of the chosen value``.
Rule = str | Callable[[list[Any]], int]

#: Roles that survive into golden records, in output order.
GOLDEN_ROLES: tuple[str, ...] = SURVIVED_ROLES

#: The named rules (see the module docstring).
RULES: tuple[str, ...] = (
    "first_valid",
    "longest",
    "most_complete",
    "most_frequent",
    "most_recent",
    "personal",
    "source_priority",
)

#: The default rules per role, best first.
DEFAULT_RULES: dict[str, tuple[str, ...]] = {
    "name": ("first_valid", "most_complete", "most_frequent"),
    "phone": ("first_valid", "personal", "most_frequent"),
    "email": ("first_valid", "personal", "most_recent"),
    "company": ("most_frequent",),
    "city": ("most_frequent",),
    "title": ("most_recent",),
    "address": ("most_frequent", "most_complete"),
}

# Roles on which the "personal" rule has a meaning.
_PERSONAL_ROLES = ("phone", "email")

# validate() problem codes that make a role's value invalid for "first_valid".
_INVALID_PROBLEMS: dict[str, tuple[str, ...]] = {
    "name": ("name.placeholder",),
    "phone": ("phone.invalid", "phone.placeholder"),
    "email": ("email.syntax", "email.placeholder", "email.disposable"),
    "company": ("company.placeholder",),
}

_CONFIG_EXAMPLE = (
    '{"rules": {"email": ["first_valid", "most_recent"]}, "sources": ["CRM", "官网表单"]}'
)


@dataclass(frozen=True)
class SurvivorshipPolicy:
    """Which value survives into the golden record, per role.

    Args:
        rules: role → rules, best first (see the module docstring). Roles left out keep
            :data:`DEFAULT_RULES`; a single rule may be given on its own
            (``{"title": "most_recent"}``).
        sources: lead sources, best first, for the ``source_priority`` rule (compared
            case-insensitively; unlisted sources rank last).

    >>> policy = SurvivorshipPolicy(rules={"phone": ["source_priority", "most_recent"]},
    ...                             sources=["CRM", "官网表单"])
    >>> policy.rules_for("phone"), policy.rules_for("city")
    (('source_priority', 'most_recent'), ('most_frequent',))
    """

    rules: Mapping[str, Rule | Sequence[Rule]] = field(default_factory=dict)
    sources: Sequence[str] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.rules, Mapping):
            raise ConfigError(
                f"rules must map roles to lists of rules, not {type(self.rules).__name__}; "
                "e.g. rules={'email': ['first_valid', 'most_recent']}"
            )
        if isinstance(self.sources, str) or not all(isinstance(s, str) for s in self.sources):
            raise ConfigError(
                "sources must be a list of source names, best first, e.g. sources=['CRM', '官网表单']"
            )
        merged: dict[str, tuple[Rule, ...]] = dict(DEFAULT_RULES)
        for role, given in self.rules.items():
            merged[role] = _check_rules(role, given)
        object.__setattr__(self, "rules", merged)
        object.__setattr__(self, "sources", tuple(self.sources))
        if not self.sources:
            using = sorted(r for r, chain in merged.items() if "source_priority" in chain)
            if using:
                raise ConfigError(
                    f"the source_priority rule (for {', '.join(using)}) needs sources, best "
                    "first, e.g. SurvivorshipPolicy(..., sources=['CRM', '官网表单'])"
                )

    def rules_for(self, role: str) -> tuple[Rule, ...]:
        """The rules of ``role``, best first."""
        return tuple(self.rules.get(role, ()))  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> SurvivorshipPolicy:
        """A policy from plain data: ``{"rules": {role: [rule, ...]}, "sources": [...]}``."""
        if not isinstance(config, Mapping):
            raise ConfigError(
                f"a survivorship config must be a JSON object like {_CONFIG_EXAMPLE}, "
                f"not {type(config).__name__}"
            )
        unknown = sorted(set(config) - {"rules", "sources"})
        if unknown:
            raise ConfigError(
                f"unknown key(s) {', '.join(map(repr, unknown))} in the survivorship config; "
                f"it has 'rules' and 'sources', e.g. {_CONFIG_EXAMPLE}"
            )
        rules = config.get("rules", {})
        if not isinstance(rules, Mapping):
            raise ConfigError(
                f"'rules' must be an object mapping roles to lists of rules, e.g. {_CONFIG_EXAMPLE}"
            )
        for role, chain in rules.items():
            names = [chain] if isinstance(chain, str) else chain
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ConfigError(
                    f"rules for {role!r} must be a list of rule names, e.g. "
                    f'"{role}": ["most_frequent", "most_recent"]'
                )
        sources = config.get("sources", [])
        if not isinstance(sources, list):
            raise ConfigError(f"'sources' must be a list of source names, e.g. {_CONFIG_EXAMPLE}")
        return cls(rules=dict(rules), sources=sources)

    @classmethod
    def from_file(cls, path: str | PathLike[str]) -> SurvivorshipPolicy:
        """A policy from a JSON file (see :meth:`from_dict` and ``docs/golden.md``)."""
        try:
            with open(path, encoding="utf-8") as handle:
                config = json.load(handle)
        except OSError as error:
            raise ConfigError(
                f"cannot read the survivorship config {str(path)!r} ({error.strerror}); "
                "pass the path of a JSON file"
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(
                f"the survivorship config {str(path)!r} is not valid JSON ({error}); "
                f"write it like {_CONFIG_EXAMPLE}"
            ) from None
        return cls.from_dict(config)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for :meth:`from_dict`; callables cannot be written and are refused."""
        rules: dict[str, list[str]] = {}
        for role, chain in self.rules.items():
            for rule in chain:  # type: ignore[union-attr]
                if not isinstance(rule, str):
                    raise ConfigError(
                        f"the rules for {role!r} hold a callable, which a config file cannot "
                        "hold; use named rules to save a policy"
                    )
            rules[role] = list(chain)  # type: ignore[arg-type]
        return {"rules": rules, "sources": list(self.sources)}


def _check_rules(role: str, given: Any) -> tuple[Rule, ...]:
    if role not in GOLDEN_ROLES:
        raise ConfigError(
            f"unknown role {role!r} in survivorship rules; golden records hold "
            f"{', '.join(GOLDEN_ROLES)}"
        )
    chain = (given,) if isinstance(given, str) or callable(given) else given
    if not isinstance(chain, Sequence) or not chain:
        raise ConfigError(
            f"rules for {role!r} must be a non-empty list of rules, best first, e.g. "
            f"{{{role!r}: ['most_frequent', 'most_recent']}}"
        )
    for rule in chain:
        if callable(rule):
            continue
        if not isinstance(rule, str) or rule not in RULES:
            raise ConfigError(
                f"unknown survivorship rule {rule!r} for {role!r}; choose from "
                f"{', '.join(RULES)}, or pass a function fn(values) -> index"
            )
        if rule == "personal" and role not in _PERSONAL_ROLES:
            raise ConfigError(
                f"the personal rule applies to phone and email, not {role!r}; "
                "use most_frequent or most_recent there"
            )
    return tuple(chain)


# --------------------------------------------------------------------------- golden records


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
    and ``sources`` (with ``source``: the distinct sources, sorted).

    Args:
        leads: the raw leads, aligned row by row with ``prepared``.
        prepared: :func:`leadlink.clean._prepare` output for ``leads``.
        clusters: a lead id column (``id`` or the id column) and ``cluster_id``, one row per
            lead, in any order (``DedupeResult.clusters`` or :func:`unmerge` output).
        roles: role → column of ``leads``.
        policy: the survivorship rules (default: :class:`SurvivorshipPolicy`()).
        validation: :func:`leadlink.clean._validate` output aligned with ``leads``, for the
            ``first_valid`` rule; computed when needed and not given.
        explain: also add ``<role>_rule``: the rule that decided between the winner and the
            best alternative value (``only_value`` when the members agree after
            normalisation, ``most_recent`` or ``lead_id`` when the policy's rules tied).
    """
    context = _Context(leads, prepared, clusters, roles, validation)
    policy = policy or SurvivorshipPolicy()
    base = context.base()
    for role in GOLDEN_ROLES:
        if role not in roles:
            continue
        chosen = context.survive(role, policy)
        base[role] = chosen["value"]
        base[f"{role}_from"] = chosen["from"]
        if explain:
            base[f"{role}_rule"] = chosen["rule"]
    context.add_history(base)
    return base


def lineage(golden: pd.DataFrame) -> pd.DataFrame:
    """The golden values as a long table: ``cluster_id``, ``role``, ``value``, ``lead_id``
    (the member lead the value came from) and, when ``golden`` was built with
    ``explain=True``, ``rule``. Roles without a value in a cluster are left out."""
    if "cluster_id" not in golden.columns:
        raise InputError("lineage needs golden records (a cluster_id column and <role>_from)")
    parts = []
    for role in GOLDEN_ROLES:
        if f"{role}_from" not in golden.columns:
            continue
        part = pd.DataFrame(
            {
                "cluster_id": golden["cluster_id"].to_numpy(dtype=object),
                "role": role,
                "value": golden[role].to_numpy(dtype=object),
                "lead_id": golden[f"{role}_from"].to_numpy(dtype=object),
            }
        )
        if f"{role}_rule" in golden.columns:
            part["rule"] = golden[f"{role}_rule"].to_numpy(dtype=object)
        parts.append(part[part["lead_id"].notna()])
    if not parts:
        return pd.DataFrame(columns=["cluster_id", "role", "value", "lead_id"])
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["cluster_id", "role"], kind="stable", ignore_index=True)


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
    context = _Context(leads, prepared, clusters, roles, None)
    parts = []
    for role in GOLDEN_ROLES:
        if role in roles:
            parts.append(context.alternatives(role))
    columns = ["cluster_id", "role", "key", "value", "lead_ids", "n_leads"]
    if not parts:
        out = pd.DataFrame(columns=columns)
    else:
        out = pd.concat(parts, ignore_index=True)
        out = out.sort_values(
            ["cluster_id", "role", "n_leads", "_first"],
            ascending=[True, True, False, True],
            kind="stable",
            ignore_index=True,
        )[columns]
    if golden is not None:
        survived: set[tuple[Any, str, str]] = set()
        for role in GOLDEN_ROLES:
            if f"{role}_from" in golden.columns:
                survived.update(
                    (c, role, str(lead))
                    for c, lead in zip(golden["cluster_id"], golden[f"{role}_from"])
                    if isinstance(lead, str)
                )
        out["survived"] = [
            any((c, r, lead) in survived for lead in ids)
            for c, r, ids in zip(out["cluster_id"], out["role"], out["lead_ids"])
        ]
    return out


# --------------------------------------------------------------------- correcting clusters


def unmerge(
    clusters: pd.DataFrame, lead_ids: Iterable[Any], *, id_column: str | None = None
) -> pd.DataFrame:
    """Take ``lead_ids`` out of their clusters, each into a cluster of its own.

    Returns a copy of ``clusters`` (same rows, same order) with ``cluster_id`` recomputed
    for every cluster that changed, as :mod:`leadlink.merge._cluster` names clusters (a hash of
    the smallest member id). Rebuild golden records with :func:`golden_records`.
    """
    ids, cluster, id_col = _cluster_members(clusters, id_column)
    wanted = _known_ids(ids, lead_ids, id_col)
    groups = cluster.to_numpy(dtype=object).copy()
    for position in wanted:
        groups[position] = ("single", ids[position])
    return _renamed(clusters, ids, groups)


def split(
    clusters: pd.DataFrame,
    groups: Iterable[Iterable[Any]],
    *,
    id_column: str | None = None,
) -> pd.DataFrame:
    """Split one cluster into the given groups of lead ids; members of the cluster left out
    of every group stay together as one more group. Ids are recomputed (see :func:`unmerge`).
    """
    ids, cluster, id_col = _cluster_members(clusters, id_column)
    group_lists = [_known_ids(ids, group, id_col) for group in groups]
    if not group_lists or not any(group_lists):
        raise InputError("split needs at least one non-empty group of lead ids")
    every = [p for g in group_lists for p in g]
    if len(every) != len(set(every)):
        raise InputError("a lead id is in more than one group; each lead goes to one group")
    touched = set(cluster.iloc[every])
    if len(touched) > 1:
        raise InputError(
            f"the groups hold leads of {len(touched)} clusters; split one cluster at a time "
            "(use unmerge to take leads out of several clusters)"
        )
    labels = cluster.to_numpy(dtype=object).copy()
    for number, group in enumerate(group_lists):
        for position in group:
            labels[position] = ("group", number)
    return _renamed(clusters, ids, labels)


def merge(
    clusters: pd.DataFrame, lead_ids: Iterable[Any], *, id_column: str | None = None
) -> pd.DataFrame:
    """Merge the clusters holding ``lead_ids`` into one (a manual "same person" decision).
    Ids are recomputed (see :func:`unmerge`); ``unmerge`` or ``split`` undo it."""
    ids, cluster, id_col = _cluster_members(clusters, id_column)
    wanted = _known_ids(ids, lead_ids, id_col)
    if not wanted:
        raise InputError("merge needs at least one lead id")
    labels = cluster.to_numpy(dtype=object).copy()
    joined = set(cluster.iloc[wanted])
    labels[cluster.isin(joined).to_numpy()] = "merged"
    return _renamed(clusters, ids, labels)


def _cluster_members(
    clusters: pd.DataFrame, id_column: str | None
) -> tuple[np.ndarray, pd.Series, str]:
    if not isinstance(clusters, pd.DataFrame) or "cluster_id" not in clusters.columns:
        raise InputError(
            "clusters must be a DataFrame with a lead id column and cluster_id, "
            "like DedupeResult.clusters"
        )
    if id_column is None:
        others = [c for c in clusters.columns if c != "cluster_id"]
        if len(others) != 1:
            raise InputError(
                f"clusters has columns {list(map(str, clusters.columns))}; say which holds "
                "the lead ids with id_column=..."
            )
        id_column = str(others[0])
    ids = check_ids(clusters, id_column).to_numpy(dtype=object)
    return ids, clusters["cluster_id"].reset_index(drop=True), id_column


def _known_ids(ids: np.ndarray, wanted: Iterable[Any], id_column: str) -> list[int]:
    if isinstance(wanted, (str, bytes)):
        raise InputError(f"give lead ids as a list, e.g. [{str(wanted)!r}], not a string")
    position = pd.Index(ids)
    texts = [id_text(value) for value in wanted]
    found = position.get_indexer(texts)
    missing = [t for t, p in zip(texts, found) if p < 0]
    if missing:
        raise InputError(
            f"{len(missing)} lead id(s) are not in {id_column!r} of clusters "
            f"(the first: {missing[0]!r})"
        )
    return sorted(set(found.tolist()))


def _renamed(clusters: pd.DataFrame, ids: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """``clusters`` with each group of equal labels named after its smallest member id."""
    codes, _ = pd.factorize(pd.Series(labels, dtype=object).map(repr))
    order = np.argsort(ids.astype(str), kind="stable")
    smallest: dict[int, str] = {}
    for i in order:
        smallest.setdefault(int(codes[i]), str(ids[i]))
    out = clusters.copy()
    out["cluster_id"] = [cluster_id_for(smallest[int(c)]) for c in codes]
    return out


# ------------------------------------------------------------------------------ internals


class _Context:
    """The per-lead arrays every role needs, computed once: cluster codes, lead id ranks,
    timestamps, source ranks, validity."""

    def __init__(
        self,
        leads: pd.DataFrame,
        prepared: pd.DataFrame,
        clusters: pd.DataFrame,
        roles: Mapping[str, str],
        validation: pd.DataFrame | None,
    ) -> None:
        if len(leads) != len(prepared):
            raise InputError(
                f"leads ({len(leads)} rows) and prepared ({len(prepared)} rows) must be "
                "aligned row by row; prepare the same leads"
            )
        self.leads = leads.reset_index(drop=True)
        self.prepared = prepared.reset_index(drop=True)
        self.roles = dict(roles)
        self.validation = validation
        self.lead_ids = self.prepared["unique_id"].to_numpy(dtype=object)
        self.cluster_ids = _aligned_clusters(self.lead_ids, clusters)
        self.cluster_codes, self.cluster_names = pd.factorize(self.cluster_ids, sort=True)
        # Rank of each lead id in text order: the last tie-break, and the callable order.
        self.id_rank = np.empty(len(self.lead_ids), dtype=np.int64)
        self.id_rank[np.argsort(self.lead_ids.astype(str), kind="stable")] = np.arange(
            len(self.lead_ids)
        )
        self.times = _timestamps(self.leads, self.roles)
        self._valid: dict[str, np.ndarray] | None = None

    def base(self) -> pd.DataFrame:
        n_clusters = len(self.cluster_names)
        order = np.lexsort((self.id_rank, self.cluster_codes))
        sizes = np.bincount(self.cluster_codes, minlength=n_clusters)
        members = np.split(self.lead_ids[order].astype(str), np.cumsum(sizes)[:-1])
        return pd.DataFrame(
            {
                "cluster_id": np.asarray(self.cluster_names, dtype=object),
                "n_leads": sizes.astype(np.int64),
                "lead_ids": [m.tolist() for m in members],
            }
        )

    def add_history(self, base: pd.DataFrame) -> None:
        if self.times is not None:
            stamps = pd.Series(self.times)
            grouped = stamps.groupby(self.cluster_codes)
            base["first_seen"] = grouped.min().reindex(base.index).to_numpy()
            base["last_seen"] = grouped.max().reindex(base.index).to_numpy()
        if "source" in self.roles:
            source = _plain(self.leads[self.roles["source"]])
            frame = pd.DataFrame({"c": self.cluster_codes, "s": source}).dropna()
            frame = frame.drop_duplicates().sort_values(["c", "s"], kind="stable")
            counts = np.bincount(frame["c"].to_numpy(), minlength=len(base))
            lists = np.split(frame["s"].to_numpy(dtype=object), np.cumsum(counts)[:-1])
            base["sources"] = [list(values) for values in lists]

    # ----------------------------------------------------------------- survivorship

    def key(self, role: str) -> np.ndarray:
        """The normalised value of ``role`` per lead; None where it is not usable."""
        prepared = self.prepared
        spec = ROLE[role]
        if spec.key is not None and spec.key in prepared:
            # the prepared key: a name in any script, a title in any wording is one value
            values = prepared[spec.key].to_numpy(dtype=object)
            if spec.extension is None or spec.extension not in prepared:
                return values
            extension = prepared[spec.extension].to_numpy(dtype=object)
            with_ext = pd.notna(values) & pd.notna(extension)
            out = values.copy()
            out[with_ext] = [f"{v};ext={e}" for v, e in zip(values[with_ext], extension[with_ext])]
            return out
        raw = self.leads[self.roles[role]]
        return map_distinct(raw, normalize.address if role == "address" else _text_key)

    def survive(self, role: str, policy: SurvivorshipPolicy) -> pd.DataFrame:
        """Per cluster (in ``cluster_names`` order): ``value``, ``from``, ``rule``."""
        n_clusters = len(self.cluster_names)
        value = np.full(n_clusters, None, dtype=object)
        source = np.full(n_clusters, None, dtype=object)
        rule_used = np.full(n_clusters, None, dtype=object)
        key = self.key(role)
        rows = np.flatnonzero(pd.notna(key))
        if len(rows):
            raw = self.leads[self.roles[role]].to_numpy(dtype=object)
            cluster = self.cluster_codes[rows]
            names: list[str] = []
            scores: list[np.ndarray] = []
            for rule in policy.rules_for(role):
                names.append(rule if isinstance(rule, str) else getattr(rule, "__name__", "custom"))
                scores.append(self._score(rule, role, rows, key, raw, policy))
            names += ["most_recent", "lead_id"]
            scores.append(self._time_score(rows))
            scores.append(-self.id_rank[rows].astype(np.float64))
            # lexsort: last key is primary; higher scores first.
            order = np.lexsort((*(-s for s in reversed(scores)), cluster))
            sorted_cluster = cluster[order]
            first = _group_starts(sorted_cluster)
            winners = order[first]
            won = sorted_cluster[first]
            value[won] = raw[rows[winners]]
            source[won] = self.lead_ids[rows[winners]].astype(str)
            rule_used[won] = "only_value"
            # The rule that decided: the first score on which the runner-up differs, the
            # runner-up being the best candidate with another value after normalisation.
            key_codes = pd.factorize(key[rows])[0][order]
            group_start = np.cumsum(first) - 1
            other = key_codes != key_codes[np.flatnonzero(first)][group_start]
            runner = np.flatnonzero(other)
            runner = runner[_group_starts(sorted_cluster[runner])]
            has_other = np.isin(won, sorted_cluster[runner])
            a = winners[has_other]
            b = order[runner]
            decided = np.full(len(a), None, dtype=object)
            for name, score in zip(names, scores):
                differs = (score[a] != score[b]) & pd.isna(decided)
                decided[differs] = name
            rule_used[won[has_other]] = decided
        return pd.DataFrame({"value": value, "from": source, "rule": rule_used})

    def _score(
        self,
        rule: Rule,
        role: str,
        rows: np.ndarray,
        key: np.ndarray,
        raw: np.ndarray,
        policy: SurvivorshipPolicy,
    ) -> np.ndarray:
        """Higher is better, one float per candidate row."""
        if callable(rule):
            return self._callable_score(rule, role, rows, raw)
        if rule == "most_recent":
            return self._time_score(rows)
        if rule == "most_frequent":
            cluster = self.cluster_codes[rows]
            key_codes, _ = pd.factorize(key[rows])
            pair_codes, _ = pd.factorize(cluster.astype(np.int64) * (len(rows) + 1) + key_codes)
            return np.bincount(pair_codes)[pair_codes].astype(np.float64)
        if rule == "most_complete":
            length = np.array([len(str(k)) for k in key[rows]], dtype=np.float64)
            if role == "name" and "name_partial" in self.prepared:
                full = self.prepared["name_partial"].to_numpy()[rows] == 0
                return full * 1e6 + length
            return length
        if rule == "longest":
            return np.array([len(str(v).strip()) for v in raw[rows]], dtype=np.float64)
        if rule == "source_priority":
            rank = {s.strip().casefold(): i for i, s in enumerate(reversed(policy.sources))}
            if "source" not in self.roles:
                return np.zeros(len(rows))
            text = _plain(self.leads[self.roles["source"]])[rows]
            return np.array(
                [rank.get(str(s).casefold(), -1) if s is not None else -1 for s in text],
                dtype=np.float64,
            )
        if rule == "first_valid":
            return self.valid(role)[rows].astype(np.float64)
        if rule == "personal":
            return self._personal(role)[rows].astype(np.float64)
        raise ConfigError(f"unknown survivorship rule {rule!r}")  # pragma: no cover

    def _time_score(self, rows: np.ndarray) -> np.ndarray:
        if self.times is None:
            return np.zeros(len(rows))
        stamps = self.times[rows].astype("datetime64[ns]").astype(np.int64).astype(np.float64)
        return np.where(np.isnat(self.times[rows]), -np.inf, stamps)

    def _callable_score(
        self, fn: Callable[[list[Any]], int], role: str, rows: np.ndarray, raw: np.ndarray
    ) -> np.ndarray:
        score = np.zeros(len(rows))
        order = np.lexsort((self.id_rank[rows], self.cluster_codes[rows]))
        cluster = self.cluster_codes[rows][order]
        starts = np.flatnonzero(_group_starts(cluster))
        ends = np.r_[starts[1:], len(order)]
        for start, end in zip(starts.tolist(), ends.tolist()):
            if end - start < 2:
                continue  # one candidate: nothing to choose
            members = order[start:end]
            values = [raw[rows[m]] for m in members]
            chosen = fn(values)
            if isinstance(chosen, bool) or not isinstance(chosen, (int, np.integer)):
                raise ConfigError(
                    f"the survivorship function for {role!r} returned {type(chosen).__name__}; "
                    f"it must return the index of the chosen value (0 to {len(values) - 1})"
                )
            if not 0 <= chosen < len(values):
                raise ConfigError(
                    f"the survivorship function for {role!r} returned {int(chosen)} for "
                    f"{len(values)} values; return an index from 0 to {len(values) - 1}"
                )
            score[members[int(chosen)]] = 1.0
        return score

    def valid(self, role: str) -> np.ndarray:
        """Per lead: does the value of ``role`` pass validation (the ``first_valid`` rule)."""
        if self._valid is None:
            validation = self.validation
            if validation is None:
                from leadlink.clean import validate

                validation = validate(self.leads, columns=self.roles, required=())
            elif len(validation) != len(self.leads):
                raise InputError(
                    f"validation has {len(validation)} rows for {len(self.leads)} leads; "
                    "pass leadlink.clean._validate(leads) for the same leads"
                )
            problems = validation["problems"].to_numpy(dtype=object)
            self._valid = {}
            for checked, codes in _INVALID_PROBLEMS.items():
                bad = set(codes)
                self._valid[checked] = np.array(
                    [not bad.intersection(p) for p in problems], dtype=bool
                )
        usable = pd.notna(self.key(role))
        return self._valid.get(role, usable) & usable

    def _personal(self, role: str) -> np.ndarray:
        if role == "phone":
            shared = self.prepared.get("phone_shared")
            if shared is None:
                return np.ones(len(self.prepared), dtype=bool)
            return shared.to_numpy() == 0
        raw = self.leads[self.roles["email"]]
        return ~map_distinct(raw, normalize.email_is_role).astype(bool)

    # -------------------------------------------------------------------- conflicts

    def alternatives(self, role: str) -> pd.DataFrame:
        raw = self.leads[self.roles[role]]
        present = pd.notna(_plain(raw))
        key = self.key(role)
        frame = pd.DataFrame(
            {
                "c": self.cluster_codes,
                "key": key,
                "value": raw.to_numpy(dtype=object),
                "lead": self.lead_ids.astype(str),
                "rank": self.id_rank,
            }
        )[present]
        # An unusable value is its own alternative, keyed by what was entered.
        frame["group"] = np.where(
            frame["key"].notna(), "k:" + frame["key"].astype(str), "v:" + frame["value"].astype(str)
        )
        n_keys = frame.groupby("c")["group"].transform("nunique")
        frame = frame[n_keys.to_numpy() >= 2]
        if frame.empty:
            return pd.DataFrame(
                columns=["cluster_id", "role", "key", "value", "lead_ids", "n_leads", "_first"]
            )
        frame = frame.sort_values(["c", "rank"], kind="stable")
        frame["value_text"] = frame["value"].astype(str)
        grouped = frame.groupby(["c", "group", "value_text"], sort=False)
        out = grouped.agg(
            key=("key", "first"),
            value=("value", "first"),
            lead_ids=("lead", list),
            _first=("rank", "min"),
        ).reset_index()
        out["n_leads"] = out["lead_ids"].map(len)
        out["key"] = out["key"].astype(object).where(out["key"].notna(), None)
        out.insert(0, "cluster_id", np.asarray(self.cluster_names, dtype=object)[out["c"]])
        out.insert(1, "role", role)
        return out[["cluster_id", "role", "key", "value", "lead_ids", "n_leads", "_first"]]


def _group_starts(sorted_codes: np.ndarray) -> np.ndarray:
    """True where a run of equal codes starts."""
    starts = np.ones(len(sorted_codes), dtype=bool)
    starts[1:] = sorted_codes[1:] != sorted_codes[:-1]
    return starts


def _aligned_clusters(lead_ids: np.ndarray, clusters: pd.DataFrame) -> np.ndarray:
    """The cluster id of every prepared lead, matched by lead id."""
    if not isinstance(clusters, pd.DataFrame) or "cluster_id" not in clusters.columns:
        raise InputError(
            "clusters must be a DataFrame with a lead id column and cluster_id, "
            "like DedupeResult.clusters"
        )
    if len(clusters) != len(lead_ids):
        raise InputError(
            f"clusters has {len(clusters)} rows for {len(lead_ids)} leads; every lead needs "
            "exactly one cluster"
        )
    if clusters["cluster_id"].isna().any():
        raise InputError("some leads have no cluster_id; every lead needs exactly one cluster")
    others = [c for c in clusters.columns if c != "cluster_id"]
    cluster_ids = clusters["cluster_id"].to_numpy(dtype=object)
    if len(others) != 1:
        return cluster_ids  # no single id column: aligned row by row
    ids = clusters[others[0]].map(id_text).to_numpy(dtype=object)
    if np.array_equal(ids, lead_ids.astype(str)):
        return cluster_ids
    found = pd.Index(ids).get_indexer(lead_ids.astype(str))
    if (found < 0).any():
        raise InputError(
            f"{int((found < 0).sum())} lead(s) of prepared are not in clusters; pass the "
            "clusters of these leads"
        )
    return cluster_ids[found]


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


def _plain(values: pd.Series) -> np.ndarray:
    """Values as entered, stripped, with blanks as None."""
    return map_distinct(values, lambda v: _text_key(v) and str(v).strip())
