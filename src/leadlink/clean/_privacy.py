"""Contact data kept out of sight: keyed hashes (pseudonyms) and masks.

A pseudonym is the HMAC-SHA256 of a normalised value under the caller's secret ``hash_key``
(32 hex digits): equal values give equal pseudonyms, and without the key nobody can tell
which phone or email a pseudonym stands for. :func:`leadlink.prepare` uses them for the
match keys; :class:`OutputMasking` for the values the outputs show.

A mask keeps what a person needs to recognise a value and hides what would let anyone else
use it:

>>> mask_phone("138 0013 8000"), mask_email("Zhang.Wei@Example.com")
('+86138****8000', 'z***@example.com')
>>> mask_name("张伟"), mask_name("Zhang Wei"), mask_name("欧阳娜娜")
('张*', 'Z*** W***', '欧***')
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import phonenumbers

from leadlink._i18n import say
from leadlink.clean.normalize import _email, _phone
from leadlink.errors import ConfigError
from leadlink.schema import map_distinct

__all__ = [
    "MASKED_ROLES",
    "OUTPUT_MODES",
    "OutputMasking",
    "hash_key_bytes",
    "mask_email",
    "mask_name",
    "mask_phone",
    "pseudonym",
]

#: How the outputs of :func:`leadlink.dedupe` show phones and emails: as entered, masked
#: (``+86138****8000``, ``z***@example.com``) or as their keyed hashes.
OUTPUT_MODES = ("clear", "masked", "hashed")

#: The roles whose values :class:`OutputMasking` hides; ``name`` only when asked to.
MASKED_ROLES = ("phone", "email", "name")

#: Shortest secret accepted as ``hash_key``.
MIN_HASH_KEY_BYTES = 16


def hash_key_bytes(hash_key: bytes | str) -> bytes:
    """``hash_key`` as bytes, refused when it is too short to be a secret."""
    key = hash_key.encode("utf-8") if isinstance(hash_key, str) else bytes(hash_key)
    if len(key) < MIN_HASH_KEY_BYTES:
        raise ConfigError(
            say(
                f"hash_key must be at least {MIN_HASH_KEY_BYTES} bytes; use a random secret, "
                "e.g. secrets.token_hex(32), and keep it to hash new leads the same way",
                f"hash_key 至少须为 {MIN_HASH_KEY_BYTES} 字节；请使用随机密钥，例如 "
                "secrets.token_hex(32)，并妥善保存，以便用同样的方式对新线索做哈希",
            )
        )
    return key


def pseudonym(value: Any, key: bytes) -> str | None:
    """The keyed hash of ``value`` (32 hex digits); None for None."""
    if value is None:
        return None
    return hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()[:32]


# ------------------------------------------------------------------------ masks


def mask_phone(value: Any, region: str = "CN") -> str | None:
    """The number in E.164 with its middle digits hidden: the country code, the first three
    digits of a national number of ten or more and its last four stay (a shorter one keeps
    its last two); an extension is hidden whole. A value that is not a phone number keeps
    at most its last two digits."""
    main, extension, _ = _phone.describe(value, region)
    if main is None:
        digits = re.sub(r"\D", "", "" if _blank(value) else str(value))
        if not digits and extension is None:
            return None
        return "****" + (digits[-2:] if len(digits) >= 6 else "")
    code, national = _country_code(main[1:])
    head = 3 if len(national) >= 10 else 0
    tail = 4 if len(national) >= 8 else 2
    hidden = national[:head] + "*" * (len(national) - head - tail) + national[-tail:]
    return f"+{code}{hidden}" + (" ext. ***" if extension else "")


def mask_email(value: Any) -> str | None:
    """The canonical mailbox with its name hidden but for the first letter; the domain stays.
    A value that is not an address is hidden whole."""
    found = _email.parts(value)
    if found is None:
        return None if _blank(value) else "***"
    user, domain = found
    return f"{user[:1]}***@{domain}"


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# One Han character, or a word in another script, or a digit.
_NAME_PART = re.compile(rf"(?P<han>[{_HAN}])|(?P<word>[^\W\d_{_HAN}]+)|(?P<digit>\d)")


def mask_name(value: Any) -> str | None:
    """The name with all but its initials hidden: the first Han character (the surname)
    and the first letter of each word in other scripts stay; punctuation and spaces stay."""
    if _blank(value):
        return None
    seen_han = False

    def hide(part: re.Match[str]) -> str:
        nonlocal seen_han
        if part["han"]:
            keep, seen_han = not seen_han, True
            return part["han"] if keep else "*"
        if part["word"]:
            return part["word"][:1] + "***"
        return "*"

    return _NAME_PART.sub(hide, str(value).strip())


def _country_code(digits: str) -> tuple[str, str]:
    """(country code, national number) of the digits of an E.164 number."""
    for size in (1, 2, 3):
        if int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return digits[:size], digits[size:]
    return "", digits


def _blank(value: Any) -> bool:
    """None, NaN, NA, or text of nothing but spaces."""
    if value is None:
        return True
    try:
        if bool(pd.isna(value)):
            return True
    except (TypeError, ValueError):  # a list or an array: not a missing value
        pass
    return not str(value).strip()


# ---------------------------------------------------------------- output masking


@dataclass(frozen=True)
class OutputMasking:
    """How the outputs show the leads' phones and emails (and, with ``names``, names).

    ``mode`` is ``"clear"`` (as entered), ``"masked"`` (see :func:`mask_phone`,
    :func:`mask_email`) or ``"hashed"`` (the keyed hash of the normalised value under
    ``hash_key``, the same pseudonym the prepared table holds; a phone with an extension is
    ``<hash>;ext=<hash>``). ``names=True`` also masks names (:func:`mask_name`), whatever
    the mode. ``region`` is the default phone region.
    """

    mode: str = "clear"
    names: bool = False
    hash_key: bytes | str | None = field(default=None, repr=False)
    region: str = "CN"

    def __post_init__(self) -> None:
        if self.mode not in OUTPUT_MODES:
            modes = ", ".join(map(repr, OUTPUT_MODES))
            raise ConfigError(
                say(
                    f"outputs must be one of {modes}, not {self.mode!r}",
                    f"outputs 须为 {modes} 之一，而不是 {self.mode!r}",
                )
            )
        if self.mode == "hashed" and self.hash_key is None:
            raise ConfigError(
                say(
                    "outputs='hashed' needs hash_key=... (a secret of at least 16 bytes); "
                    "or choose outputs='masked', which needs none",
                    "outputs='hashed' 需要 hash_key=...（至少 16 字节的密钥）；"
                    "或改用不需要密钥的 outputs='masked'",
                )
            )
        if self.hash_key is not None:
            hash_key_bytes(self.hash_key)

    @property
    def active(self) -> bool:
        """Whether any value is changed."""
        return self.mode != "clear" or self.names

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles whose values are changed."""
        contacts = ("phone", "email") if self.mode != "clear" else ()
        return (*contacts, "name") if self.names else contacts

    def value(self, role: str, value: Any) -> Any:
        """``value`` of ``role`` as the outputs show it."""
        if _blank(value) or role not in self.roles:
            return value
        if role == "name":
            return mask_name(value)
        if self.mode == "masked":
            return mask_phone(value, self.region) if role == "phone" else mask_email(value)
        assert self.hash_key is not None  # checked: mode "hashed"
        key = hash_key_bytes(self.hash_key)
        if role == "email":
            return pseudonym(_email.normalize(value) or str(value).strip(), key)
        # the prepared key (E.164, or local: and the digits), so the pseudonyms are its own
        main, extension, _ = _phone.describe_key(value, self.region)
        hashed = pseudonym(main or str(value).strip(), key)
        return hashed if extension is None else f"{hashed};ext={pseudonym(extension, key)}"

    def key(self, role: str, key: Any) -> Any:
        """A normalised key of ``role`` (a conflicts table's ``key``: an E.164 number with
        ``;ext=<extension>``, a canonical mailbox, a name key) as the outputs show it."""
        if _blank(key) or role not in self.roles:
            return key
        if role == "name":
            return mask_name(key)
        text = str(key)
        main, sep, extension = text.partition(";ext=")
        if _PSEUDONYM.fullmatch(main):
            return text  # prepared with a hash_key: pseudonyms already
        if role == "email":
            return mask_email(text) if self.mode == "masked" else self.value(role, text)
        if self.mode == "masked":
            shown = (
                # a local number's key stays marked as one: local:****67
                f"{_phone.LOCAL_PREFIX}****{main[-2:]}"
                if main.startswith(_phone.LOCAL_PREFIX)
                else mask_phone(main, self.region) or "****"
            )
            return shown + (" ext. ***" if sep else "")
        key_bytes = hash_key_bytes(self.hash_key or b"")
        hashed = pseudonym(main, key_bytes)
        return f"{hashed};ext={pseudonym(extension, key_bytes)}" if sep else hashed

    def columns(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (golden records: a column per role) with its role columns shown, and
        their ``<role>_normalized`` keys (``phone_normalized``) shown as keys."""
        if not self.active:
            return frame
        out = frame.copy()
        for role in self.roles:
            if role in out.columns:
                out[role] = self._shown(role, out[role])
            if f"{role}_normalized" in out.columns:
                out[f"{role}_normalized"] = self._shown(role, out[f"{role}_normalized"], key=True)
        return out

    def rows(
        self,
        frame: pd.DataFrame,
        *,
        role: str = "role",
        values: Sequence[str] = ("value",),
        keys: Sequence[str] = (),
    ) -> pd.DataFrame:
        """``frame`` (lineage, conflicts: a row per role and value) with its ``values``
        columns (as entered) and ``keys`` columns (normalised) shown by the row's ``role``."""
        if not self.active or frame.empty:
            return frame
        out = frame.copy()
        for shown in self.roles:
            rows = (out[role] == shown).to_numpy()
            if not rows.any():
                continue
            for column, as_key in [(c, False) for c in values] + [(c, True) for c in keys]:
                if column in out.columns:
                    kept = out[column].astype(object).to_numpy(copy=True)
                    kept[rows] = self._shown(shown, pd.Series(kept[rows]), key=as_key)
                    out[column] = kept
        return out

    def _shown(self, role: str, values: pd.Series, *, key: bool = False) -> Any:
        show = self.key if key else self.value
        return map_distinct(values.astype(object), lambda value: show(role, value))


_PSEUDONYM = re.compile(r"[0-9a-f]{32}")
