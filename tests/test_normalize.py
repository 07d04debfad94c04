"""Case tables for every normalizer, properties, and junk that must never raise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadlink as ll
from leadlink import normalize as nz

M = "+8613800138000"
PHONES = [
    # (input, region, E.164, extension, kind)
    ("13800138000", "CN", M, None, "mobile"),
    ("138 0013 8000", "CN", M, None, "mobile"),
    ("138-0013-8000", "CN", M, None, "mobile"),
    ("+86 138 0013 8000", "CN", M, None, "mobile"),
    ("+86-138-0013-8000", "CN", M, None, "mobile"),
    ("0086 13800138000", "CN", M, None, "mobile"),
    ("86 13800138000", "CN", M, None, "mobile"),
    ("8613800138000", "CN", M, None, "mobile"),
    ("(+86)13800138000", "CN", M, None, "mobile"),
    ("８６１３８００１３８０００", "CN", M, None, "mobile"),
    ("１３８　００１３　８０００", "CN", M, None, "mobile"),
    ("+86 13800138000", "US", M, None, "mobile"),
    (13800138000, "CN", M, None, "mobile"),
    (13800138000.0, "CN", M, None, "mobile"),
    ("010-8888 6666", "CN", "+861088886666", None, "landline"),
    ("010-8888 6666 转 8001", "CN", "+861088886666", "8001", "landline"),
    ("010-88886666转8001", "CN", "+861088886666", "8001", "landline"),
    ("(010) 8888-6666 分机 12", "CN", "+861088886666", "12", "landline"),
    ("021-5888 8888 ext. 123", "CN", "+862158888888", "123", "landline"),
    ("0755-8888 6666 x9", "CN", "+8675588886666", "9", "landline"),
    ("+86 755 8888 6666", "CN", "+8675588886666", None, "landline"),
    ("400-810-8888", "CN", "+864008108888", None, "toll_free"),
    ("+1 (415) 555-2671", "CN", "+14155552671", None, "mobile"),
    ("(415) 555-2671", "US", "+14155552671", None, "mobile"),
    ("415.555.2671 ext 7", "US", "+14155552671", "7", "mobile"),
    ("001 415 555 2671", "CN", "+14155552671", None, "mobile"),
    ("+44 (0)20 7946 0958", "CN", "+442079460958", None, "landline"),
    ("020 7946 0958", "GB", "+442079460958", None, "landline"),
    ("+44 7911 123456", "CN", "+447911123456", None, "mobile"),
    ("+49 30 901820", "CN", "+4930901820", None, "landline"),
    ("+49 1512 3456789", "CN", "+4915123456789", None, "mobile"),
    ("+852 9123 4567", "CN", "+85291234567", None, "mobile"),
    ("+852 2123 4567", "CN", "+85221234567", None, "landline"),
    ("+886 912 345 678", "CN", "+886912345678", None, "mobile"),
    ("0912 345 678", "TW", "+886912345678", None, "mobile"),
    ("+65 9123 4567", "CN", "+6591234567", None, "mobile"),
    ("+33 1 42 68 53 00", "CN", "+33142685300", None, "landline"),
    ("tel: +86 138 0013 8000", "CN", M, None, "mobile"),
    ("12345", "CN", None, None, None),
    ("138001380001234", "CN", None, None, None),
    ("not a phone", "CN", None, None, None),
    ("", "CN", None, None, None),
    (None, "CN", None, None, None),
]


@pytest.mark.parametrize(("value", "region", "e164", "ext", "kind"), PHONES)
def test_phone_table(value, region, e164, ext, kind):
    assert nz.phone(value, region=region) == e164
    assert nz.phone_kind(value, region=region) == kind
    if e164 is not None:
        assert nz.phone_extension(value) == ext


EMAILS = [
    ("zhang.wei@qq.com", "zhang.wei@qq.com"),
    ("  Zhang.Wei@QQ.com ", "zhang.wei@qq.com"),
    ("ZHANGWEI@163.COM", "zhangwei@163.com"),
    ("zhang.wei@gmail.com", "zhangwei@gmail.com"),
    ("Zhang.Wei+crm@gmail.com", "zhangwei@gmail.com"),
    ("z.h.a.n.g@googlemail.com", "zhang@gmail.com"),
    ("bob+news@outlook.com", "bob@outlook.com"),
    ("bob+news@hotmail.com", "bob@hotmail.com"),
    ("bob+tag@icloud.com", "bob@icloud.com"),
    ("bob+tag@qq.com", "bob+tag@qq.com"),
    ("bob.smith@acme.com", "bob.smith@acme.com"),
    ("mailto:bob@acme.com", "bob@acme.com"),
    ("<bob@acme.com>", "bob@acme.com"),
    ("bob@acme.com.", "bob@acme.com"),
    ("ｂｏｂ＠ａｃｍｅ．ｃｏｍ", "bob@acme.com"),
    ("bob @ acme.com", "bob@acme.com"),
    ("li_na-1@sub.example.com.cn", "li_na-1@sub.example.com.cn"),
    ("o'brien@acme.ie", "o'brien@acme.ie"),
    ("sales@acme.com", "sales@acme.com"),
    ("12345678@qq.com", "12345678@qq.com"),
    ("user@xn--fiqs8s.cn", "user@xn--fiqs8s.cn"),
    ("a@b.co", "a@b.co"),
    ("bob", None),
    ("bob@", None),
    ("@acme.com", None),
    ("bob@@acme.com", None),
    ("bob@acme", None),
    ("bob@acme..com", None),
    ("bob@-acme.com", None),
    (".bob@acme.com", "bob@acme.com"),
    ("bob..smith@acme.com", None),
    ("bob smith@acme.com", "bobsmith@acme.com"),
    ("bob@acme.c", None),
    ("bob@acme.123", None),
    ("张伟@公司.com", None),
    ("", None),
    (None, None),
    (12345, None),
    ("x" * 70 + "@acme.com", None),
    ("bob@acme.com,alice@acme.com", None),
]


@pytest.mark.parametrize(("value", "expected"), EMAILS)
def test_email_table(value, expected):
    assert nz.email(value) == expected


@pytest.mark.parametrize(
    ("value", "role", "disposable", "free"),
    [
        ("sales@acme.com", True, False, False),
        ("info@acme.cn", True, False, False),
        ("zhangwei@acme.cn", False, False, False),
        ("x@mailinator.com", False, True, False),
        ("x@yopmail.com", False, True, False),
        ("x@qq.com", False, False, True),
        ("x@163.com", False, False, True),
        ("x@gmail.com", False, False, True),
        ("not an email", False, False, False),
    ],
)
def test_email_flags(value, role, disposable, free):
    assert nz.email_is_role(value) is role
    assert nz.email_is_disposable(value) is disposable
    assert nz.email_is_free(value) is free


NAMES = [
    # (input, canonical name, key)
    ("张伟", "张伟", "wei zhang"),
    ("張偉", "张伟", "wei zhang"),
    ("张 伟", "张伟", "wei zhang"),
    ("张伟先生", "张伟", "wei zhang"),
    ("张伟 女士", "张伟", "wei zhang"),
    ("张总", "张", "zhang"),
    ("王经理", "王", "wang"),
    ("李老师", "李", "li"),
    ("Zhang Wei", "zhang wei", "wei zhang"),
    ("ZHANG Wei", "zhang wei", "wei zhang"),
    ("wei zhang", "wei zhang", "wei zhang"),
    ("Zhang, Wei", "wei zhang", "wei zhang"),
    ("张伟明", "张伟明", "weiming zhang"),
    ("Zhang Weiming", "zhang weiming", "weiming zhang"),
    ("Weiming Zhang", "weiming zhang", "weiming zhang"),
    ("欧阳娜娜", "欧阳娜娜", "nana ouyang"),
    ("司马光", "司马光", "guang sima"),
    ("王芳", "王芳", "fang wang"),
    ("王 芳 小姐", "王芳", "fang wang"),
    ("陳大文", "陈大文", "chen dawen"),
    ("劉德華", "刘德华", "dehua liu"),
    ("１２３张伟", "张伟", "wei zhang"),
    ("John Smith", "john smith", "john smith"),
    ("SMITH, John", "john smith", "john smith"),
    ("Mr. John Smith", "john smith", "john smith"),
    ("Dr John Smith PhD", "john smith", "john smith"),
    ("John Smith Jr.", "john smith", "john smith"),
    ("Smith John", "smith john", "john smith"),
    ("José García", "jose garcia", "garcia jose"),
    ("Jürgen Müller", "jurgen muller", "jurgen muller"),
    ("Mary-Jane O'Neil", "mary-jane o'neil", "jane mary oneil"),
    ("  mary   jones ", "mary jones", "jones mary"),
    ("Ｊｏｈｎ　Ｓｍｉｔｈ", "john smith", "john smith"),
    ("Bob Smith", "bob smith", "bob smith"),
    ("Anna", "anna", "anna"),
    ("Lee", "lee", "lee"),
    ("", None, None),
    ("   ", None, None),
    (None, None, None),
    ("12345", None, None),
    ("!!!", None, None),
]


@pytest.mark.parametrize(("value", "canonical", "key"), NAMES)
def test_name_table(value, canonical, key):
    assert nz.name(value) == canonical
    assert nz.name_key(value) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [("Bob Smith", "Robert Smith"), ("Bill Gates", "William Gates"), ("Liz Taylor", "Elizabeth Taylor"),
     ("Mike Chan", "Michael Chan"), ("Jim Lee", "James Lee")],
)  # fmt: skip
def test_nicknames_meet(a, b):
    assert nz.name_nickname_key(a) == nz.name_nickname_key(b)
    assert nz.name_key(a) != nz.name_key(b)


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [("测试", True), ("test", True), ("TEST123", True), ("asdf", True), ("qwerty", True),
     ("无", True), ("N/A", True), ("xxx", True), ("aaaa", True), ("123", True), ("某某", True),
     ("张伟", False), ("John Smith", False), ("Li", False), ("王测", False)],
)  # fmt: skip
def test_name_placeholders(value, placeholder):
    assert nz.is_placeholder_name(value) is placeholder


COMPANIES = [
    ("北京字节跳动科技有限公司", "字节跳动科技"),
    ("字节跳动（北京）科技有限公司", "字节跳动科技"),
    ("字节跳动(北京)科技有限公司", "字节跳动科技"),
    ("北京字節跳動科技有限公司", "字节跳动科技"),
    ("北京市字节跳动科技有限公司", "字节跳动科技"),
    ("字节跳动科技", "字节跳动科技"),
    ("字节跳动", "字节跳动"),
    ("北京字节跳动网络技术有限公司", "字节跳动网络技术"),
    ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统"),
    ("腾讯科技（深圳）有限公司", "腾讯科技"),
    ("阿里巴巴集团控股有限公司", "阿里巴巴集团控股"),
    ("华为技术有限公司", "华为技术"),
    ("上海浦东发展银行股份有限公司", "浦东发展银行"),
    ("中国平安保险(集团)股份有限公司", "平安保险"),
    ("广东省广州市某某贸易有限责任公司", "某某贸易"),
    ("杭州海康威视数字技术股份有限公司", "海康威视数字技术"),
    ("小米科技有限责任公司", "小米科技"),
    ("株式会社ソニー", "ソニー"),
    ("Acme, Inc.", "acme"),
    ("ACME Inc", "acme"),
    ("Acme Incorporated", "acme"),
    ("The Acme Inc.", "acme"),
    ("acme", "acme"),
    ("Acme LLC", "acme"),
    ("Acme L.L.C.", "acme"),
    ("Acme Corp.", "acme"),
    ("Acme Corporation", "acme"),
    ("Acme Co., Ltd.", "acme"),
    ("Acme Limited", "acme"),
    ("Siemens AG", "siemens"),
    ("Nordwind GmbH", "nordwind"),
    ("Tan & Lee Pte Ltd", "tanandlee"),
    ("Tan and Lee Pte. Ltd.", "tanandlee"),
    ("Philips N.V.", "philips"),
    ("ING B.V.", "ing"),
    ("Telstra Pty Ltd", "telstra"),
    ("Renault S.A.", "renault"),
    ("Fiat S.p.A.", "fiat"),
    ("Apple Inc", "apple"),
    ("Apple Bank", "applebank"),
    ("Acme Analytics (Shanghai) Co., Ltd.", "acmeanalytics"),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("value", "expected"), COMPANIES)
def test_company_table(value, expected):
    assert nz.company(value) == expected


CITIES = [
    ("北京", "北京"), ("北京市", "北京"), ("北京市海淀区", "北京"), ("Beijing", "北京"),
    ("BEIJING", "北京"), ("Peking", "北京"), ("beijing city", "北京"), ("上海", "上海"),
    ("上海市", "上海"), ("Shanghai", "上海"), ("广州", "广州"), ("Guangzhou", "广州"),
    ("广东省广州市", "广州"), ("广东省深圳市", "深圳"), ("深圳市南山区", "深圳"),
    ("Shenzhen", "深圳"), ("杭州", "杭州"), ("浙江杭州", "杭州"), ("Hangzhou", "杭州"),
    ("成都市", "成都"), ("Chengdu", "成都"), ("重慶", "重庆"), ("Chongqing", "重庆"),
    ("香港", "香港"), ("Hong Kong", "香港"), ("HK", "香港"), ("台北", "台北"), ("臺北", "台北"),
    ("Taipei", "台北"), ("Xi'an", "西安"), ("Xian", "西安"), ("苏州", "苏州"),
    ("昆山市", "昆山"), ("New York", "new york"), ("London", "london"), ("Berlin", "berlin"),
    ("San Francisco", "san francisco"), ("München", "munchen"), ("", None), (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), CITIES)
def test_city_table(value, expected):
    assert nz.city(value) == expected


def test_name_key_meets_across_scripts_and_order():
    keys = {
        nz.name_key(v)
        for v in ("张伟", "張偉", "Zhang Wei", "ZHANG Wei", "wei zhang", "Zhang, Wei")
    }
    assert keys == {"wei zhang"}


IDEMPOTENT = [nz.phone, nz.email, nz.name, nz.company, nz.city, nz.address]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_normalizers_are_idempotent_and_never_raise(text):
    for fn in IDEMPOTENT:
        once = fn(text)
        if once is not None:
            assert fn(once) == once, (fn.__name__, text, once)
    key = nz.name_key(text)
    name = nz.name(text)
    if name is not None:
        assert nz.name_key(name) == key


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["张伟", "王芳", "John Smith", "李娜", "Zhang Wei"]),
    st.sampled_from(["", " ", "先生", "总"]),
)
def test_name_key_ignores_spacing_and_honorifics(base, suffix):
    assert nz.name_key(base + suffix) in {nz.name_key(base), nz.name_key(base[0])}


JUNK = [None, 0, 1.5, float("nan"), float("inf"), True, "", " ", "€", "😴", "\x00\x01", "\u202e",
        "x" * 1_000_000, "张" * 1_000_000, b"bytes", [1, 2], {"a": 1}, object()]  # fmt: skip


@pytest.mark.parametrize("name", nz.__all__)
def test_every_public_normalizer_survives_junk(name):
    fn = getattr(nz, name)
    for value in JUNK:
        result = fn(value)
        assert result is None or isinstance(result, (str, bool))


def test_all_is_sorted():
    assert list(nz.__all__) == sorted(nz.__all__)
    assert ll.normalize is nz
