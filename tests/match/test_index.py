from __future__ import annotations

import json
import random

import duckdb
import numpy as np
import pandas as pd
import pytest

import leadlink as ll
from leadlink.datasets import generate_accounts, generate_leads
from leadlink.errors import InputError, ModelError
from leadlink.match import CandidateIndex, _copies
from leadlink.match._blocking import add_blocking_keys, presets_for
from leadlink.match._comparisons import (
    COMPARISONS,
    EXTRA_KINDS,
    ORGANISATION_COMPARISONS,
    extra_comparison,
)
from leadlink.match._index import _key
from leadlink.match._levels import (
    EXACT_ON,
    LEVEL_TESTS,
    NULL_UNLESS,
    damerau_within_one,
    jaro_winkler,
    levenshtein_within_one,
    table_of,
)
from leadlink.match._model import LeadModel
from leadlink.schema import resolve_columns


def _prepare(leads: pd.DataFrame, id_column: str, extra: dict[str, str] | None = None):
    return ll.prepare(
        leads, resolve_columns(leads, id_column=id_column), id_column=id_column, extra=extra
    )


@pytest.fixture(scope="module")
def mixed(small_leads, small_result):
    """Chinese and international leads, with the model the session's dedupe trained."""
    leads = small_leads.drop(columns=["person_id", "is_ghost"])
    return small_result.model, _prepare(leads, "lead_id")


@pytest.fixture(scope="module")
def chinese():
    """Mostly Chinese leads (half the leads of generate_leads are Chinese by default)."""
    leads = generate_leads(250, seed=12, intl_share=0.05).drop(columns=["person_id", "is_ghost"])
    prepared = _prepare(leads, "lead_id")
    return LeadModel(seed=2).fit(prepared), prepared


_EXTRA = {"date_of_birth": "date", "member_no": "exact", "nickname": "fuzzy", "budget": "numeric"}


@pytest.fixture(scope="module")
def with_extra():
    """The user's own columns of every kind, a must-link and a never-link rule."""
    leads = generate_leads(250, seed=13)
    rng = np.random.default_rng(13)
    people = leads["person_id"].unique()
    born = {p: f"19{rng.integers(50, 99)}-{rng.integers(1, 12):02d}-{rng.integers(1, 28):02d}"
            for p in people}  # fmt: skip
    member = {p: f"M{rng.integers(0, 400):05d}" for p in people}
    budget = {p: float(rng.choice([0, 1000, 1005, 5000, 5400, -300])) for p in people}
    nickname = {
        p: str(rng.choice(["ace", "aces", "bobby", "bobbie", "cat", "张伟"])) for p in people
    }

    def noisy(values: dict, share: float, swap) -> list:
        out = []
        for p in leads["person_id"]:
            value = values[p]
            draw = rng.random()
            out.append(None if draw < share else swap(value) if draw < 2 * share else value)
        return out

    leads["date_of_birth"] = noisy(born, 0.15, lambda v: v[:-1] + "1")
    leads["member_no"] = noisy(member, 0.2, lambda v: "M00001")
    leads["nickname"] = noisy(nickname, 0.1, lambda v: v + "y")
    leads["budget"] = noisy(budget, 0.1, lambda v: v * 1.05)
    leads = leads.drop(columns=["person_id", "is_ghost"])
    prepared = _prepare(leads, "lead_id", _EXTRA)
    model = LeadModel(seed=2, extra=_EXTRA, must_link=["email"], never_link=["member_no"])
    return model.fit(prepared), prepared


@pytest.fixture(scope="module")
def accounts():
    """Organisations (entity="company")."""
    records = generate_accounts(200, seed=14).drop(columns=["company_id"])
    prepared = _prepare(records, "account_id")
    return LeadModel(seed=2, entity="company").fit(prepared), prepared


# -- the levels -------------------------------------------------------------------------


