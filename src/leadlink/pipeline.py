"""dedupe(): the stages in order — columns, validate, prepare, model, cluster, golden."""

from __future__ import annotations

import contextlib
import logging
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from leadlink._i18n import say
from leadlink._progress import ProgressLike, stages
from leadlink._run_warnings import what_went_wrong
from leadlink.clean import (
    OutputMasking,
    ParsedColumns,
    check_region,
    prepare,
    settle_region,
    validate,
)
from leadlink.errors import ColumnError, ConfigError, InputError, LeadlinkWarning
from leadlink.match import (
    DEFAULT_MAX_BLOCK_SIZE,
    DEFAULT_THRESHOLD,
    LeadModel,
    check_backend,
    check_max_pairs,
    check_threshold,
    database_api,
    is_spark_frame,
    is_spark_session,
)
from leadlink.merge import (
    DEFAULT_LARGE,
    DEFAULT_QUEUE_SIZE,
    DEFAULT_WEAK_BELOW,
    DecisionsLike,
    ReviewContext,
    ReviewQueue,
    SurvivorshipPolicy,
    apply_decisions,
    cluster_pairs,
    conflicts,
    golden_records,
    lineage,
    read_decisions,
    refresh_golden,
    review_clusters,
    review_queue,
)
from leadlink.schema import (
    COMPARED_ROLES,
    MATCH_ROLES,
    ROLES,
    ROW_ID_COLUMN,
    check_frame,
    check_ids,
    describe_columns,
    find_id_column,
    resolve_columns,
    with_row_ids,
)

if TYPE_CHECKING:
    from leadlink.match import DatabaseAPI

__all__ = [
    "DedupeResult",
    "PolicyLike",
    "check_match_roles",
    "dedupe",
    "load_result",
    "resolve_policy",
]

logger = logging.getLogger(__name__)

#: The stages ``dedupe(progress=...)`` shows, in order (training only without a model).
_STAGES = ("validate", "prepare", "train", "score", "cluster", "golden")

#: What ``dedupe(policy=...)`` takes: a policy, its plain-data form, or a JSON file path.
PolicyLike = SurvivorshipPolicy | Mapping[str, Any] | str | PathLike[str]


