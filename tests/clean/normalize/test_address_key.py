"""Addresses taken apart for matching, postcodes and website domains."""

from __future__ import annotations

import pytest

from leadlink import normalize as nz
from leadlink.clean.normalize._address import parts

# Two spellings of one address give one key; the key drops the postcode (its own role) and,
# for Chinese addresses, the province, city and district (the city's role).
SAME_KEY = [
    ("12 North Main Street, Apt. 4", "12 N. Main St. #4"),
    ("Apt 4, 12 N Main St", "12 North Main Street, Unit 4"),
    ("400 Oak Avenue", "400 OAK AVE."),
    ("88 Lincoln Road", "88 lincoln rd"),
    ("71 West Lake Lane", "71 W Lake Ln"),
    ("5 Harbor Boulevard", "5 Harbor Blvd"),
    ("17 Maple Drive, 3rd Floor", "17 maple dr, fl. 3"),
    ("10 Downing Street, SW1A 2AA", "10 Downing St"),
    ("Rua São João 5", "rua sao joao 5"),
    ("广东省深圳市南山区科苑路15号2栋101室", "深圳市南山区科苑路15号二栋101室"),
    ("廣東省深圳市南山區科苑路15號", "科苑路15号 邮编518057"),
    ("北京市海淀区中关村大街1号", "北京海淀区 中关村大街1号"),
    ("上海市浦东新区世纪大道１００号", "世纪大道100号"),
]  # fmt: skip


@pytest.mark.parametrize(("left", "right"), SAME_KEY)
def test_spellings_of_one_address_share_a_key(left, right):
    assert nz.address_key(left) == nz.address_key(right) is not None


# address -> (street, road, number, unit, postcode)
PARTS = [
    ("12 North Main Street, Apt. 4, Springfield, IL 62704",
     ("12 n main st", "n main st", "12", "u4", "62704")),
    ("Suite 200, 1600 Amphitheatre Parkway, Mountain View, CA 94043-1351",
     ("1600 amphitheatre pkwy", "amphitheatre pkwy", "1600", "u200", "94043")),
    ("Flat 3, 221B Baker Street, London NW1 6XE",
     ("221b baker st", "baker st", "221b", "u3", "NW1 6XE")),
    ("12/34 Smith St, Sydney NSW 2000", ("34 smith st", "smith st", "34", "u12", "2000")),
    ("Level 3, 5 Martin Pl, Sydney, 2000", ("5 martin pl", "martin pl", "5", "f3", "2000")),
    ("kaye place", (None, "kaye pl", None, None, None)),
    ("No. 88 Jianguo Road, Chaoyang, Beijing 100022",
     ("88 jianguo rd", "jianguo rd", "88", None, "100022")),
    ("江苏省苏州市工业园区星湖街３２８号２栋１０１室",
     ("星湖街328号", "星湖街", "328", "b2 r101", None)),
    ("北京市朝阳区建国路88号 邮编100022", ("建国路88号", "建国路", "88", None, "100022")),
]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), PARTS)
def test_parts(value, expected):
    found = parts(value)
    assert found is not None
    assert (found.street, found.road, found.number, found.unit, found.postcode) == expected


@pytest.mark.parametrize("value", ["0", "123", "#", "---"])
def test_a_number_alone_is_no_address(value):
    assert parts(value) is None


def test_units_of_one_building_differ_in_key_not_in_street():
    left, right = parts("230 Elm St, Unit 2"), parts("230 Elm St, Unit 9")
    assert left is not None and right is not None
    assert left.key != right.key
    assert left.street == right.street == "230 elm st"


POSTCODES = [
    ("62704", "62704"), ("62704-1234", "62704"), ("62704 1234", "62704"),
    ("sw1a1aa", "SW1A 1AA"), ("SW1A 1AA", "SW1A 1AA"), (" 100 080 ", "100080"),
    ("邮编：518057", "518057"), (2000.0, "2000"), (2000, "2000"), ("0000", None),
    ("abc", None), ("", None), (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), POSTCODES)
def test_postcode(value, expected):
    assert nz.postcode(value) == expected


WEBSITES = [
    ("https://www.Acme.com/about?x=1", "acme.com"), ("acme.com", "acme.com"),
    ("http://shop.acme.co.uk", "acme.co.uk"), ("www2.acme.org/", "acme.org"),
    ("HTTP://WWW.ACME.COM:8080/", "acme.com"), ("info@acme.com.cn", "acme.com.cn"),
    ("www.baidu.com", "baidu.com"), ("阿里巴巴.中国", "阿里巴巴.中国"),
    ("http://192.168.1.1/", None), ("co.uk", None), ("acme", None), ("acme .com", None),
    ("", None), (None, None),
]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), WEBSITES)
def test_website(value, expected):
    assert nz.website(value) == expected


@pytest.mark.parametrize("fn", [nz.address_key, parts, nz.postcode, nz.website])
@pytest.mark.parametrize("junk", [None, "", 0, "€", "😴", float("nan"), "x" * 1_000_000, [1]])
def test_junk_never_raises(fn, junk):
    fn(junk)


@pytest.mark.parametrize("value", [left for left, _ in SAME_KEY])
def test_the_key_is_idempotent_on_latin_addresses(value):
    key = nz.address_key(value)
    if key is not None and key.isascii():
        assert nz.address_key(key) == key
