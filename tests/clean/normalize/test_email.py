"""Email addresses: canonical mailbox, provider rules, syntax, and the role/free/disposable flags."""

from __future__ import annotations

import pytest

from leadlink import normalize as nz
from leadlink.clean.normalize import _email

EMAILS = [
    # (input, canonical mailbox or None)
    ("zhang.wei@acme.com", "zhang.wei@acme.com"),
    ("  Zhang.Wei@ACME.com  ", "zhang.wei@acme.com"),
    ("ZHANG.WEI@ACME.COM", "zhang.wei@acme.com"),
    ("zhang.wei@acme.com.", "zhang.wei@acme.com"),
    ("mailto:zhang.wei@acme.com", "zhang.wei@acme.com"),
    ("mailto:zhang.wei@acme.com?subject=hi", "zhang.wei@acme.com"),
    ("Zhang Wei <zhang.wei@acme.com>", "zhang.wei@acme.com"),
    ("<zhang.wei@acme.com>", "zhang.wei@acme.com"),
    ("ｚｈａｎｇ＠ａｃｍｅ．ｃｏｍ", "zhang@acme.com"),
    ("zhang@qq。com", "zhang@qq.com"),
    ("zhang wei@acme.com", "zhangwei@acme.com"),
    ("bob @ acme.com", "bob@acme.com"),
    (".bob@acme.com", "bob@acme.com"),  # a stray leading dot is dropped, not fatal
    ("12345678@qq.com", "12345678@qq.com"),
    ("zhang+crm@qq.com", "zhang+crm@qq.com"),
    ("zhang.wei@qq.com", "zhang.wei@qq.com"),  # only Gmail ignores the dots
    ("Zhang.Wei+crm@gmail.com", "zhangwei@gmail.com"),
    ("z.h.a.n.g@gmail.com", "zhang@gmail.com"),
    ("zhang.wei@googlemail.com", "zhangwei@gmail.com"),
    ("zhangwei+a+b@gmail.com", "zhangwei@gmail.com"),
    ("john+news@outlook.com", "john@outlook.com"),
    ("john+news@hotmail.com", "john@hotmail.com"),
    ("john+news@icloud.com", "john@icloud.com"),
    ("john+news@protonmail.com", "john@protonmail.com"),
    ("john+news@fastmail.com", "john@fastmail.com"),
    ("john.smith@outlook.com", "john.smith@outlook.com"),
    ("john-news@yahoo.com", "john-news@yahoo.com"),
    ("john+news@acme.com", "john+news@acme.com"),
    ("o'brien@acme.ie", "o'brien@acme.ie"),
    ("li_na@sub.acme.com.cn", "li_na@sub.acme.com.cn"),
    ("li-na@acme-corp.co.uk", "li-na@acme-corp.co.uk"),
    ("li_na-1@sub.example.com.cn", "li_na-1@sub.example.com.cn"),
    ("a@b.co", "a@b.co"),
    ("info@xn--fiqs8s.cn", "info@xn--fiqs8s.cn"),
    # not valid
    ("zhang.wei", None),
    ("zhang.wei@", None),
    ("@acme.com", None),
    ("zhang@@acme.com", None),
    ("zhang@wei@acme.com", None),
    ("zhang@acme", None),
    ("zhang@acme.c", None),
    ("zhang@acme.123", None),
    ("zhang@-acme.com", None),
    ("zhang@acme..com", None),
    (".zhang..wei@acme.com", None),
    ("bob..smith@acme.com", None),
    ("zhang(wei)@acme.com", None),
    ("张伟@acme.com", None),
    ("张伟@公司.com", None),
    ("x" * 70 + "@acme.com", None),  # a mailbox name is at most 64 characters
    ("bob@acme.com,alice@acme.com", None),  # two addresses in one cell
    ("+tag@gmail.com", None),
    ("无", None),
    ("n/a", None),
    ("", None),
    (None, None),
    (12345, None),
]


