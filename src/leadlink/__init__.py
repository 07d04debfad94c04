"""leadlink: CRM lead data quality — clean leads, merge duplicates into golden records.

>>> import leadlink as ll
>>> ll.normalize.phone("+86 138-0013-8000")
'+8613800138000'
"""

from __future__ import annotations

from leadlink._erasure import erase
from leadlink._i18n import set_language
from leadlink._version import __version__
from leadlink.clean import (
    EnrichResult,
    Problem,
    enrich,
    missing_summary,
    normalize,
    prepare,
    validate,
)
from leadlink.errors import (
    ColumnError,
    ConfigError,
    InputError,
    LeadlinkError,
    LeadlinkWarning,
    ModelError,
    ResourceError,
)
from leadlink.identify import (
    OutcomeModel,
    RuleReview,
    fit_outcome_model,
    review_rules,
    score,
    score_golden,
)
from leadlink.io import read_leads
from leadlink.linking import LinkResult, link
from leadlink.match import LeadModel
from leadlink.merge import (
    SurvivorshipPolicy,
    conflicts,
    golden_records,
    lineage,
    merge,
    review_clusters,
    split,
    unmerge,
)
from leadlink.metrics import evaluate_clusters
from leadlink.pipeline import DedupeResult, dedupe, load_result
from leadlink.realtime import LeadIndex, MatchResult

__all__ = [
    "ColumnError",
    "ConfigError",
    "DedupeResult",
    "EnrichResult",
    "InputError",
    "LeadIndex",
    "LeadModel",
    "LeadlinkError",
    "LeadlinkWarning",
    "LinkResult",
    "MatchResult",
    "ModelError",
    "OutcomeModel",
    "Problem",
    "ResourceError",
    "RuleReview",
    "SurvivorshipPolicy",
    "__version__",
    "conflicts",
    "dedupe",
    "enrich",
    "erase",
    "evaluate_clusters",
    "fit_outcome_model",
    "golden_records",
    "lineage",
    "link",
    "load_result",
    "merge",
    "missing_summary",
    "normalize",
    "prepare",
    "read_leads",
    "review_clusters",
    "review_rules",
    "score",
    "score_golden",
    "set_language",
    "split",
    "unmerge",
    "validate",
]
