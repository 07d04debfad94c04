"""The folder a :class:`~leadlink.LeadIndex` is saved to, and the Arrow tables it holds its
leads in.

An index keeps the leads it was built (or loaded) with as Arrow tables — the raw leads as
text, their prepared keys, their golden records — read by position, and what changes later
beside them (:mod:`leadlink.realtime`). :meth:`~leadlink.LeadIndex.save` writes the folder
this module describes, and :meth:`~leadlink.LeadIndex.load` reads it back as it was
written, memory-mapped, executing nothing (docs/realtime.md lists the files):

* ``manifest.json`` — format, version, the index's settings, the model, the survivorship
  policy and the clusters' options; written last, so a folder with a manifest is whole;
* ``leads.arrow``, ``prepared.arrow``, ``golden.arrow`` — the tables as they are;
* ``validation.arrow`` — per lead its id, problem codes (joined by ``;``) and ghost flag;
* ``clusters.arrow`` and ``pairs.arrow`` — each lead's cluster, and the pairs kept (links
  with their probability, contradictions as -1) by the leads' positions in ``clusters``;
* ``sources.arrow`` — what shared lines and company mail domains say of employers;
* ``candidates/`` — the :class:`~leadlink.match.CandidateIndex`'s own files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from leadlink._files import replacing, write_arrow
from leadlink._i18n import say
from leadlink._jsonfile import read_json
from leadlink.errors import InputError

if TYPE_CHECKING:
    from leadlink.match import CandidateIndex

__all__ = [
    "INDEX_FORMAT",
    "INDEX_VERSION",
    "as_text",
    "joined",
    "jsonable",
    "positions",
    "read_arrow",
    "read_clusters",
    "read_manifest",
    "read_sources",
    "read_validation",
    "write_folder",
]

INDEX_FORMAT = "leadlink-index"
INDEX_VERSION = 3

#: A phone number → (whether it is a shared line, the employer most of its leads give).
Lines = dict[str, tuple[bool, tuple[Any, Any] | None]]
#: A company mail domain → the employer most of its leads give.
Domains = dict[str, tuple[Any, Any]]

#: The options of the clusters kept in the manifest (the arrays are files of their own).
_CLUSTER_OPTIONS = ("version", "threshold", "cannot_link_below", "component_limit")


# -- the tables ------------------------------------------------------------------------------


def positions(rows: list[int]) -> pa.Array:
    """Row positions, as Arrow's ``take`` reads them."""
    return pa.array(rows, pa.int64())


def as_text(leads: pd.DataFrame) -> pd.DataFrame:
    """Raw leads as text (what an index keeps of them: the golden records read text)."""
    return leads.astype(object).astype("string")


