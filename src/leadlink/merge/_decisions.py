"""An analyst's decisions on pairs: "these two are one person", "these two are not".

A data steward who labels a pair does not want to label it again after the next import.
Labels are kept as **decisions** — a table of ``id_l``, ``id_r`` and ``label`` (``match`` or
``non_match``; ``1``/``0``, ``yes``/``no``, ``same``/``different``, ``是``/``否`` are read too,
``unsure`` and blanks are skipped) — which every later run honours
(``dedupe(..., decisions=...)``, :meth:`leadlink.DedupeResult.at_threshold`, ``leadlink
dedupe --decisions labels.csv``):

* a **match** decision links the two leads whatever the model scores (probability 1, rule
  ``must_link: decision``); the pair is added when blocking never compared it;
* a **non-match** decision keeps them apart (probability 0, rule ``never_link: decision``):
  clustering refuses any merge that would put them in one cluster, as for a never-link rule.

The last decision on a pair wins. Decisions naming a lead that is not in the data are kept
out and counted (never named) in a warning.
"""

from __future__ import annotations

import logging
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._values import id_text
from leadlink.errors import InputError

__all__ = [
    "DECIDED_WEIGHT",
    "DECISION_COLUMNS",
    "DecisionsLike",
    "apply_decisions",
    "read_decisions",
]

logger = logging.getLogger(__name__)

#: The columns of a decisions table.
DECISION_COLUMNS = ("id_l", "id_r", "label")

#: The match weight of a decided pair: 2**60 to 1, a probability of exactly 1 (or 0) in
#: floating point, and still a finite number for charts and files.
DECIDED_WEIGHT = 60.0

#: What ``decisions=`` takes: a table of labelled pairs, or the path of a CSV or Parquet file.
DecisionsLike = pd.DataFrame | str | PathLike[str]

_MATCH = frozenset(
    {"match", "1", "1.0", "true", "yes", "y", "same", "duplicate", "是", "同一人", "相同"}
)
_NON_MATCH = frozenset(
    {"non_match", "non-match", "nonmatch", "no_match", "0", "0.0", "false", "no", "n",
     "different", "distinct", "否", "不是", "不同"}
)  # fmt: skip
_SKIP = frozenset({"", "unsure", "skip", "?", "不确定", "nan", "none"})
_ALIASES = {
    "id_l": ("id_l", "id_a", "left", "lead_a", "id1", "id_1"),
    "id_r": ("id_r", "id_b", "right", "lead_b", "id2", "id_2"),
    "label": ("label", "decision", "is_match", "match", "标注", "判定"),
}


def read_decisions(decisions: DecisionsLike | None) -> pd.DataFrame:
    """Decisions as ``id_l`` < ``id_r`` (id text), ``label`` (``"match"``/``"non_match"``),
    one row per pair (the last decision on a pair wins); an empty table for ``None``.

    >>> read_decisions(pd.DataFrame({"id_l": ["L2", "L1"], "id_r": ["L1", "L3"],
    ...                              "label": ["yes", "different"]})).to_dict("records")
    [{'id_l': 'L1', 'id_r': 'L2', 'label': 'match'}, {'id_l': 'L1', 'id_r': 'L3', 'label': 'non_match'}]

    Raises:
        InputError: not a table or file of labelled pairs, or a label that is not one of
            the words above.
    """
    if decisions is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DECISION_COLUMNS})
    frame = _as_frame(decisions)
    renamed = {}
    lowered = {str(c).strip().lower(): c for c in frame.columns}
    for column, aliases in _ALIASES.items():
        found = next((lowered[a] for a in aliases if a in lowered), None)
        if found is None:
            raise InputError(
                say(
                    f"the decisions need columns id_l, id_r and label (match / non_match); "
                    f"{column!r} is missing",
                    f"标注表需要 id_l、id_r 和 label（match / non_match）三列；缺少 {column!r}",
                )
            )
        renamed[found] = column
    frame = frame.rename(columns=renamed)[list(DECISION_COLUMNS)]
    words = frame["label"].map(lambda v: "" if pd.isna(v) else str(v).strip().lower())
    unknown = ~words.isin(_MATCH | _NON_MATCH | _SKIP)
    if unknown.any():
        raise InputError(
            say(
                f"{int(unknown.sum())} decision(s) have a label that is neither match nor "
                "non_match (also read: 1/0, yes/no, same/different, 是/否; unsure and blank "
                "are skipped)",
                f"有 {int(unknown.sum())} 条标注既不是 match 也不是 non_match（也可写 1/0、"
                "yes/no、same/different、是/否；unsure 和空白会被跳过）",
            )
        )
    keep = ~words.isin(_SKIP) & frame["id_l"].notna() & frame["id_r"].notna()
    left = frame.loc[keep, "id_l"].map(id_text).to_numpy(dtype=object)
    right = frame.loc[keep, "id_r"].map(id_text).to_numpy(dtype=object)
    label = np.where(words[keep].isin(_MATCH), "match", "non_match").astype(object)
    swap = left.astype(str) > right.astype(str)
    out = pd.DataFrame(
        {
            "id_l": np.where(swap, right, left),
            "id_r": np.where(swap, left, right),
            "label": label,
        }
    )
    out = out[out["id_l"] != out["id_r"]]
    return out.drop_duplicates(["id_l", "id_r"], keep="last").reset_index(drop=True)


