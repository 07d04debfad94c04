"""Person leads written against an account list, with the account each belongs to as truth.

:func:`generate_account_leads` takes an account list made by
:func:`~leadlink.datasets.generate_accounts` and writes leads the way people fill in a web
form or a trade-show scanner: a person's name, the company as they call it, an email, a
phone and a city. The truth column ``account_id`` names the account record the lead was
written from (None for a lead from a company that is not in the list), and ``company_id``
the company, which is what a correct link must find when the list holds a company twice.

How a lead writes its company:

* **the company name** as people write it: the short name without the legal form (宏力电子,
  Novatek Logistics), without the city in front (北京华润医药有限公司 → 华润医药), in other
  case, in 繁体, with words abbreviated (International → Intl), and now and then the brand
  alone (宏力, Novatek) — which a group's other companies share;
* **branches and subsidiaries** keep what makes them a company of their own (华润医药上海分公司,
  Novatek Logistics Berlin Branch): their truth is the branch's own account, not the
  parent's — the hard negatives. Companies of a group are picked twice as often;
* **the email** at the company's domain (from its website or its mail) or at a free mailbox;
* **the phone**: the company's switchboard as the account gives it (full or the local
  number), sometimes with an extension, or the person's own mobile;
* **the city** as the account gives it, in Latin letters now and then, or left out.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.datasets._accounts import (
    _ABBREVIATIONS,
    _CITY_LATIN,
    _FORM_SPELLINGS,
    ACCOUNT_ZH_HEADERS,
    _companies,
    _record,
)
from leadlink.datasets._generate import (
    _FIRST,
    _FREE_CN,
    _FREE_INTL,
    _GIVEN,
    _LAST,
    _SURNAMES,
    _cn_mobile,
    _pinyin,
    _traditional,
    check_shares,
)

__all__ = ["generate_account_leads"]

_COLUMNS = ["lead_id", "name", "company", "email", "phone", "city", "account_id", "company_id"]
_HAN = re.compile(r"[\u4e00-\u9fff]")
_CN_FORMS = ("股份有限公司", "有限责任公司", "有限公司")
_CN_CITIES = tuple(_CITY_LATIN)
_CN_KINDS = ("集团", "科技", "医药", "物流", "贸易", "软件", "电子", "地产", "能源", "咨询", "传媒",
             "金融服务", "新材料")  # fmt: skip
_INTL_FORMS = tuple(sorted(_FORM_SPELLINGS, key=len, reverse=True))
_WEBSITE = re.compile(r"^(?:https?://)?(?:www\.)?([^/]+)", re.IGNORECASE)


def generate_account_leads(
    accounts: pd.DataFrame, n_leads: int, *, seed: int = 0, match_share: float = 0.7
) -> pd.DataFrame:
    """Generate ``n_leads`` person leads against ``accounts`` (see the module docstring).

    ``accounts`` is a list made by :func:`~leadlink.datasets.generate_accounts` (English or
    Chinese headers). About ``match_share`` of the leads come from its companies; the others
    from companies that are not in it (their brands appear in no account's name).

    Returns one row per lead, shuffled: ``lead_id`` (``L00001`` ...), ``name``, ``company``,
    ``email``, ``phone``, ``city`` and the truth columns ``account_id`` (the record the lead
    was written from, None when its company is not in the list) and ``company_id``.

    >>> from leadlink.datasets import generate_accounts
    >>> accounts = generate_accounts(30, seed=1, dup_rate=0)
    >>> leads = generate_account_leads(accounts, 40, seed=1)
    >>> len(leads), bool(leads["account_id"].isna().any())
    (40, True)
    """
    if n_leads < 1:
        raise ValueError(say("n_leads must be at least 1", "n_leads 须不小于 1"))
    check_shares(match_share=match_share)
    table = accounts.rename(columns={zh: en for en, zh in ACCOUNT_ZH_HEADERS.items()})
    missing = sorted({"account_id", "company", "company_id"} - set(table.columns))
    if missing:
        raise ValueError(
            say(
                f"accounts lack {missing}; pass a list made by generate_accounts()",
                f"accounts 缺少 {missing}；请传入 generate_accounts() 生成的客户表",
            )
        )
    rng = np.random.default_rng(seed)
    records = table.astype(object).where(table.notna(), None).to_dict("records")
    n_matched = int(rng.binomial(n_leads, match_share))
    leads = [_lead(rng, record, i) for i, record in enumerate(_picked(rng, records, n_matched))]
    for record in _outsiders(rng, table, n_leads - n_matched):
        leads.append(_lead(rng, {**record, "account_id": None, "company_id": None}, len(leads)))
    order = rng.permutation(len(leads))
    frame = pd.DataFrame([leads[i] for i in order])
    frame["lead_id"] = [f"L{i + 1:05d}" for i in range(len(frame))]
    return frame[_COLUMNS]


def _picked(
    rng: np.random.Generator, records: list[dict[str, Any]], n: int
) -> list[dict[str, Any]]:
    """``n`` account records (with replacement: a company has many contacts), those whose
    domain another company shares (a group's members) twice as likely."""
    if n == 0 or not records:
        return []
    domains = pd.Series([_domain(r) for r in records])
    companies = pd.Series([r["company_id"] for r in records])
    shared = domains.map(pd.DataFrame({"d": domains, "c": companies}).groupby("d")["c"].nunique())
    weights = np.where(shared.fillna(1).to_numpy() > 1, 2.0, 1.0)
    chosen = rng.choice(len(records), size=n, p=weights / weights.sum())
    return [records[int(i)] for i in chosen]


def _outsiders(rng: np.random.Generator, table: pd.DataFrame, n: int) -> list[dict[str, Any]]:
    """Records of ``n`` companies whose brand is in no account name of ``table``."""
    if n == 0:
        return []
    names = " ".join(table["company"].dropna().astype(str)).lower()
    out: list[dict[str, Any]] = []
    for _round in range(20):
        candidates = _companies(rng, 2 * n, 0.5)
        for company in candidates:
            if company["brand"].lower() not in names and _pinyin(company["brand"]) not in names:
                out.append(_record(rng, company, 0.0, 0.1))
        if len(out) >= n:
            break
    return out[:n]


def _lead(rng: np.random.Generator, record: dict[str, Any], i: int) -> dict[str, Any]:
    chinese = bool(_HAN.search(str(record["company"])))
    if chinese:
        surname, given = str(rng.choice(_SURNAMES)), str(rng.choice(_GIVEN))
        name = surname + given
        mailbox = _pinyin(name)
        mobile = _cn_mobile(int(rng.integers(0, 10**9)))
    else:
        first, last = str(rng.choice(_FIRST)), str(rng.choice(_LAST))
        name = f"{first} {last}"
        mailbox = f"{first}.{last}" if rng.random() < 0.6 else f"{first[0]}{last}"
        mailbox = unicodedata.normalize("NFKD", mailbox).encode("ascii", "ignore").decode().lower()
        mobile = f"+1 650 {int(rng.integers(200, 999))} {int(rng.integers(0, 10000)):04d}"
    domain = _domain(record)
    if domain is not None and rng.random() < 0.6:
        email = f"{mailbox}@{domain}"
    else:
        free = _FREE_CN if chinese else _FREE_INTL
        email = (
            f"{mailbox}{int(rng.integers(1, 99)) if rng.random() < 0.5 else ''}@{rng.choice(free)}"
        )
    board = record.get("phone")
    if board and rng.random() < 0.4:
        phone = str(board) + (f" 转 {int(rng.integers(100, 9000))}" if rng.random() < 0.3 else "")
    else:
        phone = mobile
    city = record.get("city")
    if city and rng.random() < 0.15:
        city = _CITY_LATIN.get(str(city), city)
    lead = {
        "lead_id": i,
        "name": name,
        "company": _company_as_written(rng, str(record["company"]), chinese),
        "email": email,
        "phone": phone,
        "city": city if rng.random() >= 0.25 else None,
        "account_id": record["account_id"],
        "company_id": record["company_id"],
    }
    # A form keeps a company and one contact; the other fields can be left out.
    if rng.random() < 0.15:
        lead["email"] = None
    elif rng.random() < 0.1:
        lead["phone"] = None
    return lead


def _domain(record: dict[str, Any]) -> str | None:
    website, email = record.get("website"), record.get("email")
    if website:
        found = _WEBSITE.match(str(website).strip())
        if found:
            return found.group(1).lower()
    if email and "@" in str(email):
        return str(email).split("@", 1)[1].lower()
    return None


def _company_as_written(rng: np.random.Generator, name: str, chinese: bool) -> str:
    """The account's name the way a person types it into a form."""
    return _chinese_as_written(rng, name) if chinese else _latin_as_written(rng, name)


def _chinese_as_written(rng: np.random.Generator, name: str) -> str:
    # 北京华润医药有限公司上海分公司 -> stem 华润医药, tail 上海分公司
    branch = re.search(r"(.{2})分公司$", name)
    tail = branch.group(0) if branch else ""
    stem = name[: len(name) - len(tail)]
    stem = re.sub(r"[（(][^）)]*[）)]", "", stem)
    form = next((f for f in _CN_FORMS if stem.endswith(f)), "")
    stem = stem[: len(stem) - len(form)]
    city = next((c for c in _CN_CITIES if stem.startswith(c)), "")
    stem = stem[len(city) :].removeprefix("市")
    style = rng.random()
    if style < 0.35:
        written = f"{stem}{tail}"
    elif style < 0.55:
        written = f"{stem}{form}{tail}"
    elif style < 0.7:
        written = f"{city}{stem}{tail}"
    elif style < 0.85:
        written = _traditional(f"{stem}{form}{tail}" if rng.random() < 0.5 else f"{stem}{tail}")
    elif style < 0.93 or tail:
        written = name
    else:  # the brand alone, which the group's other companies share
        kind = next((k for k in _CN_KINDS if stem.endswith(k)), "")
        written = stem[: len(stem) - len(kind)] or stem
    return written


def _latin_as_written(rng: np.random.Generator, name: str) -> str:
    # Novatek Logistics LLC - Shanghai Branch -> stem Novatek Logistics, tail Shanghai Branch
    stem, _, tail = name.partition(" - ")
    form = next((f for f in _INTL_FORMS if stem.endswith(" " + f)), "")
    stem = stem[: len(stem) - len(form)].strip().rstrip(",")
    style = rng.random()
    if style < 0.35:
        written = stem
    elif style < 0.5:
        spelling = str(rng.choice(_FORM_SPELLINGS.get(form, ("",))))
        written = f"{stem} {spelling}".strip()
    elif style < 0.65:
        written = " ".join(_ABBREVIATIONS.get(w, w) for w in stem.split())
    elif style < 0.8:
        written = stem.lower() if rng.random() < 0.7 else stem.upper()
    elif style < 0.93 or tail:
        written = stem if not form else f"{stem} {form}"
    else:  # the brand alone, which the group's other companies share
        written = stem.split()[0]
    if tail:
        city = tail.removesuffix(" Branch")
        written += f" {tail}" if rng.random() < 0.6 else f" ({city} Branch)"
    return written
