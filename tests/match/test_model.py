from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from leadlink.clean._prepare import prepare
from leadlink.errors import ConfigError, InputError, ModelError, ResourceError
from leadlink.match._comparisons import PHONE
from leadlink.match._model import MODEL_VERSION, LeadModel
from leadlink.match._tables import training_sample
from leadlink.match._training import _cap_against
from leadlink.schema import resolve_columns


@pytest.fixture(scope="module")
def prepared(small_leads):
    leads = small_leads.drop(columns=["person_id", "is_ghost"])
    return prepare(leads, resolve_columns(leads, id_column="lead_id"), id_column="lead_id")


@pytest.fixture(scope="module")
def fitted(prepared):
    return LeadModel(seed=3).fit(prepared)


def test_a_prepared_table_from_another_version_is_refused_naming_the_columns(prepared, fitted):
    old = prepared.drop(columns=["employer", "name_spelling"])
    for call in (LeadModel().fit, fitted.predict):
        with pytest.raises(InputError, match=r"name_spelling, employer.*prepare the leads again"):
            call(old)


def test_predict_before_fit_says_to_fit(prepared):
    with pytest.raises(ModelError, match=r"call model\.fit"):
        LeadModel().predict(prepared)


def test_raw_leads_are_refused_with_a_pointer_to_prepare(small_leads):
    with pytest.raises(InputError, match="prepare"):
        LeadModel().fit(small_leads)


def test_fit_learns_every_role_and_levels_are_ordered(fitted):
    assert fitted.roles == ["name", "phone", "email", "company", "city", "title"]
    params = fitted.parameters
    assert set(params["role"]) == set(fitted.roles)
    assert ((params["m"] > 0) & (params["m"] <= 1) & (params["u"] > 0) & (params["u"] <= 1)).all()
    weights = params.set_index(["role", "level"])["match_weight"]
    # Agreement is evidence for a match, disagreement against it.
    assert weights["phone", "same_personal"] > 5 > weights["phone", "different"]
    assert weights["email", "exact"] > 5 > 0 > weights["email", "different"]
    assert weights["name", "exact"] > 0 > weights["name", "different"]
    # the same job in other words is evidence for a match, another job against it
    assert weights["title", "exact"] > 0 > weights["title", "different"]
    assert 0 < fitted.lambda_ < 0.5
    assert fitted.diagnostics["em_sessions"]


def test_two_extensions_on_one_switchboard_count_against_a_match(prepared, fitted):
    # whatever EM finds, a level that is evidence against a match by what it means weighs
    # at most log2(1/100); the diagnostics say when its m was lowered
    weights = fitted.parameters.set_index(["role", "level"])["match_weight"]
    assert weights["phone", "other_extension"] <= np.log2(1 / 100) + 1e-6
    # and two mailboxes at one company domain are two desks too
    assert weights["email", "same_domain"] <= np.log2(1 / 100) + 1e-6
    capped = {"phone.other_extension", "email.same_domain"}
    assert set(fitted.diagnostics["capped_against"]) <= capped
    # the conservative prior (nothing to train on) holds to it too
    m, u = PHONE.prior()
    assert _cap_against(PHONE, m, u) == ["phone.other_extension"]
    i = PHONE.level_ids.index("other_extension")
    assert np.log2(m[i] / u[i]) <= np.log2(1 / 100) + 1e-6


def test_training_is_deterministic(prepared, fitted):
    # to the last bit: the same file, the same pairs
    again = LeadModel(seed=3).fit(prepared)
    assert again.to_dict() == fitted.to_dict()
    pd.testing.assert_frame_equal(
        again.predict(prepared), fitted.predict(prepared), check_exact=True
    )


