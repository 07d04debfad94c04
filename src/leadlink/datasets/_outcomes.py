"""Generated leads with a conversion label, for learning and testing lead-scoring models.

No public lead-conversion table ships in a package, so this module makes one by a process
written down here, close enough to real CRM exports that what works (or fails) on it is
likely to work (or fail) on them. Two shapes:

* ``"web"``: sign-ups of an education or SaaS website, in the columns public web
  lead-conversion exports hold (origin, source, visits, time on site, pages per visit, last
  activity, occupation, a specialisation with a ``"Select"`` placeholder, near-constant
  junk columns such as ``magazine``);
* ``"b2b"``: leads of a B2B SaaS vendor (person, company, title in Chinese or English,
  industry, size, a budget and a timeline typed as free text, email opens, page views, a
  demo request, days since the last activity).

The process, lead by lead:

1. **Intent.** A latent intent ``z ~ Normal(0, 1)`` that no column holds.
2. **Behaviour from intent.** Visits ``~ Poisson(exp(1.0 + 0.45 z))`` (B2B: email opens
   and page views alike); time on site log-normal, longer with intent and visits; pages
   per visit from the pages seen on those visits; the last activity drawn with
   intent-dependent probabilities (high intent: SMS sent, a phone conversation, a demo
   booked; low intent: email bounced, unsubscribed, unreachable). Leads that never reach
   the website (chat, lead-add forms, imports) have zero visits and zero time, as in real
   exports, where they are most of the zeros.
3. **Who they are.** Sources of different base quality (a referral converts far more
   often than a chat widget or a cold call) in a skewed long tail with rare values;
   occupation (web) or industry, company size and title seniority (B2B), each with an
   effect of its own.
4. **Conversion.** ``converted ~ Bernoulli(sigmoid(f))`` where ``f`` adds: intent; the
   effects of source, origin, occupation or industry, last activity; a **non-linear**
   effect of behaviour (time on site helps strongly only above about ten minutes and then
   saturates; B2B: page views above about a dozen, a sweet spot of company size, recency
   of the last activity); **interactions** (the time effect is weaker for working
   professionals, who convert anyway; seniority counts less at very small companies); a
   **time drift** scaled by ``drift`` (newer leads convert a little differently overall and
   by source, and the chat / WeChat share grows, so a split by ``created_at`` is the honest
   one); and ``Normal(0, 0.4)`` noise. An intercept is solved for so that the mean
   probability is ``base_rate``. What the columns show of intent is noisy, so the best
   achievable AUC is about 0.85–0.9, not 0.99.
5. **Missing values.** Behaviour and category columns lose values at ``missing_rate`` on
   average, some far more than others (web: occupation and country most, visits and last
   activity rarely; B2B: revenue and budget most, source rarely). Occupation (web) and
   budget (B2B) go missing more often for low-intent leads, as forms that matter less to
   a person are left blank. Values go missing after the outcome is drawn: the export lost
   them, the lead still behaved.
6. **Leakage** (``leakage=True``): columns that are the outcome in disguise, as real
   exports have: ``tags``, a sales rep's note written after the call ("Closed by
   Horizzon", "Ringing" ...; alone an AUC above 0.9. As in the public data it imitates,
   "Lost to EINS" is mostly on converted leads); ``lead_quality``, a grade filled for most
   converted leads and few others; and (web) ``lead_number``, a unique number given on a
   re-import that gives converted leads the later numbers. ``frame.attrs["leaky_columns"]``
   lists them.

``headers="zh"`` gives Chinese headers and Chinese category values (线索来源: 百度, 官网,
微信, 展会, 转介绍 ...) for the same draws: a seed gives the same leads and outcomes in both
languages. Leakage and missing values draw from streams of their own, so changing
``leakage`` or ``missing_rate`` does not change the other values of a seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.datasets._generate import (
    _BRAND_CHARS,
    _BRAND_SYLLABLES,
    _FIRST,
    _GIVEN,
    _LAST,
    _SURNAMES,
    check_headers,
)

__all__ = ["generate_lead_outcomes"]

_START = np.datetime64("2023-01-01T00:00:00")
_SPAN_DAYS = 730
#: Per-lead noise on the log-odds of conversion: what no column can explain.
_NOISE = 0.4

_WEB_HEADERS = {
    "lead_id": "线索ID", "lead_number": "线索编号", "created_at": "创建时间",
    "lead_origin": "线索渠道", "lead_source": "线索来源", "do_not_email": "拒收邮件",
    "do_not_call": "拒接电话", "total_visits": "访问次数", "time_on_site": "网站停留时长",
    "pages_per_visit": "每次访问页数", "last_activity": "最近活动", "country": "国家",
    "specialization": "专业方向", "occupation": "职业", "tags": "标签",
    "lead_quality": "线索质量", "city": "城市", "free_copy": "免费资料", "magazine": "杂志",
    "newspaper_article": "报纸文章", "search": "搜索广告",
    "through_recommendations": "朋友推荐", "converted": "是否转化",
}  # fmt: skip
_B2B_HEADERS = {
    "lead_id": "线索ID", "created_at": "创建时间", "name": "姓名", "company": "公司名称",
    "title": "职位", "industry": "行业", "employees": "员工数", "annual_revenue": "年营收",
    "budget": "预算", "timeline": "采购时间", "lead_source": "线索来源", "country": "国家",
    "city": "城市", "webinar_attended": "参加研讨会", "email_opens": "邮件打开次数",
    "page_views": "页面浏览量", "demo_requested": "申请演示", "last_activity": "最近活动",
    "days_since_last_activity": "距上次活动天数", "tags": "标签", "lead_quality": "线索质量",
    "converted": "是否转化",
}  # fmt: skip

# Category tables. Columns: English value, Chinese value, share, then per table the pull of
# intent on the draw and the effect on the log-odds of conversion.

_ORIGINS = (  # en, zh, share, effect
    ("Landing Page Submission", "落地页提交", 0.53, 0.0),
    ("API", "API", 0.39, -0.2),
    ("Lead Add Form", "线索表单", 0.075, 2.0),
    ("Lead Import", "线索导入", 0.006, -0.5),
    ("Quick Add Form", "快速添加", 0.0005, 0.0),
)
_LANDING, _API, _ADD_FORM, _IMPORT = 0, 1, 2, 3

_WEB_SOURCES = (  # en, zh, share, effect, drift (log-odds per unit of time, times `drift`)
    ("Google", "百度", 0.31, 0.0, -1.2),
    ("Direct Traffic", "官网", 0.275, -0.35, 0.0),
    ("Olark Chat", "在线客服", 0.19, -0.9, 0.8),
    ("Organic Search", "自然搜索", 0.125, -0.1, 0.0),
    ("Reference", "转介绍", 0.058, 1.2, 0.0),
    ("Welingak Website", "合作网站", 0.0154, 2.5, 0.0),
    ("Referral Sites", "推荐网站", 0.0135, -0.3, 0.0),
    ("Facebook", "微信", 0.006, -0.6, 0.0),
    ("bing", "必应", 0.0006, -0.8, 0.0),
    ("google", "百度推广", 0.0005, 0.0, 0.0),
    ("Click2call", "400电话", 0.0004, 0.8, 0.0),
    ("Live Chat", "在线咨询", 0.0002, 0.5, 0.0),
    ("Social Media", "抖音", 0.0002, -0.3, 0.0),
    ("Press_Release", "新闻稿", 0.0002, -0.5, 0.0),
    ("Pay per Click Ads", "信息流广告", 0.0001, 0.0, 0.0),
    ("blog", "博客", 0.0001, 0.0, 0.0),
    ("welearnblog_Home", "公众号文章", 0.0001, 0.0, 0.0),
    ("WeLearn", "知乎", 0.0001, 0.0, 0.0),
    ("youtubechannel", "B站", 0.0001, 0.0, 0.0),
    ("NC_EDM", "邮件营销", 0.0001, 0.0, 0.0),
    ("testone", "测试", 0.0001, 0.0, 0.0),
)
_GOOGLE, _OLARK, _REFERENCE, _WELINGAK, _FACEBOOK = 0, 2, 4, 5, 7

_WEB_ACTIVITIES = (  # en, zh, share, intent pull, effect
    ("Email Opened", "打开邮件", 0.372, 0.2, 0.0),
    ("SMS Sent", "已发短信", 0.297, 0.7, 1.0),
    ("Olark Chat Conversation", "在线客服对话", 0.105, -0.5, -0.8),
    ("Page Visited on Website", "浏览网页", 0.069, -0.2, -0.4),
    ("Converted to Lead", "转为线索", 0.046, -0.6, -0.7),
    ("Email Bounced", "邮件退回", 0.035, -0.8, -0.9),
    ("Email Link Clicked", "点击邮件链接", 0.029, 0.1, -0.2),
    ("Form Submitted on Website", "提交表单", 0.0126, 0.0, -0.2),
    ("Unreachable", "无法联系", 0.01, -0.2, 0.3),
    ("Unsubscribed", "退订", 0.0066, -0.4, -0.5),
    ("Had a Phone Conversation", "电话沟通", 0.003, 1.0, 1.5),
    ("Approached upfront", "主动接洽", 0.001, 1.0, 2.0),
    ("View in browser link Clicked", "浏览器查看邮件", 0.0007, 0.0, -0.5),
    ("Email Received", "收到邮件", 0.0002, 0.5, 1.0),
    ("Email Marked Spam", "标记垃圾邮件", 0.0002, -0.5, -0.5),
    ("Visited Booth in Tradeshow", "展会到访", 0.0001, 0.0, 0.0),
    ("Resubscribed to emails", "重新订阅", 0.0001, 0.3, 0.5),
)
_CHAT_ACTIVITY = 2

_OCCUPATIONS = (  # en, zh, share, intent pull, effect, weight of the time-on-site effect
    ("Unemployed", "待业", 0.855, 0.0, 0.0, 1.0),
    ("Working Professional", "在职", 0.108, 0.5, 2.2, 0.3),
    ("Student", "学生", 0.032, -0.2, -0.3, 0.7),
    ("Other", "其他", 0.0024, 0.0, 0.6, 0.8),
    ("Housewife", "家庭主妇", 0.0015, 0.3, 2.5, 0.3),
    ("Businessman", "企业主", 0.0012, 0.2, 0.9, 0.8),
)

_SPECIALIZATIONS = (  # en, zh, share, intent pull, effect
    ("Select", "请选择", 0.21, -0.4, -0.3),
    ("Finance Management", "财务管理", 0.106, 0.0, 0.15),
    ("Human Resource Management", "人力资源管理", 0.092, 0.0, 0.2),
    ("Marketing Management", "市场营销管理", 0.091, 0.0, 0.25),
    ("Operations Management", "运营管理", 0.054, 0.0, 0.2),
    ("Business Administration", "工商管理", 0.044, 0.0, 0.0),
    ("IT Projects Management", "IT项目管理", 0.040, 0.0, 0.0),
    ("Supply Chain Management", "供应链管理", 0.038, 0.0, 0.0),
    ("Banking, Investment And Insurance", "银行投资与保险", 0.037, 0.0, 0.3),
    ("Travel and Tourism", "旅游管理", 0.022, 0.0, -0.3),
    ("Media and Advertising", "传媒与广告", 0.022, 0.0, 0.0),
    ("International Business", "国际商务", 0.019, 0.0, 0.0),
    ("Healthcare Management", "医疗管理", 0.017, 0.0, 0.2),
    ("Hospitality Management", "酒店管理", 0.012, 0.0, -0.1),
    ("E-COMMERCE", "电子商务", 0.012, 0.0, 0.0),
    ("Retail Management", "零售管理", 0.011, 0.0, -0.1),
    ("Rural and Agribusiness", "农业管理", 0.008, 0.0, 0.1),
    ("E-Business", "电子商业", 0.006, 0.0, 0.0),
    ("Services Excellence", "服务管理", 0.004, 0.0, -0.4),
)

_WEB_COUNTRIES = (  # en, zh, share
    ("India", "中国", 0.96), ("United States", "美国", 0.0075),
    ("United Arab Emirates", "阿联酋", 0.0055), ("Singapore", "新加坡", 0.0025),
    ("Saudi Arabia", "沙特阿拉伯", 0.0023), ("United Kingdom", "英国", 0.0015),
    ("Australia", "澳大利亚", 0.0013), ("Qatar", "卡塔尔", 0.001),
    ("Hong Kong", "中国香港", 0.0007), ("Bahrain", "巴林", 0.0007), ("Oman", "阿曼", 0.0006),
    ("France", "法国", 0.0006), ("unknown", "未知", 0.0005), ("Canada", "加拿大", 0.0004),
    ("Germany", "德国", 0.0004), ("Nigeria", "尼日利亚", 0.0004),
    ("South Africa", "南非", 0.0004), ("Kuwait", "科威特", 0.0004),
)  # fmt: skip

_WEB_CITIES = (  # en, zh, share, intent pull
    ("Mumbai", "上海", 0.35, 0.0),
    ("Select", "请选择", 0.24, -0.3),
    ("Thane & Outskirts", "北京", 0.08, 0.0),
    ("Other Cities", "其他城市", 0.075, 0.0),
    ("Other Cities of Maharashtra", "省内其他城市", 0.05, 0.0),
    ("Other Metro Cities", "其他一线城市", 0.04, 0.0),
    ("Tier II Cities", "二线城市", 0.008, 0.0),
)

_WEB_TAGS = (  # en, zh, share among converted leads, share among the others
    ("Will revert after reading the email", "看完邮件后回复", 0.48, 0.01),
    ("Closed by Horizzon", "已成交（Horizzon）", 0.30, 0.002),
    ("Lost to EINS", "流失给EINS", 0.08, 0.004),
    ("Busy", "忙碌", 0.05, 0.05),
    ("Still Thinking", "还在考虑", 0.005, 0.005),
    ("Want to take admission but has financial problems", "想报名但有经济困难", 0.005, 0.004),
    ("Ringing", "无人接听", 0.01, 0.28),
    ("Interested in other courses", "对其他课程感兴趣", 0.01, 0.12),
    ("Already a student", "已是学员", 0.002, 0.10),
    ("switched off", "关机", 0.005, 0.06),
    ("Not doing further education", "不再深造", 0.002, 0.03),
    ("Interested  in full time MBA", "想读全日制MBA", 0.003, 0.03),
    ("Graduation in progress", "尚未毕业", 0.01, 0.03),
    ("invalid number", "无效号码", 0.001, 0.02),
    ("Diploma holder (Not Eligible)", "学历不符", 0.001, 0.015),
    ("wrong number given", "号码错误", 0.001, 0.01),
    ("opp hangup", "对方挂断", 0.002, 0.008),
    ("number not provided", "未留号码", 0.001, 0.006),
    ("Lost to Others", "流失给其他机构", 0.001, 0.002),
)
_B2B_TAGS = (  # en, zh, share among converted leads, share among the others
    ("Closed won", "已签约", 0.35, 0.002),
    ("Will revert after reading the email", "看完邮件后回复", 0.30, 0.01),
    ("Contract sent", "合同已发", 0.15, 0.005),
    ("PO received", "已下单", 0.08, 0.001),
    ("Busy", "忙碌", 0.04, 0.05),
    ("Still thinking", "还在考虑", 0.03, 0.06),
    ("Follow up next month", "下月跟进", 0.02, 0.07),
    ("Lost to competitor", "输给竞品", 0.005, 0.18),
    ("Ringing", "无人接听", 0.01, 0.20),
    ("No budget", "无预算", 0.003, 0.15),
    ("Not decision maker", "非决策人", 0.005, 0.10),
    ("switched off", "关机", 0.003, 0.06),
    ("Interested in other products", "对其他产品感兴趣", 0.005, 0.06),
    ("wrong number given", "号码错误", 0.001, 0.04),
    ("Already a customer", "已是客户", 0.002, 0.02),
)
#: Share of converted / other leads a rep tagged (the others are left blank).
_TAGGED = (0.82, 0.66)

_QUALITIES = (  # en, zh, share among converted leads, share among the others
    ("High in Relevance", "高度相关", 0.30, 0.03),
    ("Might be", "可能", 0.35, 0.30),
    ("Not Sure", "不确定", 0.20, 0.35),
    ("Low in Relevance", "低相关", 0.10, 0.12),
    ("Worst", "最差", 0.05, 0.20),
)
#: Share of converted / other leads with a quality grade.
_GRADED = (0.85, 0.2)

_TITLES = (  # title, seniority (-1 assistant … 3 chief), share, written in Chinese
    ("CEO", 3, 0.05, False), ("总经理", 3, 0.05, True), ("CTO", 3, 0.02, False),
    ("总监", 2, 0.08, True), ("Director", 2, 0.06, False), ("VP Sales", 2, 0.03, False),
    ("采购经理", 2, 0.07, True), ("Head of Procurement", 2, 0.03, False),
    ("IT主管", 2, 0.05, True), ("部门经理", 1, 0.06, True), ("Manager", 1, 0.07, False),
    ("销售经理", 1, 0.06, True), ("工程师", 0, 0.08, True), ("Engineer", 0, 0.06, False),
    ("销售代表", 0, 0.05, True), ("Analyst", 0, 0.04, False), ("市场专员", 0, 0.05, True),
    ("助理", -1, 0.04, True), ("Assistant", -1, 0.03, False), ("实习生", -1, 0.01, True),
    ("Intern", -1, 0.01, False),
)  # fmt: skip

_INDUSTRIES = (  # en, zh, share, effect, word in a Chinese company name, in an English one
    ("Software", "软件", 0.18, 0.4, "软件", "Software"),
    ("Manufacturing", "制造业", 0.20, 0.0, "机械制造", "Manufacturing"),
    ("Retail", "零售", 0.10, -0.2, "商贸", "Retail"),
    ("Finance", "金融", 0.10, 0.3, "金融服务", "Capital"),
    ("Healthcare", "医疗", 0.07, 0.1, "医疗科技", "Health"),
    ("Education", "教育", 0.08, -0.4, "教育科技", "Learning"),
    ("Logistics", "物流", 0.07, 0.0, "物流", "Logistics"),
    ("Consulting", "咨询", 0.06, -0.1, "管理咨询", "Consulting"),
    ("Real Estate", "房地产", 0.05, -0.3, "置业", "Properties"),
    ("Government", "政府", 0.03, -0.6, "公共服务", "Public Services"),
    ("Internet", "互联网", 0.06, 0.3, "网络科技", "Digital"),
)

_B2B_COUNTRIES = (  # en, zh, share, legal forms, cities (en, zh) most common first
    ("China", "中国", 0.68, ("有限公司", "有限公司", "股份有限公司"),
     (("Beijing", "北京"), ("Shanghai", "上海"), ("Shenzhen", "深圳"), ("Guangzhou", "广州"),
      ("Hangzhou", "杭州"), ("Chengdu", "成都"), ("Suzhou", "苏州"), ("Wuhan", "武汉"),
      ("Nanjing", "南京"), ("Xi'an", "西安"))),
    ("United States", "美国", 0.09, ("Inc.", "LLC", "Corp."),
     (("San Francisco", "旧金山"), ("New York", "纽约"), ("Austin", "奥斯汀"),
      ("Seattle", "西雅图"))),
    ("Singapore", "新加坡", 0.05, ("Pte Ltd",), (("Singapore", "新加坡"),)),
    ("Hong Kong", "中国香港", 0.04, ("Limited",), (("Hong Kong", "香港"),)),
    ("Germany", "德国", 0.04, ("GmbH", "AG"), (("Berlin", "柏林"), ("Munich", "慕尼黑"))),
    ("United Kingdom", "英国", 0.04, ("Ltd",), (("London", "伦敦"), ("Manchester", "曼彻斯特"))),
    ("Japan", "日本", 0.03, ("K.K.",), (("Tokyo", "东京"), ("Osaka", "大阪"))),
    ("Malaysia", "马来西亚", 0.03, ("Sdn Bhd",), (("Kuala Lumpur", "吉隆坡"),)),
    ("Australia", "澳大利亚", 0.02, ("Pty Ltd",), (("Sydney", "悉尼"), ("Melbourne", "墨尔本"))),
)  # fmt: skip

_B2B_SOURCES = (  # en, zh, share, effect, drift (log-odds per unit of time, times `drift`)
    ("Website", "官网", 0.22, 0.2, 0.0),
    ("Baidu", "百度", 0.12, -0.2, 0.0),
    ("WeChat", "微信", 0.10, 0.0, 1.2),
    ("Google Ads", "谷歌广告", 0.08, -0.1, -1.2),
    ("Trade Show", "展会", 0.08, 0.3, 0.0),
    ("Cold Call", "陌拜电话", 0.08, -0.8, 0.0),
    ("LinkedIn", "领英", 0.07, 0.0, 0.0),
    ("Referral", "转介绍", 0.06, 1.0, 0.0),
    ("Webinar", "线上研讨会", 0.06, 0.3, 0.0),
    ("Partner", "合作伙伴", 0.05, 0.6, 0.0),
    ("Email Campaign", "邮件营销", 0.05, -0.4, 0.0),
    ("Zhihu", "知乎", 0.01, -0.2, 0.0),
    ("Douyin", "抖音", 0.008, -0.5, 0.0),
    ("Other", "其他", 0.006, 0.0, 0.0),
)
_WECHAT, _COLD_CALL, _WEBINAR = 2, 5, 8

_B2B_ACTIVITIES = (  # en, zh, share, intent pull, effect
    ("Email Opened", "打开邮件", 0.28, 0.1, 0.0),
    ("Page Visited on Website", "浏览官网", 0.15, 0.0, -0.1),
    ("Form Submitted", "提交表单", 0.10, 0.3, 0.1),
    ("Had a Phone Conversation", "电话沟通", 0.07, 0.6, 0.5),
    ("Pricing Page Visited", "访问价格页", 0.06, 0.6, 0.5),
    ("Demo Scheduled", "预约演示", 0.05, 0.9, 0.8),
    ("Email Link Clicked", "点击邮件链接", 0.05, 0.2, 0.0),
    ("Email Bounced", "邮件退回", 0.05, -0.8, -0.8),
    ("Unreachable", "无法联系", 0.05, -0.6, -0.4),
    ("Meeting Booked", "预约会议", 0.04, 0.8, 0.7),
    ("Webinar Attended", "参加研讨会", 0.04, 0.3, 0.2),
    ("Trial Started", "开始试用", 0.03, 0.8, 0.6),
    ("Unsubscribed", "退订", 0.03, -0.7, -0.7),
)

_BUDGET_STATES = (  # no budget, not known yet, a budget: share, intent pull, effect
    (0.2, -0.6, -0.8), (0.35, 0.0, 0.0), (0.45, 0.9, 0.7),
)  # fmt: skip
_NO_BUDGET = ("无", "没有预算", "no budget", "None", "暂无")
_UNKNOWN_BUDGET = ("待定", "TBD", "unknown", "不确定", "看情况")
_WAN = (5, 10, 20, 30, 50, 80, 100, 200, 500)  # 万 (10,000 CNY)
_KILO = (10, 20, 50, 100, 150, 200, 500, 1000, 2000)  # thousands of USD

_TIMELINES = (  # urgency (-1 no plans … 3 this month), share, intent pull, effect, wordings
    (-1, 0.25, -0.6, -0.5, ("未定", "暂无计划", "TBD", "no plans")),
    (0, 0.15, -0.3, -0.3, ("明年", "一年内", "next year")),
    (1, 0.20, 0.0, 0.0, ("半年内", "下半年", "within 6 months", "H2")),
    (2, 0.25, 0.4, 0.3, ("3个月内", "下季度", "next quarter", "Q3")),
    (3, 0.15, 0.8, 0.6, ("1个月内", "尽快", "this month", "ASAP")),
)

_YES_NO = {"en": ("No", "Yes"), "zh": ("否", "是")}
#: Ways CRMs write a yes/no field: (no, yes) pairs and their shares.
_BOOL_WORDS = {
    "en": ((("No", "Yes"), 0.6), (("N", "Y"), 0.15), (("FALSE", "TRUE"), 0.1), (("0", "1"), 0.15)),
    "zh": ((("否", "是"), 0.7), (("N", "Y"), 0.1), (("0", "1"), 0.2)),
}

#: Relative missingness of the columns that lose values (scaled so they average to 1).
#: Pairs lose values together: pages per visit with visits, days since with the activity.
_WEB_MISSING = {"lead_source": 0.05, "total_visits": 0.1, "last_activity": 0.08,
                "country": 1.8, "specialization": 1.0, "occupation": 2.0, "city": 1.0}  # fmt: skip
_WEB_MISSING_WITH = {"total_visits": "pages_per_visit"}
_B2B_MISSING = {"company": 0.3, "title": 1.0, "industry": 1.0, "employees": 1.2,
                "annual_revenue": 2.0, "budget": 2.0, "timeline": 1.6, "lead_source": 0.2,
                "country": 0.3, "city": 0.8, "webinar_attended": 0.6, "email_opens": 0.3,
                "page_views": 0.3, "demo_requested": 0.8, "last_activity": 0.3}  # fmt: skip
_B2B_MISSING_WITH = {"last_activity": "days_since_last_activity"}
#: Columns left blank more often by low-intent leads.
_MISSING_MORE_AT_LOW_INTENT = ("occupation", "budget")


def generate_lead_outcomes(
    n: int = 5000,
    *,
    seed: int = 0,
    shape: str = "web",
    headers: str = "en",
    leakage: bool = True,
    missing_rate: float = 0.15,
    drift: float = 0.3,
    base_rate: float = 0.38,
) -> pd.DataFrame:
    """Generate ``n`` leads with a conversion label (see the module docstring).

    Returns one row per lead, oldest first: the columns of ``shape`` (``"web"`` or
    ``"b2b"``) and the outcome ``converted`` (bool; ``是否转化`` with ``headers="zh"``).
    ``frame.attrs["outcome_column"]`` names the outcome column and
    ``frame.attrs["leaky_columns"]`` the columns planted as the outcome in disguise (empty
    with ``leakage=False``), both as headed in the frame.

    ``missing_rate`` (0 to 0.5) is the average share of missing values over the columns
    that lose values; ``drift`` (0 to 1) how much conversion changes over the two years;
    ``base_rate`` (between 0 and 1) the share of converted leads the process aims at.
    """
    if n < 1:
        raise ValueError(say("n must be at least 1", "n 须不小于 1"))
    if shape not in ("web", "b2b"):
        raise ValueError(say("shape must be 'web' or 'b2b'", "shape 须为 'web' 或 'b2b'"))
    check_headers(headers)
    if not 0 <= missing_rate <= 0.5:
        raise ValueError(
            say(
                f"missing_rate must be between 0 and 0.5, not {missing_rate}",
                f"missing_rate 须在 0 到 0.5 之间，而不是 {missing_rate}",
            )
        )
    if not 0 <= drift <= 1:
        raise ValueError(
            say(
                f"drift must be between 0 and 1, not {drift}",
                f"drift 须在 0 到 1 之间，而不是 {drift}",
            )
        )
    if not 0 < base_rate < 1:
        raise ValueError(
            say(
                f"base_rate must be between 0 and 1 (both excluded), not {base_rate}",
                f"base_rate 须大于 0 且小于 1，而不是 {base_rate}",
            )
        )
    rng = np.random.default_rng(seed)
    lang = 1 if headers == "zh" else 0
    days = np.sort(rng.random(n)) * _SPAN_DAYS
    created = (_START + (days * 86400).astype("timedelta64[s]")).astype(str)
    intent = rng.standard_normal(n)
    when = days / _SPAN_DAYS  # 0 for the oldest lead, 1 for the newest
    if shape == "web":
        columns, log_odds = _web(rng, intent, when, drift, lang)
        lead_ids = _uuid_like(rng, n)
        weights, together = _WEB_MISSING, _WEB_MISSING_WITH
    else:
        columns, log_odds = _b2b(rng, intent, when, days, drift, lang)
        lead_ids = np.array([f"LD-{i + 1:06d}" for i in range(n)], dtype=object)
        weights, together = _B2B_MISSING, _B2B_MISSING_WITH
    log_odds = log_odds + _NOISE * rng.standard_normal(n)
    probability = _sigmoid(log_odds + _intercept(log_odds, base_rate))
    converted = rng.random(n) < probability

    _blank(np.random.default_rng([seed, 2]), columns, intent, weights, together, missing_rate)
    frame = pd.DataFrame({"lead_id": lead_ids, "created_at": created, **columns})
    leaky: list[str] = []
    if leakage:
        leak_rng = np.random.default_rng([seed, 1])
        tags = _WEB_TAGS if shape == "web" else _B2B_TAGS
        frame["tags"] = _by_outcome(leak_rng, converted, tags, _TAGGED, lang)
        frame["lead_quality"] = _by_outcome(leak_rng, converted, _QUALITIES, _GRADED, lang)
        leaky = ["tags", "lead_quality"]
        if shape == "web":
            frame["lead_number"] = _reimport_numbers(leak_rng, converted)
            leaky.append("lead_number")
    frame["converted"] = converted
    order = _WEB_HEADERS if shape == "web" else _B2B_HEADERS
    frame = frame[[column for column in order if column in frame.columns]]
    if lang:
        frame = frame.rename(columns=order)
        leaky = [order[column] for column in leaky]
    frame.attrs["leaky_columns"] = leaky
    frame.attrs["outcome_column"] = order["converted"] if lang else "converted"
    return frame


def _web(
    rng: np.random.Generator, intent: np.ndarray, when: np.ndarray, drift: float, lang: int
) -> tuple[dict[str, Any], np.ndarray]:
    """The web columns (before missing values) and the log-odds of conversion they imply."""
    n = len(intent)
    origin = _draw(rng, _shares(_ORIGINS), n)
    # Each origin brings its own sources: lead-add forms come from references and partner
    # sites, imports from social ads, the API mostly from the chat widget; chat grows.
    pull = np.zeros((n, len(_WEB_SOURCES)))
    partners = np.array([_REFERENCE, _WELINGAK])
    only_partners = np.full(len(_WEB_SOURCES), -4.0)
    only_partners[partners] = 4.0
    pull[origin == _ADD_FORM] += only_partners
    pull[origin == _IMPORT, _FACEBOOK] += 6.0
    pull[origin == _API, _OLARK] += 1.3
    pull[np.ix_(np.flatnonzero(np.isin(origin, (_API, _LANDING))), partners)] -= 5.0
    pull[origin == _LANDING, _OLARK] -= 3.0
    pull[:, _OLARK] += 1.5 * drift * when
    source = _draw(rng, _shares(_WEB_SOURCES), n, pull)

    # Leads from chat, forms and imports are not tracked on the website: no visits.
    off_site = np.isin(origin, (_ADD_FORM, _IMPORT)) & (rng.random(n) < 0.95)
    tracked = ~((source == _OLARK) | off_site)
    visits = np.where(tracked, rng.poisson(np.exp(1.0 + 0.45 * intent)), 0)
    binge = rng.random(n) < 0.003  # a few bots and binge readers
    visits = np.where(binge & tracked, visits * rng.integers(5, 20, n), visits)
    seconds = np.exp(5.2 + 0.3 * np.log1p(visits) + 0.75 * intent + 0.45 * rng.standard_normal(n))
    seconds = np.where(visits > 0, np.minimum(np.round(seconds), 2400), 0).astype(np.int64)
    pages = visits + rng.poisson(visits * 1.4 * np.exp(0.1 * intent))
    per_visit = np.round(pages / np.maximum(visits, 1), 2).astype(float)

    pull = np.outer(intent, _column(_WEB_ACTIVITIES, 3))
    pull[source == _OLARK, _CHAT_ACTIVITY] += 1.5
    activity = _draw(rng, _shares(_WEB_ACTIVITIES), n, pull)
    occupation = _draw(rng, _shares(_OCCUPATIONS), n, np.outer(intent, _column(_OCCUPATIONS, 3)))
    specialization = _draw(
        rng, _shares(_SPECIALIZATIONS), n, np.outer(intent, _column(_SPECIALIZATIONS, 3))
    )
    country = _draw(rng, _shares(_WEB_COUNTRIES), n)
    city = _draw(rng, _shares(_WEB_CITIES), n, np.outer(intent, _column(_WEB_CITIES, 3)))
    no_email = rng.random(n) < 0.08
    no_call = rng.random(n) < 0.0003
    free_copy = rng.random(n) < _sigmoid(-0.8 - 0.2 * intent)

    minutes = seconds / 60
    time_weight = _column(_OCCUPATIONS, 5)[occupation]
    log_odds = (
        1.0 * intent
        + _column(_ORIGINS, 3)[origin]
        + _column(_WEB_SOURCES, 3)[source]
        + drift * _column(_WEB_SOURCES, 4)[source] * (when - 0.5)
        + drift * 1.2 * (when - 0.5)
        + _column(_WEB_ACTIVITIES, 4)[activity]
        + _column(_OCCUPATIONS, 4)[occupation]
        + _column(_SPECIALIZATIONS, 4)[specialization]
        # Time on site counts only above ~10 minutes, then saturates; less so for people
        # who convert anyway (working professionals).
        + 2.2 * time_weight * _sigmoid((minutes - 10) / 2)
        - 1.2 * no_email
        - 0.15 * free_copy
    )
    yes_no = np.array(_YES_NO["zh" if lang else "en"], dtype=object)
    columns: dict[str, Any] = {
        "lead_origin": _labels(_ORIGINS, lang)[origin],
        "lead_source": _labels(_WEB_SOURCES, lang)[source],
        "do_not_email": yes_no[no_email.astype(int)],
        "do_not_call": yes_no[no_call.astype(int)],
        "total_visits": visits.astype(float),
        "time_on_site": seconds,
        "pages_per_visit": per_visit,
        "last_activity": _labels(_WEB_ACTIVITIES, lang)[activity],
        "country": _labels(_WEB_COUNTRIES, lang)[country],
        "specialization": _labels(_SPECIALIZATIONS, lang)[specialization],
        "occupation": _labels(_OCCUPATIONS, lang)[occupation],
        "city": _labels(_WEB_CITIES, lang)[city],
        "free_copy": yes_no[free_copy.astype(int)],
        # Near-constant columns real exports carry: almost always "No".
        "magazine": yes_no[np.zeros(n, dtype=int)],
        "newspaper_article": yes_no[(rng.random(n) < 0.0002).astype(int)],
        "search": yes_no[(rng.random(n) < 0.0015).astype(int)],
        "through_recommendations": yes_no[(rng.random(n) < 0.0008).astype(int)],
    }
    return columns, log_odds


def _b2b(
    rng: np.random.Generator,
    intent: np.ndarray,
    when: np.ndarray,
    days: np.ndarray,
    drift: float,
    lang: int,
) -> tuple[dict[str, Any], np.ndarray]:
    """The B2B columns (before missing values) and the log-odds of conversion they imply."""
    n = len(intent)
    companies = _company_pool(rng, max(10, n // 3))
    weights = 1.0 / np.arange(1, len(companies["name"]) + 1) ** 0.6  # a few big accounts
    company = rng.choice(len(weights), size=n, p=weights / weights.sum())
    country, city = companies["country"][company], companies["city"][company]
    industry, employees = companies["industry"][company], companies["employees"][company]
    revenue = companies["revenue"][company]
    chinese = country == 0

    surname = rng.integers(0, len(_SURNAMES), n)
    given = rng.integers(0, len(_GIVEN), n)
    first, last = rng.integers(0, len(_FIRST), n), rng.integers(0, len(_LAST), n)
    han = chinese & (rng.random(n) < 0.9)
    names = np.array(
        [_SURNAMES[s] + _GIVEN[g] if h else f"{_FIRST[f]} {_LAST[la]}"
         for h, s, g, f, la in zip(han, surname, given, first, last)],
        dtype=object,
    )  # fmt: skip
    in_chinese = np.array([row[3] for row in _TITLES])
    title = _draw(rng, _shares(_TITLES), n, 1.2 * np.equal.outer(chinese, in_chinese))
    seniority = np.array([row[1] for row in _TITLES], dtype=float)[title]

    pull = np.zeros((n, len(_B2B_SOURCES)))
    pull[:, _WECHAT] += 1.5 * drift * when
    source = _draw(rng, _shares(_B2B_SOURCES), n, pull)
    webinar = rng.random(n) < _sigmoid(-1.6 + 0.5 * intent + 2.2 * (source == _WEBINAR))
    opens = rng.poisson(np.exp(0.9 + 0.5 * intent - 0.5 * (source == _COLD_CALL)))
    views = rng.poisson(rng.gamma(2.0, np.exp(1.4 + 0.6 * intent) / 2))
    demo = rng.random(n) < _sigmoid(-1.8 + 1.2 * intent)
    activity = _draw(
        rng, _shares(_B2B_ACTIVITIES), n, np.outer(intent, _column(_B2B_ACTIVITIES, 3))
    )
    idle = np.exp(2.5 - 0.6 * intent + 0.7 * rng.standard_normal(n))
    idle = np.minimum(np.round(idle), np.floor(_SPAN_DAYS - days)).astype(float)

    size = np.log10(employees)
    budget_state = _draw(
        rng, [s for s, _, _ in _BUDGET_STATES], n,
        np.outer(intent, [p for _, p, _ in _BUDGET_STATES])
        + np.outer(0.4 * (size - 2), [-1.0, 0.0, 1.0]),
    )  # fmt: skip
    budget = _budget_text(rng, budget_state, size, intent, chinese)
    urgency = _draw(
        rng, [row[1] for row in _TIMELINES], n, np.outer(intent, [row[2] for row in _TIMELINES])
    )
    timeline = _wording(rng, urgency, chinese)

    log_odds = (
        0.8 * intent
        + np.array([row[3] for row in _INDUSTRIES])[industry]
        + _column(_B2B_SOURCES, 3)[source]
        + drift * _column(_B2B_SOURCES, 4)[source] * (when - 0.5)
        + drift * 1.2 * (when - 0.5)
        + _column(_B2B_ACTIVITIES, 4)[activity]
        + np.array([e for _, _, e in _BUDGET_STATES])[budget_state]
        + np.array([row[3] for row in _TIMELINES])[urgency]
        # A sweet spot of company size; seniority counts less at very small companies.
        - 0.35 * (size - 2.5) ** 2
        + 0.3 * seniority * np.where(employees < 20, 0.3, 1.0)
        # Page views help only above about a dozen, then saturate; recency decays.
        + 1.4 * _sigmoid((views - 12) / 3)
        - 0.5 * np.log1p(idle / 10)
        + 0.05 * np.minimum(opens, 10)
        + 0.3 * webinar
        + 0.9 * demo
    )
    words = [word for word, _ in _BOOL_WORDS["zh" if lang else "en"]]
    style = rng.choice(
        len(words), size=n, p=[share for _, share in _BOOL_WORDS["zh" if lang else "en"]]
    )
    demo_text = np.array([pair[int(d)] for pair in words for d in (0, 1)], dtype=object)
    yes_no = np.array(_YES_NO["zh" if lang else "en"], dtype=object)
    columns: dict[str, Any] = {
        "name": names,
        "company": companies["name"][company],
        "title": np.array([row[0] for row in _TITLES], dtype=object)[title],
        "industry": _labels(_INDUSTRIES, lang)[industry],
        "employees": employees.astype(float),
        "annual_revenue": revenue.astype(float),
        "budget": budget,
        "timeline": timeline,
        "lead_source": _labels(_B2B_SOURCES, lang)[source],
        "country": _labels(_B2B_COUNTRIES, lang)[country],
        "city": companies["city_labels"][lang][city],
        "webinar_attended": yes_no[webinar.astype(int)],
        "email_opens": opens.astype(float),
        "page_views": views.astype(float),
        "demo_requested": demo_text[2 * style + demo],
        "last_activity": _labels(_B2B_ACTIVITIES, lang)[activity],
        "days_since_last_activity": idle,
    }
    return columns, log_odds


def _company_pool(rng: np.random.Generator, size: int) -> dict[str, Any]:
    """``size`` companies: name, industry, employees (skewed), revenue, country and city."""
    country = rng.choice(len(_B2B_COUNTRIES), size=size, p=_shares(_B2B_COUNTRIES))
    cities = [(c, city) for c, row in enumerate(_B2B_COUNTRIES) for city in row[4]]
    first_city = np.cumsum([0] + [len(row[4]) for row in _B2B_COUNTRIES])
    within = np.array([len(row[4]) for row in _B2B_COUNTRIES])[country]
    rank = np.floor(within * rng.random(size) ** 1.6).astype(int)  # big cities first
    city = first_city[country] + np.minimum(rank, within - 1)
    industry = rng.choice(len(_INDUSTRIES), size=size, p=_shares(_INDUSTRIES))
    employees = np.clip(np.round(np.exp(rng.normal(4.0, 1.6, size))), 1, 200_000)
    revenue = np.round(employees * np.exp(rng.normal(np.log(150_000), 0.6, size)), -3)
    brand_len = rng.integers(2, 4, size)
    brand_chars = rng.integers(0, len(_BRAND_CHARS), (size, 3))
    syllables = rng.integers(0, len(_BRAND_SYLLABLES), (size, 3))
    form_pick = rng.integers(0, 6, size)
    names: list[str] = []
    used: set[str] = set()
    for i in range(size):
        forms, word = _B2B_COUNTRIES[country[i]][3], _INDUSTRIES[industry[i]]
        form = forms[form_pick[i] % len(forms)]
        city_zh = cities[city[i]][1][1] if country[i] == 0 else ""
        if city_zh:
            brand = "".join(_BRAND_CHARS[k] for k in brand_chars[i, : brand_len[i]])
        else:
            brand = "".join(_BRAND_SYLLABLES[k] for k in syllables[i, : brand_len[i]])
        name = _company_name(brand, word, form, city_zh)
        extra = 0
        while name in used:  # brands repeat by chance on large pools: one more character
            extra += 1
            brand += _BRAND_CHARS[(i + extra) % len(_BRAND_CHARS)] if city_zh else str(extra + 1)
            name = _company_name(brand, word, form, city_zh)
        used.add(name)
        names.append(name)
    return {
        "name": np.array(names, dtype=object), "country": country, "city": city,
        "industry": industry, "employees": employees, "revenue": revenue,
        "city_labels": [np.array([c[1][k] for c in cities], dtype=object) for k in (0, 1)],
    }  # fmt: skip


def _company_name(brand: str, industry: tuple[Any, ...], form: str, city_zh: str) -> str:
    """北京华泰软件有限公司 for a Chinese company (a city given), Acmenova Software Inc. else."""
    if city_zh:
        return f"{city_zh}{brand}{industry[4]}{form}"
    return f"{brand.capitalize()} {industry[5]} {form}"


def _budget_text(
    rng: np.random.Generator,
    state: np.ndarray,
    size: np.ndarray,
    intent: np.ndarray,
    chinese: np.ndarray,
) -> np.ndarray:
    """A budget as people type it: "50万", "20-50万", "100k", "$20,000", "无", "待定" ..."""
    n = len(state)
    step = np.clip(np.round(1.3 * (size - 1) + 0.4 * intent + 0.7 * rng.standard_normal(n)), 0, 7)
    step = step.astype(int)
    amounts = np.array(
        [[f"{w}万" for w in _WAN], [f"{a}-{b}万" for a, b in zip(_WAN, (*_WAN[1:], 1000))],
         [f"约{w}万" for w in _WAN], [f"{k}k" for k in _KILO],
         [f"${k * 1000:,}" for k in _KILO], [f"USD {k}k" for k in _KILO]],
        dtype=object,
    )  # fmt: skip
    style = np.where(
        chinese & (rng.random(n) < 0.8),
        rng.choice(3, size=n, p=[0.7, 0.15, 0.15]),
        3 + rng.choice(3, size=n, p=[0.6, 0.25, 0.15]),
    )
    text = amounts[style, step]
    none = np.array(_NO_BUDGET, dtype=object)[rng.integers(0, len(_NO_BUDGET), n)]
    unknown = np.array(_UNKNOWN_BUDGET, dtype=object)[rng.integers(0, len(_UNKNOWN_BUDGET), n)]
    return np.where(state == 0, none, np.where(state == 1, unknown, text))


def _wording(rng: np.random.Generator, urgency: np.ndarray, chinese: np.ndarray) -> np.ndarray:
    """A timeline as typed: Chinese wordings mostly for Chinese leads, English otherwise."""
    n = len(urgency)
    table = np.empty((len(_TIMELINES), 4), dtype=object)
    for level, row in enumerate(_TIMELINES):
        wordings = row[4]
        zh = [w for w in wordings if not w.isascii()]
        en = [w for w in wordings if w.isascii()]
        table[level] = [zh[0], zh[-1], en[0], en[-1]]
    prefer_zh = np.where(chinese, 0.8, 0.1)
    in_zh = rng.random(n) < prefer_zh
    pick = np.where(in_zh, 0, 2) + (rng.random(n) < 0.35)
    return table[urgency, pick]


def _by_outcome(
    rng: np.random.Generator,
    converted: np.ndarray,
    table: Sequence[tuple[Any, ...]],
    filled: tuple[float, float],
    lang: int,
) -> np.ndarray:
    """A value written after the outcome was known: drawn from the converted or the other
    shares of ``table``, or missing (``filled`` is the share of each outcome with one)."""
    n = len(converted)
    labels = np.array([*_labels(table, lang), None], dtype=object)
    yes = rng.choice(len(table), size=n, p=_normalised([row[2] for row in table]))
    no = rng.choice(len(table), size=n, p=_normalised([row[3] for row in table]))
    value = np.where(converted, yes, no)
    has = rng.random(n) < np.where(converted, filled[0], filled[1])
    return labels[np.where(has, value, len(table))]


def _reimport_numbers(rng: np.random.Generator, converted: np.ndarray) -> np.ndarray:
    """Unique lead numbers from a re-import that took converted leads last (mostly)."""
    key = 0.8 * converted + rng.random(len(converted))
    gaps = rng.integers(1, 4, len(converted))
    numbers = np.empty(len(converted), dtype=np.int64)
    numbers[np.argsort(key, kind="stable")] = 579_500 + np.cumsum(gaps)
    return numbers


def _blank(
    rng: np.random.Generator,
    columns: dict[str, Any],
    intent: np.ndarray,
    weights: dict[str, float],
    together: dict[str, str],
    missing_rate: float,
) -> None:
    """Blank values in place: column ``c`` loses a share ``missing_rate × weight(c)`` (the
    weights average 1), more at low intent for :data:`_MISSING_MORE_AT_LOW_INTENT`."""
    # A column that goes with another counts twice in the average, as its pair's copy.
    mean_weight = (sum(weights.values()) + sum(weights[c] for c in together)) / (
        len(weights) + len(together)
    )
    for column, weight in weights.items():
        rate = np.full(len(intent), missing_rate * weight / mean_weight)
        if column in _MISSING_MORE_AT_LOW_INTENT:
            rate *= 2 * _sigmoid(-1.2 * intent)  # averages 1 over intent ~ Normal(0, 1)
        gone = rng.random(len(intent)) < np.minimum(rate, 0.95)
        for name in (column, together.get(column)):
            if name is None:
                continue
            values = columns[name]
            if values.dtype == object:
                values = values.copy()
                values[gone] = None
            else:
                values = np.where(gone, np.nan, values.astype(float))
            columns[name] = values


def _draw(
    rng: np.random.Generator,
    shares: Sequence[float] | np.ndarray,
    n: int,
    pull: np.ndarray | None = None,
) -> np.ndarray:
    """``n`` category indices drawn with probabilities ``shares``, each row's log-odds moved
    by its row of ``pull`` (n × categories): one softmax draw per row, as Gumbel maxima."""
    scores = np.log(_normalised(shares)) + rng.gumbel(size=(n, len(shares)))
    if pull is not None:
        scores = scores + pull
    return scores.argmax(axis=1)


def _intercept(log_odds: np.ndarray, base_rate: float) -> float:
    """The shift of ``log_odds`` that makes the mean probability ``base_rate`` (bisection;
    the mean is increasing in the shift)."""
    low, high = -30.0, 30.0
    for _ in range(60):
        middle = (low + high) / 2
        if _sigmoid(log_odds + middle).mean() < base_rate:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _uuid_like(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unique ids shaped like the UUIDs web forms give: 80 random bits, then the row number
    mixed into 48 bits by an odd multiplier (a bijection, so never a repeat)."""
    high = rng.integers(0, 2**40, size=(n, 2), dtype=np.int64)
    offset = int(rng.integers(0, 2**47))
    ids = []
    for i, (a, b) in enumerate(high.tolist()):
        digits = f"{a:010x}{b:010x}{(i * 0x9E3779B97F4B + offset) % 2**48:012x}"
        ids.append(f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}")
    return np.array(ids, dtype=object)


def _shares(table: Sequence[tuple[Any, ...]]) -> np.ndarray:
    """The share column of a category table (the third of its rows' fields)."""
    return _normalised([row[2] for row in table])


def _column(table: Sequence[tuple[Any, ...]], index: int) -> np.ndarray:
    return np.array([row[index] for row in table], dtype=float)


def _labels(table: Sequence[tuple[Any, ...]], lang: int) -> np.ndarray:
    """The English (``lang`` 0) or Chinese (1) values of a category table."""
    return np.array([row[lang] for row in table], dtype=object)


def _normalised(weights: Sequence[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(weights, dtype=float)
    return array / array.sum()


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))
