"""Rater calibration: rater-effects models fitted on a sparse assignment.

- :func:`fit_additive` — quality + leniency + per-expert noise, feasible GLS (below);
- :func:`fit_bayesian` — the same with quality and leniency partially pooled (Gaussian priors), the
  posterior in closed form and the variance components by empirical Bayes;
- :func:`fit_scaled` — leniency + scale x quality (an expert may spread or compress their scores),
  by alternating weighted least squares.

Model (per indicator, in whatever units the scores are in)::

    y[e, p] = quality[p] + leniency[e] + noise,   noise ~ N(0, noise_sd[e]^2)

``leniency`` sums to zero over the experts who scored, so ``quality`` is the score the *average*
expert of the panel would give. The fit is feasible generalised least squares: weighted least squares
with weights ``1 / noise_sd[e]^2``, the noise variances re-estimated from the residuals, repeated until
they settle. Only the experts' effects need a linear solve — the projects' effects are eliminated
first (the reduced system is the experts' weighted Laplacian, E x E) — so a round of 1,000 projects
and 60 experts costs a few small dense solves, vectorised over indicators.

Every score's leverage is exact (from the covariance of the estimates), so the residual degrees of
freedom and the standardised residuals are the textbook ones. An expert's noise variance is shrunk
towards the pooled one with ``noise_prior_dof`` pseudo-observations, so an expert with few scores
cannot claim to be perfect and take all the weight.

Refused with a :class:`CalibrationError` (the reason named): an expert with fewer than
``min_scores`` scores on an indicator, or an assignment graph (experts -- projects they scored) that
falls apart into separate groups, where leniency and quality cannot be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tlr.numeric.arrays import as_float_array
from tlr.numeric.errors import NoScoresError, ScoringError, ShapeError
from tlr.numeric.results import ResultMixin


class CalibrationError(ScoringError):
    """The assignment cannot support a rater-effects model (too few scores, disconnected graph)."""

    default_code = "calibration"


@dataclass(frozen=True)
class AdditiveFit(ResultMixin):
    """Result of :func:`fit_additive`. Shapes follow the input: ``(E, P)`` or ``(E, P, I)``.

    Attributes:
        quality: each project's calibrated score (P[, I]); NaN for a project nobody scored.
        quality_se: its standard error (from the fitted noise variances).
        leniency: each expert's estimated offset (E[, I]), summing to zero over the experts who scored;
            NaN for an expert with no score.
        noise_sd: each expert's estimated noise standard deviation (E[, I]).
        n_scores: scores per expert (E[, I]).
        fitted: ``quality[p] + leniency[e]`` where a score exists, NaN elsewhere (same shape as the input).
        residuals: score minus fitted value.
        standardized: residual / its standard deviation ``noise_sd[e] * sqrt(1 - leverage)``; NaN where
            the leverage is 1 (a project with a single score is fitted exactly).
        leverage: each score's leverage (diagonal of the hat matrix).
        iterations: re-weighting rounds used (per indicator).
    """

    quality: np.ndarray
    quality_se: np.ndarray
    leniency: np.ndarray
    noise_sd: np.ndarray
    n_scores: np.ndarray
    fitted: np.ndarray
    residuals: np.ndarray
    standardized: np.ndarray
    leverage: np.ndarray
    iterations: np.ndarray
    method: str = "additive"


def _as_cube(scores) -> tuple[np.ndarray, bool]:
    y = as_float_array(scores, "scores")
    if y.ndim == 2:
        return y[:, :, None], True
    if y.ndim != 3:
        raise ShapeError(f"评分须为 (专家, 项目) 或 (专家, 项目, 指标) 数组 / scores must be (E, P) or (E, P, I), "
                         f"got shape {y.shape}")
    return y, False


def components(mask: np.ndarray) -> tuple[int, np.ndarray]:
    """(number of groups, group label per expert) of the expert--project graph of one ``(E, P)`` mask.

    Experts and projects without any score are left out (label -1).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    e_count, p_count = mask.shape
    rows, cols = np.nonzero(mask)
    graph = coo_matrix((np.ones(rows.size), (rows, e_count + cols)), shape=(e_count + p_count,) * 2)
    _, labels = connected_components(graph, directed=False)
    active = np.concatenate([mask.any(axis=1), mask.any(axis=0)])
    used = np.unique(labels[active])
    expert_labels = np.where(mask.any(axis=1), np.searchsorted(used, labels[:e_count]), -1)
    return int(used.size), expert_labels


