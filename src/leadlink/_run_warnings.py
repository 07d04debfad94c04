"""Why a ``dedupe`` run did less than asked: the warnings it gives, each naming what to map
or pass instead (counts and column names only, never a lead's values)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from leadlink._i18n import say
from leadlink.match import LeadModel
from leadlink.schema import COMPARED_ROLES, ROLE, looks_personal

__all__ = ["what_went_wrong"]

#: A role is said to be invalid for the region when more than this share of its values are.
_MOSTLY_INVALID = 0.5

#: Fewer leads than this are too few to tell a problem from a small table: dedupe says
#: nothing about them (a table of three different people rightly has no duplicates).
_FEW_LEADS = 20


def what_went_wrong(
    roles: Mapping[str, str],
    extra: Mapping[str, str],
    prepared: pd.DataFrame,
    validation: pd.DataFrame,
    model: LeadModel | None,
    pairs: pd.DataFrame,
    clustered: pd.DataFrame,
    *,
    trained: bool,
    matchable: int,
    threshold: float,
    region: str,
    entity: str = "person",
) -> list[str]:
    """Why a run did less than asked, one message each, naming what to map instead: a
    mapped role no lead could use, most phones invalid for the region, nothing trained,
    no pair compared, no pair at the threshold. Counts and column names only."""
    found: list[str] = []
    if len(validation) < _FEW_LEADS:
        return found

    def shown(column: str) -> str:
        return say("a column", "某列") if looks_personal(column) else repr(column)

    if entity == "person" and "company" in roles and "name" not in roles:
        found.append(
            say(
                "these records have a company but no person's name: if each is an "
                "organisation (an account list), match organisations with "
                "entity='company' (--entity company), which compares company names, "
                "branches, addresses and phones as accounts; as people (leads) they are "
                "linked only where phones, emails, addresses or websites agree",
                "这些记录有公司名称但没有人名：如果每条记录是一个组织（客户/公司列表），"
                "请用 entity='company'（--entity company）按组织匹配，它把公司名称、分支机构、"
                "地址和电话作为客户来比较；按人（线索）匹配时只有电话、邮箱、地址或网站一致才会关联",
            )
        )

    phone = roles.get("phone")
    if phone is not None:
        given = int(prepared["phone"].notna().sum()) if "phone" in prepared else 0
        invalid = int(validation["problems"].map(lambda codes: "phone.invalid" in codes).sum())
        if invalid and invalid > _MOSTLY_INVALID * (invalid + given):
            found.append(
                say(
                    f"{invalid} of {invalid + given} phone numbers in {shown(phone)} are not "
                    f"valid numbers for region {region}: if they belong to another country, "
                    "give it (region='US', --region US); local numbers without an area code "
                    f"can be compared as your own column (columns={{'phone': None}}, "
                    f"extra_columns={{{phone!r}: 'exact'}}; --no-role phone --extra "
                    f"{phone}=exact)",
                    f"{shown(phone)} 中 {invalid + given} 个电话号码有 {invalid} 个不是地区 "
                    f"{region} 的有效号码：若属于其他国家，请给出地区（region='US'，"
                    "--region US）；不带区号的本地号码可作为自己的列比较"
                    f"（columns={{'phone': None}}，extra_columns={{{phone!r}: 'exact'}}；"
                    f"--no-role phone --extra {phone}=exact）",
                )
            )
    if model is None:
        if matchable < 2:
            found.append(
                say(
                    f"only {matchable} lead(s) could be matched (the others are ghost leads or "
                    "have no name, phone, email or company), so nothing was trained or compared",
                    f"只有 {matchable} 条线索可匹配（其余为幽灵线索，或没有姓名、电话、邮箱、"
                    "公司），因此没有训练或比较任何线索",
                )
            )
        return found
    diagnostics = model.diagnostics
    if trained:
        excluded = diagnostics.get("excluded_roles") or {}
        for role, column in [*roles.items(), *((c, c) for c in extra)]:
            if role not in excluded or (role in roles and role not in COMPARED_ROLES):
                continue
            key = ROLE[role].key if role in ROLE else None
            usable = (
                int(prepared[key].notna().sum())
                if key is not None and key in prepared.columns
                else 0
            )
            if str(excluded[role]).startswith("every lead has the same value"):
                why = say(
                    f"the {usable} leads with a value in it all have the same one",
                    f"该列有值的 {usable} 条线索的值全都相同",
                )
            else:
                why = say(
                    f"only {usable} of {len(prepared)} leads have a usable value in it",
                    f"{len(prepared)} 条线索中只有 {usable} 条在该列有可用的值",
                )
            if role not in roles:
                found.append(
                    say(
                        f"the extra column {shown(column)} is not used for matching: too few "
                        "leads have a usable value in it, or all have the same",
                        f"附加列 {shown(column)} 未用于匹配：有可用值的线索太少，"
                        "或所有线索的值都相同",
                    )
                )
                continue
            found.append(
                say(
                    f"the {role!r} role ({shown(column)}) is not used for matching: {why}; "
                    f"map another column to it (columns={{{role!r}: '...'}}, --column "
                    f"{role}=...), or leave it out (columns={{{role!r}: None}}, --no-role "
                    f"{role}) and compare the column as your own (extra_columns="
                    f"{{{column!r}: 'exact'}}, --extra {column}=exact)",
                    f"{role!r} 角色（{shown(column)}）未用于匹配：{why}；"
                    f"请把另一列对应到它（columns={{{role!r}: '...'}}，--column {role}=...），"
                    f"或不用它（columns={{{role!r}: None}}，--no-role {role}）并把该列作为"
                    f"自己的列比较（extra_columns={{{column!r}: 'exact'}}，--extra {column}=exact）",
                )
            )
    if diagnostics.get("prior_only"):
        found.append(
            say(
                "nothing could be trained: no role has a usable value in enough leads, so "
                "every comparison uses cautious defaults and few or no leads are linked; map "
                "the columns that identify a lead (columns={'name': '...', 'company': "
                "'...'}, --column name=...) or compare your own (extra_columns=..., --extra)",
                "无法训练：没有任何角色在足够多的线索中有可用的值，所有比较都使用保守的默认值，"
                "很少或没有线索被关联；请对应能识别线索的列（columns={'name': '...', "
                "'company': '...'}，--column name=...），或比较自己的列（extra_columns=...，--extra）",
            )
        )
    if pairs.empty:
        found.append(
            say(
                "no pair of leads was compared: no two leads share a blocking key (the same "
                "phone, email, or name with company or city); map the columns that identify a "
                "lead (columns=..., --column ROLE=COLUMN)",
                "没有比较任何线索对：没有两条线索共享分块键（相同的电话、邮箱，或姓名加公司/城市）；"
                "请对应能识别线索的列（columns=...，--column ROLE=COLUMN）",
            )
        )
    elif not clustered["cluster_id"].duplicated().any():
        best = float(pairs["match_probability"].max())
        found.append(
            say(
                f"no pair reached the threshold {threshold:g} (the best of {len(pairs)} "
                f"scored pairs: {best:.3g}), so every lead stays single; if duplicates are "
                "expected, lower the threshold (threshold=..., --threshold) or map more "
                "columns",
                f"没有线索对达到阈值 {threshold:g}（{len(pairs)} 个已打分的线索对中最高为 "
                f"{best:.3g}），所有线索各自成簇；若应有重复，请降低阈值（threshold=...，"
                "--threshold）或对应更多的列",
            )
        )
    return found
