"""Masks and keyed hashes for the outputs: what a mask keeps, that the hashes are the
prepared table's own, that nothing raises on junk."""

from __future__ import annotations

import pandas as pd
import pytest

from leadlink import ConfigError
from leadlink.clean import OUTPUT_MODES, OutputMasking, prepare
from leadlink.clean._privacy import mask_email, mask_name, mask_phone
from leadlink.schema import resolve_columns

KEY = "a-secret-key-of-32-characters-xx"

MASKED = [
    # function,  as entered,                 shown
    (mask_phone, "138 0013 8000",           "+86138****8000"),
    (mask_phone, "+86 138-0013-8000",       "+86138****8000"),
    (mask_phone, "010-8888 6666 转 8001",   "+86108***6666 ext. ***"),
    (mask_phone, "+1 415 555 0100",         "+1415***0100"),
    (mask_phone, "not a phone 123456789",   "****89"),
    (mask_phone, "12345",                   "****"),
    (mask_phone, "  ",                      None),
    (mask_email, "Zhang.Wei@Example.com",   "z***@example.com"),
    (mask_email, "zw@qq.com",               "z***@qq.com"),
    (mask_email, "not an address",          "***"),
    (mask_email, "",                        None),
    (mask_name,  "张伟",                    "张*"),
    (mask_name,  "張偉",                    "張*"),
    (mask_name,  "欧阳娜娜",                "欧***"),
    (mask_name,  "张总",                    "张*"),
    (mask_name,  "Zhang Wei",               "Z*** W***"),
    (mask_name,  "Zhu, Wei",                "Z***, W***"),
    (mask_name,  "Robert Smith Jr.",        "R*** S*** J***."),
    (mask_name,  "Agent 007",               "A*** ***"),
    (mask_name,  None,                      None),
]  # fmt: skip


@pytest.mark.parametrize(("mask", "value", "shown"), MASKED)
def test_masks(mask, value, shown):
    assert mask(value) == shown


@pytest.mark.parametrize("mask", [mask_phone, mask_email, mask_name])
@pytest.mark.parametrize(
    "junk", [None, "", 0, 1.5, float("nan"), pd.NA, "€", "😴", "x" * 1_000_000]
)
def test_masks_never_raise_on_junk(mask, junk):
    shown = mask(junk)
    assert shown is None or isinstance(shown, str)


def test_hashed_outputs_are_the_prepared_tables_pseudonyms():
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3"],
            "name": ["张伟", "Zhang Wei", "李娜"],
            "phone": ["138 0013 8000", "010-8888 6666 转 8001", "garbage"],
            "email": ["Zhang.Wei@Example.com", None, "lina@163.com"],
        }
    )
    prepared = prepare(
        leads, resolve_columns(leads, id_column="lead_id"), id_column="lead_id", hash_key=KEY
    )
    masking = OutputMasking("hashed", hash_key=KEY)
    assert masking.value("phone", "138 0013 8000") == prepared["phone"][0]
    assert masking.value("phone", "010-8888 6666 转 8001") == (
        f"{prepared['phone'][1]};ext={prepared['phone_ext'][1]}"
    )
    assert masking.value("email", "Zhang.Wei@Example.com") == prepared["email"][0]
    assert masking.value("phone", "garbage") not in (None, "garbage")  # hashed as entered
    assert masking.value("name", "张伟") == "张伟"  # names only with names=True
    assert OutputMasking("hashed", names=True, hash_key=KEY).value("name", "张伟") == "张*"
    # a prepared key is already hashed under the key: shown as it is
    key = f"{prepared['phone'][1]};ext={prepared['phone_ext'][1]}"
    assert masking.key("phone", key) == key
    assert OutputMasking("masked", hash_key=KEY).key("phone", key) == key


def test_masked_keys_of_a_clear_prepared_table():
    masking = OutputMasking("masked", names=True)
    assert masking.key("phone", "+861088886666;ext=8001") == "+86108***6666 ext. ***"
    assert masking.key("email", "zhangwei@example.com") == "z***@example.com"
    assert masking.key("name", "wei zhang") == "w*** z***"
    assert masking.key("company", "字节跳动") == "字节跳动"


def test_clear_outputs_are_left_alone():
    frame = pd.DataFrame({"phone": ["138 0013 8000"], "email": ["zw@qq.com"], "name": ["张伟"]})
    assert OutputMasking().columns(frame) is frame
    assert OutputMasking(names=True).columns(frame).iloc[0].tolist() == [
        "138 0013 8000",
        "zw@qq.com",
        "张*",
    ]


def test_rows_are_shown_by_their_role():
    lineage = pd.DataFrame(
        {
            "role": ["phone", "email", "company", "name"],
            "value": ["138 0013 8000", "zw@qq.com", "字节跳动", "张伟"],
        }
    )
    shown = OutputMasking("masked").rows(lineage)
    assert shown["value"].tolist() == ["+86138****8000", "z***@qq.com", "字节跳动", "张伟"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "hidden"}, "outputs must be one of"),
        ({"mode": "hashed"}, "needs hash_key"),
        ({"mode": "masked", "hash_key": "short"}, "16 bytes"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ConfigError, match=message):
        OutputMasking(**options)


def test_the_key_is_not_shown():
    assert KEY not in repr(OutputMasking("hashed", hash_key=KEY))
    assert OUTPUT_MODES == ("clear", "masked", "hashed")
