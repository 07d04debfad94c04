"""A stand-in for LeadIndex with the contract's interface, for the service's tests.

It matches on equal phone digits, equal email or equal name, so that a test knows the
answer without a trained model; the real index is tested in tests/serve/test_real_index.py.
"""

from __future__ import annotations

import itertools
import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from leadlink.errors import InputError

LEADS = [
    {
        "lead_id": "L1",
        "name": "张伟",
        "phone": "13800138000",
        "email": "zw@example.com",
        "company": "北京某某科技有限公司",
        "city": "北京",
    },
    {
        "lead_id": "L2",
        "name": "Mary Smith",
        "phone": "+1 415 555 0100",
        "email": "mary@acme.com",
        "company": "Acme, Inc.",
        "city": "San Francisco",
    },
]


class StandInResult:
    def __init__(self, found: dict[str, Any]) -> None:
        self.found = found

    def to_dict(self) -> dict[str, Any]:
        return self.found


class StandInIndex:
    """What the service calls, over a dict; ``slow`` widens the window in which concurrent
    adds would trample each other if the service did not lock."""

    threshold = 0.5

    def __init__(self, leads=LEADS, *, slow: float = 0.0) -> None:
        self.leads: dict[str, dict[str, Any]] = {}
        self.cluster: dict[str, str] = {}
        self.slow = slow
        self.numbers = itertools.count(1)
        self.saved: list[str] = []
        self.calls = 0
        for lead in leads:
            self.add(lead)

    def __len__(self) -> int:
        return len(self.leads)

    def __contains__(self, lead_id: object) -> bool:
        return lead_id in self.leads

    @staticmethod
    def _digits(value: Any) -> str:
        return re.sub(r"\D", "", str(value or ""))[-8:]

    def _why(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> list[dict[str, Any]]:
        why = []
        for role in ("name", "phone", "email"):
            same = (
                a.get(role)
                and b.get(role)
                and (
                    self._digits(a[role]) == self._digits(b[role])
                    if role == "phone"
                    else a[role] == b[role]
                )
            )
            if same:
                why.append(
                    {"role": role, "level": "exact", "weight": 8.0, "description": f"same {role}"}
                )
        return why

    def match(self, record: Mapping[str, Any], top: int = 5) -> StandInResult:
        self.calls += 1
        if str(record.get("name", "")).lower() == "test":
            return StandInResult(
                {"flagged": True, "problems": ["ghost.test_name"], "candidates": []}
            )
        found = []
        for lead_id, lead in self.leads.items():
            why = self._why(record, lead)
            if not why:
                continue
            strong = any(reason["role"] != "name" for reason in why)
            found.append(
                {
                    "id": lead_id,
                    "match_probability": 0.99 if strong else 0.3,
                    "match_weight": 8.0 * len(why),
                    "cluster_id": self.cluster[lead_id],
                    "golden": self.golden(self.cluster[lead_id]),
                    "why": why,
                }
            )
        found.sort(key=lambda c: -c["match_probability"])
        return StandInResult({"flagged": False, "problems": [], "candidates": found[:top]})

    def add(self, record: Mapping[str, Any]) -> dict[str, Any]:
        record = dict(record)
        lead_id = str(record.pop("lead_id", None) or f"N{next(self.numbers)}")
        if lead_id in self.leads:
            raise InputError(f"lead id {lead_id!r} is already in the index")
        best = self.match(record).to_dict()["candidates"]
        count = len(self.leads)
        time.sleep(self.slow)  # a read-modify-write: unsafe without the service's lock
        strong = [c for c in best if c["match_probability"] >= self.threshold]
        self.cluster[lead_id] = strong[0]["cluster_id"] if strong else f"C-{lead_id}"
        self.leads[lead_id] = record
        assert len(self.leads) == count + 1, "concurrent add"
        return {
            "id": lead_id,
            "cluster_id": self.cluster[lead_id],
            "golden": self.golden(self.cluster[lead_id]),
        }

    def update(self, lead_id: str, record: Mapping[str, Any]) -> dict[str, Any]:
        self.remove(lead_id)
        return self.add({**record, "lead_id": lead_id})

    def remove(self, lead_id: str) -> dict[str, Any]:
        if lead_id not in self.leads:
            raise InputError(f"no lead {lead_id!r}")
        del self.leads[lead_id]
        cluster = self.cluster.pop(lead_id)
        return {"id": lead_id, "clusters": [cluster]}

    def golden(self, cluster_id: str) -> dict[str, Any]:
        members = [i for i, c in self.cluster.items() if c == cluster_id]
        if not members:
            raise InputError(f"no cluster {cluster_id!r}")
        first = self.leads[min(members)]
        return {
            "cluster_id": cluster_id,
            "n_leads": len(members),
            **{k: v for k, v in first.items() if k != "lead_id"},
        }

    def save(self, path: str) -> str:
        self.saved.append(path)
        return path


def duplicate_of(leads: Any) -> tuple[str, dict[str, Any]]:
    """A lead with a name and a personal mobile, and the record typed in again for it."""
    lead = leads[leads["phone"].str.fullmatch(r"1\d{10}", na=False) & leads["name"].notna()]
    first = lead.iloc[0]
    return first["lead_id"], {"name": first["name"], "phone": first["phone"]}


@pytest.fixture(scope="session")
def dedupe_result():
    """``ll.dedupe`` on 300 generated people (about 600 leads), once: the real index of a
    test is built from it (``LeadIndex.from_result``, a tenth of a second)."""
    import warnings

    import leadlink as ll
    from leadlink.datasets import generate_leads

    leads = generate_leads(300).drop(columns=["person_id", "is_ghost"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ll.LeadlinkWarning)
        return leads, ll.dedupe(leads, id_column="lead_id")


@pytest.fixture
def real_index(dedupe_result):
    import leadlink as ll

    return ll.LeadIndex.from_result(dedupe_result[1])


#: A person the generated leads do not have.
NEW_PERSON = {"name": "欧阳子墨", "phone": "159 2738 4610", "email": "ouyangzimo@163.com"}


@pytest.fixture
def stand_in() -> StandInIndex:
    return StandInIndex()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free local port in a thread; yield its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def client_of(index: Any, **options: Any) -> Iterator[Any]:
    """An httpx client of the service over ``index``, served by uvicorn."""
    pytest.importorskip("fastapi")
    httpx = pytest.importorskip("httpx")
    from leadlink.serve import create_app

    with serving(create_app(index, **options)) as url, httpx.Client(base_url=url) as client:
        yield client


@pytest.fixture
def client(stand_in):
    with client_of(stand_in) as client:
        yield client