def _every_preset():
    for entity, presets in (("person", COMPARISONS), ("company", ORGANISATION_COMPARISONS)):
        for preset in presets.values():
            yield table_of(preset, entity, None), preset
    for kind in EXTRA_KINDS:
        yield table_of(None, "person", kind), extra_comparison("x_own", kind)


def test_every_level_of_every_comparison_has_a_python_twin():
    tables = set()
    for table, preset in _every_preset():
        tables.add(table)
        for level in preset.levels:
            assert (table, level.id) in LEVEL_TESTS, f"no Python test for {table}.{level.id}"
        assert (preset.null_unless is None) == (table not in NULL_UNLESS)
    # nothing in the table that no comparison has
    known = {(t, level.id) for t, p in _every_preset() for level in p.levels}
    assert set(LEVEL_TESTS) == known
    assert set(EXACT_ON) <= known
    assert {t for t, _ in LEVEL_TESTS} == tables


def test_term_frequencies_start_from_the_u_splink_starts_from():
    # Splink adjusts a level from the u of the first plain exact-match level on its column
    for table, preset in _every_preset():
        if not preset.has_tf:
            continue
        n = len(preset.levels)
        m = [0.5 / (i + 1) for i in range(n)]
        u = [0.01 * (i + 1) for i in range(n)]
        levels = preset.build(m, u).get_comparison("duckdb").comparison_levels
        for level in levels:
            if not level._has_tf_adjustments:
                continue
            splink_u = level._u_probability_corresponding_to_exact_match(levels)
            ours = next(
                u[i]
                for i, other in enumerate(preset.levels)
                if (table, other.id) in EXACT_ON
                and (EXACT_ON[table, other.id] or preset.null_column)
                == level._tf_adjustment_input_column_name
            )
            assert ours == splink_u, (table, level.label_for_charts)


def _random_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    alphabet = [*"abcab xyz0123·", "张", "伟", "王", "芳", "é"]
    pairs = []
    for _ in range(n):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        b = list(a)
        for _ in range(rng.randint(0, 3)):
            i = rng.randint(0, max(len(b) - 1, 0))
            draw = rng.random()
            if draw < 0.3:
                b.insert(i, rng.choice(alphabet))
            elif draw < 0.5 and b:
                b.pop(i)
            elif draw < 0.7 and len(b) > 1:
                i = min(i, len(b) - 2)
                b[i], b[i + 1] = b[i + 1], b[i]
            elif b:
                b[i] = rng.choice(alphabet)
        if rng.random() < 0.2:
            b = [rng.choice(alphabet) for _ in range(rng.randint(0, 6))]
        pairs.append((a, "".join(b)))
    return pairs


def test_string_functions_agree_with_duckdb_to_the_last_bit():
    pairs = _random_pairs(4000, seed=3)
    frame = pd.DataFrame(pairs, columns=["a", "b"])
    connection = duckdb.connect()
    connection.register("frame", frame)
    got = connection.execute(
        "SELECT jaro_winkler_similarity(a, b) AS jw, levenshtein(a, b) <= 1 AS lev, "
        "damerau_levenshtein(a, b) <= 1 AS dl, "
        "array_length(array_intersect(str_split(a, ' '), str_split(b, ' '))) AS shared "
        "FROM frame"
    ).df()
    assert [jaro_winkler(a, b) for a, b in pairs] == got["jw"].tolist()
    assert [levenshtein_within_one(a, b) for a, b in pairs] == got["lev"].tolist()
    assert [damerau_within_one(a, b) for a, b in pairs] == got["dl"].tolist()
    shared = [len(set(a.split(" ")) & set(b.split(" "))) for a, b in pairs]
    assert shared == got["shared"].tolist()


# -- the same pairs, the same scores as batch -----------------------------------------------


