"""Phone numbers: E.164 of the main number, extension and kind, in one case table."""

from __future__ import annotations

import random
import re
from pathlib import Path

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from leadlink import normalize as nz
from leadlink.clean.normalize import _phone

M = "+8613800138000"
BJ = "+861088886666"
PHONES = [
    # (input, region, E.164, extension, kind)
    ("13800138000", "CN", M, None, "mobile"),
    ("138 0013 8000", "CN", M, None, "mobile"),
    ("138-0013-8000", "CN", M, None, "mobile"),
    ("138.0013.8000", "CN", M, None, "mobile"),
    ("+86 138 0013 8000", "CN", M, None, "mobile"),
    ("+86-138-0013-8000", "CN", M, None, "mobile"),
    ("0086 13800138000", "CN", M, None, "mobile"),
    ("86 13800138000", "CN", M, None, "mobile"),
    ("8613800138000", "CN", M, None, "mobile"),
    ("(+86)13800138000", "CN", M, None, "mobile"),
    ("+86(0)13800138000", "CN", M, None, "mobile"),
    ("８６１３８００１３８０００", "CN", M, None, "mobile"),
    ("１３８　００１３　８０００", "CN", M, None, "mobile"),
    ("手机：138 0013 8000", "CN", M, None, "mobile"),
    ("tel: +86 138 0013 8000", "CN", M, None, "mobile"),
    ("+86 13800138000", "US", M, None, "mobile"),
    (13800138000, "CN", M, None, "mobile"),
    (13800138000.0, "CN", M, None, "mobile"),
    ("13800138000 / 13900139000", "CN", M, None, "mobile"),
    ("13800138000、13900139000", "CN", M, None, "mobile"),
    ("199 1234 5678", "CN", "+8619912345678", None, "mobile"),
    ("010-8888 6666", "CN", BJ, None, "landline"),
    ("010-88886666", "CN", BJ, None, "landline"),
    ("(010)88886666", "CN", BJ, None, "landline"),
    ("+86 10 8888 6666", "CN", BJ, None, "landline"),
    ("+86 (0)10 8888 6666", "CN", BJ, None, "landline"),
    ("0086-10-88886666", "CN", BJ, None, "landline"),
    ("010-8888 6666 转 8001", "CN", BJ, "8001", "landline"),
    ("010-88886666转8001", "CN", BJ, "8001", "landline"),
    ("010-88886666轉8001", "CN", BJ, "8001", "landline"),
    ("(010) 8888-6666 分机 12", "CN", BJ, "12", "landline"),
    ("010 8888 6666 分機：12", "CN", BJ, "12", "landline"),
    ("010-88886666-8001", "CN", BJ, "8001", "landline"),
    ("010-88886666#8001", "CN", BJ, "8001", "landline"),
    ("021-5888 8888 ext. 123", "CN", "+862158888888", "123", "landline"),
    ("0755-8888 6666 x9", "CN", "+8675588886666", "9", "landline"),
    ("+86 755 8888 6666", "CN", "+8675588886666", None, "landline"),
    ("400-810-8888", "CN", "+864008108888", None, "toll_free"),
    ("800-810-8888", "CN", "+868008108888", None, "toll_free"),
    ("+1 (415) 555-2671", "CN", "+14155552671", None, "mobile"),
    ("(415) 555-2671", "US", "+14155552671", None, "mobile"),
    ("415.555.2671 ext 7", "US", "+14155552671", "7", "mobile"),
    ("+1-800-555-0199", "CN", "+18005550199", None, "toll_free"),
    ("001 415 555 2671", "CN", "+14155552671", None, "mobile"),
    ("+44 (0)20 7946 0958", "CN", "+442079460958", None, "landline"),
    ("020 7946 0958", "GB", "+442079460958", None, "landline"),
    ("020 7946 0958", "gb", "+442079460958", None, "landline"),
    ("+44 7911 123456", "CN", "+447911123456", None, "mobile"),
    ("+49 30 901820", "CN", "+4930901820", None, "landline"),
    ("+49 1512 3456789", "CN", "+4915123456789", None, "mobile"),
    ("+852 9123 4567", "CN", "+85291234567", None, "mobile"),
    ("+852 2123 4567", "CN", "+85221234567", None, "landline"),
    ("00852 9123 4567", "CN", "+85291234567", None, "mobile"),
    ("+886 912 345 678", "CN", "+886912345678", None, "mobile"),
    ("0912 345 678", "TW", "+886912345678", None, "mobile"),
    ("+65 9123 4567", "CN", "+6591234567", None, "mobile"),
    ("+33 1 42 68 53 00", "CN", "+33142685300", None, "landline"),
    ("+81 3-1234-5678", "CN", "+81312345678", None, "landline"),
    # not valid
    ("12345", "CN", None, None, None),
    ("86 1234", "CN", None, None, None),  # starts like +86 but is too short to carry it
    ("/ 12345", "CN", None, None, None),  # a list of numbers with nothing before its separator
    ("10086", "CN", None, None, None),
    ("95555", "CN", None, None, None),
    ("1380013800", "CN", None, None, None),
    ("138001380001234", "CN", None, None, None),
    ("12012345678", "CN", None, None, None),
    ("+86 000 0000 0000", "CN", None, None, None),
    ("00000000000", "CN", None, None, None),
    ("not a phone", "CN", None, None, None),
    ("转8001", "CN", None, None, None),
    ("+", "CN", None, None, None),
    ("13800138000", "XX", None, None, None),
    ("(415) 555-2671", "XX", None, None, None),
    ("", "CN", None, None, None),
    (None, "CN", None, None, None),
    (float("nan"), "CN", None, None, None),
    (True, "CN", None, None, None),
]


