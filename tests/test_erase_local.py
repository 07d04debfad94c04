"""Erasure and golden records of leads whose phone is a local number (kept as
``local:<digits>``), and of addresses matched as keyed hashes (``hash_key``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import leadlink as ll
from leadlink.clean import OutputMasking
from leadlink.cli import main
from leadlink.merge import cluster_id_for
from leadlink.merge._erase import phone_key

KEY = "a-secret-key-of-32-characters-xx"

# One person, three leads with a local number (no area code) written three ways, and an
# address; values found nowhere else, so any trace of them in an output can be searched.
PERSON = pd.DataFrame(
    {
        "lead_id": ["E1", "E2", "E3"],
        "name": ["Wojciech Kowalczyk", "Wojciech Kowalczyk", "Wojciech Kowalczyk"],
        "phone": ["882-4567", "(882) 4567", "8824567"],
        "email": ["w.kowalczyk@erase-local.pl", None, "W.Kowalczyk@erase-local.pl"],
        "company": ["Erase Local Sp. z o.o.", "Erase Local Sp. z o.o.", "Erase Local"],
        "city": ["Springfield", "Springfield", "Springfield"],
        "address": ["77 Harbor Boulevard, Apt 5", "77 Harbor Blvd #5", None],
    }
)
TRACES = ("Kowalczyk", "erase-local", "8824567", "882-4567", "Harbor")


@pytest.fixture(scope="module")
def leads(small_leads) -> pd.DataFrame:
    others = small_leads.drop(columns=["person_id", "is_ghost"])
    return pd.concat([others, PERSON], ignore_index=True)


def _dedupe(leads: pd.DataFrame, **options) -> ll.DedupeResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ll.LeadlinkWarning)  # a mostly empty address column
        found = ll.dedupe(leads, id_column="lead_id", **options)
    person = found.clusters.loc[found.clusters["lead_id"].isin(["E1", "E2", "E3"]), "cluster_id"]
    assert person.nunique() == 1, "the crafted person must be one cluster"
    return found


@pytest.fixture(scope="module")
def result(leads) -> ll.DedupeResult:
    return _dedupe(leads)


@pytest.fixture(scope="module")
def hashed(leads) -> ll.DedupeResult:
    return _dedupe(leads, hash_key=KEY)


def _golden_of_person(result: ll.DedupeResult) -> pd.Series:
    rows = result.golden[result.golden["lead_ids"].map(lambda ids: "E1" in ids)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize("written", ["882 4567", "882-4567", "(882) 45.67", "8824567"])
def test_a_local_number_has_one_key_whatever_its_separators(written):
    assert phone_key(written, "CN") == phone_key(written, "US") == "local:8824567"
    assert phone_key(f"{written} ext. 12", "CN") == "local:8824567;ext=12"
    assert phone_key("882 45", "CN") is None  # too short to be a number


@pytest.mark.parametrize("which", ["result", "hashed"])
def test_erasing_by_a_local_number_finds_the_person(which, request):
    found = request.getfixturevalue(which)
    report = ll.erase(found, phones=["882 45 67"])
    assert report.n_leads == 3 and report.lead_ids == ["E1", "E2", "E3"]
    assert report.not_found == {"lead_ids": 0, "phones": 0, "emails": 0}
    after = report.result
    assert not after.clusters["lead_id"].isin(["E1", "E2", "E3"]).any()
    text = after.golden.astype(str).to_csv() + after.prepared.astype(str).to_csv()
    assert not [trace for trace in TRACES if trace in text]
    # a local number nobody has is counted, not refused
    assert ll.erase(found, phones=["771-2233"], dry_run=True).not_found["phones"] == 1


def test_erasing_one_lead_rebuilds_its_cluster_from_hashed_addresses(hashed):
    report = ll.erase(hashed, lead_ids=["E1"], whole_cluster=False)
    assert report.clusters_rebuilt == 1
    golden = report.result.golden
    rebuilt = golden[golden["cluster_id"] == cluster_id_for("E2")].iloc[0]
    assert rebuilt["lead_ids"] == ["E2", "E3"]
    assert rebuilt["address"] == "77 Harbor Blvd #5" and rebuilt["address_from"] == "E2"
    assert rebuilt["phone_from"] in ("E2", "E3")
    # the prepared table of the result still holds the address as a keyed hash only
    assert (
        not report.result.prepared.astype(str)
        .apply(lambda c: c.str.contains("harbor"))
        .any(axis=None)
    )


def test_the_golden_address_survives_alike_with_and_without_hash_key(result, hashed):
    clear, pseudonymised = _golden_of_person(result), _golden_of_person(hashed)
    # the longer address (with its unit written out) wins in both: its key is read in clear
    assert clear["address"] == pseudonymised["address"] == "77 Harbor Boulevard, Apt 5"


def test_golden_records_show_a_local_number_marked_as_one(result, hashed):
    golden = _golden_of_person(result)
    assert golden["phone_normalized"] == "local:8824567"  # never mistaken for E.164
    # with hash_key: the prepared pseudonym, the same as the hashed outputs show
    pseudonym = _golden_of_person(hashed)["phone_normalized"]
    assert len(pseudonym) == 32 and "8824567" not in pseudonym
    masked = OutputMasking("masked").columns(result.golden.iloc[[golden.name]])
    assert masked["phone_normalized"].tolist() == ["local:****67"]
    assert masked["phone"].tolist() == ["****67"]
    hashed_out = OutputMasking("hashed", hash_key=KEY).columns(result.golden.iloc[[golden.name]])
    assert hashed_out["phone_normalized"].tolist() == [pseudonym]
    assert hashed_out["phone"].tolist() == [pseudonym]  # one pseudonym for one number


# ---------------------------------------------------------------------------- folder


def _folder_traces(out: Path) -> dict[str, int]:
    found = {}
    for path in sorted(out.iterdir()):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".parquet":
                data = pd.read_parquet(path).astype(str).to_csv(index=False).encode()
            hits = sum(data.count(trace.encode()) for trace in TRACES)
            if hits:
                found[path.name] = hits
    return found


def _dedupe_folder(tmp_path: Path, leads: pd.DataFrame, *options: str) -> Path:
    source = tmp_path / "leads.csv"
    leads.to_csv(source, index=False)
    out = tmp_path / "out"
    argv = ["dedupe", str(source), "--output-dir", str(out), "--quiet", *options]
    assert main(argv) == 0
    return out


def test_erasing_by_a_local_number_in_a_folder(tmp_path, leads, capsys):
    out = _dedupe_folder(tmp_path, leads)
    golden = ll.read_leads(out / "golden_records.csv")
    assert "local:8824567" in set(golden["phone_normalized"])
    assert _folder_traces(out)
    assert main(["erase", "--output-dir", str(out), "--phone", "882.4567", "--list-ids"]) == 0
    assert "lead ids: E1, E2, E3" in capsys.readouterr().out
    assert _folder_traces(out) == {}


def test_erasing_by_a_local_number_in_a_folder_matched_with_a_hash_key(tmp_path, leads, capsys):
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY, "utf-8")
    out = _dedupe_folder(tmp_path, leads, "--hash-key-file", str(key_file), "--hash-outputs")
    traces = _folder_traces(out)
    assert traces  # names and addresses are shown; the phone is hashed
    assert not any(
        phone in path.read_text("utf-8-sig")
        for phone in ("8824567", "882-4567")
        for path in out.glob("*.csv")
    )
    argv = ["erase", "--output-dir", str(out), "--phone", "882 4567", "--list-ids"]
    assert main(argv) == 2  # hashed outputs: the leads are needed to match on
    assert "--leads" in capsys.readouterr().err
    assert main([*argv, "--leads", str(tmp_path / "leads.csv")]) == 0
    assert "lead ids: E1, E2, E3" in capsys.readouterr().out
    assert _folder_traces(out) == {}
