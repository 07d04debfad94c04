"""LeadModel: Fellegi–Sunter match weights for leads, trained with Splink on DuckDB.

scikit-learn style: ``__init__`` only stores options, :meth:`LeadModel.fit` learns m and u
per comparison level and λ (the probability that two random leads are the same person),
:meth:`LeadModel.predict` scores pairs of leads. The learnt parameters live in a plain,
versioned JSON file (:meth:`LeadModel.save` / :meth:`LeadModel.load`) that names levels by
stable ids, not by SQL, so a model trained on DuckDB scores on any Splink backend.

The training recipe is deterministic (same leads + seed → same weights):

1. roles that are absent, mostly null or constant are left out (and said so in
   :attr:`LeadModel.diagnostics`), so Splink never trains on degenerate columns;
2. λ from deterministic rules (same email; same personal phone and name), first with an
   assumed recall, then re-estimated with the recall the trained m implies;
3. u from random pairs (seeded), corrected for the matches among them;
4. m by expectation maximisation, in sessions blocked on phone, email and name + company —
   each session trains the comparisons its blocking rule does not use, on a linker of its
   own so that a failed session cannot spoil the next;
5. levels that were never observed get conservative values, listed in the diagnostics;
   levels that only restate another comparison (``neutral``) weigh 0.

Training and scoring run on a private in-memory DuckDB unless a Splink database API is
passed (``db_api=splink.SparkAPI(spark_session=spark)``);
:func:`leadlink.match.database_api` turns the ``backend`` option of
:func:`leadlink.dedupe` into one.
"""

from __future__ import annotations

import copy
import json
import logging
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from leadlink._i18n import say
from leadlink._jsonfile import read_json
from leadlink.clean import extra_column
from leadlink.errors import ConfigError, InputError, ModelError
from leadlink.match._adjust import apply_rules, rule_column
from leadlink.match._backends import database
from leadlink.match._blocking import (
    DEFAULT_MAX_BLOCK_SIZE,
    BlockingReport,
    add_blocking_keys,
    check_pair_budget,
    presets_for,
)
from leadlink.match._comparisons import (
    ENTITY_COMPARISONS,
    ComparisonPreset,
    comparison_for,
    extra_comparison,
)
from leadlink.match._copies import (
    compared_columns,
    identifying,
    representatives,
)
from leadlink.match._levels import table_of
from leadlink.match._options import check_max_pairs, check_options, read_model_file
from leadlink.match._predict import score_pairs, with_copies
from leadlink.match._quiet import quiet_splink
from leadlink.match._splink import parse_exact_matches_once
from leadlink.match._tables import (
    _check_min_probability,
    _check_prepared,
    _model_columns,
    _prediction_rules,
    _rule,
    training_rows,
)
from leadlink.match._training import (
    LAMBDA_RECALL,
    _cap_against,
    _em_session,
    _fill_unseen,
    _finite,
    _levels_by_role,
    _neutralised,
    _strongest_first,
    _training_presets,
    _usable_roles,
    _without_matches,
    agreement_u,
    estimate_lambda,
    rule_recall,
)

if TYPE_CHECKING:
    from leadlink.match._splink import DatabaseAPI

__all__ = ["DEFAULT_THRESHOLD", "MODEL_FORMAT", "MODEL_VERSION", "LeadModel"]

logger = logging.getLogger(__name__)

MODEL_FORMAT = "leadlink-model"
MODEL_VERSION = 3

#: Pairs at or above this match probability are linked by default.
DEFAULT_THRESHOLD = 0.5

#: :meth:`LeadModel.fit` learns from this many leads at most, drawn at random (seeded) from
#: a larger table. λ is a share of pairs, and drawing leads at random keeps both the pairs
#: and the matching pairs in proportion; m and u come from bounded samples of pairs anyway.
#: Leads are drawn after blocking, so the blocks keep the caps of the whole table.
TRAINING_SAMPLE = 200_000


