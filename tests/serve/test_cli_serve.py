"""``leadlink serve``: builds the index from --model and --against (or loads --index) and
hands the application to uvicorn; uvicorn.run is replaced here by a server in a thread."""

from __future__ import annotations

import pytest

from leadlink.cli import main
from tests.serve.conftest import serving

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")


@pytest.fixture
def served(monkeypatch):
    """What ``leadlink serve`` gave uvicorn.run: the app and the options."""
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    return calls


def test_serve_builds_the_index_then_loads_it_saved(tmp_path, dedupe_result, served, capsys):
    leads, result = dedupe_result
    leads.to_csv(tmp_path / "leads.csv", index=False)
    result.model.save(tmp_path / "model.json")
    saved = tmp_path / "index"
    code = main(
        ["serve", "--model", str(tmp_path / "model.json"), "--against", str(tmp_path / "leads.csv"),
         "--index", str(saved), "--port", "8123", "--quiet"]
    )  # fmt: skip
    assert code == 0
    app, options = served[0]
    assert options == {
        "host": "127.0.0.1",
        "port": 8123,
        "access_log": False,
        "log_level": "warning",
    }
    assert f"serving {len(leads)} leads at http://127.0.0.1:8123/" in capsys.readouterr().err
    assert saved.exists()
    with serving(app) as url:
        added = httpx.post(url + "/leads", json={"name": "Olivia Hartley", "company": "Acme"})
        assert added.status_code == 201
    # saved again on exit, with the lead added; loaded without --model and --against
    assert main(["serve", "--index", str(saved), "--quiet"]) == 0
    with serving(served[1][0]) as url:
        assert httpx.get(url + "/health").json()["leads"] == len(leads) + 1


def test_serve_without_a_model_or_an_index_says_what_it_needs(served, capsys):
    assert main(["serve", "--against", "leads.csv"]) == 2
    assert "needs --model and --against" in capsys.readouterr().err
    assert served == []


def test_serve_without_the_extra_says_what_to_install(monkeypatch, served, capsys):
    import leadlink.serve as serve

    monkeypatch.setattr(serve, "_missing_extra", lambda: "uvicorn")
    assert main(["serve", "--model", "m.json", "--against", "leads.csv"]) == 2
    assert "pip install 'leadlink[serve]'" in capsys.readouterr().err
