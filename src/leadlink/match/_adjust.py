"""What is done to Splink's scores after prediction: the weight of levels adjusted by how
common the pair's value is among people, and the pairs decided by must-link / never-link
rules. Batch scoring applies them through :class:`~leadlink.match.LeadModel`; the Spark
pipeline and the real-time index mirror them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.clean import extra_column
from leadlink.errors import ConfigError
from leadlink.match._comparisons import ComparisonPreset
from leadlink.schema import MATCH_ROLES, ROLE

__all__ = ["apply_rules", "relative_frequencies", "rule_column"]


def relative_frequencies(
    out: pd.DataFrame,
    keyed: pd.DataFrame,
    left: np.ndarray,
    comparisons: Mapping[str, ComparisonPreset],
    frequencies: Mapping[str, pd.Series],
) -> None:
    """Adjust the weight of levels with a ``relative_tf`` column by how common the
    pair's value is among people, relative to the average agreeing pair: log2 of
    Σ tf² / tf(value), within ±10 bits; probabilities follow the new weights."""
    changed = False
    for role, comparison in comparisons.items():
        for level in comparison.levels:
            if level.relative_tf is None:
                continue
            hit = (out[f"{role}_level"] == level.id).to_numpy()
            if not hit.any():
                continue
            tf = frequencies[level.relative_tf]
            values = keyed[level.relative_tf].to_numpy(dtype=object)[left[hit]]
            frequency = pd.Series(values).map(tf).to_numpy(dtype=float)
            adjust = np.clip(np.log2(float((tf**2).sum()) / frequency), -10.0, 10.0)
            adjust = np.nan_to_num(adjust, nan=0.0)
            out.loc[hit, f"{role}_weight"] += adjust
            out.loc[hit, "match_weight"] += adjust
            changed = True
    if changed:
        weight = out["match_weight"].to_numpy(dtype=float)
        out["match_probability"] = 1.0 / (1.0 + np.exp2(-weight))


def rule_column(role: str, extra: Mapping[str, str]) -> str:
    """The prepared column a hard rule on ``role`` compares."""
    standard = {r: ROLE[r].key for r in MATCH_ROLES}
    if role in standard:
        return str(standard[role])
    if role in extra:
        return extra_column(role)
    raise ConfigError(
        say(
            f"cannot make a rule on {role!r}: rules take a role ({', '.join(standard)}) or "
            "one of the extra columns (extra={'national_id': 'exact'})",
            f"无法在 {role!r} 上建立规则：规则须使用角色（{', '.join(standard)}）"
            "或附加列之一（extra={'national_id': 'exact'}）",
        )
    )


def apply_rules(
    out: pd.DataFrame,
    prepared: pd.DataFrame,
    must_link: Sequence[str],
    never_link: Sequence[str],
    extra: Mapping[str, str],
) -> pd.Series:
    """Set the probability of pairs decided by must-link / never-link rules; return the
    rule that decided each pair ('' for none)."""
    rule = pd.Series("", index=out.index, dtype=object)
    if not (must_link or never_link) or out.empty:
        return rule
    by_id = prepared.set_index("unique_id")
    for kind, roles, probability in (
        ("must_link", must_link, 1.0),
        ("never_link", never_link, 0.0),  # applied last: never-link wins
    ):
        for role in roles:
            values = by_id[rule_column(role, extra)]
            left = out["id_l"].map(values)
            right = out["id_r"].map(values)
            both = left.notna() & right.notna()
            hit = both & (left == right) if kind == "must_link" else both & (left != right)
            out.loc[hit, "match_probability"] = probability
            rule[hit] = f"{kind}:{role}"
    return rule
