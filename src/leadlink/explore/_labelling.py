"""Labelling pairs, in the notebook or in a spreadsheet, and measuring a result on them.

* :func:`label_pairs` shows one borderline pair at a time in Jupyter (the two leads side
  by side; Match / Not a match / Unsure / Back) and keeps every answer in ``.labels``,
  saved to a CSV after each answer when given a ``path``: a kernel that dies loses nothing,
  and the same path picks up where the analyst stopped;
* :func:`labels_template` writes the borderline pairs as a CSV to fill in with Excel, and
  :func:`read_labels` reads it back;
* :func:`precision_recall` measures a result's clusters on the labelled pairs.

Labels are decisions (:func:`leadlink.merge.read_decisions`): pass them to
``result.at_threshold(t, decisions=labels)`` or ``dedupe(..., decisions=...)`` and every
later run keeps them.
"""

from __future__ import annotations

import os
import tempfile
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from leadlink._i18n import say
from leadlink._values import id_text
from leadlink.errors import ConfigError, InputError
from leadlink.explore._pairs import borderline, side_by_side
from leadlink.explore._thresholds import on_labels
from leadlink.merge import DecisionsLike, read_decisions

__all__ = [
    "LABELS",
    "Labeller",
    "label_pairs",
    "labels_template",
    "precision_recall",
    "read_labels",
]

#: The answers a :class:`Labeller` takes; ``unsure`` is kept but never becomes a decision.
LABELS: tuple[str, ...] = ("match", "non_match", "unsure")

#: How many borderline pairs a labeller or a template offers by default.
DEFAULT_PAIRS = 50

#: Read labelled pairs from a table or a CSV / Parquet file: labels are decisions, so this
#: is :func:`leadlink.merge.read_decisions`.
read_labels = read_decisions


class Labeller:
    """Label pairs one at a time; the logic behind :func:`label_pairs`, usable without a
    browser.

    ``pairs`` is a table with ``id_l`` and ``id_r`` (by default the ``n`` pairs of
    :func:`borderline`). With ``path``, every answer is saved there as a CSV (UTF-8 with a
    BOM, so Excel reads Chinese), and answers already in that file are loaded: labelling
    resumes at the first pair without one::

        labeller = Labeller(result, path="labels.csv")
        labeller.current            # id_l, id_r of the pair on show
        labeller.answer("match")    # saved; the next pair is on show
        labeller.back()             # the first pair again, to change its answer
        labeller.answer("non_match")
        result.at_threshold(result.threshold, decisions=labeller.labels)
    """

    def __init__(
        self,
        result: Any,
        pairs: pd.DataFrame | None = None,
        *,
        path: str | PathLike[str] | None = None,
        n: int = DEFAULT_PAIRS,
    ) -> None:
        self.result = result
        chosen = borderline(result, n=n) if pairs is None else pairs
        missing = {"id_l", "id_r"} - set(chosen.columns)
        if missing:
            raise InputError(
                say(
                    f"the pairs to label need columns id_l and id_r; {sorted(missing)} missing "
                    "(e.g. pairs=leadlink.explore.borderline(result, n=50))",
                    f"待标注的线索对需要 id_l 和 id_r 两列；缺少 {sorted(missing)}"
                    "（例如 pairs=leadlink.explore.borderline(result, n=50)）",
                )
            )
        # Each pair with its smaller id first, as decisions are kept.
        ordered = [
            sorted((id_text(one), id_text(other)))
            for one, other in zip(chosen["id_l"], chosen["id_r"])
        ]
        self.pairs = pd.DataFrame(
            {
                "id_l": pd.Series([pair[0] for pair in ordered], dtype=object),
                "id_r": pd.Series([pair[1] for pair in ordered], dtype=object),
            }
        )
        self.path = Path(path) if path is not None else None
        self._answers: dict[tuple[str, str], str] = {}
        if self.path is not None and self.path.exists():
            self._answers = _read_answers(self.path)
        self.position = next(
            (i for i, key in enumerate(self._keys()) if key not in self._answers), len(self.pairs)
        )
        self._view: Any = None

    @property
    def done(self) -> bool:
        """Whether every pair has been shown and answered."""
        return self.position >= len(self.pairs)

    @property
    def current(self) -> pd.Series | None:
        """The pair being labelled (``id_l``, ``id_r``, and its answer so far under
        ``label``, empty when none), or None when all are done."""
        if self.done:
            return None
        row = self.pairs.iloc[self.position].copy()
        row["label"] = self._answers.get((row["id_l"], row["id_r"]), "")
        return row

    @property
    def labels(self) -> pd.DataFrame:
        """The answers so far: ``id_l``, ``id_r``, ``label`` (``match``, ``non_match``,
        ``unsure``), in the order of the pairs; answers loaded from ``path`` for pairs not
        on the list come last."""
        keys = self._keys()
        ordered = [k for k in keys if k in self._answers]
        ordered += [k for k in self._answers if k not in set(keys)]
        return pd.DataFrame(
            {
                "id_l": pd.Series([k[0] for k in ordered], dtype=object),
                "id_r": pd.Series([k[1] for k in ordered], dtype=object),
                "label": pd.Series([self._answers[k] for k in ordered], dtype=object),
            }
        )

    def answer(self, label: str) -> None:
        """Record ``label`` (``match``, ``non_match`` or ``unsure``) for the current pair,
        save, and move to the next."""
        if label not in LABELS:
            raise ConfigError(
                say(
                    f"the answer must be one of {', '.join(LABELS)}, not {label!r}",
                    f"标注须为 {', '.join(LABELS)} 之一，而不是 {label!r}",
                )
            )
        current = self.current
        if current is None:
            raise InputError(
                say(
                    f"all {len(self.pairs)} pairs are labelled; call back() to change an answer "
                    "or start a labeller with more pairs",
                    f"全部 {len(self.pairs)} 个线索对已标注；可调用 back() 修改，"
                    "或用更多线索对新建标注器",
                )
            )
        self._answers[(current["id_l"], current["id_r"])] = label
        self.position += 1
        self.save()

    def back(self) -> None:
        """Go back to the previous pair (its answer stays until a new one replaces it)."""
        self.position = max(0, self.position - 1)

    def save(self) -> None:
        """Write the answers to ``path``, replacing it at once (a reader never sees half a
        file); nothing to do without a path."""
        if self.path is not None:
            write_csv(self.labels, self.path)

    @property
    def widget(self) -> Any:
        """The Jupyter view (ipywidgets), built on first use."""
        if self._view is None:
            self._view = _LabellerView(self)
        return self._view.box

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"Labeller({len(self._answers)} of {len(self.pairs)} pairs labelled)"

    def _keys(self) -> list[tuple[str, str]]:
        return list(zip(self.pairs["id_l"], self.pairs["id_r"]))


