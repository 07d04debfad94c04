from __future__ import annotations

import pandas as pd
import pytest

from leadlink.errors import ConfigError, ResourceError
from leadlink.match._blocking import (
    DEFAULT_PAIRS_PER_LEAD,
    MIN_PAIR_BUDGET,
    PRESETS,
    add_blocking_keys,
    check_pair_budget,
    pair_budget,
    presets_for,
)


def _prepared(rows: list[dict[str, object]]) -> pd.DataFrame:
    columns = ["unique_id", "name_key", "name_nick", "phone", "phone_ext", "email",
               "email_user", "company", "city"]  # fmt: skip
    return pd.DataFrame([{c: row.get(c) for c in columns} for row in rows])


def test_presets_follow_the_roles_present():
    names = [p.name for p in presets_for(["name", "phone"])]
    assert names == ["phone", "phone_extension", "phone_name", "rare_name"]
    every = [
        p.name
        for p in presets_for(
            ["name", "phone", "email", "company", "city", "address", "postcode", "website"]
        )
    ]
    assert every == [p.name for p in PRESETS]
    # A company alone is no key: it would compare every pair of colleagues.
    assert [p.name for p in presets_for(["company"])] == []


def test_unknown_preset_names_are_refused_with_the_choices():
    with pytest.raises(ConfigError, match="choose from"):
        presets_for(["name"], names=["surname"])


def test_own_exact_and_date_columns_block():
    names = [p.name for p in presets_for(["phone", "x_tax"], extra={"x_tax": "exact"})]
    assert names[-1] == "x_tax"