def _as_frame(decisions: Any) -> pd.DataFrame:
    if isinstance(decisions, pd.DataFrame):
        return decisions
    if isinstance(decisions, (str, PathLike)):
        path = Path(decisions)
        try:
            if path.suffix.lower() == ".parquet":
                return pd.read_parquet(path)
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (OSError, ValueError, UnicodeDecodeError) as error:
            raise InputError(
                say(
                    f"cannot read the decisions from {path.name}: {error}",
                    f"无法从 {path.name} 读取标注：{error}",
                )
            ) from error
    raise InputError(
        say(
            "decisions must be a DataFrame of id_l, id_r, label or the path of a CSV or Parquet "
            f"file holding one, not {type(decisions).__name__}",
            "decisions 须为含 id_l、id_r、label 的 DataFrame，或存有它的 CSV / Parquet 文件路径，"
            f"而不是 {type(decisions).__name__}",
        )
    )


def apply_decisions(pairs: pd.DataFrame, decisions: pd.DataFrame, ids: Any) -> pd.DataFrame:
    """``pairs`` with every decision (from :func:`read_decisions`) applied: a decided pair's
    probability set to 1 (match) or 0 (non-match), its ``match_weight`` to
    ±:data:`DECIDED_WEIGHT` and its
    ``rule`` to ``must_link: decision`` / ``never_link: decision``; decided pairs that were
    not scored are added. Decisions on ids that are not in ``ids`` are left out."""
    if decisions.empty:
        return pairs
    known = set(pd.Series(list(ids), dtype=object).map(id_text))
    usable = decisions["id_l"].isin(known) & decisions["id_r"].isin(known)
    if not usable.all():
        logger.warning(
            say(
                "%d decision(s) name a lead that is not in the data and are left out",
                "%d 条标注涉及不在本批数据中的线索，已忽略",
            ),
            int((~usable).sum()),
        )
    decided = decisions[usable]
    out = pairs.copy()
    if "rule" not in out.columns:
        out["rule"] = ""
    left = out["id_l"].map(id_text).to_numpy(dtype=object)
    right = out["id_r"].map(id_text).to_numpy(dtype=object)
    key = pd.Series(
        [f"{a}\x00{b}" if str(a) <= str(b) else f"{b}\x00{a}" for a, b in zip(left, right)],
        index=out.index,
        dtype=object,
    )
    decided_keys = [f"{a}\x00{b}" for a, b in zip(decided["id_l"], decided["id_r"])]
    wanted = pd.Series(decided["label"].to_numpy(), index=decided_keys)
    hit = key.isin(wanted.index)
    labels = key[hit].map(wanted)
    match = (labels == "match").to_numpy()
    rows = out.index[hit]
    out.loc[rows, "match_probability"] = np.where(match, 1.0, 0.0)
    out.loc[rows, "match_weight"] = np.where(match, DECIDED_WEIGHT, -DECIDED_WEIGHT)
    out.loc[rows, "rule"] = np.where(match, "must_link: decision", "never_link: decision")
    scored = set(key[hit])
    missing = decided[[k not in scored for k in decided_keys]]
    if len(missing):
        match = (missing["label"] == "match").to_numpy()
        added = pd.DataFrame(
            {
                "id_l": missing["id_l"].to_numpy(),
                "id_r": missing["id_r"].to_numpy(),
                "match_weight": np.where(match, DECIDED_WEIGHT, -DECIDED_WEIGHT),
                "match_probability": np.where(match, 1.0, 0.0),
                "rule": np.where(match, "must_link: decision", "never_link: decision"),
            }
        )
        if "found_by" in out.columns:
            added["found_by"] = "decision"
        out = pd.concat([out, added.astype({"id_l": object, "id_r": object})], ignore_index=True)
    return out
