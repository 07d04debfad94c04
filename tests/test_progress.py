"""dedupe(progress=...): a bar when asked or inside a Jupyter kernel, silence otherwise, the
caller's function as given; the bar is closed when the run fails; counts only, no values."""

from __future__ import annotations

import sys
import types
from typing import ClassVar

import pytest
import tqdm.auto

import leadlink as ll
from leadlink import pipeline
from leadlink._progress import in_notebook, stages
from leadlink.datasets import generate_leads
from leadlink.errors import ConfigError


class _RecordedBar(tqdm.auto.tqdm):
    """tqdm's bar, remembered so that a test can look at it after the run."""

    made: ClassVar[list[_RecordedBar]] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _RecordedBar.made.append(self)


@pytest.fixture
def bars(monkeypatch):
    _RecordedBar.made = []
    monkeypatch.setattr(tqdm.auto, "tqdm", _RecordedBar)
    return _RecordedBar.made


@pytest.fixture(scope="module")
def leads():
    return generate_leads(40, seed=3).drop(columns=["person_id", "is_ghost"])


def _fake_kernel(monkeypatch, *, kernel: object | None) -> None:
    shell = types.SimpleNamespace(kernel=kernel)
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    fake_ipython = types.ModuleType("IPython")
    fake_ipython.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython)


def test_true_shows_a_bar_over_the_stages_that_ends_full_and_closed(leads, bars, capsys):
    ll.dedupe(leads, id_column="lead_id", progress=True)
    (bar,) = bars
    assert bar.n == bar.total == 6 and bar.disable  # full, and closed
    assert "6/6" in capsys.readouterr().err


def test_false_and_none_outside_a_kernel_are_silent(bars, capsys):
    assert not in_notebook()
    for progress in (False, None):
        with stages(progress, total=3) as tell:
            tell("validating 3 leads")
    assert bars == []
    assert capsys.readouterr().err == ""


def test_none_inside_a_jupyter_kernel_shows_a_bar(monkeypatch, bars):
    _fake_kernel(monkeypatch, kernel=object())
    assert in_notebook()
    with stages(None, total=2) as tell:
        tell("validating 3 leads")
    assert len(bars) == 1


def test_a_terminal_ipython_is_not_a_notebook(monkeypatch):
    _fake_kernel(monkeypatch, kernel=None)
    assert not in_notebook()


def test_a_function_gets_each_stage_message_and_no_bar_is_made(leads, bars, capsys):
    messages: list[str] = []
    ll.dedupe(leads, id_column="lead_id", progress=messages.append)
    assert messages == [
        f"validating {len(leads)} leads",
        "preparing match keys",
        messages[2],  # training on the matchable leads: their count depends on the ghosts
        "scoring candidate pairs",
        "clustering",
        "building golden records",
    ]
    assert messages[2].startswith("training the match model on ")
    assert bars == []
    assert capsys.readouterr().err == ""
    # Counts only: no name, phone or email of any lead is in a message.
    values = {
        str(value)
        for column in ("name", "phone", "email", "company")
        for value in leads[column].dropna()
        if len(str(value)) >= 2
    }
    assert not [value for value in values if any(value in message for message in messages)]


def test_the_bar_is_closed_when_the_run_fails(leads, bars, monkeypatch):
    def broken_prepare(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "prepare", broken_prepare)
    with pytest.raises(RuntimeError, match="boom"):
        ll.dedupe(leads, id_column="lead_id", progress=True)
    (bar,) = bars
    assert bar.n == 1 and bar.total == 6  # stopped where the run stopped ...
    assert bar.disable  # ... and closed (tqdm disables a bar it has closed)


def test_anything_else_is_refused(leads):
    with pytest.raises(ConfigError, match="progress must be True"):
        ll.dedupe(leads, id_column="lead_id", progress="yes")