def label_pairs(
    result: Any,
    pairs: pd.DataFrame | None = None,
    *,
    path: str | PathLike[str] | None = None,
) -> Labeller:
    """Label pairs in Jupyter: one pair at a time, the two leads side by side, buttons
    Match / Not a match / Unsure / Back and a counter. Returns the :class:`Labeller`
    (shown as the buttons when it is a cell's last line); its ``.labels`` holds the
    answers, saved to ``path`` (CSV) after each one when given.

    ``pairs`` defaults to the 50 pairs nearest the threshold (:func:`borderline`).
    Needs ipywidgets (``pip install 'leadlink[explore]'``).
    """
    _ipywidgets()  # fail now, not when shown, when ipywidgets is missing
    return Labeller(result, pairs, path=path)


def labels_template(result: Any, path: str | PathLike[str], n: int = DEFAULT_PAIRS) -> pd.DataFrame:
    """Write the ``n`` pairs nearest the threshold (:func:`borderline`) to ``path`` as a
    CSV to fill in with Excel (UTF-8 with a BOM, so Chinese shows), the ``label`` column
    empty: write ``match`` or ``non_match`` (or 1/0, 是/否), leave unsure ones blank, and
    read it back with :func:`read_labels`. Returns the table written."""
    table = borderline(result, n=n)
    write_csv(table, Path(path))
    return table


