"""The FastAPI application: request and response models, the lock, the endpoints.

Requests are served by FastAPI's thread pool, so several may reach the index at once. A
:class:`_Guard` lets one change (add, update, remove, save) at a time, and lets reads
(match, golden records, health) run side by side only when the index says they may
(``index.concurrent_reads``); otherwise reads take turns with the changes too.

Nothing here logs a field value: the access log is off in ``leadlink serve``, and an
unexpected error is logged by its type only.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from importlib import resources
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json

from leadlink._i18n import say
from leadlink._version import __version__
from leadlink.errors import InputError, LeadlinkError

logger = logging.getLogger("leadlink.serve")

#: The most records one ``POST /match/batch`` may check; a longer list is refused (422).
MAX_BATCH = 1000


class Lead(BaseModel):
    """A lead as typed in: the role names below, or the headers of the leads the index was
    built from; other fields are kept and passed on to the index."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "name": "张伟",
                    "phone": "138 0013 8000",
                    "email": "zhang.wei@example.com",
                    "company": "北京某某科技有限公司",
                    "city": "北京",
                }
            ]
        },
    )

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    company: str | None = None
    city: str | None = None


class MatchRequest(BaseModel):
    """One lead to check, and how many candidates to return at most."""

    record: Lead
    top: int = Field(5, ge=1, le=100)


class BatchRequest(BaseModel):
    """Several leads to check, each as in ``POST /match``."""

    records: list[Lead] = Field(max_length=MAX_BATCH)
    top: int = Field(5, ge=1, le=100)


class Reason(BaseModel):
    """How one field of the pair compared, and how much it counted (a match weight)."""

    model_config = ConfigDict(extra="allow")

    role: str
    level: str | None = None
    weight: float | None = None
    description: str | None = None


class Candidate(BaseModel):
    """A lead that may be the same person, with its cluster's golden record."""

    model_config = ConfigDict(extra="allow")

    id: str
    match_probability: float = Field(description="the pair's, as batch scores it")
    match_weight: float | None = None
    cluster_probability: float | None = Field(
        None,
        description="that the lead is this candidate's person rather than another "
        "candidate's or someone new (the threshold reads it)",
    )
    cluster_id: str | None = None
    golden: dict[str, Any] = Field(default_factory=dict)
    why: list[Reason] = Field(default_factory=list)


class MatchResponse(BaseModel):
    """The candidates for one lead, best first; a junk or ghost lead is ``flagged`` with its
    problem codes instead, and has no candidates."""

    model_config = ConfigDict(extra="allow")

    flagged: bool = False
    problems: list[str] = Field(default_factory=list)
    duplicate: bool | None = Field(
        None,
        description="the best candidate's cluster_probability reaches the threshold: the "
        "same person",
    )
    threshold: float | None = Field(None, description="the index's match threshold")
    candidates: list[Candidate] = Field(default_factory=list)


class BatchResponse(BaseModel):
    """One result per record, in the order of the request."""

    results: list[MatchResponse]


class Added(BaseModel):
    """The lead's id, the cluster it is now in and that cluster's golden record."""

    model_config = ConfigDict(extra="allow")

    id: str
    cluster_id: str
    golden: dict[str, Any] = Field(default_factory=dict)
    flagged: bool | None = Field(None, description="the lead is a ghost (junk, a test entry)")


class Removed(BaseModel):
    """The removed lead's id and the clusters its removal touched (shrunk or split)."""

    model_config = ConfigDict(extra="allow")

    id: str
    clusters: list[str] = Field(default_factory=list)


class Health(BaseModel):
    """What the service holds: the number of leads, what a record is, leadlink's version."""

    status: str = "ok"
    leads: int
    entity: str | None = None
    threshold: float | None = None
    version: str


class Problem(BaseModel):
    """An error: what was wrong, in the server's language."""

    detail: str


class _Missing(InputError):
    """An unknown lead or cluster id: answered 404 with this message."""


class _Guard:
    """One change at a time; reads alongside each other when ``shared_reads``, else in turn
    with everything."""

    def __init__(self, shared_reads: bool) -> None:
        self._lock = threading.Lock()
        self._no_readers = threading.Condition(self._lock)
        self._readers = 0
        self.shared_reads = shared_reads

    @contextmanager
    def reading(self) -> Iterator[None]:
        if not self.shared_reads:
            with self._lock:
                yield
            return
        with self._lock:
            self._readers += 1
        try:
            yield
        finally:
            with self._lock:
                self._readers -= 1
                if not self._readers:
                    self._no_readers.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._lock:
            while self._readers:
                self._no_readers.wait()
            yield


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars, NaN and tuples made JSON-ready."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is not None and not isinstance(value, (str, int, float, bool)):
        return str(value)
    return value


def _record(lead: Lead) -> dict[str, Any]:
    """The fields given, without the empty ones (the page sends every box)."""
    return {
        key: value
        for key, value in lead  # the fields, then the extra ones, as model_dump has them
        if value is not None and not (isinstance(value, str) and not value.strip())
    }


def _matched(result: Any) -> dict[str, Any]:
    found = result.to_dict() if hasattr(result, "to_dict") else result
    return dict(_plain(found))


