from __future__ import annotations

import pandas as pd
import pytest

from leadlink.errors import ColumnError, InputError
from leadlink.schema import check_ids, resolve_columns


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["name", "phone", "email"], {"name": "name", "phone": "phone", "email": "email"}),
        (["姓名", "手机", "邮箱", "公司名称", "城市"],
         {"name": "姓名", "phone": "手机", "email": "邮箱", "company": "公司名称", "city": "城市"}),
        (["Full Name", "Mobile Phone", "E-mail", "Company_Name"],
         {"name": "Full Name", "phone": "Mobile Phone", "email": "E-mail", "company": "Company_Name"}),
        (["联系人", "联系电话", "创建时间", "线索来源"],
         {"name": "联系人", "phone": "联系电话", "created_at": "创建时间", "source": "线索来源"}),
        (["备注", "客户等级"], {}),
    ],
)  # fmt: skip
def test_roles_are_detected_from_english_and_chinese_headers(headers, expected):
    assert resolve_columns(pd.DataFrame(columns=headers)) == expected


def test_explicit_mapping_wins_and_other_roles_are_still_detected():
    frame = pd.DataFrame(columns=["客户", "手机", "tel2"])
    assert resolve_columns(frame, {"name": "客户"}) == {"name": "客户", "phone": "手机"}


def test_two_columns_for_one_role_is_an_error_that_says_how_to_choose():
    frame = pd.DataFrame(columns=["phone", "mobile"])
    with pytest.raises(ColumnError, match=r"columns=\{'phone'"):
        resolve_columns(frame)


@pytest.mark.parametrize(
    ("columns", "message"),
    [({"telephone": "phone"}, "unknown role"), ({"phone": "nope"}, "not a column")],
)
def test_bad_mappings_are_refused(columns, message):
    with pytest.raises(ColumnError, match=message):
        resolve_columns(pd.DataFrame(columns=["phone"]), columns)


def test_id_column_is_never_taken_as_a_role():
    frame = pd.DataFrame(columns=["name", "phone"])
    assert resolve_columns(frame, id_column="name") == {"phone": "phone"}


def test_ids_are_checked():
    assert check_ids(pd.DataFrame({"id": [1, 2.0, "x"]}), "id").tolist() == ["1", "2", "x"]
    with pytest.raises(InputError, match="more than one lead"):
        check_ids(pd.DataFrame({"id": ["a", "a"]}), "id")
    with pytest.raises(InputError, match="no value"):
        check_ids(pd.DataFrame({"id": ["a", None]}), "id")
    with pytest.raises(ColumnError, match="not in the input"):
        check_ids(pd.DataFrame({"x": [1]}), "id")


def test_column_and_id_errors_in_chinese():
    from leadlink._i18n import set_language

    set_language("zh")
    with pytest.raises(ColumnError, match=r"有多列看起来都是 'phone' 角色.*请用 columns="):
        resolve_columns(pd.DataFrame(columns=["phone", "mobile"]))
    with pytest.raises(ColumnError, match="columns 中的角色 'telephone' 未知"):
        resolve_columns(pd.DataFrame(columns=["phone"]), {"telephone": "phone"})
    with pytest.raises(InputError, match="'id' 列中有 1 个 ID 被多条线索共用"):
        check_ids(pd.DataFrame({"id": ["a", "a"]}), "id")


def test_non_frames_are_refused():
    with pytest.raises(InputError, match="pandas DataFrame"):
        resolve_columns([{"name": "x"}])  # type: ignore[arg-type]


def test_derived_role_lists_keep_their_order():
    """Output column orders (prepared table, golden records) come from these lists."""
    from leadlink.schema import (
        COMPARED_ROLES,
        MATCH_ROLES,
        PREPARED_COLUMNS,
        ROLE_OF_COLUMN,
        SURVIVED_ROLES,
    )

    assert MATCH_ROLES == ("name", "phone", "email", "company", "city", "address", "website")
    assert COMPARED_ROLES == (
        "name", "phone", "email", "company", "city", "title", "address", "postcode", "website",
    )  # fmt: skip
    assert SURVIVED_ROLES == COMPARED_ROLES
    assert PREPARED_COLUMNS == (
        "unique_id", "name", "name_key", "name_nick", "name_han", "name_partial",
        "name_spelling", "phone", "phone_ext", "phone_kind", "phone_shared", "phone_tail",
        "email", "email_user", "email_domain", "email_letters", "email_free", "company",
        "company_latin", "employer", "employer_latin", "org", "org_words", "org_brand",
        "org_latin", "city", "title", "address",
        "address_street", "address_road", "address_number", "address_unit", "postcode",
        "website",
    )  # fmt: skip
    assert ROLE_OF_COLUMN["employer"] == "company"
    assert ROLE_OF_COLUMN["phone_ext"] == "phone"


def test_every_role_has_header_spellings_and_its_key_is_a_prepared_column():
    from leadlink.schema import ROLE

    for spec in ROLE.values():
        assert spec.headers, spec.name
        assert spec.key is None or spec.key in spec.prepared, spec.name
        assert spec.extension is None or spec.extension in spec.prepared, spec.name


@pytest.mark.parametrize(
    ("header", "personal"),
    [
        ("张伟", True),
        ("張偉", True),
        ("13800138000", True),
        ("010-8888 6666", True),
        ("+86 138 0013 8000", True),
        ("zw@example.com", True),
        ("姓名", False),  # a known header spelling
        ("编号", False),
        ("备注", False),
        ("电话2", False),
        ("lead_id", False),
        ("2024", False),
    ],
)
def test_headers_that_could_be_personal_data(header, personal):
    from leadlink.schema import looks_personal

    assert looks_personal(header) is personal


def test_messages_never_quote_a_header_that_could_be_personal_data():
    """A headerless file's "headers" are its first lead: name, phone, email (issue 20)."""
    from leadlink.schema import describe_columns

    first_lead = ["张伟", "13800138000", "zw@example.com", "北京"]
    frame = pd.DataFrame([["李娜", "13900139000", "ln@example.com", "上海"]], columns=first_lead)
    with pytest.raises(ColumnError, match="id column 'lead_id' is not in the input") as error:
        check_ids(frame, "lead_id")
    message = str(error.value)
    assert "'北京' and 3 that look like personal data, not shown" in message
    for value in first_lead[:3]:
        assert value not in message
    with pytest.raises(ColumnError) as error:
        resolve_columns(frame, {"phone": "手机"})
    assert not any(value in str(error.value) for value in first_lead[:3])
    assert describe_columns([]) == "no columns"
    assert describe_columns(["a", "b", "c"], limit=2) == "'a', 'b' and 1 more"
