"""LeadIndex: real-time matching, clusters kept current, golden records, persistence."""

from __future__ import annotations

import json
import threading
import warnings
from pathlib import Path

import pandas as pd
import pytest

import leadlink as ll
from leadlink.datasets import generate_leads
from leadlink.errors import InputError


@pytest.fixture(scope="module")
def base() -> tuple[pd.DataFrame, pd.Series, ll.DedupeResult]:
    leads = generate_leads(300, seed=11)
    truth = leads.pop("person_id")
    leads = leads.drop(columns=["is_ghost"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ll.dedupe(leads)
    return leads, truth, result


@pytest.fixture()
def index(base: tuple[pd.DataFrame, pd.Series, ll.DedupeResult]) -> ll.LeadIndex:
    return ll.LeadIndex.from_result(base[2])


def _record(leads: pd.DataFrame, position: int) -> dict[str, object]:
    record = leads.iloc[position].to_dict()
    record.pop("lead_id")
    return record


def test_the_index_starts_from_the_batch_clusters(base, index: ll.LeadIndex) -> None:
    leads, _, result = base
    assert len(index) == len(leads)
    clusters = index.clusters().set_index("lead_id")["cluster_id"]
    batch = result.clusters.set_index("lead_id")["cluster_id"]
    pd.testing.assert_series_equal(clusters.sort_index(), batch.sort_index(), check_names=False)


def test_a_known_lead_typed_again_is_found_first(base, index: ll.LeadIndex) -> None:
    leads, _, _ = base
    found = 0
    for position in range(0, 120, 7):
        result = index.match(_record(leads, position))
        if result.flagged:
            continue
        assert result.candidates, "a lead typed again has candidates"
        best = result.candidates[0]
        found += best["id"] == leads.iloc[position]["lead_id"] or (
            best["cluster_id"] == index.cluster_of(str(leads.iloc[position]["lead_id"]))
        )
        assert best["why"] and {"role", "level", "weight", "description"} <= set(best["why"][0])
        assert best["golden"]["cluster_id"] == best["cluster_id"]
    assert found >= 15


def test_a_ghost_record_is_flagged_not_matched(index: ll.LeadIndex) -> None:
    result = index.match({"name": "test", "phone": "13800000000", "email": "test@test.com"})
    assert result.flagged and result.problems and not result.candidates
    assert result.to_dict()["flagged"] is True


def test_adding_a_duplicate_joins_its_cluster_and_updates_the_golden_record(
    base, index: ll.LeadIndex
) -> None:
    leads, _, _ = base
    position = next(i for i in range(len(leads)) if index.match(_record(leads, i)).duplicate)
    existing = str(leads.iloc[position]["lead_id"])
    cluster = index.cluster_of(existing)
    size = index.golden(cluster)["n_leads"]
    added = index.add({**_record(leads, position), "lead_id": "NEW-1"})
    assert added["id"] == "NEW-1" and added["cluster_id"] == index.cluster_of(existing)
    assert index.golden(added["cluster_id"])["n_leads"] == size + 1
    removed = index.remove("NEW-1")
    assert removed["id"] == "NEW-1" and "NEW-1" not in index
    assert index.golden(index.cluster_of(existing))["n_leads"] == size


def test_a_new_person_gets_a_cluster_of_their_own(index: ll.LeadIndex) -> None:
    added = index.add({"name": "Zebulon Quartermaine", "phone": "+86 139 1045 2871",
                       "email": "zq@quartermaine-example.org"})  # fmt: skip
    assert added["id"].startswith("new_")
    assert index.golden(added["cluster_id"])["n_leads"] == 1
    assert index.match({"name": "Zebulon Quartermaine", "phone": "+86 139 1045 2871"}).duplicate


def test_update_relinks_a_lead(base, index: ll.LeadIndex) -> None:
    leads, _, _ = base
    lead_id = str(leads.iloc[0]["lead_id"])
    out = index.update(lead_id, {"name": "Ottoline Vexley", "phone": "+1 415 555 0111"})
    assert out["id"] == lead_id
    assert index.golden(out["cluster_id"])["n_leads"] == 1


def test_bad_records_and_ids_are_clear_errors(index: ll.LeadIndex) -> None:
    with pytest.raises(InputError, match="unknown field"):
        index.match({"nmae": "张伟"})
    with pytest.raises(InputError, match="no lead"):
        index.remove("does-not-exist")
    first = index.clusters()["lead_id"].iloc[0]
    with pytest.raises(InputError, match="already"):
        index.add({"lead_id": first, "name": "张伟"})
    with pytest.raises(InputError, match="mapping"):
        index.match(["张伟"])  # type: ignore[arg-type]


def test_an_imported_list_is_checked_lead_by_lead(base, index: ll.LeadIndex) -> None:
    leads, _, _ = base
    imported = pd.concat(
        [
            leads.head(5).drop(columns=["lead_id"]),
            pd.DataFrame({"name": ["Ingeborg Plenderleith"], "phone": ["+49 30 901820"]}),
        ],
        ignore_index=True,
    )
    checked = index.match_frame(imported)
    assert len(checked) == len(imported)
    assert set(checked["status"]) <= {"exists", "uncertain", "new", "flagged"}
    assert checked["status"].iloc[-1] == "new"
    assert len(index) == len(leads)  # nothing was added


def test_save_and_load_give_the_same_answers(base, index: ll.LeadIndex, tmp_path: Path) -> None:
    leads, _, _ = base
    index.add({"name": "Zebulon Quartermaine", "phone": "+86 139 1045 2871"})
    loaded = ll.LeadIndex.load(index.save(tmp_path / "index"))
    assert len(loaded) == len(index)
    pd.testing.assert_frame_equal(
        loaded.clusters().sort_values("lead_id").reset_index(drop=True),
        index.clusters().sort_values("lead_id").reset_index(drop=True),
    )
    for position in (3, 40, 77):
        record = _record(leads, position)
        assert loaded.match(record).to_dict() == index.match(record).to_dict()
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text("utf-8"))
    (tmp_path / "index" / "manifest.json").write_text(json.dumps({**manifest, "version": 1}))
    with pytest.raises(InputError, match=r"version 1.*build it again"):
        ll.LeadIndex.load(tmp_path / "index")
    (tmp_path / "index" / "manifest.json").write_text('{"format": "other"}', "utf-8")
    with pytest.raises(InputError, match="not a leadlink index"):
        ll.LeadIndex.load(tmp_path / "index")


def test_a_loaded_index_changes_and_saves_as_the_original(
    base, index: ll.LeadIndex, tmp_path: Path
) -> None:
    leads, _, _ = base
    loaded = ll.LeadIndex.load(index.save(tmp_path / "first"))
    position = next(i for i in range(len(leads)) if index.match(_record(leads, i)).duplicate)
    for changed in (index, loaded):
        changed.add({**_record(leads, position), "lead_id": "NEW-9"})
        changed.remove(str(leads.iloc[position]["lead_id"]))
        changed.update(str(leads.iloc[1]["lead_id"]), {"name": "Ottoline Vexley"})
    again = ll.LeadIndex.load(loaded.save(tmp_path / "second"))
    for other in (loaded, again):
        pd.testing.assert_frame_equal(other.clusters(), index.clusters())
        cluster = index.cluster_of("NEW-9")
        assert other.golden(cluster) == index.golden(cluster)
        for position in (3, 40, 77):
            record = _record(leads, position)
            assert other.match(record).to_dict() == index.match(record).to_dict()


def test_no_add_is_lost_under_concurrent_calls(index: ll.LeadIndex) -> None:
    before = len(index)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(5):
                index.add({"name": f"Person {n} {i}", "phone": f"+1 415 555 {n:02d}{i:02d}"})
                index.match({"name": f"Person {n} {i}"})
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(index) == before + 30


def test_an_index_grown_from_one_lead_saves_what_the_first_lacked(base, tmp_path: Path) -> None:
    leads, _, result = base
    # the first lead has no email: the tables start with a column of nothing
    first = leads[leads["email"].isna()].head(1)
    index = ll.LeadIndex(first, model=result.model, columns=result.roles, policy=result.policy)
    for position in range(5):
        index.add(leads.iloc[position].to_dict())
    loaded = ll.LeadIndex.load(index.save(tmp_path / "grown"))
    pd.testing.assert_frame_equal(loaded.clusters(), index.clusters())
    record = _record(leads, 2)
    assert loaded.match(record).to_dict() == index.match(record).to_dict()


def test_a_loaded_index_saves_over_its_own_folder(
    base, index: ll.LeadIndex, tmp_path: Path
) -> None:
    # what the service does on shutdown: the files it replaces are the ones it reads
    leads, _, _ = base
    folder = index.save(tmp_path / "served")
    loaded = ll.LeadIndex.load(folder)
    loaded.add({"name": "Zebulon Quartermaine", "phone": "+86 139 1045 2871"})
    loaded.save(folder)
    record = _record(leads, 40)
    again = ll.LeadIndex.load(folder)
    assert loaded.match(record).to_dict() == again.match(record).to_dict()
    assert len(again) == len(leads) + 1
    assert not list(folder.rglob(".*.writing"))


def test_a_namesake_at_a_big_employer_with_nothing_else_in_common_is_no_duplicate(
    base, index: ll.LeadIndex
) -> None:
    # six people called 王伟 at the largest company, each with a mobile of their own: a
    # seventh 王伟 there who gives nothing else is at most one of them, so none of them is
    # the record's person by the threshold, though each pair alone may come close to it
    leads = base[0]
    company = leads["company"].value_counts().index[0]
    mobiles = ["13953817264", "13628475910", "15873920461", "18640293857", "13719586302",
               "15937261840"]  # fmt: skip
    for mobile in mobiles:
        index.add({"name": "王伟", "company": company, "phone": mobile})
    found = index.match({"name": "王伟", "company": company}, top=10)
    assert len({c["cluster_id"] for c in found.candidates}) >= 5
    assert not found.duplicate
    assert sum(c["cluster_probability"] for c in found.candidates) < 1
    for candidate in found.candidates:
        assert candidate["cluster_probability"] < candidate["match_probability"]
    # ... while the same record with one of their mobiles is that person
    found = index.match({"name": "王伟", "company": company, "phone": mobiles[3]})
    assert found.duplicate
    assert found.candidates[0]["cluster_probability"] >= index.threshold


def test_a_record_that_finds_one_person_keeps_its_pair_probability(
    base, index: ll.LeadIndex
) -> None:
    leads = base[0]
    for position in range(40):
        found = index.match(_record(leads, position))
        if len({c["cluster_id"] for c in found.candidates}) == 1:
            best = found.candidates[0]
            assert best["cluster_probability"] == pytest.approx(best["match_probability"])
            return
    pytest.fail("no record found exactly one cluster")


def test_a_person_whose_own_mobile_is_another_is_not_the_records(base, index: ll.LeadIndex) -> None:
    # one 欧阳明轩 at the largest company, on its switchboard once and on his mobile once
    # (one cluster); a 欧阳明轩 there with another mobile contradicts that lead, so his
    # cluster is not the record's person, as clustering would not let the record join it,
    # though the pair with the switchboard lead alone passes the threshold
    company = base[0]["company"].value_counts().index[0]
    board = index.add({"name": "欧阳明轩", "company": company, "phone": "010-62345678"})
    mobile = index.add({"name": "欧阳明轩", "company": company, "phone": "13953817264"})
    assert board["cluster_id"] == mobile["cluster_id"]
    found = index.match({"name": "欧阳明轩", "company": company, "phone": "13628475910"})
    assert found.candidates[0]["match_probability"] >= index.threshold
    assert found.candidates[0]["cluster_probability"] == 0.0
    assert not found.duplicate
    # ... his own mobile is him, and so, for want of anything against it, is a record
    # that gives no phone
    assert index.match({"name": "欧阳明轩", "company": company, "phone": "13953817264"}).duplicate
    assert index.match({"name": "欧阳明轩", "company": company}).duplicate


def test_candidates_come_surest_person_first(base, index: ll.LeadIndex) -> None:
    # best first is by the cluster's probability, then by the pair's weight: a namesake
    # whose cluster the record contradicts never comes before a lead it may really be
    company = base[0]["company"].value_counts().index[0]
    index.add({"name": "欧阳明轩", "company": company, "phone": "010-62345678"})
    index.add({"name": "欧阳明轩", "company": company, "phone": "13953817264"})
    index.add({"name": "欧阳明轩", "city": "北京", "email": "ouyangmx@163.com"})
    records = [_record(base[0], position) for position in range(60)]
    records.append({"name": "欧阳明轩", "company": company, "phone": "13628475910",
                    "city": "北京", "email": "ouyangmx@163.com"})  # fmt: skip
    for record in records:
        found = index.match(record, top=10)
        order = [(-c["cluster_probability"], -c["match_weight"]) for c in found.candidates]
        assert order == sorted(order)
        assert found.duplicate == any(
            c["cluster_probability"] >= index.threshold for c in found.candidates
        )
    # the last record contradicts the switchboard-and-mobile cluster (another mobile), not
    # the lead with its mailbox
    assert [c["cluster_probability"] > 0 for c in found.candidates][:2] == [True, False]
