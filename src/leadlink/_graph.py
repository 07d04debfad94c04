"""Connected components of a graph given as two arrays of node positions, in numpy.

Clustering, the real-time index and the review queue all need the components of a set of
links; a union-find in Python visits every link one at a time (seconds at a million leads),
where these rounds of array operations take a fraction of that.
"""

from __future__ import annotations

import numpy as np

__all__ = ["component_roots", "components"]


def component_roots(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The root of each of ``n`` nodes joined by the edges (``left``, ``right``): the
    smallest node of its component. Every root is hooked under the smaller root across an
    edge, then paths are halved, until the two ends of every edge share a root (a few
    rounds)."""
    parent = np.arange(n, dtype=np.int64)
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    while len(left):
        low = np.minimum(parent[left], parent[right])
        high = np.maximum(parent[left], parent[right])
        apart = low != high
        if not apart.any():
            break
        # only the edges still apart are looked at again
        left, right = left[apart], right[apart]
        np.minimum.at(parent, high[apart], low[apart])
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The connected components of ``n`` nodes joined by the edges (``left``, ``right``),
    numbered from 0 in the order of their smallest node.

    >>> components(5, np.array([0, 3]), np.array([2, 4])).tolist()
    [0, 1, 0, 2, 2]
    """
    return np.unique(component_roots(n, left, right), return_inverse=True)[1].astype(np.int32)
