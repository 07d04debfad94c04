"""link(): each lead to the account it belongs to, in an existing account table.

The lead-to-account matching that CRMs sell as a product: a web form says "Zhang Wei, 华润
医药, zhangwei@crpharm.com, 010-8888 6666 转 8001"; the account table holds 华润医药有限公司
and its 上海分公司 and the group's other companies. Both tables are prepared with their own
role mappings and scored together by the organisation model
(``LeadModel(entity="company")``): the company name (branches and subsidiaries kept apart),
the switchboard (a number without its area code meets the full one), the mail domain
against the account's website or mail, the city, address and postcode. People's names are
not compared. Every lead gets one row: the best account, or none.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.clean import check_region, prepare, settle_region
from leadlink.errors import ColumnError, ConfigError, InputError, LeadlinkError
from leadlink.match import LeadModel, check_threshold
from leadlink.schema import check_frame, check_ids, resolve_columns

__all__ = ["AMBIGUOUS_BITS", "STATUSES", "UNCERTAIN_FROM", "LinkResult", "link"]

logger = logging.getLogger(__name__)

#: A best account below the threshold but at least this probable is ``"uncertain"``.
UNCERTAIN_FROM = 0.2
#: What ``LinkResult.matches["status"]`` says, from the surest.
STATUSES = ("matched", "uncertain", "no_match")
#: Two accounts above the threshold closer than this many bits (match weight) are a tie.
AMBIGUOUS_BITS = 1.0

# The roles the organisation model compares; a lead's email and an account's website meet
# too (the company's mail domain is its website).
_COMPARED_ROLES = ("company", "phone", "email", "city", "address", "postcode", "website")
_LEAD, _ACCOUNT = "lead:", "account:"
_MATCH_COLUMNS = ["lead_id", "account_id", "status", "match_probability", "match_weight",
                  "candidate_id", "runner_up", "runner_up_probability"]  # fmt: skip


@dataclass
class LinkResult:
    """What :func:`link` returns.

    Attributes:
        matches: one row per input lead, in input order: ``lead_id``, ``account_id`` (the
            linked account, None when none reaches the threshold), ``status``
            (``"matched"``, ``"uncertain"``, ``"no_match"``), ``match_probability`` and
            ``match_weight`` of the best-scored account, ``candidate_id`` (that account,
            whatever its score), ``runner_up`` (the best other account that is not the
            same organisation as the candidate) and ``runner_up_probability``. Ids are
            text, as written in the inputs (spaces stripped, ``7.0`` as ``7``).
        pairs: every scored lead–account pair: ``lead_id``, ``account_id``,
            ``match_weight``, ``match_probability``, ``found_by`` (the blocking preset)
            and the comparison level and weight per role, best first per lead.
        model: the organisation model that scored them.
        roles: the role → column mappings used, under ``"leads"`` and ``"accounts"``.
        threshold: the match probability at which a lead is linked.
    """

    matches: pd.DataFrame
    pairs: pd.DataFrame
    model: LeadModel
    roles: dict[str, dict[str, str]] = field(default_factory=dict)
    threshold: float = 0.5

    def summary(self) -> dict[str, Any]:
        """Leads per status, and how many accounts got at least one lead."""
        counts = self.matches["status"].value_counts()
        out: dict[str, Any] = {"leads": len(self.matches)}
        out.update({status: int(counts.get(status, 0)) for status in STATUSES})
        out["accounts_linked"] = int(self.matches["account_id"].nunique())
        return out


def link(
    leads: pd.DataFrame,
    accounts: pd.DataFrame,
    *,
    lead_id: str = "lead_id",
    account_id: str = "account_id",
    lead_columns: Mapping[str, str | None] | None = None,
    account_columns: Mapping[str, str | None] | None = None,
    threshold: float = 0.5,
    region: str | None = None,
    seed: int = 0,
    model: LeadModel | None = None,
) -> LinkResult:
    """Link each lead to the account it belongs to.

    Args:
        leads: the leads, one row per lead (people: name, company, email, phone, city ...).
        accounts: the account table, one row per account (company, phone, website, email,
            city, address, postcode ...).
        lead_id: the column of ``leads`` holding a unique id per lead.
        account_id: the column of ``accounts`` holding a unique id per account. Ids may look
            the same in both tables (``1``, ``2`` ...): they are kept apart.
        lead_columns: role → column for headers of ``leads`` that are not detected
            (``{"company": "单位"}``; a role mapped to None is not used).
        account_columns: the same for ``accounts``.
        threshold: match probability at which a lead is linked to its best account.
        region: default phone region for numbers without a country code (``"CN"``,
            ``"US"`` ...); ``None``: CN unless the numbers of both tables say otherwise.
        seed: seed for the random sampling in training.
        model: a trained organisation model (``LeadModel(entity="company")``) to use
            instead of training one on the two tables together.

    A lead is ``"matched"`` when its best account reaches ``threshold`` and no other
    account (not the same organisation) comes within :data:`AMBIGUOUS_BITS` of it above
    the threshold; ``"uncertain"`` when two such accounts tie (``account_id`` is the
    better one), or when the best is below the threshold but at least
    :data:`UNCERTAIN_FROM` (``account_id`` is None, ``candidate_id`` names it); else
    ``"no_match"``.

    Raises:
        InputError: a table is not a DataFrame, is empty, or has missing or duplicate ids.
        ColumnError: an id column is missing, or the tables share no role to compare.
        ConfigError: a bad threshold or region, or a model that is not an organisation
            model.
    """
    threshold = check_threshold(threshold)
    given_region = None if region is None else check_region(region)
    if model is not None and (not isinstance(model, LeadModel) or model.entity != "company"):
        raise ConfigError(
            say(
                "model must be an organisation model, LeadModel(entity='company'), not "
                f"{getattr(model, 'entity', type(model).__name__)!r}; leave model out to "
                "train one on the two tables",
                "model 须为组织模型 LeadModel(entity='company')，而不是 "
                f"{getattr(model, 'entity', type(model).__name__)!r}；不传 model 即可用两张表训练",
            )
        )
    leads, lead_ids = _table(leads, lead_id, "leads", "线索表")
    accounts, account_ids = _table(accounts, account_id, "accounts", "客户表")
    lead_roles = resolve_columns(leads, lead_columns, id_column=lead_id)
    account_roles = resolve_columns(accounts, account_columns, id_column=account_id)
    _check_shared(lead_roles, account_roles)
    sides = ((leads, lead_roles), (accounts, account_roles))
    phones = [table[roles["phone"]] for table, roles in sides if "phone" in roles]
    region = settle_region(pd.concat(phones, ignore_index=True) if phones else (), given_region)
    prepared = pd.concat(
        [
            _prepared(leads, lead_roles, lead_id, lead_ids, region, _LEAD),
            _prepared(accounts, account_roles, account_id, account_ids, region, _ACCOUNT),
        ],
        ignore_index=True,
    )
    if model is None:
        model = LeadModel(entity="company", seed=seed, threshold=threshold).fit(prepared)
    scored = _with_identical_groups(model.predict(prepared, min_probability=0.0))
    pairs, same_organisation = _lead_account_pairs(scored, threshold)
    matches = _best_accounts(lead_ids, pairs, same_organisation, threshold)
    logger.info(
        "link: %d leads, %d accounts, %d matched",
        len(lead_ids),
        len(account_ids),
        int(matches["status"].eq("matched").sum()),
    )
    return LinkResult(
        matches=matches,
        pairs=pairs,
        model=model,
        roles={"leads": lead_roles, "accounts": account_roles},
        threshold=threshold,
    )


def _table(frame: object, id_column: str, en: str, zh: str) -> tuple[pd.DataFrame, pd.Series]:
    """The table (index reset) and its ids as text, refused with the table named."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            say(
                f"{en} must be a pandas DataFrame, not {type(frame).__name__}; read files with "
                "pandas.read_csv / read_parquet or leadlink.read_leads",
                f"{zh}须为 pandas DataFrame，而不是 {type(frame).__name__}；"
                "请用 pandas.read_csv / read_parquet 或 leadlink.read_leads 读取文件",
            )
        )
    if frame.empty:
        raise InputError(
            say(f"{en} has no rows; nothing to link", f"{zh}没有任何行；无可关联的数据")
        )
    try:
        check_frame(frame)
        ids = check_ids(frame, id_column)
    except LeadlinkError as error:
        raise type(error)(say(f"{en}: {error}", f"{zh}：{error}")) from None
    return frame.reset_index(drop=True), ids.reset_index(drop=True)


