"""Splink's chatter kept out of the user's logs, safely across threads."""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from collections.abc import Iterator
from typing import Any

__all__ = ["quiet_splink"]

# The Splink logger's level and the warning filters are process-wide: concurrent fits and
# predicts (threads) share one quieting. The first to enter saves them, the last to leave
# puts them back.
_quiet_lock = threading.Lock()
_quiet_users = 0
_quiet_saved_level = logging.NOTSET
_quiet_warnings: warnings.catch_warnings[Any] | None = None


@contextlib.contextmanager
def quiet_splink() -> Iterator[None]:
    """Keep Splink's chatter (which can quote data values) out of the user's logs.

    Safe across threads: the Splink logger's level and the warning filters after the last
    of overlapping calls are what they were before the first (a plain save and restore
    per call left the logger at ERROR when two calls overlapped).
    """
    global _quiet_users, _quiet_saved_level, _quiet_warnings
    splink_logger = logging.getLogger("splink")
    with _quiet_lock:
        if _quiet_users == 0:
            _quiet_saved_level = splink_logger.level
            splink_logger.setLevel(logging.ERROR)
            _quiet_warnings = warnings.catch_warnings()
            _quiet_warnings.__enter__()
            warnings.simplefilter("ignore")
        _quiet_users += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_users -= 1
            if _quiet_users == 0:
                splink_logger.setLevel(_quiet_saved_level)
                if _quiet_warnings is not None:
                    _quiet_warnings.__exit__(None, None, None)
                    _quiet_warnings = None