def _same_as_batch(model: LeadModel, prepared: pd.DataFrame) -> tuple[int, CandidateIndex]:
    index = CandidateIndex(model, prepared)
    pairs = model.predict(prepared, min_probability=0.0)
    pairs = pairs[pairs["found_by"] != "identical"].reset_index(drop=True)
    by_id = prepared.set_index("unique_id", drop=False)
    scored = []
    for id_l, group in pairs.groupby("id_l", sort=False):
        row = by_id.loc[id_l]
        found = index.candidates(row)
        # every pair batch found, found by the same preset
        assert {i: found.get(i) for i in group["id_r"]} == dict(
            zip(group["id_r"], group["found_by"].astype(str))
        )
        scored.append(index.score(row, list(group["id_r"])))
    mine = pd.concat(scored, ignore_index=True)
    mine = mine.sort_values(["id_l", "id_r"]).reset_index(drop=True)
    batch = pairs.sort_values(["id_l", "id_r"]).reset_index(drop=True)
    assert list(mine.columns) == list(batch.columns)
    for column in batch.columns:
        if column in ("match_weight", "match_probability") or column.endswith("_weight"):
            np.testing.assert_allclose(mine[column], batch[column], rtol=0, atol=1e-6)
        else:
            assert mine[column].astype(str).tolist() == batch[column].astype(str).tolist()
    return len(batch), index


def _only_what_presets_find(model: LeadModel, prepared: pd.DataFrame, index: CandidateIndex):
    """Among distinct records (the batch's), candidates are exactly the presets' blocks."""
    presets = presets_for(model.roles, model.blocking, model._extra_kinds, model.entity)
    distinct = _copies.representatives(
        prepared,
        _copies.compared_columns(prepared, model.roles),
        _copies.identifying(prepared, model.entity),
    )[0]
    keyed, _ = add_blocking_keys(distinct, presets, max_block_size=model.max_block_size)
    ids = keyed["unique_id"].to_numpy(dtype=object)
    expected: dict[str, dict[str, str]] = {i: {} for i in ids}
    for preset in presets:
        keys = keyed[preset.column]
        missing = keyed[preset.one_missing].isna().to_numpy() if preset.one_missing else None
        for _, members in pd.Series(np.arange(len(keyed))).groupby(keys.to_numpy()):
            members = members.to_numpy()
            for a in members:
                for b in members:
                    if a == b or (missing is not None and missing[a] == missing[b]):
                        continue
                    expected[ids[a]].setdefault(ids[b], preset.name)
    representatives = set(ids)
    by_id = prepared.set_index("unique_id", drop=False)
    for unique_id in ids:
        found = index.candidates(by_id.loc[unique_id])
        assert {i: p for i, p in found.items() if i in representatives} == expected[unique_id]
        for other, name in found.items():  # copies of others: by the key they share
            preset = next(p for p in presets if p.name == name)
            assert _key(index.row(other), preset.fields) == _key(
                index.row(unique_id), preset.fields
            )


@pytest.mark.parametrize(
    "case",
    ["mixed", pytest.param("chinese", marks=pytest.mark.slow), "with_extra", "accounts"],
)
def test_the_index_scores_every_batch_pair_as_batch_does(case, request):
    model, prepared = request.getfixturevalue(case)
    n, index = _same_as_batch(model, prepared)
    assert n > 500
    _only_what_presets_find(model, prepared, index)


def test_rules_decide_pairs_as_in_batch(with_extra):
    model, prepared = with_extra
    index = CandidateIndex(model, prepared)
    by_id = prepared.set_index("unique_id", drop=False)
    pairs = model.predict(prepared, min_probability=0.0)
    pairs = pairs[(pairs["rule"] != "") & (pairs["found_by"] != "identical")]
    pairs = pd.concat([group.head(100) for _, group in pairs.groupby("rule")])
    assert {"must_link:email", "never_link:member_no"} <= set(pairs["rule"])
    for pair in pairs.itertuples():
        mine = index.score(by_id.loc[pair.id_l], [pair.id_r]).iloc[0]
        assert (mine["rule"], mine["match_probability"]) == (pair.rule, pair.match_probability)


