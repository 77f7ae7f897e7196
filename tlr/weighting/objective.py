"""Objective weights (entropy, CRITIC) and their combination with subjective weights.

客观赋权：熵权法（约定 0·ln0 = 0）、CRITIC；主客观组合赋权（线性、乘法）。客观权重依赖于样本，
结果中记录其来源样本（cohort）。
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from tlr.errors import Location, WeightingError

from .results import CombinedWeights, ObjectiveWeights

__all__ = ["entropy_weights", "critic_weights", "combine_weights"]


def _decision_matrix(x, benefit) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(x, dtype=float)
    if a.ndim != 2 or a.shape[0] < 2 or a.shape[1] < 1:
        raise WeightingError(f"决策矩阵应为 (方案数 ≥ 2, 指标数) / decision matrix must be (alternatives >= 2, criteria), "
                             f"got shape {a.shape}", location=Location(field="matrix"), code="bad_shape")
    bad = ~np.isfinite(a)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise WeightingError("决策矩阵含缺失或无穷值 / decision matrix has a missing or infinite value",
                             location=Location(row=i + 1, field=f"criterion {j + 1}"),
                             hint="先补全或剔除该方案 / impute it or drop the alternative", code="not_finite")
    m = a.shape[1]
    if benefit is None:
        b = np.ones(m, dtype=bool)
    else:
        b = np.asarray(benefit, dtype=bool).ravel()
        if b.shape[0] != m:
            raise WeightingError(f"benefit 长度 {b.shape[0]} 与指标数 {m} 不符 / benefit has {b.shape[0]} entries for "
                                 f"{m} criteria", location=Location(field="benefit"), code="bad_shape")
    return a, b


def _minmax(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lo, hi = a.min(0), a.max(0)
    rng = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(b, (a - lo) / rng, (hi - a) / rng)
    return np.where(rng > 0, r, 0.0)


def entropy_weights(x, *, benefit=None, normalise: str = "sum", cohort: str | None = None,
                    labels: Sequence[str] | None = None) -> ObjectiveWeights:
    """Entropy weight method (熵权法).

    p_ij = x_ij / sum_i x_ij; e_j = -(1 / ln m) sum_i p_ij ln p_ij with 0 ln 0 = 0; d_j = 1 - e_j;
    w_j = d_j / sum d_j (Shannon 1948; Zeleny 1982). ``normalise="sum"`` requires x >= 0 (used as is,
    no benefit/cost transform, the textbook form); ``normalise="minmax"`` first maps each criterion to
    [0, 1] with ``benefit`` (True = larger is better, False = cost). A criterion that is constant
    across the cohort carries no information (d_j = 0). If every criterion is constant, WeightingError.
    """
    a, b = _decision_matrix(x, benefit)
    m = a.shape[0]
    if normalise == "minmax":
        a = _minmax(a, b)
    elif normalise == "sum":
        neg = a < 0
        if neg.any():
            i, j = map(int, np.argwhere(neg)[0])
            raise WeightingError(f"熵权法（sum 归一化）要求非负数据 / entropy weights with normalise='sum' need x >= 0, got "
                                 f"{a[i, j]:g}", location=Location(row=i + 1, field=f"criterion {j + 1}"),
                                 hint="改用 normalise='minmax' / use normalise='minmax'", code="negative")
    else:
        raise WeightingError(f"未知的归一化方式 / unknown normalise={normalise!r}", location=Location(field="normalise"),
                             code="unknown_normalise")
    col = a.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(col > 0, a / col, 1.0 / m)   # an all-zero column is uninformative: uniform p
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)   # 0 ln 0 = 0
    e = -plogp.sum(0) / np.log(m)
    d = 1.0 - e
    d = np.where(d < 1e-15, 0.0, d)
    if d.sum() <= 0:
        raise WeightingError("所有指标在样本中都没有差异，熵权无法确定 / every criterion is constant in the cohort; "
                             "entropy weights are undefined", location=Location(field="matrix"), code="degenerate")
    return ObjectiveWeights(weights=d / d.sum(), method="entropy", cohort=cohort, n_alternatives=m,
                            details={"entropy": e, "divergence": d, "normalise": normalise},
                            labels=tuple(labels) if labels is not None else None)


def critic_weights(x, *, benefit=None, cohort: str | None = None,
                   labels: Sequence[str] | None = None) -> ObjectiveWeights:
    """CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995, Computers & Operations Research 22(7), 763-770).

    Min-max normalise each criterion (benefit/cost), sigma_j its standard deviation, r_jk the Pearson
    correlations; C_j = sigma_j * sum_k (1 - r_jk); w_j = C_j / sum C_j. (The choice of ddof scales all
    sigma_j equally and does not change w.) A constant criterion gets C_j = 0.
    """
    a, b = _decision_matrix(x, benefit)
    r = _minmax(a, b)
    sd = r.std(0, ddof=1)
    z = np.where(sd > 0, (r - r.mean(0)) / np.where(sd > 0, sd, 1.0), 0.0)
    corr = (z.T @ z) / (r.shape[0] - 1)
    conflict = (1.0 - corr).sum(1)
    c = sd * conflict
    if c.sum() <= 0:
        raise WeightingError("所有指标在样本中都没有差异，CRITIC 权重无法确定 / every criterion is constant in the cohort",
                             location=Location(field="matrix"), code="degenerate")
    return ObjectiveWeights(weights=c / c.sum(), method="critic", cohort=cohort, n_alternatives=a.shape[0],
                            details={"std": sd, "conflict": conflict, "information": c, "correlation": corr},
                            labels=tuple(labels) if labels is not None else None)


def combine_weights(subjective, objective, *, rule: str = "linear", alpha: float = 0.5,
                    labels: Sequence[str] | None = None) -> CombinedWeights:
    """Combine subjective (e.g. AHP) and objective weights.

    linear: w = alpha * w_s + (1 - alpha) * w_o (alpha = subjective share, 0..1);
    multiplicative: w_j = w_s,j * w_o,j / sum_k w_s,k * w_o,k.
    ``objective`` may be an ObjectiveWeights (its method and cohort are recorded) or an array.
    """
    method = cohort = None
    if isinstance(objective, ObjectiveWeights):
        method, cohort = objective.method, objective.cohort
        objective = objective.weights
    ws = np.asarray(getattr(subjective, "weights", subjective), dtype=float)
    wo = np.asarray(objective, dtype=float)
    for name, w in (("subjective", ws), ("objective", wo)):
        if w.ndim != 1 or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise WeightingError(f"{name} 权重无效（须为非负有限数）/ {name} weights must be finite, >= 0, not all 0",
                                 location=Location(field=name), code="bad_weights")
    if ws.shape != wo.shape:
        raise WeightingError(f"主客观权重长度不同 / subjective has {ws.size} weights, objective {wo.size}",
                             location=Location(field="objective"), code="bad_shape")
    ws, wo = ws / ws.sum(), wo / wo.sum()
    if rule == "linear":
        if not 0.0 <= alpha <= 1.0:
            raise WeightingError(f"alpha 须在 0..1 / alpha must be in [0, 1], got {alpha}", location=Location(field="alpha"),
                                 code="bad_alpha")
        w = alpha * ws + (1 - alpha) * wo
        a_out = float(alpha)
    elif rule == "multiplicative":
        w = ws * wo
        if w.sum() <= 0:
            raise WeightingError("乘法组合结果全为 0 / multiplicative combination is all zero",
                                 location=Location(field="objective"), code="degenerate")
        w = w / w.sum()
        a_out = None
    else:
        raise WeightingError(f"未知的组合规则 / unknown rule {rule!r}", location=Location(field="rule"),
                             hint="linear 或 / or multiplicative", code="unknown_rule")
    return CombinedWeights(weights=w, rule=rule, alpha=a_out, subjective=ws, objective=wo, objective_method=method,
                           cohort=cohort, labels=tuple(labels) if labels is not None else None)