def test_oversized_blocks_are_capped_and_reported_without_values():
    board = [{"unique_id": f"c{i}", "phone": "+861088886666", "phone_ext": str(i % 3),
              "name_nick": f"person {i}"} for i in range(30)]  # fmt: skip
    mobile = [{"unique_id": "m1", "phone": "+8613800000001"},
              {"unique_id": "m2", "phone": "+8613800000001"}]  # fmt: skip
    keyed, report = add_blocking_keys(
        _prepared(board + mobile), presets_for(["phone", "name"]), max_block_size=20
    )
    # The switchboard (30 leads) is not a key alone; the personal mobile is.
    assert keyed["bk_phone"].iloc[:30].isna().all()
    assert keyed["bk_phone"].iloc[30] == keyed["bk_phone"].iloc[31]
    assert report.capped_keys["phone"] == 1 and report.capped_leads["phone"] == 30
    assert report.comparisons["phone"] == 1
    # Switchboard + extension still splits it into personal lines of 10 leads each.
    assert keyed["bk_phone_extension"].iloc[:30].nunique() == 3
    assert report.comparisons["phone_extension"] == 3 * (10 * 9 // 2)
    assert "+8610" not in report.to_frame().to_string()


def test_rare_name_only_blocks_names_on_few_leads():
    common = [{"unique_id": f"z{i}", "name_nick": "wei zhang"} for i in range(11)]
    rare = [{"unique_id": f"h{i}", "name_nick": "huagang huang"} for i in range(3)]
    keyed, report = add_blocking_keys(_prepared(common + rare), presets_for(["name"]))
    assert keyed["bk_rare_name"].iloc[:11].isna().all()
    assert keyed["bk_rare_name"].iloc[11:].notna().all()
    assert report.capped_keys["rare_name"] == 1


def test_excluded_leads_get_no_keys():
    rows = [{"unique_id": "a", "phone": "+8613800000001"},
            {"unique_id": "b", "phone": "+8613800000001"}]  # fmt: skip
    keyed, report = add_blocking_keys(
        _prepared(rows), presets_for(["phone"]), exclude=pd.Series([True, False])
    )
    assert keyed["bk_phone"].isna().iloc[0]
    assert report.comparisons["phone"] == 0


def test_a_block_size_below_two_is_refused():
    with pytest.raises(ConfigError, match="max_block_size"):
        add_blocking_keys(_prepared([]), PRESETS, max_block_size=1)


def test_mailbox_name_blocks_only_a_nameless_lead_with_named_ones():
    spelled = "".join(sorted("zhouqiang"))
    prepared = pd.DataFrame(
        {
            "unique_id": list("abcdefg"),
            # a: no name, its mailbox spells b's and c's name; d and e are named only, f is
            # a lone nameless lead, g has no spelling
            "name_key": [None, "qiang zhou", "qiang zhou", "na li", "na li", None, "wei"],
            "name_spelling": [spelled, spelled, spelled, "ailn", "ailn", "acem", None],
        }
    )
    preset = next(p for p in PRESETS if p.name == "mailbox_name")
    assert preset.roles == {"name", "email"}
    keyed, report = add_blocking_keys(prepared, [preset])
    # two pairs (a-b, a-c), not the named pair b-c nor d-e; blocks without a pair are unused
    assert report.comparisons["mailbox_name"] == 2
    assert keyed[preset.column].tolist() == [spelled] * 3 + [None] * 4
    assert preset.condition == '(l."name_key" IS NULL) <> (r."name_key" IS NULL)'
    assert preset.sql() == f'l."{preset.column}" = r."{preset.column}" AND {preset.condition}'
    phone = next(p for p in PRESETS if p.name == "phone")
    assert phone.sql() == 'l."bk_phone" = r."bk_phone"'
    assert phone.sql(training=True) == (
        'l."bk_phone" = r."bk_phone" AND l."phone" = r."phone" AND l."phone_shared" = 0'
    )


def test_a_block_size_above_the_ceiling_is_refused():
    """A model file could lift the cap to 10**12: one 12k-lead block of a shared phone ran
    past 138 s and 10 GB of spill."""
    with pytest.raises(ConfigError, match=r"max_block_size must be an integer in \[2, 5000\]"):
        add_blocking_keys(_prepared([]), PRESETS, max_block_size=10**12)


def _in_blocks(n_blocks: int, size: int) -> pd.DataFrame:
    """Leads sharing a phone in blocks of ``size``, each with its own name."""
    rows = [{"unique_id": f"L{b}-{i}", "phone": f"+86138000{b:05d}", "name_nick": f"p {b} {i}"}
            for b in range(n_blocks) for i in range(size)]  # fmt: skip
    return _prepared(rows)


def test_the_pair_budget_names_the_preset_that_makes_the_most():
    """200k leads in many 200-lead blocks filled 20 GB of temp disk: the pairs are counted
    and refused before any is made."""
    prepared = _in_blocks(20, 50)  # 20 phones of 50 leads: 24,500 pairs
    _, report = add_blocking_keys(prepared, presets_for(["phone", "name"]))
    assert report.total_comparisons == 20 * 50 * 49 // 2
    check_pair_budget(report, 24_500, len(prepared))  # at the budget: fine
    with pytest.raises(ResourceError) as refused:
        check_pair_budget(report, 24_499, len(prepared))
    message = str(refused.value)
    assert "would make 24,500 pairs to compare, more than max_pairs=24,499" in message
    assert "Preset 'phone' makes the most, 24,500 pairs in blocks of up to 50 leads" in message
    assert "blocking=['phone_extension', 'phone_name', 'rare_name']" in message
    assert "max_block_size (now 200; --max-block-size)" in message
    assert "+86138" not in message  # counts, never key values


def test_the_default_budget_grows_with_the_leads():
    assert pair_budget(None, 10) == MIN_PAIR_BUDGET
    assert pair_budget(None, 1_000_000) == DEFAULT_PAIRS_PER_LEAD * 1_000_000
    assert pair_budget(7, 1_000_000) == 7
    # blocks of 200 leads on one key alone make 99.5 pairs a lead: over the default
    prepared = _in_blocks(2, 200)
    _, report = add_blocking_keys(prepared, presets_for(["phone"]))
    assert report.total_comparisons / len(prepared) == 99.5
    assert report.total_comparisons * 1_000_000 / len(prepared) > pair_budget(None, 1_000_000)
