"""The local session's JVM options: leadlink's first, the caller's after them (so that
theirs win), the other settings passed through."""

from __future__ import annotations

import pytest

from leadlink.spark import _session

pytestmark = pytest.mark.spark


def _captured(monkeypatch: pytest.MonkeyPatch, **given: object) -> dict:
    seen: dict = {}

    def fake(**options: object) -> str:
        seen.update(options)
        return "session"

    monkeypatch.setattr(_session, "local_spark_session", fake)
    assert _session.local_session(**given) == "session"  # type: ignore[arg-type]
    return seen


def test_java_options_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _captured(monkeypatch, cores=2)
    assert seen["cores"] == 2 and seen["memory"] == "4g"
    assert seen["config"] == {"spark.driver.extraJavaOptions": " ".join(_session.JAVA_OPTIONS)}


def test_callers_java_options_come_last(monkeypatch: pytest.MonkeyPatch) -> None:
    config = {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=4", "spark.x": "1"}
    seen = _captured(monkeypatch, config=config)
    options = seen["config"]["spark.driver.extraJavaOptions"].split()
    assert options[-1] == "-XX:TieredStopAtLevel=4"
    assert options[: len(_session.JAVA_OPTIONS)] == list(_session.JAVA_OPTIONS)
    assert seen["config"]["spark.x"] == "1"
    assert config["spark.driver.extraJavaOptions"] == "-XX:TieredStopAtLevel=4"  # not changed