def _check_shared(lead_roles: Mapping[str, str], account_roles: Mapping[str, str]) -> None:
    lead_side = {r for r in lead_roles if r in _COMPARED_ROLES}
    account_side = {r for r in account_roles if r in _COMPARED_ROLES}
    domain_meets_website = ("email" in lead_side and "website" in account_side) or (
        "website" in lead_side and "email" in account_side
    )
    if lead_side & account_side or domain_meets_website:
        return
    shown_leads = ", ".join(sorted(lead_side)) or "none"
    shown_accounts = ", ".join(sorted(account_side)) or "none"
    raise ColumnError(
        say(
            f"the leads and accounts share no role to compare: the leads have {shown_leads}, "
            f"the accounts {shown_accounts} (compared: {', '.join(_COMPARED_ROLES)}); map "
            "the columns with lead_columns={'company': '...'} and account_columns=...",
            f"线索表与客户表没有可比较的共同角色：线索表有 {shown_leads}，客户表有 "
            f"{shown_accounts}（可比较：{', '.join(_COMPARED_ROLES)}）；请用 "
            "lead_columns={'company': '...'} 和 account_columns=... 指定列",
        )
    )


def _prepared(
    table: pd.DataFrame,
    roles: dict[str, str],
    id_column: str,
    ids: pd.Series,
    region: str,
    side: str,
) -> pd.DataFrame:
    """The prepared table with each id tagged by its side, so that lead ``7`` and account
    ``7`` are two records."""
    prepared = prepare(table, roles, id_column=id_column, region=region)
    prepared["unique_id"] = (side + ids).to_numpy(dtype=object)
    return prepared