def test_score_columns_hold_what_score_gives(mixed):
    """The plain arrays ``LeadIndex.match`` reads are the values of the scored frame."""
    model, prepared = mixed
    index = CandidateIndex(model, prepared)
    for _, row in prepared.head(40).iterrows():
        found = index.candidates(row)
        if not found:
            continue
        frame, pairs = index.score(row, found), index.score_columns(row, found)
        assert len(pairs) == len(frame)
        for column in ("id_l", "id_r", "match_weight", "match_probability", "rule"):
            assert getattr(pairs, column).tolist() == frame[column].tolist()
        for k, display in enumerate(pairs.displays):
            names = [pairs.level_names[k][code] for code in pairs.levels[k]]
            assert names == frame[f"{display}_level"].astype(str).tolist()
            assert pairs.weights[k].tolist() == frame[f"{display}_weight"].tolist()


# -- content kept current -----------------------------------------------------------------


def _same_content(a: CandidateIndex, b: CandidateIndex) -> None:
    assert set(a) == set(b)
    assert a._content() == b._content()


def test_adding_and_removing_leads_keeps_blocks_and_frequencies_as_built(mixed):
    model, prepared = mixed
    full = CandidateIndex(model, prepared)
    half = len(prepared) // 2
    grown = CandidateIndex(model, prepared.iloc[:half])
    grown.add(prepared.iloc[half:])
    _same_content(grown, full)
    # lead by lead (people regrouped on every add) as in one go
    one_by_one = CandidateIndex(model, prepared.iloc[:0])
    for start in range(0, len(prepared), 10):
        one_by_one.add(prepared.iloc[start : start + 10])
    _same_content(one_by_one, full)
    # removing leads gives the index of the leads that are left
    gone = list(prepared["unique_id"].iloc[::3])
    for unique_id in gone:
        full.remove(unique_id)
    rest = prepared[~prepared["unique_id"].isin(gone)]
    _same_content(full, CandidateIndex(model, rest))
    # a known lead added again replaces the old one
    again = CandidateIndex(model, rest)
    again.add(rest.iloc[:20])
    _same_content(again, full)
    assert len(again) == len(rest)


def test_a_lead_removed_and_the_batch_of_the_rest_agree(mixed):
    model, prepared = mixed
    index = CandidateIndex(model, prepared)
    for unique_id in prepared["unique_id"].iloc[:40]:
        index.remove(unique_id)
    rest = prepared.iloc[40:].reset_index(drop=True)
    # the same scores as batch on what is left, with the index that shrank
    pairs = model.predict(rest, min_probability=0.0)
    pairs = pairs[pairs["found_by"] != "identical"].head(300)
    by_id = rest.set_index("unique_id", drop=False)
    for pair in pairs.itertuples():
        mine = index.score(by_id.loc[pair.id_l], [pair.id_r]).iloc[0]
        assert mine["match_weight"] == pytest.approx(pair.match_weight, abs=1e-6)


def test_a_new_lead_finds_its_earlier_copies(mixed):
    model, prepared = mixed
    index = CandidateIndex(model, prepared.iloc[1:])
    row = prepared.iloc[0]
    assert row["unique_id"] not in index
    found = index.candidates(row)
    scored = index.score(row, list(found))
    assert set(scored["id_l"]) | set(scored["id_r"]) >= set(found)
    assert row["unique_id"] not in found
    # the candidates as they came: the same pairs, their presets not looked up again
    pd.testing.assert_frame_equal(index.score(row, found), scored)
    # the lead scored against itself is not a pair
    index.add(prepared.iloc[:1])
    assert index.score(row, [row["unique_id"]]).empty


