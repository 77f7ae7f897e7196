"""Consensus of a panel's scores: one value per (project, indicator) cell.

Input is the score cube ``scores[e, p, i]`` (experts x projects x indicators) with NaN for a
missing or recused score. Every method is vectorised over the whole cube; a cell that no expert
scored keeps NaN in ``values`` **and** is marked in ``empty`` — never a silent NaN.

Methods (formulas in docs/scoring.md, section "Consensus"):

* ``mean``      arithmetic mean of the scores present.
* ``median``    median of the scores present (average of the two middle ones when even).
* ``median_low`` lower median: the lower of the two middle scores when even — always one of the
                scores given, so it is the consensus to use for ordinal levels (TRL), which are
                never averaged.
* ``trimmed``   drop the ``trim`` highest and ``trim`` lowest scores of the cell and average the rest,
                only when at least ``min_remaining`` scores remain (n - 2*trim >= min_remaining).
                Otherwise the cell *falls back* to ``fallback`` ("median" by default, or "mean") and
                is marked in ``fallback``.
* ``weighted``  expert-weighted mean, weights renormalised over the experts present in each cell.
* ``leniency``  leniency-corrected mean: each expert's scores on an indicator are z-standardised
                over the projects that expert scored, put back on the panel's location and spread for
                that indicator, clipped to the scale [lo, hi], then averaged (see
                :func:`leniency_correct`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tlr.numeric.arrays import add_along, as_float_array, project_blocks
from tlr.numeric.errors import InvalidValueError, NoScoresError, ShapeError
from tlr.numeric.results import ResultMixin
from tlr.panel.cells import columns, moments

METHODS = ("mean", "median", "median_low", "trimmed", "weighted", "leniency")


@dataclass(frozen=True)
class ConsensusResult(ResultMixin):
    """Consensus over the expert axis.

    Attributes:
        method: the method used (one of :data:`METHODS`).
        values: (projects, indicators) consensus value; NaN exactly where ``empty`` is True.
        n_experts: (projects, indicators) number of experts whose score is behind the cell
            (for ``trimmed``: the number present before trimming; see ``n_used``).
        n_used: (projects, indicators) number of scores actually averaged (after trimming).
        sd: (projects, indicators) sample standard deviation (ddof=1) of the scores present;
            NaN exactly where ``n_experts < 2`` (see ``sd_defined``).
        sd_defined: mask, True where ``n_experts >= 2``.
        iqr: (projects, indicators) interquartile range (linear interpolation, NumPy "linear" rule);
            0 for one score, NaN where ``empty``.
        range: (projects, indicators) max - min of the scores present; NaN where ``empty``.
        empty: mask of cells no expert scored.
        fallback: mask of cells where the trimming rule could not be applied (``trimmed`` only).
        unscored_projects: indices of projects with no score at all (every expert recused or
            missing) — they stay in every array, flagged, never dropped.
        corrected: (experts, indicators) mask of expert-indicator pairs whose scores were
            leniency-corrected (``leniency`` only; False elsewhere = left as given, see docs).
        params: the parameters used.
    """

    method: str
    values: np.ndarray
    n_experts: np.ndarray
    n_used: np.ndarray
    sd: np.ndarray
    sd_defined: np.ndarray
    iqr: np.ndarray
    range: np.ndarray
    empty: np.ndarray
    fallback: np.ndarray
    unscored_projects: np.ndarray
    corrected: np.ndarray | None = None
    params: dict = field(default_factory=dict)

    def to_frame(self, project_ids=None, indicator_ids=None):
        """Long table: one row per (project, indicator) cell."""
        import pandas as pd

        P, I = self.values.shape
        proj = np.asarray(project_ids if project_ids is not None else np.arange(P))
        ind = np.asarray(indicator_ids if indicator_ids is not None else np.arange(I))
        return pd.DataFrame({
            "project": np.repeat(proj, I),
            "indicator": np.tile(ind, P),
            "value": self.values.ravel(),
            "n_experts": self.n_experts.ravel(),
            "n_used": self.n_used.ravel(),
            "sd": self.sd.ravel(),
            "iqr": self.iqr.ravel(),
            "range": self.range.ravel(),
            "empty": self.empty.ravel(),
            "fallback": self.fallback.ravel(),
        })


def check_cube(scores) -> np.ndarray:
    """Validate a score cube: 3-D float, no inf, at least one score. Returns a float64 array."""
    cube = as_float_array(scores, "scores")
    if cube.ndim != 3:
        raise ShapeError(
            f"评分数组应为 专家×项目×指标 三维 / scores must be 3-D (experts, projects, indicators), "
            f"got shape {cube.shape}")
    if cube.size == 0 or np.isnan(cube).all():
        raise NoScoresError(
            f"没有任何评分 / no scores at all: score array of shape {cube.shape} has no value",
            hint="check that the campaign has recorded scores before computing a consensus")
    return cube


def sorted_quantile(sorted_x: np.ndarray, n: np.ndarray, q: float) -> np.ndarray:
    """Quantile along axis 0 of an array sorted ascending with NaN last, ``n`` values present.

    Uses NumPy's default "linear" rule: position h = (n - 1) q, interpolate between floor and ceil.
    Returns NaN where n == 0.
    """
    nn = np.maximum(n, 1)
    h = (nn - 1) * q
    lo = np.floor(h).astype(np.intp)
    hi = np.ceil(h).astype(np.intp)
    a = np.take_along_axis(sorted_x, lo[None], axis=0)[0]
    b = np.take_along_axis(sorted_x, hi[None], axis=0)[0]
    out = a + (b - a) * (h - lo)
    return np.where(n > 0, out, np.nan)


def nan_sd(x: np.ndarray, present: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Sample sd (ddof=1) along axis 0 of the values present, NaN where fewer than two.

    The same operations as ``np.nanstd(x, axis=0, ddof=1)`` (so the same numbers) without its copies.
    """
    _, ss = moments(x, present, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n >= 2, np.sqrt(ss / (n - 1)), np.nan)


