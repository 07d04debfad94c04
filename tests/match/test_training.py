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


def _agreement_u_pair_by_pair(records, preset, table, seed):
    """agreement_u as it was written first: the whole table hashed, every drawn pair
    decided by the levels' Python tests one at a time (the reference for the faster one)."""
    import numpy as np
    import pyarrow as pa

    from leadlink.match import _training
    from leadlink.match._levels import LEVEL_TESTS, NULL_UNLESS

    wanted = {
        i: level.relative_tf
        for i, level in enumerate(preset.levels)
        if level.relative_tf is not None and level.relative_tf in records.columns
    }
    present = int(records[preset.null_column].notna().sum())
    compared = present * (present - 1) / 2
    if not wanted or compared == 0:
        return {}
    tests = [LEVEL_TESTS[table, level.id] for level in preset.levels]
    null_unless = NULL_UNLESS.get(table) if preset.null_unless is not None else None
    rng = np.random.default_rng(seed)
    arrow = pa.Table.from_pandas(records, preserve_index=False)
    content = pd.util.hash_pandas_object(
        records.drop(columns=["unique_id"], errors="ignore"), index=False
    ).to_numpy()
    out = {}
    for column in dict.fromkeys(wanted.values()):
        codes = pd.factorize(records[column], sort=True, use_na_sentinel=True)[0]
        rows = np.flatnonzero(codes >= 0)
        rows = rows[np.lexsort((content[rows], codes[rows]))]
        sizes = np.bincount(codes[rows]).astype(np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        pairs = sizes * (sizes - 1) // 2
        agreeing = int(pairs.sum())
        if agreeing == 0:
            continue
        if agreeing <= _training.AGREEMENT_PAIRS:
            shared = np.flatnonzero(sizes >= 2)
            within = [np.triu_indices(int(sizes[g]), k=1) for g in shared]
            left = np.concatenate([rows[starts[g] + i] for g, (i, _) in zip(shared, within)])
            right = np.concatenate([rows[starts[g] + j] for g, (_, j) in zip(shared, within)])
        else:
            groups = rng.choice(len(sizes), size=_training.AGREEMENT_PAIRS, p=pairs / agreeing)
            first = rng.integers(0, sizes[groups])
            second = rng.integers(0, sizes[groups] - 1)
            second += second >= first
            left = rows[starts[groups] + first]
            right = rows[starts[groups] + second]
        values = {
            name: arrow.column(name).take(pa.array(np.concatenate([left, right]))).to_pylist()
            for name in records.columns
        }
        drawn = len(left)
        counts = np.zeros(len(tests), dtype=np.int64)
        for k in range(drawn):
            l = {name: column[k] for name, column in values.items()}  # noqa: E741
            r = {name: column[drawn + k] for name, column in values.items()}
            if (l[preset.null_column] is None or r[preset.null_column] is None) and not (
                null_unless is not None and null_unless(l, r)
            ):
                continue
            for i, test in enumerate(tests):
                if test(l, r, preset.null_column):
                    counts[i] += 1
                    break
        for i, level_column in wanted.items():
            if level_column == column and counts[i] > 0:
                out[i] = float(counts[i] / drawn * agreeing / compared)
    return out


def _varied_names(seed: int, people: int = 200) -> pd.DataFrame:
    """Prepared generated leads with names made to reach every name level: nameless leads
    whose mailboxes spell a name, surnames alone, Latin spellings one letter apart."""
    import numpy as np

    rng = np.random.default_rng(seed)
    leads = generate_leads(people, seed=seed).drop(columns=["person_id", "is_ghost"])
    n = len(leads)
    names = leads["name"].astype(object).to_numpy()
    pick = rng.random(n)
    latin = ["Wei Zhang", "Wei Zhang", "Wie Zhang", "Zhang Wei", "Bob Smith", "Robert Smith",
             "Li Ming", "Ming Li", "张伟", "張偉", "Zhang"]  # fmt: skip
    names[pick < 0.15] = rng.choice(latin, size=int((pick < 0.15).sum()))
    names[(pick >= 0.15) & (pick < 0.25)] = None
    surnames = (pick >= 0.25) & (pick < 0.3)
    names[surnames] = rng.choice(["张", "王", "Smith"], size=int(surnames.sum()))
    emails = leads["email"].astype(object).to_numpy()
    boxes = ["zhangwei", "weizhang", "bobsmith", "liming", "wangfang"]
    nameless = (pick >= 0.15) & (pick < 0.25)
    emails[nameless] = [f"{rng.choice(boxes)}{i}@163.com" for i in range(int(nameless.sum()))]
    return _prepare(leads.assign(name=names, email=emails))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("pairs", [400, 1_000_000])
def test_agreement_u_is_the_pair_by_pair_count(seed, pairs, monkeypatch):
    # the same frequencies as deciding every drawn pair in Python, in rows of any order,
    # from every agreeing pair or from a sample of them
    from leadlink.match import _training
    from leadlink.match._comparisons import NAME

    monkeypatch.setattr(_training, "AGREEMENT_PAIRS", pairs)
    prepared = _varied_names(seed)
    expected = _agreement_u_pair_by_pair(prepared, NAME, "name", seed)
    assert expected  # the levels were reached
    assert _training.agreement_u(prepared, NAME, "name", seed) == expected
    shuffled = prepared.sample(frac=1.0, random_state=seed)
    assert _training.agreement_u(shuffled, NAME, "name", seed) == _agreement_u_pair_by_pair(
        shuffled, NAME, "name", seed
    )


def test_whole_array_twins_decide_as_the_levels_python_tests():
    # each whole-array twin gives its level's answer on random pairs (and each filter holds
    # wherever its level does), pairs that agree on a name column included
    import numpy as np

    from leadlink.match import _training
    from leadlink.match._levels import LEVEL_TESTS, NULL_UNLESS

    prepared = pd.concat([_varied_names(seed) for seed in (3, 4)], ignore_index=True)
    rng = np.random.default_rng(0)
    left = rng.integers(0, len(prepared), 20_000)
    right = rng.integers(0, len(prepared), 20_000)
    for column in ("name_key", "name_nick", "name_spelling"):  # pairs that agree
        codes = pd.factorize(prepared[column])[0]
        order = np.argsort(codes, kind="stable")
        ranked = codes[order]
        at = np.flatnonzero((ranked[:-1] == ranked[1:]) & (ranked[:-1] >= 0))
        left = np.concatenate([left, order[at]])
        right = np.concatenate([right, order[at + 1]])
    pairs = _training._Pairs(prepared, left, right)
    at = np.arange(pairs.size)
    rows = [(pairs.row(k), pairs.row(pairs.size + k)) for k in range(pairs.size)]
    checks = [("exact", key, test) for key, test in _training._ARRAY_TESTS.items()]
    checks += [("filter", key, test) for key, test in _training._ARRAY_FILTERS.items()]
    for kind, key, array_test in checks:
        expected = np.array([LEVEL_TESTS[key](l, r, "name_key") for l, r in rows])  # noqa: E741
        got = array_test(pairs, at)
        assert expected.any(), key
        if kind == "exact":
            assert (got == expected).all(), key
        else:
            assert (got | ~expected).all(), key
    for table, array_test in _training._ARRAY_NULL_UNLESS.items():
        expected = np.array([NULL_UNLESS[table](l, r) for l, r in rows])  # noqa: E741
        assert (array_test(pairs, at) == expected).all(), table


def test_a_role_with_one_value_is_left_out():
    # one value on every lead says nothing; a second value, however far down, does
    from leadlink.match._training import _usable_roles

    prepared = _prepare(generate_leads(300, seed=6).drop(columns=["person_id", "is_ghost"]))
    prepared = pd.concat([prepared] * 3, ignore_index=True)  # more than 1,000 rows
    n = len(prepared)
    same_city = prepared.assign(city=["北京"] * (n - 1) + [None])
    roles, excluded = _usable_roles(same_city, {})
    assert "city" not in roles and excluded["city"] == "every lead has the same value"
    late = same_city.assign(city=["北京"] * (n - 1) + ["上海"])
    assert "city" in _usable_roles(late, {})[0]
