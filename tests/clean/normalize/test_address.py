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
    ("HK", "香港"), ("澳門", "澳门"), ("Macau", "澳门"), ("台北", "台北"), ("臺北", "台北"), ("臺北市", "台北"),
    ("Taipei", "台北"), ("Xi'an", "西安"), ("Xian", "西安"), ("苏州", "苏州"),
    ("昆山市", "昆山"), ("New York", "new york"), ("London", "london"),
    ("San Francisco", "san francisco"), ("München", "munchen"), ("", None), (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), CITIES)
def test_city_table(value, expected):
    assert nz.city(value) == expected
    if expected is not None:
        assert nz.city(expected) == expected


# address() promises NFKC (full-width digits, letters, brackets and punctuation to
# half-width), 繁→简, whitespace collapsed (control characters too) and case folded;
# abbreviations and the order of the parts are left as written.
ADDRESSES = [
    # Chinese: 省/市/区/路/号 kept as written, full-width folded
    ("北京市海淀区 中关村大街1号", "北京市海淀区 中关村大街1号"),
    ("广东省深圳市南山区科苑路15号", "广东省深圳市南山区科苑路15号"),
    ("上海市浦东新区世纪大道１００号", "上海市浦东新区世纪大道100号"),
    ("江苏省苏州市工业园区星湖街３２８号２栋１０１室", "江苏省苏州市工业园区星湖街328号2栋101室"),
    ("北京市朝阳区建国路８８号（ＳＯＨＯ现代城）", "北京市朝阳区建国路88号(soho现代城)"),
    ("北京市海淀区中关村大街１号（海龙大厦）５层", "北京市海淀区中关村大街1号(海龙大厦)5层"),
    ("深圳市福田区深南大道６０１７号　Ａ座", "深圳市福田区深南大道6017号 a座"),
    ("南京市鼓楼区北京西路２号－１", "南京市鼓楼区北京西路2号-1"),
    ("武汉市洪山区珞喻路１０３７号，华中科技大学", "武汉市洪山区珞喻路1037号,华中科技大学"),
    ("上海市黄浦区南京东路１００号＃３０２", "上海市黄浦区南京东路100号#302"),
    ("广州市越秀区中山五路２１９号【新大新】", "广州市越秀区中山五路219号【新大新】"),
    ("Room 1201, 上海市静安区南京西路1266号 Plaza 66", "room 1201, 上海市静安区南京西路1266号 plaza 66"),
    # Chinese: whitespace of every kind collapsed, ends stripped
    ("  杭州市 西湖区\u3000文三路 ９０号  ", "杭州市 西湖区 文三路 90号"),
    ("成都市武侯区\n人民南路四段\t１号", "成都市武侯区 人民南路四段 1号"),
    ("\u3000\u3000天津市和平区南京路１８９号\r\n", "天津市和平区南京路189号"),
    # invisible characters (zero-width space, byte-order mark) removed, not read as spaces
    ("西安市雁塔区\u200b长安南路\ufeff８８号", "西安市雁塔区长安南路88号"),
    # 繁体 -> 简体
    ("臺北市信義區", "台北市信义区"),
    ("臺北市中正區重慶南路一段１２２號", "台北市中正区重庆南路一段122号"),
    ("台灣臺中市西屯區台灣大道三段９９號", "台湾台中市西屯区台湾大道三段99号"),
    ("香港九龍尖沙咀彌敦道100號", "香港九龙尖沙咀弥敦道100号"),
    ("廣州市天河區體育西路191號", "广州市天河区体育西路191号"),
    ("重慶市渝中區解放碑步行街８號", "重庆市渝中区解放碑步行街8号"),
    ("澳門新口岸宋玉生廣場２５８號", "澳门新口岸宋玉生广场258号"),
    # international: case folded, punctuation and abbreviations kept
    ("  1 Main  St.\n Springfield ", "1 main st. springfield"),
    ("ＮＯ．１　Ｒｏａｄ", "no.1 road"),
    ("221B BAKER STREET", "221b baker street"),
    ("10 Downing St., London SW1A 2AA", "10 downing st., london sw1a 2aa"),
    ("1600 Amphitheatre Parkway, Mountain View, CA 94043", "1600 amphitheatre parkway, mountain view, ca 94043"),
    ("  350 Fifth Avenue\tNew York,  NY 10118 ", "350 fifth avenue new york, ny 10118"),
    ("Apt. #4B, 55 W. 14th St.", "apt. #4b, 55 w. 14th st."),
    ("P.O. Box 1234", "p.o. box 1234"),
    ("1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002", "1-2-3 shibuya, shibuya-ku, tokyo 150-0002"),
    ("12\u00a0Main Street", "12 main street"),
    ("ﬁfth Avenue, Building Ⅲ", "fifth avenue, building iii"),
    ("Hauptstraße 5, 10115 Berlin", "hauptstrasse 5, 10115 berlin"),
    ("Rue de l'E\u0301glise 3, Paris", "rue de l'église 3, paris"),
    ("Тверская улица, 7, Москва", "тверская улица, 7, москва"),
    # nothing usable
    ("", None), (None, None), ("   ", None), ("\u3000\u3000", None), ("\n\t\r", None),
    ("\x00\x1f\u200b\ufeff", None), (float("nan"), None), (True, None), (b"1 Main St", None),
    (["1 Main St"], None),
]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), ADDRESSES)
def test_address_table(value, expected):
    assert nz.address(value) == expected
    if expected is not None:
        assert nz.address(expected) == expected
