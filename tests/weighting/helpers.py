import numpy as np


def from_pairs(items, pairs):
    """Build a reciprocal matrix from {(row, col): value}; unspecified pairs stay NaN (missing)."""
    idx = {k: i for i, k in enumerate(items)}
    n = len(items)
    a = np.full((n, n), np.nan)
    np.fill_diagonal(a, 1.0)
    for (r, c), v in pairs.items():
        a[idx[r], idx[c]] = v
        a[idx[c], idx[r]] = 1.0 / v
    return a