def joined(base: pa.Table, new: pd.DataFrame) -> pa.Table:
    """``base`` with the rows of ``new`` (same columns) after it."""
    if new.empty:
        return base
    try:
        rows = pa.Table.from_pandas(new, schema=base.schema, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # a column the base never filled is of type null (an index built from one lead):
        # the types are widened to hold both
        rows = pa.Table.from_pandas(new[base.column_names], preserve_index=False)
        return pa.concat_tables([base, rows], promote_options="permissive")
    return pa.concat_tables([base, rows])


def jsonable(value: Any) -> Any:
    """``value`` with numpy and pandas scalars, NaN and timestamps made JSON-ready.

    >>> jsonable({"n": np.int64(3), "score": float("nan"), "at": pd.Timestamp("2026-01-02")})
    {'n': 3, 'score': None, 'at': '2026-01-02T00:00:00'}
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is pd.NaT or value is None:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return pd.Timestamp(value).isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


# -- writing ---------------------------------------------------------------------------------


def write_folder(
    target: Path,
    manifest: Mapping[str, Any],
    *,
    leads: pa.Table,
    prepared: pa.Table,
    ids: list[str],
    problems: list[str],
    ghosts: list[bool],
    golden: pa.Table,
    clusters: Mapping[str, Any],
    lines: Lines,
    domains: Domains,
    candidates: CandidateIndex,
) -> None:
    """Write an index's files into the folder ``target`` (see the module docstring):
    ``manifest`` with the clusters' options added, ``problems`` per lead joined by ``;``,
    ``clusters`` as :meth:`~leadlink.merge.IncrementalClusters.columns` gives them.

    Each file is written aside and moved into place: the index being saved may read the
    files it replaces, memory-mapped (a mapped file cut short is a bus error)."""
    write_arrow(target / "leads.arrow", leads)
    write_arrow(target / "prepared.arrow", prepared)
    write_arrow(target / "validation.arrow", pa.table({
        "id": pa.array(ids, pa.string()),
        "problems": pa.array(problems, pa.string()),
        "is_ghost": pa.array(ghosts, pa.bool_()),
    }))  # fmt: skip
    write_arrow(target / "golden.arrow", golden)
    write_arrow(target / "clusters.arrow", pa.table({
        "id": pa.array(clusters["id"], pa.string()),
        "cluster_id": pa.array(clusters["cluster_id"], pa.string()),
    }))  # fmt: skip
    # links keep their probability, contradictions are -1; the leads of a pair are
    # their positions in clusters.arrow (loading makes no string of them)
    held = pd.Index(clusters["id"])
    ends = [np.concatenate([clusters[f"link_{e}"], clusters[f"conflict_{e}"]]) for e in "lr"]
    probability = np.concatenate(
        [clusters["probability"], np.full(len(clusters["conflict_l"]), -1.0)]
    )
    write_arrow(target / "pairs.arrow", pa.table({
        "l": pa.array(held.get_indexer(ends[0]), pa.int32()),
        "r": pa.array(held.get_indexer(ends[1]), pa.int32()),
        "kept": pa.array(probability, pa.float64()),
    }))  # fmt: skip
    # what shared lines and company mail domains say (thousands at a million leads)
    said = [(k, shared, *(e or (None, None))) for k, (shared, e) in lines.items()]
    said_by_domain = [(k, True, *e) for k, e in domains.items()]
    sources = [("line", *line) for line in said] + [("domain", *d) for d in said_by_domain]
    write_arrow(target / "sources.arrow", pa.table({
        "kind": pa.array([s[0] for s in sources], pa.string()),
        "key": pa.array([s[1] for s in sources], pa.string()),
        "shared": pa.array([bool(s[2]) for s in sources], pa.bool_()),
        "employer": pa.array([s[3] for s in sources], pa.string()),
        "employer_latin": pa.array([s[4] for s in sources], pa.string()),
    }))  # fmt: skip
    candidates.save(target / "candidates")
    written = {**manifest, "clusters": {k: clusters[k] for k in _CLUSTER_OPTIONS}}
    with replacing(target / "manifest.json") as aside:
        aside.write_text(json.dumps(written, ensure_ascii=False, indent=1), "utf-8")


# -- reading ---------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the index saved in ``folder``, of this format and version."""
    manifest: dict[str, Any] = read_json(folder / "manifest.json", what="index manifest",
                                         what_zh="索引清单", error=InputError)  # fmt: skip
    if manifest.get("format") != INDEX_FORMAT:
        raise InputError(
            say(
                f"{str(folder)!r} is not a leadlink index; write one with LeadIndex(...).save()",
                f"{str(folder)!r} 不是 leadlink 索引；请用 LeadIndex(...).save() 生成",
            )
        )
    if manifest.get("version") != INDEX_VERSION:
        raise InputError(
            say(
                f"{str(folder)!r} is a leadlink index of version "
                f"{manifest.get('version')!r}, this leadlink reads version "
                f"{INDEX_VERSION}; build it again from the leads with "
                "LeadIndex(leads, model=...).save() (or LeadIndex.from_result)",
                f"{str(folder)!r} 是版本 {manifest.get('version')!r} 的 leadlink 索引，"
                f"当前只能读取版本 {INDEX_VERSION}；请用 LeadIndex(leads, model=...).save()"
                "（或 LeadIndex.from_result）从线索重新生成",
            )
        )
    return manifest


def read_arrow(path: Path) -> pa.Table:
    """An Arrow IPC file, memory-mapped (pages are read when touched)."""
    try:
        return pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()
    except (OSError, pa.ArrowInvalid) as error:
        raise InputError(
            say(
                f"the index file {path.name!r} is missing or damaged ({type(error).__name__}); "
                "save the index again",
                f"索引文件 {path.name!r} 缺失或已损坏（{type(error).__name__}）；请重新保存索引",
            )
        ) from error


def read_validation(folder: Path) -> tuple[list[str], pa.ChunkedArray, np.ndarray]:
    """The ids of the leads saved, their problem codes (joined by ``;``) and ghost flags."""
    checks = read_arrow(folder / "validation.arrow")
    ids = checks.column("id").to_pylist()
    problems = checks.column("problems")
    ghost = checks.column("is_ghost").to_numpy(zero_copy_only=False)
    return ids, problems, ghost


def read_clusters(folder: Path, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The clusters saved, as :meth:`~leadlink.merge.IncrementalClusters.from_columns`
    takes them (the ends of the pairs as positions)."""
    clusters = read_arrow(folder / "clusters.arrow")
    pairs = read_arrow(folder / "pairs.arrow")
    kept = pairs.column("kept").to_numpy()
    link = kept >= 0
    left = pairs.column("l").to_numpy()
    right = pairs.column("r").to_numpy()
    return {
        **manifest["clusters"],
        "id": clusters.column("id").to_pylist(),
        "cluster_id": clusters.column("cluster_id").to_pylist(),
        "link_l": left[link],
        "link_r": right[link],
        "probability": kept[link],
        "conflict_l": left[~link],
        "conflict_r": right[~link],
    }


def read_sources(folder: Path) -> tuple[Lines, Domains]:
    """What shared lines and company mail domains said of employers when saved."""
    sources = read_arrow(folder / "sources.arrow").to_pylist()
    lines = {s["key"]: (s["shared"], None if s["employer"] is None
                        else (s["employer"], s["employer_latin"]))
             for s in sources if s["kind"] == "line"}  # fmt: skip
    domains = {s["key"]: (s["employer"], s["employer_latin"])
               for s in sources if s["kind"] == "domain"}  # fmt: skip
    return lines, domains