def test_predict_returns_ordered_explained_pairs(prepared, fitted):
    pairs = fitted.predict(prepared)
    assert len(pairs) > 0
    assert (pairs["id_l"] < pairs["id_r"]).all()
    assert not pairs.duplicated(["id_l", "id_r"]).any()
    assert pairs["match_probability"].between(0, 1).all()
    role_weights = pairs[[f"{r}_weight" for r in fitted.roles]].sum(axis=1)
    prior = np.log2(fitted.lambda_ / (1 - fitted.lambda_))
    np.testing.assert_allclose(role_weights + prior, pairs["match_weight"], atol=1e-3)
    assert set(pairs["phone_level"].dropna()) <= {*LeadModelLevels.phone, "null"}


class LeadModelLevels:
    phone: tuple[str, ...] = (
        "same_personal",
        "same_extension",
        "other_extension",
        "shared_line_same_company",
        "shared_line",
        "one_digit",
        "different_personal",
        "different",
    )


def test_predict_leaves_the_model_as_it_was(tmp_path, prepared, fitted):
    shared = prepared.copy()
    shared["phone"] = "+8613812345678"  # other leads, other blocks
    before = (
        fitted.save(tmp_path / "before.json").read_bytes(),
        json.dumps(fitted.to_dict(), sort_keys=True),
        fitted.blocking_report,
    )
    report = fitted.count_blocks(shared)
    for leads in (prepared, shared):
        fitted.predict(leads, min_probability=0.0)
    after = (
        fitted.save(tmp_path / "after.json").read_bytes(),
        json.dumps(fitted.to_dict(), sort_keys=True),
        fitted.blocking_report,
    )
    assert after == before
    assert report != fitted.blocking_report  # the report is the training leads'


def test_the_blocking_report_is_the_training_leads_and_a_prior_model_has_one(prepared):
    model = LeadModel().fit(prepared)
    assert model.blocking_report == model.count_blocks(prepared)
    # two leads the same in every role: nothing to train on, so prior m and u
    two = pd.concat([prepared.head(1)] * 2, ignore_index=True).assign(unique_id=["A", "B"])
    prior = LeadModel().fit(two)
    assert "prior_only" in prior.diagnostics
    assert prior.blocking_report == prior.count_blocks(two)
    assert LeadModel.from_dict(model.to_dict()).blocking_report is None


def test_save_load_round_trip_scores_identically(tmp_path, prepared, fitted):
    path = fitted.save(tmp_path / "model.json")
    data = json.loads(path.read_text("utf-8"))
    assert data["format"] == "leadlink-model" and data["version"] == MODEL_VERSION == 3
    assert "sql" not in path.read_text("utf-8").lower()
    loaded = LeadModel.load(path)
    pd.testing.assert_frame_equal(loaded.predict(prepared), fitted.predict(prepared))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(format="splink"), "not a leadlink model"),
        (lambda d: d.update(version=99), "version 99"),
        (lambda d: d["comparisons"][0]["levels"].pop(), "levels for"),
        (lambda d: d["comparisons"][0]["levels"][0].update(m=1.7), "must be in"),
        (lambda d: d["comparisons"][0]["levels"][0].pop("u"), "edited by hand"),
        (lambda d: d.update(comparisons=[{"role": "dob", "levels": []}]), "unknown role"),
        (lambda d: d.update({"lambda": 0}), "lambda"),
    ],
)
def test_edited_model_files_are_refused(tmp_path, fitted, edit, message):
    data = fitted.to_dict()
    edit(data)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ModelError, match=message):
        LeadModel.load(path)


