"""Survivorship: which member's value a golden record keeps, per role.

For each role a :class:`SurvivorshipPolicy` lists *rules*, best first. The candidates of a
cluster are its members whose value is usable after normalisation; the first rule ranks
them, the next rule breaks its ties, and so on; remaining ties go to the most recent lead
(by ``created_at``), then to the smallest lead id, so the result never depends on row order.

A rule is a name from :data:`RULES` or a callable ``fn(values) -> index``, which receives
the usable values of a cluster's members as entered (lead id order; called only when there
are two or more) and returns the index of the one it chose.

:data:`RULES` is the registry of named rules. Each entry scores the candidates (higher is
better; equal scores tie and go to the next rule), and its docstring says what it prefers
and what it counts as a tie; ``docs/golden.md`` lists them for users. Adding a rule is one
entry there: a scoring function with its docstring and, when it has a meaning for some
roles only, those roles. :class:`SurvivorshipPolicy` accepts exactly the registered names.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any, Protocol

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink._jsonfile import read_json
from leadlink.clean import Problem, normalize
from leadlink.errors import ConfigError
from leadlink.schema import SURVIVED_ROLES, map_distinct

__all__ = [
    "DEFAULT_RULES",
    "RULES",
    "Candidates",
    "Members",
    "Rule",
    "SurvivorshipPolicy",
    "SurvivorshipRule",
]

#: A survivorship rule: a name in :data:`RULES`, or ``fn(values) -> index of the chosen value``.
Rule = str | Callable[[list[Any]], int]


class Members(Protocol):
    """What a rule may read about the clustered leads, one entry per lead in the order of
    the prepared table (:class:`leadlink.merge._golden._Context` provides it)."""

    #: :func:`leadlink.clean.prepare` output for the leads.
    prepared: pd.DataFrame
    #: ``created_at`` as naive UTC datetime64[ns] (NaT where not a time); None without it.
    times: np.ndarray | None

    def entered(self, role: str) -> pd.Series:
        """The column of ``role`` as entered."""
        ...

    def source_text(self) -> np.ndarray | None:
        """The lead source as entered, stripped, None when blank; None without a source."""
        ...

    def problems(self) -> np.ndarray:
        """The :func:`leadlink.clean.validate` problem codes of every lead."""
        ...


@dataclass(frozen=True, eq=False)
class Candidates:
    """The leads a rule ranks for one role: every lead with a usable value, in every
    cluster at once (a rule scores them all in one pass; the caller ranks per cluster).

    Attributes:
        role: the role being survived.
        rows: the candidates' positions among the leads (index :attr:`members` with them).
        cluster: the cluster code of each candidate.
        key: each candidate's normalised value (张伟 = 張偉 = Zhang Wei).
        entered: each candidate's value as entered.
        members: the per-lead data of every lead.
        policy: the policy being applied (its ``sources`` rank lead sources).
    """

    role: str
    rows: np.ndarray
    cluster: np.ndarray
    key: np.ndarray
    entered: np.ndarray
    members: Members
    policy: SurvivorshipPolicy


@dataclass(frozen=True)
class SurvivorshipRule:
    """A named survivorship rule.

    Attributes:
        name: as written in a policy (``"most_recent"``).
        score: ``score(candidates)`` -> one float per candidate, higher is better; equal
            scores tie and go to the policy's next rule. Its docstring says what the rule
            prefers and what ties.
        roles: the roles on which the rule has a meaning; None for every survived role.
    """

    name: str
    score: Callable[[Candidates], np.ndarray]
    roles: tuple[str, ...] | None = None

    @property
    def description(self) -> str:
        """What the rule prefers and what ties (the docstring of :attr:`score`)."""
        return inspect.getdoc(self.score) or ""


# validate() problem codes that make a role's value invalid for "first_valid".
_INVALID_PROBLEMS: dict[str, tuple[str, ...]] = {
    "name": (Problem.NAME_PLACEHOLDER.value,),
    "phone": (Problem.PHONE_INVALID.value, Problem.PHONE_PLACEHOLDER.value),
    "email": (
        Problem.EMAIL_SYNTAX.value,
        Problem.EMAIL_PLACEHOLDER.value,
        Problem.EMAIL_DISPOSABLE.value,
    ),
    "company": (Problem.COMPANY_PLACEHOLDER.value,),
}

# The prepared column that marks a value as partial (1) rather than complete (0), for
# "most_complete": a surname with an honorific (张总) is a partial name.
_PARTIAL_COLUMN: dict[str, str] = {"name": "name_partial"}


def _personal_phone(members: Members, rows: np.ndarray) -> np.ndarray:
    shared = members.prepared.get("phone_shared")
    if shared is None:
        return np.ones(len(rows), dtype=bool)
    return shared.to_numpy()[rows] == 0


def _personal_email(members: Members, rows: np.ndarray) -> np.ndarray:
    entered = members.entered("email").iloc[rows]
    return ~map_distinct(entered, normalize.email_is_role).astype(bool)


# Per role, which leads hold a personal value rather than a shared one; these are the
# roles on which the "personal" rule has a meaning.
_PERSONAL: dict[str, Callable[[Members, np.ndarray], np.ndarray]] = {
    "phone": _personal_phone,
    "email": _personal_email,
}


def _first_valid(candidates: Candidates) -> np.ndarray:
    """A value that passes validation before one that does not: a valid, non-placeholder
    phone; a well-formed, non-placeholder, non-disposable email; a non-placeholder name or
    company. Values of the other roles all pass. Ties: every valid value ties with every
    other, and every invalid one likewise."""
    problems = candidates.members.problems()
    invalid = _INVALID_PROBLEMS.get(candidates.role)
    if invalid is None:
        return np.ones(len(candidates.rows))
    bad = set(invalid)
    return np.array([not bad.intersection(p) for p in problems[candidates.rows]], dtype=np.float64)


def _longest(candidates: Candidates) -> np.ndarray:
    """The longest value as entered (surrounding spaces aside). Ties: values of the same
    length, in characters."""
    return np.array([len(str(v).strip()) for v in candidates.entered], dtype=np.float64)


def _most_complete(candidates: Candidates) -> np.ndarray:
    """The most complete normalised value: for names a full name before a surname alone
    (张总 → 张, ``name_partial``), then the longer normalised value. Ties: equally complete
    values whose normalised forms have the same length."""
    length = np.array([len(str(k)) for k in candidates.key], dtype=np.float64)
    partial = _PARTIAL_COLUMN.get(candidates.role)
    prepared = candidates.members.prepared
    if partial is not None and partial in prepared:
        full = prepared[partial].to_numpy()[candidates.rows] == 0
        return full * 1e6 + length
    return length


def _most_frequent(candidates: Candidates) -> np.ndarray:
    """The value held by most members of the cluster, compared after normalisation
    (张伟 = 張偉 = Zhang Wei; +86 138-0013-8000 = 13800138000). Ties: values held by equally
    many members."""
    key_codes, _ = pd.factorize(candidates.key)
    n = len(candidates.rows)
    pair_codes, _ = pd.factorize(candidates.cluster.astype(np.int64) * (n + 1) + key_codes)
    return np.bincount(pair_codes)[pair_codes].astype(np.float64)


def _most_recent(candidates: Candidates) -> np.ndarray:
    """The value of the lead created last (``created_at``); a lead without a readable time
    comes after every dated one. Ties: leads created at the same instant, or every lead
    when the leads have no ``created_at``."""
    times = candidates.members.times
    if times is None:
        return np.zeros(len(candidates.rows))
    picked = times[candidates.rows]
    stamps = picked.astype("datetime64[ns]").astype(np.int64).astype(np.float64)
    return np.where(np.isnat(picked), -np.inf, stamps)


def _personal(candidates: Candidates) -> np.ndarray:
    """Phone: a personal number (``phone_shared == 0``) before a shared line such as a
    company switchboard; email: a personal mailbox before a role one (sales@, info@).
    Ties: every personal value ties with every other, and every shared one likewise."""
    return _PERSONAL[candidates.role](candidates.members, candidates.rows).astype(np.float64)


def _source_priority(candidates: Candidates) -> np.ndarray:
    """The value from the best lead source in ``SurvivorshipPolicy.sources`` (compared
    case-insensitively); unlisted or blank sources come last. Ties: leads from the same
    source, unlisted sources together, or every lead when the leads have no source."""
    sources = candidates.policy.sources
    rank = {s.strip().casefold(): i for i, s in enumerate(reversed(sources))}
    text = candidates.members.source_text()
    if text is None:
        return np.zeros(len(candidates.rows))
    return np.array(
        [rank.get(str(s).casefold(), -1) if s is not None else -1 for s in text[candidates.rows]],
        dtype=np.float64,
    )


#: The named rules, by name (sorted). Adding a rule is one entry here.
RULES: dict[str, SurvivorshipRule] = {
    rule.name: rule
    for rule in (
        SurvivorshipRule("first_valid", _first_valid),
        SurvivorshipRule("longest", _longest),
        SurvivorshipRule("most_complete", _most_complete),
        SurvivorshipRule("most_frequent", _most_frequent),
        SurvivorshipRule("most_recent", _most_recent),
        SurvivorshipRule("personal", _personal, roles=tuple(_PERSONAL)),
        SurvivorshipRule("source_priority", _source_priority),
    )
}

#: The default rules per survived role, best first.
DEFAULT_RULES: dict[str, tuple[str, ...]] = {
    "name": ("first_valid", "most_complete", "most_frequent"),
    "phone": ("first_valid", "personal", "most_frequent"),
    "email": ("first_valid", "personal", "most_recent"),
    "company": ("most_frequent",),
    "city": ("most_frequent",),
    "title": ("most_recent",),
    # the address with its unit and postcode, before a shorter one of the same building
    "address": ("most_complete", "most_frequent"),
    "postcode": ("most_frequent",),
    "website": ("most_frequent",),
}

_CONFIG_EXAMPLE = (
    '{"rules": {"email": ["first_valid", "most_recent"]}, "sources": ["CRM", "官网表单"]}'
)


@dataclass(frozen=True)
class SurvivorshipPolicy:
    """Which value survives into the golden record, per role.

    Args:
        rules: role → rules, best first: names from :data:`RULES` or callables ``fn(values)
            -> index`` (see the module docstring). Roles left out keep
            :data:`DEFAULT_RULES`; a single rule may be given on its own
            (``{"title": "most_recent"}``).
        sources: lead sources, best first, for the ``source_priority`` rule (compared
            case-insensitively; unlisted sources rank last).

    >>> policy = SurvivorshipPolicy(rules={"phone": ["source_priority", "most_recent"]},
    ...                             sources=["CRM", "官网表单"])
    >>> policy.rules_for("phone"), policy.rules_for("city")
    (('source_priority', 'most_recent'), ('most_frequent',))
    """

    rules: Mapping[str, Rule | Sequence[Rule]] = field(default_factory=dict)
    sources: Sequence[str] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.rules, Mapping):
            raise ConfigError(
                say(
                    f"rules must map roles to lists of rules, not {type(self.rules).__name__}; "
                    "e.g. rules={'email': ['first_valid', 'most_recent']}",
                    f"rules 须为“角色 → 规则列表”的映射，而不是 {type(self.rules).__name__}；"
                    "例如 rules={'email': ['first_valid', 'most_recent']}",
                )
            )
        if isinstance(self.sources, str) or not all(isinstance(s, str) for s in self.sources):
            raise ConfigError(
                say(
                    "sources must be a list of source names, best first, e.g. sources=['CRM', "
                    "'官网表单']",
                    "sources 须为来源名称的列表，优先的在前，例如 sources=['CRM', '官网表单']",
                )
            )
        merged: dict[str, tuple[Rule, ...]] = dict(DEFAULT_RULES)
        for role, given in self.rules.items():
            merged[role] = _check_rules(role, given)
        object.__setattr__(self, "rules", merged)
        object.__setattr__(self, "sources", tuple(self.sources))
        if not self.sources:
            using = sorted(r for r, chain in merged.items() if "source_priority" in chain)
            if using:
                raise ConfigError(
                    say(
                        f"the source_priority rule (for {', '.join(using)}) needs sources, best "
                        "first, e.g. SurvivorshipPolicy(..., sources=['CRM', '官网表单'])",
                        f"source_priority 规则（用于 {', '.join(using)}）需要 sources（来源列表，"
                        "优先的在前），"
                        "例如 SurvivorshipPolicy(..., sources=['CRM', '官网表单'])",
                    )
                )

    def rules_for(self, role: str) -> tuple[Rule, ...]:
        """The rules of ``role``, best first."""
        return tuple(self.rules.get(role, ()))  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> SurvivorshipPolicy:
        """A policy from plain data: ``{"rules": {role: [rule, ...]}, "sources": [...]}``."""
        if not isinstance(config, Mapping):
            raise ConfigError(
                say(
                    f"a survivorship config must be a JSON object like {_CONFIG_EXAMPLE}, "
                    f"not {type(config).__name__}",
                    f"存活规则配置须为 JSON 对象，如 {_CONFIG_EXAMPLE}，而不是 "
                    f"{type(config).__name__}",
                )
            )
        unknown = sorted(set(config) - {"rules", "sources"})
        if unknown:
            raise ConfigError(
                say(
                    f"unknown key(s) {', '.join(map(repr, unknown))} in the survivorship config; "
                    f"it has 'rules' and 'sources', e.g. {_CONFIG_EXAMPLE}",
                    f"存活规则配置中有未知的键 {', '.join(map(repr, unknown))}；"
                    f"只能有 'rules' 和 'sources'，例如 {_CONFIG_EXAMPLE}",
                )
            )
        rules = config.get("rules", {})
        if not isinstance(rules, Mapping):
            raise ConfigError(
                say(
                    "'rules' must be an object mapping roles to lists of rules, e.g. "
                    f"{_CONFIG_EXAMPLE}",
                    f"'rules' 须为“角色 → 规则列表”的对象，例如 {_CONFIG_EXAMPLE}",
                )
            )
        for role, chain in rules.items():
            names = [chain] if isinstance(chain, str) else chain
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ConfigError(
                    say(
                        f"rules for {role!r} must be a list of rule names, e.g. "
                        f'"{role}": ["most_frequent", "most_recent"]',
                        f"{role!r} 的规则须为规则名称的列表，例如 "
                        f'"{role}": ["most_frequent", "most_recent"]',
                    )
                )
        sources = config.get("sources", [])
        if not isinstance(sources, list):
            raise ConfigError(
                say(
                    f"'sources' must be a list of source names, e.g. {_CONFIG_EXAMPLE}",
                    f"'sources' 须为来源名称的列表，例如 {_CONFIG_EXAMPLE}",
                )
            )
        return cls(rules=dict(rules), sources=sources)

    @classmethod
    def from_file(cls, path: str | PathLike[str]) -> SurvivorshipPolicy:
        """A policy from a JSON file (see :meth:`from_dict` and ``docs/golden.md``), read
        within the bounds of :func:`leadlink._jsonfile.read_json` (size, depth)."""
        config = read_json(
            path,
            what="the survivorship config",
            what_zh="存活规则配置",
            example=_CONFIG_EXAMPLE,
        )
        return cls.from_dict(config)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for :meth:`from_dict`; callables cannot be written and are refused."""
        rules: dict[str, list[str]] = {}
        for role, chain in self.rules.items():
            for rule in chain:  # type: ignore[union-attr]
                if not isinstance(rule, str):
                    raise ConfigError(
                        say(
                            f"the rules for {role!r} hold a callable, which a config file cannot "
                            "hold; use named rules to save a policy",
                            f"{role!r} 的规则中含有函数，配置文件无法保存函数；要保存策略，"
                            "请使用具名规则",
                        )
                    )
            rules[role] = list(chain)  # type: ignore[arg-type]
        return {"rules": rules, "sources": list(self.sources)}