@pytest.mark.parametrize(("value", "region", "e164", "ext", "kind"), PHONES)
def test_phone_table(value, region, e164, ext, kind):
    assert nz.phone(value, region=region) == e164
    assert nz.phone_kind(value, region=region) == kind
    assert _phone.is_valid(value, region) is (e164 is not None)
    if e164 is not None:
        assert nz.phone_extension(value) == ext
        assert _phone.describe(value, region) == (e164, ext, kind)


@pytest.mark.parametrize(
    ("value", "ext"),
    [("010-88886666 转123", "123"), ("010-88886666 分机 123", "123"),
     ("021-58888888 ext. 123", "123"), ("021-58888888 EXT:123", "123"),
     ("021-58888888x123", "123"), ("021-58888888 #123", "123"), ("021-58888888 内线 5", "5"),
     ("021-58888888", None), ("13800138000", None), (None, None),
     # a cell that holds only the extension (an extension column): the documented examples
     ("转8001", "8001"), ("分机 123", "123"), ("ext. 123", "123"), ("x123", "123"),
     ("Ext: 123", "123"), ("extension 123", "123"), (" 转 8001 ", "8001"), ("#8001", "8001"),
     # a marker after too short a number, or after words, is no extension
     ("12 x 5", None), ("Room x12", None), ("Box 123", None), ("转", None), ("x", None)],
)  # fmt: skip
def test_extension_table(value, ext):
    assert nz.phone_extension(value) == ext


def test_an_extension_alone_has_no_main_number():
    assert _phone.describe("转8001") == (None, "8001", None)


def test_extension_examples_in_the_docs_run_as_written():
    """docs/cleaning.md's phone_extension row: every example gives the extension shown."""
    page = Path(__file__).parents[3] / "docs" / "cleaning.md"
    row = next(line for line in page.read_text("utf-8").splitlines() if "`phone_extension(" in line)
    examples, _, result = row.split("|")[2].rpartition("→")
    values = re.findall(r'`"([^"`]+)"`', examples)
    expected = re.fullmatch(r'\s*`"(\d+)"`\s*', result)
    assert len(values) >= 5 and expected is not None, row
    for value in values:
        assert nz.phone_extension(value) == expected.group(1), value


def _reference(digits: str, region: str) -> tuple[str, str] | None:
    """What a full phonenumbers parse says, with the same kinds."""
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    kind = _phone._KINDS.get(phonenumbers.number_type(number), "other")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind


def _random_chinese_digits(rng: random.Random) -> str:
    prefix = rng.choice(["", "", "0", "+86", "0086", "+860"])
    shape = rng.random()
    if shape < 0.5:
        national = "1" + "".join(rng.choices("0123456789", k=10))
    elif shape < 0.9:
        area = rng.choice(["10", "20", "21", "22", "23", "24", "25", "27", "28", "29", "311",
                           "371", "431", "451", "512", "571", "591", "755", "769", "851", "898"])  # fmt: skip
        national = area + "".join(rng.choices("0123456789", k=rng.choice([7, 8])))
    else:
        national = "".join(rng.choices("0123456789", k=rng.randint(7, 12)))
    return prefix + national


def test_fast_path_agrees_with_phonenumbers():
    rng = random.Random(20240611)
    seen = 0
    for _ in range(6000):
        digits = _random_chinese_digits(rng)
        fast = _phone._fast("+" + digits[2:] if digits.startswith("00") else digits, "CN")
        if fast is None:
            continue
        seen += 1
        expected = _reference(digits, "CN")
        assert (None if fast is _phone._INVALID else fast) == expected, digits
    assert seen > 4000


