"""Synthetic CRM leads with ground truth, and a small bundled sample.

>>> from leadlink.datasets import generate_leads
>>> leads = generate_leads(100, seed=1)
>>> {"person_id", "is_ghost"} <= set(leads.columns)
True

:func:`generate_lead_outcomes` makes leads with a ``converted`` label (web or B2B shapes);
:func:`generate_accounts` makes account (organisation) lists with a ``company_id`` truth;
:func:`generate_account_leads` person leads written against such a list, with the account
each belongs to (for :func:`leadlink.link`).
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from leadlink.datasets._account_leads import generate_account_leads
from leadlink.datasets._accounts import ACCOUNT_ZH_HEADERS, generate_accounts
from leadlink.datasets._generate import ZH_HEADERS, generate_leads
from leadlink.datasets._outcomes import generate_lead_outcomes

__all__ = [
    "ACCOUNT_ZH_HEADERS",
    "SAMPLE_SEED",
    "ZH_HEADERS",
    "generate_account_leads",
    "generate_accounts",
    "generate_lead_outcomes",
    "generate_leads",
    "load_sample",
]

#: The seed the bundled sample was generated with: ``generate_leads(1000, seed=SAMPLE_SEED)``.
SAMPLE_SEED = 20240501


def load_sample() -> pd.DataFrame:
    """The bundled sample: about 2,000 generated leads with ``person_id`` and ``is_ghost``
    truth columns, every column read as text (``is_ghost`` as bool)."""
    source = resources.files("leadlink.datasets").joinpath("data/sample_leads.csv")
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[""])
    frame["is_ghost"] = frame["is_ghost"].str.lower().eq("true")
    return frame