def _check(mask: np.ndarray, min_scores: int, expert_ids, indicator: str | None) -> None:
    where = f"（指标 {indicator}）/ (indicator {indicator})" if indicator else ""
    n = mask.sum(axis=1)
    few = np.flatnonzero((n > 0) & (n < min_scores))
    if few.size:
        names = ", ".join(f"{expert_ids[e] if expert_ids is not None else e} ({n[e]})" for e in few[:10])
        raise CalibrationError(
            f"专家评分过少，无法估计其宽严 {where}/ too few scores to estimate an expert's leniency: {names}; "
            f"each needs at least {min_scores}",
            hint="为这些专家分配更多项目，或不做校正 / assign them more projects, or use calibration: none")
    groups, labels = components(mask)
    if groups > 1:
        parts = []
        for g in range(groups):
            members = np.flatnonzero(labels == g)
            shown = [str(expert_ids[e] if expert_ids is not None else e) for e in members[:4]]
            parts.append("{" + ", ".join(shown) + (", …" if members.size > 4 else "") + "}")
        raise CalibrationError(
            f"分配图不连通，各组专家没有共同评过的项目 {where}/ the assignment graph is disconnected: "
            f"{groups} groups of experts share no project ({' '.join(parts)}), so leniency cannot be told "
            f"apart from quality",
            hint="让各组至少共评一个项目 / let the groups score at least one project in common")


def _solve(y: np.ndarray, mask: np.ndarray, w: np.ndarray):
    """One weighted least-squares fit per indicator: y, mask (I, E, P); w (I, E) weights per expert."""
    W = mask * w[:, :, None]                                  # (I, E, P)
    yz = np.where(mask, y, 0.0)
    Wp = W.sum(axis=1)                                        # (I, P)
    We = W.sum(axis=2)                                        # (I, E)
    active = We > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = np.where(Wp > 0, (W * yz).sum(axis=1) / Wp, 0.0)   # weighted project means
        C = np.where(Wp[:, None, :] > 0, W / Wp[:, None, :], 0.0)  # c_p as columns: (I, E, P)
    eye = np.eye(W.shape[1])
    L = We[:, :, None] * eye - W @ np.swapaxes(C, 1, 2)
    r = (W * (yz - ybar[:, None, :])).sum(axis=2)
    # experts without scores: pin their row to b = 0 so the system stays regular
    idle = ~active
    L[idle] = 0.0
    L += idle[:, :, None] * eye
    # (L + a 11') ^-1 = L^+ + 11' / (a k^2) on the active experts; a of the size of L keeps it well conditioned
    k = np.maximum(active.sum(axis=1), 1)[:, None, None]
    a = np.maximum(np.einsum("iee->i", L * active[:, :, None])[:, None, None] / k, 1e-300) / k
    ones = (active[:, :, None] & active[:, None, :]).astype(float)
    cov_b = np.linalg.inv(L + a * ones) - ones / (a * k * k)   # pseudo-inverse on the active experts
    cov_b[idle] = 0.0
    cov_b[np.broadcast_to(idle[:, None, :], cov_b.shape)] = 0.0
    b = (cov_b @ r[:, :, None])[:, :, 0]
    b -= np.where(active, b, 0.0).sum(axis=1, keepdims=True) / k[:, :, 0] * active   # exactly sum to zero
    q = ybar - (C * b[:, :, None]).sum(axis=1)
    A = cov_b @ C                                             # Cov(b, c_p . b): (I, E, P)
    CbC = (C * A).sum(axis=1)
    with np.errstate(divide="ignore"):
        var_q = np.where(Wp > 0, 1.0 / Wp + CbC, np.nan)
    var_fit = var_q[:, None, :] - 2 * A + np.diagonal(cov_b, axis1=1, axis2=2)[:, :, None]
    leverage = np.where(mask, np.clip(W * var_fit, 0.0, 1.0), np.nan)
    q = np.where(Wp > 0, q, np.nan)
    b = np.where(active, b, np.nan)
    return q, b, var_q, leverage


