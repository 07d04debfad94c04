"""Problems and ghost leads (幽灵客户).

:func:`validate` checks every lead and returns one row per input lead, on the same index:

================  ===============================================================
``is_ghost``      bool — the lead looks fake: a test entry, a placeholder number,
                  keyboard mash, nothing to contact
``ghost_score``   float 0–1 — how strongly the signals below point to a ghost
``problems``      list of :class:`Problem` codes (plain strings, stable across versions)
``ghost_reasons`` short human-readable explanation; ``''`` when not a ghost
================  ===============================================================

Ghost detection weighs signals instead of trusting any single one, like a
Fellegi–Sunter match weight: each problem adds log-odds *points* (a placeholder phone or
email adds many, a placeholder name some, a role mailbox almost none, a mistyped number
takes a little away, since typos are made by real people), each working contact channel
takes points away, and the sum, through the logistic function, is ``ghost_score``. A lead
is a ghost when the score passes :data:`GHOST_THRESHOLD` (0.5). So:

* a placeholder phone (13800138000) and no other contact is a ghost;
* a placeholder name (测试, asdf) is a ghost only when nothing reaches the person;
* a placeholder phone next to a working personal email is *not*: someone can be reached;
* ``info@company.com`` alone, or 13900001111, is not.

Every normalizer runs once per *distinct* value of its column, so a million leads
validate in seconds. Nothing here logs phones, emails or names.

>>> import pandas as pd
>>> leads = pd.DataFrame({"name": ["张伟", "测试"], "phone": ["13912345670", "13800138000"]})
>>> result = validate(leads)
>>> result["is_ghost"].tolist()
[False, True]
>>> result.loc[1, "problems"]
['phone.placeholder', 'name.placeholder', 'contact.none']
>>> result.loc[1, "ghost_reasons"]
'placeholder phone number; placeholder name; no valid phone or email'
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from leadlink._data import words
from leadlink._i18n import say
from leadlink._values import (
    NO_VALUE,
    factorize,
    parse_times,
    reference_time,
    without_cycle_collection,
)
from leadlink.clean._parsed import ParsedColumns
from leadlink.clean.normalize import _email, _phone
from leadlink.errors import ColumnError, ConfigError
from leadlink.schema import ROLES

__all__ = ["GHOST_THRESHOLD", "Problem", "missing_summary", "validate"]

logger = logging.getLogger(__name__)

#: A lead is a ghost when its ``ghost_score`` is above this.
GHOST_THRESHOLD = 0.5

_ROLES: tuple[str, ...] = ROLES
_DATA = "leadlink.clean.normalize"  # the package whose data/ folder holds the tables


class Problem(str, Enum):
    """Stable reason codes in ``validate(...)["problems"]``.

    The values are the contract (``"phone.placeholder"``); compare against them or the
    members, which are equal to their values.

    =======================  ==========================================================
    ``phone.missing``        no phone (blank, null marker, 无)
    ``phone.invalid``        not a valid number for its region, and no placeholder
    ``phone.local``          not valid in its region but dialable: a local number
                             without its area code (555-1234), or a number of
                             another region; matched on its digits
    ``phone.placeholder``    13800138000, 12345678901, 11111111111, a repeated or
                             sequential subscriber number, 555-01xx, UK drama ranges
    ``email.missing``        no email
    ``email.syntax``         not an email address
    ``email.placeholder``    test@test.com, a@a.com, asdf@…, …@example.com, test01@…
    ``email.disposable``     a throw-away mailbox domain
    ``email.role``           a shared mailbox: info@, sales@ …
    ``name.missing``         no name
    ``name.placeholder``     测试, test, asdf, 无, xxx, keyboard mash
    ``company.placeholder``  测试公司, test, 无, 个人 …
    ``contact.none``         neither a usable phone nor a usable email
    ``lead.stale``           older than ``stale_after``
    ``required.<role>``      a role listed in ``required`` is blank
    =======================  ==========================================================
    """

    PHONE_MISSING = "phone.missing"
    PHONE_INVALID = "phone.invalid"
    PHONE_PLACEHOLDER = "phone.placeholder"
    PHONE_LOCAL = "phone.local"
    EMAIL_MISSING = "email.missing"
    EMAIL_SYNTAX = "email.syntax"
    EMAIL_PLACEHOLDER = "email.placeholder"
    EMAIL_DISPOSABLE = "email.disposable"
    EMAIL_ROLE = "email.role"
    NAME_MISSING = "name.missing"
    NAME_PLACEHOLDER = "name.placeholder"
    COMPANY_PLACEHOLDER = "company.placeholder"
    CONTACT_NONE = "contact.none"
    LEAD_STALE = "lead.stale"
    REQUIRED_NAME = "required.name"
    REQUIRED_PHONE = "required.phone"
    REQUIRED_EMAIL = "required.email"
    REQUIRED_COMPANY = "required.company"
    REQUIRED_CITY = "required.city"
    REQUIRED_ADDRESS = "required.address"
    REQUIRED_TITLE = "required.title"
    REQUIRED_SOURCE = "required.source"
    REQUIRED_CREATED_AT = "required.created_at"
    REQUIRED_POSTCODE = "required.postcode"
    REQUIRED_WEBSITE = "required.website"

    def __str__(self) -> str:
        return self.value


_PROBLEMS: tuple[Problem, ...] = tuple(Problem)
_BIT: dict[Problem, int] = {problem: 1 << i for i, problem in enumerate(_PROBLEMS)}

# Log-odds points per signal; the sum starts at _PRIOR_POINTS. See the module docstring.
# Chosen by reasoning about single leads (the table in tests/test_validate.py), not fitted.
_PRIOR_POINTS = -2.2
_GHOST_POINTS: dict[Problem, float] = {
    Problem.PHONE_PLACEHOLDER: 3.0,
    Problem.EMAIL_PLACEHOLDER: 3.0,
    Problem.NAME_PLACEHOLDER: 1.5,
    Problem.CONTACT_NONE: 1.5,
    Problem.EMAIL_DISPOSABLE: 1.0,
    Problem.COMPANY_PLACEHOLDER: 1.0,
    Problem.NAME_MISSING: 1.0,
    Problem.EMAIL_ROLE: 0.25,
    # A number or address that fails validation but is no placeholder is nearly always a
    # real person's typo: it speaks against a ghost.
    Problem.PHONE_INVALID: -0.5,
    Problem.EMAIL_SYNTAX: -0.5,
}
# Points each working channel takes off (a real-looking phone; an email that is neither a
# placeholder nor disposable): someone can be reached there.
_REACHABLE_POINTS = -1.5

# The explanation of each signal, in English and Chinese (ghost_reasons shows one: say()).
_REASON_TEXT: dict[Problem, tuple[str, str]] = {
    Problem.PHONE_PLACEHOLDER: ("placeholder phone number", "占位电话号码"),
    Problem.EMAIL_PLACEHOLDER: ("placeholder email", "占位邮箱"),
    Problem.NAME_PLACEHOLDER: ("placeholder name", "占位姓名"),
    Problem.CONTACT_NONE: ("no valid phone or email", "没有有效的电话或邮箱"),
    Problem.EMAIL_DISPOSABLE: ("disposable email domain", "一次性邮箱域名"),
    Problem.COMPANY_PLACEHOLDER: ("placeholder company", "占位公司名"),
    Problem.NAME_MISSING: ("no name", "没有姓名"),
    Problem.PHONE_INVALID: ("invalid phone", "电话无效"),
    Problem.PHONE_LOCAL: (
        "local or unverified phone number (no area code, or another region)",
        "本地或未经核实的电话号码（缺区号，或属于其他地区）",
    ),
    Problem.EMAIL_SYNTAX: ("malformed email", "邮箱格式错误"),
    Problem.EMAIL_ROLE: ("role mailbox", "职能邮箱"),
}

# Values that mean "nothing here" in any column: the shared no-value set, the empty cell,
# and how software writes a missing value (nan, NaT, <NA>; data/validate_blank.txt).
_BLANK_TOKENS = NO_VALUE | words(_DATA, "validate_blank.txt") | {""}
# ... and, in contact columns and presence checks, the Chinese words for none too
# (data/validate_blank_contact.txt); a name "无" is a placeholder name, not a missing one.
_BLANK_CONTACT_TOKENS = _BLANK_TOKENS | words(_DATA, "validate_blank_contact.txt")

_LONGEST_TOKEN = max(map(len, _BLANK_CONTACT_TOKENS))

# Columns the stale check may use, most specific first (a last-activity role wins if the
# column contract grows one).
_WHEN_ROLES = ("last_activity", "created_at")

# Placeholder phones: national numbers seen in every CRM test table.
_KNOWN_FAKE_PHONES = words(_DATA, "phone_placeholders.txt")

_EMAIL_PLACEHOLDER_DOMAINS = words(_DATA, "email_placeholder_domains.txt")
_EMAIL_PLACEHOLDER_TLDS = words(_DATA, "email_placeholder_tlds.txt")
_EMAIL_PLACEHOLDER_LOCALS = words(_DATA, "email_placeholder_locals.txt")
_TEST_LOCAL = re.compile(r"^(?:test|testing|demo|fake)[._\-]?\d{0,4}$")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_VOWELS = frozenset("aeiouy")
_EXTENSION_SPLIT = re.compile(r"转|分机|ext|[x#,;]", re.IGNORECASE)
_NON_DIGIT = re.compile(r"\D")
_NON_ALNUM = re.compile(r"[\W_]")


# (a million leads make a million problem lists, and caches of parsed values)
@without_cycle_collection()
def validate(
    leads: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    required: Sequence[str] = ("name",),
    stale_after: str | pd.Timedelta | pd.DateOffset | None = None,
    now: Any = None,
    region: str | None = None,
    parsed: ParsedColumns | None = None,
) -> pd.DataFrame:
    """Check every lead: reason codes, ghost verdict, ghost score and its explanation.

    Args:
        leads: the raw leads; every row gets a result row on the same index.
        columns: role → column mapping (``{"phone": "手机"}``); roles left out are detected
            from common English and Chinese headers.
        required: roles every lead must have a value for; a blank one adds
            ``required.<role>``. A required role with no column flags every lead.
        stale_after: flag leads whose last activity (or ``created_at``) is older than this
            (``"180D"``, ``"26W"``, ``"6M"`` for six calendar months, ``"1Y"``,
            ``"180 days"``, a ``pd.Timedelta`` or ``pd.DateOffset``) with ``lead.stale``.
            A number needs a unit: ``"1000"`` is refused, not read as nanoseconds.
        now: the reference time for ``stale_after``; defaults to the current time.
        region: default region for phone numbers written without a country code;
            ``None``: CN, unless most numbers are not valid there but are in one other
            region, which is then used, with a warning.
        parsed: the distinct values of ``leads``' columns and their parsed phones and
            emails, shared with :func:`leadlink.prepare` of the same leads (see
            :class:`~leadlink.clean.ParsedColumns`); what is not there yet is added.
            Ignored when it holds other leads or another region.

    Returns:
        A frame with columns ``is_ghost``, ``ghost_score``, ``problems``, ``ghost_reasons``.

    Raises:
        InputError: ``leads`` is not a DataFrame.
        ColumnError: an unknown role, a mapped column missing from ``leads``, or
            ``stale_after`` without a ``created_at`` column.
        ConfigError: ``required`` names an unknown role, ``stale_after``/``now`` cannot
            be read as a duration/time, or ``region`` is not a phone region.
    """
    roles = _roles(leads, columns)
    region = (
        _phone.settle_region(leads[roles["phone"]], None)
        if region is None and "phone" in roles
        else _phone.check_region(_phone.DEFAULT_REGION if region is None else region)
    )
    required_roles = _required_roles(required)
    stale_delta = _timedelta(stale_after)
    n = len(leads)
    masks = np.zeros(n, dtype=np.int64)
    phone_ok = np.zeros(n, dtype=bool)
    email_ok = np.zeros(n, dtype=bool)
    missing: dict[str, np.ndarray] = {}

    if parsed is None or not parsed.serves(leads, region):
        parsed = ParsedColumns(leads, region)
    # the parsed values a role's check reads beside the raw value
    parses: dict[str, Callable[[Any], Sequence[Any] | None]] = {
        "phone": parsed.phones,
        "email": parsed.emails,
    }
    for role, make_check in _FIELD_CHECKS.items():
        if role not in roles:
            continue
        column = roles[role]
        found = parses[role](column) if role in parses else None
        field = _check_distinct(leads[column], make_check(region), parsed.distinct(column), found)
        masks |= field.masks
        missing[role] = field.blank
        if role == "phone":
            phone_ok = field.ok
        elif role == "email":
            email_ok = field.ok

    if "phone" in roles or "email" in roles:
        masks |= np.where(phone_ok | email_ok, 0, _BIT[Problem.CONTACT_NONE])

    for role in required_roles:
        if role not in roles:
            blank = np.ones(n, dtype=bool)
        elif role in missing:
            blank = missing[role]
        else:
            blank = _check_distinct(
                leads[roles[role]], _presence_check(region), parsed.distinct(roles[role])
            ).blank
        masks |= np.where(blank, _BIT[Problem(f"required.{role}")], 0)

    if stale_delta is not None:
        masks |= np.where(_stale(leads, roles, stale_delta, now), _BIT[Problem.LEAD_STALE], 0)

    # Reachability is folded into the mask so that everything downstream depends on the
    # mask alone, and is computed once per distinct mask (a few dozen for a million leads).
    email_reach = email_ok & ((masks & _BIT[Problem.EMAIL_DISPOSABLE]) == 0)
    reach = phone_ok.astype(np.int64) | (email_reach.astype(np.int64) << 1)
    keys = (masks << 2) | reach
    codes, uniques = pd.factorize(keys)
    verdicts = [_verdict(int(key) >> 2, int(key) & 3) for key in uniques]
    scores = np.array([v[0] for v in verdicts], dtype=float)[codes]
    problem_lists = [list(v[1]) for v in verdicts]
    reasons = np.array([v[2] for v in verdicts], dtype=object)[codes]
    result = pd.DataFrame(
        {
            "is_ghost": scores > GHOST_THRESHOLD,
            "ghost_score": scores,
            # a list of its own for each lead (a caller may edit one)
            "problems": list(map(list.copy, map(problem_lists.__getitem__, codes.tolist()))),
            "ghost_reasons": reasons,
        },
        index=leads.index,
    )
    if n:
        logger.debug(
            "validated %d leads: %d ghosts; roles checked: %s",
            n,
            int(result["is_ghost"].sum()),
            ", ".join(sorted(roles)),
        )
    return result


def missing_summary(
    leads: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    *,
    region: str | None = None,
) -> pd.DataFrame:
    """Per role: how many leads have no value, and how many have one that cannot be used.

    One row per role found in ``leads`` (index ``role``) with ``column``, ``n_leads``,
    ``missing``, ``missing_share``, ``invalid`` and ``invalid_share``. *Invalid* means present
    but unusable: a malformed or placeholder phone or email, a placeholder name or company,
    a ``created_at`` that is not a date. Roles whose values leadlink does not judge (city,
    address, title, source) have ``invalid`` 0. ``region=None`` reads phones as CN unless
    most are clearly of another region (see :func:`validate`).
    """
    roles = _roles(leads, columns)
    if region is None:  # CN unless the numbers clearly say otherwise (validate warns so)
        inferred = _phone.infer_region(leads[roles["phone"]]) if "phone" in roles else None
        region = inferred or _phone.DEFAULT_REGION
    region = _phone.check_region(region)
    n = len(leads)
    rows = []
    for role, column in roles.items():
        if role == "created_at":
            values = leads[column]
            blank = _check_distinct(values, _presence_check(region)).blank
            invalid = ~blank & np.isnat(parse_times(values))
        else:
            make_check = _FIELD_CHECKS.get(role, _presence_check)
            field = _check_distinct(leads[column], make_check(region))
            blank = field.blank
            invalid = (field.masks & _INVALID_BITS.get(role, 0)) != 0
        n_missing, n_invalid = int(blank.sum()), int(invalid.sum())
        rows.append(
            {
                "role": role,
                "column": column,
                "n_leads": n,
                "missing": n_missing,
                "missing_share": n_missing / n if n else 0.0,
                "invalid": n_invalid,
                "invalid_share": n_invalid / n if n else 0.0,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "role",
            "column",
            "n_leads",
            "missing",
            "missing_share",
            "invalid",
            "invalid_share",
        ],
    )
    return frame.set_index("role")


# ---------------------------------------------------------------------------- arguments


def _roles(leads: object, columns: Mapping[str, str] | None) -> dict[str, str]:
    from leadlink.schema import resolve_columns

    return dict(resolve_columns(leads, columns))  # type: ignore[arg-type]  # it checks


def _required_roles(required: Sequence[str]) -> tuple[str, ...]:
    if isinstance(required, str):
        required = (required,)
    unknown = [role for role in required if role not in _ROLES]
    if unknown:
        raise ConfigError(
            say(
                f"required names unknown role(s) {', '.join(map(repr, unknown))}; "
                f"roles are {', '.join(_ROLES)} (for example required=('name', 'phone'))",
                f"required 中有未知的角色 {', '.join(map(repr, unknown))}；"
                f"可用的角色有 {', '.join(_ROLES)}（例如 required=('name', 'phone')）",
            )
        )
    return tuple(dict.fromkeys(required))


#: A duration in calendar months or years, which ``pd.Timedelta`` does not read ("6M" is
#: six months, "6m" six minutes, as in pandas).
_CALENDAR_DURATION = re.compile(
    r"^\s*(\d+)\s*(M|mo|mon|months?|Y|y|yrs?|years?|个月|月|年)\s*$", re.IGNORECASE
)
_DAYS_DURATION = re.compile(r"^\s*(\d+)\s*(天|日|周|星期)\s*$")
_BARE_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$")
_DURATION_EXAMPLES = "'180D' (days), '26W' (weeks), '6M' (months) or '1Y' (years)"
_DURATION_EXAMPLES_ZH = "'180D'（天）、'26W'（周）、'6M'（月）或 '1Y'（年）"


def _timedelta(stale_after: Any) -> pd.Timedelta | pd.DateOffset | None:
    """``stale_after`` as a duration: a ``pd.Timedelta``, or a ``pd.DateOffset`` for
    calendar months and years ('6M', '6 months', '1Y', '6个月').

    A number without a unit (``1000``, ``"1000"``) is refused, not read as pandas'
    nanoseconds (which flagged every lead), and so is a duration under a day ('6m' is six
    minutes: months are '6M').
    """
    if stale_after is None:
        return None
    shown = stale_after
    if isinstance(stale_after, pd.DateOffset):
        stamp = pd.Timestamp("2000-01-01")
        if stamp + stale_after <= stamp:
            raise ConfigError(
                say(
                    f"stale_after must be a positive duration such as '90D', not {shown!r}",
                    f"stale_after 须为正的时长，例如 '90D'，而不是 {shown!r}",
                )
            )
        return stale_after
    if isinstance(stale_after, (bool, int, float, np.number)) or (
        isinstance(stale_after, str) and _BARE_NUMBER.match(stale_after)
    ):
        raise ConfigError(
            say(
                f"stale_after={shown!r} has no unit; write e.g. {_DURATION_EXAMPLES}",
                f"stale_after={shown!r} 没有单位；请写成如 {_DURATION_EXAMPLES_ZH}",
            )
        )
    if isinstance(stale_after, str):
        calendar = _CALENDAR_DURATION.match(stale_after)
        days = _DAYS_DURATION.match(stale_after)
        if calendar is not None:
            n, unit = int(calendar.group(1)), calendar.group(2)
            if unit != "m":  # "m" alone is pandas' minute, left to pd.Timedelta below
                if n == 0:
                    stale_after = "0D"  # refused below as not positive
                else:
                    yearly = unit.lower().startswith("y") or unit == "年"
                    return pd.DateOffset(years=n) if yearly else pd.DateOffset(months=n)
        elif days is not None:
            weeks = days.group(2) in ("周", "星期")
            stale_after = f"{days.group(1)}{'W' if weeks else 'D'}"
    try:
        delta = pd.Timedelta(stale_after)
    except (ValueError, TypeError) as error:
        raise ConfigError(
            say(
                f"stale_after={shown!r} is not a duration; write e.g. "
                f"{_DURATION_EXAMPLES}, '180 days' or pd.Timedelta(days=90)",
                f"stale_after={shown!r} 不是时长；请写成如 {_DURATION_EXAMPLES_ZH}、"
                "'180 days' 或 pd.Timedelta(days=90)",
            )
        ) from error
    if pd.isna(delta) or delta <= pd.Timedelta(0):
        raise ConfigError(
            say(
                f"stale_after must be a positive duration such as '90D', not {shown!r}",
                f"stale_after 须为正的时长，例如 '90D'，而不是 {shown!r}",
            )
        )
    if delta < pd.Timedelta(days=1):
        raise ConfigError(
            say(
                f"stale_after={shown!r} is {delta}, less than a day; leads go stale "
                f"over days or months: write e.g. {_DURATION_EXAMPLES} (a small 'm' is minutes)",
                f"stale_after={shown!r} 是 {delta}，不到一天；线索以天或月计算是否过期："
                f"请写成如 {_DURATION_EXAMPLES_ZH}（小写 'm' 表示分钟）",
            )
        )
    return delta


# ------------------------------------------------------------------------------ fields


class _Field:
    """Per-lead results of one column's check."""

    __slots__ = ("blank", "masks", "ok")

    def __init__(self, masks: np.ndarray, blank: np.ndarray, ok: np.ndarray) -> None:
        self.masks = masks
        self.blank = blank
        self.ok = ok


