"""Blocking-rule presets for name, phone, email, company, address, postcode and website,
with explosion guards.

A blocking rule decides which pairs of leads are compared at all. Each preset here is one
derived key column of the prepared table (``bk_phone``, ``bk_name_company`` ...): two leads
are compared when they share the value of any preset's key.

Real CRM data has keys shared by hundreds of leads — a company switchboard, 张伟, an
empty-looking value — and one such key makes a block of n² / 2 pairs. Before predicting,
the size of every block is counted, and a key value shared by more than ``max_block_size``
leads is dropped from that preset (it stays in the combined presets, such as phone + name,
which split it into small blocks). What was dropped is reported as counts, never values.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leadlink._i18n import say
from leadlink.errors import ConfigError, ResourceError
from leadlink.schema import ROLE_OF_COLUMN

__all__ = [
    "DEFAULT_MAX_BLOCK_SIZE",
    "DEFAULT_PAIRS_PER_LEAD",
    "MAX_BLOCK_SIZE_LIMIT",
    "MIN_PAIR_BUDGET",
    "ORGANISATION_PRESETS",
    "PRESETS",
    "PRESET_NAMES",
    "BlockingPreset",
    "BlockingReport",
    "add_blocking_keys",
    "check_pair_budget",
    "group_codes",
    "pair_budget",
    "presets_for",
]

logger = logging.getLogger(__name__)

#: A key value shared by more leads than this is not used on its own (≈ 20k pairs a block).
DEFAULT_MAX_BLOCK_SIZE = 200
#: The largest ``max_block_size`` accepted, from a caller or a model file: one block of
#: 5,000 leads is 12.5M pairs.
MAX_BLOCK_SIZE_LIMIT = 5000
#: Without a ``max_pairs``, the blocks of a fit or predict may make this many pairs per
#: lead (every preset's blocks counted, a pair two presets find twice). Generated leads
#: (benchmarks/scale.py's generator) make 12.7 a lead at 200k leads (2.5M pairs) and 19.4
#: at 1M (18.8M); one preset whose blocks all hold 200 leads alone makes 99.5, and such
#: tables filled tens of GB of memory and disk before they were stopped.
DEFAULT_PAIRS_PER_LEAD = 50
#: ... and never fewer than this many pairs in all, so that a small table is never stopped.
MIN_PAIR_BUDGET = 1_000_000


@dataclass(frozen=True)
class BlockingPreset:
    """One blocking rule: leads are compared when all ``fields`` of the prepared table agree."""

    name: str
    fields: tuple[str, ...]
    description: str
    #: Extra SQL condition when this preset blocks pairs for EM training (not prediction).
    training_condition: str | None = None
    #: A tighter block-size cap for a weak key (a name alone): only rare values are used.
    max_block_size: int | None = None
    #: Only pairs in which exactly one lead lacks this prepared column (a lead without a
    #: name meets named leads, never another lead without one, nor two named leads).
    one_missing: str | None = None
    #: Roles the key needs beyond those of its fields (a spelling from a mailbox name).
    also_needs: tuple[str, ...] = ()

    @property
    def condition(self) -> str | None:
        """SQL that a pair with equal keys must also meet, in prediction and training."""
        if self.one_missing is None:
            return None
        c = self.one_missing
        return f'(l."{c}" IS NULL) <> (r."{c}" IS NULL)'

    @property
    def column(self) -> str:
        return f"bk_{self.name}"

    def sql(self, *, training: bool = False) -> str:
        """The pairs this preset blocks, as DuckDB SQL on ``l`` and ``r``: the same key and
        the condition; for EM training also the same fields and the training condition."""
        parts = [f'l."{self.column}" = r."{self.column}"']
        if training:
            parts += [f'l."{f}" = r."{f}"' for f in self.fields]
        parts += [c for c in (self.condition, self.training_condition if training else None) if c]
        return " AND ".join(parts)

    @property
    def roles(self) -> set[str]:
        return {ROLE_OF_COLUMN.get(f, f) for f in self.fields} | set(self.also_needs)


#: The block-size cap of keys that people share by chance (a name with a city, a company
#: or a phone; a mailbox name): a block of s such leads holds about s/2 people and s²/2
#: pairs, so past a few dozen leads nearly every pair is two namesakes. On 1M generated
#: leads, blocks of 21-200 leads made 8.1M of the 15.5M pairs scored, and of the links
#: (probability >= 0.5) they made, 71 % were wrong; with these caps the same leads are
#: clustered at pairwise F1 0.934 instead of 0.932 from 3.5 times fewer pairs.
NAMESAKE_BLOCK_SIZE = 20

#: Every preset, in the order they are tried.
PRESETS: tuple[BlockingPreset, ...] = (
    BlockingPreset(
        "phone",
        ("phone",),
        "same main phone number",
        # Colleagues sharing a switchboard are not the same person; training on them would
        # teach EM that matches have different names.
        training_condition='l."phone_shared" = 0',
    ),
    BlockingPreset("email", ("email",), "same canonical email"),
    BlockingPreset(
        "phone_extension",
        ("phone", "phone_ext"),
        "same line and extension (a personal line, even on a capped switchboard)",
    ),
    # Names block through the nickname key (Jim Miller meets James Miller); leads with the
    # same name key always share it.
    BlockingPreset(
        "phone_name",
        ("phone", "name_nick"),
        "same phone and same name",
        max_block_size=NAMESAKE_BLOCK_SIZE,
    ),
    BlockingPreset(
        "name_company",
        ("name_nick", "employer"),
        "same name and company (given, or named by the switchboard or mail domain)",
        max_block_size=NAMESAKE_BLOCK_SIZE,
    ),
    # A mailbox name is usually a person's name or initials: at 1M leads this key made 3.1M
    # pairs, 12 of them one person (found by the email and phone keys too).
    BlockingPreset(
        "email_user",
        ("email_user",),
        "same mailbox name at any domain",
        max_block_size=NAMESAKE_BLOCK_SIZE // 2,
    ),
    BlockingPreset(
        "name_city",
        ("name_nick", "city"),
        "same name and city",
        max_block_size=NAMESAKE_BLOCK_SIZE,
    ),
    BlockingPreset(
        "mailbox_name",
        ("name_spelling",),
        "a lead without a name whose mailbox name spells another lead's name",
        one_missing="name_key",
        also_needs=("email",),
    ),
    BlockingPreset("address", ("address_street",), "same house number and street (one building)"),
    BlockingPreset("website", ("website",), "same website domain"),
    # A postcode holds thousands of leads: it only narrows another key down.
    BlockingPreset("postcode_company", ("postcode", "employer"), "same postcode and company"),
    BlockingPreset("postcode_name", ("postcode", "name_nick"), "same postcode and name"),
    # ... but a postcode given on few leads is a small area: where names and streets are
    # misspelt it still finds the pairs (FEBRL3 without its ids: recall 0.65 -> 0.84).
    BlockingPreset(
        "rare_postcode",
        ("postcode",),
        "same postcode, for postcodes given on few leads",
        max_block_size=20,
    ),
    BlockingPreset(
        "rare_name",
        ("name_nick",),
        "same name, for names given on few leads (a lead whose contacts all changed)",
        max_block_size=10,
    ),
)

_NAME_ONLY = BlockingPreset("name", ("name_key",), "same name key (when nothing else fits)")

#: The presets when the entity is an organisation (``entity="company"``): a company name
#: alone finds its duplicates, in its words or by its brand; a switchboard is the
#: organisation's own line, and one written without its area code meets the full number.
ORGANISATION_PRESETS: tuple[BlockingPreset, ...] = (
    BlockingPreset("org_phone", ("phone",), "same phone number"),
    BlockingPreset("org", ("org",), "same organisation name, branch or site included"),
    BlockingPreset("org_words", ("org_words",), "same words of the name in any order"),
    BlockingPreset("org_address", ("address_street",), "same house number and street"),
    BlockingPreset("org_email", ("email",), "same mailbox"),
    BlockingPreset(
        "phone_tail",
        ("phone_tail",),
        "same last seven digits (a number written without its area code)",
    ),
    BlockingPreset("org_website", ("website",), "same website domain"),
    BlockingPreset(
        "org_brand",
        ("org_brand",),
        "same brand (a parent and its subsidiaries, a misspelt name's other words)",
        max_block_size=100,
    ),
    BlockingPreset("postcode_org", ("postcode", "org_brand"), "same postcode and brand"),
)

_BY_NAME = {preset.name: preset for preset in (*PRESETS, _NAME_ONLY, *ORGANISATION_PRESETS)}
#: The names ``blocking=[...]`` takes.
PRESET_NAMES: tuple[str, ...] = tuple(_BY_NAME)


def presets_for(
    roles: Iterable[str],
    names: Sequence[str] | None = None,
    extra: Mapping[str, str] | None = None,
    entity: str = "person",
) -> tuple[BlockingPreset, ...]:
    """The presets of ``entity`` whose roles are all present (or the named ones, checked),
    then one preset per extra column of kind ``exact`` or ``date`` that is among ``roles``."""
    present = set(roles)
    if names is not None:
        unknown = [n for n in names if n not in _BY_NAME]
        if unknown:
            raise ConfigError(
                say(
                    f"unknown blocking preset(s) {unknown!r}; choose from {sorted(_BY_NAME)}",
                    f"未知的分块预设 {unknown!r}；可选：{sorted(_BY_NAME)}",
                )
            )
        chosen = tuple(_BY_NAME[n] for n in names)
    else:
        chosen = ORGANISATION_PRESETS if entity == "company" else PRESETS
    own = tuple(
        BlockingPreset(column, (column,), f"same {column}")
        for column, kind in (extra or {}).items()
        if kind in ("exact", "date") and column in present
    )
    found = tuple(p for p in chosen if p.roles <= present) + own
    if not found and names is None and "name" in present and entity == "person":
        # Names alone are a last resort: common names make big blocks, which the guard caps.
        found = (_NAME_ONLY,)
    return found


@dataclass
class BlockingReport:
    """What the blocking guard counted and dropped, per preset (counts only, no values)."""

    max_block_size: int
    comparisons: dict[str, int] = field(default_factory=dict)
    largest_block: dict[str, int] = field(default_factory=dict)
    capped_keys: dict[str, int] = field(default_factory=dict)
    capped_leads: dict[str, int] = field(default_factory=dict)

    @property
    def total_comparisons(self) -> int:
        """Upper bound on compared pairs (pairs found by several presets count once each)."""
        return sum(self.comparisons.values())

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "comparisons": self.comparisons,
                "largest_block": self.largest_block,
                "capped_keys": self.capped_keys,
                "capped_leads": self.capped_leads,
            }
        ).rename_axis("preset")


def add_blocking_keys(
    prepared: pd.DataFrame,
    presets: Sequence[BlockingPreset],
    *,
    max_block_size: int = DEFAULT_MAX_BLOCK_SIZE,
    exclude: pd.Series | None = None,
) -> tuple[pd.DataFrame, BlockingReport]:
    """Add one ``bk_<preset>`` column per preset, with oversized blocks nulled out.

    ``exclude`` marks leads kept out of matching (ghosts): their keys are null.
    """
    if not 2 <= max_block_size <= MAX_BLOCK_SIZE_LIMIT:
        raise ConfigError(
            say(
                f"max_block_size must be an integer in [2, {MAX_BLOCK_SIZE_LIMIT}], not "
                f"{max_block_size}",
                f"max_block_size 须为 [2, {MAX_BLOCK_SIZE_LIMIT}] 之间的整数，而不是 "
                f"{max_block_size}",
            )
        )
    # the key columns are added to a shallow copy: the prepared columns are not copied
    out = prepared.copy(deep=False)
    report = BlockingReport(max_block_size=max_block_size)
    excluded = np.zeros(len(out), dtype=bool) if exclude is None else exclude.to_numpy(dtype=bool)
    # Each field is factorised once for every preset that uses it; a key of several fields
    # is the number of its combination of values (a text joined per lead took half the
    # time of blocking 1M leads, twice: training and predicting).
    factorised: dict[str, np.ndarray] = {}
    for preset in presets:
        codes = group_codes(out, preset.fields, missing_apart=True, factorised=factorised)
        codes[excluded] = -1
        used = codes >= 0  # the leads whose key is kept
        sizes = np.bincount(codes[codes >= 0]) if (codes >= 0).any() else np.zeros(0, int)
        cap = min(max_block_size, preset.max_block_size or max_block_size)
        oversized = sizes > cap
        kept_sizes = sizes[~oversized]
        pairs = kept_sizes * (kept_sizes - 1) // 2
        if preset.one_missing is not None:
            # pairs of one lead without the column and one with it
            valid = codes >= 0
            lacking = out[preset.one_missing].isna().to_numpy()[valid]
            without = np.bincount(codes[valid][lacking], minlength=len(sizes))
            pairs = (without * (sizes - without))[~oversized]
            # a block that makes no such pair is not joined at all
            used[valid] &= (without * (sizes - without) > 0)[codes[valid]]
        report.comparisons[preset.name] = int(pairs.sum())
        report.largest_block[preset.name] = int(kept_sizes.max()) if kept_sizes.size else 0
        report.capped_keys[preset.name] = int(oversized.sum())
        report.capped_leads[preset.name] = int(sizes[oversized].sum())
        if oversized.any():
            valid = codes >= 0
            used[valid] &= ~oversized[codes[valid]]
            logger.info(
                "blocking preset %s: %d key value(s) shared by more than %d leads were "
                "not used alone (%d leads)",
                preset.name,
                report.capped_keys[preset.name],
                cap,
                report.capped_leads[preset.name],
            )
        if len(preset.fields) == 1:  # the value itself
            key = out[preset.fields[0]].to_numpy(dtype=object).copy()
            key[~used] = None
            out[preset.column] = key
        else:  # the number of the combination of values
            out[preset.column] = pd.arrays.IntegerArray(codes.astype(np.int64), ~used)
    return out, report


def pair_budget(max_pairs: int | None, n_leads: int) -> int:
    """The most pairs the blocks of ``n_leads`` leads may make: ``max_pairs``, or by default
    :data:`DEFAULT_PAIRS_PER_LEAD` a lead and at least :data:`MIN_PAIR_BUDGET`."""
    if max_pairs is not None:
        return max_pairs
    return max(MIN_PAIR_BUDGET, DEFAULT_PAIRS_PER_LEAD * n_leads)


def check_pair_budget(report: BlockingReport, max_pairs: int | None, n_leads: int) -> None:
    """Refuse blocks that would make more pairs than :func:`pair_budget` allows, before
    any pair is made: a :class:`~leadlink.errors.ResourceError` that names the preset
    making the most and what to do (leave it out, lower ``max_block_size``, raise
    ``max_pairs``). Counts only: no key value is named."""
    total = report.total_comparisons
    budget = pair_budget(max_pairs, n_leads)
    if total <= budget:
        return
    name, most = max(report.comparisons.items(), key=lambda item: item[1])
    largest = report.largest_block.get(name, 0)
    others = [preset for preset in report.comparisons if preset != name]
    default = max_pairs is None
    raise ResourceError(
        say(
            f"the blocking keys of these {n_leads:,} leads would make {total:,} pairs to "
            f"compare, more than max_pairs={budget:,}"
            + (f" (the default: {DEFAULT_PAIRS_PER_LEAD} a lead)" if default else "")
            + f"; stopped before making any. Preset {name!r} makes the most, {most:,} "
            f"pairs in blocks of up to {largest} leads. Leave it out (blocking={others!r}; "
            f"--blocking {','.join(others) or 'NAME'}), lower max_block_size (now "
            f"{report.max_block_size}; --max-block-size) so that large blocks are not used "
            "alone, or raise max_pairs (--max-pairs) if this machine has the memory and "
            "disk for them",
            f"这 {n_leads:,} 条线索的分块键会产生 {total:,} 对待比较的线索，超过 "
            f"max_pairs={budget:,}"
            + (f"（默认值：每条线索 {DEFAULT_PAIRS_PER_LEAD} 对）" if default else "")
            + f"；已在生成任何线索对之前停止。其中预设 {name!r} 最多，共 {most:,} 对，"
            f"最大的块有 {largest} 条线索。可以去掉它（blocking={others!r}；"
            f"--blocking {','.join(others) or 'NAME'}），调低 max_block_size（当前 "
            f"{report.max_block_size}；--max-block-size）使大块不再单独使用，或在本机内存"
            "和磁盘足够时调高 max_pairs（--max-pairs）",
        )
    )


def group_codes(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    missing_apart: bool,
    factorised: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """The number of each row's combination of values in ``columns`` (0, 1, ... in order of
    first appearance; rows equal in every column get the same number).

    ``missing_apart``: a row missing any of the values gets -1 (a blocking key); otherwise
    a missing value is a value like any other (rows both missing it are equal there).
    ``factorised`` keeps each column's codes for the next call.

    >>> frame = pd.DataFrame({"a": ["x", "y", "x", None], "b": [1, 2, 1, 1]})
    >>> group_codes(frame, ["a", "b"], missing_apart=True).tolist()
    [0, 1, 0, -1]
    >>> group_codes(frame, ["a", "b"], missing_apart=False).tolist()
    [0, 1, 0, 2]
    """
    combined = np.zeros(len(frame), dtype=np.int64)
    bound = 1  # combined < bound
    missing = np.zeros(len(frame), dtype=bool)
    for column in columns:
        codes = None if factorised is None else factorised.get(column)
        if codes is None:
            codes = pd.factorize(frame[column], use_na_sentinel=True)[0].astype(np.int64)
            if factorised is not None:
                factorised[column] = codes
        absent = codes < 0
        if missing_apart:
            missing |= absent
        width = int(codes.max()) + 2 if len(codes) else 1
        if bound * width >= _COMBINED_LIMIT:
            # numbered afresh, so that the numbers stay small
            combined = pd.factorize(combined)[0].astype(np.int64)
            bound = int(combined.max()) + 1 if len(combined) else 1
        combined = combined * width + np.where(absent, width - 1, codes)
        bound *= width
    # numbered in order of first appearance (the numbers do not depend on the columns')
    combined = pd.factorize(combined)[0].astype(np.int64)
    if missing_apart and missing.any():
        return _renumbered(np.where(missing, -1, combined))
    return combined


#: :func:`group_codes` combines the columns' numbers as one whole number while it stays
#: under this, and numbers the combinations afresh only when it would not (two-valued
#: flags and a city cost no pass over the rows of their own).
_COMBINED_LIMIT = 2**62


def _renumbered(codes: np.ndarray) -> np.ndarray:
    """``codes`` (-1 kept) numbered 0, 1, ... in order of first appearance."""
    present = codes >= 0
    out = np.full(len(codes), -1, dtype=np.int64)
    if present.any():
        out[present] = pd.factorize(codes[present])[0]
    return out


def _composite_key(prepared: pd.DataFrame, fields: Sequence[str]) -> np.ndarray:
    parts = [prepared[f].to_numpy(dtype=object) for f in fields]
    missing = np.zeros(len(prepared), dtype=bool)
    for part in parts:
        missing |= pd.isna(part)
    if len(parts) == 1:
        key = parts[0].copy()
    else:
        key = np.array(["\x1f".join(map(str, values)) for values in zip(*parts)], dtype=object)
    key[missing] = None
    return key