def _noise(y, mask, fitted, leverage, n_e, prior_dof):
    """Each expert's noise variance, shrunk towards the pooled one; and the pooled one (I, 1)."""
    rss_e = np.where(mask, (y - fitted) ** 2, 0.0).sum(axis=2)
    dof_e = np.where(mask, 1.0 - np.nan_to_num(leverage), 0.0).sum(axis=2)
    pooled = rss_e.sum(axis=1, keepdims=True) / np.maximum(dof_e.sum(axis=1, keepdims=True), 1e-12)
    var = (rss_e + prior_dof * pooled) / np.maximum(dof_e + prior_dof, 1e-12)
    floor = np.maximum(pooled * 1e-6, 1e-12)     # an exactly-fitting expert must not take all the weight
    return np.where(n_e > 0, np.maximum(var, floor), np.nan), pooled


def fit_additive(scores, *, min_scores: int = 3, noise_prior_dof: float = 2.0, expert_ids=None,
                 indicator_ids=None, max_iter: int = 50, tol: float = 1e-6) -> AdditiveFit:
    """Fit ``score = quality[project] + leniency[expert] + noise`` on a sparse assignment.

    Args:
        scores: ``(E, P)`` or ``(E, P, I)`` experts x projects [x indicators], NaN = not scored.
        min_scores: fewest scores an expert who scored at all must have (per indicator).
        noise_prior_dof: pseudo-observations pulling each expert's noise variance towards the pooled one.
        expert_ids, indicator_ids: names used in error messages.
        max_iter, tol: re-weighting rounds (0 = equal weights: ordinary least squares) and the relative
            change of the weights that stops them.

    Raises:
        CalibrationError: an expert with too few scores, or a disconnected assignment graph.
        NoScoresError: no score at all.
    """
    _, flat, y, mask = _prepare(scores)
    n_ind = y.shape[0]
    for i in range(n_ind):          # graph checks per indicator (few indicators; the fit itself is batched)
        if mask[i].any():
            _check(mask[i], min_scores, expert_ids,
                   None if flat else str(indicator_ids[i] if indicator_ids is not None else i))
    n_e = mask.sum(axis=2)                                     # (I, E)
    w = np.where(n_e > 0, 1.0, 0.0)
    iterations = np.zeros(n_ind, dtype=int)
    done = np.zeros(n_ind, dtype=bool)
    for it in range(max_iter + 1):
        q, b, var_q, leverage = _solve(y, mask, w)
        fitted = np.where(mask, q[:, None, :] + np.nan_to_num(b)[:, :, None], np.nan)
        var_e, pooled = _noise(y, mask, fitted, leverage, n_e, noise_prior_dof)
        if it == max_iter:
            break
        new_w = np.where(n_e > 0, 1.0 / np.where(n_e > 0, var_e, 1.0), 0.0)
        change = np.max(np.abs(new_w - w) / np.maximum(new_w, 1e-300), axis=1, initial=0.0)
        w = np.where(done[:, None], w, new_w)       # an indicator that has settled keeps its weights
        iterations = np.where(done, iterations, it + 1)
        done |= change <= tol
        if done.all():
            q, b, var_q, leverage = _solve(y, mask, w)
            fitted = np.where(mask, q[:, None, :] + np.nan_to_num(b)[:, :, None], np.nan)
            var_e, pooled = _noise(y, mask, fitted, leverage, n_e, noise_prior_dof)
            break
    if max_iter == 0:      # equal weights: the covariance is in units of the pooled variance
        var_q = var_q * pooled
    resid = y - fitted
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_resid = np.sqrt(var_e)[:, :, None] * np.sqrt(1.0 - leverage)
        standardized = np.where(sd_resid > 1e-9 * np.sqrt(var_e)[:, :, None], resid / sd_resid, np.nan)

    def back(a: np.ndarray, axis_first: bool = True) -> np.ndarray:
        out = np.moveaxis(a, 0, -1)
        return out[..., 0] if flat else out

    return AdditiveFit(quality=back(q), quality_se=back(np.sqrt(var_q)), leniency=back(b),
                       noise_sd=back(np.sqrt(var_e)), n_scores=back(n_e), fitted=back(fitted),
                       residuals=back(resid), standardized=back(standardized), leverage=back(leverage),
                       iterations=iterations[0] if flat else iterations)


# --------------------------------------------------------------------------- Bayesian (partial pooling)


