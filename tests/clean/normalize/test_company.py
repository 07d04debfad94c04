"""Company names: comparison key without legal form, region, script or case variants."""

from __future__ import annotations

import pytest

from leadlink import normalize as nz

COMPANIES = [
    ("北京字节跳动科技有限公司", "字节跳动科技"),
    ("字节跳动（北京）科技有限公司", "字节跳动科技"),
    ("字节跳动(北京)科技有限公司", "字节跳动科技"),
    ("北京字節跳動科技有限公司", "字节跳动科技"),
    ("北京市字节跳动科技有限公司", "字节跳动科技"),
    ("中国北京字节跳动科技有限公司", "字节跳动科技"),
    ("字节跳动科技", "字节跳动科技"),
    ("字节跳动", "字节跳动"),
    ("北京字节跳动网络技术有限公司", "字节跳动网络技术"),
    ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统"),
    ("腾讯科技（深圳）有限公司", "腾讯科技"),
    ("阿里巴巴集团控股有限公司", "阿里巴巴集团控股"),
    ("华为技术有限公司", "华为技术"),
    ("华为技术有限公司深圳分公司", "华为技术"),
    ("华为技术有限公司（深圳分公司）", "华为技术"),
    ("上海浦东发展银行股份有限公司", "浦东发展银行"),
    ("中国平安保险(集团)股份有限公司", "平安保险"),
    ("招商银行深圳分行", "招商银行"),
    ("北京银行股份有限公司", "北京银行"),
    ("南京银行", "南京银行"),
    ("中山大学", "中山大学"),
    ("重庆啤酒股份有限公司", "重庆啤酒"),
    ("中国银行股份有限公司", "中国银行"),
    ("广东省广州市某某贸易有限责任公司", "某某贸易"),
    ("杭州海康威视数字技术股份有限公司", "海康威视数字技术"),
    ("小米科技有限责任公司", "小米科技"),
    ("IBM中国有限公司", "ibm"),
    ("株式会社ソニー", "ソニー"),
    ("Acme, Inc.", "acme"),
    ("ACME Incorporated", "acme"),
    ("The Acme Inc", "acme"),
    ("Acme LLC", "acme"),
    ("Acme L.L.C.", "acme"),
    ("Acme Corp.", "acme"),
    ("Acme Corporation", "acme"),
    ("Acme Co., Ltd.", "acme"),
    ("ＡＣＭＥ　Ｌｉｍｉｔｅｄ", "acme"),
    ("Siemens AG", "siemens"),
    ("siemens", "siemens"),
    ("Nordwind GmbH", "nordwind"),
    ("Tan & Lee Pte Ltd", "tanandlee"),
    ("Tan and Lee Pte. Ltd.", "tanandlee"),
    ("Philips N.V.", "philips"),
    ("ING B.V.", "ing"),
    ("Telstra Pty Ltd", "telstra"),
    ("Fiat S.p.A.", "fiat"),
    ("Société Générale S.A.", "societegenerale"),
    ("IBM (China) Co., Ltd.", "ibm"),
    ("Acme Analytics (Shanghai) Co., Ltd.", "acmeanalytics"),
    ("Beijing ByteDance Technology Co., Ltd.", "bytedancetechnology"),
    ("Shanghai Bank", "shanghaibank"),
    ("Bank of China", "bankofchina"),
    ("Apple Inc", "apple"),
    ("Apple Bank", "applebank"),
    ("", None),
    ("  ", None),
    (None, None),
    ("!!!", None),
]


@pytest.mark.parametrize(("value", "expected"), COMPANIES)
def test_company_table(value, expected):
    assert nz.company(value) == expected
    assert nz.company(expected) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [("北京字节跳动科技有限公司", "北京字节跳动网络技术有限公司"), ("Apple Inc", "Apple Bank"),
     ("北京银行", "南京银行"), ("中国银行", "中国建设银行")],
)  # fmt: skip
def test_different_companies_keep_different_keys(a, b):
    assert nz.company(a) != nz.company(b)


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [("无", True), ("个人", True), ("测试", True), ("测试公司", True), ("test", True),
     ("N/A", True), ("none", True), ("未知", True), ("-", True), ("公司", True),
     ("有限公司", True), ("华为技术有限公司", False), ("Acme Inc", False), ("", False),
     (None, False)],
)  # fmt: skip
def test_company_placeholders(value, placeholder):
    assert nz.is_placeholder_company(value) is placeholder
