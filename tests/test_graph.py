"""Connected components in numpy (leadlink._graph) against a plain union-find, and the
clustering shortcut that uses them against the greedy union-find it stands for."""

from __future__ import annotations

import numpy as np
import pytest

from leadlink._graph import component_roots, components
from leadlink.merge._cluster import _constrained_components, _roots


def _union_find_roots(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in zip(left.tolist(), right.tolist()):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(n)])


@pytest.mark.parametrize("seed", range(8))
def test_roots_are_the_smallest_member_of_each_component(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    m = int(rng.integers(0, 2 * n))
    left, right = rng.integers(0, n, m), rng.integers(0, n, m)
    roots = component_roots(n, left, right)
    assert roots.tolist() == _union_find_roots(n, left, right).tolist()
    labels = components(n, left, right)
    # numbered from 0 in the order of the smallest member
    assert labels.tolist() == np.unique(roots, return_inverse=True)[1].tolist()


def test_no_nodes_and_no_edges():
    empty = np.array([], dtype=np.int64)
    assert component_roots(0, empty, empty).tolist() == []
    assert components(3, empty, empty).tolist() == [0, 1, 2]


@pytest.mark.parametrize("seed", range(12))
def test_shortcut_groups_as_the_greedy_union_find(seed):
    """Conflicts inside and across components, links in a given (strength) order: the
    same root for every node as the union-find over every link."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 300))
    m = int(rng.integers(1, 3 * n))
    left, right = rng.integers(0, n, m), rng.integers(0, n, m)
    k = int(rng.integers(0, n // 2 + 1))
    conflict_left, conflict_right = rng.integers(0, n, k), rng.integers(0, n, k)
    expected = _constrained_components(n, left, right, conflict_left, conflict_right)
    got = _roots(n, left, right, conflict_left, conflict_right)
    assert got.tolist() == expected.tolist()
