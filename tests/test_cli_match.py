"""leadlink match: one record or a list against existing leads."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import leadlink as ll
from leadlink.cli import main
from leadlink.datasets import generate_leads


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("match")
    leads = generate_leads(150, seed=4).drop(columns=["person_id", "is_ghost"])
    source = folder / "leads.csv"
    leads.to_csv(source, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ll.dedupe(leads)
    assert result.model is not None
    model = result.model.save(folder / "model.json")
    return source, model, leads


def test_one_record_prints_its_candidates(files, capsys: pytest.CaptureFixture[str]) -> None:
    source, model, leads = files
    record = leads.iloc[2].drop("lead_id").dropna().to_dict()
    code = main(["match", "--model", str(model), "--against", str(source), json.dumps(record)])
    assert code == 0
    found = json.loads(capsys.readouterr().out)
    assert found["candidates"] and found["candidates"][0]["why"]
    assert not found["flagged"]


def test_a_list_is_written_with_a_status_per_lead(files, tmp_path: Path) -> None:
    source, model, leads = files
    new = tmp_path / "new.csv"
    leads.head(8).drop(columns=["lead_id"]).to_csv(new, index=False)
    out = tmp_path / "checked.csv"
    code = main(["match", "--model", str(model), "--against", str(source), "--input", str(new),
                 "--output", str(out)])  # fmt: skip
    assert code == 0
    checked = pd.read_csv(out)
    assert len(checked) == 8
    assert set(checked["status"]) <= {"exists", "uncertain", "new", "flagged"}


def test_bad_json_and_missing_options_exit_2(files, capsys: pytest.CaptureFixture[str]) -> None:
    source, model, _ = files
    assert main(["match", "--model", str(model), "--against", str(source), "{name: x}"]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["match", "--model", str(model), "--against", str(source), '["x"]']) == 2
    assert main(["match", '{"name": "张伟"}']) == 2
    assert "--model and --against" in capsys.readouterr().err
