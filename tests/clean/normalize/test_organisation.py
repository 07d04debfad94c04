"""Organisation names as accounts: branches, sites and groups kept, forms and order not."""

from __future__ import annotations

import pytest

from leadlink import normalize as nz
from leadlink.clean.normalize._organisation import parts

SAME = [
    # legal forms in many languages, wherever they stand, dotted or spaced
    ("Akzo Nobel N.V.", "AKZO NOBEL NV"),
    ("Akzo Nobel nv.", "* AKZO NOBEL N. V."),
    ("Ionlux Holdings GmbH", "ionlux holdings"),
    ("Dogennex Logistics S.A.", "Dogennex Logistics SAS"),
    ("Ranoflo Medical Devices GmbH", "RANOFLO MEDICAL DEVICES"),
    ("Meter Capital Ltd.", "Meter Capital Limited"),
    # abbreviations spelt out, letters written apart joined
    ("ADIDAS INTERNATL MARKETING BV", "adidas International Marketing B.V."),
    ("KONINK PHILIPS ELECTRONICS N V", "Koninklijke Philips Electronics N.V."),
    ("Abraham Lincoln Ctr", "Abraham Lincoln Centre"),
    # markup for a letter with a diacritic in a register
    ("adidas I{umlaut over (n)}ternational Marketing B.V.", "adidas International Marketing"),
    # Chinese: forms, region in front or in brackets, traditional characters
    ("成都正开远传媒有限责任公司", "正开远传媒(成都)有限责任公司"),
    ("武漢鴻青灣科技股份有限公司", "武汉鸿青湾科技有限公司"),
    # a legal form ends the name: where the organisation is comes after it
    ("adidas ag adi dassler strasse 1 91074 herzogenaurach germany", "adidas AG"),
    ("SARA LEE/DE N.V. TE UTRECHT.", "Sara Lee/DE NV"),
    ("banco santander  s a  28660 madrid spain", "Banco Santander S.A."),
    # forms written out in words
    ("Unilever Naamloze Vennootschap", "UNILEVER N.V."),
    ("Bayer Aktiengesellschaft", "Bayer AG"),
]

DIFFERENT = [
    # a branch or a site is an account of its own
    ("北京动腾节集团股份有限公司杭州分公司", "动腾节集团股份有限公司"),
    ("Mera Holdings Co., Ltd. - Chicago Branch", "Mera Holdings Co., Ltd."),
    ("Bethel New Life - Lake and Pulaski", "Bethel New Life"),
    # a group is not its subsidiary
    ("南京科动集团股份有限公司", "南京科动贸易有限责任公司"),
    ("Mera Energy Co., Ltd.", "Mera Health Limited"),
]


@pytest.mark.parametrize(("left", "right"), SAME)
def test_variants_of_one_organisation_share_its_key(left: str, right: str) -> None:
    assert parts(left) is not None
    assert parts(left).key == parts(right).key  # type: ignore[union-attr]


@pytest.mark.parametrize(("left", "right"), DIFFERENT)
def test_branches_sites_and_subsidiaries_keep_their_own_key(left: str, right: str) -> None:
    assert parts(left).key != parts(right).key  # type: ignore[union-attr]


def test_shuffled_word_order_meets_in_the_words() -> None:
    a, b = parts("Logistics Novatek, Inc."), parts("Novatek Logistics LLC")
    assert a is not None and b is not None
    assert a.key != b.key and a.words == b.words
    assert a.brand == b.brand == "novatek"  # a trade word is never the brand


def test_a_parent_and_its_subsidiaries_share_the_brand() -> None:
    brands = {parts(n).brand for n in ("华润集团有限公司", "华润医药有限公司", "华润物流有限公司")}  # type: ignore[union-attr]
    assert brands == {"华润"}
    assert parts("Mera Energy Co., Ltd.").brand == parts("Mera Health Limited").brand == "mera"  # type: ignore[union-attr]


def test_a_branch_named_after_the_legal_form_is_the_site() -> None:
    assert parts("Acme Ltd Shanghai Branch").key == "acme · shanghai branch"  # type: ignore[union-attr]


def test_a_branch_is_marked_in_the_key() -> None:
    found = parts("Mera Holdings Co., Ltd. - Chicago Branch")
    assert found is not None and found.key == "mera holdings · chicago branch"
    assert found.latin == "meraholdingschicagobranch"
    assert parts("北京动腾节集团股份有限公司杭州分公司").key == "动腾节集团·杭州分公司"  # type: ignore[union-attr]


@pytest.mark.parametrize("junk", [None, "", "   ", float("nan"), "有限公司", "-", "()", 42])
def test_missing_or_empty_names_never_raise(junk: object) -> None:
    found = parts(junk)
    assert found is None or found.key


def test_public_function_returns_the_key() -> None:
    assert nz.organisation("ACME Incorporated - Berlin Branch") == "acme · berlin branch"
    assert nz.organisation(None) is None
