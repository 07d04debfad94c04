from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest


def pytest_configure(config):
    """English messages for fixtures of every scope: a module or session fixture is made
    before the per-test _english_messages below, and read the machine's locale (with
    LANG=zh_CN.UTF-8 the shared scored frames had Chinese reasons)."""
    os.environ["LEADLINK_LANG"] = "en"


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


@pytest.fixture(scope="session")
def spark():
    """leadlink's local Spark session on two cores, one for the whole test session; the
    test is skipped without pyspark (``pip install leadlink[spark]``) or Java."""
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install leadlink[spark])")
    java_home = os.environ.get("JAVA_HOME", "")
    if not (shutil.which("java") or (java_home and shutil.which("java", path=f"{java_home}/bin"))):
        pytest.skip("Spark needs Java: no java on PATH or in JAVA_HOME")
    from leadlink.spark import local_session

    session = local_session(
        cores=2,
        memory="2g",
        app_name="leadlink-tests",
        # A short-lived JVM on two cores: the quick JIT compiler starts and warms up in
        # half the time of the optimising one.
        config={"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"},
    )
    yield session
    session.stop()
