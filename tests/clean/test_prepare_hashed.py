"""A prepared table built with ``hash_key`` holds no phone, email or address in clear, in
any column; equal addresses stay equal, and the website (a company's domain) stays clear."""

from __future__ import annotations

import pandas as pd

from leadlink.clean._prepare import PSEUDONYMISED_COLUMNS, prepare

KEY = "a-secret-key-of-32-characters-xx"

LEADS = pd.DataFrame(
    {
        "lead_id": ["L1", "L2", "L3", "L4"],
        "name": ["Zhou Qiang", "张伟", None, "Mary Jones"],
        "phone": ["138 0013 8000", "010-8888 6666 转 8001", "882 4567", "+1 415 555 0100"],
        "email": ["Zhang.Wei@Example.com", "zhouqiang273@163.com", "lina@qq.com", None],
        "company": ["Acme Inc.", "北京某某科技有限公司", None, "Acme Inc."],
        "address": [
            "12 North Main Street, Apt. 4, Springfield, IL 62704",
            "广东省深圳市南山区科苑路15号2栋101室",
            "12 N Main St #4, Springfield, IL 62704",
            "77 Harbor Blvd",
        ],
        "postcode": [None, "518057", None, "94103-1234"],
        "website": ["https://www.acme.co.uk/about", None, None, "acme.co.uk"],
    }
)
ROLES = {role: role for role in LEADS.columns if role != "lead_id"}


def _prepared(hash_key: str | None) -> pd.DataFrame:
    return prepare(LEADS, ROLES, id_column="lead_id", region="CN", hash_key=hash_key)


def _personal_values() -> set[str]:
    """Every phone, email and address of the leads: as entered, and every normalised form
    of it that a clear prepared table holds (E.164, local digits, mailbox, its name and
    domain, address key and parts, postcode)."""
    clear = _prepared(None)
    values = {str(v) for role in ("phone", "email", "address", "postcode") for v in LEADS[role]}
    for column in PSEUDONYMISED_COLUMNS:
        values |= {str(v) for v in clear[column].dropna()}
    values |= {v.lstrip("+") for v in clear["phone"].dropna()}  # E.164 without its "+"
    values |= {v.removeprefix("local:") for v in clear["phone"].dropna()}
    return values - {"None", "nan"}


def test_no_column_holds_a_phone_email_or_address_in_clear():
    hashed = _prepared(KEY)
    secrets = _personal_values()
    assert {"+8613800138000", "local:8824567", "zhang.wei@example.com", "n main st"} <= secrets
    assert {"12", "u4", "62704", "518057", "科苑路15号", "b2 r101"} <= secrets
    long_ones = [s for s in secrets if len(s) >= 6]
    for column in hashed.columns:
        for cell in hashed[column].dropna().astype(str):
            assert cell not in secrets, column
            leaked = [s for s in long_ones if s in cell]
            assert not leaked, column


def test_equal_addresses_stay_equal_and_the_website_stays_clear():
    clear, hashed = _prepared(None), _prepared(KEY)
    for column in PSEUDONYMISED_COLUMNS:
        # the same leads share a value in the hashed table exactly where they do in clear
        assert (
            pd.factorize(hashed[column])[0].tolist() == pd.factorize(clear[column])[0].tolist()
        ), column
        assert hashed[column].dropna().str.fullmatch("[0-9a-f]{32}").all(), column
    # 12 North Main Street, Apt. 4 and 12 N Main St #4: one address, one pseudonym
    assert hashed["address"][0] == hashed["address"][2] != hashed["address"][1]
    assert (
        hashed["website"].tolist()
        == clear["website"].tolist()
        == [
            "acme.co.uk",
            None,
            None,
            "acme.co.uk",
        ]
    )


def test_another_key_gives_other_pseudonyms():
    one = _prepared(KEY)
    other = _prepared("another-secret-key-of-32-chars-x")
    assert not set(one["address"].dropna()) & set(other["address"].dropna())
