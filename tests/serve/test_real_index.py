"""The service over a real LeadIndex (300 generated people, a model trained by ll.dedupe):
what the API answers, and that concurrent adds from many threads are all kept."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.serve.conftest import NEW_PERSON, client_of
from tests.serve.conftest import duplicate_of as _duplicate

pytest.importorskip("fastapi")


def test_a_known_person_is_found_with_golden_record_and_reasons(real_index, dedupe_result):
    lead_id, typed = _duplicate(dedupe_result[0])
    with client_of(real_index) as client:
        found = client.post("/match", json={"record": typed}).json()
    assert found["flagged"] is False and found["duplicate"] is True
    best = found["candidates"][0]
    assert lead_id in best["golden"]["lead_ids"]
    assert best["golden"]["name"] == typed["name"]
    assert {reason["role"] for reason in best["why"]} >= {"name", "phone"}
    assert all(reason["description"] for reason in best["why"])


def test_a_new_person_has_no_candidate_and_a_ghost_is_flagged(real_index):
    with client_of(real_index) as client:
        results = client.post(
            "/match/batch", json={"records": [NEW_PERSON, {"name": "test", "phone": "12345678901"}]}
        ).json()["results"]
    assert results[0]["candidates"] == [] and results[0]["flagged"] is False
    assert results[1]["flagged"] is True and "name.placeholder" in results[1]["problems"]


def test_add_update_remove_and_the_cluster(real_index, dedupe_result):
    lead_id, typed = _duplicate(dedupe_result[0])
    cluster = real_index.cluster_of(lead_id)
    with client_of(real_index) as client:
        added = client.post("/leads", json=typed)
        assert added.status_code == 201
        new_id = added.json()["id"]
        assert added.json()["cluster_id"] == cluster
        assert new_id in client.get(f"/clusters/{cluster}").json()["lead_ids"]
        moved = client.put(f"/leads/{new_id}", json=NEW_PERSON).json()
        assert moved["cluster_id"] != cluster
        removed = client.delete(f"/leads/{new_id}").json()
        assert removed["id"] == new_id
        assert client.delete(f"/leads/{new_id}").status_code == 404
        assert client.get("/clusters/C-nobody").status_code == 404
        health = client.get("/health").json()
    assert health["leads"] == len(dedupe_result[0])
    assert health["entity"] == "person" and health["threshold"] == 0.5


def test_no_add_is_lost_when_many_threads_add_and_match_at_once(real_index, dedupe_result):
    import httpx

    before = len(real_index)
    people = [
        {"name": f"{first} {last}", "phone": f"+44 7{i:03d} 48{i:04d}", "company": "Acme"}
        for i, (first, last) in enumerate(
            (first, last)
            for first in ("Olivia", "Noah", "Amelia", "Oscar")
            for last in ("Hartley", "Pemberton", "Ashworth", "Kingsley")
        )
    ]
    _, typed = _duplicate(dedupe_result[0])
    with client_of(real_index) as client:
        url = str(client.base_url)

        def add(person):
            with httpx.Client(base_url=url) as own:
                return own.post("/leads", json=person)

        def match(_):
            with httpx.Client(base_url=url) as own:
                return own.post("/match", json={"record": typed})

        with ThreadPoolExecutor(8) as pool:
            # interleaved: matches run while the adds change the index
            adds_due = [pool.submit(add, person) for person in people]
            matches_due = [pool.submit(match, i) for i in range(8)]
            adds = [due.result() for due in adds_due]
            matches = [due.result() for due in matches_due]
    assert [r.status_code for r in adds] == [201] * 16
    assert [r.status_code for r in matches] == [200] * 8
    ids = {r.json()["id"] for r in adds}
    assert len(ids) == 16 and all(i in real_index for i in ids)
    assert len(real_index) == before + 16


def test_no_field_value_reaches_the_logs(real_index, caplog):
    import logging

    person = {"name": "欧阳子墨", "phone": "159 2738 4610", "email": "ouyangzimo@163.com"}
    with caplog.at_level(logging.DEBUG), client_of(real_index) as client:
        client.post("/match", json={"record": person})
        added = client.post("/leads", json=person).json()
        client.put(f"/leads/{added['id']}", json={**person, "company": "墨子科技"})
        client.post("/match", json={"record": {"name": "test", "phone": "12345678901"}})
        client.delete(f"/leads/{added['id']}")
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    for value in ("欧阳子墨", "2738", "ouyangzimo", "墨子科技", "12345678901"):
        assert value not in logged


def test_what_the_index_refuses_is_400_with_its_message(real_index, dedupe_result):
    lead_id, typed = _duplicate(dedupe_result[0])
    with client_of(real_index) as client:
        unknown = client.post("/match", json={"record": {"nonsense": "x"}})
        again = client.post("/leads", json={**typed, "lead_id": lead_id})
    assert unknown.status_code == 400 and "nonsense" in unknown.json()["detail"]
    assert again.status_code == 400 and lead_id in again.json()["detail"]
    assert "Traceback" not in unknown.text + again.text


def test_a_match_response_is_what_its_response_model_would_write(real_index, dedupe_result):
    """The /match endpoints write their JSON themselves: the same bytes FastAPI would write
    after validating the result against the response model."""
    from leadlink.serve._app import BatchResponse, MatchResponse

    typed = [_duplicate(dedupe_result[0])[1], NEW_PERSON, {"name": "test", "phone": "12345678901"}]
    with client_of(real_index) as client:
        for record in typed:
            body = client.post("/match", json={"record": record, "top": 3}).content
            assert body == MatchResponse.model_validate_json(body).model_dump_json().encode()
        body = client.post("/match/batch", json={"records": typed}).content
    assert body == BatchResponse.model_validate_json(body).model_dump_json().encode()
