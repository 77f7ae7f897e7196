"""Hierarchy synthesis: local weights -> global weights over a rubric tree.

层次合成：由局部权重计算全局（合成）权重 —— 沿路径连乘。
"""

from __future__ import annotations

import numpy as np

from tlr.errors import Location, WeightingError

__all__ = ["global_weights"]


def global_weights(parents, local, *, check_sums: bool = True, atol: float = 1e-6) -> np.ndarray:
    """Global weight of every node = product of local weights along its path to the root.

    Parameters
    ----------
    parents : int array (N,): index of each node's parent, -1 for children of the (implicit) root.
    local : local weights (N,) or a batch (k, N) (e.g. Monte-Carlo draws), each node's weight among
        its siblings.
    check_sums : verify that every sibling group's local weights sum to 1 (within ``atol``).

    Vectorised by pointer jumping: ceil(log2(depth)) array steps, no loop over nodes. A cycle in
    ``parents`` or an out-of-range parent raises WeightingError naming the node.
    """
    p = np.asarray(parents)
    if p.ndim != 1 or not np.issubdtype(p.dtype, np.integer):
        raise WeightingError("parents 必须是一维整数数组 / parents must be a 1-D integer array",
                             location=Location(field="parents"), code="bad_parents")
    n = p.shape[0]
    lw = np.asarray(local, dtype=float)
    if lw.shape[-1] != n or lw.ndim not in (1, 2):
        raise WeightingError(f"局部权重形状 {lw.shape} 与节点数 {n} 不符 / local weights shape {lw.shape} does not "
                             f"match {n} nodes", location=Location(field="local"), code="bad_local")
    bad = (p < -1) | (p >= n) | (p == np.arange(n))
    if bad.any():
        i = int(np.argmax(bad))
        raise WeightingError(f"节点 {i} 的父节点 {int(p[i])} 无效 / node {i} has invalid parent {int(p[i])}",
                             location=Location(field=f"parents[{i}]"), code="bad_parents")
    nonfin = ~np.isfinite(lw) | (lw < 0)
    if nonfin.any():
        i = int(np.argwhere(nonfin)[0][-1])
        raise WeightingError(f"节点 {i} 的局部权重无效（NaN、无穷或负数）/ local weight of node {i} is NaN, infinite "
                             f"or negative", location=Location(field=f"local[{i}]"), code="bad_local")
    if check_sums:
        groups = np.where(p < 0, n, p)  # root's children form group n
        if lw.ndim == 1:
            sums = np.zeros(n + 1)
            np.add.at(sums, groups, lw)
        else:
            sums = np.zeros((lw.shape[0], n + 1))
            np.add.at(sums.T, groups, lw.T)
        present = np.zeros(n + 1, dtype=bool)
        present[groups] = True
        off = (np.abs(sums - 1.0) > atol) & present
        if off.any():
            g = int(np.argwhere(off)[0][-1])
            who = "根节点 / root" if g == n else f"节点 / node {g}"
            s = float(sums[..., g].ravel()[0])
            raise WeightingError(f"{who} 的子节点局部权重之和为 {s:.6g}，应为 1 / local weights of the children of "
                                 f"{'the root' if g == n else f'node {g}'} sum to {s:.6g}, not 1",
                                 location=Location(field=f"children of {'root' if g == n else f'node {g}'}"),
                                 hint="先归一化各组局部权重 / normalise each sibling group", code="bad_local_sum")
    g = lw.copy()
    anc = p.copy()
    for _ in range(max(1, int(np.ceil(np.log2(max(n, 2))))) + 1):
        has = anc >= 0
        if not has.any():
            break
        safe = np.where(has, anc, 0)
        g = np.where(has, g * g[..., safe], g)
        anc = np.where(has, anc[safe], -1)
    if (anc >= 0).any():
        i = int(np.argmax(anc >= 0))
        raise WeightingError(f"层次结构中存在环 / the hierarchy has a cycle through node {i}",
                             location=Location(field=f"parents[{i}]"), code="cycle")
    return g
