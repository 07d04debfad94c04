"""The catalogue of bad inputs: each gets a sound result or a LeadlinkError that says what
was wrong, and every lead of an accepted input is accounted for in every output."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import leadlink as ll
from leadlink._values import id_text
from leadlink.cli import main

BASE = pd.DataFrame(
    {
        "lead_id": ["a", "b", "c", "d", "e", "f"],
        "name": ["张伟", "張偉", "Zhang Wei", "李娜", "王芳", "Robert Smith"],
        "phone": ["13800138001", "+86 138 0013 8001", "13800138001", "13900139002", None,
                  "+1 415 555 0100"],
        "email": ["zw@qq.com", None, "ZW@QQ.COM", "lina@163.com", "wf@126.com",
                  "bob@acme.com"],
        "company": ["字节跳动", "字節跳動", None, "腾讯", None, "Acme Inc"],
    }
)  # fmt: skip


def _accounted(leads: pd.DataFrame, result: ll.DedupeResult, id_column: str = "lead_id") -> None:
    assert len(result.clusters) == len(leads)
    # Every lead, in input order, its id as text (the way golden records and pairs write it).
    assert result.clusters[id_column].tolist() == [id_text(v) for v in leads[id_column]]
    assert result.clusters["cluster_id"].notna().all()
    assert int(result.golden["n_leads"].sum()) == len(leads)
    assert len(result.validation) == len(leads)


def _with(**changes: object) -> pd.DataFrame:
    frame = BASE.copy()
    for column, value in changes.items():
        frame[column] = value
    return frame


ACCEPTED: dict[str, Callable[[], pd.DataFrame]] = {
    "one row": lambda: BASE.head(1),
    "two identical rows but ids": lambda: pd.concat([BASE.head(1)] * 2).assign(lead_id=["x", "y"]),
    "integer ids": lambda: BASE.assign(lead_id=range(6)),
    "float ids": lambda: BASE.assign(lead_id=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    "a role column all null": lambda: _with(email=None),
    "only an id and a name": lambda: BASE[["lead_id", "name"]],
    "numbers where strings belong": lambda: _with(
        phone=[13800138001] * 3 + [13900139002, np.nan, 1.5]
    ),
    "mixed types": lambda: _with(name=["张伟", 3, None, 4.5, True, "x"]),
    "1 MB strings": lambda: _with(company=["公" * 1_000_000] + [None] * 5),
    "NUL and control characters": lambda: _with(
        name=["张\x00伟", "\x01\x02", "a\tb", "\r\n", "x\x7f", "y"]
    ),
    "emoji and right-to-left text": lambda: _with(
        name=["😴", "张伟😀", "مرحبا", "\u202eabc", "שלום", "x"]
    ),
    "SQL text in values": lambda: _with(
        name=["'; DROP TABLE leads; --", '" OR 1=1', "x", "y", "z", "w"]
    ),
    "quotes and SQL in column names": lambda: BASE.assign(
        **{'note"; DROP TABLE x; --': "x", "it's": 1}
    ),
    "the same phone on every row": lambda: _with(phone="13800138001"),
    "the same name on every row": lambda: _with(name="张伟"),
    "whitespace-only values": lambda: _with(name=["  ", "\t", "张伟", "\u3000", "", "x"]),
    "no email or company columns": lambda: BASE[["lead_id", "name", "phone"]],
    "non-default index": lambda: BASE.set_index(pd.Index([10, 20, 30, 40, 50, 60])),
    "duplicate index labels": lambda: BASE.set_index(pd.Index([1, 1, 1, 2, 2, 2])),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_accepted_inputs_account_for_every_lead(case):
    leads = ACCEPTED[case]()
    result = ll.dedupe(leads)
    _accounted(leads, result)


def test_the_same_phone_on_every_row_does_not_merge_everyone():
    result = ll.dedupe(_with(phone="13800138001"))
    assert result.clusters["cluster_id"].nunique() >= 3


REFUSED: dict[str, tuple[Callable[[], object], type[ll.LeadlinkError], str]] = {
    "empty table": (lambda: BASE.head(0), ll.InputError, "no leads"),
    "duplicate ids": (lambda: BASE.assign(lead_id=["a"] * 6), ll.InputError, "unique"),
    "missing ids": (lambda: BASE.assign(lead_id=["a", None, "c", "d", "e", "f"]), ll.InputError, "id"),
    "empty-string ids": (lambda: BASE.assign(lead_id=["a", " ", "c", "d", "e", "f"]), ll.InputError, "empty id"),
    "no role columns at all": (lambda: pd.DataFrame({"lead_id": ["a"], "备注": ["x"]}), ll.ColumnError, "role"),
    "not a DataFrame": (lambda: BASE.to_dict("records"), ll.InputError, "DataFrame"),
    "duplicate column names": (
        lambda: pd.concat([BASE, BASE[["name"]]], axis=1), ll.InputError, "duplicate column"
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_inputs_get_a_leadlink_error(case):
    make, error, message = REFUSED[case]
    with pytest.raises(error, match=message):
        ll.dedupe(make())  # type: ignore[arg-type]


# -- files through the command line ------------------------------------------------------


def _run(tmp_path, payload: bytes | None, name: str = "leads.csv", *extra: str) -> tuple[int, str]:
    path = tmp_path / name
    if payload is not None:
        path.write_bytes(payload)
    code = main(["dedupe", str(path), "--output-dir", str(tmp_path / "out"), "--quiet", *extra])
    return code, str(path)


CSV = BASE.to_csv(index=False)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (CSV.encode("gbk"), 0),
        (b"\xef\xbb\xbf" + CSV.encode("utf-8"), 0),
        (CSV.replace(",", ";").encode("utf-8"), 0),
        (CSV.replace(",", "\t").encode("utf-8"), 0),
        (b"", 2),
        (b"lead_id,name\n", 2),
        (b"\xff\xfe\x00\x00garbage", 2),
        (None, 2),
    ],
    ids=[
        "gbk",
        "bom",
        "semicolon",
        "tab",
        "empty file",
        "header only",
        "undecodable",
        "missing file",
    ],
)
def test_files_are_read_or_refused_with_exit_2(tmp_path, capsys, payload, code):
    got, _ = _run(tmp_path, payload)
    assert got == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if code == 2:
        assert err.strip().splitlines()[-1].startswith("leadlink: error:")
    else:
        assert len(pd.read_csv(tmp_path / "out" / "clusters.csv")) == len(BASE)


def test_wrong_delimiter_is_a_clear_role_error(tmp_path, capsys):
    payload = CSV.replace(",", "|").replace("|", " ", 1).encode("utf-8")
    got, _ = _run(tmp_path, payload)
    assert got == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.parametrize(
    "model_text",
    ['{"format": "leadlink-model", "vers', "[]", '{"format": "leadlink-model", "version": 1}'],
    ids=["truncated", "not an object", "hand-edited"],
)
def test_broken_model_files_exit_2(tmp_path, capsys, model_text):
    model = tmp_path / "model.json"
    model.write_text(model_text, "utf-8")
    got, _ = _run(tmp_path, CSV.encode("utf-8"), "leads.csv", "--model", str(model))
    assert got == 2
    assert "model file" in capsys.readouterr().err


def test_model_file_is_plain_json_not_pickle(tmp_path):
    result = ll.dedupe(pd.concat([BASE] * 3).assign(lead_id=[f"L{i}" for i in range(18)]))
    assert result.model is not None
    path = result.model.save(tmp_path / "m.json")
    assert isinstance(json.loads(path.read_text("utf-8")), dict)


def test_internal_errors_exit_1_with_one_line_and_no_traceback(tmp_path, capsys, monkeypatch):
    import leadlink.pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret value 13800138001 inside")

    monkeypatch.setattr(leadlink.pipeline, "dedupe", broken)
    got, _ = _run(tmp_path, CSV.encode("utf-8"))
    assert got == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "13800138001" not in err
    assert err.strip().splitlines()[-1].startswith("leadlink: internal error (RuntimeError)")


def test_pathological_block_is_capped_before_pairs_are_made():
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(3000)],
            "name": [f"客户{i % 1500}号" for i in range(3000)],
            "phone": ["13800138001"] * 3000,
        }
    )
    with pytest.warns(ll.LeadlinkWarning) as said:  # one phone on every lead is no use
        result = ll.dedupe(leads)
    assert any("'phone' role" in str(w.message) for w in said)
    assert result.model is not None and result.model.blocking_report is not None
    report = result.model.blocking_report
    assert report.capped_keys["phone"] == 1 and report.capped_leads["phone"] == 3000
    assert report.total_comparisons < 3000 * 10
    _accounted(leads, result)


def test_list_and_dict_cells_in_a_frame_are_read_as_their_text():
    """A DataFrame (not a file) may hold unhashable cells; they are judged by their text,
    and every lead is accounted for."""
    import warnings

    from leadlink.datasets import generate_leads

    leads = generate_leads(60, seed=1).drop(columns=["person_id", "is_ghost"])
    leads["name"] = leads["name"].astype(object)
    leads.at[leads.index[0], "name"] = ["a", "b"]
    leads.at[leads.index[1], "phone"] = {"x": 1}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ll.dedupe(leads)
    assert len(result.clusters) == len(leads)
