"""Synthetic CRM leads with ground truth, hard in the ways real lead tables are hard.

People are Chinese (``1 - intl_share``) or international. Each works at a company drawn
from a Zipf-like pool, so a few big customers hold many people; every company has a
**switchboard** that its people give, with or without an extension, so one number is shared
by colleagues who are different people. Names follow realistic frequencies, so **common
names** (张伟, 王芳, John Smith) are shared by different people, some at the same company.

Each person has ``1 + k`` leads (``k`` geometric, at most ``max_dups``; ``dup_rate`` of
people have duplicates). Every lead after the first is corrupted independently, each
corruption with a probability proportional to ``corruption``:

* phones: spaces, dashes, +86 / 0086 / 86 prefixes, brackets, full-width digits; switching
  between the personal mobile and the switchboard (with 转 / 分机 / ext. / x extensions);
  a one-digit typo;
* names: 繁体, pinyin in several orders and cases ("Zhang Wei", "ZHANG Wei", "Wei Zhang",
  "Zhang, Wei"), honorific forms (张总, 王经理, 李女士), spaces inside (张 伟), homophone
  characters (张伟 → 张玮); Western "Last, First", nicknames (Robert → Bob), case;
* emails: case, gmail dots and +tags, a typo, switching personal ↔ work address;
* companies: legal form, region in front or in (full-width) brackets, short names, 繁体,
  "Inc" / "Incorporated" / no suffix;
* cities: 北京 / 北京市 / Beijing, or missing;
* job titles: other wording or language (销售经理 / Sales Manager / 销售部经理, CEO /
  首席执行官), a region or business line added (华东区销售经理, Sales Manager APAC), a
  promotion or another job (工程师 → 高级工程师), or missing on about 40 % of
  leads (web forms often do not ask); colleagues share the common titles (销售经理,
  工程师, Manager), so a title tells namesakes at one company apart only sometimes;
* missing fields at ``missing_rate`` (more for email, company and city than for phone).

Ghost leads (``ghost_rate`` of all leads, ``is_ghost`` True, each its own ``person_id``) mix
placeholder names (测试, test, asdf), placeholder phones (13800138000, 12345678901),
placeholder emails (test@test.com) and junk companies in varying combinations.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say

__all__ = ["ZH_HEADERS", "check_headers", "check_shares", "generate_leads"]

ZH_HEADERS = {
    "lead_id": "线索ID",
    "name": "姓名",
    "phone": "手机",
    "email": "邮箱",
    "company": "公司名称",
    "city": "城市",
    "title": "职位",
    "source": "来源",
    "created_at": "创建时间",
}

_SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 欧阳 司马".split()
_GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 华 玉兰 萍 红 鹏 辉 建华 建国 建军 丹 玲 飞 斌 宇 浩 凯 婷 雪 琳 晨 欣 宁 颖 倩 俊 帅 波 鑫 慧 阳 健 志强 晓明 海燕 春梅 立新 文 博 子涵 梓萱 一诺 浩然 宇轩 欣怡 雨桐 思远 嘉怡 俊杰 家豪 佳琪 志明 国强 丽娟 小红 晓东 永刚".split()
_GIVEN_CHARS = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 英 霞 平 刚 华 兰 萍 红 鹏 辉 建 国 丹 玲 飞 斌 宇 浩 凯 婷 雪 琳 晨 欣 宁 颖 倩 俊 帅 波 鑫 慧 阳 健 志 晓 海 燕 春 梅 立 新 文 博 子 涵 梓 萱 诺 然 轩 怡 雨 桐 思 远 嘉 家 豪 佳 琪 永 东 成 德 福 贵 荣 生 祥 云 峰 龙 亮 彬 婉 瑶 璐 嫣 莹 晶 琦 薇 蕾 秀 月 泽 睿 铭 航 奕 哲 毅 澜 岚 清 涵 桦 森 楠 柏 松 乐 安 悦".split()
_HOMOPHONES = {"伟": "玮", "芳": "方", "娜": "那", "静": "晶", "敏": "民", "丽": "莉", "强": "蔷",
               "磊": "蕾", "军": "君", "杰": "洁", "涛": "韬", "明": "铭", "华": "桦", "平": "萍",
               "婷": "亭", "琳": "林", "欣": "馨", "俊": "骏", "浩": "昊", "宇": "雨"}  # fmt: skip
_TITLES_HAN = ("总", "经理", "先生", "女士", "老师", "总监")
_FIRST = "James John Robert Michael William David Richard Joseph Thomas Charles Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Daniel Matthew Anthony Steven Andrew Emma Olivia Sophie Lukas Hannah Jonas Wei Ming Kevin Jason Grace Chloe Ethan Ryan".split()
_LAST = "Smith Johnson Williams Brown Jones Miller Davis Garcia Wilson Taylor Anderson Thomas Moore Martin Lee Tan Lim Ng Wong Chan Müller Schmidt Schneider Fischer Weber Dubois Martin Rossi Bianchi Kumar Singh Nguyen Kim Park Cohen Walker Hall Young King".split()
_NICK = {"Robert": "Bob", "William": "Bill", "Michael": "Mike", "Richard": "Rick", "James": "Jim",
         "Joseph": "Joe", "Thomas": "Tom", "Charles": "Charlie", "Elizabeth": "Liz",
         "Daniel": "Dan", "Matthew": "Matt", "Anthony": "Tony", "Steven": "Steve",
         "Andrew": "Andy", "Jennifer": "Jenny", "Patricia": "Pat", "Jessica": "Jess",
         "Barbara": "Barb", "Susan": "Sue"}  # fmt: skip
_BRAND_CHARS = "华 泰 兴 达 信 宏 恒 瑞 博 创 新 源 盛 辉 鼎 联 合 安 远 智 云 天 科 睿 金 银 宝 龙 凤 中 海 嘉 和 顺 德 正 诚 立 开 启 思 美 乐 优 捷 通 力 星 月 光 明 鸿 腾 跃 腾 飞 字 节 跳 动 蓝 湾 青 松".split()
_INDUSTRIES = (
    "科技",
    "网络技术",
    "信息技术",
    "贸易",
    "医药",
    "教育科技",
    "电子商务",
    "软件",
    "物流",
    "咨询",
    "生物科技",
    "文化传媒",
)
_CN_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
_CITY_AREA = {"北京": "010", "上海": "021", "广州": "020", "深圳": "0755", "杭州": "0571",
              "南京": "025", "成都": "028", "武汉": "027", "西安": "029", "苏州": "0512",
              "天津": "022", "重庆": "023", "长沙": "0731", "厦门": "0592"}  # fmt: skip
_CITY_LATIN = {"北京": "Beijing", "上海": "Shanghai", "广州": "Guangzhou", "深圳": "Shenzhen",
               "杭州": "Hangzhou", "南京": "Nanjing", "成都": "Chengdu", "武汉": "Wuhan",
               "西安": "Xi'an", "苏州": "Suzhou", "天津": "Tianjin", "重庆": "Chongqing",
               "长沙": "Changsha", "厦门": "Xiamen"}  # fmt: skip
_INTL = (  # city, country code, area, mobile prefix, legal forms
    ("San Francisco", "1", "415", "415", ("Inc.", "LLC", "Corp.")),
    ("New York", "1", "212", "917", ("Inc.", "LLC", "Corporation")),
    ("London", "44", "20", "77", ("Ltd", "Limited", "PLC")),
    ("Berlin", "49", "30", "151", ("GmbH", "AG")),
    ("Singapore", "65", "6", "9", ("Pte Ltd", "Pte. Ltd.")),
    ("Hong Kong", "852", "2", "6", ("Limited", "Ltd")),
)
# National significant number lengths: (landline, mobile) per country code.
_NSN = {"1": (10, 10), "44": (10, 10), "49": (10, 11), "65": (8, 8), "852": (8, 8), "86": (10, 11)}
_VALID_CN_MOBILE = ("130 131 132 133 134 135 136 137 138 139 145 147 150 151 152 153 155 156 "
                    "157 158 159 166 170 171 172 173 175 176 177 178 180 181 182 183 184 185 "
                    "186 187 188 189 190 191 192 193 195 196 197 198 199").split()  # fmt: skip


def _cn_mobile(seed_number: int) -> str:
    """A CN mobile with a prefix in service, unique for a unique ``seed_number``."""
    prefix = _VALID_CN_MOBILE[seed_number % len(_VALID_CN_MOBILE)]
    return f"{prefix}{(seed_number // len(_VALID_CN_MOBILE)) % 10**8:08d}"


def _valid_national(rng: np.random.Generator, cc: str, prefix: str, length: int) -> str:
    """Random digits after ``prefix`` until phonenumbers calls the number valid (one digit
    shorter is tried too: some area codes have 7-digit subscriber numbers)."""
    import phonenumbers

    for attempt in range(200):
        size = length - len(prefix) - (attempt % 2)
        tail = "".join(str(d) for d in rng.integers(0, 10, size=max(0, size)))
        candidate = prefix + tail
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+{cc}{candidate}")):
            return candidate
    raise RuntimeError(f"no valid number found for +{cc} {prefix}")


_BRAND_SYLLABLES = (
    "ac me no va ter ra lux or bit qua zen vi ta sol ix ion cor tek nex gen flo mar ka do".split()
)
_INTL_KINDS = (
    "Analytics",
    "Systems",
    "Labs",
    "Partners",
    "Logistics",
    "Software",
    "Trading",
    "Health",
)
_TITLES = ("总监", "销售经理", "采购", "采购经理", "市场专员", "工程师", "CEO", "VP Sales", "Director",
           "Engineer", "Manager", "总经理", "IT主管", "Analyst", "Head of Procurement", "助理")  # fmt: skip
#: Titles most people at a company hold; a person's title is one of these 40 % of the time.
_COMMON_TITLES = ("销售经理", "工程师", "Manager", "销售")
#: The same job in other words or another language.
_TITLE_WORDINGS = {
    "总监": ("Director", "部门总监"), "销售经理": ("Sales Manager", "销售部经理", "sales mgr"),
    "采购": ("采购员", "Buyer", "Purchasing"),
    "采购经理": ("Purchasing Manager", "采购部经理", "Procurement Manager"),
    "市场专员": ("Marketing Specialist", "市场部专员"), "工程师": ("Engineer", "工程師"),
    "CEO": ("首席执行官", "C.E.O.", "Chief Executive Officer"),
    "VP Sales": ("Vice President, Sales", "VP of Sales", "销售副总裁"),
    "Director": ("DIRECTOR", "总监", "Dir."), "Engineer": ("engineer", "Eng.", "工程师"),
    "Manager": ("manager", "Mgr", "经理"), "总经理": ("General Manager", "GM", "總經理"),
    "IT主管": ("IT Supervisor", "IT Head", "信息技术主管"),
    "Analyst": ("analyst", "分析师"),
    "Head of Procurement": ("Procurement Head", "采购主管", "Head, Procurement"),
    "助理": ("Assistant", "助理 "), "销售": ("Sales", "销售代表", "sales rep"),
}  # fmt: skip
#: What some forms add to a title: a region, a business line, a status.
_TITLE_QUALIFIERS = ("华东区", "华南区", "大中华区", "APAC", "Asia Pacific", "Global", "China",
                     "(代理)", "兼职", "Key Account", "Channel")  # fmt: skip
#: A later job of the same person.
_PROMOTIONS = {
    "工程师": "高级工程师", "Engineer": "Senior Engineer", "采购": "采购经理",
    "销售经理": "销售总监", "Analyst": "Senior Analyst", "Manager": "Director",
    "销售": "销售经理", "市场专员": "市场经理", "助理": "经理助理",
}  # fmt: skip
_SOURCES = (
    "官网表单",
    "展会",
    "电话",
    "webinar",
    "referral",
    "ads",
    "微信",
    "百度推广",
    "LinkedIn",
)
_FREE_CN = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com")
_FREE_INTL = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com")
_GHOST_NAMES = (
    "测试",
    "test",
    "asdf",
    "xxx",
    "无",
    "张三测试",
    "aaa",
    "qwerty",
    "测试用户",
    "N/A",
    "客户",
)
_GHOST_PHONES = (
    "13800138000",
    "12345678901",
    "11111111111",
    "00000000000",
    "13888888888",
    "123456",
    "1234567890",
)
_GHOST_EMAILS = (
    "test@test.com",
    "a@a.com",
    "123@qq.com",
    "asdf@asdf.com",
    "xxx@example.com",
    "test@163.com",
)
_GHOST_COMPANIES = ("测试公司", "无", "test", "N/A", "个人", "xxx")
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@lru_cache(maxsize=1)
def _s2t() -> Any:
    from opencc import OpenCC

    return OpenCC("s2t")


@lru_cache(maxsize=100_000)
def _traditional(text: str) -> str:
    return str(_s2t().convert(text))


@lru_cache(maxsize=100_000)
def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


def _zipf_weights(n: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def generate_leads(
    n_people: int,
    *,
    seed: int = 0,
    corruption: float = 0.3,
    ghost_rate: float = 0.03,
    dup_rate: float = 0.5,
    max_dups: int = 5,
    intl_share: float = 0.3,
    missing_rate: float = 0.15,
    headers: str = "en",
) -> pd.DataFrame:
    """Generate CRM leads for ``n_people`` people (see the module docstring).

    Returns one row per lead, shuffled: ``lead_id``, ``name``, ``phone``, ``email``,
    ``company``, ``city``, ``title``, ``source``, ``created_at`` and the truth columns
    ``person_id`` and ``is_ghost``. ``headers="zh"`` gives Chinese headers.
    """
    if n_people < 1:
        raise ValueError(say("n_people must be at least 1", "n_people 须不小于 1"))
    check_shares(corruption=corruption, ghost_rate=ghost_rate, dup_rate=dup_rate,
                 intl_share=intl_share, missing_rate=missing_rate)  # fmt: skip
    check_headers(headers)
    rng = np.random.default_rng(seed)
    # Titles draw from a stream of their own, so the other columns of a seed do not depend
    # on how titles are generated.
    title_rng = np.random.default_rng([seed, 7])
    companies = _companies(rng, max(3, n_people // 8), intl_share)
    people = _people(rng, n_people, companies, intl_share)
    for person in people:
        if title_rng.random() < 0.4:
            person["title"] = str(title_rng.choice(_COMMON_TITLES))
    rows: list[dict[str, Any]] = []
    base_time = np.datetime64("2024-01-01T00:00:00")
    for person in people:
        n_extra = 0
        if rng.random() < dup_rate:
            n_extra = min(max_dups, int(rng.geometric(0.55)))
        for copy in range(1 + n_extra):
            lead = _lead(rng, person, companies[person["company"]], copy, corruption, missing_rate)
            lead["title"] = _title_variant(title_rng, person["title"], lead["title"], copy,
                                           corruption)  # fmt: skip
            lead["created_at"] = str(
                base_time + np.timedelta64(int(rng.integers(0, 730 * 86400)), "s")
            )
            rows.append(lead)
    n_ghosts = round(len(rows) * ghost_rate / max(1e-9, 1 - ghost_rate))
    for i in range(n_ghosts):
        ghost = _ghost(rng, i)
        ghost["created_at"] = str(
            base_time + np.timedelta64(int(rng.integers(0, 730 * 86400)), "s")
        )
        rows.append(ghost)
    order = rng.permutation(len(rows))
    frame = pd.DataFrame([rows[i] for i in order])
    frame.insert(0, "lead_id", [f"L{i + 1:07d}" for i in range(len(frame))])
    columns = ["lead_id", "name", "phone", "email", "company", "city", "title", "source",
               "created_at", "person_id", "is_ghost"]  # fmt: skip
    frame = frame[columns]
    frame["is_ghost"] = frame["is_ghost"].astype(bool)
    if headers == "zh":
        frame = frame.rename(columns=ZH_HEADERS)
    return frame


def check_shares(**shares: float) -> None:
    """Refuse a share (a rate or probability argument of a generator) outside [0, 1]."""
    for name, value in shares.items():
        if not 0 <= value <= 1:
            raise ValueError(
                say(
                    f"{name} must be between 0 and 1, not {value}",
                    f"{name} 须在 0 到 1 之间，而不是 {value}",
                )
            )


def check_headers(headers: str) -> None:
    """Refuse a header language other than ``"en"`` and ``"zh"``."""
    if headers not in ("en", "zh"):
        raise ValueError(say("headers must be 'en' or 'zh'", "headers 须为 'en' 或 'zh'"))


def _companies(rng: np.random.Generator, n: int, intl_share: float) -> list[dict[str, Any]]:
    companies = []
    used: set[str] = set()
    for i in range(n):
        if rng.random() >= intl_share:
            city = str(rng.choice(list(_CITY_AREA)))
            for _attempt in range(1000):
                brand = "".join(rng.choice(_BRAND_CHARS, size=int(rng.integers(2, 5))))
                if brand not in used:
                    used.add(brand)
                    break
            industry = str(rng.choice(_INDUSTRIES))
            area = _CITY_AREA[city]
            national = _valid_national(rng, "86", area[1:], 10 if len(area) == 3 else 11)
            board = f"{area}-{national[len(area) - 1 :]}"
            companies.append({"cn": True, "brand": brand, "industry": industry, "city": city,
                              "form": str(rng.choice(_CN_FORMS)), "board": board,
                              "domain": f"{_pinyin(brand)}{i}.com.cn" if rng.random() < 0.3
                              else f"{_pinyin(brand)}{i}.com"})  # fmt: skip
        else:
            city, cc, area, _, forms = _INTL[int(rng.integers(0, len(_INTL)))]
            for attempt in range(1000):
                brand = "".join(
                    rng.choice(_BRAND_SYLLABLES, size=int(rng.integers(2, 5)))
                ).capitalize()
                if attempt > 20:  # the syllable space runs out on very large sets
                    brand += str(int(rng.integers(2, 1000)))
                if brand not in used:
                    used.add(brand)
                    break
            kind = str(rng.choice(_INTL_KINDS))
            rest = _valid_national(rng, cc, area, _NSN[cc][0])[len(area) :]
            board = f"+{cc} {area} {rest}" if cc != "1" else f"+1 ({area}) {rest[:3]}-{rest[3:]}"
            companies.append({"cn": False, "brand": brand, "industry": kind, "city": city,
                              "form": str(rng.choice(forms)), "board": board, "cc": cc,
                              "domain": f"{brand.lower()}{kind.lower()}.com"})  # fmt: skip
    return companies


def _people(
    rng: np.random.Generator, n: int, companies: Sequence[dict[str, Any]], intl_share: float
) -> list[dict[str, Any]]:
    cn_ids = [i for i, c in enumerate(companies) if c["cn"]] or list(range(len(companies)))
    intl_ids = [i for i, c in enumerate(companies) if not c["cn"]] or list(range(len(companies)))
    cn_w, intl_w = _zipf_weights(len(cn_ids), 1.1), _zipf_weights(len(intl_ids), 1.1)
    surname_w = _zipf_weights(len(_SURNAMES), 0.9)
    given_w = _zipf_weights(len(_GIVEN), 1.0)
    first_w, last_w = _zipf_weights(len(_FIRST), 0.8), _zipf_weights(len(_LAST), 0.8)
    mobiles = rng.choice(10**9 * 7, size=n, replace=False) + 3 * 10**9  # 13x … 19x
    is_chinese = rng.random(n) >= intl_share
    cn_pick = rng.choice(len(cn_ids), size=n, p=cn_w)
    intl_pick = rng.choice(len(intl_ids), size=n, p=intl_w)
    surnames = rng.choice(len(_SURNAMES), size=n, p=surname_w)
    givens = rng.choice(len(_GIVEN), size=n, p=given_w)
    # Half of the given names are the common ones above (so 张伟 and 王芳 recur, as they do
    # in real CRMs); the other half are two characters from a wider pool, as most real
    # Chinese given names are.
    composed = rng.random(n) < 0.5
    pool = rng.choice(len(_GIVEN_CHARS), size=(n, 2))
    firsts = rng.choice(len(_FIRST), size=n, p=first_w)
    lasts = rng.choice(len(_LAST), size=n, p=last_w)
    people = []
    taken: set[str] = set()

    def unique(address: str) -> str:
        # A mail server gives every person their own mailbox: 王伟 and 王伟 at one company
        # get wangwei@ and wangwei2@.
        local, host = address.split("@")
        candidate, k = address, 1
        while candidate in taken:
            k += 1
            candidate = f"{local}{k}@{host}"
        taken.add(candidate)
        return candidate

    for i in range(n):
        if is_chinese[i]:
            company = cn_ids[int(cn_pick[i])]
            surname = _SURNAMES[int(surnames[i])]
            if composed[i]:
                given = _GIVEN_CHARS[int(pool[i, 0])] + _GIVEN_CHARS[int(pool[i, 1])]
            else:
                given = _GIVEN[int(givens[i])]
            mobile = _cn_mobile(int(mobiles[i]))
            handle = _pinyin(surname) + _pinyin(given)
            free = str(rng.choice(_FREE_CN))
            personal = (
                f"{handle}{int(rng.integers(1, 999))}@{free}"
                if rng.random() < 0.7
                else f"{int(rng.integers(10**6, 10**10))}@qq.com"
            )
            work_local = f"{_pinyin(given)}.{_pinyin(surname)}" if rng.random() < 0.5 else handle
            person = {"cn": True, "surname": surname, "given": given, "name": surname + given}
        else:
            company = intl_ids[int(intl_pick[i])]
            first = _FIRST[int(firsts[i])]
            last = _LAST[int(lasts[i])]
            cc, mobile_prefix = companies[company].get("cc", "1"), None
            for _city, code, _area, prefix, _forms in _INTL:
                if code == cc:
                    mobile_prefix = prefix
                    break
            national = _valid_national(rng, cc, mobile_prefix or "", _NSN[cc][1])
            mobile = f"+{cc} {national}"
            handle = f"{first}.{last}".lower().replace("ü", "u")
            personal = f"{handle}{int(rng.integers(1, 99))}@{rng.choice(_FREE_INTL)}"
            work_local = (
                handle if rng.random() < 0.6 else f"{first[0]}{last}".lower().replace("ü", "u")
            )
            person = {"cn": False, "first": first, "last": last, "name": f"{first} {last}"}
        person.update(
            person_id=f"P{i + 1:07d}",
            company=company,
            mobile=mobile,
            personal_email=unique(personal),
            work_email=unique(f"{work_local}@{companies[company]['domain']}"),
            extension=str(int(rng.integers(100, 9999))), title=str(rng.choice(_TITLES)),
        )  # fmt: skip
        people.append(person)
    return people


def _lead(
    rng: np.random.Generator,
    person: dict[str, Any],
    company: dict[str, Any],
    copy: int,
    corruption: float,
    missing_rate: float,
) -> dict[str, Any]:
    def chance(p: float) -> bool:
        return bool(rng.random() < p * corruption) if copy else False

    # Phone: the personal mobile most of the time, else the switchboard (+ extension).
    use_board = rng.random() < (0.25 if copy == 0 else 0.25 + 0.3 * corruption)
    if use_board:
        phone = _board(rng, company["board"], person["extension"] if rng.random() < 0.6 else None)
    else:
        phone = _format_phone(rng, person["mobile"], corruption if copy else 0.0)
        if chance(0.05):
            phone = _typo_digit(rng, phone)
    # Email: personal or work, corrupted.
    email = person["work_email"] if rng.random() < 0.45 else person["personal_email"]
    if chance(0.3):
        email = email.upper() if rng.random() < 0.3 else email.capitalize()
    if chance(0.2) and email.lower().endswith("@gmail.com"):
        local, host = email.split("@")
        email = f"{local[:2]}.{local[2:]}+crm@{host}"
    if chance(0.05):
        email = _swap(rng, email)
    name = _name_variant(rng, person, corruption if copy else 0.0)
    company_name = _company_variant(rng, company, corruption if copy else 0.0)
    city = _city_variant(rng, company["city"], corruption if copy else 0.0, bool(company["cn"]))
    lead = {"name": name, "phone": phone, "email": email, "company": company_name, "city": city,
            "title": person["title"] if rng.random() > missing_rate else None,
            "source": str(rng.choice(_SOURCES)), "person_id": person["person_id"],
            "is_ghost": False}  # fmt: skip
    # Missing fields; a real form keeps at least one contact.
    for field, rate in (
        ("email", 1.6),
        ("company", 1.4),
        ("city", 2.0),
        ("phone", 0.6),
        ("name", 0.2),
    ):
        if rng.random() < missing_rate * rate:
            lead[field] = None
    if lead["phone"] is None and lead["email"] is None:
        lead["phone"] = _format_phone(rng, person["mobile"], 0.0)
    return lead


def _format_phone(rng: np.random.Generator, mobile: str, corruption: float) -> str:
    if not mobile.startswith("+"):
        if rng.random() >= corruption:
            return mobile
        style = int(rng.integers(0, 8))
        return (
            f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}", f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
            f"+86 {mobile}", f"0086-{mobile}", f"86{mobile}", mobile.translate(_FULL_WIDTH),
            f"(+86){mobile}", f"+86-{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
        )[style]  # fmt: skip
    if rng.random() >= corruption:
        return mobile
    cc, rest = mobile[1:].split(" ", 1)
    style = int(rng.integers(0, 4))
    return (f"00{cc} {rest}", f"+{cc}-{rest[:3]}-{rest[3:]}", f"+{cc}{rest}",
            f"+{cc} {rest}".translate(_FULL_WIDTH))[style]  # fmt: skip


def _board(rng: np.random.Generator, board: str, extension: str | None) -> str:
    if extension is None:
        return board
    sep = (
        str(rng.choice(["转", " 转 ", "-", " ext. ", " x", " 分机 "]))
        if board[0] != "+"
        else str(rng.choice([" ext. ", " x", " ext "]))
    )
    return f"{board}{sep}{extension}"


def _typo_digit(rng: np.random.Generator, phone: str) -> str:
    positions = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if len(positions) < 8:
        return phone
    i = positions[int(rng.integers(len(positions) // 2, len(positions)))]
    return phone[:i] + str((int(phone[i]) + int(rng.integers(1, 9))) % 10) + phone[i + 1 :]


def _swap(rng: np.random.Generator, text: str) -> str:
    at = text.find("@")
    if at < 3:
        return text
    i = int(rng.integers(0, at - 1))
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _name_variant(rng: np.random.Generator, person: dict[str, Any], corruption: float) -> str:
    if rng.random() >= corruption:
        return str(person["name"])
    if person["cn"]:
        surname, given = person["surname"], person["given"]
        style = int(rng.integers(0, 10))
        py_s, py_g = _pinyin(surname).capitalize(), _pinyin(given).capitalize()
        return (
            _traditional(surname + given), f"{py_s} {py_g}", f"{py_s.upper()} {py_g}",
            f"{py_g} {py_s}", f"{py_s}, {py_g}", surname + str(rng.choice(_TITLES_HAN)),
            f"{surname} {given}", surname + "".join(_HOMOPHONES.get(c, c) for c in given),
            f"{py_s.lower()} {py_g.lower()}", _traditional(surname + given),
        )[style]  # fmt: skip
    first, last = person["first"], person["last"]
    style = int(rng.integers(0, 5))
    return (f"{last}, {first}", f"{_NICK.get(first, first)} {last}", f"{first} {last}".upper(),
            f"{first} {chr(65 + int(rng.integers(0, 26)))}. {last}", f"Mr. {first} {last}")[style]  # fmt: skip


def _title_variant(
    rng: np.random.Generator, title: str, given: str | None, copy: int, corruption: float
) -> str | None:
    """The title a lead gives: often none, else the person's, reworded or a later job."""
    if given is None or rng.random() < 0.3:
        return None
    if copy == 0:
        return title
    if rng.random() < 0.15 * corruption:
        if title in _PROMOTIONS and rng.random() < 0.6:
            return _PROMOTIONS[title]
        return str(rng.choice([other for other in _TITLES if other != title]))
    if rng.random() < 0.5 * corruption:
        title = str(rng.choice(_TITLE_WORDINGS[title]))
    if rng.random() < 0.2 * corruption:
        qualifier = str(rng.choice(_TITLE_QUALIFIERS))
        title = f"{qualifier} {title}" if rng.random() < 0.7 else f"{title} {qualifier}"
    return title


