"""Term frequencies among people (``_person_term_frequencies``) against the plain
definition: leads joined by a personal line or a mailbox are one person, and a value's
frequency is the share of people who use it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadlink.match._training import _person_term_frequencies


def _reference(prepared: pd.DataFrame, columns: list[str]) -> dict[str, pd.Series]:
    n = len(prepared)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    personal = prepared["phone"].where(prepared["phone_shared"] == 0)
    for key in (personal, prepared["email"]):
        first: dict[object, int] = {}
        for i, value in enumerate(key.tolist()):
            if pd.isna(value):
                continue
            j = first.setdefault(value, i)
            a, b = find(i), find(j)
            parent[max(a, b)] = min(a, b)
    group = np.array([find(i) for i in range(n)])
    out = {}
    for column in sorted(columns):
        values = prepared[column]
        present = values.notna().to_numpy()
        people = pd.DataFrame({"value": values[present].to_numpy(), "group": group[present]})
        per_value = people.drop_duplicates().groupby("value").size()
        total = max(int(people["group"].nunique()), 1)
        out[column] = (per_value / total).rename(f"tf_{column}")
    return out


@pytest.mark.parametrize("seed", range(6))
def test_as_the_definition_says(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 500))

    def pick(prefix: str, k: int, missing: float) -> list[object]:
        cells = [f"{prefix}{v}" for v in rng.integers(0, k, n)]
        return [None if rng.random() < missing else c for c in cells]

    prepared = pd.DataFrame(
        {
            "phone": pick("p", max(n // 3, 1), 0.3),
            "phone_shared": rng.integers(0, 2, n),
            "email": pick("e", max(n // 2, 1), 0.4),
            "name": pick("n", 20, 0.1),
            "city": pick("c", 5, 0.5),
        }
    )
    got = _person_term_frequencies(prepared, ["name", "city"])
    expected = _reference(prepared, ["name", "city"])
    assert got.keys() == expected.keys()
    for column in expected:
        pd.testing.assert_series_equal(got[column], expected[column], check_exact=True)
