"""Progress of the long stages of a run: a bar in a notebook, silence in a script.

``dedupe(progress=...)`` takes what :func:`stages` takes. An analyst in Jupyter waits for
training without a word from the Python API unless something shows that the run is alive,
so by default a notebook gets a progress bar (tqdm's widget bar, or its text bar when
ipywidgets is not installed), while a script, a test or a service stays silent: a bar on
their stderr would be noise in a log. The bar shows the stage messages only — counts,
never a name, phone or email — and closes when the run ends, also when it fails.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from leadlink._i18n import say
from leadlink.errors import ConfigError

__all__ = ["Progress", "ProgressLike", "in_notebook", "stages"]

#: A function that is called with a short message as each stage starts.
Progress = Callable[[str], None]

#: What ``progress=`` takes: ``True`` (a bar), ``False`` (nothing), a :data:`Progress`
#: function, or ``None`` (a bar inside a Jupyter kernel, nothing elsewhere).
ProgressLike = bool | Progress | None

#: The stage, the stages finished of all, the time since the first began.
_BAR = "{desc} |{bar}| {n_fmt}/{total_fmt} [{elapsed}]"


def in_notebook() -> bool:
    """Whether this code runs inside a Jupyter kernel (a notebook, JupyterLab, VS Code's or
    Colab's notebooks) rather than a script or a terminal IPython."""
    if "ipykernel" not in sys.modules:
        return False
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return getattr(shell, "kernel", None) is not None


@contextmanager
def stages(progress: ProgressLike, *, total: int) -> Iterator[Progress]:
    """The function to tell each stage's start to, inside a ``with`` block of the run.

    ``progress`` is ``True`` for a progress bar over ``total`` stages, ``False`` for none,
    a function to call with each message instead, or ``None`` for a bar only inside a
    Jupyter kernel (:func:`in_notebook`). Each message starts a stage: the bar counts the
    stages finished and shows the message beside them. When the block ends the bar is
    full; when it raises the bar stops where the run stopped (red in a notebook) and is
    closed all the same.
    """
    if progress is None:
        progress = in_notebook()
    if isinstance(progress, bool):
        if not progress:
            yield _silent
            return
    elif callable(progress):
        yield progress
        return
    else:
        raise ConfigError(
            say(
                "progress must be True (a progress bar), False (none), None (a bar in "
                "notebooks only) or a function taking a message, not "
                f"{type(progress).__name__}",
                "progress 须为 True（显示进度条）、False（不显示）、None（仅在 notebook 中显示）"
                f"或接收一条消息的函数，而不是 {type(progress).__name__}",
            )
        )
    # Imported here: tqdm.auto chooses the notebook or the text bar when first imported.
    from tqdm.auto import tqdm

    bar: Any = None
    started = 0

    def tell(message: str) -> None:
        nonlocal bar, started
        if bar is None:
            bar = tqdm(total=total, desc=message, bar_format=_BAR)
        else:
            bar.n = min(started, total)
            bar.set_description_str(message)  # shows the new count too
        started += 1

    try:
        yield tell
        if bar is not None:
            bar.n = total
            bar.set_description_str(say("done", "完成"))
    finally:
        if bar is not None:
            bar.close()


def _silent(message: str) -> None:
    """Says nothing."""
