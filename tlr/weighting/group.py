"""Group (panel) AHP: AIJ and AIP aggregation, expert weights, CR screening, consensus, influence.

群决策：判断矩阵集结（AIJ，加权几何平均）与权重集结（AIP）、专家权重、一致性筛查、共识度、
最具影响力的专家（留一法）。

References
----------
Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with the analytic
hierarchy process. European Journal of Operational Research 108(1), 165-169.
Aczél, J., & Saaty, T. L. (1983). Procedures for synthesizing ratio judgements. J. Math. Psych. 27, 93-102.
Goepel, K. D. (2013). Implementing the AHP as a standard method for MCDM in corporate enterprises.
Proc. ISAHP 2013 (consensus from the partition of Shannon diversity, Jost 2007).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from tlr.errors import Location, WeightingError

from .ahp import ahp
from .results import GroupAHPResult
from .ri import DEFAULT_RI_TABLE

__all__ = ["aggregate_judgements", "aggregate_priorities", "consensus_index", "group_ahp", "normalise_expert_weights"]


def normalise_expert_weights(expert_weights, k: int) -> np.ndarray:
    """Validate and normalise expert weights (None = equal weights)."""
    if expert_weights is None:
        return np.full(k, 1.0 / k)
    lam = np.asarray(expert_weights, dtype=float).ravel()
    if lam.shape[0] != k:
        raise WeightingError(f"专家权重个数 {lam.shape[0]} 与专家数 {k} 不符 / {lam.shape[0]} expert weights for "
                             f"{k} experts", location=Location(field="expert_weights"), code="expert_weights")
    bad = ~np.isfinite(lam) | (lam < 0)
    if bad.any():
        e = int(np.argmax(bad))
        raise WeightingError(f"专家权重必须是非负有限数 / expert weight must be finite and >= 0, got {lam[e]!r}",
                             location=Location(field=f"expert_weights[{e + 1}]"), code="expert_weights")
    if lam.sum() <= 0:
        raise WeightingError("专家权重之和必须为正 / expert weights must not all be zero",
                             location=Location(field="expert_weights"), code="expert_weights")
    return lam / lam.sum()


def aggregate_judgements(matrices, expert_weights=None) -> np.ndarray:
    """AIJ: element-wise weighted geometric mean of k judgement matrices (k, n, n) -> (n, n).

    The weighted geometric mean is the only aggregation that keeps the result reciprocal (Aczél &
    Saaty 1983). A missing judgement (NaN) is skipped for that cell and the weights of the experts
    who gave it are renormalised; a cell nobody judged stays NaN.
    """
    a = np.asarray(matrices, dtype=float)
    lam = normalise_expert_weights(expert_weights, a.shape[0])
    known = ~np.isnan(a)
    wk = np.where(known, lam[:, None, None], 0.0)
    tot = wk.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        lg = np.where(known, np.log(np.where(known, a, 1.0)), 0.0)
        out = np.exp((wk * lg).sum(0) / tot)
    return np.where(tot > 0, out, np.nan)


def aggregate_priorities(weights, expert_weights=None, mean: str = "geometric") -> np.ndarray:
    """AIP: aggregate k priority vectors (k, n) -> (n,), by weighted geometric mean (normalised) or
    weighted arithmetic mean (Forman & Peniwati 1998)."""
    w = np.asarray(weights, dtype=float)
    lam = normalise_expert_weights(expert_weights, w.shape[0])
    if mean == "geometric":
        g = np.exp(lam @ np.log(w))
        return g / g.sum()
    if mean == "arithmetic":
        return lam @ w
    raise WeightingError(f"未知的均值类型 / unknown mean {mean!r}", location=Location(field="aip_mean"),
                         hint="geometric 或 / or arithmetic", code="unknown_mean")


def consensus_index(weights, expert_weights=None) -> float:
    """Relative homogeneity of k priority vectors, in [0, 1] (1 = all experts give identical priorities).

    From the multiplicative partition of Shannon diversity (Jost 2007), as used for AHP group
    consensus by Goepel (2013): H_alpha = sum_e lambda_e H(w_e) (mean within-expert entropy),
    H_gamma = H(sum_e lambda_e w_e) (entropy of the pooled priorities), D_beta = exp(H_gamma - H_alpha)
    in [1, k]; S = (1/D_beta - 1/n) / (1 - 1/n), clipped to [0, 1]. This is the general form with
    D_alpha,min = 1 and D_gamma,max = n; AHP-OS's scale-specific variant (S*, which depends on the
    maximum scale value 9) is not used, so values are not numerically identical to AHP-OS.
    """
    w = np.asarray(weights, dtype=float)
    k, n = w.shape
    if k < 2 or n < 2:
        return 1.0
    lam = normalise_expert_weights(expert_weights, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(w > 0, w * np.log(w), 0.0).sum(-1)
        pooled = lam @ w
        hg = -np.where(pooled > 0, pooled * np.log(pooled), 0.0).sum()
    d_beta = np.exp(hg - lam @ h)
    s = (1.0 / d_beta - 1.0 / n) / (1.0 - 1.0 / n)
    return float(np.clip(s, 0.0, 1.0))


def group_ahp(matrices, aggregation: str = "aij", method: str = "eigenvector", expert_weights=None,
              ri: str = DEFAULT_RI_TABLE, threshold: float | None = None, *, screen=None,
              aip_mean: str = "geometric", labels: Sequence[str] | None = None,
              missing: str = "error") -> GroupAHPResult:
    """Panel AHP over k experts' matrices (k, n, n).

    Parameters
    ----------
    aggregation : "aij" (aggregate judgements, then derive priorities) or "aip" (derive each expert's
        priorities, then aggregate them; ``aip_mean`` "geometric" or "arithmetic").
    expert_weights : k non-negative numbers (normalised); None = equal.
    screen : None (keep everyone), True (drop experts whose own matrix fails the method's published
        threshold) or a number (drop experts with CR above it; GCI for geometric_mean). Dropped
        experts get weight 0; if nobody is left, WeightingError.

    With method="geometric_mean" and aip_mean="geometric", AIJ and AIP give identical priorities
    (the row geometric mean commutes with the weighted geometric mean).
    """
    a = np.asarray(matrices, dtype=float)
    if a.ndim != 3:
        raise WeightingError(f"群决策需要 k 个矩阵 (k, n, n) / group AHP needs a stack (k, n, n), got shape {a.shape}",
                             location=Location(field="matrices"), code="not_stack")
    if aggregation not in ("aij", "aip"):
        raise WeightingError(f"未知的集结方式 / unknown aggregation {aggregation!r}",
                             location=Location(field="aggregation"), hint="aij 或 / or aip", code="unknown_aggregation")
    k, n = a.shape[0], a.shape[-1]
    lam = normalise_expert_weights(expert_weights, k)
    # individual results: one vectorised call over the whole panel (missing judgements per expert
    # use Harker/LLSM when allowed)
    ind = ahp(a, method=method, ri=ri, threshold=threshold, missing=missing, labels=labels, suggestions=0)
    included = np.ones(k, dtype=bool)
    if screen is not None and screen is not False:
        if screen is True:
            included = np.asarray(ind.consistent, dtype=bool).copy()
        else:
            measure = ind.gci if method == "geometric_mean" else ind.cr
            included = np.asarray(measure) <= float(screen) + 1e-12
        if not included.any():
            raise WeightingError("所有专家均未通过一致性筛查 / every expert failed the consistency screen",
                                 location=Location(field="screen"),
                                 hint="请专家修改判断，或放宽阈值 / ask experts to revise, or relax the threshold",
                                 code="all_screened_out")
    lam_used = np.where(included, lam, 0.0)
    if lam_used.sum() <= 0:
        raise WeightingError("保留专家的权重之和为 0 / included experts have zero total weight",
                             location=Location(field="expert_weights"), code="expert_weights")
    lam_used = lam_used / lam_used.sum()

    def combine(lw):  # lw: (m, k) rows of expert weights -> (m, n) group weights, vectorised over m
        if aggregation == "aij":
            known = ~np.isnan(a)
            lg = np.where(known, np.log(np.where(known, a, 1.0)), 0.0)
            wk = lw[:, :, None, None] * known[None]
            tot = wk.sum(1)
            with np.errstate(invalid="ignore", divide="ignore"):
                mats = np.exp((wk * lg[None]).sum(1) / tot)
            mats = np.where(tot > 0, mats, np.nan)
            r = ahp(mats, method=method, ri=ri, threshold=threshold,
                    missing="harker" if np.isnan(mats).any() else "error", labels=labels, suggestions=0)
            return r.weights, mats
        iw = np.asarray(ind.weights)
        if aip_mean == "geometric":
            g = np.exp(lw @ np.log(iw))
            return g / g.sum(-1, keepdims=True), None
        if aip_mean == "arithmetic":
            return lw @ iw, None
        raise WeightingError(f"未知的均值类型 / unknown mean {aip_mean!r}", location=Location(field="aip_mean"),
                             code="unknown_mean")

    gw, mats = combine(lam_used[None])
    gw = gw[0]
    group_res = None
    if aggregation == "aij":
        group_res = ahp(mats[0], method=method, ri=ri, threshold=threshold,
                        missing="harker" if np.isnan(mats[0]).any() else "error", labels=labels)
        gw = group_res.weights
    # leave-one-out influence, all experts at once
    inc_idx = np.flatnonzero(included)
    influence = np.zeros(k)
    if inc_idx.size > 1:
        loo = np.repeat(lam_used[None], inc_idx.size, axis=0)
        loo[np.arange(inc_idx.size), inc_idx] = 0.0
        loo /= loo.sum(-1, keepdims=True)
        lw_w, _ = combine(loo)
        influence[inc_idx] = np.abs(lw_w - gw[None]).max(-1)
    cons = consensus_index(np.asarray(ind.weights)[included], lam_used[included])
    combined = mats[0] if aggregation == "aij" else aggregate_judgements(a, lam_used)
    return GroupAHPResult(weights=gw, aggregation=aggregation, aip_mean=aip_mean if aggregation == "aip" else None,
                          method=method, expert_weights=lam_used, included=included, individual=ind,
                          group=group_res, consensus=cons, influence=influence,
                          most_influential=int(np.argmax(influence)), combined=combined,
                          labels=tuple(labels) if labels is not None else None,
                          screen=None if screen is None else (True if screen is True else float(screen)))
