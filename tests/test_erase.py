"""leadlink.erase: a person taken out of a DedupeResult and of an output folder (PIPL, GDPR),
named by lead id, phone or email, matched as dedupe matches them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

import leadlink as ll
from leadlink.cli import main
from leadlink.merge import cluster_id_for
from leadlink.merge._erase import phone_key

# The person to erase: three leads dedupe merges (one phone, one mailbox, three spellings),
# with values found nowhere else, so that any trace of them in an output can be searched.
PERSON = pd.DataFrame(
    {
        "lead_id": ["E1", "E2", "E3"],
        "name": ["欧阳娜娜", "歐陽娜娜", "Ouyang Nana"],
        "phone": ["13957204186", "+86 139-5720-4186", None],
        "email": ["ouyang.nana@erase-me.cn", None, "Ouyang.Nana@erase-me.cn"],
        "company": ["北京擦除科技有限公司", "北京擦除科技有限公司", "Erase Tech Co., Ltd."],
        "city": ["北京", "北京", "Beijing"],
        "title": ["采购总监", "采购总监", "Procurement Director"],
        "source": ["官网", "展会", "官网"],
        "created_at": ["2025-01-02T10:00:00", "2025-03-04T10:00:00", "2025-05-06T10:00:00"],
    }
)
TRACES = ("娜娜", "Nana", "NANA", "erase-me", "57204186", "擦除", "Erase Tech")


@pytest.fixture(scope="module")
def leads(small_leads) -> pd.DataFrame:
    others = small_leads.drop(columns=["person_id", "is_ghost"])
    return pd.concat([others, PERSON], ignore_index=True)


@pytest.fixture(scope="module")
def result(leads) -> ll.DedupeResult:
    found = ll.dedupe(leads, id_column="lead_id")
    person = found.clusters.loc[found.clusters["lead_id"].isin(["E1", "E2", "E3"]), "cluster_id"]
    assert person.nunique() == 1, "the crafted person must be one cluster"
    return found


def _traces(frame: pd.DataFrame | None) -> int:
    if frame is None:
        return 0
    text = frame.astype(str).to_csv(index=False)
    return sum(text.count(trace) for trace in TRACES)


def _all_traces(result: ll.DedupeResult) -> int:
    return sum(
        _traces(frame)
        for frame in (
            result.clusters,
            result.golden,
            result.pairs,
            result.leads,
            result.prepared,
            result.validation,
            result.lineage(),
            result.conflicts(),
            result.review(),
        )
    )


# ------------------------------------------------------------------------- in memory


@pytest.mark.parametrize(
    "named",
    [
        {"phones": ["139 5720 4186"]},  # dedupe's normalisation: +8613957204186
        {"emails": [" OUYANG.NANA@Erase-Me.CN "]},
        {"lead_ids": ["E2"]},
    ],
    ids=["phone", "email", "lead id"],
)
def test_erasing_a_person_from_a_result_removes_the_whole_cluster(result, named):
    assert _all_traces(result) > 0
    report = ll.erase(result, **named)
    assert report.n_leads == 3
    assert report.lead_ids == ["E1", "E2", "E3"]
    assert (report.clusters_removed, report.clusters_rebuilt) == (1, 0)
    assert report.rows_removed["clusters"] == 3 and report.rows_removed["golden"] == 1
    erased = report.result
    assert _all_traces(erased) == 0
    assert len(erased.clusters) == len(result.clusters) - 3
    # every other person is as before
    others = result.golden[~result.golden["lead_ids"].map(lambda ids: "E1" in ids)]
    pd.testing.assert_frame_equal(
        erased.golden.reset_index(drop=True), others.reset_index(drop=True)
    )
    assert erased.leads is not None and len(erased.leads) == len(erased.prepared)
    # the result given is left as it was
    assert _all_traces(result) > 0


def test_erasing_only_the_named_lead_rebuilds_its_cluster_from_the_others(result):
    report = ll.erase(result, lead_ids=["E1"], whole_cluster=False)
    assert (report.n_leads, report.clusters_removed, report.clusters_rebuilt) == (1, 0, 1)
    erased = report.result
    rebuilt = erased.golden[erased.golden["lead_ids"].map(lambda ids: "E2" in ids)].iloc[0]
    assert rebuilt["lead_ids"] == ["E2", "E3"] and rebuilt["n_leads"] == 2
    # renamed after its smallest remaining member: the old id was a hash of "E1"
    assert rebuilt["cluster_id"] == cluster_id_for("E2")
    assert "E1" not in {rebuilt[c] for c in erased.golden.columns if c.endswith("_from")}
    assert rebuilt["first_seen"] == pd.Timestamp("2025-03-04T10:00:00")
    assert rebuilt["sources"] == ["官网", "展会"]
    for table in (erased.clusters, erased.pairs, erased.lineage(), erased.conflicts()):
        assert "E1" not in table.astype(str).to_csv(index=False)
    assert set(
        erased.clusters.loc[erased.clusters["lead_id"].isin(["E2", "E3"]), "cluster_id"]
    ) == {rebuilt["cluster_id"]}


def test_a_dry_run_changes_nothing_and_unknown_names_are_counted(result):
    report = ll.erase(
        result, lead_ids=["E3", "nobody"], emails=["nobody@example.com"], dry_run=True
    )
    assert report.dry_run and report.result is None
    assert report.n_leads == 3
    assert report.not_found == {"lead_ids": 1, "phones": 0, "emails": 1}
    nothing = ll.erase(result, lead_ids=["nobody"], list_ids=False)
    assert (nothing.n_leads, nothing.lead_ids) == (0, None)
    assert nothing.result is result


def test_a_phone_of_several_people_is_refused_unless_all_matches(result):
    # a switchboard number (no extension) that leads of several clusters give
    keys = result.leads["phone"].map(lambda v: phone_key(v, "CN"))
    table = pd.DataFrame({"key": keys, "cluster": result.clusters["cluster_id"]}).dropna()
    spread = table.groupby("key")["cluster"].nunique()
    shared = spread[(spread > 1) & ~spread.index.str.contains(";ext=")]
    if shared.empty:
        pytest.skip("no shared line in these generated leads")
    phone = result.leads.loc[keys == shared.index[0], "phone"].iloc[0]
    with pytest.raises(
        ll.InputError, match=r"phone #1 matches \d+ leads in \d+ clusters"
    ) as caught:
        ll.erase(result, phones=[phone])
    assert str(phone) not in str(caught.value)
    report = ll.erase(result, phones=[phone], all_matches=True, dry_run=True)
    assert report.clusters_removed == shared.iloc[0]


def test_bad_names_are_refused_without_echoing_them(result):
    with pytest.raises(ll.InputError, match="phone #2 is not a valid phone") as caught:
        ll.erase(result, phones=["13957204186", "12-not-a-phone"])
    assert "not-a-phone" not in str(caught.value)
    with pytest.raises(ll.InputError, match="as a list"):
        ll.erase(result, phones="13957204186")
    with pytest.raises(ll.InputError, match="DedupeResult or the path"):
        ll.erase(42, lead_ids=["E1"])
    ll.set_language("zh")
    with pytest.raises(ll.InputError, match="第 1 个电话无效"):
        ll.erase(result, phones=["12-not-a-phone"])


# ---------------------------------------------------------------------------- folder


@pytest.fixture()
def folder(tmp_path, leads) -> Path:
    source = tmp_path / "leads.csv"
    leads.to_csv(source, index=False)
    out = tmp_path / "out"
    assert main(["dedupe", str(source), "--output-dir", str(out), "--quiet"]) == 0
    return out


def _folder_traces(out: Path) -> dict[str, int]:
    found = {}
    for path in sorted(out.iterdir()):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".parquet":
                data = pd.read_parquet(path).astype(str).to_csv(index=False).encode()
            hits = sum(data.count(trace.encode()) for trace in (*TRACES, "E1", "E2", "E3"))
            if hits:
                found[path.name] = hits
    return found


def _consistent(out: Path) -> None:
    clusters = ll.read_leads(out / "clusters.csv")
    ids, names = set(clusters["lead_id"]), set(clusters["cluster_id"])
    golden = ll.read_leads(out / "golden_records.csv")
    assert set(golden["cluster_id"]) == names
    sizes = clusters["cluster_id"].value_counts()
    assert (
        golden["n_leads"].astype(int).to_numpy() == sizes[golden["cluster_id"]].to_numpy()
    ).all()
    for name in ("lineage.csv", "conflicts.csv", "review.csv"):
        table = ll.read_leads(out / name)
        assert set(table["cluster_id"]) <= names, name
    lineage = ll.read_leads(out / "lineage.csv")
    assert set(lineage["lead_id"]) <= ids
    pairs = pd.read_parquet(out / "pairs.parquet")
    assert set(pairs["id_l"]) | set(pairs["id_r"]) <= ids


def test_erasing_a_person_from_an_output_folder(folder, capsys):
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert _folder_traces(folder)
    code = main(["erase", "--output-dir", str(folder), "--phone", "139 5720 4186", "--list-ids"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "erased 3 lead(s): 1 cluster(s) removed whole" in printed
    assert "clusters.csv 3" in printed and "lead ids: E1, E2, E3" in printed
    assert "57204186" not in printed
    assert _folder_traces(folder) == {}
    _consistent(folder)
    assert (folder / "model.json").read_bytes() == before["model.json"]  # no per-person data
    manifest = json.loads((folder / "leadlink-run.json").read_text("utf-8"))
    assert manifest["command"] == "dedupe" and len(manifest["options"]["erasures"]) == 1
    for name, entry in manifest["files"].items():  # the manifest lists the files as they are
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == entry["sha256"]
    # the other leads' rows are as they were
    old = pd.read_csv(pd.io.common.BytesIO(before["clusters.csv"]), dtype=str)
    new = ll.read_leads(folder / "clusters.csv")
    assert new.equals(old[~old["lead_id"].isin(["E1", "E2", "E3"])].reset_index(drop=True))


def test_erasing_only_the_named_lead_in_a_folder_needs_the_leads(folder, tmp_path, capsys):
    argv = ["erase", "--output-dir", str(folder), "--lead-id", "E1", "--only-named"]
    assert main(argv) == 2
    assert "--leads" in capsys.readouterr().err
    assert main([*argv, "--leads", str(tmp_path / "leads.csv")]) == 0
    assert "1 rebuilt from their other members" in capsys.readouterr().out
    traces = _folder_traces(folder)
    assert "E1" not in (folder / "clusters.csv").read_text("utf-8-sig")
    golden = ll.read_leads(folder / "golden_records.csv")
    rebuilt = golden[golden["cluster_id"] == cluster_id_for("E2")].iloc[0]
    assert json.loads(rebuilt["lead_ids"]) == ["E2", "E3"]
    assert "E1" not in set(rebuilt[[c for c in golden.columns if c.endswith("_from")]])
    _consistent(folder)
    assert traces  # E2 and E3 are still there: only E1 was named


def test_a_dry_run_leaves_the_folder_as_it_was(folder, capsys):
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert (
        main(
            [
                "erase",
                "--output-dir",
                str(folder),
                "--email",
                "ouyang.nana@erase-me.cn",
                "--dry-run",
            ]
        )
        == 0
    )
    assert "would erase 3 lead(s)" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def test_erase_refuses_what_is_not_an_output_folder(tmp_path, capsys):
    assert main(["erase", "--output-dir", str(tmp_path), "--lead-id", "E1"]) == 2
    assert "not a dedupe output folder" in capsys.readouterr().err
    assert main(["erase", "--output-dir", str(tmp_path)]) == 2
    assert "--lead-id, --phone or --email" in capsys.readouterr().err
