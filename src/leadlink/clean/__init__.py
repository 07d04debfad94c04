"""Clean (线索清洗): normalise every field, validate leads, prepare the keys matching uses.

The first stage: it reads only the base modules (:mod:`leadlink.schema`,
:mod:`leadlink.errors`) and never a later stage.

* :mod:`leadlink.clean.normalize` — one normaliser per kind of value;
* :func:`validate` — problems and ghost leads, one row per input lead;
* :func:`prepare` — the prepared table of match keys;
* :func:`prepare_record` / :func:`validate_record` — the same for one lead, without a
  DataFrame (the real-time index prepares and checks each lead as it is typed in);
* :func:`enrich` — fill a lead table's gaps from a reference table;
* :func:`check_region` — a default phone region, checked (``"cn"`` -> ``"CN"``);
  :func:`settle_region` — the region to read a file's numbers with, inferred from them
  when none is given; :func:`phone_match_key` — a phone in one text as matching keys it
  (E.164 or ``local:<digits>``, with ``;ext=<extension>``).
* :class:`ParsedColumns` — the distinct values of a lead table and its parsed phones and
  emails, shared by :func:`validate` and :func:`prepare` of the same leads;
* :class:`OutputMasking` — how outputs show phones, emails and names: clear, masked or
  as keyed hashes (:data:`OUTPUT_MODES`).
* :data:`ROLE_MAILBOXES` — mailbox names of shared role accounts (info, sales, hr ...),
  which matching does not take for a person's.
"""

from __future__ import annotations

from leadlink.clean import normalize
from leadlink.clean._enrich import EnrichResult, enrich
from leadlink.clean._parsed import ParsedColumns
from leadlink.clean._prepare import (
    EMPLOYER_MIN_SHARE,
    SHARED_LINE_NAMES,
    extra_column,
    prepare,
)
from leadlink.clean._privacy import OUTPUT_MODES, OutputMasking
from leadlink.clean._record import prepare_record, validate_record
from leadlink.clean._validate import GHOST_THRESHOLD, Problem, missing_summary, validate
from leadlink.clean.normalize._email import ROLE_ACCOUNTS as ROLE_MAILBOXES
from leadlink.clean.normalize._phone import check_region, settle_region
from leadlink.clean.normalize._phone import match_key as phone_match_key

__all__ = [
    "EMPLOYER_MIN_SHARE",
    "GHOST_THRESHOLD",
    "OUTPUT_MODES",
    "ROLE_MAILBOXES",
    "SHARED_LINE_NAMES",
    "EnrichResult",
    "OutputMasking",
    "ParsedColumns",
    "Problem",
    "check_region",
    "enrich",
    "extra_column",
    "missing_summary",
    "normalize",
    "phone_match_key",
    "prepare",
    "prepare_record",
    "settle_region",
    "validate",
    "validate_record",
]