def masked_mean(cube: np.ndarray, present: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Mean along axis 0 of the values present, NaN where there is none."""
    total = np.where(present, cube, 0.0).sum(axis=0)
    return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def _spread(cube: np.ndarray, present: np.ndarray, n: np.ndarray):
    s = np.sort(cube, axis=0)  # NaN sorted last
    sd = nan_sd(cube, present, n)
    q1 = sorted_quantile(s, n, 0.25)
    q3 = sorted_quantile(s, n, 0.75)
    last = np.take_along_axis(s, np.maximum(n - 1, 0)[None], axis=0)[0]
    rng = np.where(n > 0, last - s[0], np.nan)
    return s, sd, q3 - q1, rng


@dataclass(frozen=True)
class Leniency:
    """Each expert's location and spread per indicator over every project they scored, and the panel's
    (see :func:`leniency_correct`); :meth:`apply` corrects any block of projects with them."""

    mean: np.ndarray      # (E, I) m_ei
    sd: np.ndarray        # (E, I) s_ei
    ok: np.ndarray        # (E, I) the pair can be standardised
    M: np.ndarray         # (I,)
    S: np.ndarray         # (I,)
    lo: np.ndarray
    hi: np.ndarray

    def apply(self, block: np.ndarray) -> np.ndarray:
        """Corrected scores of *block* (E, p, I), a block of projects of the cube the stats came from."""
        z = (block - self.mean[:, None, :]) / np.where(self.ok, self.sd, 1.0)[:, None, :]
        corr = np.clip(self.M[None, None, :] + self.S[None, None, :] * z, self.lo, self.hi)
        return np.where(self.ok[:, None, :], corr, block)


def leniency_stats(cube: np.ndarray, lo, hi, cols=None) -> Leniency:
    """The statistics of :func:`leniency_correct` over every project of *cube* (E, P, I) (of its columns
    *cols*), walked in blocks of projects: sums and counts first, then the squared deviations from the
    experts' means."""
    E, P, I = cube.shape[0], cube.shape[1], cube.shape[2] if cols is None else len(cols)
    lo = np.broadcast_to(np.asarray(lo, dtype=float), (I,))
    hi = np.broadcast_to(np.asarray(hi, dtype=float), (I,))
    if np.any(~(hi > lo)):
        raise InvalidValueError("量表上限须大于下限 / scale upper bound must exceed lower bound")
    blocks = project_blocks(P, E * I)
    n_ei = np.zeros((E, I), dtype=np.intp)
    total = None
    for sl in blocks:
        x = cube[:, sl] if cols is None else columns(cube[:, sl], cols)
        present = ~np.isnan(x)
        n_ei += present.sum(axis=1)
        total = add_along(total, np.where(present, x, 0.0), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        m_ei = total / n_ei                                   # NaN for an expert with no score on i
    ss = None
    for sl in blocks:
        dev = (cube[:, sl] if cols is None else columns(cube[:, sl], cols)) - m_ei[:, None, :]
        dev[np.isnan(dev)] = 0.0
        ss = add_along(ss, np.multiply(dev, dev, out=dev), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s_ei = np.where(n_ei >= 2, np.sqrt(ss / (n_ei - 1)), np.nan)     # np.nanstd(cube, axis=1, ddof=1)
    # a spread below 1e-9 of the scale width is rounding noise of identical scores, not a spread
    ok = (n_ei >= 2) & (np.nan_to_num(s_ei) > 1e-9 * (hi - lo)[None, :])
    n_ok = ok.sum(axis=0)  # (I,)
    M = np.where(ok, m_ei, 0.0).sum(axis=0) / np.maximum(n_ok, 1)
    S = np.sqrt(np.where(ok, s_ei ** 2, 0.0).sum(axis=0) / np.maximum(n_ok, 1))
    return Leniency(mean=m_ei, sd=s_ei, ok=ok, M=M, S=S, lo=lo, hi=hi)


def leniency_correct(scores, lo, hi) -> tuple[np.ndarray, np.ndarray]:
    """Leniency (severity) correction of a score cube, per expert and indicator.

    For expert e and indicator i, over the projects p that e scored:
        m_ei = mean_p x_epi,   s_ei = sd_p x_epi (ddof=1)
        z_epi = (x_epi - m_ei) / s_ei
    Panel location and spread for indicator i, over the experts with s_ei defined and > 0:
        M_i = mean_e m_ei,     S_i = sqrt(mean_e s_ei**2)
    Corrected score:  x'_epi = clip(M_i + S_i * z_epi, lo_i, hi_i).

    An expert who scored fewer than two projects on i, or gave all of them the same score
    (s_ei <= 1e-9 (hi_i - lo_i), i.e. zero up to rounding), cannot be standardised: their scores are kept as given and the pair is marked
    False in the returned ``corrected`` mask (experts x indicators). The assumption behind the
    method (documented in docs/scoring.md) is that experts saw comparable sets of projects.

    Returns ``(corrected_scores, corrected_mask)``.
    """
    cube = check_cube(scores)
    stats = leniency_stats(cube, lo, hi)
    return stats.apply(cube), stats.ok


def cell_values(x: np.ndarray, present: np.ndarray, n: np.ndarray, method: str, *, s: np.ndarray | None = None,
                trim: int = 1, min_remaining: int = 3, fallback: str = "median",
                weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Consensus of every cell of a block *x* (E, p, k) by *method* (``leniency``: of scores already
    corrected), with its parameters already checked; *s* is ``np.sort(x, axis=0)`` when the caller has it.

    Returns (values, fallback mask, scores used, cells whose present experts all weigh 0 or None).
    """
    E = x.shape[0]
    empty = n == 0
    fb = np.zeros(n.shape, dtype=bool)
    n_used = n.copy()
    zero = None
    if method in ("median", "median_low", "trimmed") and s is None:
        s = np.sort(x, axis=0)  # NaN sorted last
    if method in ("mean", "leniency"):
        values = masked_mean(x, present, n)
    elif method == "median":
        values = sorted_quantile(s, n, 0.5)
    elif method == "median_low":
        lowmid = np.maximum((n - 1) // 2, 0)
        values = np.where(empty, np.nan, np.take_along_axis(s, lowmid[None], axis=0)[0])
    elif method == "trimmed":
        pos = np.arange(E)[:, None, None]
        keep = (pos >= trim) & (pos < n[None] - trim)
        k = keep.sum(axis=0)
        trimmed = np.where(keep, s, 0.0).sum(axis=0) / np.maximum(k, 1)
        can = (n - 2 * trim) >= min_remaining
        fb = ~can & ~empty
        alt = sorted_quantile(s, n, 0.5) if fallback == "median" else masked_mean(x, present, n)
        values = np.where(can, trimmed, alt)
        values = np.where(empty, np.nan, values)
        n_used = np.where(can, n - 2 * trim, n)
    else:  # weighted
        wp = np.where(present, weights[:, None, None], 0.0)
        wsum = wp.sum(axis=0)
        zero = (wsum == 0) & ~empty
        values = np.where(empty, np.nan, (np.where(present, x, 0.0) * wp).sum(axis=0) / np.where(empty, 1.0, wsum))
    return values, fb, n_used, zero


def check_weights(expert_weights, E: int) -> np.ndarray:
    """The experts' weights for ``weighted``: one non-negative number per expert."""
    if expert_weights is None:
        raise InvalidValueError("加权均值需要专家权重 / weighted mean needs expert_weights")
    w = as_float_array(expert_weights, "expert_weights", ndim=1)
    if w.shape[0] != E:
        raise ShapeError(f"专家权重个数 {w.shape[0]} ≠ 专家数 {E} / expert_weights has {w.shape[0]} "
                         f"entries for {E} experts")
    if np.isnan(w).any() or (w < 0).any():
        raise InvalidValueError("专家权重须为非负数 / expert weights must be non-negative numbers")
    return w


def zero_weight_error(zero: np.ndarray) -> InvalidValueError:
    cells = np.argwhere(zero)[:5].tolist()
    return InvalidValueError(
        f"有评分但在场专家权重全为零 / cells whose present experts all have weight 0: {cells}",
        hint="give every expert a positive weight, or use another method")


def consensus(scores, method: str = "mean", *, trim: int = 1, min_remaining: int = 3,
              fallback: str = "median", expert_weights=None, lo=None, hi=None) -> ConsensusResult:
    """Consensus value of every (project, indicator) cell over the experts present.

    Args:
        scores: (experts, projects, indicators) array, NaN = missing or recused.
        method: one of ``mean``, ``median``, ``median_low``, ``trimmed``, ``weighted``, ``leniency``.
        trim: for ``trimmed``, number of highest and of lowest scores dropped per cell.
        min_remaining: for ``trimmed``, minimum number of scores left after trimming.
        fallback: for ``trimmed`` cells with too few experts: ``median`` or ``mean`` of all present.
        expert_weights: for ``weighted``, one non-negative weight per expert.
        lo, hi: for ``leniency``, the scale bounds (scalar or one per indicator).

    Raises:
        NoScoresError: no score at all.
        InvalidValueError / ShapeError: bad parameters.
    """
    if method not in METHODS:
        raise InvalidValueError(f"未知的共识方法 {method!r} / unknown consensus method {method!r}; "
                                f"choose one of {', '.join(METHODS)}")
    cube = check_cube(scores)
    E, P, I = cube.shape
    corrected = None
    stats = None
    w = None
    params: dict = {}
    if method == "leniency":
        if lo is None or hi is None:
            raise InvalidValueError("宽严校正需要量表上下限 / leniency correction needs the scale bounds lo and hi")
        stats = leniency_stats(cube, lo, hi)
        corrected = stats.ok
        params.update(lo=np.asarray(lo, float).tolist(), hi=np.asarray(hi, float).tolist())
    elif method == "trimmed":
        if trim < 0 or min_remaining < 1:
            raise InvalidValueError("截尾参数无效 / trim must be >= 0 and min_remaining >= 1")
        if fallback not in ("median", "mean"):
            raise InvalidValueError(f"未知的回退规则 {fallback!r} / unknown fallback {fallback!r} (median or mean)")
        params.update(trim=trim, min_remaining=min_remaining, fallback=fallback)
    elif method == "weighted":
        w = check_weights(expert_weights, E)
        params.update(expert_weights=w.tolist())
    n = np.empty((P, I), dtype=np.intp)
    values, sd, iqr, rng = (np.empty((P, I)) for _ in range(4))
    n_used = np.empty((P, I), dtype=np.intp)
    fb = np.zeros((P, I), dtype=bool)
    zero = np.zeros((P, I), dtype=bool) if method == "weighted" else None
    for sl in project_blocks(P, E * I):   # every cell on its own: the same numbers whatever the blocks
        x = cube[:, sl] if stats is None else stats.apply(cube[:, sl])
        present = ~np.isnan(x)
        n[sl] = nb = present.sum(axis=0)
        s, sd[sl], iqr[sl], rng[sl] = _spread(x, present, nb)
        values[sl], fb[sl], n_used[sl], z = cell_values(x, present, nb, method, s=s, trim=trim,
                                                        min_remaining=min_remaining, fallback=fallback, weights=w)
        if z is not None:
            zero[sl] = z
    if zero is not None and zero.any():
        raise zero_weight_error(zero)
    empty = n == 0
    unscored = np.flatnonzero(empty.all(axis=1))
    return ConsensusResult(method=method, values=values, n_experts=n, n_used=n_used, sd=sd,
                           sd_defined=n >= 2, iqr=iqr, range=rng, empty=empty, fallback=fb,
                           unscored_projects=unscored, corrected=corrected, params=params)