def test_save_and_load_give_the_same_index(with_extra, tmp_path):
    model, prepared = with_extra
    index = CandidateIndex(model, prepared)
    again = CandidateIndex.load(model, index.save(tmp_path / "built"))
    _same_content(again, index)
    row = prepared.iloc[5]
    ids = list(index.candidates(row))
    pd.testing.assert_frame_equal(again.score(row, ids), index.score(row, ids))
    # leads added and removed since it was built are folded into the saved arrays
    index.remove(str(prepared["unique_id"].iloc[7]))
    index.add(prepared.iloc[7:9].assign(unique_id=["late-1", "late-2"]))
    again = CandidateIndex.load(model, index.save(tmp_path / "changed"))
    _same_content(again, index)
    assert list(again) == list(index)
    # a loaded index changes as a built one does
    for changed in (index, again):
        changed.remove("late-1")
        changed.add(prepared.iloc[10:12].assign(unique_id=["late-3", "late-4"]))
    _same_content(again, index)


def test_unknown_leads_and_bad_folders_are_refused(mixed, tmp_path):
    model, prepared = mixed
    index = CandidateIndex(model, prepared.iloc[:50])
    with pytest.raises(InputError, match="no lead"):
        index.remove("nobody")
    with pytest.raises(InputError, match="no lead"):
        index.score(prepared.iloc[0], ["nobody"])
    with pytest.raises(InputError, match="lacks the prepared column"):
        index.candidates(prepared.iloc[0].drop("email"))
    folder = index.save(tmp_path / "index")
    meta = json.loads((folder / "index.json").read_text("utf-8"))
    (folder / "index.json").write_text(json.dumps({**meta, "version": 1}), "utf-8")
    with pytest.raises(ModelError, match="version"):
        CandidateIndex.load(model, folder)
    (folder / "index.json").write_text(json.dumps({"format": "something else"}), "utf-8")
    with pytest.raises(ModelError, match="not a saved"):
        CandidateIndex.load(model, folder)
    with pytest.raises(ModelError, match="no CandidateIndex"):
        CandidateIndex.load(model, tmp_path / "nowhere")


@pytest.mark.parametrize("case", ["mixed", "accounts"])
def test_records_identical_to_others_are_recognised_as_batch_recognises_them(case, request):
    model, prepared = request.getfixturevalue(case)
    index = CandidateIndex(model, prepared.iloc[:2])
    twin = [index._identifies(index._record(row)) for _, row in prepared.iterrows()]
    assert twin == _copies.identifying(prepared, model.entity).tolist()


def test_a_lead_given_twice_in_one_add_is_kept_once_as_last_given(mixed):
    model, prepared = mixed
    rows = prepared.iloc[:60]
    changed = rows.iloc[:1].assign(email="someone.else@example.com")
    index = CandidateIndex(model, prepared.iloc[:0])
    index.add(pd.concat([rows, changed], ignore_index=True))  # more than a few: in bulk
    expected = CandidateIndex(model, pd.concat([rows.iloc[1:], changed], ignore_index=True))
    _same_content(index, expected)
    assert index.row(rows["unique_id"].iloc[0])["email"] == "someone.else@example.com"


def test_leads_without_the_models_own_columns_are_refused(with_extra):
    model, prepared = with_extra
    with pytest.raises(InputError, match="x_member_no"):
        CandidateIndex(model, prepared.drop(columns=["x_member_no"]))
    # columns the model does not read are not kept
    index = CandidateIndex(model, prepared.iloc[:3].assign(note="kept out"))
    assert "note" not in index.row(prepared["unique_id"].iloc[0])


def test_scoring_goes_on_when_the_kept_rows_are_emptied(mixed, monkeypatch):
    # the rows of the table are kept decoded up to a bound, then emptied: rows kept from
    # an earlier call and asked for again in the call that empties them are read again
    import leadlink.match._index as index_module

    model, prepared = mixed
    index = CandidateIndex(model, prepared)
    ids = list(prepared["unique_id"].astype(str))
    row = prepared.iloc[0]
    expected = index.score(row, ids[1:9]).set_index(["id_l", "id_r"])["match_weight"]
    monkeypatch.setattr(index_module, "_ROWS_KEPT", 6)
    index._decoded.clear()
    index.score(row, ids[1:5])  # four rows kept
    got = index.score(row, ids[1:9])  # four kept and four more: over the bound
    assert got.set_index(["id_l", "id_r"])["match_weight"].equals(expected)
