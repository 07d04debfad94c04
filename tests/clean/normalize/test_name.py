"""Personal names: canonical form, script-independent key, Han characters, nicknames,
placeholders."""

from __future__ import annotations

import pytest

from leadlink import normalize as nz

NAMES = [
    # (input, canonical name, key)
    ("张伟", "张伟", "wei zhang"),
    ("張偉", "张伟", "wei zhang"),
    ("张 伟", "张伟", "wei zhang"),
    ("张伟先生", "张伟", "wei zhang"),
    ("张伟 女士", "张伟", "wei zhang"),
    ("张伟（销售经理）", "张伟", "wei zhang"),
    ("张总", "张", "zhang"),
    ("张总经理", "张", "zhang"),
    ("王经理", "王", "wang"),
    ("李老师", "李", "li"),
    ("刘教授", "刘", "liu"),
    ("Zhang Wei", "zhang wei", "wei zhang"),
    ("ZHANG Wei", "zhang wei", "wei zhang"),
    ("wei zhang", "wei zhang", "wei zhang"),
    ("Zhang, Wei", "wei zhang", "wei zhang"),
    ("张伟 Zhang Wei", "张伟", "wei zhang"),
    ("张伟明", "张伟明", "weiming zhang"),
    ("Zhang Weiming", "zhang weiming", "weiming zhang"),
    ("Weiming Zhang", "weiming zhang", "weiming zhang"),
    ("Zhang Wei-Ming", "zhang wei-ming", "weiming zhang"),
    ("欧阳娜娜", "欧阳娜娜", "nana ouyang"),
    ("欧阳 娜娜", "欧阳娜娜", "nana ouyang"),
    ("司马光", "司马光", "guang sima"),
    ("单伟", "单伟", "shan wei"),
    ("曾伟", "曾伟", "wei zeng"),
    ("吕伟", "吕伟", "lu wei"),
    ("Lü Wei", "lu wei", "lu wei"),
    ("Lyu Wei", "lyu wei", "lu wei"),
    ("王芳", "王芳", "fang wang"),
    ("王 芳 小姐", "王芳", "fang wang"),
    ("陳大文", "陈大文", "chen dawen"),
    ("劉德華", "刘德华", "dehua liu"),
    ("１２３张伟", "张伟", "wei zhang"),
    ("Tony 王", "tony 王", "tony wang"),
    ("John Smith先生", "john smith", "john smith"),
    ("John Smith", "john smith", "john smith"),
    ("SMITH, John", "john smith", "john smith"),
    ("Mr. John Smith", "john smith", "john smith"),
    ("Dr John Smith PhD", "john smith", "john smith"),
    ("John Smith Jr.", "john smith", "john smith"),
    ("John Smith (Acme)", "john smith", "john smith"),
    ("Smith John", "smith john", "john smith"),
    ("James C. Martin", "james c martin", "james martin"),  # middle initial out of the key
    ("Smith, John A.", "john a smith", "john smith"),
    ("J. Smith", "j smith", "j smith"),  # a lone initial is all of the given name
    ("José García", "jose garcia", "garcia jose"),
    ("Jürgen Müller", "jurgen muller", "jurgen muller"),
    ("Mary-Jane O'Neil", "mary-jane o'neil", "jane mary oneil"),
    ("  mary   jones ", "mary jones", "jones mary"),
    ("Ｊｏｈｎ　Ｓｍｉｔｈ", "john smith", "john smith"),
    ("Иван Петров", "иван петров", "иван петров"),
    ("Bob Smith", "bob smith", "bob smith"),
    ("Anna", "anna", "anna"),
    ("Lee", "lee", "lee"),
    ("先生", None, None),
    ("", None, None),
    ("   ", None, None),
    (None, None, None),
    ("12345", None, None),
    ("!!!", None, None),
    (float("nan"), None, None),
]