def _with_identical_groups(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs with every record of a group scored once (records identical in all that is
    compared) paired as its representative is, and the members of a group with each other
    at the level identical records reach."""
    identical = pairs["found_by"].astype(str).eq("identical").to_numpy()
    if not identical.any():
        return pairs
    root: dict[str, str] = {}

    def find(x: str) -> str:
        while root.setdefault(x, x) != x:
            x = root[x]
        return x

    same = pairs[identical]
    for left, right in zip(same["id_l"], same["id_r"], strict=True):
        a, b = find(left), find(right)
        if a != b:
            root[max(a, b)] = min(a, b)
    members = pd.DataFrame({"member": list(root)})
    members["group"] = members["member"].map(find)
    scored = pairs[~identical]
    for side in ("id_l", "id_r"):
        keyed = scored.assign(group=scored[side].map(lambda x: find(x) if x in root else x))
        scored = keyed.merge(members, on="group", how="left")
        scored[side] = scored["member"].fillna(scored[side])
        scored = scored.drop(columns=["group", "member"])
    # Within a group: each pair of members, at the group's identical-pair score.
    template = same.assign(group=same["id_l"].map(find)).drop_duplicates("group")
    within = members.merge(members, on="group", suffixes=("_l", "_r"))
    within = within[within["member_l"] < within["member_r"]]
    within = within.merge(template.drop(columns=["id_l", "id_r"]), on="group")
    within = within.rename(columns={"member_l": "id_l", "member_r": "id_r"})
    return pd.concat([scored, within[list(pairs.columns)]], ignore_index=True)


def _lead_account_pairs(
    pairs: pd.DataFrame, threshold: float
) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """The lead–account pairs (lead first, ids untagged, best first per lead), and the
    account pairs at or above ``threshold`` (one organisation written twice)."""
    left = pairs["id_l"].astype(str)
    right = pairs["id_r"].astype(str)
    lead_left = left.str.startswith(_LEAD).to_numpy()
    lead_right = right.str.startswith(_LEAD).to_numpy()
    both_accounts = ~lead_left & ~lead_right
    linked = both_accounts & (pairs["match_probability"].to_numpy() >= threshold)
    same_organisation = {
        (a[len(_ACCOUNT) :], b[len(_ACCOUNT) :])
        for a, b in zip(left[linked], right[linked], strict=True)
    }
    cross = lead_left ^ lead_right
    chosen = pairs[cross].drop(columns=["id_l", "id_r"])
    lead = np.where(lead_left[cross], left[cross], right[cross])
    account = np.where(lead_left[cross], right[cross], left[cross])
    chosen.insert(0, "lead_id", pd.Series(lead).str[len(_LEAD) :].to_numpy(dtype=object))
    chosen.insert(1, "account_id", pd.Series(account).str[len(_ACCOUNT) :].to_numpy(dtype=object))
    chosen = chosen.sort_values(
        ["lead_id", "match_weight", "account_id"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
    return chosen, same_organisation


def _best_accounts(
    lead_ids: pd.Series,
    pairs: pd.DataFrame,
    same_organisation: set[tuple[str, str]],
    threshold: float,
) -> pd.DataFrame:
    """One row per lead: its best account, the runner-up, and the status."""
    best = pairs.groupby("lead_id", sort=False).head(1).set_index("lead_id")
    candidate = best["account_id"].to_dict()

    def other_organisation(lead: str, account: str) -> bool:
        top = candidate[lead]
        pair, swapped = (top, account), (account, top)
        return account != top and not {pair, swapped} & same_organisation

    pairs_ids = zip(pairs["lead_id"], pairs["account_id"], strict=True)
    keep = np.array([other_organisation(lead, account) for lead, account in pairs_ids], bool)
    others = pairs[keep]  # a mask: with no pair at all, an empty list would select columns
    runner = others.groupby("lead_id", sort=False).head(1).set_index("lead_id")
    out = pd.DataFrame({"lead_id": lead_ids.to_numpy(dtype=object)})
    out["candidate_id"] = out["lead_id"].map(best["account_id"])
    out["match_probability"] = out["lead_id"].map(best["match_probability"]).astype(float)
    out["match_weight"] = out["lead_id"].map(best["match_weight"]).astype(float)
    out["runner_up"] = out["lead_id"].map(runner["account_id"])
    out["runner_up_probability"] = out["lead_id"].map(runner["match_probability"]).astype(float)
    runner_weight = out["lead_id"].map(runner["match_weight"]).astype(float)
    probability = out["match_probability"].fillna(0.0).to_numpy()
    reached = probability >= threshold
    tie = (
        reached
        & (out["runner_up_probability"].fillna(0.0).to_numpy() >= threshold)
        & ((out["match_weight"] - runner_weight).fillna(np.inf).to_numpy() < AMBIGUOUS_BITS)
    )
    out["status"] = np.select(
        [reached & ~tie, reached | (probability >= UNCERTAIN_FROM)],
        ["matched", "uncertain"],
        "no_match",
    )
    out["account_id"] = out["candidate_id"].where(reached, None)
    for column in ("account_id", "candidate_id", "runner_up"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out[_MATCH_COLUMNS]
