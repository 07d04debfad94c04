"""dedupe(): the stages in order — columns, validate, prepare, model, cluster, golden."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from leadlink.blocking import DEFAULT_MAX_BLOCK_SIZE
from leadlink.cluster import cluster_pairs
from leadlink.columns import MATCH_ROLES, check_frame, check_ids, resolve_columns
from leadlink.errors import ColumnError, ConfigError, InputError
from leadlink.golden import golden_records
from leadlink.model import DEFAULT_THRESHOLD, LeadModel
from leadlink.prepare import prepare
from leadlink.validate import validate

__all__ = ["DedupeResult", "dedupe"]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class DedupeResult:
    """What :func:`dedupe` returns.

    Attributes:
        clusters: one row per input lead, in input order: the id column and ``cluster_id``.
        golden: one row per cluster: ``cluster_id``, ``n_leads``, the survived fields.
        pairs: scored pairs (``id_l``, ``id_r``, ``match_weight``, ``match_probability``, the
            blocking preset and the comparison level per role).
        model: the trained :class:`~leadlink.model.LeadModel` (None when fewer than two
            leads could be matched, so there was nothing to train on).
        validation: :func:`leadlink.validate` output, aligned with the input.
        roles: the role → column mapping that was used.
        threshold: the match probability at which pairs were linked.
        timings: seconds per stage.
    """

    clusters: pd.DataFrame
    golden: pd.DataFrame
    pairs: pd.DataFrame
    model: LeadModel | None
    validation: pd.DataFrame
    roles: dict[str, str]
    threshold: float
    timings: dict[str, float] = field(default_factory=dict)

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


def dedupe(
    leads: pd.DataFrame,
    *,
    id_column: str = "lead_id",
    columns: Mapping[str, str] | None = None,
    threshold: float | None = None,
    backend: str | None = None,
    seed: int = 0,
    model: LeadModel | None = None,
    extra_columns: Mapping[str, str] | None = None,
    must_link: Sequence[str] = (),
    never_link: Sequence[str] = (),
    hash_key: bytes | str | None = None,
    match_ghosts: bool = False,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
    region: str = "CN",
    progress: Progress | None = None,
) -> DedupeResult:
    """Find the leads that are the same person and build one golden record per person.

    Args:
        leads: the raw leads, one row per lead.
        id_column: the column holding a unique id per lead.
        columns: role → column, for headers that are not detected (``{"phone": "手机"}``).
        threshold: match probability at which two leads are linked (default: the model's).
        backend: ``None`` or ``"duckdb"`` (the embedded DuckDB).
        seed: seed for the random sampling in training.
        model: a trained model to use instead of training one on these leads.
        extra_columns: your own columns to compare too, column → kind (``"exact"``,
            ``"fuzzy"``, ``"date"``, ``"numeric"``), e.g. ``{"tax_id": "exact"}``.
        must_link: roles (or extra columns) whose equal values always mean one person.
        never_link: roles (or extra columns) whose different values never do.
        hash_key: a secret; phones and emails are matched as keyed hashes (HMAC-SHA256)
            so the database tables, pairs and model never hold them in clear.
        match_ghosts: also match leads that :func:`leadlink.validate` flags as ghosts
            (by default they are kept out of matching and stay single).
        max_block_size: a blocking key shared by more leads is not used on its own.
        region: default phone region for numbers without a country code.
        progress: called with a short message as each stage starts.
    """
    say = progress or (lambda message: None)
    if backend not in (None, "duckdb"):
        raise ConfigError(
            f"backend {backend!r} is not available; leadlink runs on the embedded DuckDB "
            "(backend=None or 'duckdb')"
        )
    if threshold is not None and not 0 <= threshold <= 1:
        raise ConfigError(f"threshold must be a match probability in [0, 1], not {threshold}")
    check_frame(leads)
    if leads.empty:
        raise InputError("the input has no leads; nothing to deduplicate")
    ids = check_ids(leads, id_column)
    roles = resolve_columns(leads, columns, id_column=id_column)
    if not set(roles) & set(MATCH_ROLES):
        raise ColumnError(
            "none of the columns could be matched to a name, phone, email, company or city "
            f"role (the input has {', '.join(map(str, leads.columns[:10]))}); map them with "
            "columns={'name': '...', 'phone': '...'}"
        )
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
                f"extra_columns {dict(extra_columns)!r} differ from the model's "
                f"{model.extra!r}; leave extra_columns out when passing a trained model"
            )
        extra = dict(model.extra)
        for name, given, trained in (
            ("must_link", tuple(must_link), model.must_link),
            ("never_link", tuple(never_link), model.never_link),
        ):
            if given and given != trained:
                raise ConfigError(
                    f"{name} {list(given)} differs from the model's {list(trained)}; "
                    "rules are part of the model — leave them out when passing a model"
                )
    else:
        extra = dict(extra_columns or {})
    clash = sorted(set(extra) & (set(roles.values()) | {id_column}))
    if clash:
        raise ConfigError(
            f"extra_columns {clash!r} are already used as roles or ids; list only other columns"
        )
    leads = leads.reset_index(drop=True)
    say(f"validating {len(leads)} leads")
    validation = validate(leads, columns=roles, region=region)
    lap("validate")
    say("preparing match keys")
    prepared = prepare(
        leads, roles, id_column=id_column, region=region, extra=extra, hash_key=hash_key
    )
    lap("prepare")
    matchable = prepared if match_ghosts else prepared[~validation["is_ghost"].to_numpy()]
    if model is None and len(matchable) >= 2:
        say(f"training the match model on {len(matchable)} leads")
        model = LeadModel(
            threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
            max_block_size=max_block_size,
            seed=seed,
            extra=extra,
            must_link=must_link,
            never_link=never_link,
        ).fit(matchable)
        lap("train")
    used_threshold = (
        threshold
        if threshold is not None
        else (model.threshold if model is not None else DEFAULT_THRESHOLD)
    )
    if model is not None and len(matchable) >= 2:
        say("scoring candidate pairs")
        # Every blocked pair is kept: the low scores are what stops chains in clustering.
        pairs = model.predict(matchable, min_probability=0.0)
    else:
        pairs = pd.DataFrame(
            {
                "id_l": pd.Series(dtype=object),
                "id_r": pd.Series(dtype=object),
                "match_weight": pd.Series(dtype=float),
                "match_probability": pd.Series(dtype=float),
            }
        )
    lap("predict")
    say("clustering")
    clustered = cluster_pairs(ids, pairs, threshold=used_threshold)
    clusters = pd.DataFrame(
        {id_column: leads[id_column].to_numpy(), "cluster_id": clustered["cluster_id"]}
    )
    lap("cluster")
    say("building golden records")
    golden = golden_records(leads, prepared, clustered, roles)
    lap("golden")
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
    )
