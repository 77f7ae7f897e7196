"""Incomplete pairwise matrices: connectivity, Harker's method, LLSM and optimal completion.

不完整判断矩阵：连通性检查、Harker 法、对数最小二乘补全、最小 λmax 最优补全。
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from tlr.errors import Location, WeightingError

from .priorities import eigenvector

__all__ = ["check_connected", "components", "harker_matrix", "harker_complete", "llsm_complete",
           "optimal_completion"]


def _known(stack: np.ndarray) -> np.ndarray:
    k = ~np.isnan(stack)
    n = stack.shape[-1]
    k[..., np.arange(n), np.arange(n)] = True
    return k


def components(stack) -> np.ndarray:
    """Connected-component id of every item, per matrix: (k, n) ints, by vectorised reachability.

    The comparison graph has an edge i-j when a_ij is known. Component ids are the smallest item
    index reachable from each item.
    """
    st = np.asarray(stack, dtype=float)
    single = st.ndim == 2
    st = st[None] if single else st
    r = _known(st).astype(np.float64)
    n = st.shape[-1]
    steps = max(1, int(np.ceil(np.log2(max(n, 2)))))
    for _ in range(steps):  # transitive closure by repeated squaring: ceil(log2 n) products
        r = (np.matmul(r, r) > 0).astype(np.float64)
    comp = np.argmax(r > 0, axis=-1)
    return comp[0] if single else comp


def check_connected(stack, labels: Sequence[str] | None = None, source: str | None = None) -> None:
    """Raise WeightingError if some matrix's comparison graph is disconnected (weights undefined)."""
    st = np.asarray(stack, dtype=float)
    st = st[None] if st.ndim == 2 else st
    comp = components(st)
    bad = (comp != 0).any(-1)
    if bad.any():
        k = int(np.argmax(bad))
        c = comp[k]
        names = (lambda idx: [labels[i] if labels is not None else str(i + 1) for i in idx])
        groups = [names(np.flatnonzero(c == g)) for g in np.unique(c)]
        text = " | ".join("{" + ", ".join(g) + "}" for g in groups)
        where = f"matrix {k + 1}" if st.shape[0] > 1 else "matrix"
        raise WeightingError(
            f"比较图不连通，权重无法确定 / comparison graph is disconnected, weights are undefined: {text}",
            location=Location(file=source, field=where),
            hint="至少补充一个连接这些组的判断 / add at least one judgement linking these groups",
            code="disconnected",
        )


def harker_matrix(stack) -> np.ndarray:
    """Harker's (1987) auxiliary matrix: missing a_ij -> 0, a_ii -> 1 + (number of missing in row i)."""
    st = np.asarray(stack, dtype=float)
    miss = np.isnan(st)
    c = np.where(miss, 0.0, st)
    n = st.shape[-1]
    c[..., np.arange(n), np.arange(n)] = 1.0 + miss.sum(-1)
    return c


def harker_complete(stack) -> np.ndarray:
    """Complete missing judgements by Harker's method (Harker 1987, Math. Modelling 9(11), 837-848).

    The principal eigenvector w of Harker's matrix is the priority vector; missing a_ij are filled
    with w_i / w_j. The completed matrix has the same principal eigenpair (w, lambda), so CR is
    computed on it.
    """
    st = np.asarray(stack, dtype=float)
    w, _ = eigenvector(harker_matrix(st))
    ratio = w[..., :, None] / w[..., None, :]
    return np.where(np.isnan(st), ratio, st)


def llsm_complete(stack) -> np.ndarray:
    """Complete missing judgements by incomplete logarithmic least squares (the geometric-mean analogue).

    Minimises sum over known i<j of (ln a_ij - v_i + v_j)^2 (a graph-Laplacian system, solved for all
    matrices at once) and fills missing a_ij with exp(v_i - v_j). The row geometric mean of the
    completed matrix is then exactly exp(v) (normalised). Bozóki, Fülöp & Rónyai (2010), section 4.
    """
    st = np.asarray(stack, dtype=float)
    single = st.ndim == 2
    st = st[None] if single else st
    n = st.shape[-1]
    known = ~np.isnan(st)
    known[:, np.arange(n), np.arange(n)] = False
    lg = np.where(known, np.log(np.where(known, st, 1.0)), 0.0)
    lap = -known.astype(float)
    lap[:, np.arange(n), np.arange(n)] = known.sum(-1)
    r = lg.sum(-1)
    v = np.linalg.solve(lap + 1.0, r[..., None])[..., 0]
    out = np.where(np.isnan(st), np.exp(v[:, :, None] - v[:, None, :]), st)
    return out[0] if single else out


def optimal_completion(matrix, *, tol: float = 1e-12) -> np.ndarray:
    """Fill missing judgements with the values that minimise lambda_max of the completed matrix.

    Bozóki, S., Fülöp, J., & Rónyai, L. (2010). On optimal completion of incomplete pairwise
    comparison matrices. Mathematical and Computer Modelling 52(1-2), 318-333. With x = ln of the
    missing upper entries, lambda_max is a convex function of x (their Theorem), so a quasi-Newton
    method with the analytic gradient d lambda / d x_ij = (u_i a_ij w_j - u_j a_ji w_i) / (u . w)
    (u, w left/right Perron vectors) finds the global optimum. Starts from the LLSM completion.
    """
    from scipy.optimize import minimize

    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    miss = np.isnan(a)
    iu = np.triu_indices(n, 1)
    sel = miss[iu]
    pi, pj = iu[0][sel], iu[1][sel]
    if pi.size == 0:
        return a.copy()
    start = llsm_complete(a)

    def build(x):
        b = a.copy()
        b[pi, pj] = np.exp(x)
        b[pj, pi] = np.exp(-x)
        return b

    def f(x):
        b = build(x)
        vals, vr = np.linalg.eig(b)
        j = int(np.argmax(vals.real))
        lam = vals[j].real
        w = np.abs(vr[:, j].real)
        vl_vals, vl = np.linalg.eig(b.T)
        u = np.abs(vl[:, int(np.argmax(vl_vals.real))].real)
        grad = (u[pi] * b[pi, pj] * w[pj] - u[pj] * b[pj, pi] * w[pi]) / (u @ w)
        return lam, grad

    res = minimize(f, np.log(start[pi, pj]), jac=True, method="BFGS", options={"gtol": tol, "maxiter": 2000})
    return build(res.x)
