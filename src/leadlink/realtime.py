"""LeadIndex: the duplicate warning while a lead is typed in, and clusters kept current.

``ll.dedupe`` re-reads every lead and retrains. A :class:`LeadIndex` holds what matching needs
in memory instead — the prepared keys of every lead, grouped by blocking key
(:class:`~leadlink.match.CandidateIndex`), the clusters
(:class:`~leadlink.merge.IncrementalClusters`) and one golden record per cluster — and answers
one record at a time, with the batch model's own weights and no SQL:

>>> import leadlink as ll                                          # doctest: +SKIP
>>> result = ll.dedupe(leads)                                      # doctest: +SKIP
>>> index = ll.LeadIndex.from_result(result)                       # doctest: +SKIP
>>> index.match({"name": "張偉", "phone": "138 0013 8000"}).candidates  # doctest: +SKIP

A record is a mapping of the index's input columns (the headers of the leads it was built
from) or of role names (``name``, ``phone``, ``email``, ``company`` ...). It is prepared and
validated exactly as in batch; a ghost (test entries, placeholder numbers, keyboard mash)
is flagged with its problem codes instead of matched.

What the batch computes over the whole table is read from the index's content for a new
record: a phone number is a shared line when the leads on it in the index make it one, and a
lead without a company takes the employer its shared line or company mail domain names
there. Leads already in the index keep the keys the batch gave them.

Persistence: :meth:`LeadIndex.save` writes a folder (``manifest.json``, versioned, with the
model; Arrow IPC files of the leads, their prepared keys, their validation, the golden
records, the clusters and their pairs; the candidate index's arrays), which
:meth:`LeadIndex.load` reads back as it was written — memory-mapped, nothing prepared, scored
or grouped again, nothing executed (docs/realtime.md describes the files; the folder format
is written and read in ``leadlink._index_files``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import infer_dtype

from leadlink._i18n import say
from leadlink._index_files import (
    INDEX_FORMAT,
    INDEX_VERSION,
    as_text,
    joined,
    positions,
    read_arrow,
    read_clusters,
    read_manifest,
    read_sources,
    read_validation,
    write_folder,
)
from leadlink._index_golden import GoldenRecords, base_golden
from leadlink._index_ranking import SHOWN_FROM, MatchResult, ranked
from leadlink.clean import (
    prepare,
    prepare_record,
    settle_region,
    validate,
    validate_record,
)
from leadlink.errors import ConfigError, InputError
from leadlink.match import CandidateIndex, LeadModel
from leadlink.merge import IncrementalClusters, SurvivorshipPolicy, golden_records
from leadlink.schema import ROLES, check_frame, check_ids, resolve_columns

if TYPE_CHECKING:
    from leadlink.pipeline import DedupeResult

__all__ = ["INDEX_FORMAT", "INDEX_VERSION", "LeadIndex", "MatchResult"]

logger = logging.getLogger(__name__)

#: Up to this many leads, the rows of a change are read from the tables row by row.
_FEW_ROWS = 1000
#: The id a record being matched (not added) carries while it is scored.
_QUERY = "\x00query"


def _golden_as_held(result: DedupeResult) -> bool:
    """Whether ``result.golden`` is what the index would make of the result's clusters:
    shown in clear (no masked phones, emails or names) and made from leads that are text
    already (the index makes golden records from the leads as text)."""
    if result.masking.active:
        return False
    leads = result.leads
    return leads is not None and all(
        leads[c].dtype == object
        and infer_dtype(leads[c].to_numpy(dtype=object), skipna=True) in ("string", "empty")
        for c in leads.columns
    )


class LeadIndex:
    """Real-time matching of single records against a base of leads, with clusters and
    golden records kept current (see the module docstring).

    Args:
        leads: the base: raw leads, one row per lead.
        model: a trained :class:`~leadlink.LeadModel`, or the path of a saved one.
        id_column: the column holding each lead's unique id.
        columns: role → column, as for :func:`leadlink.dedupe`.
        region: default phone region (``None``: as :func:`leadlink.dedupe` settles it).
        threshold: match probability at which two leads are linked (default: the
            model's).
        policy: the survivorship policy of the golden records.

    The base is scored and clustered once, as :func:`leadlink.dedupe` would; from a
    ``dedupe`` result, :meth:`from_result` reuses its pairs and clusters. One index may be
    read and changed from several threads: every call holds the index's lock.
    """

    def __init__(
        self,
        leads: pd.DataFrame,
        *,
        model: LeadModel | str | Path,
        id_column: str = "lead_id",
        columns: Mapping[str, str | None] | None = None,
        region: str | None = None,
        threshold: float | None = None,
        policy: SurvivorshipPolicy | None = None,
        _pairs: pd.DataFrame | None = None,
        _prepared: pd.DataFrame | None = None,
        _validation: pd.DataFrame | None = None,
        _clusters: pd.DataFrame | None = None,
        _golden: pd.DataFrame | None = None,
    ) -> None:
        self.model = model if isinstance(model, LeadModel) else LeadModel.load(model)
        check_frame(leads)
        if leads.empty:
            raise InputError(
                say(
                    "an index needs at least one lead to start from",
                    "索引至少需要一条起始线索",
                )
            )
        self.id_column = id_column
        leads = leads.reset_index(drop=True)
        ids = check_ids(leads, id_column)
        self.roles = resolve_columns(leads, columns, id_column=id_column)
        self.region = (
            settle_region(leads[self.roles["phone"]] if "phone" in self.roles else (), region)
            if region is None
            else region
        )
        self.threshold = self.model.threshold if threshold is None else float(threshold)
        if not 0.0 <= self.threshold <= 1.0:
            raise ConfigError(
                say(
                    f"threshold must be a match probability in [0, 1], not {threshold}",
                    f"threshold 须为 [0, 1] 之间的匹配概率，而不是 {threshold}",
                )
            )
        self.policy = policy
        self.columns = [str(c) for c in leads.columns]
        self._lock = threading.RLock()
        validation = (
            _validation
            if _validation is not None
            else validate(leads, columns=self.roles, region=self.region)
        )
        prepared = (
            _prepared
            if _prepared is not None
            else prepare(
                leads, self.roles, id_column=id_column, region=self.region, extra=self.model.extra
            )
        )
        pairs = _pairs
        if pairs is None:  # (the matchable leads copied only when they are scored)
            matchable = prepared[~validation["is_ghost"].to_numpy(dtype=bool)]
            if len(matchable) >= 2:
                pairs = self.model.predict(matchable, min_probability=0.0)
            del matchable
        given = _given_clusters(_clusters, ids)
        clusters = IncrementalClusters(
            list(ids),
            pairs,
            threshold=self.threshold,
            cluster_ids=given,
        )
        self._hold(
            leads.assign(**{id_column: ids.to_numpy()}), prepared, validation, clusters,
            _golden if given is not None else None,  # the records of the given clusters
        )  # fmt: skip
        self._counter = 0
        logger.info("lead index: %d leads, %d ghosts", len(self), len(self._ghosts))

    # -- building ------------------------------------------------------------------------

    @classmethod
    def from_result(cls, result: DedupeResult) -> LeadIndex:
        """An index over the leads of a :func:`leadlink.dedupe` result, with its model,
        threshold, policy, pairs, clusters and prepared keys (nothing is scored or
        clustered again)."""
        if result.model is None or result.leads is None or result.prepared is None:
            raise InputError(
                say(
                    "this result has no model or no leads (fewer than two leads, or built "
                    "by hand); build the index with LeadIndex(leads, model=...)",
                    "该结果没有模型或线索（线索少于两条，或为手工构建）；"
                    "请用 LeadIndex(leads, model=...) 构建索引",
                )
            )
        id_column = str(result.clusters.columns[0])
        return cls(
            result.leads,
            model=result.model,
            id_column=id_column,
            columns=result.roles,
            region=result.masking.region,
            threshold=result.threshold,
            policy=result.policy,
            _pairs=result.pairs,
            _prepared=result.prepared,
            _validation=result.validation,
            _clusters=result.clusters,
            _golden=result.golden if _golden_as_held(result) else None,
        )

    # -- reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._base_position) + len(self._new_leads)

    def __contains__(self, lead_id: object) -> bool:
        return self._has(str(lead_id))

    def match(self, record: Mapping[str, Any], top: int = 5) -> MatchResult:
        """The existing leads most likely to be the same as ``record``, best first (at most
        ``top``, those at or above :data:`SHOWN_FROM` probability); a ghost record is
        flagged with its problems instead. Best first is by ``cluster_probability`` (below),
        then by ``match_weight``: a namesake whose cluster the record contradicts comes
        after the lead it may really be, however close the namesake's pair alone is.

        Each candidate's ``match_probability`` is the pair's, as the batch scores it. Its
        ``cluster_probability`` weighs the candidates against each other: the record is at
        most one of the people (clusters) found, so with odds o = p / (1 - p) of the best
        lead of each cluster, a cluster's probability is o / (1 + the sum of every found
        cluster's o). One 王伟 at a company who gives nothing else scores much the same
        against each 王伟 there; with six of them, each pair may be 0.4 but the record is
        at most one of the six (0.13 each). A candidate alone keeps its pair's
        probability. A cluster holding a lead the record contradicts (another personal
        mobile or mailbox, another name, scored below the clusters' ``cannot_link_below``)
        gets 0, as clustering would not let the record join it, unless the record's best
        pair with it is 1 - ``cannot_link_below`` or more. :attr:`MatchResult.duplicate`
        and :meth:`match_frame`'s ``exists`` read ``cluster_probability``."""
        if not isinstance(top, int) or top < 1:
            raise ConfigError(say(f"top must be a positive integer, not {top!r}",
                                  f"top 须为正整数，而不是 {top!r}"))  # fmt: skip
        with self._lock:
            values = self._values(record, _QUERY)
            ghost, problems = validate_record(values, roles=self.roles, region=self.region)
            if ghost:
                return MatchResult(flagged=True, problems=problems, threshold=self.threshold)
            row = self._prepare(values, _QUERY)
            pairs = self._candidates.candidates(row)
            found = []
            if pairs:  # the mapping of candidates is scored as it is: no second block lookup
                found = ranked(
                    self._candidates.score_columns(row, pairs), _QUERY, top,
                    clusters=self._clusters, threshold=self.threshold,
                    descriptions=self._descriptions, golden_of=self._golden_of,
                )  # fmt: skip
            return MatchResult(candidates=found, problems=problems, threshold=self.threshold)

    def match_frame(
        self, leads: pd.DataFrame, *, uncertain_from: float = SHOWN_FROM
    ) -> pd.DataFrame:
        """Check an imported list (a trade-show list, a purchased list) against the index,
        lead by lead, without adding it: one row per input lead, in order, with
        ``status`` — ``exists`` (the best match's ``cluster_probability`` reaches the
        threshold), ``uncertain`` (its ``match_probability`` reaches ``uncertain_from``),
        ``new`` or ``flagged`` (a ghost) — the best match's ``match_id``,
        ``match_probability``, ``cluster_probability``, ``cluster_id`` and the golden
        record's name, company, phone and email where the index has them."""
        check_frame(leads)
        rows = []
        for position, (_, lead) in enumerate(leads.iterrows()):
            found = self.match({str(k): v for k, v in lead.items()}, top=1)
            best = found.candidates[0] if found.candidates else None
            status = (
                "flagged"
                if found.flagged
                else "exists"
                if best is not None and best["cluster_probability"] >= self.threshold
                else "uncertain"
                if best is not None and best["match_probability"] >= uncertain_from
                else "new"
            )
            golden = best["golden"] if best else {}
            rows.append(
                {
                    "row": position,
                    "status": status,
                    "match_id": best["id"] if best else None,
                    "match_probability": best["match_probability"] if best else np.nan,
                    "cluster_probability": best["cluster_probability"] if best else np.nan,
                    "cluster_id": best["cluster_id"] if best else None,
                    **{f"golden_{r}": golden.get(r) for r in ("name", "company", "phone", "email")},
                    "problems": ";".join(found.problems),
                }
            )
        return pd.DataFrame(rows)

    def golden(self, cluster_id: str) -> dict[str, Any]:
        """The golden record of a cluster."""
        with self._lock:
            found = self._golden_of(str(cluster_id))
            if found is None:
                raise InputError(
                    say(
                        f"no cluster {cluster_id!r} in this index", f"此索引中没有簇 {cluster_id!r}"
                    )
                )
            return dict(found)

    def cluster_of(self, lead_id: str) -> str:
        """The cluster a lead is in."""
        with self._lock:
            self._known(lead_id)
            return self._clusters.cluster_of(str(lead_id))

    def clusters(self) -> pd.DataFrame:
        """One row per lead: the id column and ``cluster_id``."""
        with self._lock:
            out = self._clusters.assignments()
            return out.rename(columns={"id": self.id_column})

    # -- changing ------------------------------------------------------------------------

    def add(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Add a lead: it joins the cluster it belongs to (or a new one), whose golden record
        is recomputed. The record's id column gives its id (else one is made: ``new_1``
        ...). Returns ``id``, ``cluster_id``, ``golden`` and ``flagged``."""
        with self._lock:
            lead_id = self._new_id(record)
            return self._insert(lead_id, self._values(record, lead_id))

    def update(self, lead_id: str, record: Mapping[str, Any]) -> dict[str, Any]:
        """Replace a lead's values: it leaves its cluster and is linked again."""
        with self._lock:
            lead_id = str(lead_id)
            self._known(lead_id)
            touched = self._delete(lead_id)
            out = self._insert(lead_id, self._values({**record, self.id_column: lead_id}, lead_id))
            self._refresh_golden(set(touched))
            return out

    def remove(self, lead_id: str) -> dict[str, Any]:
        """Take a lead out: its cluster is re-clustered without it (it may split). Returns
        ``id`` and the ``clusters`` touched."""
        with self._lock:
            lead_id = str(lead_id)
            self._known(lead_id)
            touched = self._delete(lead_id)
            self._refresh_golden(set(touched))
            alive = [c for c in set(touched) if self._clusters.members(c)]
            return {"id": lead_id, "clusters": sorted(alive)}

    # -- persistence ---------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the index to the folder ``path`` (see the module docstring and
        docs/realtime.md for the files): the tables and arrays as they are, so that
        :meth:`load` reads them back without preparing, scoring or grouping anything."""
        target = Path(path)
        target.mkdir(parents=True, exist_ok=True)
        with self._lock:
            manifest = {
                "format": INDEX_FORMAT,
                "version": INDEX_VERSION,
                "id_column": self.id_column,
                "roles": self.roles,
                "region": self.region,
                "threshold": self.threshold,
                "columns": self.columns,
                "counter": self._counter,
                "model": self.model.to_dict(),
                "policy": None if self.policy is None else self.policy.to_dict(),
            }
            ids = [*self._base_position, *self._new_leads]
            base = positions(list(self._base_position.values()))
            new = list(self._new_leads)
            write_folder(
                target,
                manifest,
                leads=joined(
                    self._base_leads.take(base),
                    as_text(pd.DataFrame([self._new_leads[i] for i in new], columns=self.columns)),
                ),
                prepared=joined(
                    self._base_prepared.take(base),
                    pd.DataFrame(
                        [self._new_prepared[i] for i in new], columns=self._prepared_columns
                    ),
                ),
                ids=ids,
                problems=[";".join(self._problems_of(i)) for i in ids],
                ghosts=[i in self._ghosts for i in ids],
                golden=self._golden.table(),
                clusters=self._clusters.columns(),
                lines=self._lines,
                domains=self._domains,
                candidates=self._candidates,
            )
        return target

    @classmethod
    def load(cls, path: str | Path) -> LeadIndex:
        """Read an index written by :meth:`save`, executing nothing from it: the tables are
        memory-mapped and the arrays read as they were written."""
        folder = Path(path)
        manifest = read_manifest(folder)
        index = cls.__new__(cls)
        index._restore(manifest, folder)
        return index

    # -- inside --------------------------------------------------------------------------

    def _restore(self, manifest: Mapping[str, Any], folder: Path) -> None:
        self.model = LeadModel.from_dict(manifest["model"])
        self.id_column = str(manifest["id_column"])
        self.roles = {str(k): str(v) for k, v in manifest["roles"].items()}
        self.region = str(manifest["region"])
        self.threshold = float(manifest["threshold"])
        self.columns = [str(c) for c in manifest["columns"]]
        policy = manifest.get("policy")
        self.policy = None if policy is None else SurvivorshipPolicy.from_dict(policy)
        self._lock = threading.RLock()
        ids, problems, ghost = read_validation(folder)
        self._store(ids, read_arrow(folder / "leads.arrow"),
                    read_arrow(folder / "prepared.arrow"), problems, ghost)  # fmt: skip
        self._candidates = CandidateIndex.load(self.model, folder / "candidates")
        self._clusters = IncrementalClusters.from_columns(read_clusters(folder, manifest))
        self._golden = GoldenRecords(read_arrow(folder / "golden.arrow"))
        self._lines, self._domains = read_sources(folder)
        self._describe()
        self._counter = int(manifest.get("counter", 0))

    def _hold(
        self,
        leads: pd.DataFrame,
        prepared: pd.DataFrame,
        validation: pd.DataFrame,
        clusters: IncrementalClusters,
        golden: pd.DataFrame | None = None,
    ) -> None:
        """What a built index holds: the tables, problems and ghosts, the candidate index
        of the leads that are no ghost, the clusters, their golden records (``golden``:
        those of these very clusters, made as the index makes them, when in hand), what
        shared lines and mail domains say, and what each comparison level means."""
        ids = leads[self.id_column].astype(str).tolist()
        ghost = validation["is_ghost"].to_numpy(dtype=bool)
        problems = pa.array([";".join(map(str, p)) for p in validation["problems"]], pa.string())
        text = as_text(leads)
        self._store(ids, pa.Table.from_pandas(text, preserve_index=False),
                    pa.Table.from_pandas(prepared.reset_index(drop=True), preserve_index=False),
                    problems, ghost)  # fmt: skip
        self._candidates = CandidateIndex(self.model, prepared[~ghost])
        self._clusters = clusters
        if golden is not None:
            self._golden = GoldenRecords(pa.Table.from_pandas(golden, preserve_index=False))
        else:
            self._golden = base_golden(
                clusters.assignments(), self._base_position, text, prepared, validation,
                self.roles, self.policy,
            )  # fmt: skip
        self._lines, self._domains = _employer_sources(prepared)
        self._describe()

    def _describe(self) -> None:
        self._descriptions = {
            (self.model._display(role), level.id): level.description
            for role in self.model.roles
            for level in self.model._comparison(role).levels
        }

    def _store(
        self,
        ids: list[str],
        leads: pa.Table,
        prepared: pa.Table,
        problems: pa.Array | pa.ChunkedArray,
        ghost: np.ndarray,
    ) -> None:
        """Keep the base tables as they are (Arrow, text for the raw leads), and what
        changes beside them: a lead added or updated later is a row of its own, one
        removed is only dropped from the positions (copying a million rows on every
        change would cost more than the change)."""
        self._base_leads = leads
        self._base_prepared = prepared
        self._prepared_columns = list(prepared.column_names)
        self._base_position = dict(zip(ids, range(len(ids))))
        self._base_problems = problems
        self._ghosts = {ids[i] for i in np.flatnonzero(ghost).tolist()}
        self._new_leads: dict[str, dict[str, Any]] = {}
        self._new_prepared: dict[str, dict[str, Any]] = {}
        self._new_problems: dict[str, list[str]] = {}

    def _has(self, lead_id: str) -> bool:
        return lead_id in self._base_position or lead_id in self._new_leads

    def _problems_of(self, lead_id: str) -> list[str]:
        found = self._new_problems.get(lead_id)
        if found is not None:
            return found
        position = self._base_position.get(lead_id)
        if position is None:
            return []
        text = self._base_problems[position].as_py()
        return text.split(";") if text else []

    def _rows(self, ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The raw and prepared rows of ``ids``, in that order."""
        base = [self._base_position[i] for i in ids if i not in self._new_leads]
        new = [i for i in ids if i in self._new_leads]
        if len(ids) > _FEW_ROWS:  # column by column
            leads = joined(
                self._base_leads.take(positions(base)),
                as_text(pd.DataFrame([self._new_leads[i] for i in new], columns=self.columns)),
            ).to_pandas()
            prepared = joined(
                self._base_prepared.take(positions(base)),
                pd.DataFrame([self._new_prepared[i] for i in new], columns=self._prepared_columns),
            ).to_pandas()
        else:  # the clusters one change touches: row by row (Arrow's set-up costs more)
            taken = [self._base_leads.take(positions(base)).to_pylist()] if base else []
            leads = pd.DataFrame(
                [*(r for rows in taken for r in rows), *(self._new_leads[i] for i in new)],
                columns=self.columns,
            )
            taken = [self._base_prepared.take(positions(base)).to_pylist()] if base else []
            prepared = pd.DataFrame(
                [*(r for rows in taken for r in rows), *(self._new_prepared[i] for i in new)],
                columns=self._prepared_columns,
            )
        leads = leads.astype(object).where(leads.notna(), None)
        position = {
            lead_id: i
            for i, lead_id in enumerate([i for i in ids if i not in self._new_leads] + new)
        }
        again = [position[i] for i in ids]
        return leads.iloc[again].reset_index(drop=True), prepared.iloc[again].reset_index(drop=True)

    def _known(self, lead_id: str) -> None:
        if not self._has(str(lead_id)):
            raise InputError(
                say(f"no lead {lead_id!r} in this index", f"此索引中没有线索 {lead_id!r}")
            )

    def _new_id(self, record: Mapping[str, Any]) -> str:
        given = record.get(self.id_column)
        if given is not None and str(given).strip():
            lead_id = str(given).strip()
            if self._has(lead_id):
                raise InputError(
                    say(
                        f"lead {lead_id!r} is in the index already; use update() to change it",
                        f"线索 {lead_id!r} 已在索引中；请用 update() 修改",
                    )
                )
            return lead_id
        while True:
            self._counter += 1
            lead_id = f"new_{self._counter}"
            if not self._has(lead_id):
                return lead_id

    def _values(self, record: Mapping[str, Any], lead_id: str) -> dict[str, Any]:
        """``record`` as a row of the index's columns (role names are read as the role's
        column), its id in the id column."""
        if not isinstance(record, Mapping):
            raise InputError(
                say(
                    f"a record is a mapping of columns to values, not {type(record).__name__}",
                    f"记录须为“列 → 值”的映射，而不是 {type(record).__name__}",
                )
            )
        values: dict[str, Any] = dict.fromkeys(self.columns)
        unknown = []
        for key, value in record.items():
            key = str(key)
            if key in values:
                values[key] = value
            elif key in self.roles:
                values[self.roles[key]] = value
            elif key in ROLES:
                continue  # a role the base has no column for: nothing to compare it with
            else:
                unknown.append(key)
        if unknown:
            raise InputError(
                say(
                    f"unknown field(s) {sorted(unknown)!r}; a record takes the index's columns "
                    f"({', '.join(map(repr, self.columns[:12]))}) or role names "
                    f"({', '.join(self.roles)})",
                    f"未知字段 {sorted(unknown)!r}；记录可使用索引的列"
                    f"（{', '.join(map(repr, self.columns[:12]))}）或角色名（{', '.join(self.roles)}）",
                )
            )
        values[self.id_column] = lead_id
        return values

    def _prepare(self, values: Mapping[str, Any], lead_id: str) -> dict[str, Any]:
        """The prepared row of a new record, with what the whole table would have told the
        batch read from the index (shared lines, employers)."""
        row = prepare_record(
            values, roles=self.roles, id_value=lead_id, region=self.region, extra=self.model.extra
        )
        phone = row["phone"]
        if isinstance(phone, str) and phone in self._lines:
            shared, employer = self._lines[phone]
            if shared:
                row["phone_shared"] = 1
            if row["employer"] is None and employer is not None and shared:
                row["employer"], row["employer_latin"] = employer
        domain = row["email_domain"]
        if (
            row["employer"] is None
            and isinstance(domain, str)
            and row["email_free"] == 0
            and domain in self._domains
        ):
            row["employer"], row["employer_latin"] = self._domains[domain]
        return row

    def _score(self, row: Mapping[str, Any]) -> pd.DataFrame:
        found = self._candidates.candidates(row)
        if not found:
            return _no_pairs()
        return self._candidates.score(row, found)  # the mapping: no second block lookup

    def _insert(self, lead_id: str, values: dict[str, Any]) -> dict[str, Any]:
        ghost, problems = validate_record(values, roles=self.roles, region=self.region)
        row = self._prepare(values, lead_id)
        pairs = _no_pairs() if ghost else self._score(row)
        self._new_leads[lead_id] = values
        self._new_prepared[lead_id] = row
        self._new_problems[lead_id] = problems
        if ghost:
            self._ghosts.add(lead_id)
        else:
            self._candidates.add(pd.DataFrame([row], columns=self._prepared_columns))
            self._note_sources(row)
        cluster = self._clusters.add(lead_id, pairs)
        # every cluster the re-clustering changed, those that vanished included
        self._refresh_golden(set(self._clusters.last_changed) | {cluster})
        return {
            "id": lead_id,
            "cluster_id": cluster,
            "golden": dict(self._golden_of(cluster) or {}),
            "flagged": ghost,
        }

    def _delete(self, lead_id: str) -> list[str]:
        before = self._clusters.cluster_of(lead_id)
        touched = [before, *self._clusters.remove(lead_id)]
        if lead_id not in self._ghosts:
            self._candidates.remove(lead_id)
        self._ghosts.discard(lead_id)
        self._new_problems.pop(lead_id, None)
        self._new_leads.pop(lead_id, None)
        self._new_prepared.pop(lead_id, None)
        self._base_position.pop(lead_id, None)
        return touched

    def _note_sources(self, row: Mapping[str, Any]) -> None:
        phone = row["phone"]
        if phone is not None and row["phone_shared"] == 1:
            _, employer = self._lines.get(phone, (True, None))
            if employer is None and row["employer"] is not None:
                employer = (row["employer"], row["employer_latin"])
            self._lines[phone] = (True, employer)

    def _refresh_golden(self, clusters: Iterable[str]) -> None:
        """Recompute the golden records of ``clusters`` with the index's policy; a cluster
        that no longer exists loses its record."""
        wanted = sorted(set(clusters))
        assignments = pd.DataFrame(
            [(m, c) for c in wanted for m in self._clusters.members(c)],
            columns=["id", "cluster_id"],
        )
        if assignments.empty:
            self._golden.replace(wanted, None)
            return
        ids = assignments["id"].astype(str).tolist()
        leads, prepared = self._rows(ids)
        validation = pd.DataFrame(
            {
                "is_ghost": [i in self._ghosts for i in ids],
                "problems": [self._problems_of(i) for i in ids],
            }
        )
        golden = golden_records(
            leads,
            prepared,
            assignments.reset_index(drop=True),
            self.roles,
            policy=self.policy,
            validation=validation,
        )
        self._golden.replace(wanted, golden)

    def _golden_of(self, cluster_id: str) -> dict[str, Any] | None:
        """A cluster's golden record, JSON-ready; None for a cluster the index lacks."""
        return self._golden.of(cluster_id, exists=bool(self._clusters.members(cluster_id)))


def _given_clusters(clusters: pd.DataFrame | None, ids: pd.Series) -> list[str] | None:
    """Each lead's cluster id from a result's ``clusters`` (the id column, then
    ``cluster_id``), when they list exactly ``ids`` in that order; else None (the pairs
    are clustered again: a result put together by hand)."""
    if clusters is None or "cluster_id" not in clusters.columns or len(clusters) != len(ids):
        return None
    listed = clusters.iloc[:, 0].astype(str).to_numpy(dtype=object)
    if not np.array_equal(listed, ids.astype(str).to_numpy(dtype=object)):
        return None
    return clusters["cluster_id"].astype(str).tolist()


def _no_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id_l": pd.Series(dtype=object),
            "id_r": pd.Series(dtype=object),
            "match_weight": pd.Series(dtype=float),
            "match_probability": pd.Series(dtype=float),
        }
    )