def _company_variant(rng: np.random.Generator, company: dict[str, Any], corruption: float) -> str:
    brand, industry, city, form = (
        company["brand"],
        company["industry"],
        company["city"],
        company["form"],
    )
    if company["cn"]:
        canonical = f"{city}{brand}{industry}{form}"
        if rng.random() >= corruption:
            return canonical
        style = int(rng.integers(0, 7))
        return (
            f"{brand}({city}){industry}{form}", f"{brand}（{city}）{industry}{form}",
            f"{brand}{industry}", brand, f"{city}{brand}{industry}股份有限公司",
            _traditional(canonical), f"{city}市{brand}{industry}{form}",
        )[style]  # fmt: skip
    canonical = f"{brand} {industry}, {form}"
    if rng.random() >= corruption:
        return canonical
    style = int(rng.integers(0, 4))
    return (f"{brand} {industry} {form}".upper(), f"{brand} {industry}", f"The {brand} {industry}",
            f"{brand} {industry} Incorporated" if form.startswith("Inc") else f"{brand} {industry}")[style]  # fmt: skip


def _city_variant(rng: np.random.Generator, city: str, corruption: float, chinese: bool) -> str:
    if not chinese or rng.random() >= corruption:
        return city
    return (f"{city}市", _CITY_LATIN.get(city, city), city.upper() if city.isascii() else city)[
        int(rng.integers(0, 3))
    ]


def _ghost(rng: np.random.Generator, i: int) -> dict[str, Any]:
    signals = rng.random(4) < (0.7, 0.6, 0.5, 0.4)
    if not signals.any():
        signals[int(rng.integers(0, 4))] = True
    keyboard = "".join(rng.choice(list("asdfghjklqwer"), size=int(rng.integers(4, 8))))
    return {
        "name": str(rng.choice(_GHOST_NAMES)) if signals[0] else keyboard if rng.random() < 0.5 else None,
        "phone": str(rng.choice(_GHOST_PHONES)) if signals[1] else None,
        "email": str(rng.choice(_GHOST_EMAILS)) if signals[2] else None,
        "company": str(rng.choice(_GHOST_COMPANIES)) if signals[3] else None,
        "city": None, "title": None, "source": str(rng.choice(_SOURCES)),
        "person_id": f"G{i + 1:07d}", "is_ghost": True,
    }  # fmt: skip
