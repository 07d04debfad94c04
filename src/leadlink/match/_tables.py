"""The tables a model hands to Splink and reads back: checks of the prepared table, the
columns and blocking rules Splink is given, term-frequency lookups, the training sample,
and the pair table's ids, level names and dtypes. Shared by batch scoring
(:mod:`leadlink.match._model`), Spark scoring and the real-time index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.errors import ConfigError, InputError
from leadlink.match._blocking import BlockingPreset
from leadlink.match._comparisons import ComparisonPreset, LevelPreset
from leadlink.match._training import _person_term_frequencies
from leadlink.schema import PREPARED_COLUMNS


def register_term_frequencies(
    linker: Any, db: Any, keyed: pd.DataFrame, levels: Sequence[LevelPreset]
) -> dict[str, pd.Series]:
    """Give ``linker`` the frequency among people of every value of the ``levels``'
    term-frequency columns (Splink's own counts leads, see
    :func:`~leadlink.match._training._person_term_frequencies`); return every frequency
    table the levels read, the ``relative_tf`` ones included."""
    frequencies = _person_term_frequencies(
        keyed,
        {level.tf_column for level in levels if level.tf_column}
        | {level.relative_tf for level in levels if level.relative_tf},
    )
    for column in dict.fromkeys(level.tf_column for level in levels if level.tf_column):
        lookup = frequencies[column]
        table = db.register(pd.DataFrame({column: lookup.index, f"tf_{column}": lookup}))
        linker.table_management.register_term_frequency_lookup(table, column)
    return frequencies


def scoring_settings(model: Any, presets: Sequence[BlockingPreset]) -> Any:
    """Splink settings that score pairs with ``model``'s trained λ, m and u (batch and
    Spark scoring both): the presets' blocking rules, and the match weight parts kept
    (``mw_``, term-frequency adjustments) for :func:`scored_columns` to read."""
    from splink import SettingsCreator

    roles = model.roles
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=model.lambda_,
        comparisons=[model._comparison(r).build(model._m[r], model._u[r]) for r in roles],
        blocking_rules_to_generate_predictions=_prediction_rules(presets),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
    )


def scored_columns(model: Any, *, id_type: str, level_type: str) -> list[str]:
    """What leadlink reads of Splink's scored pairs, in plain SQL every backend reads: the
    ids as ``l`` and ``r`` (cast to ``id_type``), the match weight and probability, the
    blocking rule's number (``match_key``), and per role its level (``gamma_<role>``, cast
    to ``level_type``) and weight with its term-frequency adjustment (``w_<role>``)."""
    wanted = [
        f"CAST(unique_id_l AS {id_type}) AS l",
        f"CAST(unique_id_r AS {id_type}) AS r",
        "match_weight",
        "match_probability",
        f"CAST(match_key AS {level_type}) AS match_key",
    ]
    for r in model.roles:
        tf = f" + coalesce(mw_tf_adj_{r}, 0)" if model._comparison(r).has_tf else ""
        wanted += [f"CAST(gamma_{r} AS {level_type}) AS gamma_{r}", f"mw_{r}{tf} AS w_{r}"]
    return wanted


def _prediction_rules(presets: Sequence[BlockingPreset]) -> list[Any]:
    """One blocking rule per preset: its key column, and its condition if it has one."""
    from splink import block_on

    return [block_on(p.column) if p.condition is None else _rule(p.sql()) for p in presets]


def _rule(condition: str) -> Any:
    """A blocking rule written in DuckDB SQL, which Splink translates for other backends
    (a bare string is read in the backend's own dialect: Spark reads "col" as text)."""
    from splink.blocking_rule_library import CustomRule

    return CustomRule(condition, sql_dialect="duckdb")


def _check_min_probability(min_probability: float) -> None:
    if not 0 <= min_probability <= 1:
        raise ConfigError(
            say(
                f"min_probability must be between 0 and 1, not {min_probability}",
                f"min_probability 须在 0 到 1 之间，而不是 {min_probability}",
            )
        )


def _check_prepared(prepared: object) -> None:
    if not isinstance(prepared, pd.DataFrame) or "unique_id" not in prepared.columns:
        raise InputError(
            say(
                "the model takes the prepared table from leadlink.prepare(), "
                "not raw leads; or use leadlink.dedupe() which prepares them for you",
                "模型需要 leadlink.prepare() 输出的预处理表，而不是原始线索；"
                "也可以直接用 leadlink.dedupe()，它会替你完成预处理",
            )
        )
    missing = [c for c in PREPARED_COLUMNS if c not in prepared.columns]
    if missing:
        raise InputError(
            say(
                f"the prepared table lacks the column(s) {', '.join(missing)}: it was prepared "
                "by another leadlink version or edited; prepare the leads again with "
                "leadlink.prepare()",
                f"预处理表缺少列 {', '.join(missing)}：它由其他版本的 leadlink 生成或被改动过；"
                "请用 leadlink.prepare() 重新预处理线索",
            )
        )


def _model_columns(keyed: pd.DataFrame, presets: Sequence[BlockingPreset]) -> list[str]:
    base = [c for c in keyed.columns if not c.startswith("bk_")]
    return base + [p.column for p in presets]


def training_sample(prepared: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """``size`` leads of ``prepared`` (all of them if there are fewer), drawn by a hash of
    each id keyed with ``seed``: the same leads give the same sample in any order."""
    if len(prepared) <= size:
        return prepared
    return prepared.iloc[training_rows(prepared, size, seed)]


def training_rows(prepared: pd.DataFrame, size: int, seed: int) -> np.ndarray:
    """The rows of :func:`training_sample`, in order (every row if there are ``size`` or
    fewer): one draw serves several tables of the same leads in the same order."""
    if len(prepared) <= size:
        return np.arange(len(prepared))
    ids = prepared["unique_id"].astype(str).to_numpy(dtype=object)
    drawn = pd.util.hash_array(ids, hash_key=f"leadlink{seed % 10**8:08d}")
    return np.sort(np.argsort(drawn, kind="stable")[:size])


def _text_ranks(ids: np.ndarray) -> np.ndarray:
    """Each id's place when the ids are sorted as text (ids are unique)."""
    order = np.argsort(ids.astype(str), kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    return rank


def _level_names(preset: ComparisonPreset, gamma: pd.Series) -> pd.Series:
    """Splink's gamma (levels numbered from the weakest, -1 for null) as level ids."""
    n = len(preset.levels)
    levels = pd.CategoricalDtype([*preset.level_ids, "null"])
    # Splink's gamma g is level n - 1 - g; null (-1) is the last category, n
    g = gamma.to_numpy().astype(np.int64)
    codes = np.where(g < 0, n, n - 1 - g)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=levels))


def _dtype(column: str) -> str:
    if column in ("match_weight", "match_probability") or column.endswith("_weight"):
        return "float64"
    return "object"