def _employer_sources(
    prepared: pd.DataFrame,
) -> tuple[dict[str, tuple[bool, tuple[Any, Any] | None]], dict[str, tuple[Any, Any]]]:
    """What a shared line and a company mail domain say in the index: per phone, whether it
    is a shared line and the employer most of its leads give; per company mail domain, the
    employer most of its leads give."""

    def most_given(rows: pd.DataFrame, key: str) -> dict[str, tuple[Any, Any]]:
        named = rows[rows["employer"].notna()]
        if named.empty:
            return {}
        counts = (
            named.groupby([key, "employer"], sort=False)
            .agg(n=("employer", "size"), latin=("employer_latin", "first"))
            .reset_index()
            .sort_values([key, "n"], ascending=[True, False], kind="stable")
            .drop_duplicates(key)
        )
        return {
            str(k): (e, la) for k, e, la in zip(counts[key], counts["employer"], counts["latin"])
        }

    shared = prepared[(prepared["phone_shared"] == 1) & prepared["phone"].notna()]
    employers = most_given(shared, "phone")
    lines: dict[str, tuple[bool, tuple[Any, Any] | None]] = {
        str(phone): (True, employers.get(str(phone))) for phone in shared["phone"].unique()
    }
    corporate = prepared[(prepared["email_free"] == 0) & prepared["email_domain"].notna()]
    return lines, most_given(corporate, "email_domain")