@pytest.mark.parametrize(("value", "expected"), EMAILS)
def test_email_table(value, expected):
    assert nz.email(value) == expected
    assert _email.is_valid(value) is (expected is not None)


@pytest.mark.parametrize(
    ("value", "user", "host"),
    [("Zhang.Wei@Acme.com", "zhang.wei", "acme.com"), ("a.b+c@gmail.com", "ab", "gmail.com"),
     ("bad", None, None), (None, None, None)],
)  # fmt: skip
def test_username_and_domain(value, user, host):
    assert _email.username(value) == user
    assert _email.domain(value) == host


@pytest.mark.parametrize(
    ("value", "role", "disposable", "free"),
    [
        ("info@acme.com", True, False, False),
        ("SALES@acme.com", True, False, False),
        ("sales2@acme.com", True, False, False),
        ("support@acme.com", True, False, False),
        ("hr@acme.cn", True, False, False),
        ("noreply@acme.com", True, False, False),
        ("no-reply@acme.com", True, False, False),
        ("webmaster@acme.com", True, False, False),
        ("service@qq.com", True, False, True),
        ("zhang.wei@acme.com", False, False, False),
        ("information.officer@acme.com", False, False, False),
        ("x@mailinator.com", False, True, False),
        ("x@inbox.mailinator.com", False, True, False),
        ("x@10minutemail.com", False, True, False),
        ("x@guerrillamail.com", False, True, False),
        ("x@yopmail.com", False, True, False),
        ("x@sharklasers.com", False, True, False),
        ("x@trashmail.com", False, True, False),
        ("x@temp-mail.org", False, True, False),
        ("zhangwei@qq.com", False, False, True),
        ("zhangwei@vip.qq.com", False, False, True),
        ("zhangwei@foxmail.com", False, False, True),
        ("zhangwei@163.com", False, False, True),
        ("zhangwei@126.com", False, False, True),
        ("zhangwei@sina.com", False, False, True),
        ("zhangwei@sohu.com", False, False, True),
        ("zhangwei@aliyun.com", False, False, True),
        ("john@gmail.com", False, False, True),
        ("john@yahoo.com", False, False, True),
        ("john@hotmail.com", False, False, True),
        ("john@outlook.com", False, False, True),
        ("john@mail.163.com.cn", False, False, False),
        ("not an email", False, False, False),
        (None, False, False, False),
    ],
)
def test_email_flags(value, role, disposable, free):
    assert nz.email_is_role(value) is role
    assert nz.email_is_disposable(value) is disposable
    assert nz.email_is_free(value) is free


def _is_role_by_parsing(value):
    user = _email.username(value)
    return user is not None and (
        user in _email.ROLE_ACCOUNTS or user.rstrip("0123456789") in _email.ROLE_ACCOUNTS
    )


def test_role_names_hold_no_dot_or_space():
    """The quick test of is_role drops dots and spaces before looking for a role name."""
    assert not any("." in word or " " in word for word in _email.ROLE_ACCOUNTS)


@pytest.mark.parametrize(
    "value",
    [
        "info@acme.com", "INFO@Acme.com", "i.n.f.o@gmail.com", "in fo@acme.com",
        "sales2@acme.com", "Sales+crm@gmail.com", "mailto:support@acme.com",
        "Zhang Wei <hr@acme.cn>", "no-reply@x.io", "service-cn@x.cn", "kefu@qq.com",
        "ｉｎｆｏ@acme.com", "info＠acme.com", "hr@acme。com", "zhang.wei@acme.com",
        "shrink@acme.com", "info.zhang@acme.com", "info@", "@info.com", "info", "",
        "hr1@x.com", "h.r@gmail.com", "h.r@acme.com", "info\t@acme.com", None, 7,
    ],
)  # fmt: skip
def test_is_role_as_parsing_says(value):
    assert _email.is_role(value) == _is_role_by_parsing(value)