@dataclass(frozen=True)
class BayesianFit(ResultMixin):
    """Result of :func:`fit_bayesian` (or :func:`bayesian_posterior`). Shapes as :class:`AdditiveFit`.

    Attributes:
        quality: each project's posterior mean quality (P[, I]); NaN for a project nobody scored.
        quality_se: its posterior standard deviation (the calibrated score's uncertainty).
        leniency: each expert's posterior mean leniency (E[, I]), shrunk towards 0; NaN with no score.
        leniency_se: its posterior standard deviation.
        noise_sd: each expert's noise standard deviation (E[, I]).
        n_scores: scores per expert (E[, I]).
        fitted: posterior mean of ``quality[p] + leniency[e]`` where a score exists (input shape).
        residuals: score minus fitted value.
        mu, tau_quality, tau_leniency: the prior's mean and standard deviations (scalar or (I,)).
        log_evidence: log marginal likelihood of the scores under those variance components.
        iterations: fixed-point rounds used (0 = components given).
    """

    quality: np.ndarray
    quality_se: np.ndarray
    leniency: np.ndarray
    leniency_se: np.ndarray
    noise_sd: np.ndarray
    n_scores: np.ndarray
    fitted: np.ndarray
    residuals: np.ndarray
    mu: np.ndarray
    tau_quality: np.ndarray
    tau_leniency: np.ndarray
    log_evidence: np.ndarray
    iterations: np.ndarray
    method: str = "bayesian"


def _posterior(y, mask, w, prec_q, prec_b, mu):
    """Gaussian posterior of (quality, leniency) per indicator, closed form.

    y, mask (I, E, P); w (I, E) noise precisions; prec_q, prec_b, mu (I,). The projects' block of the
    posterior precision is diagonal, so it is eliminated first: the experts' block is the E x E Schur
    complement ``S = diag(W_e + prec_b) - W D^-1 W'`` with ``D = W_p + prec_q``.
    """
    W = mask * w[:, :, None]                                  # (I, E, P)
    yz = np.where(mask, y, 0.0)
    Wp = W.sum(axis=1)                                        # (I, P)
    We = W.sum(axis=2)                                        # (I, E)
    D = Wp + prec_q[:, None]
    rq = (W * yz).sum(axis=1) + (prec_q * mu)[:, None]
    rb = (W * yz).sum(axis=2)
    C = W / D[:, None, :]                                     # (I, E, P)
    S = -(W @ np.swapaxes(C, 1, 2))
    S[:, np.arange(W.shape[1]), np.arange(W.shape[1])] += We + prec_b[:, None]
    chol = np.linalg.cholesky(S)
    cov_b = np.linalg.inv(S)
    cov_b = (cov_b + np.swapaxes(cov_b, 1, 2)) / 2
    b = (cov_b @ (rb - (C * rq[:, None, :]).sum(axis=2))[:, :, None])[:, :, 0]
    q = (rq - (W * b[:, :, None]).sum(axis=1)) / D
    A = cov_b @ C                                             # -Cov(leniency_e, quality_p)
    var_q = 1.0 / D + (C * A).sum(axis=1)
    var_b = np.diagonal(cov_b, axis1=1, axis2=2)
    var_fit = var_q[:, None, :] + var_b[:, :, None] - 2.0 * A
    logdet = np.log(D).sum(axis=1) + 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    return q, b, var_q, var_b, var_fit, logdet


def _log_evidence(y, mask, w, prec_q, prec_b, mu, q, b, logdet):
    """log p(scores | variance components), from the posterior: the Gaussian integral in closed form."""
    E, P = y.shape[1], y.shape[2]
    resid = np.where(mask, y - q[:, None, :] - b[:, :, None], 0.0)
    n = mask.sum(axis=(1, 2))
    quad = (mask * w[:, :, None] * resid ** 2).sum(axis=(1, 2)) + prec_q * ((q - mu[:, None]) ** 2).sum(axis=1) \
        + prec_b * (b ** 2).sum(axis=1)
    log_noise = (mask.sum(axis=2) * np.log(np.where(mask.any(axis=2), w, 1.0))).sum(axis=1)
    return -0.5 * (quad + logdet - P * np.log(prec_q) - E * np.log(prec_b) - log_noise + n * np.log(2 * np.pi))


