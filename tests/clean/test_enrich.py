from __future__ import annotations

import pandas as pd
import pytest

import leadlink as ll
from leadlink.clean._enrich import enrich

LEADS = pd.DataFrame(
    {
        "姓名": ["张伟", "李娜", "王芳", "Bob", "赵六"],
        "公司名称": ["字节跳动（北京）科技有限公司", "腾讯科技(深圳)有限公司", "Acme, Inc.", "ACME Inc",
                 "无名小公司"],
        "城市": [None, "深圳", "上海", "", None],
        "地址": [None, None, "外滩1号", None, None],
    },
    index=[10, 11, 12, 13, 14],
)  # fmt: skip

REGISTRY = pd.DataFrame(
    {
        "company": ["北京字节跳动科技有限公司", "腾讯科技（深圳）有限公司", "Acme Incorporated",
                    "重复公司", "重复公司"],
        "city": ["北京", "深圳", "San Francisco", "A", "B"],
        "address": ["海淀区中关村", "南山区", "1 Market St", None, None],
    }
)  # fmt: skip


def test_missing_values_are_filled_from_the_normalised_key_and_recorded():
    result = enrich(LEADS, REGISTRY, key="company", source="registry-2026")
    out = result.leads
    assert out.index.tolist() == LEADS.index.tolist()
    assert out.loc[10, "城市"] == "北京" and out.loc[10, "地址"] == "海淀区中关村"
    assert out.loc[13, "城市"] == "San Francisco"  # blank counts as missing
    assert pd.isna(out.loc[14, "城市"])  # no reference row
    filled = result.filled
    assert set(filled["source"]) == {"registry-2026"}
    assert {(r, c) for r, c in zip(filled["row"], filled["role"])} >= {
        (10, "city"),
        (10, "address"),
        (13, "city"),
    }
    for _, record in filled.iterrows():
        assert REGISTRY.loc[record["reference_row"], record["role"]] == record["value"]


def test_present_values_are_never_overwritten_and_disagreements_are_reported():
    result = enrich(LEADS, REGISTRY, key="company")
    assert result.leads.loc[12, "城市"] == "上海"
    assert result.leads.loc[12, "地址"] == "外滩1号"
    disagreements = result.disagreements
    assert ((disagreements["row"] == 12) & (disagreements["role"] == "city")).any()
    assert not ((disagreements["row"] == 11) & (disagreements["role"] == "city")).any()


def test_ambiguous_reference_keys_are_not_used():
    leads = pd.DataFrame({"company": ["重复公司"], "city": [None]})
    result = enrich(leads, REGISTRY)
    assert result.filled.empty and pd.isna(result.leads.loc[0, "city"])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"key": "fax"}, ll.ConfigError, "key must be"),
        ({"fields": ["phone"]}, ll.ConfigError, "cannot fill"),
        ({"key": "email"}, ll.ColumnError, "join on"),
    ],
)
def test_bad_options_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        enrich(LEADS, REGISTRY, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"key": "fax"}, ll.ConfigError, "key 须为 .* 之一，而不是 'fax'"),
        ({"fields": ["phone"]}, ll.ConfigError, "无法补全"),
        ({"key": "email"}, ll.ColumnError, "leads 中没有可用于关联的 'email' 列"),
    ],
)
def test_bad_options_are_refused_in_chinese(kwargs, error, message):
    ll.set_language("zh")
    with pytest.raises(error, match=message):
        enrich(LEADS, REGISTRY, **kwargs)
