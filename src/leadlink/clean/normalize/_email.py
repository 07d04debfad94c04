"""Email addresses: canonical mailbox, provider rules, syntax, role and disposable flags.

>>> normalize(" Zhang.Wei+crm@GoogleMail.com. ")
'zhangwei@gmail.com'
>>> is_role("sales@acme.com"), is_disposable("x@mailinator.com")
(True, True)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from leadlink._data import mapping, words
from leadlink.clean.normalize._text import clean

__all__ = ["domain", "is_disposable", "is_free_domain", "is_free_provider", "is_role", "is_role_name",
           "is_valid", "normalize", "parts", "username"]  # fmt: skip

_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
# Two or more labels of letters, digits and inner hyphens; the last (the top-level
# domain) letters only, at least two.
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")

_DATA = "leadlink.clean.normalize"  # the package whose data/ folder holds the tables
# Providers with more than one spelling of a mailbox (data/email_provider_rules.tsv):
# gmail ignores dots and drops +tags; the others deliver user+tag@ to user@.
_RULES = mapping(_DATA, "email_provider_rules.tsv")
_GMAIL = frozenset(host for host, rule in _RULES.items() if rule == "gmail")
_PLUS_TAGS = frozenset(host for host, rule in _RULES.items() if rule == "plus_tag")
ROLE_ACCOUNTS = words(_DATA, "email_role_accounts.txt")
DISPOSABLE_DOMAINS = words(_DATA, "email_disposable_domains.txt")
FREE_PROVIDERS = words(_DATA, "email_free_providers.txt")


_ANGLE = re.compile(r"<([^<>]*@[^<>]*)>")
#: Any role mailbox name, for a quick "none of them" before parsing.
_ROLE_WORD = re.compile("|".join(re.escape(word) for word in sorted(ROLE_ACCOUNTS)))
_FULL_STOPS = str.maketrans({"。": ".", "．": ".", "｡": "."})


def normalize(value: Any) -> str | None:
    """The canonical mailbox, or None when the address is not syntactically valid.

    Lower case, spaces and a "mailto:" removed, "Name <addr>" reduced to the address,
    ideographic full stops (qq。com) read as dots; gmail dots and +tags dropped, +tags dropped
    for the providers that deliver them to the plain mailbox (not yahoo, whose "-" aliases
    are separate disposable addresses).
    """
    found = parts(value)
    return None if found is None else f"{found[0]}@{found[1]}"


def parts(value: Any) -> tuple[str, str] | None:
    """(mailbox name, domain) of the canonical mailbox (see :func:`normalize`), or None.

    >>> parts("Zhang.Wei+crm@GoogleMail.com")
    ('zhangwei', 'gmail.com')
    """
    text = clean(value)
    if text is None:
        return None
    angle = _ANGLE.search(text)
    if angle:
        text = angle.group(1)
    text = text.lower()
    if not text.isascii():  # (the full stops are not ASCII)
        text = text.translate(_FULL_STOPS)
    text = text.replace(" ", "")
    if text.startswith("mailto:"):
        text = text[7:].split("?", 1)[0]
    text = text.strip(".<>\"'")
    if text.count("@") != 1:
        return None
    local, host = text.split("@")
    host = host.strip(".")
    if host in _GMAIL:
        local = local.split("+", 1)[0].replace(".", "")
        host = "gmail.com"
    elif host in _PLUS_TAGS:
        local = local.split("+", 1)[0]
    if not local or len(local) > 64 or not _LOCAL.match(local):
        return None
    if not _HOST.fullmatch(host):
        return None
    return local, host


def is_valid(value: Any) -> bool:
    return parts(value) is not None


def username(value: Any) -> str | None:
    found = parts(value)
    return None if found is None else found[0]


def domain(value: Any) -> str | None:
    found = parts(value)
    return None if found is None else found[1]


def is_role(value: Any) -> bool:
    """A shared role mailbox (info@, sales@, sales2@ ...), not a person's."""
    # The canonical mailbox name of printable ASCII is a piece of the lower-case text once
    # spaces (and, for gmail, dots) are dropped; no role name holds a dot. Text holding no
    # role name is answered without parsing (most mailboxes).
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isprintable()
        and _ROLE_WORD.search(value.lower().replace(" ", "").replace(".", "")) is None
    ):
        return False
    user = username(value)
    return user is not None and is_role_name(user)


def is_role_name(user: str) -> bool:
    """Like :func:`is_role` for the mailbox name of a canonical address (no parsing).

    >>> is_role_name("sales2"), is_role_name("zhangwei")
    (True, False)
    """
    return user in ROLE_ACCOUNTS or user.rstrip("0123456789") in ROLE_ACCOUNTS


def _in_domains(host: str | None, domains: frozenset[str]) -> bool:
    """The host or one of its parent domains is listed (x.mailinator.com, vip.163.com)."""
    if host is None:
        return False
    labels = host.split(".")
    return any(".".join(labels[i:]) in domains for i in range(len(labels) - 1))


def is_disposable(value: Any) -> bool:
    """A throw-away mailbox domain (mailinator, yopmail, 10minutemail ...)."""
    return _in_domains(domain(value), DISPOSABLE_DOMAINS)


def is_free_provider(value: Any) -> bool:
    """A free mailbox provider (gmail, qq.com, 163.com, outlook ...), not a company domain."""
    return is_free_domain(domain(value))


@lru_cache(maxsize=100_000)
def is_free_domain(host: str | None) -> bool:
    """Like :func:`is_free_provider` for a domain that is already canonical (no parsing;
    cached, as mailboxes share few domains)."""
    return _in_domains(host, FREE_PROVIDERS)