@pytest.mark.parametrize(("value", "canonical", "key"), NAMES)
def test_name_table(value, canonical, key):
    assert nz.name(value) == canonical
    assert nz.name_key(value) == key
    assert nz.name_key(canonical) == key


@pytest.mark.parametrize(
    "group",
    [
        ("张伟", "張偉", "Zhang Wei", "ZHANG Wei", "wei zhang", "Zhang, Wei", "张 伟先生"),
        ("张伟明", "Zhang Weiming", "Weiming Zhang", "ZHANG, Weiming", "Zhang Wei-ming"),
        ("欧阳娜娜", "Ouyang Nana", "NANA OUYANG"),
        ("John Smith", "SMITH, John", "Mr. John Smith", "john  smith"),
    ],
)
def test_name_keys_meet(group):
    assert len({nz.name_key(v) for v in group}) == 1


@pytest.mark.parametrize("suffix", ["", " ", "先生", "总"])
@pytest.mark.parametrize("base", ["张伟", "王芳", "John Smith", "李娜", "Zhang Wei"])
def test_name_key_ignores_spacing_and_honorifics(base, suffix):
    # 张伟总 may also be read as 张总, the surname with a title: either key is right
    assert nz.name_key(base + suffix) in {nz.name_key(base), nz.name_key(base[0])}


@pytest.mark.parametrize(
    ("a", "b"),
    [("张伟", "张伟明"), ("张伟", "王伟"), ("Apple Smith", "John Smith"), ("李娜", "李明")],
)
def test_name_keys_differ(a, b):
    assert nz.name_key(a) != nz.name_key(b)


@pytest.mark.parametrize(
    ("value", "han"),
    [("张伟", "张伟"), ("張偉", "张伟"), ("张 伟 先生", "张伟"), ("Tony 王", "王"),
     ("Zhang Wei", None), ("", None), (None, None)],
)  # fmt: skip
def test_name_han(value, han):
    assert nz.name_han(value) == han


@pytest.mark.parametrize(
    ("a", "b"),
    [("Bob Smith", "Robert Smith"), ("Bill Gates", "William Gates"),
     ("Liz Taylor", "Elizabeth Taylor"), ("Beth Taylor", "Elizabeth Taylor"),
     ("Mike Chan", "Michael Chan"), ("Jim Lee", "James Lee"), ("Jimmy Lee", "James Lee"),
     ("Katie Wong", "Katherine Wong"), ("Tony Leung", "Anthony Leung"),
     ("Smith, Bob", "Robert Smith")],
)  # fmt: skip
def test_nicknames_meet(a, b):
    assert nz.name_nickname_key(a) == nz.name_nickname_key(b)
    assert nz.name_key(a) != nz.name_key(b)


def test_nickname_key_leaves_han_names_alone():
    assert nz.name_nickname_key("张伟") == nz.name_key("张伟")


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [("测试", True), ("测试用户", True), ("test", True), ("TEST123", True), ("asdf", True),
     ("asdfgh", True), ("qwerty", True), ("无", True), ("未知", True), ("客户", True),
     ("先生", True), ("N/A", True), ("na", True), ("none", True), ("NULL", True),
     ("xxx", True), ("aaaa", True), ("123", True), ("-", True), ("?", True), ("某某", True),
     ("张伟", False), ("John Smith", False), ("Li", False), ("王测", False), ("Ann", False),
     ("", False), (None, False)],
)  # fmt: skip
def test_name_placeholders(value, placeholder):
    assert nz.is_placeholder_name(value) is placeholder


@pytest.mark.parametrize("value", [case[0] for case in NAMES] + [None, "", "😴", "x" * 10_000])
def test_describe_gives_what_the_separate_functions_give(value):
    from leadlink import normalize
    from leadlink.clean.normalize import _name

    canonical = normalize.name(value)
    expected = (
        None
        if canonical is None
        else (
            canonical,
            normalize.name_key(canonical),
            normalize.name_nickname_key(canonical),
            normalize.name_han(canonical),
        )
    )
    assert _name.describe(value) == expected