def _random_international_digits(rng: random.Random, country_code: int) -> str:
    """+<country code> and a national number of a plausible length, often a real one."""
    region = phonenumbers.region_code_for_country_code(country_code)
    example = None
    if rng.random() < 0.5:
        kind = rng.choice(
            [PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE]
        )
        example = (
            phonenumbers.example_number_for_non_geo_entity(country_code)
            if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY
            else phonenumbers.example_number_for_type(region, kind)
        )
    if example is not None:
        national = str(example.national_number)
        # keep the shape, vary the tail
        keep = rng.randint(1, max(1, len(national) - 1))
        national = national[:keep] + "".join(rng.choices("0123456789", k=len(national) - keep))
    else:
        national = "".join(rng.choices("0123456789", k=rng.randint(2, 14)))
    return f"+{country_code}{national}"


def test_international_fast_path_agrees_with_phonenumbers_for_every_country_code():
    rng = random.Random(5)
    seen = 0
    for country_code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        for _ in range(60):
            digits = _random_international_digits(rng, country_code)
            fast = _phone._fast(digits, rng.choice(["CN", "US", "DE"]))
            if fast is None:
                continue
            seen += 1
            assert (None if fast is _phone._INVALID else fast) == _reference(digits, "CN"), digits
    assert seen > 8000


def test_lookup_agrees_with_phonenumbers_on_prefixed_mobiles():
    rng = random.Random(7)
    for _ in range(2000):
        national = (
            "1" + "".join(rng.choices("3456789", k=1)) + "".join(rng.choices("0123456789", k=9))
        )
        for digits in (national, "+86" + national, "0086" + national, "86" + national):
            reference = _reference("+" + digits[2:] if digits.startswith("00") else digits, "CN")
            if digits.startswith("86"):
                reference = _reference("+" + digits, "CN")
            assert _phone._lookup(digits, "CN") == reference, digits


# Shapes where the bulk reading of printable ASCII could part from the one-by-one one:
# extensions after short or blank main numbers, several markers, dashes, runs of spaces,
# a trunk "(0)", several numbers, lengths around the cut of MAX_LENGTH.
_BULK_SHAPES = [
    "ext. 123",
    "x12",
    "  x 12  ",
    "12345 x 678",
    "1234567 x 678",
    "010-8888 6666 ext 12 x 34",
    "010-8888 6666 x 1234567",
    "010-8888 6666 #12 ;34",
    "+1 (415) 555-2671 EXT: 12",
    "+1 (415) 555-2671 Extension 12",
    "+1 (415) 555-2671 ext.. 12",
    "415.555.2671,,7",
    "13800138000 , 13900139000",
    "13800138000 or 13900139000",
    "13800138000/ext 5",
    "x",
    "#",
    "",
    "   ",
    "++8613800138000",
    "+86+13800138000",
    "(0)10 8888 6666",
    "+44 (0)20 7946 0958 x 5",
    "555-1234",
    "555  1234 x 9",
    "1" * 500,
    "1380013800" + " " * 395 + "0 x 12",
    "13800138000" + " " * 500 + "x 12",
    "exit 13800138000",
    "text 12",
]


@pytest.mark.parametrize("region", ["CN", "US", "GB", "de", "TW"])
def test_describe_keys_gives_describe_key_of_each_value(region):
    rng = random.Random(7)
    values = [*(case[0] for case in PHONES), *_BULK_SHAPES, None, 13800138000, "\ud800 138"]
    parts = "0123456789 +-().xX#,;/extEXT转分机：、\t"
    values += ["".join(rng.choices(parts, k=rng.randint(1, 25))) for _ in range(2000)]
    values += [_random_chinese_digits(rng) for _ in range(200)]
    assert _phone.describe_keys(values, region) == [
        _phone.describe_key(value, region) for value in values
    ]


def test_describe_keys_reads_printable_numbers_without_describe_key(monkeypatch):
    values = ["+1 (415) 555-2671 ext. 12", "138 0013 8000", "010-8888 6666 x 8001", "转 8001"]
    expected = [_phone.describe_key(value, "CN") for value in values]
    asked = []

    def one_by_one(value, region="CN"):
        asked.append(value)
        return expected[values.index(value)]

    monkeypatch.setattr(_phone, "describe_key", one_by_one)
    assert _phone.describe_keys(values, "CN") == expected
    assert asked == ["转 8001"]  # not printable ASCII


@pytest.mark.parametrize("region", ["CN", "US", "DE"])
def test_describe_keys_types_numbers_of_every_country_code_as_describe_key(region):
    rng = random.Random(11)
    values = [
        rng.choice(["{}", "{} ext 9", " {} "]).format(
            _random_international_digits(rng, country_code)
        )
        for country_code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
        for _ in range(30)
    ]
    values += [_random_chinese_digits(rng) for _ in range(3000)]
    _phone._lookup.cache_clear()  # (one by one after the bulk reading: nothing cached)
    bulk = _phone.describe_keys(values, region)
    assert bulk == [_phone.describe_key(value, region) for value in values]
    assert sum(key is not None and kind != "local" for key, _, kind in bulk) > len(values) / 3