def _per_indicator(value, n_ind: int, name: str) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(value, dtype=float), (n_ind,)).copy()
    if not (np.isfinite(arr).all() and (arr > 0).all()) and name != "mu":
        raise ShapeError(f"{name} 须为正的有限数 / {name} must be positive and finite, got {value!r}")
    if name == "mu" and not np.isfinite(arr).all():
        raise ShapeError(f"mu 须为有限数 / mu must be finite, got {value!r}")
    return arr


def _bayes_result(y3, flat, y, mask, w, prec_q, prec_b, mu, iterations) -> BayesianFit:
    q, b, var_q, var_b, _, logdet = _posterior(y, mask, w, prec_q, prec_b, mu)
    evidence = _log_evidence(y, mask, w, prec_q, prec_b, mu, q, b, logdet)
    n_e = mask.sum(axis=2)
    scored_p, active = mask.any(axis=1), n_e > 0
    fitted = np.where(mask, q[:, None, :] + b[:, :, None], np.nan)

    def back(a: np.ndarray) -> np.ndarray:
        out = np.moveaxis(a, 0, -1)
        return out[..., 0] if flat else out

    def per(a: np.ndarray):
        return a[0] if flat else a

    with np.errstate(divide="ignore"):
        noise = np.where(active, 1.0 / np.sqrt(np.where(active, w, 1.0)), np.nan)
    return BayesianFit(
        quality=back(np.where(scored_p, q, np.nan)), quality_se=back(np.where(scored_p, np.sqrt(var_q), np.nan)),
        leniency=back(np.where(active, b, np.nan)), leniency_se=back(np.where(active, np.sqrt(var_b), np.nan)),
        noise_sd=back(noise), n_scores=back(n_e), fitted=back(fitted), residuals=back(y - fitted),
        mu=per(mu), tau_quality=per(1.0 / np.sqrt(prec_q)), tau_leniency=per(1.0 / np.sqrt(prec_b)),
        log_evidence=per(evidence), iterations=per(np.asarray(iterations)))


def _prepare(scores):
    y3, flat = _as_cube(scores)
    if not np.isfinite(y3[~np.isnan(y3)]).all():
        raise ShapeError("评分含无穷大 / scores contain infinite values")
    y = np.moveaxis(y3, 2, 0)                                  # (I, E, P)
    mask = ~np.isnan(y)
    if not mask.any():
        raise NoScoresError("没有任何评分 / no scores at all")
    return y3, flat, y, mask


def bayesian_posterior(scores, *, noise_sd, tau_quality, tau_leniency, mu) -> BayesianFit:
    """The Gaussian posterior of quality and leniency for *given* variance components (no estimation).

    ``noise_sd``: (E[, I]); ``tau_quality``, ``tau_leniency``, ``mu``: scalars or one per indicator.
    Priors: ``quality[p] ~ N(mu, tau_quality^2)``, ``leniency[e] ~ N(0, tau_leniency^2)``.
    """
    y3, flat, y, mask = _prepare(scores)
    n_ind = y.shape[0]
    sd = np.asarray(noise_sd, dtype=float)
    sd = np.moveaxis(sd[:, None] if sd.ndim == 1 else sd, 1, 0)
    sd = np.broadcast_to(sd, mask.shape[:2])
    active = mask.any(axis=2)
    if not (np.isfinite(sd[active]).all() and (sd[active] > 0).all()):
        raise ShapeError("noise_sd 须为正的有限数 / noise_sd must be positive and finite for every expert who scored")
    w = np.where(active, 1.0 / np.where(active, sd, 1.0) ** 2, 1.0)
    tq = _per_indicator(tau_quality, n_ind, "tau_quality")
    tb = _per_indicator(tau_leniency, n_ind, "tau_leniency")
    m = _per_indicator(mu, n_ind, "mu")
    return _bayes_result(y3, flat, y, mask, w, 1.0 / tq ** 2, 1.0 / tb ** 2, m, np.zeros(n_ind, dtype=int))