def test_truncated_and_missing_model_files_are_refused(tmp_path, fitted):
    text = json.dumps(fitted.to_dict())
    path = tmp_path / "model.json"
    path.write_text(text[: len(text) // 2], "utf-8")
    with pytest.raises(ModelError, match="not valid JSON"):
        LeadModel.load(path)
    with pytest.raises(ModelError, match="does not exist"):
        LeadModel.load(tmp_path / "missing.json")


def test_model_file_and_fitting_errors_in_chinese(tmp_path):
    from leadlink._i18n import set_language

    set_language("zh")
    path = tmp_path / "model.json"
    path.write_text('{"format": "leadl', "utf-8")
    with pytest.raises(ModelError, match=r"不是有效的 JSON（第 1 行：.*）；文件可能不完整"):
        LeadModel.load(path)
    with pytest.raises(ModelError, match=r"模型文件 .* 不存在"):
        LeadModel.load(tmp_path / "missing.json")
    with pytest.raises(ModelError, match=r"此 LeadModel 尚未训练；请先调用 model.fit\(prepared\)"):
        _ = LeadModel().roles


def test_mostly_null_role_is_left_out_and_reported(prepared):
    sparse = prepared.copy()
    sparse.loc[sparse.index[3:], ["email", "email_user"]] = None
    model = LeadModel().fit(sparse)
    assert "email" not in model.roles
    assert "email" in model.diagnostics["excluded_roles"]


def test_a_phone_on_every_row_is_capped_not_exploded(prepared):
    shared = prepared.copy()
    shared["phone"] = "+8613812345678"
    shared["phone_kind"] = "mobile"
    model = LeadModel(max_block_size=50).fit(prepared)
    pairs = model.predict(shared)
    report = model.count_blocks(shared)
    assert report.capped_keys["phone"] == 1
    # every lead but the copies of another (identical in all compared: counted once)
    assert len(shared) * 0.95 <= report.capped_leads["phone"] <= len(shared)
    assert len(pairs) < len(shared) * 5


def test_hard_rules_decide_pairs_and_survive_save_load(tmp_path, prepared):
    model = LeadModel(must_link=["email"], never_link=["phone"]).fit(prepared)
    pairs = model.predict(prepared, min_probability=0.0)
    by_id = prepared.set_index("unique_id")
    same_email = pairs["id_l"].map(by_id["email"]) == pairs["id_r"].map(by_id["email"])
    left_phone = pairs["id_l"].map(by_id["phone"])
    right_phone = pairs["id_r"].map(by_id["phone"])
    other_phone = left_phone.notna() & right_phone.notna() & (left_phone != right_phone)
    assert (pairs.loc[other_phone, "match_probability"] == 0).all()
    assert (pairs.loc[other_phone, "rule"] == "never_link:phone").all()
    must = same_email & ~other_phone
    assert must.any()
    assert (pairs.loc[must, "match_probability"] == 1).all()
    assert (pairs.loc[must, "rule"] == "must_link:email").all()
    loaded = LeadModel.load(model.save(tmp_path / "rules.json"))
    assert loaded.must_link == ("email",) and loaded.never_link == ("phone",)
    pd.testing.assert_frame_equal(loaded.predict(prepared, min_probability=0.0), pairs)


def test_rules_on_unknown_roles_are_refused():
    from leadlink.errors import ConfigError

    with pytest.raises(ConfigError, match="cannot make a rule"):
        LeadModel(never_link=["national_id"])
    LeadModel(never_link=["national_id"], extra={"national_id": "exact"})


def test_company_evidence_is_counted_once(prepared, fitted):
    # A switchboard and a city agreeing at the same company add nothing to the company.
    params = fitted.parameters.set_index(["role", "level"])
    for role, level in (
        ("phone", "shared_line_same_company"),
        ("city", "same_company_city"),
        ("email", "same_user_same_name"),
    ):
        assert params.loc[(role, level), "match_weight"] == pytest.approx(0.0, abs=1e-9)
    pairs = fitted.predict(prepared, min_probability=0.0)
    same_board = pairs[pairs["phone_level"] == "shared_line_same_company"]
    assert len(same_board) > 0
    assert same_board["company_level"].isin(["exact", "contains"]).all()
    assert np.allclose(same_board["phone_weight"], 0.0)


def test_u_is_corrected_for_the_matches_in_random_pairs():
    from leadlink.match._training import _without_matches

    # Observed: (1 - λ)·u + λ·m. A level common among matches loses their share.
    m, observed, lam = [0.5, 0.3, 0.2], [0.0002, 0.0198, 0.98], 0.0002
    corrected = _without_matches(m, observed, lam)
    assert corrected[0] < observed[0]
    assert corrected[0] >= observed[0] / 10 / sum(corrected) - 1e-12
    assert sum(corrected) == pytest.approx(1.0)


def test_name_frequencies_count_people_not_leads():
    from leadlink.match._training import _person_term_frequencies

    prepared = pd.DataFrame(
        {
            "name": ["黄华刚", "黄华刚", "黄华刚", "张伟", "张伟", None],
            "phone": ["+8613000000001", "+8613000000001", None, "+8613000000002", None, None],
            "phone_shared": [0, 0, 0, 0, 0, 0],
            "email": [None, "h@x.com", "h@x.com", None, "z@y.com", "q@z.com"],
        }
    )
    tf = _person_term_frequencies(prepared, ["name"])["name"]
    # 黄华刚's three leads are one person (a mobile and a mailbox chain them); the two 张伟
    # leads share nothing, so they count as two: three groups with a name in all.
    assert tf["黄华刚"] == pytest.approx(1 / 3)
    assert tf["张伟"] == pytest.approx(2 / 3)


def test_lambda_uses_the_rule_recall_implied_by_the_trained_m(small_leads, prepared, fitted):
    # λ from "same mailbox, or same phone and name" needs that rule's recall; it comes from
    # the trained m and coverage, not from an assumed constant.
    assert "from the trained m" in fitted.diagnostics["lambda_method"]
    people = small_leads.loc[~small_leads["is_ghost"], "person_id"].value_counts()
    n = int(people.sum())
    true_lambda = float((people * (people - 1) / 2).sum()) / (n * (n - 1) / 2)
    assert 0.5 * true_lambda < fitted.lambda_ < 2 * true_lambda


def test_a_level_never_seen_among_matches_counts_against():
    from leadlink.match._training import _fill_unseen

    m, u = _fill_unseen(None, 0.002, 2e6)
    assert u == 0.002
    assert m == pytest.approx(0.002 / 100)
    assert _fill_unseen(None, None, 2e6) == (1e-3, 1e-3)  # never seen at all: neutral
    assert _fill_unseen(0.3, None, 2e5) == (0.3, 0.5 / 2e5)  # rarer than one in the sample


def test_neutral_levels_weigh_zero_and_condition_the_others():
    from leadlink.match._training import _neutralised

    # city: same employer's city (neutral), same city, different
    prior = [0.6, 0.3, 0.1]
    m, u = _neutralised([0.7, 0.29, 0.01], [0.02, 0.04, 0.94], [True, False, False], prior)
    assert m[0] == u[0] == 0.02
    # The other levels tell what the city adds beyond the employer: P(· | not neutral),
    # smoothed toward the prior's proportions (0.75 / 0.25) by a pseudo-count of 0.01.
    assert m[1] == pytest.approx((0.29 + 0.0075) / 0.31) and u[1] == pytest.approx(0.04 / 0.98)
    assert m[1] + m[2] == pytest.approx(1.0) and u[1] + u[2] == pytest.approx(1.0)
    # Nearly all matches on the neutral level: the prior decides, no extreme weights.
    m, _ = _neutralised([0.9999, 0.0001, 0.0], [0.02, 0.04, 0.94], [True, False, False], prior)
    assert m[2] > 0.2


def test_pinyin_matches_of_common_names_weigh_less_than_rare_ones(fitted):
    # 10 people share the pinyin key "wei zhang", one has "huagang huang".
    keyed = pd.DataFrame(
        {
            "name_key": ["wei zhang"] * 10 + ["huagang huang"],
            "name_nick": ["wei zhang"] * 10 + ["huagang huang"],
            "phone": [f"+86138000000{i:02d}" for i in range(11)],
            "phone_shared": [0] * 11,
            "email": [None] * 11,
        }
    )
    out = pd.DataFrame(
        {
            "match_weight": [0.0, 0.0],
            "match_probability": [0.5, 0.5],
            "name_level": ["same_key_other_script", "same_key_other_script"],
            "name_weight": [0.0, 0.0],
        }
    )
    from leadlink.match._training import _person_term_frequencies

    frequencies = _person_term_frequencies(keyed, ["name_key", "name_nick"])
    from leadlink.match._adjust import relative_frequencies

    comparisons = {"name": fitted._comparison("name")}
    relative_frequencies(out, keyed, np.array([0, 10]), comparisons, frequencies)
    common, rare = out["name_weight"]
    assert common < 0 < rare
    assert out["match_probability"].iloc[0] < 0.5 < out["match_probability"].iloc[1]
    np.testing.assert_allclose(out["match_weight"], out["name_weight"])


def test_training_does_not_depend_on_row_order(prepared):
    # Few sampled pairs, so Splink really samples (u and EM) rather than taking all pairs.
    options = {"seed": 5, "u_max_pairs": 5_000, "em_max_pairs": 5_000}
    first = LeadModel(**options).fit(prepared)
    shuffled = prepared.sample(frac=1.0, random_state=11).reset_index(drop=True)
    second = LeadModel(**options).fit(shuffled)
    assert second.lambda_ == pytest.approx(first.lambda_, rel=1e-9)
    pd.testing.assert_frame_equal(second.parameters, first.parameters)


def test_an_em_session_fixes_levels_driven_to_zero_and_runs_again(zero_m_error):
    from leadlink.match._training import _UNSEEN_RATIO, _em_session

    settings = {
        "comparisons": [
            {
                "output_column_name": "email",
                "comparison_levels": [
                    {"label_for_charts": "exact", "u_probability": 0.001},
                    {"label_for_charts": "both_personal", "u_probability": 0.3},
                ],
            },
            {
                "output_column_name": "company",
                "comparison_levels": [{"label_for_charts": "different", "u_probability": 0.9}],
            },
        ]
    }
    collapsing = [("email", "both_personal"), ("company", "different")]
    seen: list[dict] = []

    class Training:
        def __init__(self, settings):
            self.settings = settings

        def estimate_parameters_using_expectation_maximisation(self, rule, max_pairs):
            seen.append(json.loads(json.dumps(self.settings)))
            if collapsing:
                raise zero_m_error(*collapsing.pop(0))
            return object()

    class FakeLinker:
        def __init__(self, settings):
            self.training = Training(settings)

    record: dict = {}
    linker = _em_session(FakeLinker, settings, "rule", 1e5, record)
    assert linker is not None and "failed" not in record
    assert record["fixed_unseen"] == ["email.both_personal", "company.different"]
    assert len(seen) == 3  # two reruns
    email_levels = seen[-1]["comparisons"][0]["comparison_levels"]
    assert email_levels[1]["fix_m_probability"] is True
    assert email_levels[1]["m_probability"] == pytest.approx(0.001)  # capped at the unseen m
    assert "fix_m_probability" not in email_levels[0]
    company_level = seen[-1]["comparisons"][1]["comparison_levels"][0]
    assert company_level["m_probability"] == pytest.approx(min(1e-3, 0.9 / _UNSEEN_RATIO))

    # a level that collapses again after it was fixed: the session is given up
    collapsing[:] = [("email", "both_personal")]
    record = {}
    assert _em_session(FakeLinker, settings, "rule", 1e5, record) is None
    assert record["failed"].startswith("ValueError")


def test_a_nameless_lead_meets_the_lead_its_mailbox_name_spells(small_leads, fitted):
    leads = small_leads.drop(columns=["person_id", "is_ghost"])
    extra = pd.DataFrame(
        {
            "lead_id": ["X1", "X2"],
            "name": [None, "欧阳晓明"],
            "phone": [None, "13512345678"],
            "email": ["ouyangxiaoming88@sina.com", None],
        }
    )
    leads = pd.concat([leads, extra], ignore_index=True)
    prepared = prepare(leads, resolve_columns(leads, id_column="lead_id"), id_column="lead_id")
    pairs = fitted.predict(prepared, min_probability=0.0)
    pair = pairs[(pairs["id_l"] == "X1") & (pairs["id_r"] == "X2")]
    assert len(pair) == 1
    assert pair["found_by"].iloc[0] == "mailbox_name"
    assert pair["name_level"].iloc[0] == "spelled_by_mailbox"
    assert pair["name_weight"].iloc[0] > 0
    # the named leads are not paired by their spellings
    named = pairs[pairs["found_by"] == "mailbox_name"]
    assert (
        prepared.set_index("unique_id").loc[named["id_l"], "name_key"].isna().to_numpy()
        != prepared.set_index("unique_id").loc[named["id_r"], "name_key"].isna().to_numpy()
    ).all()


def test_a_model_trained_without_titles_scores_leads_that_have_them(tmp_path, prepared):
    # a model file from before titles were compared (or from a CRM without them) still
    # loads and scores: the title is simply not one of its roles
    untitled = LeadModel(seed=3).fit(prepared.assign(title=None))
    assert "title" not in untitled.roles
    assert untitled.diagnostics["excluded_roles"]["title"] == "absent"
    loaded = LeadModel.load(untitled.save(tmp_path / "untitled.json"))
    pairs = loaded.predict(prepared)
    assert len(pairs) > 0 and "title_level" not in pairs.columns


# -- bounded work, concurrency, reproducibility ------------------------------------------


def _no_database(*args: object, **kwargs: object) -> None:
    raise AssertionError("a database was opened: pairs were about to be made")


def test_predict_refuses_more_pairs_than_max_pairs_before_making_any(prepared, fitted, monkeypatch):
    """Total pairs were never capped: 200k leads in many 200-lead blocks filled 20 GB."""
    import leadlink.match._model as model_module

    blocks = fitted.count_blocks(prepared).total_comparisons
    monkeypatch.setattr(model_module, "database", _no_database)
    with pytest.raises(ResourceError, match=rf"would make {blocks:,} pairs .*max_pairs=10\b"):
        fitted.predict(prepared, max_pairs=10)
    capped = LeadModel.from_dict(fitted.to_dict())
    capped.max_pairs = 10  # as LeadModel(max_pairs=10) would be
    with pytest.raises(ResourceError, match=r"Preset '.*' makes the most"):
        capped.predict(prepared)


def test_fit_refuses_blocks_over_the_budget_before_training(prepared, monkeypatch):
    import leadlink.match._model as model_module

    monkeypatch.setattr(model_module, "database", _no_database)
    with pytest.raises(ResourceError, match="max_pairs=100; stopped before making any"):
        LeadModel(max_pairs=100).fit(prepared)


def test_max_pairs_is_not_saved_with_the_model(fitted):
    assert "max_pairs" not in fitted.to_dict()["options"]
    assert LeadModel.from_dict(fitted.to_dict()).max_pairs is None


def test_overlapping_calls_leave_the_splink_logger_as_it_was():
    """Two overlapping dedupe calls left the Splink logger at ERROR: each saved the level
    the other had set and put it back last."""
    import logging
    import threading

    from leadlink.match._quiet import quiet_splink as _quiet_splink

    splink_logger = logging.getLogger("splink")
    before = splink_logger.level
    splink_logger.setLevel(logging.INFO)
    try:
        first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

        def first() -> None:
            with _quiet_splink():
                first_in.set()
                second_in.wait(5)
            first_out.set()

        def second() -> None:
            first_in.wait(5)
            with _quiet_splink():
                second_in.set()
                first_out.wait(5)  # the first leaves while the second is still in
                assert splink_logger.level == logging.ERROR

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert first_out.is_set() and second_in.is_set()
        assert splink_logger.level == logging.INFO
    finally:
        splink_logger.setLevel(before)


def test_concurrent_predicts_restore_the_splink_logger(prepared, fitted):
    import logging
    from concurrent.futures import ThreadPoolExecutor

    splink_logger = logging.getLogger("splink")
    before = splink_logger.level
    splink_logger.setLevel(logging.WARNING)
    try:
        with ThreadPoolExecutor(3) as pool:
            results = list(pool.map(lambda _: fitted.predict(prepared), range(3)))
        assert splink_logger.level == logging.WARNING
        pd.testing.assert_frame_equal(results[0], results[2])
    finally:
        splink_logger.setLevel(before)


def test_training_runs_em_on_one_thread(prepared, monkeypatch):
    """Pairs and model differed in the last bits between identical runs: EM summed over a
    table whose row order DuckDB's parallel GROUP BY leaves to chance. u (whole-number
    counts of random pairs drawn by a hash of their ids) runs on DuckDB's default
    threads first."""
    import leadlink.match._backends as backends

    opened = backends._duckdb_connection
    threads: list[str] = []

    def recording(folder: str, threads_wanted: int | None = None):  # type: ignore[no-untyped-def]
        connection = opened(folder, threads_wanted)
        threads.append(connection.execute("SELECT current_setting('threads')").fetchall()[0][0])
        return connection

    monkeypatch.setattr(backends, "_duckdb_connection", recording)
    first = LeadModel(seed=3).fit(prepared)
    assert len(threads) == 2 and threads[1] == 1
    # u learnt on any number of threads is the same: a second fit gives the same model
    second = LeadModel(seed=3).fit(prepared)
    pd.testing.assert_frame_equal(first.parameters, second.parameters)


def test_a_large_table_is_learnt_from_a_seeded_sample(prepared, fitted):
    half = len(prepared) // 2
    sampled = LeadModel(seed=3).fit(prepared, sample=half)
    assert sampled.diagnostics["n_leads"] == len(prepared)
    assert sampled.diagnostics["n_leads_trained"] == half
    assert LeadModel(seed=3).fit(prepared, sample=half).to_dict() == sampled.to_dict()
    # the sample depends on the seed and the leads, not on the order they came in
    drawn = set(training_sample(prepared, half, 3)["unique_id"])
    shuffled = prepared.sample(frac=1, random_state=9)
    assert set(training_sample(shuffled, half, 3)["unique_id"]) == drawn
    assert set(training_sample(prepared, half, 4)["unique_id"]) != drawn
    assert len(drawn) == half
    # a sample at least as large as the table is the table itself
    whole = LeadModel(seed=3).fit(prepared, sample=len(prepared))
    assert whole.to_dict()["comparisons"] == fitted.to_dict()["comparisons"]
    for bad in (0, 1, 2.5, True, "many"):
        with pytest.raises(ConfigError, match="sample"):
            LeadModel().fit(prepared, sample=bad)


def test_reusing_finds_copies_and_keys_once_and_scores_the_same(prepared, monkeypatch):
    import leadlink.match._model as model_module

    calls = {"representatives": 0, "add_blocking_keys": 0}
    for name in calls:
        real = getattr(model_module, name)

        def counted(*args, _real=real, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(model_module, name, counted)
    plain = LeadModel(seed=3).fit(prepared).predict(prepared)
    assert calls == {"representatives": 2, "add_blocking_keys": 2}
    calls.update(representatives=0, add_blocking_keys=0)
    model = LeadModel(seed=3)
    with model.reusing():
        reused = model.fit(prepared).predict(prepared)
    assert calls == {"representatives": 1, "add_blocking_keys": 1}
    pd.testing.assert_frame_equal(plain, reused)
    # nothing is kept after the block: another table is prepared afresh
    assert model._reuse is None
    model.predict(prepared.head(50))
    assert calls == {"representatives": 2, "add_blocking_keys": 2}