def _json(content: Any) -> Response:
    """``content`` (JSON-ready, as the endpoint's response model describes it) as the JSON
    FastAPI would write for that model: the same bytes, without validating the response
    against its model first (a match result is a few hundred values, and validating them
    cost more than the rest of the request's handling)."""
    return Response(to_json(content), media_type="application/json")


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "the lead or option is not valid"},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    404: {"model": Problem, "description": "no such lead or cluster"},
}


def build_app(index: Any, *, save_to: str | None = None) -> FastAPI:
    """The application; see :func:`leadlink.serve.create_app`."""
    guard = _Guard(bool(getattr(index, "concurrent_reads", False)))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        yield
        if save_to is not None:
            with guard.writing():
                index.save(save_to)
            logger.info("index saved: %d leads", len(index))

    app = FastAPI(
        title="leadlink",
        version=__version__,
        description="Check a lead against the existing ones while it is typed in, and keep "
        "the index of leads, clusters and golden records current. The lead-entry page is at "
        "/. No authentication: put the service behind your gateway.",
        lifespan=lifespan,
    )
    app.state.index = index
    app.state.guard = guard

    @app.exception_handler(LeadlinkError)
    async def refused(request: Request, error: LeadlinkError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=400)

    @app.exception_handler(Exception)
    async def failed(request: Request, error: Exception) -> JSONResponse:
        # The type only: a message could quote a field value.
        logger.error(
            "internal error (%s) on %s %s", type(error).__name__, request.method, request.url.path
        )
        detail = say(
            f"internal error ({type(error).__name__}); please report it",
            f"内部错误（{type(error).__name__}）；请报告此问题",
        )
        return JSONResponse({"detail": detail}, status_code=500)

    def not_found(lead_id: str) -> _Missing:
        return _Missing(say(f"no lead with id {lead_id!r}", f"没有 id 为 {lead_id!r} 的线索"))

    def known(lead_id: str) -> None:
        if hasattr(index, "__contains__") and lead_id not in index:
            raise not_found(lead_id)

    @app.exception_handler(_Missing)
    async def missing(request: Request, error: _Missing) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=404)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        html = resources.files("leadlink.serve").joinpath("static/index.html")
        return HTMLResponse(html.read_text("utf-8"))

    @app.post("/match", response_model=MatchResponse, responses=_ERRORS, tags=["check"])
    def match(request: MatchRequest) -> Response:
        """The existing leads this lead may be, best first, each with its cluster's golden
        record, its match probability and why it matches (field by field)."""
        record = _record(request.record)
        with guard.reading():
            result = index.match(record, top=request.top)
        return _json(_matched(result))

    @app.post("/match/batch", response_model=BatchResponse, responses=_ERRORS, tags=["check"])
    def match_batch(request: BatchRequest) -> Response:
        """``POST /match`` for each record of a list (at most 1000), in order."""
        results = []
        for lead in request.records:
            record = _record(lead)
            with guard.reading():
                results.append(_matched(index.match(record, top=request.top)))
        return _json({"results": results})

    @app.post("/leads", response_model=Added, status_code=201, responses=_ERRORS, tags=["leads"])
    def add(lead: Lead) -> dict[str, Any]:
        """Add a lead: it joins the cluster of the leads it matches, or starts its own. An id
        field (the index's id column) is used when given, else the index gives one."""
        record = _record(lead)
        with guard.writing():
            added = index.add(record)
        return dict(_plain(added))

    @app.put("/leads/{lead_id}", response_model=Added, responses=_NOT_FOUND, tags=["leads"])
    def update(lead_id: str, lead: Lead) -> dict[str, Any]:
        """Replace a lead's fields; it is linked again, to the same cluster or another."""
        record = _record(lead)
        with guard.writing():
            known(lead_id)
            updated = index.update(lead_id, record)
        return dict(_plain(updated))

    @app.delete("/leads/{lead_id}", response_model=Removed, responses=_NOT_FOUND, tags=["leads"])
    def remove(lead_id: str) -> dict[str, Any]:
        """Remove a lead; the clusters it held together are split or shrunk."""
        with guard.writing():
            known(lead_id)
            removed = index.remove(lead_id)
        return dict(_plain(removed))

    @app.get(
        "/clusters/{cluster_id}",
        response_model=dict[str, Any],
        responses={404: _NOT_FOUND[404]},
        tags=["leads"],
    )
    def cluster(cluster_id: str) -> dict[str, Any]:
        """The golden record of a cluster (one person), with its ``n_leads``."""
        try:
            with guard.reading():
                golden = index.golden(cluster_id)
        except (KeyError, InputError) as error:
            raise _Missing(
                say(f"no cluster with id {cluster_id!r}", f"没有 id 为 {cluster_id!r} 的簇")
            ) from error
        return dict(_plain(golden))

    @app.get("/health", response_model=Health, tags=["service"])
    def health() -> dict[str, Any]:
        """The number of leads held, what a record is (person or company), the threshold at
        which leads are linked and leadlink's version."""
        model = getattr(index, "model", None)
        with guard.reading():
            count = len(index)
        threshold = getattr(index, "threshold", None)
        if threshold is None:
            threshold = getattr(model, "threshold", None)
        return {
            "leads": count,
            "entity": getattr(model, "entity", None),
            "threshold": threshold,
            "version": __version__,
        }

    return app