@dataclass
class DedupeResult:
    """What :func:`dedupe` returns.

    Attributes:
        clusters: one row per input lead, in input order: the id column (as text, the way
            golden records, lineage and pairs write it: spaces stripped, ``7.0`` as ``7``)
            and ``cluster_id``.
        golden: one row per cluster: ``cluster_id``, ``n_leads``, the survived fields.
        pairs: scored pairs (``id_l``, ``id_r``, ``match_weight``, ``match_probability``, the
            blocking preset and the comparison level per role).
        model: the trained :class:`~leadlink.LeadModel` (None when fewer than two
            leads could be matched, so there was nothing to train on).
        validation: :func:`leadlink.validate` output, aligned with the input.
        roles: the role → column mapping that was used.
        threshold: the match probability at which pairs were linked.
        timings: seconds per stage.
        leads: the input leads (index reset), aligned row by row with ``prepared``.
        prepared: :func:`leadlink.prepare` output for ``leads`` — the match keys that
            :func:`~leadlink.golden_records`, :func:`~leadlink.conflicts` and
            :func:`~leadlink.review_clusters` take, so they need not be recomputed.
            It holds normalised phones and emails: do not log it.
        policy: the :class:`~leadlink.SurvivorshipPolicy` that built ``golden``.
        masking: how ``golden``, :meth:`lineage` and :meth:`conflicts` show phones, emails
            and names (``dedupe(outputs=..., mask_names=...)``); ``leads`` and
            ``prepared`` are never masked.
        decisions: the analyst's decisions on pairs this result honours (``id_l``, ``id_r``,
            ``label``; see :func:`leadlink.merge.read_decisions`); ``pairs`` shows them
            applied (probability 1 or 0, ``rule`` ``must_link: decision`` /
            ``never_link: decision``).

    ``leads`` and ``prepared`` are None only in a result built by hand; :meth:`conflicts`
    and :meth:`review` need them.
    """

    clusters: pd.DataFrame
    golden: pd.DataFrame
    pairs: pd.DataFrame
    model: LeadModel | None
    validation: pd.DataFrame
    roles: dict[str, str]
    threshold: float
    timings: dict[str, float] = field(default_factory=dict)
    leads: pd.DataFrame | None = field(default=None, repr=False)
    prepared: pd.DataFrame | None = field(default=None, repr=False)
    policy: SurvivorshipPolicy | None = None
    masking: OutputMasking = field(default_factory=OutputMasking, repr=False)
    decisions: pd.DataFrame = field(default_factory=lambda: read_decisions(None), repr=False)
    # (clusters, pairs, prepared, context): review() and review_queue() share one context
    _review_held: tuple[Any, Any, Any, ReviewContext] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def n_ghosts(self) -> int:
        return int(self.validation["is_ghost"].sum())

    def summary(self) -> dict[str, Any]:
        """Counts a person reads first: leads, ghosts, clusters, merged leads."""
        sizes = self.golden["n_leads"]
        return {
            "leads": len(self.clusters),
            "ghosts": self.n_ghosts,
            "clusters": len(self.golden),
            "clusters_with_duplicates": int((sizes > 1).sum()),
            "leads_merged_away": int((sizes - 1).sum()),
            "largest_cluster": int(sizes.max()) if len(sizes) else 0,
            "scored_pairs": len(self.pairs),
        }

    def lineage(self) -> pd.DataFrame:
        """Where each golden value came from: ``cluster_id``, ``role``, ``value``,
        ``lead_id`` (see :func:`leadlink.lineage`)."""
        return lineage(self.golden)

    def conflicts(self) -> pd.DataFrame:
        """Every alternative value where a cluster's members disagree, with ``survived``
        marking the golden record's value (see :func:`leadlink.conflicts`)."""
        leads, prepared = self._inputs("conflicts")
        found = conflicts(leads, prepared, self.clusters, self.roles, golden=self.golden)
        return self.masking.rows(found, values=("value",), keys=("key",))

    def review(
        self,
        *,
        large: int = DEFAULT_LARGE,
        weak_below: float = DEFAULT_WEAK_BELOW,
        threshold: float | None = None,
    ) -> pd.DataFrame:
        """Clusters worth a human look, one row per cluster and reason (see
        :func:`leadlink.review_clusters`); ``threshold`` defaults to the one the
        clusters were linked at."""
        _, prepared = self._inputs("review")
        return review_clusters(
            self.clusters,
            self.pairs,
            prepared,
            large=large,
            weak_below=weak_below,
            threshold=self.threshold if threshold is None else threshold,
            context=self._review_context(prepared),
        )

    def review_queue(
        self,
        *,
        size: int | None = DEFAULT_QUEUE_SIZE,
        value: str | Sequence[float] | pd.Series | None = None,
    ) -> ReviewQueue:
        """The uncertain merges and near misses, ranked by the leads (or the value) each
        decision is expected to put right: the first ``size`` (None: all) with a summary
        of the rest (see :func:`leadlink.merge.review_queue`). ``value`` is a column of
        ``leads`` (a deal amount, a lead score) or one number per lead."""
        leads, prepared = self._inputs("review_queue")
        if isinstance(value, str):
            if value not in leads.columns:
                raise ColumnError(
                    say(
                        f"value column {value!r} is not in the leads (they have "
                        f"{describe_columns(leads.columns, limit=10)})",
                        f"value 列 {value!r} 不在线索中（线索的列为 "
                        f"{describe_columns(leads.columns, limit=10)}）",
                    )
                )
            value = leads[value]
        return review_queue(
            self.clusters,
            self.pairs,
            prepared,
            size=size,
            value=value,
            threshold=self.threshold,
            context=self._review_context(prepared),
        )

    def _review_context(self, prepared: pd.DataFrame) -> ReviewContext | None:
        """What the review and the review queue both work out (the leads' clusters, where
        each pair's leads are, the disputed identifiers; seconds at a million leads),
        found once for both, again if ``clusters``, ``pairs`` or ``prepared`` was
        replaced; None for pairs without their ids or probabilities (the review says what
        is wrong with them)."""
        needed = {"id_l", "id_r", "match_probability"}
        if not needed <= set(self.pairs.columns) or "unique_id" not in prepared:
            return None
        held = self._review_held
        if held is None or any(
            a is not b for a, b in zip(held, (self.clusters, self.pairs, prepared))
        ):
            context = ReviewContext.of(self.clusters, self.pairs, prepared)
            held = (self.clusters, self.pairs, prepared, context)
            self._review_held = held
        return held[3]

    def at_threshold(
        self, threshold: float, *, decisions: DecisionsLike | None = None
    ) -> DedupeResult:
        """The same leads clustered again at another ``threshold``, from the pairs already
        scored: no preparing, training or scoring, only clustering and the golden records
        of the clusters that changed. ``decisions`` adds an
        analyst's labelled pairs to those this result already honours (a later decision
        on the same pair wins); the new result keeps them all."""
        threshold = check_threshold(threshold)
        leads, prepared = self._inputs("at_threshold")
        merged = read_decisions(
            pd.concat([self.decisions, read_decisions(decisions)], ignore_index=True)
        )
        id_column = self.clusters.columns[0]
        ids = self.clusters[id_column]
        pairs = apply_decisions(self.pairs, merged, ids)
        started = time.perf_counter()
        _, clusters = _clusters(ids, pairs, threshold, id_column)
        golden = refresh_golden(
            self.golden, self.clusters, clusters, leads, prepared, self.roles,
            policy=self.policy, validation=self.validation, shown=self.masking.columns,
        )  # fmt: skip
        return replace(
            self,
            clusters=clusters,
            golden=golden,
            pairs=pairs,
            threshold=threshold,
            timings={"recluster": round(time.perf_counter() - started, 3)},
            decisions=merged,
        )

    def _inputs(self, method: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        if self.leads is None or self.prepared is None:
            raise InputError(
                say(
                    f"this DedupeResult has no leads or prepared table, which {method}() needs; "
                    "use the result of leadlink.dedupe(), or build it with leads=... and "
                    "prepared=leadlink.prepare(leads, roles, id_column=...)",
                    f"此 DedupeResult 没有 leads 或预处理表，而 {method}() 需要它们；"
                    "请使用 leadlink.dedupe() 的结果，或用 leads=... 和 "
                    "prepared=leadlink.prepare(leads, roles, id_column=...) 构建",
                )
            )
        return self.leads, self.prepared


def dedupe(
    leads: pd.DataFrame,
    *,
    id_column: str | None = "lead_id",
    columns: Mapping[str, str | None] | None = None,
    threshold: float | None = None,
    backend: str | DatabaseAPI | None = None,
    seed: int = 0,
    model: LeadModel | None = None,
    extra_columns: Mapping[str, str] | None = None,
    must_link: Sequence[str] = (),
    never_link: Sequence[str] = (),
    hash_key: bytes | str | None = None,
    outputs: str = "clear",
    mask_names: bool = False,
    match_ghosts: bool = False,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
    blocking: Sequence[str] | None = None,
    max_pairs: int | None = None,
    region: str | None = None,
    policy: PolicyLike | None = None,
    decisions: DecisionsLike | None = None,
    progress: ProgressLike = None,
    entity: str | None = None,
) -> DedupeResult:
    """Find the leads that are the same person and build one golden record per person.

    Args:
        leads: the raw leads, one row per lead.
        id_column: the column holding a unique id per lead. When the default ``lead_id`` is
            not in the table, a column with an id-like header (``id``, ``Id``, ``线索ID``,
            ``record_id`` ...; see :data:`leadlink.schema.ID_HEADERS`) and unique values is
            used, with a :class:`~leadlink.LeadlinkWarning` that names it; with none, or
            with ``id_column=None``, the leads are numbered ``row_1``, ``row_2`` ... in
            input order (the first lead is ``row_1``) in a ``row_id`` column that every
            output uses, and a warning says so.
        columns: role → column, for headers that are not detected (``{"phone": "手机"}``);
            a role mapped to None is not detected (``{"phone": None}``), so that its column
            can be left alone or compared as your own with ``extra_columns``.
        threshold: match probability at which two leads are linked (default: the model's).
        backend: where the model trains and scores: ``None`` or ``"duckdb"`` (the embedded
            DuckDB), ``"spark"`` (the active SparkSession, else a local one; needs
            ``pip install 'leadlink[spark]'`` and Java), a ``SparkSession``, or a Splink
            database API such as ``splink.SparkAPI(spark_session=spark)``. Leads given as a
            Spark DataFrame (or a Parquet path with a Spark backend) are deduplicated on
            Spark end to end, and a :class:`leadlink.spark.SparkDedupeResult` is returned
            (see :func:`leadlink.spark.dedupe_spark`).
        seed: seed for the random sampling in training.
        model: a trained model to use instead of training one on these leads.
        extra_columns: your own columns to compare too, column → kind (``"exact"``,
            ``"fuzzy"``, ``"date"``, ``"numeric"``), e.g. ``{"tax_id": "exact"}``.
        must_link: roles (or extra columns) whose equal values always mean one person.
        never_link: roles (or extra columns) whose different values never do.
        hash_key: a secret; phones and emails are matched as keyed hashes (HMAC-SHA256)
            so the database tables, pairs and model never hold them in clear.
        outputs: how the golden records, lineage and conflicts show phones and emails:
            ``"clear"`` (as entered), ``"masked"`` (``+86138****8000``,
            ``z***@example.com``) or ``"hashed"`` (their keyed hashes under ``hash_key``,
            the same as the prepared table's).
        mask_names: also mask names in those outputs (``张*``, ``Z*** W***``).
        match_ghosts: also match leads that :func:`leadlink.validate` flags as ghosts
            (by default they are kept out of matching and stay single).
        max_block_size: a blocking key shared by more leads is not used on its own (2 to
            :data:`~leadlink.match.MAX_BLOCK_SIZE_LIMIT`).
        blocking: the blocking presets to train with (default: every preset whose roles
            are present; see :data:`leadlink.match.PRESET_NAMES`).
        max_pairs: the most pairs the blocks may make (default
            :data:`~leadlink.match.DEFAULT_PAIRS_PER_LEAD` a lead, at least a million);
            more stop the run before any pair is made, with a
            :class:`~leadlink.ResourceError` that names the preset making the most.
        region: default phone region for numbers without a country code (a code
            phonenumbers knows: ``"CN"``, ``"US"`` ...; refused otherwise). ``None``: CN,
            unless most numbers are not valid there but are in one other region, which is
            then used, with a warning; a region given is kept (a warning suggests the
            other one).
        policy: which value survives into the golden records: a
            :class:`~leadlink.SurvivorshipPolicy`, the same as plain data
            (``{"rules": {"phone": ["source_priority", "most_recent"]}, "sources": ["CRM"]}``)
            or the path of a JSON file holding it (see ``docs/golden.md``); default
            :data:`~leadlink.merge.DEFAULT_RULES`.
        decisions: an analyst's labelled pairs to honour — a table of ``id_l``, ``id_r``,
            ``label`` (``match`` / ``non_match``) or the path of a CSV or Parquet file of
            them (see :func:`leadlink.merge.read_decisions`): a match links the two leads,
            a non-match keeps them apart, whatever the model scores.
        progress: how the run shows its stages (validate, prepare, train, score, cluster,
            golden): ``True`` a progress bar (tqdm: a widget in Jupyter, text on stderr
            elsewhere), ``False`` nothing, a function to call with a short message as each
            stage starts, or ``None`` (the default) a bar inside a Jupyter kernel and
            nothing in scripts. Messages give counts only, never a lead's values.
        entity: what one record is: ``"person"`` (a lead, the default) or ``"company"``
            (an account: organisation lists and B2B lists where the unit is the
            organisation). Accounts are compared by their organisation name with branches,
            sites and subsidiaries kept apart (``Acme - Berlin Branch`` is not ``Acme``),
            legal forms in many languages, word order and abbreviations ignored; by phone
            (a number without its area code meets the full one), address, postcode,
            website and mail domain. A company name alone is enough. With ``model``, the
            model's entity is used (a different one given is refused).

    Warns:
        LeadlinkWarning: the id column was found (or the leads numbered) for lack of
            ``lead_id``; or, on 20 leads or more, the run did less than asked, each reason
            with what to map instead: a mapped role almost no lead has a usable value in (or
            all the same one), most phones invalid for ``region``, nothing could be
            trained, no pair of leads was compared, no pair reached the threshold.
    """
    if is_spark_frame(leads) or (
        isinstance(leads, (str, PathLike)) and (backend == "spark" or is_spark_session(backend))
    ):
        # Leads in Spark stay there: the stages run on the executors (leadlink.spark).
        options = {name: value for name, value in locals().items() if name != "leads"}
        from leadlink.spark import dedupe_spark

        return cast(DedupeResult, dedupe_spark(leads, **options))
    check_backend(backend)
    given_region = None if region is None else check_region(region)
    # (its region is settled below, once the phone column is known)
    masking = OutputMasking(
        outputs, names=mask_names, hash_key=hash_key, region=given_region or "CN"
    )
    # Every option is checked before any work: a typo should not cost a run.
    if threshold is not None:
        threshold = check_threshold(threshold)
    if max_pairs is not None:
        max_pairs = check_max_pairs(max_pairs)
    survivorship = resolve_policy(policy)
    decided = read_decisions(decisions)
    check_frame(leads)
    if leads.empty:
        raise InputError(
            say("the input has no leads; nothing to deduplicate", "输入中没有线索；无需去重")
        )
    leads, id_column = _id_column(leads, id_column)
    ids = check_ids(leads, id_column)
    roles = resolve_columns(leads, columns, id_column=id_column)
    region = settle_region(leads[roles["phone"]] if "phone" in roles else (), given_region)
    masking = replace(masking, region=region)
    # Roles mapped to None stay unmapped in validation too (it would detect them again).
    unmapped = {role: None for role, column in (columns or {}).items() if column is None}
    check_match_roles(roles, leads.columns)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[stage] = round(now - started, 3)
        started = now

    if model is not None:
        if extra_columns is not None and dict(extra_columns) != model.extra:
            raise ConfigError(
                say(
                    f"extra_columns {dict(extra_columns)!r} differ from the model's "
                    f"{model.extra!r}; leave extra_columns out when passing a trained model",
                    f"extra_columns {dict(extra_columns)!r} 与模型的 {model.extra!r} 不一致；"
                    "传入已训练的模型时请不要再给 extra_columns",
                )
            )
        extra = dict(model.extra)
        for name, given, trained in (
            ("must_link", tuple(must_link), model.must_link),
            ("never_link", tuple(never_link), model.never_link),
        ):
            if given and given != trained:
                raise ConfigError(
                    say(
                        f"{name} {list(given)} differs from the model's {list(trained)}; "
                        "rules are part of the model — leave them out when passing a model",
                        f"{name} {list(given)} 与模型的 {list(trained)} 不一致；"
                        "这些规则是模型的一部分——传入模型时请不要再给它们",
                    )
                )
        if blocking is not None and tuple(blocking) != model.blocking:
            raise ConfigError(_blocking_differs(blocking, model.blocking))
        if entity is not None and entity != model.entity:
            raise ConfigError(
                say(
                    f"entity={entity!r} differs from the model's {model.entity!r}; leave it "
                    "out when passing a trained model, or train one for this entity",
                    f"entity={entity!r} 与模型的 {model.entity!r} 不一致；传入已训练的模型时"
                    "请不要再给 entity，或为该实体重新训练模型",
                )
            )
    else:
        extra = dict(extra_columns or {})
    # A column the model already compares (or the id) cannot be compared twice; a role it
    # does not compare (an address, a source) can be one of the user's own columns.
    compared = {column for role, column in roles.items() if role in COMPARED_ROLES}
    clash = sorted(set(extra) & (compared | {id_column}))
    if clash:
        raise ConfigError(
            say(
                f"extra_columns {clash!r} are already compared as roles "
                f"({', '.join(COMPARED_ROLES)}) or are the id; list only other columns",
                f"extra_columns {clash!r} 已作为角色（{', '.join(COMPARED_ROLES)}）"
                "参与比较，或是 ID 列；请只列出其他列",
            )
        )
    # The model to train, made now so that its options are checked before any work.
    untrained = (
        LeadModel(
            threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
            max_block_size=max_block_size,
            blocking=blocking,
            seed=seed,
            extra=extra,
            must_link=must_link,
            never_link=never_link,
            max_pairs=max_pairs,
            entity="person" if entity is None else entity,
        )
        if model is None
        else None
    )
    leads = leads.reset_index(drop=True)
    with stages(progress, total=len(_STAGES)) as tell:
        tell(say(f"validating {len(leads)} leads", f"正在校验 {len(leads)} 条线索"))
        # each distinct phone and email is parsed once, for both stages
        parsed = ParsedColumns(leads, region)
        validation = validate(
            leads,
            columns=cast(Mapping[str, str], {**roles, **unmapped}),
            region=region,
            parsed=parsed,
        )
        lap("validate")
        tell(say("preparing match keys", "正在生成匹配键"))
        prepared = prepare(
            leads,
            roles,
            id_column=id_column,
            region=region,
            extra=extra,
            hash_key=hash_key,
            parsed=parsed,
        )
        del parsed  # (several hundred thousand parsed numbers at 1M leads)
        lap("prepare")
        matchable = prepared if match_ghosts else prepared[~validation["is_ghost"].to_numpy()]
        db_api = database_api(backend) if len(matchable) >= 2 else None
        # trained and scored on the same table: its copies and keys are found once
        with untrained.reusing() if untrained is not None else contextlib.nullcontext():
            if untrained is not None and len(matchable) >= 2:
                tell(
                    say(
                        f"training the match model on {len(matchable)} leads",
                        f"正在用 {len(matchable)} 条线索训练匹配模型",
                    )
                )
                model = untrained.fit(matchable, db_api=db_api)
                lap("train")
            used_threshold = (
                threshold
                if threshold is not None
                else (model.threshold if model is not None else DEFAULT_THRESHOLD)
            )
            if model is not None and len(matchable) >= 2:
                tell(say("scoring candidate pairs", "正在给候选线索对打分"))
                # Every blocked pair is kept: the low scores are what stops chains in clustering.
                pairs = model.predict(
                    matchable, min_probability=0.0, db_api=db_api, max_pairs=max_pairs
                )
            else:
                pairs = pd.DataFrame(
                    {
                        "id_l": pd.Series(dtype=object),
                        "id_r": pd.Series(dtype=object),
                        "match_weight": pd.Series(dtype=float),
                        "match_probability": pd.Series(dtype=float),
                    }
                )
        pairs = apply_decisions(pairs, decided, ids)
        lap("predict")
        tell(say("clustering", "正在聚类"))
        clustered, clusters = _clusters(ids, pairs, used_threshold, id_column)
        lap("cluster")
        tell(say("building golden records", "正在生成黄金记录"))
        golden = masking.columns(
            golden_records(
                leads, prepared, clustered, roles, policy=survivorship, validation=validation
            )
        )
        lap("golden")
        for message in what_went_wrong(
            roles, extra, prepared, validation, model, pairs, clustered,
            trained=untrained is not None, matchable=len(matchable),
            threshold=used_threshold, region=region,
            entity=model.entity if model is not None else (entity or "person"),
        ):  # fmt: skip
            warnings.warn(message, LeadlinkWarning, stacklevel=2)
        logger.info(
            "dedupe: %d leads, %d ghosts, %d clusters",
            len(leads),
            int(validation["is_ghost"].sum()),
            len(golden),
        )
        return DedupeResult(
            clusters=clusters,
            golden=golden,
            pairs=pairs,
            model=model,
            validation=validation,
            roles=roles,
            threshold=used_threshold,
            timings=timings,
            leads=leads,
            prepared=prepared,
            policy=survivorship,
            masking=masking,
            decisions=decided,
        )


def _id_column(leads: pd.DataFrame, id_column: str | None) -> tuple[pd.DataFrame, str]:
    """The leads and their id column: ``id_column`` when given and present; for the default
    ``lead_id`` when absent, a column with an id-like header, said in a warning; else row
    numbers (``row_1`` ...) in a new column, said in a warning too."""
    if id_column is not None and (id_column in leads.columns or id_column != "lead_id"):
        return leads, id_column  # check_ids refuses a named column that is not there
    if id_column is not None:
        found = find_id_column(leads)
        if found is not None:
            warnings.warn(
                say(
                    f"no {id_column!r} column: the lead ids are taken from {found!r} "
                    f"(pass id_column=... or --id-column to choose another)",
                    f"没有 {id_column!r} 列：线索 ID 取自 {found!r} 列"
                    "（可用 id_column=... 或 --id-column 指定其他列）",
                ),
                LeadlinkWarning,
                stacklevel=3,
            )
            return leads, found
    numbered, name = with_row_ids(leads)
    warnings.warn(
        say(
            (
                "no id column"
                if id_column is None
                else f"no {id_column!r} column and none that looks like an id"
            )
            + f": the leads are numbered row_1 to row_{len(leads)} in input order, in a "
            f"{name!r} column of every output (pass id_column=... or --id-column to use "
            "your own ids)",
            ("没有 ID 列" if id_column is None else f"没有 {id_column!r} 列，也没有像 ID 的列")
            + f"：线索按输入顺序编号为 row_1 至 row_{len(leads)}，写在各输出的 {name!r} 列中"
            "（可用 id_column=... 或 --id-column 指定自己的 ID）",
        ),
        LeadlinkWarning,
        stacklevel=3,
    )
    return numbered, name


def _clusters(
    ids: pd.Series, pairs: pd.DataFrame, threshold: float, id_column: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clusters at ``threshold``: as :func:`~leadlink.merge.cluster_pairs` gives them, and
    as ``DedupeResult.clusters`` shows them (the id column and ``cluster_id``)."""
    clustered = cluster_pairs(ids, pairs, threshold=threshold)
    # The id as check_ids wrote it (" L1" -> "L1", 7.0 -> "7"), as golden records, lineage
    # and pairs write it: the outputs join on one id text.
    clusters = pd.DataFrame({id_column: ids.to_numpy(), "cluster_id": clustered["cluster_id"]})
    return clustered, clusters


def _blocking_differs(given: Sequence[str], trained: Sequence[str] | None) -> str:
    shown = None if trained is None else list(trained)
    return say(
        f"blocking {list(given)} differs from the model's {shown}; the blocking presets are "
        "part of the model — leave blocking out when passing a model",
        f"blocking {list(given)} 与模型的 {shown} 不同；分块预设是模型的一部分"
        "——传入模型时请不要再给 blocking",
    )


def resolve_policy(policy: PolicyLike | None) -> SurvivorshipPolicy:
    """The survivorship policy that ``policy`` stands for (checked before any work)."""
    if policy is None:
        return SurvivorshipPolicy()
    if isinstance(policy, SurvivorshipPolicy):
        return policy
    if isinstance(policy, Mapping):
        return SurvivorshipPolicy.from_dict(policy)
    if isinstance(policy, (str, PathLike)):
        return SurvivorshipPolicy.from_file(policy)
    raise ConfigError(
        say(
            f"policy must be a SurvivorshipPolicy, a dict like "
            f'{{"rules": {{"email": ["first_valid", "most_recent"]}}}} or the path of a JSON '
            f"file holding one, not {type(policy).__name__}",
            f"policy 须为 SurvivorshipPolicy、形如 "
            f'{{"rules": {{"email": ["first_valid", "most_recent"]}}}} 的 dict，'
            f"或存有这样内容的 JSON 文件路径，而不是 {type(policy).__name__}",
        )
    )


def check_match_roles(roles: Mapping[str, str], columns: Iterable[object]) -> None:
    """Refuse leads none of whose ``columns`` took a role that is matched on (``roles`` as
    :func:`~leadlink.schema.resolve_columns` found them): there would be nothing to compare.
    One check for :func:`dedupe` and the Spark pipeline, before any work."""
    if not set(roles) & set(MATCH_ROLES):
        raise ColumnError(
            say(
                "none of the columns could be matched to a name, phone, email, company or city "
                f"role (the input has {describe_columns(columns, limit=10)}); map them with "
                "columns={'name': '...', 'phone': '...'}",
                "没有任何列能对应到姓名、电话、邮箱、公司或城市角色"
                f"（输入的列为 {describe_columns(columns, limit=10)}）；请用 "
                "columns={'name': '...', 'phone': '...'} 指定",
            )
        )


def load_result(
    folder: str | PathLike[str],
    leads: pd.DataFrame,
    *,
    threshold: float | None = None,
    decisions: DecisionsLike | None = None,
    hash_key: bytes | str | None = None,
) -> DedupeResult:
    """A ``leadlink dedupe`` output folder back as a :class:`DedupeResult`, clustered again
    at ``threshold`` (default: the run's) — without training or scoring: the pairs come from
    the folder's ``pairs.parquet``, the model, settings and decisions from its
    ``model.json``, manifest and ``decisions.csv``; only the leads are validated and
    prepared again, for the golden records.

    Args:
        folder: the ``--output-dir`` of ``leadlink dedupe`` (or ``demo``, ``rethreshold``).
        leads: the leads the run read (``leadlink.read_leads(path)``). Only the leads in the
            folder's ``clusters.csv`` are used: leads added to the file since, or erased from
            the folder (``leadlink erase``), are left out and counted in a warning.
        threshold: the match probability to link at.
        decisions: labelled pairs to honour besides the run's (see
            :meth:`DedupeResult.at_threshold`).
        hash_key: the secret the run matched phones and emails under, when it did
            (``--hash-key-file``).

    Raises:
        InputError: the folder is not a dedupe output folder, or the leads lack some of the
            run's leads (not the file it read).
        ConfigError: a bad threshold, or a hash key missing (or given to a run without one).
    """
    from pathlib import Path

    from leadlink._outputs import read_dedupe_run

    started = time.perf_counter()
    if threshold is not None:
        threshold = check_threshold(threshold)
    added = read_decisions(decisions)
    run = read_dedupe_run(folder)
    settings = run.settings
    if bool(settings.get("hashed")) != (hash_key is not None):
        raise ConfigError(
            say(
                "this run matched phones and emails as keyed hashes: give the same hash_key "
                "(--hash-key-file) to rebuild its golden records"
                if settings.get("hashed")
                else "this run did not match phones and emails as keyed hashes; leave "
                "hash_key (--hash-key-file) out",
                "该次运行以带密钥的哈希匹配电话和邮箱：请给出相同的 hash_key"
                "（--hash-key-file）以重建黄金记录"
                if settings.get("hashed")
                else "该次运行未以带密钥的哈希匹配电话和邮箱；请不要给出 hash_key"
                "（--hash-key-file）",
            )
        )
    region = check_region(str(settings.get("region") or "CN"))
    masking = OutputMasking(
        str(settings.get("outputs") or "clear"),
        names=bool(settings.get("mask_names")),
        hash_key=hash_key,
        region=region,
    )
    policy = resolve_policy(settings.get("policy"))
    saved_threshold = check_threshold(settings.get("threshold"), field="the run's threshold")
    where = Path(run.folder)
    model = LeadModel.load(where / "model.json") if (where / "model.json").is_file() else None
    try:
        pairs = pd.read_parquet(where / "pairs.parquet")
        in_run = pd.read_csv(
            where / "clusters.csv",
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            usecols=[0],
        ).iloc[:, 0]
    except (OSError, ValueError) as error:
        raise InputError(
            say(
                f"cannot read the pairs or clusters of {str(where)!r} ({type(error).__name__}); "
                "run leadlink dedupe again",
                f"无法读取 {str(where)!r} 中的线索对或簇（{type(error).__name__}）；"
                "请重新运行 leadlink dedupe",
            )
        ) from None
    decided = (
        read_decisions(where / "decisions.csv")
        if (where / "decisions.csv").is_file()
        else read_decisions(None)
    )
    id_column = str(settings.get("id_column") or "lead_id")
    check_frame(leads)
    if id_column not in leads.columns and id_column.lstrip("_") == ROW_ID_COLUMN:
        leads, id_column = with_row_ids(leads)  # the run numbered the leads itself
    ids = check_ids(leads, id_column)
    # clusters.csv writes an id a spreadsheet would run as a formula with a leading quote.
    wanted = set(in_run)
    keep = (ids.isin(wanted) | ("'" + ids).isin(wanted)).to_numpy()
    lacking = len(wanted) - int(keep.sum())
    if lacking > 0:
        raise InputError(
            say(
                f"{lacking} of the run's {len(wanted)} leads are not in the leads given; give "
                "the leads file the run read",
                f"该次运行的 {len(wanted)} 条线索中有 {lacking} 条不在所给的线索中；"
                "请给出该次运行读取的线索文件",
            )
        )
    if not keep.all():
        logger.warning(
            say(
                "%d lead(s) are not in the run (added since, or erased from its folder) and "
                "are left out",
                "%d 条线索不在该次运行中（之后新增，或已从其文件夹中删除），已略去",
            ),
            int((~keep).sum()),
        )
    leads = leads[keep].reset_index(drop=True)
    # The run's roles and no others: a role it left unmapped is not detected again.
    saved = settings.get("roles") or None
    pinned = None if saved is None else {**dict.fromkeys(ROLES), **saved}
    roles = resolve_columns(leads, pinned, id_column=id_column)
    validation = validate(leads, columns=cast(Mapping[str, str], pinned or roles), region=region)
    prepared = prepare(
        leads,
        roles,
        id_column=id_column,
        region=region,
        extra=dict(model.extra) if model is not None else None,
        hash_key=hash_key,
    )
    read = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    at = saved_threshold if threshold is None else threshold
    # The run's decisions, then the new ones (a later decision on a pair wins).
    merged = read_decisions(pd.concat([decided, added], ignore_index=True))
    ids = ids[keep].reset_index(drop=True)
    pairs = apply_decisions(pairs, merged, ids)
    clustered, clusters = _clusters(ids, pairs, at, id_column)
    golden = masking.columns(
        golden_records(leads, prepared, clustered, roles, policy=policy, validation=validation)
    )
    return DedupeResult(
        clusters=clusters,
        golden=golden,
        pairs=pairs,
        model=model,
        validation=validation,
        roles=roles,
        threshold=at,
        timings={"read": read, "recluster": round(time.perf_counter() - started, 3)},
        leads=leads,
        prepared=prepared,
        policy=policy,
        masking=masking,
        decisions=merged,
    )
