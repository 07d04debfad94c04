from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def small_leads() -> pd.DataFrame:
    """About 600 generated leads with truth columns (person_id, is_ghost)."""
    from leadlink.datasets import generate_leads

    return generate_leads(300, seed=7)


@pytest.fixture(scope="session")
def small_result(small_leads):
    import leadlink as ll

    leads = small_leads.drop(columns=["person_id", "is_ghost"])
    return ll.dedupe(leads, id_column="lead_id")


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch):
    """Tests read English messages whatever the machine's locale; a test that wants Chinese
    calls ``leadlink._i18n.set_language("zh")`` (reset after each test)."""
    from leadlink._i18n import set_language

    monkeypatch.setenv("LEADLINK_LANG", "en")
    set_language(None)
    yield
    set_language(None)