def fit_bayesian(scores, *, min_scores: int = 3, noise_prior_dof: float = 2.0, expert_ids=None,
                 indicator_ids=None, max_iter: int = 500, tol: float = 1e-6) -> BayesianFit:
    """Fit the additive model with partial pooling; the variance components by empirical Bayes.

    Model, per indicator::

        score[e, p] = quality[p] + leniency[e] + noise,   noise ~ N(0, noise_sd[e]^2)
        quality[p] ~ N(mu, tau_quality^2),   leniency[e] ~ N(0, tau_leniency^2)

    Given the components the posterior of (quality, leniency) is Gaussian, in closed form
    (:func:`bayesian_posterior`); ``mu``, ``tau_quality``, ``tau_leniency`` and every ``noise_sd[e]`` are
    set by empirical Bayes: the stationary point of the marginal likelihood, found by MacKay's
    fixed-point updates (each variance = its sum of squares over its effective number of parameters;
    the same stationary point as EM, reached in far fewer rounds when a variance is near zero). With
    ``noise_prior_dof > 0`` each expert's noise variance is shrunk towards the pooled one (as in
    :func:`fit_additive`: ``noise_prior_dof`` pseudo-scores at the pooled variance). The same guards as :func:`fit_additive` apply
    (each expert at least ``min_scores`` scores, a connected assignment), so partial pooling never
    hides groups of experts who share no project.

    Stops when no component changes by more than *tol* (relative, on the variances) or after *max_iter*
    rounds; vectorised over indicators (the rounds of a settled indicator are frozen).
    """
    y3, flat, y, mask = _prepare(scores)
    n_ind = y.shape[0]
    for i in range(n_ind):
        if mask[i].any():
            _check(mask[i], min_scores, expert_ids,
                   None if flat else str(indicator_ids[i] if indicator_ids is not None else i))
    n_e = mask.sum(axis=2)
    active = n_e > 0
    scored_p = mask.any(axis=1)
    n_p = np.maximum(scored_p.sum(axis=1), 1)
    # start from one unweighted additive fit: its spread of qualities, leniencies and residuals
    q0, b0, _, _ = _solve(y, mask, active.astype(float))
    resid0 = np.where(mask, y - q0[:, None, :] - np.nan_to_num(b0)[:, :, None], 0.0)
    pooled0 = (resid0 ** 2).sum(axis=(1, 2)) / np.maximum(mask.sum(axis=(1, 2)), 1)
    scale = np.maximum(np.nanvar(np.where(mask, y, np.nan).reshape(n_ind, -1), axis=1), 1e-12)
    floor = scale * 1e-10
    mu = np.nanmean(np.where(scored_p, q0, np.nan), axis=1)
    var_q = np.maximum(np.nanvar(np.where(scored_p, q0, np.nan), axis=1), scale * 1e-3)
    var_b = np.maximum(np.nanmean(np.where(active, b0, np.nan) ** 2, axis=1), scale * 1e-3)
    var_e = np.where(active, np.maximum(pooled0, scale * 1e-3)[:, None], 1.0)
    iterations = np.zeros(n_ind, dtype=int)
    done = np.zeros(n_ind, dtype=bool)
    for it in range(max_iter):
        q, b, vq, vb, vfit, _ = _posterior(y, mask, 1.0 / var_e, 1.0 / var_q, 1.0 / var_b, mu)
        new_mu = np.where(scored_p, q, 0.0).sum(axis=1) / n_p
        # effective numbers of parameters (MacKay): how much of each prior the data have overruled
        g_q = np.where(scored_p, 1.0 - vq / var_q[:, None], 0.0).sum(axis=1)
        g_b = np.where(active, 1.0 - vb / var_b[:, None], 0.0).sum(axis=1)
        new_var_q = np.where(scored_p, (q - new_mu[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(g_q, 1e-12)
        new_var_b = np.where(active, b ** 2, 0.0).sum(axis=1) / np.maximum(g_b, 1e-12)
        rss = np.where(mask, (y - q[:, None, :] - b[:, :, None]) ** 2, 0.0).sum(axis=2)
        dof = np.maximum(n_e - np.where(mask, vfit / var_e[:, :, None], 0.0).sum(axis=2), 0.0)  # minus leverages
        pooled = rss.sum(axis=1, keepdims=True) / np.maximum(dof.sum(axis=1, keepdims=True), 1e-12)
        new_var_e = (rss + noise_prior_dof * pooled) / np.maximum(dof + noise_prior_dof, 1e-12)
        new_var_q, new_var_b = np.maximum(new_var_q, floor), np.maximum(new_var_b, floor)
        new_var_e = np.where(active, np.maximum(new_var_e, np.maximum(pooled * 1e-6, floor[:, None])), 1.0)
        change = np.maximum.reduce([np.abs(new_var_q / var_q - 1), np.abs(new_var_b / var_b - 1),
                                    np.max(np.abs(new_var_e / var_e - 1), axis=1),
                                    np.abs(new_mu - mu) / np.sqrt(new_var_q)])
        keep = done[:, None]
        mu = np.where(done, mu, new_mu)
        var_q = np.where(done, var_q, new_var_q)
        var_b = np.where(done, var_b, new_var_b)
        var_e = np.where(keep, var_e, new_var_e)
        iterations = np.where(done, iterations, it + 1)
        done |= change <= tol
        if done.all():
            break
    return _bayes_result(y3, flat, y, mask, 1.0 / var_e, 1.0 / var_q, 1.0 / var_b, mu, iterations)


# --------------------------------------------------------------------------- expert scale (optional)


@dataclass(frozen=True)
class ScaledFit(ResultMixin):
    """Result of :func:`fit_scaled`:
    ``score = quality[p] + leniency[e] + (scale[e] - 1) * (quality[p] - mean quality) + noise``.

    Shapes as :class:`AdditiveFit`. ``scale`` averages 1 and ``leniency`` sums to 0 over the experts who
    scored, so ``quality`` is in score units: the score an average expert of the panel would give;
    ``leniency`` is each expert's offset on a project of average quality (comparable with the additive
    model's), ``scale`` how much they spread (> 1) or compress (< 1) the differences between projects.
    ``quality_se`` is conditional on the experts' estimated leniency, scale and noise (it leaves their
    uncertainty out, so it is a lower bound).
    """

    quality: np.ndarray
    quality_se: np.ndarray
    leniency: np.ndarray
    scale: np.ndarray
    noise_sd: np.ndarray
    n_scores: np.ndarray
    fitted: np.ndarray
    residuals: np.ndarray
    iterations: np.ndarray
    method: str = "scaled"


def fit_scaled(scores, *, min_scores: int = 3, noise_prior_dof: float = 2.0, expert_ids=None,
               indicator_ids=None, max_iter: int = 200, tol: float = 1e-8) -> ScaledFit:
    """Fit ``score = intercept[e] + scale[e] * quality[p] + noise`` by alternating weighted least squares.

    An expert with ``scale`` above 1 spreads their scores more than the panel, below 1 less (a
    "central tendency" rater). Starts from :func:`fit_additive` (scale 1); then alternates: each
    project's quality given the experts (a weighted regression through the experts' lines), each
    expert's line (intercept, slope) and noise given the qualities, then renormalises (mean scale 1,
    leniency summing to 0). Stops when the fitted values change by less than *tol* times the scores'
    spread. Same guards as :func:`fit_additive` (``min_scores`` of at least 3: a line and a residual).
    """
    base = fit_additive(scores, min_scores=max(min_scores, 3), noise_prior_dof=noise_prior_dof,
                        expert_ids=expert_ids, indicator_ids=indicator_ids)
    y3, flat = _as_cube(scores)
    y = np.moveaxis(y3, 2, 0)                                  # (I, E, P)
    mask = ~np.isnan(y)
    yz = np.where(mask, y, 0.0)
    n_ind = y.shape[0]

    def cube(a):
        a = np.asarray(a, dtype=float)
        return np.moveaxis(a[..., None] if flat else a, -1, 0)

    q = np.nan_to_num(cube(base.quality))                       # (I, P)
    b = np.nan_to_num(cube(base.leniency))                      # (I, E)
    var_e = np.nan_to_num(cube(base.noise_sd), nan=1.0) ** 2
    n_e = mask.sum(axis=2)
    active = n_e > 0
    scored = mask.any(axis=1)
    s = np.where(active, 1.0, 0.0)
    spread = np.maximum(np.nanstd(np.where(mask, y, np.nan).reshape(n_ind, -1), axis=1), 1e-12)
    fitted_old = np.where(mask, b[:, :, None] + s[:, :, None] * q[:, None, :], 0.0)
    iterations = np.zeros(n_ind, dtype=int)
    done = np.zeros(n_ind, dtype=bool)
    for it in range(max_iter):
        w = np.where(active, 1.0 / var_e, 0.0)
        W = mask * w[:, :, None]
        # quality given the experts' lines
        den = (W * s[:, :, None] ** 2).sum(axis=1)
        q_new = np.where(den > 0, (W * s[:, :, None] * (yz - b[:, :, None])).sum(axis=1) / np.where(den > 0, den, 1), 0)
        # each expert's line given the qualities (weighted simple regression over their projects)
        m = np.where(mask, 1.0, 0.0)
        n = np.maximum(n_e, 1)
        qm = (m * q_new[:, None, :]).sum(axis=2) / n
        ym = (m * yz).sum(axis=2) / n
        dq = np.where(mask, q_new[:, None, :] - qm[:, :, None], 0.0)
        sxx = (dq ** 2).sum(axis=2)
        s_new = np.where(sxx > 0, (dq * np.where(mask, yz - ym[:, :, None], 0.0)).sum(axis=2) / np.where(sxx > 0, sxx, 1),
                         1.0)
        s_new = np.where(active, s_new, 0.0)
        b_new = np.where(active, ym - s_new * qm, 0.0)
        # renormalise: mean scale 1, leniency summing to 0 (quality in the panel's score units)
        k = np.maximum(active.sum(axis=1), 1)
        mean_s = np.where(active, s_new, 0.0).sum(axis=1) / k
        mean_b = np.where(active, b_new, 0.0).sum(axis=1) / k
        mean_s = np.where(np.abs(mean_s) > 1e-12, mean_s, 1.0)
        q_new = np.where(scored, mean_b[:, None] + mean_s[:, None] * q_new, 0.0)
        b_new = np.where(active, b_new - s_new * (mean_b / mean_s)[:, None], 0.0)
        s_new = s_new / mean_s[:, None]
        fitted = np.where(mask, b_new[:, :, None] + s_new[:, :, None] * q_new[:, None, :], 0.0)
        rss = np.where(mask, (yz - fitted) ** 2, 0.0).sum(axis=2)
        dof = np.maximum(n_e - 2.0 - np.where(mask, W * s_new[:, :, None] ** 2 / np.where(den > 0, den, 1)[:, None, :],
                                              0.0).sum(axis=2), 0.0)
        pooled = rss.sum(axis=1, keepdims=True) / np.maximum(dof.sum(axis=1, keepdims=True), 1e-12)
        var_new = (rss + noise_prior_dof * pooled) / np.maximum(dof + noise_prior_dof, 1e-12)
        var_new = np.where(active, np.maximum(var_new, np.maximum(pooled * 1e-6, 1e-12)), 1.0)
        change = np.abs(fitted - fitted_old).max(axis=(1, 2)) / spread
        keep = done[:, None]
        q, b, s = np.where(keep, q, q_new), np.where(keep, b, b_new), np.where(keep, s, s_new)
        var_e = np.where(keep, var_e, var_new)
        fitted_old = np.where(done[:, None, None], fitted_old, fitted)
        iterations = np.where(done, iterations, it + 1)
        done |= change <= tol
        if done.all():
            break
    w = np.where(active, 1.0 / var_e, 0.0)
    den = (mask * w[:, :, None] * s[:, :, None] ** 2).sum(axis=1)
    with np.errstate(divide="ignore"):
        se = np.where(scored & (den > 0), 1.0 / np.sqrt(den), np.nan)
    fit = np.where(mask, b[:, :, None] + s[:, :, None] * q[:, None, :], np.nan)
    q_mean = np.where(scored, q, 0.0).sum(axis=1) / np.maximum(scored.sum(axis=1), 1)
    b = b + (s - 1.0) * q_mean[:, None]        # the intercept at quality 0 -> the offset at the average project

    def back(a: np.ndarray) -> np.ndarray:
        out = np.moveaxis(a, 0, -1)
        return out[..., 0] if flat else out

    return ScaledFit(quality=back(np.where(scored, q, np.nan)), quality_se=back(se),
                     leniency=back(np.where(active, b, np.nan)), scale=back(np.where(active, s, np.nan)),
                     noise_sd=back(np.where(active, np.sqrt(var_e), np.nan)), n_scores=back(n_e),
                     fitted=back(fit), residuals=back(y - fit), iterations=iterations[0] if flat else iterations)


__all__ = ["AdditiveFit", "BayesianFit", "CalibrationError", "ScaledFit", "bayesian_posterior", "components",
           "fit_additive", "fit_bayesian", "fit_scaled"]
