"""Every comparison level as a Python predicate, deciding a pair as DuckDB decides its SQL.

The real-time index (:mod:`leadlink.match._index`) scores a lead against a few candidates
without a database, so each level of :mod:`leadlink.match._comparisons` has its twin here,
in one table (:data:`LEVEL_TESTS`) keyed by the comparison and the level id. A level added
to a preset without a twin fails ``tests/match/test_index.py``.

The twins follow DuckDB (2.x) to the last detail that can change a level:

* a comparison with NULL is not true (``phone_ext_l = phone_ext_r`` with a missing
  extension is false), and the levels are tried in order, the first that holds wins;
* ``levenshtein`` and ``damerau_levenshtein`` count characters (DuckDB 2; DuckDB 1 counted
  UTF-8 bytes); within one edit the two Damerau variants agree;
* ``jaro_winkler_similarity`` is rapidfuzz's, compiled with a fused multiply-add for the
  Winkler step: :func:`jaro_winkler` rounds it the same way, so a pair at exactly 0.92
  falls on the same side of the threshold;
* ``concat`` reads NULL as the empty string; ``instr`` finds the empty string at 1;
  ``array_intersect`` counts distinct common words.

A row is a mapping of prepared column → value, with ``None`` for missing values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from leadlink.clean import ROLE_MAILBOXES

__all__ = [
    "EXACT_ON",
    "LEVEL_TESTS",
    "NULL_UNLESS",
    "Row",
    "damerau_within_one",
    "jaro_winkler",
    "levenshtein_within_one",
    "table_of",
]

Row = Mapping[str, Any]
_DIGITS = "0123456789"
#: ``test(l, r, column)``: whether the pair (l, r) reaches the level; ``column`` is the
#: comparison's own column (for the kinds of the user's own columns).
LevelTest = Callable[[Row, Row, str], bool]


# -- DuckDB's functions ---------------------------------------------------------------


def _jaro(p: str, t: str) -> float:
    """Jaro similarity as rapidfuzz (DuckDB) computes it, term by term."""
    lp, lt = len(p), len(t)
    if not lp or not lt:
        return 0.0
    if lp > lt:
        p, t, lp, lt = t, p, lt, lp
    bound = max(lt // 2 - 1, 0)
    flag_t = [False] * lt
    flag_p = [False] * lp
    common = 0
    for i, ch in enumerate(p):
        for j in range(max(0, i - bound), min(lt, i + bound + 1)):
            if not flag_t[j] and t[j] == ch:
                flag_t[j] = flag_p[i] = True
                common += 1
                break
    if not common:
        return 0.0
    transpositions = 0
    k = 0
    for i in range(lp):
        if flag_p[i]:
            while not flag_t[k]:
                k += 1
            transpositions += p[i] != t[k]
            k += 1
    transpositions //= 2
    sim = 0.0
    sim += common / lp
    sim += common / lt
    sim += (common - transpositions) / common
    return sim / 3.0


def jaro_winkler(a: str, b: str) -> float:
    """DuckDB's ``jaro_winkler_similarity(a, b)``, to the last bit.

    >>> jaro_winkler("martha", "marhta"), jaro_winkler("", "")
    (0.9611111111111111, 0.0)
    """
    sim = _jaro(a, b)
    if sim > 0.7:
        prefix = 0
        for x, y in zip(a[:4], b[:4]):
            if x != y:
                break
            prefix += 1
        # sim + (prefix * 0.1) * (1 - sim), rounded once as a fused multiply-add rounds it
        sim = float(Fraction(prefix * 0.1) * Fraction(1.0 - sim) + Fraction(sim))
        sim = min(sim, 1.0)
    return sim


def levenshtein_within_one(a: str, b: str) -> bool:
    """``levenshtein(a, b) <= 1``: one character inserted, deleted or replaced.

    >>> levenshtein_within_one("张三", "张四"), levenshtein_within_one("ab", "ba")
    (True, False)
    """
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def damerau_within_one(a: str, b: str) -> bool:
    """``damerau_levenshtein(a, b) <= 1``: one edit, or two neighbours swapped.

    >>> damerau_within_one("ab", "ba"), damerau_within_one("abc", "cab")
    (True, False)
    """
    if levenshtein_within_one(a, b):
        return True
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )


def _eq(a: Any, b: Any) -> bool:
    return a is not None and b is not None and bool(a == b)


def _ne(a: Any, b: Any) -> bool:
    return a is not None and b is not None and bool(a != b)


def _is(value: Any, flag: int) -> bool:
    return value is not None and value == flag


def _both(a: Any, b: Any) -> bool:
    return a is not None and b is not None


def _jw(l: Row, r: Row, column: str, threshold: float) -> bool:  # noqa: E741
    a, b = l[column], r[column]
    return _both(a, b) and jaro_winkler(a, b) >= threshold


def _lev1(l: Row, r: Row, column: str) -> bool:  # noqa: E741
    a, b = l[column], r[column]
    return _both(a, b) and levenshtein_within_one(a, b)


def _dl1(l: Row, r: Row, column: str) -> bool:  # noqa: E741
    a, b = l[column], r[column]
    return _both(a, b) and damerau_within_one(a, b)


def _padded(value: Any) -> str:
    # concat(' ', x, ' '): NULL reads as ''
    return f" {'' if value is None else value} "


def _words_within(a: Any, b: Any) -> bool:
    # instr(concat(' ', a, ' '), concat(' ', b, ' ')) > 0 OR the other way round
    pa, pb = _padded(a), _padded(b)
    return pb in pa or pa in pb


# -- shared conditions ----------------------------------------------------------------


def _spelled_by_mailbox(l: Row, r: Row) -> bool:  # noqa: E741
    return (l["name_key"] is None) != (r["name_key"] is None) and _eq(
        l["name_spelling"], r["name_spelling"]
    )


def _role_mailbox(user: Any) -> bool:
    # coalesce(user IN (...) OR rtrim(user, digits) IN (...), false)
    return user is not None and (user in ROLE_MAILBOXES or user.rstrip(_DIGITS) in ROLE_MAILBOXES)


def _no_role_mailbox(l: Row, r: Row) -> bool:  # noqa: E741
    return not _role_mailbox(l["email_user"]) and not _role_mailbox(r["email_user"])


def _company_contains(l: Row, r: Row) -> bool:  # noqa: E741
    a, b = l["employer"], r["employer"]
    return _both(a, b) and len(a) >= 2 and len(b) >= 2 and (b in a or a in b)


def _same_employer(l: Row, r: Row) -> bool:  # noqa: E741
    return (
        _eq(l["employer"], r["employer"])
        or _company_contains(l, r)
        or (_eq(l["phone"], r["phone"]) and _is(l["phone_shared"], 1))
        or (_eq(l["email_domain"], r["email_domain"]) and _is(l["email_free"], 0))
    )


def _website_is_mail_domain(l: Row, r: Row) -> bool:  # noqa: E741
    return (_eq(l["website"], r["email_domain"]) and _is(r["email_free"], 0)) or (
        _eq(r["website"], l["email_domain"]) and _is(l["email_free"], 0)
    )


def _email_typo(l: Row, r: Row) -> bool:  # noqa: E741
    if not _dl1(l, r, "email"):
        return False
    letters = l["email_letters"]
    return (
        _ne(letters, r["email_letters"])
        or (letters is not None and letters[:1] == "@")
        or not _lev1(l, r, "email")
    )


def _both_numbers(l: Row, r: Row) -> bool:  # noqa: E741
    return _both(l["address_number"], r["address_number"])


def _branch_of(l: Row, r: Row) -> bool:  # noqa: E741
    a, b = l["org"], r["org"]
    if not _both(a, b):
        return False
    return (
        b.startswith(f"{a} ·")
        or a.startswith(f"{b} ·")
        or b.startswith(f"{a}·")
        or a.startswith(f"{b}·")
    )


def _other_site(l: Row, r: Row) -> bool:  # noqa: E741
    a, b = l["org"], r["org"]
    if not _both(a, b) or "·" not in a or "·" not in b:
        return False
    return bool(a[: a.index("·") + 1] == b[: b.index("·") + 1])


def _org_contains(l: Row, r: Row) -> bool:  # noqa: E741
    a, b = l["org_latin"], r["org_latin"]
    return _both(a, b) and len(a) >= 4 and len(b) >= 4 and (b in a or a in b)


def _most_words(l: Row, r: Row) -> bool:  # noqa: E741
    a, b = l["org_words"], r["org_words"]
    if not _both(a, b):
        return False
    wa, wb = a.split(" "), b.split(" ")
    shared = len(set(wa) & set(wb))
    return shared >= 2 and 2 * shared >= min(len(wa), len(wb))


def _within(l: Row, r: Row, column: str, share: float) -> bool:  # noqa: E741
    # abs(l - r) / (CASE WHEN r > l THEN r ELSE l END) < share, in IEEE doubles
    a, b = l[column], r[column]
    if not _both(a, b):
        return False
    denominator = b if b > a else a
    if denominator == 0:
        return False  # x / 0 is inf or NaN: never below the share
    return bool(abs(a - b) / denominator < share)


def _always(l: Row, r: Row, column: str) -> bool:  # noqa: E741
    return True


def _exact(column: str) -> LevelTest:
    return lambda l, r, _c: _eq(l[column], r[column])  # noqa: E741


def _own_exact(l: Row, r: Row, column: str) -> bool:  # noqa: E741
    return _eq(l[column], r[column])


def _pair(test: Callable[[Row, Row], bool]) -> LevelTest:
    return lambda l, r, _c: test(l, r)  # noqa: E741


# -- the table --------------------------------------------------------------------------

#: (comparison table, level id) → the level's test. Comparison tables: the role for
#: people's comparisons, ``organisation_<role>`` for the organisation's own (see
#: :func:`table_of`), and ``extra_<kind>`` for the user's own columns.
LEVEL_TESTS: dict[tuple[str, str], LevelTest] = {
    # NAME
    ("name", "exact"): _exact("name"),
    ("name", "same_key"): lambda l, r, _c: (  # noqa: E741
        _eq(l["name_key"], r["name_key"]) and (l["name_han"] is None) == (r["name_han"] is None)
    ),
    ("name", "same_key_other_script"): _exact("name_key"),
    ("name", "nickname"): _exact("name_nick"),
    ("name", "similar"): lambda l, r, _c: (  # noqa: E741
        _jw(l, r, "name_key", 0.9) and l["name_han"] is None and r["name_han"] is None
    ),
    ("name", "surname_only"): lambda l, r, _c: (  # noqa: E741
        (_is(l["name_partial"], 1) or _is(r["name_partial"], 1))
        and _words_within(l["name_key"], r["name_key"])
    ),
    ("name", "spelled_by_mailbox"): _pair(_spelled_by_mailbox),
    ("name", "different"): _always,
    # PHONE
    ("phone", "same_personal"): lambda l, r, _c: (  # noqa: E741
        _eq(l["phone"], r["phone"]) and _is(l["phone_shared"], 0)
    ),
    ("phone", "same_extension"): lambda l, r, _c: (  # noqa: E741
        _eq(l["phone"], r["phone"]) and _eq(l["phone_ext"], r["phone_ext"])
    ),
    ("phone", "other_extension"): lambda l, r, _c: (  # noqa: E741
        _eq(l["phone"], r["phone"]) and _ne(l["phone_ext"], r["phone_ext"])
    ),
    ("phone", "shared_line_same_company"): lambda l, r, _c: (  # noqa: E741
        _eq(l["phone"], r["phone"])
        and (_eq(l["employer"], r["employer"]) or _company_contains(l, r))
    ),
    ("phone", "shared_line"): _exact("phone"),
    ("phone", "one_digit"): lambda l, r, _c: _lev1(l, r, "phone"),  # noqa: E741
    ("phone", "different_personal"): lambda l, r, _c: (  # noqa: E741
        _is(l["phone_shared"], 0) and _is(r["phone_shared"], 0)
    ),
    ("phone", "different"): _always,
    # EMAIL
    ("email", "exact"): lambda l, r, _c: (  # noqa: E741
        _eq(l["email"], r["email"]) and _no_role_mailbox(l, r)
    ),
    ("email", "same_user_same_name"): lambda l, r, _c: (  # noqa: E741
        _eq(l["email_user"], r["email_user"])
        and (_eq(l["name_key"], r["name_key"]) or _spelled_by_mailbox(l, r))
    ),
    ("email", "same_user"): _exact("email_user"),
    ("email", "typo"): _pair(_email_typo),
    ("email", "same_domain"): lambda l, r, _c: (  # noqa: E741
        _eq(l["email_domain"], r["email_domain"])
        and _is(l["email_free"], 0)
        and _no_role_mailbox(l, r)
    ),
    ("email", "both_personal"): lambda l, r, _c: (  # noqa: E741
        _is(l["email_free"], 1) and _is(r["email_free"], 1)
    ),
    ("email", "different"): _always,
    # COMPANY
    ("company", "exact"): _exact("employer"),
    ("company", "contains"): _pair(_company_contains),
    ("company", "similar"): lambda l, r, _c: _jw(l, r, "employer_latin", 0.92),  # noqa: E741
    ("company", "different"): _always,
    # CITY
    ("city", "same_company_city"): lambda l, r, _c: (  # noqa: E741
        _eq(l["city"], r["city"]) and _same_employer(l, r)
    ),
    ("city", "exact"): _exact("city"),
    ("city", "different"): _always,
    # TITLE
    ("title", "exact"): _exact("title"),
    ("title", "within"): lambda l, r, _c: (  # noqa: E741
        _both(l["title"], r["title"]) and _words_within(l["title"], r["title"])
    ),
    ("title", "different"): _always,
    # ADDRESS
    ("address", "exact"): _exact("address"),
    ("address", "same_building"): _exact("address_street"),
    ("address", "number_typo"): lambda l, r, _c: (  # noqa: E741
        _eq(l["address_road"], r["address_road"])
        and _both_numbers(l, r)
        and _dl1(l, r, "address_number")
    ),
    ("address", "same_street"): lambda l, r, _c: (  # noqa: E741
        _eq(l["address_road"], r["address_road"]) and not _both_numbers(l, r)
    ),
    ("address", "other_number"): _exact("address_road"),
    ("address", "similar"): lambda l, r, _c: _jw(l, r, "address", 0.92),  # noqa: E741
    ("address", "different"): _always,
    # POSTCODE
    ("postcode", "exact"): _exact("postcode"),
    ("postcode", "different"): _always,
    # WEBSITE
    ("website", "exact"): _exact("website"),
    ("website", "mail_domain"): _pair(_website_is_mail_domain),
    ("website", "different"): _always,
    # ORGANISATION (entity="company")
    ("organisation_company", "exact"): _exact("org"),
    ("organisation_company", "same_words"): _exact("org_words"),
    ("organisation_company", "similar"): lambda l, r, _c: _jw(l, r, "org_latin", 0.95),  # noqa: E741
    ("organisation_company", "branch_of"): _pair(_branch_of),
    ("organisation_company", "other_site"): _pair(_other_site),
    ("organisation_company", "contains"): _pair(_org_contains),
    ("organisation_company", "most_words"): _pair(_most_words),
    ("organisation_company", "same_brand"): _exact("org_brand"),
    ("organisation_company", "different"): _always,
    ("organisation_phone", "same_number"): lambda l, r, _c: (  # noqa: E741
        _eq(l["phone"], r["phone"])
        and (
            _eq(l["phone_ext"], r["phone_ext"]) or l["phone_ext"] is None or r["phone_ext"] is None
        )
    ),
    ("organisation_phone", "other_extension"): _exact("phone"),
    ("organisation_phone", "same_local_number"): _exact("phone_tail"),
    ("organisation_phone", "one_digit"): lambda l, r, _c: _lev1(l, r, "phone"),  # noqa: E741
    ("organisation_phone", "different"): _always,
    ("organisation_email", "exact"): _exact("email"),
    ("organisation_email", "same_domain"): lambda l, r, _c: (  # noqa: E741
        _eq(l["email_domain"], r["email_domain"]) and _is(l["email_free"], 0)
    ),
    ("organisation_email", "different"): _always,
    ("organisation_city", "exact"): _exact("city"),
    ("organisation_city", "different"): _always,
    # the user's own columns, by kind
    ("extra_exact", "exact"): _own_exact,
    ("extra_exact", "different"): _always,
    ("extra_fuzzy", "exact"): _own_exact,
    ("extra_fuzzy", "similar"): lambda l, r, c: _jw(l, r, c, 0.92),  # noqa: E741
    ("extra_fuzzy", "close"): lambda l, r, c: _jw(l, r, c, 0.8),  # noqa: E741
    ("extra_fuzzy", "different"): _always,
    ("extra_date", "exact"): _own_exact,
    ("extra_date", "typo"): _dl1,
    ("extra_date", "same_year"): lambda l, r, c: (  # noqa: E741
        _both(l[c], r[c]) and l[c][:4] == r[c][:4]
    ),
    ("extra_date", "different"): _always,
    ("extra_numeric", "exact"): _own_exact,
    ("extra_numeric", "within_1pct"): lambda l, r, c: _within(l, r, c, 0.01),  # noqa: E741
    ("extra_numeric", "within_10pct"): lambda l, r, c: _within(l, r, c, 0.1),  # noqa: E741
    ("extra_numeric", "different"): _always,
}

#: (comparison table, level id) → the column a level is a plain exact match on
#: (``col_l = col_r``). Splink's term-frequency adjustment of a level starts from the u of
#: the first such level on the level's ``tf_column`` (``same_extension`` starts from
#: ``shared_line``'s u). ``None`` for the user's own column.
EXACT_ON: dict[tuple[str, str], str | None] = {
    ("name", "exact"): "name",
    ("name", "same_key_other_script"): "name_key",
    ("name", "nickname"): "name_nick",
    ("phone", "shared_line"): "phone",
    ("email", "same_user"): "email_user",
    ("company", "exact"): "employer",
    ("city", "exact"): "city",
    ("title", "exact"): "title",
    ("address", "exact"): "address",
    ("address", "same_building"): "address_street",
    ("address", "other_number"): "address_road",
    ("postcode", "exact"): "postcode",
    ("website", "exact"): "website",
    ("organisation_company", "exact"): "org",
    ("organisation_company", "same_words"): "org_words",
    ("organisation_company", "same_brand"): "org_brand",
    ("organisation_phone", "other_extension"): "phone",
    ("organisation_phone", "same_local_number"): "phone_tail",
    ("organisation_email", "exact"): "email",
    ("organisation_city", "exact"): "city",
    ("extra_exact", "exact"): None,
    ("extra_fuzzy", "exact"): None,
    ("extra_date", "exact"): None,
    ("extra_numeric", "exact"): None,
}


def table_of(preset: Any, entity: str, extra_kind: str | None) -> str:
    """The comparison table of :data:`LEVEL_TESTS` that holds ``preset``'s levels."""
    if extra_kind is not None:
        return f"extra_{extra_kind}"
    from leadlink.match._comparisons import COMPARISONS

    if entity == "company" and COMPARISONS.get(preset.role) is not preset:
        return f"organisation_{preset.role}"
    return str(preset.role)


#: Comparison table → the Python twin of its ``null_unless`` condition: pairs that reach
#: the levels although the comparison's column is missing on one side.
NULL_UNLESS: dict[str, Callable[[Row, Row], bool]] = {
    "name": _spelled_by_mailbox,
    "website": _website_is_mail_domain,
}
