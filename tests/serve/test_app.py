"""The HTTP API over a stand-in index: status codes, bodies, locking, the page, OpenAPI."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.serve.conftest import StandInIndex, client_of

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from leadlink.serve import create_app  # noqa: E402

DUPLICATE = {"name": "張偉", "phone": "138 0013 8000"}


def test_match_returns_the_duplicate_first_with_its_golden_record_and_reasons(client):
    response = client.post("/match", json={"record": DUPLICATE, "top": 3})
    assert response.status_code == 200
    found = response.json()
    assert found["flagged"] is False
    best = found["candidates"][0]
    assert best["id"] == "L1"
    assert best["golden"]["name"] == "张伟"
    assert best["golden"]["n_leads"] == 1
    assert [reason["role"] for reason in best["why"]] == ["phone"]


def test_a_new_person_has_no_candidate(client):
    found = client.post("/match", json={"record": {"name": "李娜", "phone": "13900000000"}})
    assert found.json()["candidates"] == []


def test_a_junk_lead_is_flagged_with_its_problems(client):
    found = client.post("/match", json={"record": {"name": "test"}}).json()
    assert found["flagged"] is True
    assert found["problems"] == ["ghost.test_name"]


def test_empty_fields_are_not_sent_to_the_index(client, stand_in):
    seen = []
    original = stand_in.match
    stand_in.match = lambda record, top=5: seen.append(record) or original(record, top)
    client.post("/match", json={"record": {"name": "", "phone": "  ", "email": "a@b.cn"}})
    assert seen == [{"email": "a@b.cn"}]


def test_other_fields_are_passed_on(client, stand_in):
    seen = []
    original = stand_in.match
    stand_in.match = lambda record, top=5: seen.append(record) or original(record, top)
    client.post("/match", json={"record": {"手机": "13800138000", "score": 3}})
    assert seen == [{"手机": "13800138000", "score": 3}]


def test_batch_answers_each_record_in_order(client):
    records = [DUPLICATE, {"name": "Nobody"}, {"email": "mary@acme.com"}]
    results = client.post("/match/batch", json={"records": records}).json()["results"]
    assert [[c["id"] for c in r["candidates"]] for r in results] == [["L1"], [], ["L2"]]


def test_a_batch_too_long_or_a_bad_top_is_refused(client):
    assert client.post("/match/batch", json={"records": [{}] * 1001}).status_code == 422
    assert client.post("/match", json={"record": {}, "top": 0}).status_code == 422
    assert client.post("/match", json={"top": 3}).status_code == 422


def test_add_joins_the_cluster_of_the_duplicate(client, stand_in):
    response = client.post("/leads", json=DUPLICATE)
    assert response.status_code == 201
    added = response.json()
    assert added["cluster_id"] == "C-L1"
    assert added["golden"]["n_leads"] == 2
    assert len(stand_in) == 3
    assert client.get("/clusters/C-L1").json()["n_leads"] == 2


def test_update_and_remove(client, stand_in):
    updated = client.put("/leads/L2", json={"name": "张伟", "phone": "13800138000"}).json()
    assert (updated["id"], updated["cluster_id"]) == ("L2", "C-L1")
    removed = client.delete("/leads/L2").json()
    assert removed == {"id": "L2", "clusters": ["C-L1"]}
    assert "L2" not in stand_in


def test_unknown_ids_are_404_with_a_message(client):
    for response in (
        client.delete("/leads/nobody"),
        client.put("/leads/nobody", json={"name": "x"}),
        client.get("/clusters/C-nobody"),
    ):
        assert response.status_code == 404
        assert "nobody" in response.json()["detail"]


def test_a_leadlink_error_is_400_with_its_message_and_no_trace(client):
    response = client.post("/leads", json={"lead_id": "L1", "name": "again"})
    assert response.status_code == 400
    assert response.json() == {"detail": "lead id 'L1' is already in the index"}


def test_an_unexpected_error_is_500_without_the_message(stand_in, caplog):
    def broken(record, top=5):
        raise ValueError("13800138000 broke it")

    stand_in.match = broken
    with caplog.at_level(logging.DEBUG), client_of(stand_in) as client:
        response = client.post("/match", json={"record": DUPLICATE})
    assert response.status_code == 500
    assert "13800138000" not in response.text
    assert "ValueError" in response.json()["detail"]
    assert "13800138000" not in caplog.text


def test_health(client):
    health = client.get("/health").json()
    assert health["leads"] == 2
    assert health["status"] == "ok"
    assert health["threshold"] == 0.5
    assert health["version"]


def test_the_page_is_served_self_contained(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "This person may already exist" in page.text
    assert "此人可能已经存在" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing from a CDN


def test_the_openapi_description_names_every_endpoint_and_model(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {
        "/match",
        "/match/batch",
        "/leads",
        "/leads/{lead_id}",
        "/clusters/{cluster_id}",
        "/health",
    }
    assert {"Lead", "MatchResponse", "Candidate", "Reason", "Added", "Removed", "Health"} <= set(
        spec["components"]["schemas"]
    )
    assert client.get("/docs").status_code == 200


def test_the_index_is_saved_on_shutdown_when_asked(stand_in):
    with client_of(stand_in, save_to="kept.index") as client:
        client.post("/leads", json={"name": "李娜"})
    assert stand_in.saved == ["kept.index"]


def test_no_add_is_lost_under_concurrent_requests():
    index = StandInIndex(slow=0.001)
    app = create_app(index)

    async def many() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            adds = [
                client.post("/leads", json={"name": f"n{i}", "phone": f"139{i:08d}"})
                for i in range(120)
            ]
            reads = [client.post("/match", json={"record": DUPLICATE}) for _ in range(40)]
            responses = await asyncio.gather(*adds, *reads)
        return [response.status_code for response in responses]

    codes = asyncio.run(many())
    assert codes == [201] * 120 + [200] * 40
    assert len(index) == 122


def test_without_the_extra_the_error_says_what_to_install(monkeypatch, stand_in):
    import leadlink.serve as serve
    from leadlink.errors import ConfigError

    monkeypatch.setattr(serve, "_missing_extra", lambda: "fastapi")
    with pytest.raises(ConfigError, match=r"pip install 'leadlink\[serve\]'"):
        serve.create_app(stand_in)
