"""Generated leads with a conversion label: columns, determinism, rate, missing values, the
planted leaks, and how well a plain model can learn the outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadlink.datasets import generate_lead_outcomes

WEB = ["lead_id", "lead_number", "created_at", "lead_origin", "lead_source", "do_not_email",
       "do_not_call", "total_visits", "time_on_site", "pages_per_visit", "last_activity",
       "country", "specialization", "occupation", "tags", "lead_quality", "city", "free_copy",
       "magazine", "newspaper_article", "search", "through_recommendations", "converted"]  # fmt: skip
WEB_ZH = ["线索ID", "线索编号", "创建时间", "线索渠道", "线索来源", "拒收邮件", "拒接电话",
          "访问次数", "网站停留时长", "每次访问页数", "最近活动", "国家", "专业方向", "职业",
          "标签", "线索质量", "城市", "免费资料", "杂志", "报纸文章", "搜索广告", "朋友推荐",
          "是否转化"]  # fmt: skip
B2B = ["lead_id", "created_at", "name", "company", "title", "industry", "employees",
       "annual_revenue", "budget", "timeline", "lead_source", "country", "city",
       "webinar_attended", "email_opens", "page_views", "demo_requested", "last_activity",
       "days_since_last_activity", "tags", "lead_quality", "converted"]  # fmt: skip
B2B_ZH = ["线索ID", "创建时间", "姓名", "公司名称", "职位", "行业", "员工数", "年营收", "预算",
          "采购时间", "线索来源", "国家", "城市", "参加研讨会", "邮件打开次数", "页面浏览量",
          "申请演示", "最近活动", "距上次活动天数", "标签", "线索质量", "是否转化"]  # fmt: skip
COLUMNS = {("web", "en"): WEB, ("web", "zh"): WEB_ZH, ("b2b", "en"): B2B, ("b2b", "zh"): B2B_ZH}
LEAKY = {"web": ["tags", "lead_quality", "lead_number"], "b2b": ["tags", "lead_quality"]}
#: The columns that lose values at ``missing_rate`` on average.
MISSING = {
    "web": ["lead_source", "total_visits", "pages_per_visit", "last_activity", "country",
            "specialization", "occupation", "city"],
    "b2b": ["company", "title", "industry", "employees", "annual_revenue", "budget", "timeline",
            "lead_source", "country", "city", "webinar_attended", "email_opens", "page_views",
            "demo_requested", "last_activity", "days_since_last_activity"],
}  # fmt: skip
SHAPES = ["web", "b2b"]


@pytest.fixture(scope="module", params=SHAPES)
def leads(request) -> pd.DataFrame:
    """5,000 leads of each shape, with the default options."""
    return generate_lead_outcomes(5000, seed=11, shape=request.param)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("headers", ["en", "zh"])
def test_each_shape_and_language_has_the_documented_columns(shape, headers):
    frame = generate_lead_outcomes(300, seed=1, shape=shape, headers=headers)
    expected = COLUMNS[shape, headers]
    assert list(frame.columns) == expected
    outcome = expected[-1]
    assert frame.attrs["outcome_column"] == outcome
    assert frame[outcome].dtype == bool
    assert frame.attrs["leaky_columns"] == [expected[WEB.index(c) if shape == "web" else
                                            B2B.index(c)] for c in LEAKY[shape]]  # fmt: skip
    ids = frame[expected[0]]
    assert ids.is_unique and ids.map(type).eq(str).all()


@pytest.mark.parametrize("shape", SHAPES)
def test_a_seed_gives_the_same_leads_and_another_seed_others(shape):
    first = generate_lead_outcomes(400, seed=5, shape=shape)
    pd.testing.assert_frame_equal(first, generate_lead_outcomes(400, seed=5, shape=shape))
    other = generate_lead_outcomes(400, seed=6, shape=shape)
    assert not first["converted"].equals(other["converted"])


@pytest.mark.parametrize("shape", SHAPES)
def test_chinese_headers_relabel_the_same_draws(shape):
    en = generate_lead_outcomes(400, seed=2, shape=shape)
    zh = generate_lead_outcomes(400, seed=2, shape=shape, headers="zh")
    assert en["converted"].tolist() == zh["是否转化"].tolist()
    assert en["lead_id"].tolist() == zh["线索ID"].tolist()
    assert en["lead_source"].isna().tolist() == zh["线索来源"].isna().tolist()
    sources = set(zh["线索来源"].dropna())
    assert sources & {"百度", "官网", "微信", "展会", "转介绍"}
    activity = set(zh["最近活动"].dropna())
    assert activity & {"打开邮件", "提交表单", "电话沟通", "邮件退回"}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("base_rate", [0.38, 0.2])
def test_the_converted_share_is_near_base_rate(shape, base_rate):
    frame = generate_lead_outcomes(5000, seed=3, shape=shape, base_rate=base_rate)
    assert abs(frame["converted"].mean() - base_rate) < 0.05


def test_created_at_spans_two_years_oldest_first_and_is_not_sorted_by_outcome(leads):
    created = pd.to_datetime(leads["created_at"])
    assert created.is_monotonic_increasing
    assert 700 <= (created.iloc[-1] - created.iloc[0]).days <= 730
    quarters = np.array_split(leads["converted"].to_numpy(), 4)
    assert max(q.mean() for q in quarters) - min(q.mean() for q in quarters) < 0.1


@pytest.mark.parametrize("shape", SHAPES)
def test_leaky_columns_are_planted_only_with_leakage(shape):
    with_leaks = generate_lead_outcomes(500, seed=4, shape=shape)
    without = generate_lead_outcomes(500, seed=4, shape=shape, leakage=False)
    assert with_leaks.attrs["leaky_columns"] == LEAKY[shape]
    assert without.attrs["leaky_columns"] == []
    assert not set(LEAKY[shape]) & set(without.columns)
    # the other columns are the same leads: leaks draw from a stream of their own
    pd.testing.assert_frame_equal(with_leaks.drop(columns=LEAKY[shape]), without)


def test_tags_alone_predict_the_outcome_and_quality_is_filled_mostly_when_converted(leads):
    y = leads["converted"].to_numpy()
    assert _encoded_auc(leads["tags"], y) > 0.9
    graded = leads["lead_quality"].notna()
    assert graded[y].mean() - graded[~y].mean() > 0.5
    if "lead_number" in leads:
        from sklearn.metrics import roc_auc_score

        assert leads["lead_number"].is_unique
        assert roc_auc_score(y, leads["lead_number"]) > 0.95


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("missing_rate", [0.0, 0.15, 0.3])
def test_missing_values_come_at_about_the_requested_rate(shape, missing_rate):
    frame = generate_lead_outcomes(4000, seed=8, shape=shape, missing_rate=missing_rate)
    share = frame[MISSING[shape]].isna().to_numpy().mean()
    assert abs(share - missing_rate) < 0.03
    others = frame.drop(columns=MISSING[shape] + LEAKY[shape])
    assert not others.isna().to_numpy().any()
    if missing_rate:  # more in some columns than in others, as in real exports
        by_column = frame[MISSING[shape]].isna().mean()
        assert by_column.max() > 2 * missing_rate > 4 * by_column.min()


def test_web_leads_look_like_web_exports():
    frame = generate_lead_outcomes(3000, seed=9)
    assert (frame["time_on_site"] == 0).mean() > 0.15
    assert "Select" in set(frame["specialization"])
    assert frame["magazine"].eq("No").all()
    assert frame["newspaper_article"].eq("No").mean() > 0.99
    visits = frame["total_visits"].dropna()
    assert visits.eq(visits.round()).all()


def test_b2b_leads_mix_chinese_and_english_titles_and_free_text_budgets():
    frame = generate_lead_outcomes(3000, seed=9, shape="b2b")
    english = frame["title"].dropna().map(str.isascii)
    assert 0.2 < english.mean() < 0.8
    budgets = set(frame["budget"].dropna())
    assert any(b.endswith("万") for b in budgets) and any(b.endswith("k") for b in budgets)
    assert "无" in budgets
    employees = frame["employees"].dropna()
    assert employees.mean() > 1.5 * employees.median()  # skewed: a few big companies


@pytest.mark.parametrize("shape", SHAPES)
def test_a_plain_model_learns_the_outcome_but_not_perfectly_and_tags_leak(shape):
    """Train on the oldest three quarters, score the newest quarter."""
    frame = generate_lead_outcomes(5000, seed=21, shape=shape)
    plain = _holdout_auc(frame.drop(columns=LEAKY[shape]))
    with_tags = _holdout_auc(frame.drop(columns=[c for c in LEAKY[shape] if c != "tags"]))
    assert 0.78 <= plain <= 0.95
    assert with_tags > plain + 0.05


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n": 0}, "n must be at least 1"),
        ({"shape": "crm"}, "shape must be 'web' or 'b2b'"),
        ({"headers": "fr"}, "headers must be 'en' or 'zh'"),
        ({"missing_rate": 0.8}, "missing_rate must be between 0 and 0.5"),
        ({"drift": -0.1}, "drift must be between 0 and 1"),
        ({"base_rate": 1.0}, "base_rate must be between 0 and 1"),
    ],
)
def test_bad_arguments_are_refused_with_what_is_allowed(options, message):
    with pytest.raises(ValueError, match=message):
        generate_lead_outcomes(**options)


def _holdout_auc(frame: pd.DataFrame) -> float:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    y = frame["converted"].to_numpy()
    features = frame.drop(columns=["lead_id", "created_at", "converted", "name", "company"],
                          errors="ignore")  # fmt: skip
    for column in features.columns:
        if features[column].dtype == object:  # a quick ordinal encoding; NaN stays NaN
            codes, _ = pd.factorize(features[column])
            features[column] = np.where(codes < 0, np.nan, codes)
    cut = len(frame) * 3 // 4  # the frame is oldest first
    model = HistGradientBoostingClassifier(random_state=0)
    model.fit(features.iloc[:cut], y[:cut])
    return float(roc_auc_score(y[cut:], model.predict_proba(features.iloc[cut:])[:, 1]))


def _encoded_auc(values: pd.Series, y: np.ndarray) -> float:
    """Holdout AUC of one column encoded by its values' conversion rate on the other half."""
    from sklearn.metrics import roc_auc_score

    keys = values.astype(object).where(values.notna(), "<missing>").to_numpy()
    half = np.random.default_rng(0).random(len(y)) < 0.5
    encoded = np.empty(len(y))
    for learn, apply in ((half, ~half), (~half, half)):
        rate = pd.Series(y[learn]).groupby(keys[learn]).mean()
        encoded[apply] = pd.Series(keys[apply]).map(rate).fillna(y.mean()).to_numpy()
    return float(roc_auc_score(y, encoded))
