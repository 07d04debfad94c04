from __future__ import annotations

import pandas as pd
import pytest

import leadlink as ll
from leadlink.datasets import generate_leads
from leadlink.match import LeadModel
from leadlink.schema import resolve_columns


def _prepare(leads: pd.DataFrame) -> pd.DataFrame:
    return ll.prepare(leads, resolve_columns(leads, id_column="lead_id"), id_column="lead_id")


def _matching_pairs(leads: pd.DataFrame) -> float:
    """The number of matching pairs the model's λ stands for."""
    prepared = _prepare(leads)
    n = len(prepared)
    return LeadModel(seed=1).fit(prepared).lambda_ * n * (n - 1) / 2


def test_namesakes_on_a_switchboard_do_not_raise_lambda():
    # λ counts the pairs of the same phone and name only on personal lines: two
    # colleagues of one name on their company's switchboard are two people (before, 60
    # of them made the estimated matching pairs 22-27 % more, and so every pair that
    # agrees on name and company scored too high)
    leads = generate_leads(400, seed=5).drop(columns=["person_id", "is_ghost"])
    prepared = _prepare(leads)
    on_board = leads[(prepared["phone_shared"] == 1).to_numpy() & leads["name"].notna().to_numpy()]
    colleagues = on_board.head(60).assign(
        lead_id=lambda frame: "C" + frame["lead_id"], email=None, title=None
    )
    before = _matching_pairs(leads)
    after = _matching_pairs(pd.concat([leads, colleagues], ignore_index=True))
    assert after / before < 1.1


def test_u_of_a_level_on_a_common_value_is_counted_on_the_agreeing_pairs(monkeypatch):
    # the levels with a relative term frequency (the same name key, a mailbox that spells
    # the other's name) hold only for pairs that agree on their column: their share of the
    # compared pairs is counted on those pairs, all of them or a sample
    from leadlink.match import _training
    from leadlink.match._comparisons import NAME
    from leadlink.match._levels import LEVEL_TESTS, NULL_UNLESS

    leads = generate_leads(150, seed=3).drop(columns=["person_id", "is_ghost"])
    prepared = _prepare(leads)
    rows = prepared.astype(object).where(prepared.notna(), None).to_dict("records")
    wanted = {i for i, level in enumerate(NAME.levels) if level.relative_tf}
    counts = dict.fromkeys(wanted, 0)
    for a in range(len(rows)):
        for b in range(a + 1, len(rows)):
            l, r = rows[a], rows[b]  # noqa: E741
            if (l["name_key"] is None or r["name_key"] is None) and not NULL_UNLESS["name"](l, r):
                continue
            for i, level in enumerate(NAME.levels):
                if LEVEL_TESTS["name", level.id](l, r, "name_key"):
                    if i in counts:
                        counts[i] += 1
                    break
    present = int(prepared["name_key"].notna().sum())
    exact = {i: counts[i] / (present * (present - 1) / 2) for i in wanted}
    assert _training.agreement_u(prepared, NAME, "name", seed=0) == pytest.approx(exact)
    # in rows of any order
    shuffled = prepared.sample(frac=1.0, random_state=1)
    assert _training.agreement_u(shuffled, NAME, "name", seed=0) == pytest.approx(exact)
    # from a sample of the agreeing pairs when they are many: four common names, and
    # nameless leads whose mailboxes spell them
    names = {"张伟": "zhangwei", "王芳": "wangfang", "刘洋": "liuyang", "陈静": "chenjing"}
    people = [
        {"lead_id": f"N{i}", "name": name, "phone": f"1380013{i:04d}", "email": None}
        for i, name in enumerate(list(names) * 100)
    ] + [
        {"lead_id": f"M{i}", "name": None, "phone": None, "email": f"{box}{i}@163.com"}
        for i, box in enumerate(["zhangwei"] * 10 + ["wangfang"] * 5 + ["liuyang", "chenjing"])
    ]
    common = _prepare(pd.DataFrame(people))
    monkeypatch.setattr(_training, "AGREEMENT_PAIRS", 5_000)
    sampled = _training.agreement_u(common, NAME, "name", seed=0)
    named = common["name_key"].notna()
    nameless = common.loc[~named, "name_spelling"].value_counts()
    spelled = common.loc[named, "name_spelling"].value_counts()
    pairs = float((nameless * spelled.reindex(nameless.index, fill_value=0)).sum())
    expected = pairs / (named.sum() * (named.sum() - 1) / 2)
    assert sampled[NAME.level_ids.index("spelled_by_mailbox")] == pytest.approx(expected, rel=0.1)
