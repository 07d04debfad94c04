"""Match: blocking, comparisons and the Fellegi–Sunter model that scores pairs of leads.

Reads the base modules and :mod:`leadlink.clean`; Splink is imported only inside this
package, and its internals only in :mod:`leadlink.match._splink`.

* :class:`LeadModel` — ``fit`` learns m, u and λ by EM; ``predict`` scores pairs;
* blocking presets (:data:`PRESETS`) with counted, capped block sizes, and a budget of
  pairs (:data:`DEFAULT_PAIRS_PER_LEAD`) checked before any pair is made;
* the options and the model file checked for type and range in one place
  (:func:`check_threshold`, :func:`check_max_block_size`, :func:`check_max_pairs`);
* comparison presets (:data:`COMPARISONS`), one per compared role;
* backends: DuckDB (default) or Spark; :data:`DatabaseAPI` is the type of any Splink
  database API a caller passes.
"""

from __future__ import annotations

from leadlink.match._backends import (
    BACKENDS,
    check_backend,
    database_api,
    is_spark_frame,
    is_spark_session,
    local_spark_session,
    spark_session_of,
)
from leadlink.match._blocking import (
    DEFAULT_MAX_BLOCK_SIZE,
    DEFAULT_PAIRS_PER_LEAD,
    MAX_BLOCK_SIZE_LIMIT,
    MIN_PAIR_BUDGET,
    PRESET_NAMES,
    PRESETS,
    BlockingPreset,
    BlockingReport,
)
from leadlink.match._comparisons import COMPARISONS, EXTRA_KINDS, ComparisonPreset, LevelPreset
from leadlink.match._index import CandidateIndex
from leadlink.match._model import DEFAULT_THRESHOLD, MODEL_VERSION, LeadModel
from leadlink.match._options import (
    check_blocking,
    check_max_block_size,
    check_max_pairs,
    check_threshold,
)
from leadlink.match._splink import DatabaseAPI

__all__ = [
    "BACKENDS",
    "COMPARISONS",
    "DEFAULT_MAX_BLOCK_SIZE",
    "DEFAULT_PAIRS_PER_LEAD",
    "DEFAULT_THRESHOLD",
    "EXTRA_KINDS",
    "MAX_BLOCK_SIZE_LIMIT",
    "MIN_PAIR_BUDGET",
    "MODEL_VERSION",
    "PRESETS",
    "PRESET_NAMES",
    "BlockingPreset",
    "BlockingReport",
    "CandidateIndex",
    "ComparisonPreset",
    "DatabaseAPI",
    "LeadModel",
    "LevelPreset",
    "check_backend",
    "check_blocking",
    "check_max_block_size",
    "check_max_pairs",
    "check_threshold",
    "database_api",
    "is_spark_frame",
    "is_spark_session",
    "local_spark_session",
    "spark_session_of",
]
