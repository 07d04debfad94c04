"""Generated leads with a known conversion process, for the outcome model's tests.

* :func:`web_leads`: a web-lead export (source, visits with gaps, time on site, last
  activity, a do-not-email Yes/No, a creation date) whose ``converted`` Yes/No follows a
  hidden intent;
* :func:`b2b_leads`: leads with a title, a budget and an industry, and their demo-request
  events, converting on the rules' evidence.

Tests that fit models also run scikit-learn on one thread (:func:`one_thread`): its OpenMP
threads fight on a small machine and make a fit several times slower.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

NOW = pd.Timestamp("2025-06-30")
SOURCES = ["Google", "Direct Traffic", "Olark Chat", "Organic Search", "Reference"]
ACTIVITIES = ["Email Opened", "SMS Sent", "Page Visited", "Olark Chat Conversation"]


def web_leads(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    """``converted`` is "Yes" with probability sigmoid(log-odds) of a hidden intent that
    drives visits and time on site, plus source, activity and do-not-email effects; the
    creation date is independent of it."""
    rng = np.random.default_rng(seed)
    intent = rng.normal(size=n)
    source = rng.choice(SOURCES, size=n, p=[0.35, 0.25, 0.2, 0.15, 0.05])
    source = np.where(rng.random(n) < 0.01, [f"partner {i}" for i in range(n)], source)
    visits = rng.poisson(np.exp(0.8 + 0.5 * intent)).astype(float)
    visits[rng.random(n) < 0.1] = np.nan
    time_on_site = np.round(rng.gamma(2.0, 300.0 * np.exp(0.4 * intent)))
    activity = rng.choice(ACTIVITIES, size=n)
    do_not_email = rng.choice(["Yes", "No"], size=n, p=[0.1, 0.9])
    created = NOW - pd.to_timedelta(rng.integers(1, 400, n), "D")
    log_odds = (
        -1.0
        + 1.5 * intent
        + 0.8 * (source == "Reference")
        - 0.7 * (do_not_email == "Yes")
        + 0.6 * (activity == "SMS Sent")
    )
    converted = rng.random(n) < 1 / (1 + np.exp(-log_odds))
    return pd.DataFrame(
        {
            "lead_id": [f"W{i}" for i in range(n)],
            "lead_source": source,
            "total_visits": visits,
            "time_on_site": time_on_site,
            "last_activity": activity,
            "do_not_email": do_not_email,
            "created_at": created.strftime("%Y-%m-%d"),
            "converted": np.where(converted, "Yes", "No"),
        }
    )


def b2b_leads(n: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leads (title, budget, industry, ``converted`` 0/1) and their demo requests of the
    last 60 days; decision-makers, stated budgets, demos and finance convert more."""
    rng = np.random.default_rng(seed)
    titles = rng.choice(["采购总监", "经理", "工程师", "CEO", None], size=n)
    budget = rng.choice(["50万", None], size=n, p=[0.3, 0.7])
    industry = rng.choice(["制造", "零售", "金融"], size=n)
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "title": titles,
            "budget": budget,
            "industry": industry,
        }
    )
    demos = rng.poisson(0.6, size=n)
    events = pd.DataFrame(
        {
            "lead_id": np.repeat(leads["lead_id"].to_numpy(), demos),
            "event": "demo_request",
            "timestamp": NOW - pd.to_timedelta(rng.integers(0, 60, demos.sum()), "D"),
        }
    )
    log_odds = (
        -2.0
        + 1.5 * np.isin(titles, ["采购总监", "CEO"])
        + 1.2 * pd.notna(budget)
        + 1.0 * np.minimum(demos, 3)
        + 0.5 * (industry == "金融")
    )
    leads["converted"] = (rng.random(n) < 1 / (1 + np.exp(-log_odds))).astype(int)
    return leads, events


@contextmanager
def one_thread() -> Iterator[None]:
    """scikit-learn on one thread; it is imported first so that the limit reaches its
    OpenMP pool."""
    import sklearn.ensemble  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield
