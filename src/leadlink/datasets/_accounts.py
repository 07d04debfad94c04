"""Synthetic account (organisation) lists with ground truth, hard in the ways real CRM account
tables are hard.

An account list has one row per account record: ``account_id``, ``company``, ``address``,
``city``, ``postcode``, ``phone``, ``website``, ``email`` and the truth column
``company_id``. The unit is the organisation, not a person.

How the list is made:

* **Groups.** Companies come in groups under one brand, Chinese (``1 - intl_share``) or
  international. Most groups are one company; some are a **parent with many subsidiaries**
  named after it (华润集团有限公司, 华润医药有限公司, 华润物流有限公司; Novatek Holdings
  Inc., Novatek Logistics LLC), and some companies have **branches** (华润医药有限公司北京
  分公司, Novatek Logistics LLC - Shanghai Branch). Subsidiaries and branches are different
  accounts that look alike: they are the hard negatives. They often share the group's
  website and sometimes its building (another suite or 室), so a domain or a street alone does
  not tell them apart.
* **Legal forms** in several languages: 有限公司 / 股份有限公司 / 有限责任公司; Inc. / LLC /
  Corp.; Ltd. / Limited / PLC; GmbH / AG; S.A. / SAS; N.V. / B.V.; Co., Ltd.
* **Addresses.** Chinese: 省 + 市 + 区 + road (路 / 街 / 大道) + 号 + building + 室.
  International: number + street + St. / Street / Rd. / Ave. + Suite (German and Dutch
  ones: street + number). Six-digit Chinese postcodes and national ones elsewhere.
* **Phones.** Each company has a switchboard. A record gives it in full (``010-8888 6666``,
  ``+1 (415) 555-0123``), or as the **local number without area code** (``8888 6666``,
  ``555-0123``), the way a desk phone is written inside one city, or not at all.

Each company has ``1 + k`` records (``k`` geometric, at most ``max_dups``; ``dup_rate`` of
companies have duplicates). Every record after the first is corrupted independently, each
corruption with a probability proportional to ``corruption``:

* company names: legal form dropped, changed or spelt out (Inc. / Incorporated, Ltd. /
  Limited, 有限公司 / 股份有限公司), region moved into brackets or dropped, the short name,
  繁体, upper case, **shuffled word order** (Logistics Novatek, Novatek, Logistics), words
  **abbreviated** (International → Intl, Technology → Tech, and → &);
* addresses: province or city prefix dropped, 市 / 区 left off, room or suite dropped or
  written another way (Suite 200 / Ste 200 / #200), street types abbreviated or spelt out
  (Street / St., Road / Rd., Straße / Str.), full-width digits, case;
* phones: full or local, other separators, country prefix;
* websites: ``www.``, ``http(s)://``, a trailing path, or the bare domain;
* missing values: the postcode on about half of the records, the email on most, other fields
  at ``missing_rate``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.datasets._generate import (
    _BRAND_CHARS,
    _BRAND_SYLLABLES,
    _pinyin,
    _traditional,
    check_headers,
    check_shares,
)

__all__ = ["ACCOUNT_ZH_HEADERS", "generate_accounts"]

#: Chinese headers of an account list (``headers="zh"``); the truth column keeps its name.
ACCOUNT_ZH_HEADERS = {
    "account_id": "客户ID",
    "company": "公司名称",
    "address": "地址",
    "city": "城市",
    "postcode": "邮编",
    "phone": "电话",
    "website": "网站",
    "email": "邮箱",
}
_COLUMNS = ["account_id", "company", "address", "city", "postcode", "phone", "website", "email",
            "company_id"]  # fmt: skip

# city, province ("" for a municipality), area code, districts, postcode prefix
_CN_CITIES = (
    ("北京", "", "010", ("朝阳", "海淀", "东城", "西城", "丰台"), "100"),
    ("上海", "", "021", ("浦东新", "徐汇", "静安", "黄浦", "长宁"), "200"),
    ("广州", "广东", "020", ("天河", "越秀", "海珠", "番禺"), "510"),
    ("深圳", "广东", "0755", ("南山", "福田", "罗湖", "宝安"), "518"),
    ("杭州", "浙江", "0571", ("西湖", "滨江", "余杭", "拱墅"), "310"),
    ("南京", "江苏", "025", ("鼓楼", "玄武", "建邺", "江宁"), "210"),
    ("成都", "四川", "028", ("武侯", "锦江", "青羊", "高新"), "610"),
    ("武汉", "湖北", "027", ("江汉", "洪山", "武昌", "汉阳"), "430"),
)
_CN_ROADS = (
    "建国 中山 人民 解放 长安 科技 学院 东方 复兴 和平 光华 新华 滨江 世纪 金融 创业".split()
)
_CN_ROAD_TYPES = ("路", "路", "街", "大道")
_CN_BUILDINGS = ("大厦", "中心", "广场", "科技园", "写字楼")
_CN_INDUSTRIES = ("科技", "医药", "物流", "贸易", "软件", "电子", "地产", "能源", "咨询", "传媒",
                  "金融服务", "新材料")  # fmt: skip
_CN_FORMS = ("有限公司", "有限公司", "股份有限公司", "有限责任公司")
_CITY_LATIN = {"北京": "Beijing", "上海": "Shanghai", "广州": "Guangzhou", "深圳": "Shenzhen",
               "杭州": "Hangzhou", "南京": "Nanjing", "成都": "Chengdu", "武汉": "Wuhan"}  # fmt: skip
# city, country code, area code, local digits, legal forms, postcode style, street style
_INTL_CITIES = (
    ("San Francisco", "1", "415", 7, ("Inc.", "LLC", "Corp."), "941##", "en"),
    ("New York", "1", "212", 7, ("Inc.", "LLC", "Corporation"), "100##", "en"),
    ("Chicago", "1", "312", 7, ("Inc.", "LLC", "Co."), "606##", "en"),
    ("London", "44", "20", 8, ("Ltd.", "Limited", "PLC"), "EC#A #@@", "en"),
    ("Berlin", "49", "30", 8, ("GmbH", "AG"), "10###", "de"),
    ("Amsterdam", "31", "20", 7, ("N.V.", "B.V."), "10## @@", "nl"),
    ("Paris", "33", "1", 8, ("S.A.", "SAS"), "750##", "en"),
    ("Hong Kong", "852", "", 8, ("Co., Ltd.", "Limited"), "", "en"),
)
_INTL_KINDS = ("Logistics", "Software", "Trading", "Health", "Energy", "Analytics", "Systems",
               "Capital", "Foods", "Technology", "International", "Engineering", "Media",
               "Consulting Services", "Medical Devices")  # fmt: skip
_INTL_PARENT = ("Holdings", "Group", "Group Holdings")
_STREETS = ("Market", "Main", "Oak", "Mission", "King", "Park", "Church", "Mill", "Harbour",
            "Station", "High", "Bridge", "Lake", "Queen", "Victoria")  # fmt: skip
_STREET_TYPES = {"Street": "St.", "Road": "Rd.", "Avenue": "Ave.", "Boulevard": "Blvd."}
_DE_STREETS = ("Friedrich", "Haupt", "Berliner", "Garten", "Linden", "Schiller")
_NL_STREETS = ("Keizersgracht", "Herengracht", "Damrak", "Prinsengracht", "Rokin")
_ABBREVIATIONS = {"International": "Intl", "Technology": "Tech", "Engineering": "Eng.",
                  "Services": "Svcs", "Consulting": "Consult.", "Systems": "Sys.",
                  "Medical": "Med.", "Holdings": "Hldgs", "Corporation": "Corp.",
                  "Company": "Co."}  # fmt: skip
_FORM_SPELLINGS = {"Inc.": ("Inc", "Incorporated", ""), "LLC": ("L.L.C.", ""),
                   "Corp.": ("Corporation", "Corp", ""), "Corporation": ("Corp.", ""),
                   "Co.": ("Company", ""), "Ltd.": ("Limited", "Ltd", ""),
                   "Limited": ("Ltd.", ""), "PLC": ("plc", ""), "GmbH": ("", "G.m.b.H."),
                   "AG": ("",), "N.V.": ("NV", ""), "B.V.": ("BV", ""), "S.A.": ("SA", ""),
                   "SAS": ("S.A.S.", ""), "Co., Ltd.": ("Company Limited", "Ltd.", "")}  # fmt: skip
_MAILBOXES = ("info", "sales", "contact", "office", "hello")
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def generate_accounts(
    n_companies: int = 500,
    *,
    seed: int = 0,
    dup_rate: float = 0.5,
    corruption: float = 0.3,
    headers: str = "en",
    max_dups: int = 5,
    intl_share: float = 0.5,
    missing_rate: float = 0.1,
) -> pd.DataFrame:
    """Generate an account list of ``n_companies`` companies (see the module docstring).

    Returns one row per account record, shuffled: ``account_id``, ``company``, ``address``,
    ``city``, ``postcode``, ``phone``, ``website``, ``email`` and the truth column
    ``company_id`` (records of one company share it; a subsidiary or a branch is a company of
    its own). ``headers="zh"`` gives Chinese headers (the truth column keeps its name).

    >>> accounts = generate_accounts(50, seed=1)
    >>> accounts["company_id"].nunique()
    50
    """
    if n_companies < 1:
        raise ValueError(say("n_companies must be at least 1", "n_companies 须不小于 1"))
    check_shares(corruption=corruption, dup_rate=dup_rate, intl_share=intl_share,
                 missing_rate=missing_rate)  # fmt: skip
    check_headers(headers)
    rng = np.random.default_rng(seed)
    companies = _companies(rng, n_companies, intl_share)
    rows: list[dict[str, Any]] = []
    for company in companies:
        n_extra = min(max_dups, int(rng.geometric(0.5))) if rng.random() < dup_rate else 0
        for copy in range(1 + n_extra):
            rows.append(_record(rng, company, corruption if copy else 0.0, missing_rate))
    order = rng.permutation(len(rows))
    frame = pd.DataFrame([rows[i] for i in order])
    frame.insert(0, "account_id", [f"A{i + 1:07d}" for i in range(len(frame))])
    frame = frame[_COLUMNS]
    if headers == "zh":
        frame = frame.rename(columns=ACCOUNT_ZH_HEADERS)
    return frame


def _companies(rng: np.random.Generator, n: int, intl_share: float) -> list[dict[str, Any]]:
    """``n`` companies in groups: a parent, its subsidiaries, and branches."""
    companies: list[dict[str, Any]] = []
    brands: set[str] = set()
    while len(companies) < n:
        size = 1 if rng.random() < 0.6 else 1 + min(24, int(rng.zipf(1.6)))
        size = min(size, n - len(companies))
        chinese = rng.random() >= intl_share
        brand = _brand(rng, chinese, brands)
        group = _group(rng, brand, size, chinese)
        for company in group:
            company["company_id"] = f"C{len(companies) + 1:06d}"
            companies.append(company)
    return companies


def _brand(rng: np.random.Generator, chinese: bool, used: set[str]) -> str:
    for attempt in range(1000):
        if chinese:
            brand = "".join(rng.choice(_BRAND_CHARS, size=int(rng.integers(2, 4))))
        else:
            brand = "".join(rng.choice(_BRAND_SYLLABLES, size=int(rng.integers(2, 4)))).title()
        if attempt > 50:  # the space of short brands runs out on very large lists
            brand += str(int(rng.integers(2, 1000)))
        if brand not in used:
            used.add(brand)
            return brand
    raise RuntimeError(say("no unused brand found", "找不到未用过的品牌名"))  # pragma: no cover


def _group(rng: np.random.Generator, brand: str, size: int, chinese: bool) -> list[dict[str, Any]]:
    """A parent and ``size - 1`` subsidiaries and branches, all named after ``brand``."""
    home = _location(rng, chinese)
    if chinese:
        domain = f"{_pinyin(brand)}{'.com.cn' if rng.random() < 0.4 else '.com'}"
    else:
        domain = f"{brand.lower()}{'.co.uk' if home['cc'] == '44' else '.com'}"
    if size == 1:
        kind = str(rng.choice(_CN_INDUSTRIES if chinese else _INTL_KINDS))
    else:
        kind = "集团" if chinese else str(rng.choice(_INTL_PARENT))
    parent = _company(rng, brand, kind, chinese, home, domain, branch_of=None)
    group = [parent]
    kinds = list(rng.permutation(_CN_INDUSTRIES if chinese else _INTL_KINDS))
    while len(group) < size:
        if rng.random() < 0.3:  # a branch of a company of the group, in another city
            base = group[int(rng.integers(0, len(group)))]
            place = _location(rng, chinese)
            taken = {m["city"] for m in group if m["branch_of"] is base} | {base["city"]}
            if place["city"] in taken or base["branch_of"] is not None:
                continue
            group.append(
                _company(rng, brand, base["kind"], chinese, place, base["domain"], branch_of=base)
            )
            continue
        if kinds:
            kind = str(kinds.pop())
        else:  # more subsidiaries than lines of business: two lines in one name
            pool = _CN_INDUSTRIES if chinese else _INTL_KINDS
            first, second = (str(k) for k in rng.choice(pool, size=2, replace=False))
            kind = f"{first}{second}" if chinese else f"{first} {second}"
            if any(member["kind"] == kind for member in group):
                continue
        same_building = rng.random() < 0.3
        place = _location(rng, chinese)
        if same_building:  # another suite of the group's building, its own switchboard
            number = _switchboard(rng, home["cc"], home["area"], len(home["local"]))
            place = dict(home, unit=_unit(rng, chinese), local=number)
        # Half of the subsidiaries live under the group's website, half have their own.
        own = (
            f"{_pinyin(brand) if chinese else brand.lower()}"
            f"{_pinyin(kind) if chinese else kind.split()[0].lower()}.com"
            if rng.random() < 0.5
            else domain
        )
        group.append(_company(rng, brand, kind, chinese, place, own, branch_of=None))
    return group


def _location(rng: np.random.Generator, chinese: bool) -> dict[str, Any]:
    """A city, street address parts, a postcode and a switchboard number."""
    from leadlink.datasets._generate import _valid_national

    if chinese:
        city, province, area, districts, prefix = _CN_CITIES[int(rng.integers(len(_CN_CITIES)))]
        national = _valid_national(rng, "86", area[1:], len(area) - 1 + 8)
        return {
            "cn": True, "city": city, "province": province, "cc": "86", "area": area,
            "local": national[len(area) - 1 :],
            "district": str(rng.choice(districts)),
            "street": str(rng.choice(_CN_ROADS)) + str(rng.choice(_CN_ROAD_TYPES)),
            "number": str(int(rng.integers(1, 999))),
            "building": str(rng.choice(_CN_ROADS[:8])) + str(rng.choice(_CN_BUILDINGS)),
            "unit": _unit(rng, True),
            "postcode": prefix + f"{int(rng.integers(0, 1000)):03d}",
        }  # fmt: skip
    city, cc, area, local_digits, forms, postcode, style = _INTL_CITIES[
        int(rng.integers(len(_INTL_CITIES)))
    ]
    national = _valid_national(rng, cc, area, len(area) + local_digits)
    if style == "de":
        street = str(rng.choice(_DE_STREETS)) + "straße"
    elif style == "nl":
        street = str(rng.choice(_NL_STREETS))
    else:
        street = f"{rng.choice(_STREETS)} {rng.choice(list(_STREET_TYPES))}"
    code = "".join(
        str(int(rng.integers(10))) if c == "#" else chr(65 + int(rng.integers(26))) if c == "@"
        else c for c in postcode
    )  # fmt: skip
    return {
        "cn": False, "city": city, "province": "", "cc": cc, "area": area,
        "local": national[len(area) :], "forms": forms, "style": style, "street": street,
        "number": str(int(rng.integers(1, 2000))), "building": "", "unit": _unit(rng, False),
        "postcode": code, "district": "",
    }  # fmt: skip


def _switchboard(rng: np.random.Generator, cc: str, area: str, digits: int) -> str:
    """A local number of ``digits`` digits in ``area`` that is a valid number there."""
    from leadlink.datasets._generate import _valid_national

    trunk = area[1:] if cc == "86" else area
    for _attempt in range(20):
        national = _valid_national(rng, cc, trunk, len(trunk) + digits)
        if len(national) == len(trunk) + digits:
            return national[len(trunk) :]
    raise RuntimeError(
        say("no valid local number found", "找不到有效的本地号码")
    )  # pragma: no cover


def _unit(rng: np.random.Generator, chinese: bool) -> str:
    floor = int(rng.integers(1, 40))
    return (
        f"{floor}{int(rng.integers(1, 30)):02d}"
        if chinese
        else f"{floor}{int(rng.integers(0, 10))}0"
    )


def _company(
    rng: np.random.Generator,
    brand: str,
    kind: str,
    chinese: bool,
    place: dict[str, Any],
    domain: str,
    branch_of: dict[str, Any] | None,
) -> dict[str, Any]:
    if branch_of is not None:
        form, base_name = branch_of["form"], branch_of["name"]
        name = (
            f"{base_name}{place['city']}分公司"
            if chinese
            else f"{base_name} - {_CITY_LATIN.get(place['city'], place['city'])} Branch"
        )
        city = _CITY_LATIN.get(place["city"], place["city"])
        words = [*branch_of["words"], place["city"] if chinese else f"{city} Branch"]
    elif chinese:
        form = str(rng.choice(_CN_FORMS))
        name = f"{place['city']}{brand}{kind}{form}"
        words = [brand, kind]
    else:
        form = str(rng.choice(place["forms"]))
        name = f"{brand} {kind} {form}"
        words = [brand, *kind.split()]
    return {"brand": brand, "kind": kind, "form": form, "name": name, "words": words,
            "cn": chinese, "place": place, "city": place["city"], "domain": domain,
            "branch_of": branch_of}  # fmt: skip


def _record(
    rng: np.random.Generator, company: dict[str, Any], corruption: float, missing_rate: float
) -> dict[str, Any]:
    place = company["place"]

    def present(rate: float = missing_rate) -> bool:
        return bool(rng.random() >= rate)

    return {
        "company": _name_variant(rng, company, corruption),
        "address": _address_variant(rng, place, corruption) if present() else None,
        "city": _city_variant(rng, place["city"], corruption)
        if present(2 * missing_rate)
        else None,
        "postcode": place["postcode"] or None if present(0.5) else None,
        "phone": _phone_variant(rng, place) if present() else None,
        "website": _website_variant(rng, company["domain"], corruption)
        if present(missing_rate * 2)
        else None,
        "email": f"{rng.choice(_MAILBOXES)}@{company['domain']}" if present(0.9) else None,
        "company_id": company["company_id"],
    }


def _city_variant(rng: np.random.Generator, city: str, corruption: float) -> str:
    return _CITY_LATIN.get(city, city) if rng.random() < corruption / 3 else city


def _name_variant(rng: np.random.Generator, company: dict[str, Any], corruption: float) -> str:
    name = company["name"]
    if rng.random() >= corruption:
        return name
    brand, kind, form, city = company["brand"], company["kind"], company["form"], company["city"]
    branch = company["branch_of"]
    if company["cn"]:
        home = branch["city"] if branch is not None else city
        stem = f"{brand}{branch['kind'] if branch is not None else kind}"
        tail = f"{city}分公司" if branch is not None else ""
        style = int(rng.integers(0, 7))
        return (
            f"{stem}({home}){form}{tail}", f"{stem}（{home}）{form}{tail}", f"{stem}{tail}",
            f"{home}市{stem}{form}{tail}", _traditional(name),
            f"{home}{stem}{'股份有限公司' if form != '股份有限公司' else '有限公司'}{tail}",
            f"{stem}{form}{tail}",
        )[style]  # fmt: skip
    words = list(company["words"])
    style = int(rng.integers(0, 5))
    if style == 0:  # the legal form spelt another way, or left off
        spelling = str(rng.choice(_FORM_SPELLINGS.get(form, ("",))))
        stem = name[: len(name) - len(form)].strip() if name.endswith(form) else name
        if branch is not None:
            stem = name.replace(f" {form}", "")
        return f"{stem} {spelling}".strip()
    if style == 1:  # shuffled word order
        shuffled = [str(w) for w in rng.permutation(words)]
        if shuffled == words:
            shuffled = words[1:] + words[:1]
        return " ".join(shuffled) + (f", {form}" if rng.random() < 0.5 else "")
    if style == 2:  # abbreviations
        short = " ".join(_ABBREVIATIONS.get(w, w) for w in name.split())
        # Nothing to abbreviate: the punctuation goes instead (Co., Ltd. -> Co Ltd).
        return short if short != name else re.sub(r"[.,]", "", name)
    if style == 3:
        return name.upper() if rng.random() < 0.5 else name.lower()
    return f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else f"The {name}"


def _address_variant(rng: np.random.Generator, place: dict[str, Any], corruption: float) -> str:
    def chance(p: float) -> bool:
        return bool(rng.random() < p * corruption)

    number, unit = place["number"], place["unit"]
    if place["cn"]:
        province = f"{place['province']}省" if place["province"] else ""
        city = place["city"] + ("" if chance(0.3) else "市")
        district = place["district"] + ("" if chance(0.3) else "区")
        head = "" if chance(0.3) else province + city
        room = "" if chance(0.3) else (f"{unit}室" if not chance(0.5) else f"{unit}")
        building = "" if chance(0.3) else place["building"]
        text = f"{head}{district}{place['street']}{number}号{building}{room}"
        return text.translate(_FULL_WIDTH) if chance(0.2) else text
    street = place["street"]
    for full, short in _STREET_TYPES.items():
        if street.endswith(full) and not chance(0.5):
            street = street.replace(full, short)
    if place["style"] == "de" and chance(0.5):
        street = street.replace("straße", "str.")
    suite = ("" if chance(0.3) else
             str(rng.choice([f"Suite {unit}", f"Ste {unit}", f"#{unit}", f"Unit {unit}"]))
             if chance(1.0) else f"Suite {unit}")  # fmt: skip
    text = f"{street} {number}" if place["style"] in ("de", "nl") else f"{number} {street}"
    text = f"{text}, {suite}" if suite else text
    return text.upper() if chance(0.2) else text


def _phone_variant(rng: np.random.Generator, place: dict[str, Any]) -> str:
    local, area, cc = place["local"], place["area"], place["cc"]
    half = len(local) // 2 if len(local) == 8 else 3
    spaced = f"{local[:half]}-{local[half:]}" if rng.random() < 0.5 else local
    if area and rng.random() < 0.4:  # the local number, as written inside the city
        return spaced
    if cc == "86":
        return str(
            rng.choice([f"{area}-{local}", f"({area}){spaced}", f"+86 {area[1:]} {spaced}",
                        f"{area} {spaced}"])
        )  # fmt: skip
    if cc == "1":
        return str(rng.choice([f"({area}) {local[:3]}-{local[3:]}", f"+1 {area} {spaced}",
                               f"{area}-{local[:3]}-{local[3:]}"]))  # fmt: skip
    return str(rng.choice([f"+{cc} {area} {spaced}".replace("  ", " "), f"0{area} {spaced}"
                           if area else spaced]))  # fmt: skip


def _website_variant(rng: np.random.Generator, domain: str, corruption: float) -> str:
    if rng.random() >= corruption:
        return f"www.{domain}"
    return str(rng.choice([domain, f"http://www.{domain}", f"https://{domain}/",
                           f"https://www.{domain}/about", f"WWW.{domain.upper()}"]))  # fmt: skip