# A check takes one distinct raw value and returns (problem bits, blank, usable contact).
# The phone and email checks also take what the normaliser found for the value (see
# ParsedColumns), and parse it themselves when not given it.
_Check = Callable[..., "tuple[int, bool, bool]"]
_UNPARSED: Any = object()


def _check_distinct(
    values: pd.Series,
    check: _Check,
    distinct: tuple[np.ndarray, np.ndarray] | None = None,
    found: Sequence[Any] | None = None,
) -> _Field:
    """Run ``check`` once per distinct value of ``values`` and spread the results back.

    ``distinct`` are the codes and distinct values of ``values`` when known
    (:func:`leadlink._values.factorize`); ``found`` what the normaliser found for each
    distinct value, given to ``check`` beside it."""
    codes, uniques = factorize(values) if distinct is None else distinct
    if found is None:
        results = [check(value) for value in uniques]
    else:
        results = [check(value, parts) for value, parts in zip(uniques, found)]
    results.append(check(None))  # code -1: missing
    masks = np.fromiter((r[0] for r in results), dtype=np.int64, count=len(results))
    blank = np.fromiter((r[1] for r in results), dtype=bool, count=len(results))
    ok = np.fromiter((r[2] for r in results), dtype=bool, count=len(results))
    return _Field(masks[codes], blank[codes], ok[codes])


