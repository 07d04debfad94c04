"""Cities and address lines."""

from __future__ import annotations

import pytest

from leadlink import normalize as nz

CITIES = [
    ("北京", "北京"), ("北京市", "北京"), ("北京市海淀区", "北京"), ("Beijing", "北京"),
    ("BEIJING", "北京"), ("Peking", "北京"), ("beijing city", "北京"), ("ＢＥＩＪＩＮＧ", "北京"),
    ("上海", "上海"), ("上海市", "上海"), ("Shanghai", "上海"), ("广州", "广州"),
    ("Guangzhou", "广州"), ("广东省广州市", "广州"), ("广东省深圳市", "深圳"),
    ("广东深圳", "深圳"), ("深圳市南山区", "深圳"), ("Shenzhen", "深圳"), ("杭州", "杭州"),
    ("浙江杭州", "杭州"), ("Hangzhou", "杭州"), ("成都市", "成都"), ("Chengdu", "成都"),
    ("重慶", "重庆"), ("Chongqing", "重庆"), ("香港", "香港"), ("Hong Kong", "香港"),
    ("HK", "香港"), ("澳門", "澳门"), ("Macau", "澳门"), ("台北", "台北"), ("臺北市", "台北"),
    ("Taipei", "台北"), ("Xi'an", "西安"), ("Xian", "西安"), ("苏州", "苏州"),
    ("昆山市", "昆山"), ("New York", "new york"), ("London", "london"),
    ("San Francisco", "san francisco"), ("München", "munchen"), ("", None), (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), CITIES)
def test_city_table(value, expected):
    assert nz.city(value) == expected
    if expected is not None:
        assert nz.city(expected) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("北京市海淀区 中关村大街1号", "北京市海淀区 中关村大街1号"),
     ("臺北市信義區", "台北市信义区"), ("  1 Main  St.\n Springfield ", "1 main st. springfield"),
     ("ＮＯ．１　Ｒｏａｄ", "no.1 road"), ("", None), (None, None)],
)  # fmt: skip
def test_address_table(value, expected):
    assert nz.address(value) == expected
