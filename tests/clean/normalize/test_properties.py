"""Properties of every normalizer: idempotent, never raising on any text, surviving junk."""

from __future__ import annotations

import decimal
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import leadlink as ll
from leadlink import normalize as nz

IDEMPOTENT = [nz.phone, nz.email, nz.name, nz.company, nz.city, nz.address, nz.title]

# Text that looks like lead cells: Han, full-width, digits, separators, titles, legal forms.
LEADISH = st.text(
    alphabet=st.sampled_from(
        list(
            "张王李欧阳單伟偉明北京市有限公司科技（）() ,.-+@转x#0123456789１２ａＡabcZ先生总经理部&_"
        )
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), LEADISH))
@example("Ù\ufada")  # an unassigned code point among the Han compatibility ideographs
@example("ÑA")  # a job title that folds to a placeholder (n/a)
def test_normalizers_are_idempotent_and_never_raise(text):
    for fn in IDEMPOTENT:
        once = fn(text)
        assert once is None or isinstance(once, str)
        if once is not None:
            assert fn(once) == once, (fn.__name__, text, once)
    name = nz.name(text)
    if name is not None:
        assert nz.name_key(name) == nz.name_key(text)
        assert nz.name_nickname_key(name) == nz.name_nickname_key(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.binary(), st.integers(), st.floats(), st.none()))
def test_every_public_function_never_raises(value):
    for name in nz.__all__:
        result = getattr(nz, name)(value)
        assert result is None or isinstance(result, (str, bool))


JUNK = [None, 0, 1.5, -7, float("nan"), float("inf"), True, np.nan, np.int64(13800138000),
        np.float32(2.5), decimal.Decimal("NaN"), 10**5000, "", " ", "€", "😴", "\x00\x01",
        "\u202e", "\ufeff", "x" * 1_000_000, "张" * 1_000_000, "1" * 1_000_000, b"bytes",
        [1, 2], {"a": 1}, object(), math.pi]  # fmt: skip


@pytest.mark.parametrize("name", nz.__all__)
def test_every_public_function_survives_junk(name):
    fn = getattr(nz, name)
    for value in JUNK:
        result = fn(value)
        assert result is None or isinstance(result, (str, bool))
        if isinstance(result, str):
            assert len(result) <= 1000


def test_all_is_sorted_and_complete():
    assert list(nz.__all__) == sorted(nz.__all__)
    contract = {"phone", "phone_extension", "phone_kind", "email", "email_is_role",
                "email_is_disposable", "email_is_free", "name", "name_key", "name_han",
                "name_nickname_key", "company", "city", "address", "is_placeholder_name",
                "is_placeholder_company", "title"}  # fmt: skip
    assert contract <= set(nz.__all__)
    assert all(callable(getattr(nz, name)) for name in nz.__all__)
    assert ll.normalize is nz