def _check_rules(role: str, given: Any) -> tuple[Rule, ...]:
    """``given`` as a tuple of rules for ``role``, or a ConfigError saying what to write."""
    if role not in SURVIVED_ROLES:
        raise ConfigError(
            say(
                f"unknown role {role!r} in survivorship rules; golden records hold "
                f"{', '.join(SURVIVED_ROLES)}",
                f"存活规则中的角色 {role!r} 未知；黄金记录包含的角色为 {', '.join(SURVIVED_ROLES)}",
            )
        )
    chain = (given,) if isinstance(given, str) or callable(given) else given
    if not isinstance(chain, Sequence) or not chain:
        raise ConfigError(
            say(
                f"rules for {role!r} must be a non-empty list of rules, best first, e.g. "
                f"{{{role!r}: ['most_frequent', 'most_recent']}}",
                f"{role!r} 的规则须为非空的规则列表，优先的在前，例如 "
                f"{{{role!r}: ['most_frequent', 'most_recent']}}",
            )
        )
    for rule in chain:
        if callable(rule):
            continue
        named = RULES.get(rule) if isinstance(rule, str) else None
        if named is None:
            example = list(DEFAULT_RULES.get(role, ("most_frequent", "most_recent")))
            raise ConfigError(
                say(
                    f"unknown survivorship rule {rule!r} for {role!r}; choose from "
                    f"{', '.join(RULES)} (e.g. rules={{{role!r}: {example}}}), "
                    "or pass a function fn(values) -> index",
                    f"{role!r} 的存活规则 {rule!r} 未知；可选：{', '.join(RULES)}"
                    f"（例如 rules={{{role!r}: {example}}}），也可以传入函数 fn(values) -> index",
                )
            )
        if named.roles is not None and role not in named.roles:
            raise ConfigError(
                say(
                    f"the {named.name} rule applies to {_listed(named.roles)}, not {role!r}; "
                    "use most_frequent or most_recent there",
                    f"{named.name} 规则只适用于 {'、'.join(named.roles)}，不适用于 {role!r}；"
                    "该角色请用 most_frequent 或 most_recent",
                )
            )
    return tuple(chain)


def _listed(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join(words) if len(words) <= 2 else f"{', '.join(words[:-1])} and {words[-1]}"