class LeadModel:
    """Match weights for leads.

    Args:
        threshold: match probability at or above which two leads are linked.
        max_block_size: a blocking key value shared by more leads is not used alone
            (at most :data:`leadlink.match.MAX_BLOCK_SIZE_LIMIT`).
        blocking: names of blocking presets to use (default: every preset whose roles
            are present; see :data:`leadlink.match.PRESETS`); a non-empty list.
        seed: seed for the random sampling of u.
        u_max_pairs: random pairs sampled to estimate u.
        em_max_pairs: blocked pairs used per EM session at most.
        must_link: roles whose equal values always mean the same person (an admin rule
            such as "the same email is the same person"): such pairs get probability 1.
        never_link: roles whose different values never mean the same person (two
            different national ids): such pairs get probability 0, and clustering never
            puts the two leads in one cluster. Never-link wins over must-link.
        extra: the user's own columns to compare, column → kind (``"exact"``, ``"fuzzy"``,
            ``"date"``, ``"numeric"``), e.g. ``{"date_of_birth": "date"}``; exact and date
            columns also become blocking keys.
        max_pairs: the most pairs the blocks of one :meth:`fit` or :meth:`predict` may
            make (every preset's blocks counted before any pair is made; default
            :data:`~leadlink.match.DEFAULT_PAIRS_PER_LEAD` a lead, at least
            :data:`~leadlink.match.MIN_PAIR_BUDGET`); more raise a
            :class:`~leadlink.ResourceError` that names the preset making the most. A
            limit of the machine, not of the model: it is not saved with the model.
        entity: what a record is: ``"person"`` (a lead: names, personal phones, colleagues
            on one switchboard) or ``"company"`` (an account: the organisation's name,
            branch and site kept, its lines, building, website and domain; people's names
            and titles are not compared).

    Every option is checked here (types and ranges, see :mod:`leadlink.match._options`):
    a :class:`~leadlink.ConfigError` names the option and what it may be.
    """

    def __init__(
        self,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
        blocking: Sequence[str] | None = None,
        seed: int = 0,
        u_max_pairs: float = 2e6,
        em_max_pairs: float = 2e6,
        extra: Mapping[str, str] | None = None,
        must_link: Sequence[str] = (),
        never_link: Sequence[str] = (),
        max_pairs: int | None = None,
        entity: str = "person",
    ) -> None:
        options = check_options(
            threshold=threshold,
            max_block_size=max_block_size,
            blocking=blocking,
            seed=seed,
            u_max_pairs=u_max_pairs,
            em_max_pairs=em_max_pairs,
            extra=extra,
            must_link=must_link,
            never_link=never_link,
            max_pairs=max_pairs,
            entity=entity,
        )
        self.threshold: float = options["threshold"]
        self.max_block_size: int = options["max_block_size"]
        self.blocking: tuple[str, ...] | None = options["blocking"]
        self.seed: int = options["seed"]
        self.u_max_pairs: float = options["u_max_pairs"]
        self.em_max_pairs: float = options["em_max_pairs"]
        self.extra: dict[str, str] = options["extra"]
        self.must_link: tuple[str, ...] = options["must_link"]
        self.never_link: tuple[str, ...] = options["never_link"]
        self.max_pairs: int | None = options["max_pairs"]
        self.entity: str = options["entity"]
        for rule_role in (*self.must_link, *self.never_link):
            self._rule_column(rule_role)  # refuses unknown roles now
        for column, kind in self.extra.items():
            extra_comparison(extra_column(column), kind)  # refuses unknown kinds now
        self._roles: list[str] | None = None
        self._m: dict[str, list[float]] = {}
        self._u: dict[str, list[float]] = {}
        self._lambda: float | None = None
        self._diagnostics: dict[str, Any] = {}
        self._blocking_report: BlockingReport | None = None
        # see reusing(): None outside it
        self._reuse: dict[tuple[Any, ...], tuple[pd.DataFrame, Any]] | None = None

    # -- learnt parameters -------------------------------------------------------------

    @property
    def is_fitted(self) -> bool:
        return self._roles is not None

    @property
    def roles(self) -> list[str]:
        """The roles the model compares."""
        return list(self._fitted()._roles or [])

    @property
    def lambda_(self) -> float:
        """Prior probability that two random leads are the same person."""
        value = self._fitted()._lambda
        assert value is not None
        return value

    @property
    def diagnostics(self) -> dict[str, Any]:
        """What training did: roles left out and why, EM sessions, untrained levels, pairs."""
        return json.loads(json.dumps(self._fitted()._diagnostics))  # a deep copy

    @property
    def blocking_report(self) -> BlockingReport | None:
        """Block sizes counted on the leads the model was fitted on (counts only); None
        for a loaded model.

        :meth:`predict` leaves the model as it is; :meth:`count_blocks` counts the blocks
        of other leads.
        """
        return self._blocking_report

    @property
    def parameters(self) -> pd.DataFrame:
        """One row per comparison level: role, level, m, u, match weight (log2 m/u)."""
        self._fitted()
        rows = []
        for role in self.roles:
            preset = self._comparison(role)
            for i, level in enumerate(preset.levels):
                m, u = self._m[role][i], self._u[role][i]
                rows.append(
                    {
                        "role": self._display(role),
                        "level": level.id,
                        "description": level.description,
                        "m": m,
                        "u": u,
                        "match_weight": math.log2(m / u),
                    }
                )
        return pd.DataFrame(rows)

    # -- training ----------------------------------------------------------------------

    def fit(
        self,
        prepared: pd.DataFrame,
        *,
        db_api: DatabaseAPI | None = None,
        sample: int | None = TRAINING_SAMPLE,
    ) -> LeadModel:
        """Learn λ, m and u from a prepared table (see :func:`leadlink.prepare`).

        ``db_api`` is the Splink database to train in (``splink.SparkAPI(...)``); by
        default a private in-memory DuckDB. A table of more than ``sample`` leads is
        learnt from ``sample`` of them drawn at random with the model's seed (see
        :data:`TRAINING_SAMPLE`); ``sample=None`` learns from every lead.
        """
        _check_prepared(prepared)
        if sample is not None and (
            isinstance(sample, bool) or not isinstance(sample, int) or sample < 2
        ):
            raise ConfigError(
                say(
                    f"sample must be a whole number of leads of 2 or more, or None, not {sample!r}",
                    f"sample 须为不小于 2 的整数（线索数）或 None，而不是 {sample!r}",
                )
            )
        if len(prepared) < 2:
            raise InputError(
                say(
                    f"training needs at least 2 leads, got {len(prepared)}; "
                    "pass more leads or load a trained model with LeadModel.load()",
                    f"训练至少需要 2 条线索，实际只有 {len(prepared)} 条；"
                    "请传入更多线索，或用 LeadModel.load() 加载已训练的模型",
                )
            )
        roles, excluded = _usable_roles(prepared, self._extra_kinds, self.entity)
        n_records = len(prepared)
        every_record = prepared
        # A list can hold one organisation (or one prolific contact) dozens of times,
        # written the same way: random pairs would agree mostly because they are one
        # entity (u far too high), and the copies would fill the blocks. Training sees
        # each distinct record once, as prediction scores it (see _identical).
        prepared, copies = self._distinct(prepared, compared_columns(prepared, roles))
        diagnostics_copies = len(copies)
        if not roles:
            return self._fit_prior(prepared, excluded)
        presets = presets_for(roles, self.blocking, self._extra_kinds, self.entity)
        if not presets:
            raise ModelError(
                say(
                    f"no blocking preset fits the roles {roles}; pass leads with a phone, an "
                    "email, or a name with a company or city",
                    f"没有适用于角色 {roles} 的分块预设；请提供含电话、邮箱，"
                    "或含姓名加公司/城市的线索",
                )
            )
        keyed, report = self._keys(prepared, presets)
        # Predicting these leads would make these blocks: refused now, not after training.
        check_pair_budget(report, self.max_pairs, len(prepared))
        self._blocking_report = report
        if sample is not None and len(keyed) > sample:
            # Sampled after blocking: a key too common among all the leads stays unused in
            # the sample too (a switchboard of 1,000 leads is 200 in a fifth of them, under
            # the cap), so training sees the blocks prediction will. On 1M generated leads
            # a sample drawn before blocking trained as well (F1 0.9358 against 0.9356).
            drawn = training_rows(keyed, sample, self.seed)  # keyed has prepared's rows
            keyed, prepared = keyed.iloc[drawn], prepared.iloc[drawn]
        diagnostics: dict[str, Any] = {
            "n_leads": n_records,
            "n_leads_trained": len(keyed),
            "identical_copies": diagnostics_copies,
            "roles": roles,
            "excluded_roles": excluded,
            "blocking": report.to_frame().reset_index().to_dict("records"),
            "em_sessions": [],
            "untrained_levels": [],
            "capped_against": [],
            "u_by_agreement": [],
        }
        from splink import Linker, SettingsCreator

        parse_exact_matches_once()
        # In id order, so that the weights cannot depend on the order the leads came in,
        # whatever order Splink's pair sampling follows.
        ordered = keyed.sort_values("unique_id", kind="stable")
        columns = _model_columns(ordered, presets)
        settings = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="unique_id",
            comparisons=[self._comparison(r).build() for r in roles],
            blocking_rules_to_generate_predictions=_prediction_rules(presets),
            retain_matching_columns=False,
            retain_intermediate_calculation_columns=False,
            em_convergence=1e-4,
            max_iterations=25,
        )
        # u first, on every core: it counts the levels of random pairs (whole numbers, the
        # same in any order) drawn by a hash of their ids, so the result does not depend
        # on the threads; it was a third of training at 1M leads on one thread.
        u_trained = True
        with quiet_splink(), database(db_api) as db:
            linker = Linker(
                db.register(ordered[columns]), settings, log_level=None, validate_settings=False
            )
            try:
                linker.training.estimate_u_using_random_sampling(
                    max_pairs=self.u_max_pairs, seed=self.seed
                )
            except Exception as error:  # degenerate samples make Splink raise plain errors
                u_trained = False
                diagnostics["u_failed"] = type(error).__name__
            # Snapshots: a failed EM session can leave Splink's settings half-updated, so
            # what each step learnt is read right after it.
            u_learnt = _levels_by_role(linker)
            with_u = linker.misc.save_model_to_json()
        # One DuckDB thread: EM sums match probabilities over Splink's table of agreement
        # patterns, whose row order a parallel GROUP BY leaves to chance; with more, two
        # runs differed in the last bits of m. EM works on bounded samples (em_max_pairs),
        # so this costs little; predict, whose work grows with the leads, stays parallel.
        with quiet_splink(), database(db_api, threads=1) as db:
            table = db.register(ordered[columns])
            linker = Linker(table, with_u, log_level=None, validate_settings=False)
            lam = estimate_lambda(
                linker, presets, len(prepared), self.entity, _rule,
                records=every_record if self.entity == "company" or not copies.empty else None,
            )  # fmt: skip
            diagnostics["lambda_method"] = lam[1]
            # Each EM session starts from these settings on a linker of its own: a session
            # that fails can leave Splink's settings half-updated (NaN m, λ at 0 or 1), which
            # would make every later session fail too.
            after_u = linker.misc.save_model_to_json()
            m_learnt: dict[str, list[dict[str, Any]]] = {}
            trained: set[str] = set()
            for preset in _training_presets(presets, self.entity):
                learns = sorted(set(roles) - preset.roles)
                if not set(learns) - trained:
                    continue  # every role this session would train is trained already
                record: dict[str, Any] = {"blocked_on": preset.name, "trains": learns}
                trained_linker = _em_session(
                    lambda settings: Linker(
                        table, settings, log_level=None, validate_settings=False
                    ),
                    copy.deepcopy(after_u),
                    _rule(preset.sql(training=True)),
                    self.em_max_pairs,
                    record,
                )
                if trained_linker is not None:
                    snapshot = _levels_by_role(trained_linker)
                    for role in learns:
                        if role in snapshot:
                            m_learnt[role] = snapshot[role]
                            trained.add(role)
                diagnostics["em_sessions"].append(record)
        self._roles = roles
        self._m, self._u = {}, {}
        for role in roles:
            comparison_preset = self._comparison(role)
            n_levels = len(comparison_preset.levels)
            m_levels = m_learnt.get(role) or [{}] * n_levels
            u_levels = u_learnt.get(role) or [{}] * n_levels
            levels = [
                {"m_probability": m.get("m_probability"), "u_probability": u.get("u_probability")}
                for m, u in zip(m_levels, u_levels)
            ]
            m_values: list[float] = []
            u_values: list[float] = []
            prior_m, prior_u = comparison_preset.prior()
            # Levels on a common value's column: u counted on the agreeing pairs instead.
            table = table_of(comparison_preset, self.entity, self._extra_kinds.get(role))
            agreed = (
                agreement_u(ordered[columns], comparison_preset, table, self.seed)
                if u_trained
                else {}
            )
            for i, (level_preset, level) in enumerate(zip(comparison_preset.levels, levels)):
                m, u = _finite(level.get("m_probability")), _finite(level.get("u_probability"))
                if i in agreed:
                    u = agreed[i]
                    diagnostics["u_by_agreement"].append(f"{role}.{level_preset.id}")
                if role not in trained:
                    m = prior_m[i]
                    diagnostics["untrained_levels"].append(f"{role}.{level_preset.id}.m (prior)")
                elif m is None:
                    diagnostics["untrained_levels"].append(f"{role}.{level_preset.id}.m")
                if not u_trained:
                    u = prior_u[i]
                    diagnostics["untrained_levels"].append(f"{role}.{level_preset.id}.u (prior)")
                elif u is None:
                    diagnostics["untrained_levels"].append(f"{role}.{level_preset.id}.u")
                m_value, u_value = _fill_unseen(m, u, self.u_max_pairs)
                m_values.append(m_value)
                u_values.append(u_value)
            self._m[role], self._u[role] = m_values, u_values
        self._lambda = lam[0]
        if lam[1].startswith("deterministic"):
            recall = rule_recall(prepared, trained, self._m, self._comparison, self.entity)
            if recall is not None:
                self._lambda = min(0.5, lam[0] * LAMBDA_RECALL / recall)
                diagnostics["lambda_method"] = (
                    f"{lam[1].split(', recall')[0]}, recall {recall:.3f} from the trained m"
                )
        for role in roles:
            if u_trained:
                self._u[role] = _without_matches(self._m[role], self._u[role], self._lambda)
            neutral = [level.neutral for level in self._comparison(role).levels]
            if any(neutral):
                self._m[role], self._u[role] = _neutralised(
                    self._m[role], self._u[role], neutral, self._comparison(role).prior()[0]
                )
            diagnostics["capped_against"] += _cap_against(
                self._comparison(role), self._m[role], self._u[role]
            )
            if _strongest_first(self._comparison(role), self._m[role], self._u[role]):
                diagnostics.setdefault("raised_to_prior", []).append(role)
        self._diagnostics = diagnostics
        logger.info(
            "trained on %d leads: roles %s, λ=%.3g, %d EM sessions",
            len(prepared),
            ", ".join(roles),
            self._lambda,
            len(diagnostics["em_sessions"]),
        )
        return self

    def _fit_prior(self, prepared: pd.DataFrame, excluded: dict[str, str]) -> LeadModel:
        """No role can be trained (a tiny or constant table): compare every role that has
        values with the conservative prior m and u, and say so in the diagnostics."""
        with_values = [
            role
            for role in [*ENTITY_COMPARISONS[self.entity], *self._extra_kinds]
            if prepared[self._comparison(role).null_column].notna().any()
        ]
        if not with_values:
            raise ModelError(
                say(
                    "no role has any value to compare ("
                    + "; ".join(f"{r}: {why}" for r, why in excluded.items())
                    + "); provide at least one of name, phone, email, company",
                    f"没有任何角色有可比较的值（{', '.join(excluded)} 均不可用）；"
                    "请至少提供姓名、电话、邮箱、公司中的一项",
                )
            )
        self._roles = with_values
        # Nothing is blocked for training, but the report still shows the blocks the model
        # makes of these leads, as after any other fit.
        self._blocking_report = self.count_blocks(prepared)
        self._lambda = min(0.5, 1.0 / max(len(prepared) - 1, 1))
        self._m, self._u = {}, {}
        for role in with_values:
            self._m[role], self._u[role] = self._comparison(role).prior()
            _cap_against(self._comparison(role), self._m[role], self._u[role])
        self._diagnostics = {
            "n_leads": len(prepared),
            "roles": with_values,
            "excluded_roles": excluded,
            "prior_only": "no role could be trained, so every level uses its prior m and u",
            "em_sessions": [],
            "untrained_levels": [f"{r}.*" for r in with_values],
        }
        logger.info("prior-only model for %d leads: nothing to train on", len(prepared))
        return self

    # -- prediction --------------------------------------------------------------------

    def count_blocks(self, prepared: pd.DataFrame) -> BlockingReport:
        """The blocks :meth:`predict` would make of ``prepared``: per blocking preset the
        pairs, the largest block and the key values and leads capped (counts only).

        Counting is cheap next to scoring: check a large table before predicting it.
        Records identical in everything compared count once, as :meth:`predict` scores
        them.
        """
        self._fitted()
        _check_prepared(prepared)
        distinct = representatives(
            prepared, self._compared(prepared), identifying(prepared, self.entity)
        )[0]
        presets = presets_for(self.roles, self.blocking, self._extra_kinds, self.entity)
        return add_blocking_keys(distinct, presets, max_block_size=self.max_block_size)[1]

    def predict(
        self,
        prepared: pd.DataFrame,
        *,
        min_probability: float = 0.01,
        db_api: DatabaseAPI | None = None,
        max_pairs: int | None = None,
    ) -> pd.DataFrame:
        """Score the pairs of leads that share a blocking key.

        Returns one row per scored pair with ``match_probability >= min_probability``:
        ``id_l``, ``id_r`` (id_l < id_r), ``match_weight``, ``match_probability``,
        ``found_by`` (the blocking preset) and one ``<role>_level`` column per role naming
        the comparison level (``"same_personal"``, ``"different"``, ``"null"``).

        ``db_api`` is the Splink database to score in (``splink.SparkAPI(...)``); by
        default a private in-memory DuckDB, closed when the pairs are read back.

        The blocks are counted first: more than ``max_pairs`` pairs (default: the model's
        ``max_pairs``) raise a :class:`~leadlink.ResourceError` before any is made.

        The model is left as it was: its parameters, diagnostics, blocking report and saved
        file do not depend on what it scored (:meth:`count_blocks` reports the blocks).
        """
        self._fitted()
        _check_prepared(prepared)
        _check_min_probability(min_probability)
        budget = self.max_pairs if max_pairs is None else check_max_pairs(max_pairs)
        # Records identical in everything compared are one entity (for people, when what
        # they share identifies a person: see _copies.identifying): one of them is scored for
        # all, and each of the others is paired with it at the levels two identical
        # records reach (a list can hold one company or one inventor hundreds of times).
        distinct, copies = self._distinct(prepared, self._compared(prepared))
        if copies.empty:
            return score_pairs(self, prepared, min_probability, db_api, budget)
        pairs, left, right = score_pairs(
            self, distinct, min_probability, db_api, budget, with_rows=True
        )
        return with_copies(self, prepared, copies, pairs, left, right)

    def predict_table(
        self,
        prepared: Any,
        *,
        db_api: DatabaseAPI,
        min_probability: float = 0.01,
        max_pairs: int | None = None,
    ) -> Any:
        """:meth:`predict` for a prepared table held in Spark: ``prepared`` is a Spark
        DataFrame of :func:`leadlink.prepare`'s columns, ``db_api`` a
        ``splink.SparkAPI`` on its session; the pairs come back as a Spark DataFrame with
        the columns :meth:`predict` gives (levels and ``found_by`` as text). See
        :mod:`leadlink.match._spark` for how each step runs on the executors.
        """
        from leadlink.match._spark import predict_spark

        self._fitted()
        _check_min_probability(min_probability)
        budget = self.max_pairs if max_pairs is None else check_max_pairs(max_pairs)
        return predict_spark(self, prepared, db_api, min_probability=min_probability, budget=budget)

    @contextmanager
    def reusing(self) -> Iterator[LeadModel]:
        """Within this block, :meth:`fit` and then :meth:`predict` on the same prepared
        table (the same object, unchanged in between) find its identical records and
        blocking keys once instead of twice (:func:`leadlink.dedupe` trains and scores this
        way; at 1M leads each pass took several seconds). Outside it nothing is kept.
        """
        self._reuse = {}
        try:
            yield self
        finally:
            self._reuse = None

    def _distinct(
        self, prepared: pd.DataFrame, compared: list[str]
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """:func:`representatives` of ``prepared`` (once per table inside :meth:`reusing`)."""
        return self._reused(
            ("distinct", id(prepared), tuple(compared), self.entity),
            prepared,
            lambda: representatives(prepared, compared, identifying(prepared, self.entity)),
        )

    def _keys(
        self, table: pd.DataFrame, presets: Sequence[Any]
    ) -> tuple[pd.DataFrame, BlockingReport]:
        """:func:`add_blocking_keys` of ``table`` (once per table inside :meth:`reusing`)."""
        return self._reused(
            ("keys", id(table), tuple(p.name for p in presets), self.max_block_size),
            table,
            lambda: add_blocking_keys(table, presets, max_block_size=self.max_block_size),
        )

    def _reused(self, key: tuple[Any, ...], source: pd.DataFrame, make: Callable[[], Any]) -> Any:
        if self._reuse is None:
            return make()
        if key not in self._reuse:
            # the table is held beside what was made from it, so that its id stays its own
            self._reuse[key] = (source, make())
        return self._reuse[key][1]

    def _compared(self, prepared: pd.DataFrame) -> list[str]:
        """The prepared columns the model compares (two records equal in all are equal)."""
        return compared_columns(prepared, self.roles)

    # -- persistence -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The model as plain JSON-ready data."""
        self._fitted()
        from leadlink._version import __version__

        return {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "leadlink_version": __version__,
            "options": {
                "threshold": self.threshold,
                "max_block_size": self.max_block_size,
                "blocking": None if self.blocking is None else list(self.blocking),
                "seed": self.seed,
                "extra": self.extra,
                "must_link": list(self.must_link),
                "never_link": list(self.never_link),
                "entity": self.entity,
            },
            "lambda": self._lambda,
            "comparisons": [
                {
                    "role": role,
                    "levels": [
                        {"id": level.id, "m": self._m[role][i], "u": self._u[role][i]}
                        for i, level in enumerate(self._comparison(role).levels)
                    ],
                }
                for role in self.roles
            ],
            "diagnostics": self._diagnostics,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LeadModel:
        """Rebuild a model from :meth:`to_dict` data, refusing anything inconsistent: every
        field is checked for type and range (see :mod:`leadlink.match._options`), and a
        :class:`~leadlink.ModelError` names the first that is wrong."""
        content = read_model_file(data, format_name=MODEL_FORMAT, version=MODEL_VERSION)
        model = cls(**content.options)
        model._roles = list(content.m)
        model._m, model._u, model._lambda = content.m, content.u, content.lambda_
        model._diagnostics = content.diagnostics
        return model

    def save(self, path: str | Path) -> Path:
        """Write the model to ``path`` as JSON and return the path."""
        target = Path(path)
        target.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), "utf-8")
        return target

    @classmethod
    def load(cls, path: str | Path) -> LeadModel:
        """Read a model written by :meth:`save`; the file is read within the bounds of
        :func:`leadlink._jsonfile.read_json` (size, nesting) and checked by
        :meth:`from_dict`."""
        data = read_json(path, what="model file", what_zh="模型文件", error=ModelError)
        return cls.from_dict(data)

    def __repr__(self) -> str:
        state = f"roles={self._roles}" if self.is_fitted else "not fitted"
        return f"LeadModel({state}, threshold={self.threshold})"

    def _rule_column(self, role: str) -> str:
        """The prepared column a hard rule on ``role`` compares."""
        return rule_column(role, self.extra)

    def _apply_rules(self, out: pd.DataFrame, prepared: pd.DataFrame) -> pd.Series:
        """See :func:`leadlink.match._adjust.apply_rules`."""
        return apply_rules(out, prepared, self.must_link, self.never_link, self.extra)

    @property
    def _extra_kinds(self) -> dict[str, str]:
        """Prepared column → kind for the user's own columns."""
        return {extra_column(column): kind for column, kind in self.extra.items()}

    def _comparison(self, role: str) -> ComparisonPreset:
        return comparison_for(role, self._extra_kinds, self.entity)

    def _display(self, role: str) -> str:
        """The name a role is shown under: the user's column for their own columns."""
        for column in self.extra:
            if extra_column(column) == role:
                return column
        return role

    def _fitted(self) -> LeadModel:
        if self._roles is None:
            raise ModelError(
                say(
                    "this LeadModel is not fitted yet; call model.fit(prepared) or "
                    "LeadModel.load(path) first",
                    "此 LeadModel 尚未训练；请先调用 model.fit(prepared) 或 LeadModel.load(path)",
                )
            )
        return self
