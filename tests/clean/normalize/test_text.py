"""Shared text helpers: reading any cell value, 繁→简, pinyin."""

from __future__ import annotations

import decimal
import random

import numpy as np
import pytest

from leadlink.clean.normalize import _text


@pytest.mark.parametrize(
    ("value", "expected"),
    [("  １３８　0013 ", "138 0013"), ("a\x00b\tc", "a b c"), ("\ufeffabc\u200b", "abc"),
     (13800138000, "13800138000"), (13800138000.0, "13800138000"), (1.5, "1.5"),
     (np.int64(7), "7"), (np.float64(7.0), "7"), (decimal.Decimal("3.0"), "3"),
     (float("nan"), None), (float("inf"), None), (True, None), (None, None), ("", None),
     (" \n ", None), (b"abc", None), ([1], None), pytest.param(10**5000, None, id="huge-int")],
)  # fmt: skip
def test_clean(value, expected):
    assert _text.clean(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("張偉", "张伟"), ("北京字節跳動", "北京字节跳动"), ("臺北", "台北"), ("张伟", "张伟"),
     ("Acme", "Acme")],
)  # fmt: skip
def test_to_simplified(text, expected):
    assert _text.to_simplified(text) == expected


def test_to_simplified_shortcut_agrees_with_opencc():
    converter = _text._converter()
    pool = [chr(c) for c in range(0x4E00, 0x9FFF)]
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choices(pool, k=rng.randint(1, 6)))
        assert _text.to_simplified(text) == converter.convert(text)


def test_pinyin_helpers():
    assert _text.to_pinyin_tokens("张伟") == ["zhang", "wei"]
    assert _text.surname_pinyin("单") == "shan"
    assert _text.surname_pinyin("欧阳") == "ouyang"
    assert _text.ascii_fold("José Müller") == "Jose Muller"
    assert _text.ascii_fold("김민준") == "김민준"


# Invisible characters pasted from web pages and chat apps: removed, not read as a space,
# so they split no word (a space in "Zh\u200bang" would make two names of one).
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202e",
             "\u2066", "\ufe0f", "\U000e0041"]  # fmt: skip


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_clean_removes_invisible_characters(char):
    assert _text.clean(f"Zh{char}ang Wei") == "Zhang Wei"
    assert _text.clean(f"{char}张{char}伟{char}") == "张伟"
    assert _text.clean(f"a{char}\tb") == "a b"  # a control character still separates


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
@pytest.mark.parametrize(
    ("normalizer", "value"),
    [("name", "Zhang Wei"), ("name_key", "Zhang Wei"), ("name", "张伟"), ("name_key", "張偉"),
     ("company", "Acme Inc."), ("company", "北京字节跳动科技有限公司"),
     ("email", "zhang.wei@example.com"), ("phone", "138 0013 8000"),
     ("phone_extension", "010-8888 6666 转 8001"), ("title", "Sales Manager"),
     ("title", "销售经理"), ("city", "Beijing"), ("address", "中关村大街1号")],
)  # fmt: skip
def test_every_normalizer_ignores_invisible_characters(normalizer, value, char):
    from leadlink import normalize as nz

    fn = getattr(nz, normalizer)
    expected = fn(value)
    assert expected is not None
    middle = len(value) // 2 + 1
    assert fn(value[:middle] + char + value[middle:]) == expected
    assert fn(char + value + char) == expected