def precision_recall(result: Any, labels: DecisionsLike) -> dict[str, float]:
    """Measured ``precision``, ``recall`` and ``f1`` of the result's clusters on labelled
    pairs (a table or file, see :func:`read_labels`), and ``labelled_pairs`` (those naming
    two leads of the result): a labelled match in one cluster is a true positive, a labelled
    non-match in one cluster a false positive, a labelled match in two clusters a false
    negative."""
    decided = read_decisions(labels)
    clusters = result.clusters
    clustered = pd.DataFrame(
        {"id": clusters[clusters.columns[0]].map(id_text), "cluster_id": clusters["cluster_id"]}
    )
    return on_labels(clustered, decided)


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` to ``path`` as UTF-8 CSV with a BOM, through a file beside it that
    then replaces ``path`` at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as file:
            table.to_csv(file, index=False)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def _read_answers(path: Path) -> dict[tuple[str, str], str]:
    """Answers saved by a labeller (``unsure`` ones too, unlike :func:`read_labels`)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise InputError(
            say(
                f"cannot read the labels in {path.name}: {error}",
                f"无法读取 {path.name} 中的标注：{error}",
            )
        ) from error
    if frame.empty and not len(frame.columns):
        return {}
    decided = read_decisions(frame)  # checks the columns and words; unsure ones skipped
    answers = {(l_, r_): lab for l_, r_, lab in decided.itertuples(index=False, name=None)}
    if {"id_l", "id_r", "label"} <= set(frame.columns):
        unsure = frame[frame["label"].str.strip().str.lower() == "unsure"]
        for one, other in zip(unsure["id_l"], unsure["id_r"]):
            left, right = sorted((id_text(one), id_text(other)))
            answers[(left, right)] = "unsure"
    return answers


class _LabellerView:
    """The ipywidgets face of a :class:`Labeller`."""

    def __init__(self, labeller: Labeller) -> None:
        widgets = _ipywidgets()
        self.labeller = labeller
        self.counter = widgets.HTML()
        self.pair = widgets.HTML()
        self.buttons = {
            "match": widgets.Button(description=say("Match", "是同一人"), button_style="success"),
            "non_match": widgets.Button(
                description=say("Not a match", "不是同一人"), button_style="danger"
            ),
            "unsure": widgets.Button(description=say("Unsure", "不确定")),
        }
        self.back = widgets.Button(description=say("Back", "上一个"), icon="arrow-left")
        for label, button in self.buttons.items():
            button.on_click(lambda _, label=label: self._answer(label))
        self.back.on_click(lambda _: self._back())
        self.box = widgets.VBox(
            [self.counter, self.pair, widgets.HBox([self.back, *self.buttons.values()])]
        )
        self.refresh()

    def refresh(self) -> None:
        labeller = self.labeller
        answered = len(labeller.labels)
        self.counter.value = say(
            f"<b>pair {min(labeller.position + 1, len(labeller.pairs))} of "
            f"{len(labeller.pairs)}</b> · {answered} labelled",
            f"<b>第 {min(labeller.position + 1, len(labeller.pairs))} / {len(labeller.pairs)} "
            f"对</b> · 已标注 {answered} 对",
        )
        current = labeller.current
        for button in self.buttons.values():
            button.disabled = current is None
        self.back.disabled = labeller.position == 0
        if current is None:
            saved = (
                say(f" and saved to {labeller.path.name}", f"，已保存到 {labeller.path.name}")
                if labeller.path is not None
                else ""
            )
            self.pair.value = say(
                f"<p>All pairs are labelled{saved}. Use .labels, or Back to change one.</p>",
                f"<p>全部线索对已标注{saved}。可使用 .labels，或点“上一个”修改。</p>",
            )
            return
        table = side_by_side(labeller.result, current["id_l"], current["id_r"])
        table.columns = [say("field", "字段"), str(current["id_l"]), str(current["id_r"])]
        answer = current["label"]
        note = say(f"<p>answered: {answer}</p>", f"<p>已标注：{answer}</p>") if answer else ""
        self.pair.value = table.to_html(index=False, na_rep="", escape=True) + note

    def _answer(self, label: str) -> None:
        self.labeller.answer(label)
        self.refresh()

    def _back(self) -> None:
        self.labeller.back()
        self.refresh()


def _ipywidgets() -> Any:
    try:
        import ipywidgets
    except ImportError as error:
        raise ConfigError(
            say(
                "labelling in the notebook needs ipywidgets, which leadlink installs as an "
                "option: pip install 'leadlink[explore]' (or fill in labels_template(...) in "
                "a spreadsheet instead)",
                "在 notebook 中标注需要 ipywidgets，它是 leadlink 的可选依赖："
                "pip install 'leadlink[explore]'（也可改用 labels_template(...) 在表格中填写）",
            )
        ) from error
    return ipywidgets
