"""Reading a stated purchase timeline (预计采购时间) as days from now.

Leads state timelines as durations (``3个月内``, ``两周``, ``within 6 months``), dates
(``2025-09``, ``2025年9月30日``), phrases (``尽快``, ``下个季度``, ``next quarter``, ``ASAP``)
or refusals (``暂不考虑``, ``no plans``). The timeline rule gives points by the first
window the days fall within; a timeline that is given but cannot be read still counts
as stated.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from leadlink.identify._cells import is_none

__all__ = ["timeline_days"]

_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNIT_DAYS = {
    "天": 1, "日": 1, "day": 1, "days": 1, "d": 1,
    "周": 7, "星期": 7, "礼拜": 7, "week": 7, "weeks": 7, "w": 7, "wk": 7, "wks": 7,
    "月": 30, "month": 30, "months": 30, "mo": 30, "mos": 30, "m": 30,
    "季度": 90, "季": 90, "quarter": 90, "quarters": 90, "q": 90,
    "年": 360, "year": 360, "years": 360, "yr": 360, "yrs": 360, "y": 360,
}  # fmt: skip
_AMOUNT = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十半]+)"
_UNIT = "|".join(sorted((re.escape(u) for u in _UNIT_DAYS), key=len, reverse=True))
_DURATION = re.compile(rf"{_AMOUNT}\s*个?\s*({_UNIT})(?![a-z])")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?")
_NO_TIMELINE = re.compile(
    r"暂不|暂时不|不考虑|没有计划|无计划|不采购|不买|no plans?\b|not (?:now|yet|planned|interested)"
)
# Checked in order, before durations: the first phrase found gives the days.
_PHRASES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern), days)
    for pattern, days in (
        (r"立即|立刻|马上|尽快|紧急|\basap\b|immediate|urgent|right away", 7),
        (r"本周|这周|this week", 7),
        (r"下周|next week", 14),
        (r"本月|这个月|当月|this month", 30),
        (r"下个?月|next month", 60),
        (r"本季度?|这个?季度|this quarter", 90),
        (r"下个?季度|next quarter", 180),
        (r"半年|half a year", 180),
        (r"今年|年内|本年|年底|this year|end of (?:the )?year|year end", 365),
        (r"明年|next year", 730),
    )
)


def timeline_days(value: Any, now: pd.Timestamp) -> float | None:
    """Days until the stated purchase: ``None`` when there is none, NaN when a timeline
    is given but cannot be read.

    >>> now = pd.Timestamp("2025-01-01")
    >>> [timeline_days(v, now) for v in ("3个月内", "半年", "ASAP", "within 2 weeks", "无")]
    [90.0, 180.0, 7.0, 14.0, None]
    """
    if is_none(value) or isinstance(value, (bool, int, float, np.number)):
        return None if is_none(value) else math.nan
    text = str(value).strip().lower()
    if _NO_TIMELINE.search(text):
        return None
    date = _DATE.search(text)
    if date:
        year, month, day = int(date[1]), int(date[2]), int(date[3] or 15)
        try:
            when = pd.Timestamp(year=year, month=month, day=day)
        except ValueError:
            return math.nan
        days = (when - now).total_seconds() / 86400
        return max(days, 0.0) if days > -31 else math.nan
    for pattern, days in _PHRASES:
        if pattern.search(text):
            return float(days)
    duration = _DURATION.search(text)
    if duration:
        amount = _cn_number(duration[1])
        if amount is not None:
            return float(amount * _UNIT_DAYS[duration[2]])
    return math.nan


def _cn_number(text: str) -> float | None:
    """A number written in digits or Chinese numerals up to 99 (``十二``, ``两``, ``半``)."""
    if text[0].isdigit():
        return float(text)
    if text == "半":
        return 0.5
    if text.startswith("十"):
        text = "一" + text
    if "十" in text:
        tens, _, ones = text.partition("十")
        return float(_CN_DIGITS.get(tens, 0) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0))
    return float(_CN_DIGITS[text]) if text in _CN_DIGITS else None
