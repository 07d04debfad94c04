"""Comparison presets: how two prepared leads are compared, role by role.

Each preset is a list of levels from the strongest agreement to the weakest; the model learns
an m and u probability for every level. Levels are named by stable ids (``"same_personal"``),
which are what a saved model records, so a model file does not depend on a backend's SQL.

Han-script names are never compared with byte-based string similarity (DuckDB counts UTF-8
bytes: levenshtein('张三', '张四') is 3); they meet through ``name_key`` (pinyin, sorted
tokens) and their simplified characters. A switchboard shared by fifty colleagues is its
own level (a shared line), apart from a personal mobile; names and companies carry
term-frequency adjustments, so 张伟 or a very common company counts for little.

Some levels only restate another comparison — the same switchboard or city of the same
employer, the same mailbox name spelling the same name. They are ``neutral``: kept for
explanations, weighed 0, so Fellegi–Sunter does not count one fact two or three times.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl

from leadlink._i18n import say
from leadlink.clean import ROLE_MAILBOXES
from leadlink.errors import ConfigError
from leadlink.match._splink import ComparisonLevelCreator

__all__ = [
    "COMPARISONS",
    "ENTITY_COMPARISONS",
    "EXTRA_KINDS",
    "ORGANISATION_COMPARISONS",
    "ComparisonPreset",
    "LevelPreset",
    "comparison_for",
    "extra_comparison",
]

_DIALECT = "duckdb"


@dataclass(frozen=True)
class LevelPreset:
    """One level of a comparison: a stable id, a description and how to build it."""

    id: str
    description: str
    build: Callable[[], ComparisonLevelCreator]
    tf_column: str | None = None
    #: Evidence another comparison already counts (the same city when the companies
    #: agree): the level is kept for explanations, but its weight is fixed at 0 (m = u).
    neutral: bool = False
    #: A column whose value frequency (among people) scales this level's weight relative to
    #: the average value: a level below the exact one (the same name in pinyin) cannot use
    #: Splink's absolute term frequencies, which assume the exact level's u.
    relative_tf: str | None = None
    #: Evidence against a match by what it means (two extensions on one switchboard are
    #: two desks): after training its m is at most a hundredth of its u, whatever EM found
    #: (EM trains on blocks where namesakes at one company look like matches).
    against: bool = False


@dataclass(frozen=True)
class ComparisonPreset:
    """The comparison of one role, from the strongest level to the weakest."""

    role: str
    null_column: str
    levels: tuple[LevelPreset, ...]
    #: SQL for pairs that reach the levels although ``null_column`` is missing on one side
    #: (a lead without a name whose mailbox name spells the other's name).
    null_unless: str | None = None
    #: m per level where training cannot estimate it, when the generic prior does not fit
    #: (an organisation's name compared alone: see :data:`ORGANISATION`).
    prior_m: tuple[float, ...] | None = None

    def prior(self) -> tuple[list[float], list[float]]:
        """Conservative m and u per level, used where training could not estimate them
        (a tiny table, a role with no matching pairs to learn from).

        The strongest level is strong evidence (m 0.6, u 0.001), the middle levels weak
        evidence, and the last level ("different") evidence against.
        """
        n = len(self.levels)
        if n == 1:
            return [1.0], [1.0]
        middle = n - 2
        m = [0.6] + [0.3 / middle] * middle + [0.1] if middle else [0.9, 0.1]
        if self.prior_m is not None:
            m = list(self.prior_m)
        u = [0.001] + [0.005] * middle
        u.append(1.0 - sum(u))
        return m, u

    @property
    def has_tf(self) -> bool:
        return any(level.tf_column is not None for level in self.levels)

    @property
    def level_ids(self) -> list[str]:
        return [level.id for level in self.levels]

    def build(
        self,
        m: Sequence[float] | None = None,
        u: Sequence[float] | None = None,
    ) -> cl.CustomComparison:
        """A Splink comparison for this role, with ``m``/``u`` per level when given."""
        null: ComparisonLevelCreator = cll.NullLevel(self.null_column)
        if self.null_unless is not None:
            c = self.null_column
            null = cll.CustomLevel(
                f"({c}_l IS NULL OR {c}_r IS NULL) AND NOT coalesce({self.null_unless}, false)",
                base_dialect_str=_DIALECT,
            ).configure(is_null_level=True)
        creators: list[ComparisonLevelCreator | dict[str, Any]] = [null]
        for i, level in enumerate(self.levels):
            creator = level.build().configure(label_for_charts=level.id)
            if level.tf_column is not None:
                creator = creator.configure(tf_adjustment_column=level.tf_column)
            if m is not None and u is not None:
                creator = creator.configure(m_probability=m[i], u_probability=u[i])
            creators.append(creator)
        return cl.CustomComparison(comparison_levels=creators, output_column_name=self.role)


def _sql(condition: str) -> Callable[[], ComparisonLevelCreator]:
    return lambda: cll.CustomLevel(condition, base_dialect_str=_DIALECT)


def _near_length(column: str) -> ComparisonLevelCreator:
    """Lengths at most one character apart: true of any two values one edit apart, and
    cheap. Put before an edit distance, it spares most pairs the distance (DuckDB skips the
    rest of an AND for rows already false): Damerau-Levenshtein on 2M random pairs of
    emails took 13.6 s, 2.2 s behind this test (benchmarks/edit_distance.py)."""
    return cll.CustomLevel(
        f"abs(length({column}_l) - length({column}_r)) <= 1", base_dialect_str=_DIALECT
    )


def _surname_only() -> ComparisonLevelCreator:
    # One side is a lone token (a surname from "张总", "王经理") found among the other's tokens.
    return cll.CustomLevel(
        "(name_partial_l = 1 OR name_partial_r = 1) AND ("
        "instr(concat(' ', name_key_r, ' '), concat(' ', name_key_l, ' ')) > 0 OR "
        "instr(concat(' ', name_key_l, ' '), concat(' ', name_key_r, ' ')) > 0)",
        base_dialect_str=_DIALECT,
    )


#: Companies are compared through ``employer``: the company key, or for a lead without one
#: the company its shared line or company mail domain names (see :func:`leadlink.prepare`).
_COMPANY_CONTAINS = (
    "length(employer_l) >= 2 AND length(employer_r) >= 2 AND "
    "(instr(employer_l, employer_r) > 0 OR instr(employer_r, employer_l) > 0)"
)

#: Two leads show the same employer: the same or a contained company key, the same shared
#: line, or the same company mail domain. Evidence that only restates this is weighed 0.
_SAME_EMPLOYER = (
    f"(employer_l = employer_r OR ({_COMPANY_CONTAINS}) "
    "OR (phone_l = phone_r AND phone_shared_l = 1) "
    "OR (email_domain_l = email_domain_r AND email_free_l = 0))"
)


def _else() -> ComparisonLevelCreator:
    return cll.ElseLevel()


#: Mailbox names of shared role accounts (info@, sales@, hr@ ...; see
#: :func:`leadlink.normalize.email_is_role`): a company's desk, not a person.
_ROLE_NAMES = ", ".join(f"'{name}'" for name in sorted(ROLE_MAILBOXES))


def _role_mailbox(side: str) -> str:
    """SQL: the ``side`` lead's mailbox is a role account (a trailing number ignored, as
    :func:`~leadlink.normalize.email_is_role` ignores it: sales2@); false when missing."""
    user = f"email_user_{side}"
    return (
        f"coalesce({user} IN ({_ROLE_NAMES}) "
        f"OR rtrim({user}, '0123456789') IN ({_ROLE_NAMES}), false)"
    )


#: Neither mailbox is a role account: two leads at info@acme.com can be two of its people,
#: and info@ beside li.wei@acme.com is not a second mailbox of one person.
_NO_ROLE_MAILBOX = f"NOT {_role_mailbox('l')} AND NOT {_role_mailbox('r')}"


#: One lead gives no name, and the letters of its mailbox name are the other's name's
#: (``name_spelling``, see :func:`leadlink.prepare`).
_SPELLED_BY_MAILBOX = (
    "((name_key_l IS NULL) <> (name_key_r IS NULL) AND name_spelling_l = name_spelling_r)"
)

NAME = ComparisonPreset(
    role="name",
    null_column="name_key",
    levels=(
        LevelPreset("exact", "same canonical name", lambda: cll.ExactMatchLevel("name"), "name"),
        LevelPreset(
            "same_key",
            "same name in another order or with homophone characters (Wei Zhang / Zhang Wei)",
            lambda: cll.And(
                cll.ExactMatchLevel("name_key"),
                cll.CustomLevel(
                    "(name_han_l IS NULL) = (name_han_r IS NULL)", base_dialect_str=_DIALECT
                ),
            ),
            relative_tf="name_key",
        ),
        LevelPreset(
            "same_key_other_script",
            "the same name in Han characters and in pinyin (张伟 / Zhang Wei)",
            lambda: cll.ExactMatchLevel("name_key"),
            relative_tf="name_key",
        ),
        LevelPreset(
            "nickname",
            "same name up to nicknames",
            lambda: cll.ExactMatchLevel("name_nick"),
            relative_tf="name_nick",
        ),
        LevelPreset(
            "similar",
            "similar spelling of two names in Latin letters (Jaro-Winkler ≥ 0.9)",
            # Not for Han names: 张伟 and 张玮 are close in pinyin but different people.
            lambda: cll.And(
                cll.JaroWinklerLevel("name_key", 0.9),
                cll.CustomLevel(
                    "name_han_l IS NULL AND name_han_r IS NULL", base_dialect_str=_DIALECT
                ),
            ),
        ),
        LevelPreset("surname_only", "one side gives only the surname", _surname_only),
        LevelPreset(
            "spelled_by_mailbox",
            "one lead gives no name, and its mailbox name spells the other's name "
            "(zhouqiang273@ / 周强)",
            _sql(_SPELLED_BY_MAILBOX),
            relative_tf="name_spelling",
        ),
        LevelPreset("different", "different names", _else),
    ),
    null_unless=_SPELLED_BY_MAILBOX,
)

PHONE = ComparisonPreset(
    role="phone",
    null_column="phone",
    levels=(
        LevelPreset(
            "same_personal",
            "same personal number (a mobile nobody else uses)",
            _sql("phone_l = phone_r AND phone_shared_l = 0"),
        ),
        # No term-frequency adjustment by the number: a switchboard is common, its
        # extension is one desk. Discounted by how common the switchboard was, a lead with
        # the name, company and extension of his earlier lead on a switchboard 3,650 leads
        # give scored 0.20 against it.
        LevelPreset(
            "same_extension",
            "same line and same extension",
            _sql("phone_l = phone_r AND phone_ext_l = phone_ext_r"),
        ),
        LevelPreset(
            "other_extension",
            "same switchboard, different extensions (colleagues)",
            _sql("phone_l = phone_r AND phone_ext_l <> phone_ext_r"),
            against=True,
        ),
        LevelPreset(
            "shared_line_same_company",
            "same switchboard at the same company (counted once, by the company)",
            _sql(f"phone_l = phone_r AND (employer_l = employer_r OR ({_COMPANY_CONTAINS}))"),
            neutral=True,
        ),
        LevelPreset(
            "shared_line",
            "same landline or switchboard, an extension missing",
            # No term-frequency adjustment: a small company's switchboard is rare in the
            # data but still shared by colleagues.
            _sql("phone_l = phone_r"),
        ),
        LevelPreset(
            "one_digit",
            "one digit apart",
            lambda: cll.And(_near_length("phone"), cll.LevenshteinLevel("phone", 1)),
        ),
        LevelPreset(
            "different_personal",
            "two different personal numbers (strong sign of two people)",
            _sql("phone_shared_l = 0 AND phone_shared_r = 0"),
        ),
        LevelPreset("different", "different numbers, one of them a shared line", _else),
    ),
)

EMAIL = ComparisonPreset(
    role="email",
    null_column="email",
    levels=(
        LevelPreset(
            "exact",
            "same mailbox, a person's (a shared info@ or sales@ is compared as its name)",
            lambda: cll.And(cll.ExactMatchLevel("email"), _sql(_NO_ROLE_MAILBOX)()),
        ),
        LevelPreset(
            "same_user_same_name",
            "same mailbox name at another domain, spelling the same name (counted by the name)",
            _sql(
                "email_user_l = email_user_r AND "
                f"(name_key_l = name_key_r OR {_SPELLED_BY_MAILBOX})"
            ),
            neutral=True,
        ),
        LevelPreset(
            "same_user",
            "same mailbox name at another domain",
            lambda: cll.ExactMatchLevel("email_user"),
            "email_user",
        ),
        LevelPreset(
            "typo",
            "one typo or two characters swapped (not another number: wangwei2@ is not "
            "wangwei@ or wangwei3@, but 6959938983@qq.com is 6959938938@qq.com)",
            lambda: cll.And(
                _near_length("email"),
                # true of any two values a Damerau-Levenshtein distance of 1 apart (two
                # characters swapped are two edits), and five times as fast to compute: at
                # 1M leads the distance of the emails was a third of scoring's database time
                cll.LevenshteinLevel("email", 2),
                cll.DamerauLevenshteinLevel("email", 1),
                cll.Or(
                    # the letters differ: a typo, not a numbered sibling mailbox
                    cll.CustomLevel(
                        "email_letters_l <> email_letters_r", base_dialect_str=_DIALECT
                    ),
                    # a mailbox of digits only (a QQ number): its digits are the typo
                    cll.CustomLevel(
                        "substr(email_letters_l, 1, 1) = '@'", base_dialect_str=_DIALECT
                    ),
                    # two characters swapped (Damerau-Levenshtein 1, Levenshtein 2):
                    # dongmi2n05@ / dongmin205@ has the same letters and the same digits
                    cll.Not(cll.LevenshteinLevel("email", 1)),
                ),
            ),
        ),
        LevelPreset(
            "same_domain",
            "other mailbox at the same company domain (colleagues), neither a role "
            "account (info@, sales@)",
            lambda: cll.And(
                cll.ExactMatchLevel("email_domain"),
                cll.CustomLevel("email_free_l = 0", base_dialect_str=_DIALECT),
                _sql(_NO_ROLE_MAILBOX)(),
            ),
            # A company gives each of its people one mailbox: two of them at its domain,
            # not a typo apart, are two desks, as two extensions of one switchboard are.
            # A role account is no one's desk: beside a person's mailbox it says nothing.
            against=True,
        ),
        LevelPreset(
            "both_personal",
            "two different mailboxes at free providers (qq.com, gmail.com ...)",
            _sql("email_free_l = 1 AND email_free_r = 1"),
        ),
        LevelPreset("different", "different emails", _else),
    ),
)

COMPANY = ComparisonPreset(
    role="company",
    null_column="employer",
    levels=(
        LevelPreset(
            "exact",
            "same company key (given, or named by the lead's switchboard or mail domain)",
            lambda: cll.ExactMatchLevel("employer"),
            "employer",
        ),
        LevelPreset(
            "contains",
            "one company key contains the other (字节跳动 / 字节跳动科技)",
            _sql(_COMPANY_CONTAINS),
        ),
        LevelPreset(
            "similar",
            "similar spelling (Jaro-Winkler ≥ 0.92 on the Latin form)",
            lambda: cll.JaroWinklerLevel("employer_latin", 0.92),
        ),
        LevelPreset("different", "different companies", _else),
    ),
)

CITY = ComparisonPreset(
    role="city",
    null_column="city",
    levels=(
        LevelPreset(
            "same_company_city",
            "same city of the same employer (counted once, by the company or switchboard)",
            _sql(f"city_l = city_r AND {_SAME_EMPLOYER}"),
            neutral=True,
        ),
        LevelPreset("exact", "same city", lambda: cll.ExactMatchLevel("city")),
        LevelPreset("different", "different cities", _else),
    ),
)

#: One title's words are a run of the other's (title keys are sorted words: "engineer" /
#: "engineer senior", "sales" / "manager sales").
_TITLE_WITHIN = (
    "instr(concat(' ', title_l, ' '), concat(' ', title_r, ' ')) > 0 OR "
    "instr(concat(' ', title_r, ' '), concat(' ', title_l, ' ')) > 0"
)

TITLE = ComparisonPreset(
    role="title",
    null_column="title",
    levels=(
        LevelPreset(
            "exact",
            "same job title in any wording or language (销售部经理 / Sales Manager)",
            lambda: cll.ExactMatchLevel("title"),
            "title",
        ),
        LevelPreset(
            "within",
            "one title is part of the other (Engineer / Senior Engineer, 销售 / 销售经理)",
            _sql(_TITLE_WITHIN),
        ),
        LevelPreset("different", "different job titles", _else),
    ),
)

#: Both leads give a house number on the same street (``address_road``).
_SAME_ROAD = "address_road_l = address_road_r"
_BOTH_NUMBERS = "address_number_l IS NOT NULL AND address_number_r IS NOT NULL"

ADDRESS = ComparisonPreset(
    role="address",
    null_column="address",
    levels=(
        LevelPreset(
            "exact",
            "same address, unit included (12 North Main Street, Apt 4 / 12 N Main St #4)",
            lambda: cll.ExactMatchLevel("address"),
            "address",
        ),
        LevelPreset(
            "same_building",
            "same street and house number, another unit or floor, or one without it",
            lambda: cll.ExactMatchLevel("address_street"),
            "address_street",
        ),
        LevelPreset(
            "number_typo",
            "same street, house numbers one typo apart (12 / 21, 128 / 123)",
            _sql(
                f"{_SAME_ROAD} AND {_BOTH_NUMBERS} AND "
                "damerau_levenshtein(address_number_l, address_number_r) <= 1"
            ),
        ),
        LevelPreset(
            "same_street",
            "same street, a house number missing on one side",
            _sql(f"{_SAME_ROAD} AND NOT ({_BOTH_NUMBERS})"),
        ),
        LevelPreset(
            "other_number",
            "same street, other house numbers (neighbours)",
            _sql(_SAME_ROAD),
        ),
        LevelPreset(
            "similar",
            "similar address (Jaro-Winkler ≥ 0.92 on the address key)",
            lambda: cll.JaroWinklerLevel("address", 0.92),
        ),
        LevelPreset("different", "different addresses", _else),
    ),
)

POSTCODE = ComparisonPreset(
    role="postcode",
    null_column="postcode",
    levels=(
        LevelPreset("exact", "same postcode", lambda: cll.ExactMatchLevel("postcode"), "postcode"),
        LevelPreset("different", "different postcodes", _else),
    ),
)

#: One lead's website is the other's company mail domain (acme.com / li@acme.com).
_WEBSITE_IS_MAIL_DOMAIN = (
    "((website_l = email_domain_r AND email_free_r = 0) "
    "OR (website_r = email_domain_l AND email_free_l = 0))"
)

WEBSITE = ComparisonPreset(
    role="website",
    null_column="website",
    levels=(
        LevelPreset(
            "exact",
            "same website domain (https://www.acme.com/about / acme.com)",
            lambda: cll.ExactMatchLevel("website"),
            "website",
        ),
        LevelPreset(
            "mail_domain",
            "one lead's website is the other's company mail domain",
            _sql(_WEBSITE_IS_MAIL_DOMAIN),
        ),
        LevelPreset("different", "different websites", _else),
    ),
    null_unless=_WEBSITE_IS_MAIL_DOMAIN,
)

#: The presets by role, in model order.
COMPARISONS: dict[str, ComparisonPreset] = {
    preset.role: preset
    for preset in (NAME, PHONE, EMAIL, COMPANY, CITY, TITLE, ADDRESS, POSTCODE, WEBSITE)
}

# -- accounts: the organisation is the entity ---------------------------------------------

#: One organisation key is the other's with a branch or site added (``·``, see
#: :mod:`leadlink.clean.normalize._organisation`): a parent and its branch.
_BRANCH_OF = (
    "(instr(org_r, concat(org_l, ' ·')) = 1 OR instr(org_l, concat(org_r, ' ·')) = 1 "
    "OR instr(org_r, concat(org_l, '·')) = 1 OR instr(org_l, concat(org_r, '·')) = 1)"
)
#: Both keys name a site, after the same head: two branches of one organisation.
_OTHER_SITE = (
    "instr(org_l, '·') > 0 AND instr(org_r, '·') > 0 AND "
    "substr(org_l, 1, instr(org_l, '·')) = substr(org_r, 1, instr(org_r, '·'))"
)
_ORG_CONTAINS = (
    "length(org_latin_l) >= 4 AND length(org_latin_r) >= 4 AND "
    "(instr(org_latin_l, org_latin_r) > 0 OR instr(org_latin_r, org_latin_l) > 0)"
)

_SHARED_WORDS = (
    "array_length(array_intersect(str_split(org_words_l, ' '), str_split(org_words_r, ' ')))"
)
#: Two names share two words or more, and at least half of the shorter one's words.
_MOST_WORDS = (
    f"{_SHARED_WORDS} >= 2 AND 2 * {_SHARED_WORDS} >= least("
    "array_length(str_split(org_words_l, ' ')), array_length(str_split(org_words_r, ' ')))"
)

ORGANISATION = ComparisonPreset(
    role="company",
    null_column="org",
    levels=(
        LevelPreset(
            "exact",
            "same organisation name, branch or site included (Acme Inc. / ACME Incorporated)",
            # No term-frequency adjustment: in an account list a name is frequent because
            # the organisation is entered often, not because many organisations bear it.
            lambda: cll.ExactMatchLevel("org"),
        ),
        LevelPreset(
            "same_words",
            "the same words in another order or abbreviated (Logistics Novatek / Novatek "
            "Logistics, Intl / International)",
            lambda: cll.ExactMatchLevel("org_words"),
        ),
        LevelPreset(
            "similar",
            "a typo apart (Jaro-Winkler ≥ 0.95 on the Latin form)",
            lambda: cll.JaroWinklerLevel("org_latin", 0.95),
        ),
        LevelPreset(
            "branch_of",
            "one is the other's branch or site (Acme / Acme - Berlin Branch)",
            _sql(_BRANCH_OF),
        ),
        LevelPreset(
            "other_site",
            "two branches or sites of one organisation",
            _sql(_OTHER_SITE),
        ),
        LevelPreset(
            "contains",
            "one name contains the other (Easter Seals / Easter Seals Gilchrist)",
            _sql(_ORG_CONTAINS),
        ),
        LevelPreset(
            "most_words",
            "two words or more in common, at least half of the shorter name's (Allianz SE "
            "Munich Germany / Allianz SE Koniginstrasse 28 Munich)",
            _sql(_MOST_WORDS),
        ),
        LevelPreset(
            "same_brand",
            "the same brand, other words: a parent and a subsidiary, or sister companies "
            "(Mera Energy / Mera Health, 华润医药 / 华润物流)",
            lambda: cll.ExactMatchLevel("org_brand"),
        ),
        LevelPreset("different", "different organisations", _else),
    ),
    # Where nothing but the name could train these levels (a list of names alone), their
    # m: most duplicates of an organisation write its name the same way or in other words,
    # few are a branch of each other.
    prior_m=(0.45, 0.1, 0.15, 0.01, 0.005, 0.1, 0.1, 0.04, 0.045),
)

ORGANISATION_PHONE = ComparisonPreset(
    role="phone",
    null_column="phone",
    levels=(
        LevelPreset(
            "same_number",
            "same number, the same extension or one without",
            _sql(
                "phone_l = phone_r AND (phone_ext_l = phone_ext_r OR phone_ext_l IS NULL "
                "OR phone_ext_r IS NULL)"
            ),
            "phone",
        ),
        LevelPreset(
            "other_extension",
            "same switchboard, different extensions",
            _sql("phone_l = phone_r"),
        ),
        LevelPreset(
            "same_local_number",
            "the same number written with and without its area code (415 555 0123 / 555-0123)",
            lambda: cll.ExactMatchLevel("phone_tail"),
        ),
        LevelPreset(
            "one_digit",
            "one digit apart",
            lambda: cll.And(_near_length("phone"), cll.LevenshteinLevel("phone", 1)),
        ),
        LevelPreset("different", "different numbers", _else),
    ),
)

ORGANISATION_EMAIL = ComparisonPreset(
    role="email",
    null_column="email",
    levels=(
        LevelPreset("exact", "same mailbox", lambda: cll.ExactMatchLevel("email"), "email"),
        LevelPreset(
            "same_domain",
            "mailboxes at the same company domain",
            lambda: cll.And(
                cll.ExactMatchLevel("email_domain"),
                cll.CustomLevel("email_free_l = 0", base_dialect_str=_DIALECT),
            ),
        ),
        LevelPreset("different", "different emails", _else),
    ),
)

ORGANISATION_CITY = ComparisonPreset(
    role="city",
    null_column="city",
    levels=(
        LevelPreset("exact", "same city", lambda: cll.ExactMatchLevel("city"), "city"),
        LevelPreset("different", "different cities", _else),
    ),
)

#: The presets by role when the entity is an organisation (``entity="company"``): people's
#: names and titles are not compared, a switchboard is the organisation's own line.
ORGANISATION_COMPARISONS: dict[str, ComparisonPreset] = {
    preset.role: preset
    for preset in (
        ORGANISATION,
        ORGANISATION_PHONE,
        ORGANISATION_EMAIL,
        ORGANISATION_CITY,
        ADDRESS,
        POSTCODE,
        WEBSITE,
    )
}

#: The comparisons of each entity: ``person`` (leads) and ``company`` (accounts).
ENTITY_COMPARISONS: dict[str, dict[str, ComparisonPreset]] = {
    "person": COMPARISONS,
    "company": ORGANISATION_COMPARISONS,
}


#: Comparison kinds for the user's own columns (a date of birth, a tax id ...).
EXTRA_KINDS: tuple[str, ...] = ("exact", "fuzzy", "date", "numeric")


def comparison_for(
    role: str, extra: dict[str, str] | None = None, entity: str = "person"
) -> ComparisonPreset:
    """The comparison preset of ``role`` for ``entity``; ``extra`` maps extra roles to
    their kind."""
    presets = ENTITY_COMPARISONS[entity]
    if role in presets:
        return presets[role]
    if extra and role in extra:
        return extra_comparison(role, extra[role])
    raise KeyError(role)


def extra_comparison(column: str, kind: str) -> ComparisonPreset:
    """The comparison of a user's own prepared column ``column`` of the given ``kind``.

    * ``exact``: identifiers (tax id, national id, member number): same / different, with
      term-frequency adjustment;
    * ``fuzzy``: free text in Latin letters: same, Jaro-Winkler ≥ 0.92, ≥ 0.8, different;
    * ``date``: dates as ``YYYYMMDD``: same, one typo or swapped digits, same year, different;
    * ``numeric``: numbers: same, within 1 %, within 10 %, different.
    """
    c = column
    levels: tuple[LevelPreset, ...]
    if kind == "exact":
        levels = (
            LevelPreset("exact", "same value", lambda: cll.ExactMatchLevel(c), c),
            LevelPreset("different", "different values", _else),
        )
    elif kind == "fuzzy":
        levels = (
            LevelPreset("exact", "same value", lambda: cll.ExactMatchLevel(c), c),
            LevelPreset("similar", "Jaro-Winkler ≥ 0.92", lambda: cll.JaroWinklerLevel(c, 0.92)),
            LevelPreset("close", "Jaro-Winkler ≥ 0.8", lambda: cll.JaroWinklerLevel(c, 0.8)),
            LevelPreset("different", "different values", _else),
        )
    elif kind == "date":
        levels = (
            LevelPreset("exact", "same date", lambda: cll.ExactMatchLevel(c)),
            LevelPreset(
                "typo",
                "one digit wrong or two swapped",
                lambda: cll.DamerauLevenshteinLevel(c, 1),
            ),
            LevelPreset(
                "same_year", "same year", _sql(f"substr({c}_l, 1, 4) = substr({c}_r, 1, 4)")
            ),
            LevelPreset("different", "different dates", _else),
        )
    elif kind == "numeric":
        levels = (
            LevelPreset("exact", "same number", lambda: cll.ExactMatchLevel(c)),
            LevelPreset(
                "within_1pct", "within 1 %", lambda: cll.PercentageDifferenceLevel(c, 0.01)
            ),
            LevelPreset(
                "within_10pct", "within 10 %", lambda: cll.PercentageDifferenceLevel(c, 0.1)
            ),
            LevelPreset("different", "different numbers", _else),
        )
    else:
        raise ConfigError(
            say(
                f"unknown comparison kind {kind!r} for column {column!r}; "
                f"choose one of {', '.join(EXTRA_KINDS)}",
                f"列 {column!r} 的比较方式 {kind!r} 未知；可选：{', '.join(EXTRA_KINDS)}",
            )
        )
    return ComparisonPreset(role=column, null_column=column, levels=levels)
