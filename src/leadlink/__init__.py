"""leadlink: CRM lead data quality — clean leads, merge duplicates into golden records.

>>> import leadlink as ll
>>> ll.normalize.phone("+86 138-0013-8000")
'+8613800138000'
"""

from __future__ import annotations

from leadlink import normalize
from leadlink.enrich import EnrichResult, enrich
from leadlink.errors import (
    ColumnError,
    ConfigError,
    InputError,
    LeadlinkError,
    ModelError,
    ResourceError,
)
from leadlink.golden import (
    SurvivorshipPolicy,
    conflicts,
    golden_records,
    lineage,
    merge,
    split,
    unmerge,
)
from leadlink.io import read_leads
from leadlink.metrics import evaluate_clusters
from leadlink.model import LeadModel
from leadlink.pipeline import DedupeResult, dedupe
from leadlink.prepare import prepare
from leadlink.review import review_clusters
from leadlink.score import OutcomeModel, fit_outcome_model, score, score_golden
from leadlink.validate import Problem, missing_summary, validate

__version__ = "0.1.0"

__all__ = [
    "ColumnError",
    "ConfigError",
    "DedupeResult",
    "EnrichResult",
    "InputError",
    "LeadModel",
    "LeadlinkError",
    "ModelError",
    "OutcomeModel",
    "Problem",
    "ResourceError",
    "SurvivorshipPolicy",
    "__version__",
    "conflicts",
    "dedupe",
    "enrich",
    "evaluate_clusters",
    "fit_outcome_model",
    "golden_records",
    "lineage",
    "merge",
    "missing_summary",
    "normalize",
    "prepare",
    "read_leads",
    "review_clusters",
    "score",
    "score_golden",
    "split",
    "unmerge",
    "validate",
]