def _text(value: Any) -> str | None:
    """The value as clean text, or None when it is missing or blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e18:
            value = int(value)
    elif isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    text = unicodedata.normalize("NFKC", str(value)[:1000]).strip()
    return None if text.casefold() in _BLANK_TOKENS else text


def _is_blank(value: Any, tokens: frozenset[str] = _BLANK_CONTACT_TOKENS) -> bool:
    """Whether the value is missing, empty or a "nothing here" token."""
    if isinstance(value, str) and len(value.strip()) > _LONGEST_TOKEN:
        return False  # the common case, without Unicode normalization
    text = _text(value)
    return text is None or text.casefold() in tokens


def _phone_check(region: str) -> _Check:
    # whether a valid number is a placeholder, per E.164 (the formatting variants of a
    # number share one)
    placeholders: dict[str, bool] = {}

    def check(value: Any, found: Any = _UNPARSED) -> tuple[int, bool, bool]:
        # A value the normaliser found a number in holds digits, which no blank token
        # does: only the others are looked up among them.
        if (found is _UNPARSED or found[0] is None) and _is_blank(value):
            return _BIT[Problem.PHONE_MISSING], True, False
        # (E.164 or local key, extension, kind): no key, or kind "local", for a number
        # that is not valid in the region
        key, _, kind = _phone.describe_key(value, region) if found is _UNPARSED else found
        if key is None or kind == "local":
            if _is_placeholder_raw_phone(_text(value) or ""):
                return _BIT[Problem.PHONE_PLACEHOLDER], False, False
            if kind == "local":
                # dialable where the lead is (or in its own region): a working channel
                return _BIT[Problem.PHONE_LOCAL], False, True
            return _BIT[Problem.PHONE_INVALID], False, False
        placeholder = placeholders.get(key)
        if placeholder is None:  # a valid number: its E.164
            placeholder = placeholders[key] = _is_placeholder_e164(key)
        if placeholder:
            return _BIT[Problem.PHONE_PLACEHOLDER], False, False
        return 0, False, True

    return check


def _email_check(region: str) -> _Check:
    """Syntax per distinct address; role, disposable and placeholder flags per distinct
    local part and domain (a role mailbox is a property of the local part, a disposable
    one of the domain), so a million addresses at a few hundred domains stay cheap."""
    from leadlink.clean import normalize

    domain_bits: dict[str, int] = {}
    local_bits: dict[str, int] = {}

    def check(value: Any, found: Any = _UNPARSED) -> tuple[int, bool, bool]:
        if _is_blank(value):
            return _BIT[Problem.EMAIL_MISSING], True, False
        # the canonical mailbox's name and domain (see normalize.email)
        parts = _email.parts(value) if found is _UNPARSED else found
        if parts is None:
            bits = _BIT[Problem.EMAIL_SYNTAX]
            text = _text(value) or ""
            if _is_placeholder_local(text.casefold().split("@", 1)[0].strip()):
                bits |= _BIT[Problem.EMAIL_PLACEHOLDER]
            return bits, False, False
        local, domain = parts
        canonical = f"{local}@{domain}"
        of_domain = domain_bits.get(domain)
        if of_domain is None:
            of_domain = _BIT[Problem.EMAIL_PLACEHOLDER] if _is_placeholder_domain(domain) else 0
            if _safe_bool(normalize.email_is_disposable, canonical):
                of_domain |= _BIT[Problem.EMAIL_DISPOSABLE]
            domain_bits[domain] = of_domain
        of_local = local_bits.get(local)
        if of_local is None:
            of_local = _BIT[Problem.EMAIL_PLACEHOLDER] if _is_placeholder_local(local) else 0
            # (the canonical address parses to the same name again: no second parse)
            if _email.is_role_name(local):
                of_local |= _BIT[Problem.EMAIL_ROLE]
            local_bits[local] = of_local
        bits = of_domain | of_local
        if len(local) <= 4 and local == domain.split(".", 1)[0]:
            bits |= _BIT[Problem.EMAIL_PLACEHOLDER]  # a@a.com, abc@abc.com
        return bits, False, not bits & _BIT[Problem.EMAIL_PLACEHOLDER]

    return check


def _name_check(region: str) -> _Check:
    from leadlink.clean import normalize

    def check(value: Any) -> tuple[int, bool, bool]:
        if _is_blank(value, _BLANK_TOKENS):
            return _BIT[Problem.NAME_MISSING], True, False
        if _safe_bool(normalize.is_placeholder_name, value) or _is_name_mash(value):
            return _BIT[Problem.NAME_PLACEHOLDER], False, False
        return 0, False, True

    return check


def _company_check(region: str) -> _Check:
    from leadlink.clean import normalize

    def check(value: Any) -> tuple[int, bool, bool]:
        # "无" and "个人" are answers (no company, a private person), so the normalizer
        # judges them; only null markers count as blank.
        if _is_blank(value, _BLANK_TOKENS):
            return 0, True, False
        if _safe_bool(normalize.is_placeholder_company, value):
            return _BIT[Problem.COMPANY_PLACEHOLDER], False, False
        return 0, False, True

    return check


def _presence_check(region: str) -> _Check:
    def check(value: Any) -> tuple[int, bool, bool]:
        blank = _is_blank(value)
        return 0, blank, not blank

    return check


# Per role, a factory of the check for one distinct value; roles not listed are only
# checked for presence.
_FIELD_CHECKS: dict[str, Callable[[str], _Check]] = {
    "phone": _phone_check,
    "email": _email_check,
    "name": _name_check,
    "company": _company_check,
}

_INVALID_BITS: dict[str, int] = {
    "phone": _BIT[Problem.PHONE_INVALID] | _BIT[Problem.PHONE_PLACEHOLDER],
    "email": _BIT[Problem.EMAIL_SYNTAX] | _BIT[Problem.EMAIL_PLACEHOLDER],
    "name": _BIT[Problem.NAME_PLACEHOLDER],
    "company": _BIT[Problem.COMPANY_PLACEHOLDER],
}


def _safe_bool(predicate: Callable[[Any], Any], value: Any) -> bool:
    # Normalizers promise never to raise; a bug there must not lose a whole table.
    try:
        return bool(predicate(value))
    except Exception:
        logger.warning("%s raised on a value; treated as False", predicate.__name__)
        return False


# -------------------------------------------------------------------------------- phones


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    import phonenumbers

    return frozenset(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def _split_e164(e164: str) -> tuple[str, str]:
    """``"+8613800138000"`` → ``("86", "13800138000")``; country codes are prefix-free."""
    digits = e164.lstrip("+")
    for size in (1, 2, 3):
        if digits[:size] in _country_codes():
            return digits[:size], digits[size:]
    return "", digits


def _national_from_raw(digits: str) -> str:
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def _is_placeholder_raw_phone(text: str) -> bool:
    """For numbers that fail validation: 00000000000, 123456, +44 7700 900123 (fiction
    ranges are not always valid numbers)."""
    main = _EXTENSION_SPLIT.split(text, maxsplit=1)[0]
    digits = _NON_DIGIT.sub("", main)
    international = main.lstrip().startswith("+") or digits.startswith("00")
    if international and _is_placeholder_e164("+" + digits.removeprefix("00")):
        return True
    return _is_placeholder_digits(_national_from_raw(digits))


def _is_placeholder_e164(e164: str) -> bool:
    country, national = _split_e164(e164)
    if country == "1" and national[3:8] == "55501":
        return True  # 555-0100 … 555-0199: reserved for fiction in North America
    if country == "44" and national.startswith(("7700900", "207946", "1134960", "1632960")):
        return True  # Ofcom's drama ranges
    return _is_placeholder_digits(national)


def _is_placeholder_digits(digits: str) -> bool:
    """Numbers people type when they will not give theirs.

    >>> [_is_placeholder_digits(d) for d in ("13800138000", "13888888888", "13912345678",
    ...                                       "13900001111", "13812348765")]
    [True, True, True, False, False]
    """
    if len(digits) < 5:
        return False
    if digits in _KNOWN_FAKE_PHONES or _is_run(digits):
        return True
    if _period(digits, 3 if len(digits) >= 7 else 1):
        return True  # 11111, 1212121212, 138138138
    tail = digits[-8:]
    return len(digits) >= 10 and (_is_run(tail) or _period(tail, 2) > 0)


_ASCENDING = "0123456789" * 3
_DESCENDING = _ASCENDING[::-1]


def _is_run(digits: str) -> bool:
    """Consecutive digits, up or down, wrapping 9 → 0: 12345678, 34567890, 98765432."""
    return len(digits) <= 20 and (digits in _ASCENDING or digits in _DESCENDING)


def _period(text: str, longest: int) -> int:
    """The length (up to ``longest``) of the chunk that repeats to make ``text``, else 0.

    >>> _period("abab", 3), _period("12121", 2), _period("abcd", 3)
    (2, 2, 0)
    """
    first = text[:1]
    for size in range(1, min(longest, len(text) - 1) + 1):
        # (a chunk that repeats starts the text again: most sizes fail on one character)
        if text[size] == first and text[size:] == text[:-size]:
            return size
    return 0


# -------------------------------------------------------------------------------- emails


def _is_placeholder_domain(domain: str) -> bool:
    return domain in _EMAIL_PLACEHOLDER_DOMAINS or (
        domain.rsplit(".", 1)[-1] in _EMAIL_PLACEHOLDER_TLDS
    )


def _is_placeholder_local(local: str) -> bool:
    local = local.split("+", 1)[0]
    if not local:
        return False
    if local in _EMAIL_PLACEHOLDER_LOCALS or _TEST_LOCAL.match(local):
        return True
    if _period(local, 1) or len(local) == 1:
        return True  # aaaa, xxx, 0000
    if local.isdigit():
        return _is_placeholder_digits(local) or len(local) < 5
    return _is_keyboard_mash(local)


def _is_keyboard_mash(text: str) -> bool:
    """Letters dragged along a keyboard row, or such a stretch repeated (sdfsdf, jkjkjk).

    Reduplicated pinyin (lili, weiwei, yuyu, tingting) is not mash: two-letter stretches
    count only when repeated three times, since many pinyin syllables lie along a row.

    >>> [_is_keyboard_mash(t) for t in ("asdf", "qwerty", "sdfsdf", "jkjkjk", "lili",
    ...                                 "weiwei", "yuyu", "popo", "tingting")]
    [True, True, True, True, False, False, False, False, False]
    """
    letters = _NON_ALNUM.sub("", text).lower()
    if len(letters) < 4:
        return False
    if _on_keyboard_row(letters):
        return True
    size = _period(letters, 4)
    if size == 2 and len(letters) < 6:
        return False
    return size >= 2 and _on_keyboard_row(letters[:size])


def _on_keyboard_row(text: str) -> bool:
    return text in _KEYBOARD_STRETCHES


#: Every stretch of a keyboard row, either way (the empty one included), for one look-up
#: instead of a search of each row.
_KEYBOARD_STRETCHES = frozenset(
    line[start:end]
    for row in _KEYBOARD_ROWS
    for line in (row, row[::-1])
    for start in range(len(line) + 1)
    for end in range(start, len(line) + 1)
)


def _is_name_mash(value: Any) -> bool:
    """A one-word Latin "name" that is keyboard mash or has no vowel at all (qwkh, sdfg).

    Only single words: "Zhang Wei" or "Robert Smith" are never judged here, and email
    local parts are not held to the vowel rule (zwm1988@ is a real mailbox).

    >>> [_is_name_mash(n) for n in ("qwkh", "rddhg", "sdfsdf", "Lily", "Smith", "张伟", "Li Ming")]
    [True, True, True, False, False, False, False]
    """
    text = _text(value)
    if text is None or not text.isascii() or not text.isalpha() or len(text) < 4:
        return False
    return _is_keyboard_mash(text) or not _VOWELS.intersection(text.lower())


# --------------------------------------------------------------------------------- stale


def _stale(
    leads: pd.DataFrame,
    roles: Mapping[str, str],
    after: pd.Timedelta | pd.DateOffset,
    now: Any,
) -> np.ndarray:
    role = next((r for r in _WHEN_ROLES if r in roles), None)
    if role is None:
        raise ColumnError(
            say(
                "stale_after needs a created_at column, and none was found; map it with "
                "columns={'created_at': '<your date column>'} or leave stale_after out",
                "stale_after 需要 created_at 列，但没有找到；请用 "
                "columns={'created_at': '<你的日期列>'} 指定，或不设 stale_after",
            )
        )
    # older than ``after`` = before the cutoff; a DateOffset counts calendar months
    cutoff = (reference_time(now) - after).to_datetime64()
    times = parse_times(leads[roles[role]])
    with np.errstate(invalid="ignore"):
        return ~np.isnat(times) & (times < cutoff)


# ------------------------------------------------------------------------------- verdict


def _verdict(mask: int, reach: int) -> tuple[float, tuple[str, ...], str]:
    """Score, problem codes and explanation for one combination of problems."""
    problems = tuple(p for p in _PROBLEMS if mask & _BIT[p])
    signals = sorted((p for p in problems if p in _GHOST_POINTS), key=lambda p: -_GHOST_POINTS[p])
    points = _PRIOR_POINTS + sum(_GHOST_POINTS[p] for p in signals)
    points += _REACHABLE_POINTS * (bin(reach).count("1"))
    score = round(1.0 / (1.0 + math.exp(-points)), 3)
    reasons = ""
    if score > GHOST_THRESHOLD:
        reasons = say("; ", "；").join(
            say(*_REASON_TEXT[p]) for p in signals if _GHOST_POINTS[p] > 0
        )
    return score, tuple(p.value for p in problems), reasons
