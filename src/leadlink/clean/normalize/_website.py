"""Websites: a URL, a domain or a mail address -> the organisation's registrable domain.

The registrable domain is the label before the public suffix: ``https://www.acme.co.uk/
about`` and ``shop.acme.co.uk`` are both ``acme.co.uk``. Two-label suffixes (``co.uk``,
``com.cn``) come from a small table (``data/website_suffixes.txt``) rather than the whole
Public Suffix List, which would be downloaded at run time.

>>> domain("https://www.Acme.co.uk/about?x=1"), domain("shop.acme.com"), domain("阿里巴巴.中国")
('acme.co.uk', 'acme.com', '阿里巴巴.中国')
"""

from __future__ import annotations

import re
from typing import Any

from leadlink._data import words
from leadlink.clean.normalize._text import clean

__all__ = ["domain"]

#: Two-label public suffixes (co.uk, com.cn ...), data/website_suffixes.txt.
_SUFFIXES: frozenset[str] = words("leadlink.clean.normalize", "website_suffixes.txt")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")
_LABEL = re.compile(r"[a-z0-9\u00c0-\uffff](?:[a-z0-9\u00c0-\uffff\-]*[a-z0-9\u00c0-\uffff])?")


def domain(value: Any) -> str | None:
    """The registrable domain of a website, URL or mail address; None when it names no
    domain (one label, an IP address, spaces inside)."""
    text = clean(value)
    if text is None:
        return None
    text = text.casefold().replace("。", ".")
    text = text.rsplit("@", 1)[-1]  # a mail address, or user@ in a URL
    text = _SCHEME.sub("", text)
    text = re.split(r"[/?#:\\]", text, maxsplit=1)[0].strip(". ")
    labels = text.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if all(label.isdigit() for label in labels):
        return None  # an IP address
    while labels and re.fullmatch(r"www\d*", labels[0]) and len(labels) > 2:
        labels = labels[1:]
    size = 3 if ".".join(labels[-2:]) in _SUFFIXES and len(labels) >= 3 else 2
    if ".".join(labels[-2:]) in _SUFFIXES and len(labels) < 3:
        return None  # only a suffix: co.uk
    return ".".join(labels[-size:])
