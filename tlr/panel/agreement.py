"""Agreement within a panel, dispersion per project, and flags for re-review and for experts.

* Kendall's W with tie correction (Kendall & Babington Smith 1939; Siegel & Castellan 1988, §9.4),
  per indicator and overall, with its chi-square test and the F approximation.
* Intraclass correlations ICC(1,1), ICC(2,1), ICC(3,1), ICC(1,k), ICC(2,k), ICC(3,k)
  (Shrout & Fleiss 1979; McGraw & Wong 1996 call (2,·) "A" and (3,·) "C").
* Dispersion per project / cell (sd, coefficient of variation, range) and re-review (复议) flags.
* Expert diagnostics against the leave-one-out panel consensus: systematic bias, no discrimination,
  erratic (low correlation).

Missing data (NaN) — the rule, never silent: W and ICC need a complete block. For each indicator,
experts with no score on it are left out first; then only projects scored by *every* remaining
expert are used. The numbers of experts and projects actually used are returned (``m_used``,
``n_used``) and a statistic that cannot be computed (fewer than 2 experts or projects, or no
variance at all) is NaN **and** False in ``defined``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from tlr.numeric.arrays import add_along, as_float_array, project_blocks
from tlr.numeric.errors import InvalidValueError, ShapeError
from tlr.numeric.results import ResultMixin
from tlr.numeric.stats import _lgamma, average_ranks, beta_i, chi2_sf, f_sf
from tlr.panel.cells import Cells, cells_of
from tlr.panel.consensus import check_cube

# --------------------------------------------------------------------------------------------
# Kendall's W
# --------------------------------------------------------------------------------------------

def _blocks(scores, what: str) -> tuple[np.ndarray, bool]:
    """(experts, projects[, blocks]) -> a 3-D float array and whether the input was 2-D (one block)."""
    x = as_float_array(scores, "scores")
    squeeze = x.ndim == 2
    if squeeze:
        x = x[:, :, None]
    if x.ndim != 3:
        raise ShapeError(f"{what} 需要 专家×项目[×指标] / {what} needs (experts, projects[, blocks]), got {x.shape}")
    return x, squeeze

@dataclass(frozen=True)
class KendallW(ResultMixin):
    """Kendall's coefficient of concordance, one value per block (indicator, or one overall).

    Attributes:
        W: tie-corrected coefficient, in [0, 1]; NaN where not ``defined``.
        chi2: Friedman/Kendall statistic m (n - 1) W, chi-square with n - 1 df under H0.
        df: n - 1.
        p_value: upper-tail chi-square probability.
        F: F approximation (m - 1) W / (1 - W), df1 = n - 1 - 2/m, df2 = (m - 1) df1;
           inf when W == 1.
        p_value_F: upper-tail probability of F.
        m_used: number of experts (rankers) used.
        n_used: number of projects (objects ranked) used.
        ties: sum over experts of sum over tie groups of (t^3 - t).
        defined: False where W cannot be computed (m < 2, n < 2, or every expert tied everything).
    """

    W: np.ndarray
    chi2: np.ndarray
    df: np.ndarray
    p_value: np.ndarray
    F: np.ndarray
    p_value_F: np.ndarray
    m_used: np.ndarray
    n_used: np.ndarray
    ties: np.ndarray
    defined: np.ndarray


def _complete_block(cube: np.ndarray, ex: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks (experts used, projects used) per indicator for the complete-block rule.

    cube: (E, P, I); *ex*: the expert mask when *cube* holds only some of the projects.
    Returns expert mask (E, I), project mask (P, I), and the block mask (E, P, I).
    """
    present = ~np.isnan(cube)
    ex = present.any(axis=1) if ex is None else ex            # (E, I): expert scored indicator
    pr = (present | ~ex[:, None, :]).all(axis=0)              # (P, I): all used experts scored p
    pr &= ex.any(axis=0)[None, :]
    block = ex[:, None, :] & pr[None, :, :]
    return ex, pr, block


def _block_rows(x: np.ndarray, cells: Cells | None = None) -> tuple[np.ndarray, np.ndarray]:
    """*x* (E, P, I) without the projects outside every indicator's complete block (a sparse assignment has
    few or none), and the (E, I) experts who scored each indicator (*cells*: those of *x*, when known).
    The projects left out add only zeros (and NaN ranks) to every sum, in the same order: the same numbers."""
    if cells is not None:
        ex = cells.experts
        m = ex.sum(axis=0)
        inside = ((cells.n == m) & (m > 0)).any(axis=1)     # every expert of the indicator scored it
    else:
        present = ~np.isnan(x)
        ex = present.any(axis=1)
        scored = ex.any(axis=0)
        inside = np.zeros(x.shape[1], dtype=bool)
        for sl in project_blocks(x.shape[1], x.shape[0] * x.shape[2]):
            inside[sl] = ((present[:, sl] | ~ex[:, None, :]).all(axis=0) & scored).any(axis=1)
    if inside.all():
        return x, ex
    inside[np.argmax(inside) if inside.any() else 0] = True     # at least one project keeps every shape as it was
    return x[:, inside], ex


def kendall_w(scores, *, higher_is_better: bool = True, cells: Cells | None = None) -> KendallW:
    """Kendall's W for a (experts, projects) or (experts, projects, blocks) array.

    Each expert ranks the projects by their scores (average ranks for ties). With m experts,
    n projects, rank sums R_j and T_e = sum over the tie groups of expert e of (t^3 - t):

        W = 12 * sum_j (R_j - m (n + 1) / 2)^2 / (m^2 (n^3 - n) - m * sum_e T_e)

    (Siegel & Castellan 1988, eq. 9.16). The tie term is computed exactly from the average ranks:
    sum_r r^2 = n (n + 1)(2n + 1) / 6 - T_e / 12. Missing data: complete-block rule (module doc).
    A 2-D input gives 0-d arrays in the result. *cells*: :func:`tlr.panel.cells.cells_of` the 3-D scores.
    """
    x, squeeze = _blocks(scores, "kendall_w")
    if not higher_is_better:
        x = -x
    x, ex = _block_rows(x, cells)
    ex, pr, block = _complete_block(x, ex)
    m = ex.sum(axis=0).astype(float)      # (I,)
    n = pr.sum(axis=0).astype(float)      # (I,)
    xb = np.where(block, x, np.nan)
    # rank within each expert row over the used projects; higher score = rank 1 is irrelevant for W,
    # ranks ascending are used (W is invariant to reversing every ranking).
    r = average_ranks(xb, axis=1)
    r = np.where(block, r, 0.0)
    R = r.sum(axis=0)                                          # (P, I)
    mean_R = m * (n + 1) / 2
    S = (np.where(pr, (R - mean_R[None, :]) ** 2, 0.0)).sum(axis=0)
    sumsq = (r ** 2).sum(axis=1)                               # (E, I)
    T = 12 * (n * (n + 1) * (2 * n + 1) / 6 - sumsq)          # per expert tie sum (t^3 - t)
    T = np.where(ex, np.round(T, 6), 0.0)
    Tsum = T.sum(axis=0)
    denom = m ** 2 * (n ** 3 - n) - m * Tsum
    defined = (m >= 2) & (n >= 2) & (denom > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        W = np.where(defined, 12 * S / np.where(defined, denom, 1.0), np.nan)
        W = np.clip(W, 0.0, 1.0)
        df = n - 1
        chi2 = np.where(defined, m * (n - 1) * W, np.nan)
        p = np.where(defined, chi2_sf(chi2, np.maximum(df, 1)), np.nan)
        df1 = n - 1 - 2 / np.maximum(m, 1)
        df2 = (m - 1) * df1
        F = np.where(defined, np.where(W < 1, (m - 1) * W / np.where(W < 1, 1 - W, 1.0), np.inf), np.nan)
        okF = defined & (df1 > 0) & (df2 > 0)
        pF = np.where(okF, f_sf(np.where(okF, F, 1.0), np.where(okF, df1, 1.0), np.where(okF, df2, 1.0)), np.nan)
    out = dict(W=W, chi2=chi2, df=df, p_value=p, F=F, p_value_F=pF, m_used=m.astype(int),
               n_used=n.astype(int), ties=Tsum, defined=defined)
    if squeeze:
        out = {k: v[0] for k, v in out.items()}
    return KendallW(**out)


# --------------------------------------------------------------------------------------------
# ICC
# --------------------------------------------------------------------------------------------
ICC_FORMS = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")

# form -> (Shrout & Fleiss name, McGraw & Wong name or "", model)
ICC_NAMES: dict[str, tuple[str, str, str]] = {
    "ICC1": ("ICC(1,1)", "", "one-way random, single rater"),
    "ICC2": ("ICC(2,1)", "ICC(A,1)", "two-way random, absolute agreement, single rater"),
    "ICC3": ("ICC(3,1)", "ICC(C,1)", "two-way mixed, consistency, single rater"),
    "ICC1k": ("ICC(1,k)", "", "one-way random, mean of k raters"),
    "ICC2k": ("ICC(2,k)", "ICC(A,k)", "two-way random, absolute agreement, mean of k raters"),
    "ICC3k": ("ICC(3,k)", "ICC(C,k)", "two-way mixed, consistency, mean of k raters"),
}

# what a user may type -> form (Shrout & Fleiss "2,1", McGraw & Wong "A,1", or the form itself)
ICC_ALIASES: dict[str, str] = {
    "1,1": "ICC1", "2,1": "ICC2", "3,1": "ICC3", "1,k": "ICC1k", "2,k": "ICC2k", "3,k": "ICC3k",
    "a,1": "ICC2", "c,1": "ICC3", "a,k": "ICC2k", "c,k": "ICC3k",
    **{f.lower(): f for f in ICC_FORMS},
}


def icc_form(name: str) -> str:
    """``"2,1"``, ``"ICC(2,1)"``, ``"A,1"``, ``"ICC(A,k)"`` or ``"ICC2"`` -> the form key (``"ICC2"``).

    Raises ``KeyError`` naming the accepted spellings.
    """
    key = name.strip().lower().replace(" ", "")
    if key.startswith("icc(") and key.endswith(")"):
        key = key[4:-1]
    if key not in ICC_ALIASES:
        raise KeyError(f"未知 ICC 形式 / unknown ICC form {name!r}: use 1,1 2,1 3,1 1,k 2,k 3,k A,1 C,1 A,k C,k")
    return ICC_ALIASES[key]


@dataclass(frozen=True)
class ICCForm(ResultMixin):
    """One ICC form with its F test and confidence interval (McGraw & Wong 1996, Tables 7-8).

    Attributes:
        form: key (``"ICC2"``); name: Shrout & Fleiss name (``"ICC(2,1)"``); mcgraw_wong: their name
            (``"ICC(A,1)"``; empty for the one-way forms); model: in words.
        value: the coefficient.
        F, df1, df2, p_value: the test of ICC = 0 (F = BMS / WMS for the one-way forms, BMS / EMS for
            the two-way forms, where the absolute-agreement and consistency tests coincide at 0).
        df2_ci: denominator degrees of freedom of the interval: ``df2``, except for the
            absolute-agreement forms, where it is McGraw & Wong's Satterthwaite-type v.
        ci_low, ci_high: the interval at ``confidence``.
    """

    form: str
    name: str
    mcgraw_wong: str
    model: str
    value: np.ndarray
    F: np.ndarray
    df1: np.ndarray
    df2: np.ndarray
    df2_ci: np.ndarray
    p_value: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    confidence: float


@dataclass(frozen=True)
class ICCResult(ResultMixin):
    """Intraclass correlations (Shrout & Fleiss 1979), per block.

    Attributes:
        values: dict form -> array, forms ICC1 = ICC(1,1), ICC2 = ICC(2,1) (two-way random,
            absolute agreement; McGraw & Wong ICC(A,1)), ICC3 = ICC(3,1) (two-way mixed,
            consistency; ICC(C,1)), and the average-of-k versions ICC1k, ICC2k, ICC3k.
        forms: dict form -> :class:`ICCForm`, the same values with F, df, p and confidence interval.
        BMS, JMS, EMS, WMS: between-targets, between-judges, residual and within-target mean squares.
        F: BMS / EMS (test of ICC(3,1) = 0), with df (n - 1, (n - 1)(k - 1)) and ``p_value``.
        n_targets, k_judges: block size actually used (complete-block rule).
        defined: False where the block is too small (n < 2 or k < 2) or has no variance.
        confidence: level of the intervals in ``forms``.
    """

    values: dict
    BMS: np.ndarray
    JMS: np.ndarray
    EMS: np.ndarray
    WMS: np.ndarray
    F: np.ndarray
    p_value: np.ndarray
    n_targets: np.ndarray
    k_judges: np.ndarray
    defined: np.ndarray
    forms: dict = field(default_factory=dict)
    confidence: float = 0.95


def f_isf(q, dfn, dfd) -> np.ndarray:
    """The F(dfn, dfd) value exceeded with probability *q* (inverse of :func:`tlr.numeric.stats.f_sf`).

    Bisection on z = dfd / (dfd + dfn x), where P(F > x) = I_z(dfd / 2, dfn / 2) rises with z;
    non-integer df (Satterthwaite) allowed. scipy.stats is not imported (start-up time, see
    :mod:`tlr.numeric.stats`). NaN where q is not in (0, 1) or a df is not positive.
    """
    q, dfn, dfd = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(q, dfn, dfd))
    ok = (q > 0) & (q < 1) & (dfn > 0) & (dfd > 0) & np.isfinite(dfn) & np.isfinite(dfd)
    a = np.where(ok, dfd / 2.0, 1.0)
    b = np.where(ok, dfn / 2.0, 1.0)
    target = np.where(ok, q, 0.5)
    lo, hi = np.zeros(q.shape), np.ones(q.shape)
    for _ in range(40):        # bracket to 1e-12, then Newton on z (relative precision for z near 0)
        mid = 0.5 * (lo + hi)
        below = beta_i(a, b, mid) < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    z = 0.5 * (lo + hi)
    log_beta = _lgamma(a) + _lgamma(b) - _lgamma(a + b)
    for _ in range(6):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            density = np.exp((a - 1) * np.log(z) + (b - 1) * np.log1p(-z) - log_beta)
            step = (beta_i(a, b, z) - target) / density
        nz = z - np.where(np.isfinite(step), step, 0.0)
        z = np.where((nz > lo) & (nz < hi), nz, z)     # stay inside the bracket
    with np.errstate(divide="ignore", invalid="ignore"):
        x = dfd * (1.0 - z) / (dfn * z)
    return np.where(ok, x, np.nan)


def _icc_inference(values: dict, BMS, JMS, EMS, WMS, n, k, defined, confidence: float) -> dict:
    """F, df, p and the confidence interval of every form (McGraw & Wong 1996, Tables 7 and 8;
    the same formulas as R's psych::ICC and irr::icc)."""
    tail = (1.0 - confidence) / 2.0
    nn = np.where(defined, n, 2.0)
    kk = np.where(defined, k, 2.0)
    out: dict[str, ICCForm] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        F1 = BMS / WMS
        F3 = BMS / EMS
        df1 = nn - 1
        df2_1 = nn * (kk - 1)
        df2_3 = (nn - 1) * (kk - 1)
        F1d = np.where(defined, F1, 1.0)
        F3d = np.where(defined, F3, 1.0)
        # absolute agreement (case 2A): Satterthwaite's v for the mixture a JMS + b EMS
        r = np.where(defined, values["ICC2"], 0.0)
        a = kk * r / (nn * (1 - r))
        b = 1 + kk * r * (nn - 1) / (nn * (1 - r))
        v = (a * JMS + b * EMS) ** 2 / ((a * JMS) ** 2 / (kk - 1) + (b * EMS) ** 2 / ((nn - 1) * (kk - 1)))
        v = np.where(defined & np.isfinite(v) & (v > 0), v, np.nan)
        # the six F quantiles in one call (the inverse is a loop of incomplete-beta evaluations)
        q1, q1r, q3, q3r, fl2, fu2 = np.split(
            f_isf(tail, np.concatenate([df1, df2_1, df1, df2_3, df1, v]),
                  np.concatenate([df2_1, df1, df2_3, df1, v, df1])), 6)
        fl1, fu1 = F1d / q1, F1d * q1r
        fl3, fu3 = F3d / q3, F3d * q3r
        c = kk * JMS + (kk * nn - kk - nn) * EMS
        lo2 = nn * (BMS - fl2 * EMS) / (fl2 * c + nn * BMS)
        hi2 = nn * (fu2 * BMS - EMS) / (c + nn * fu2 * BMS)
        bounds = {
            "ICC1": ((fl1 - 1) / (fl1 + kk - 1), (fu1 - 1) / (fu1 + kk - 1)),
            "ICC3": ((fl3 - 1) / (fl3 + kk - 1), (fu3 - 1) / (fu3 + kk - 1)),
            "ICC1k": (1 - 1 / fl1, 1 - 1 / fu1),
            "ICC3k": (1 - 1 / fl3, 1 - 1 / fu3),
            "ICC2": (lo2, hi2),
            # Spearman-Brown of the ICC(A,1) bounds = McGraw & Wong's case 2A, k raters
            "ICC2k": (kk * lo2 / (1 + (kk - 1) * lo2), kk * hi2 / (1 + (kk - 1) * hi2)),
        }
        p1 = f_sf(np.where(defined, F1, 1.0), df1, df2_1)
        p3 = f_sf(np.where(defined, F3, 1.0), df1, df2_3)
    for form in ICC_FORMS:
        one_way = form.startswith("ICC1")
        F, d2, p = (F1, df2_1, p1) if one_way else (F3, df2_3, p3)
        d2ci = v if form.startswith("ICC2") else d2
        lo, hi = bounds[form]
        name, mw, model = ICC_NAMES[form]

        def cut(x):
            return np.where(defined, x, np.nan)

        out[form] = ICCForm(form=form, name=name, mcgraw_wong=mw, model=model, value=values[form],
                            F=cut(F), df1=cut(df1), df2=cut(d2), df2_ci=cut(d2ci), p_value=cut(p),
                            ci_low=cut(lo), ci_high=cut(hi), confidence=confidence)
    return out


def icc(scores, *, confidence: float = 0.95, cells: Cells | None = None) -> ICCResult:
    """All six Shrout & Fleiss ICCs for a (experts, projects) or (experts, projects, blocks) array.

    Targets are projects, judges are experts. With the two-way ANOVA mean squares
    BMS (targets), JMS (judges), EMS (residual), WMS (within targets):

        ICC(1,1) = (BMS - WMS) / (BMS + (k - 1) WMS)
        ICC(2,1) = (BMS - EMS) / (BMS + (k - 1) EMS + k (JMS - EMS) / n)
        ICC(3,1) = (BMS - EMS) / (BMS + (k - 1) EMS)
        ICC(1,k) = (BMS - WMS) / BMS
        ICC(2,k) = (BMS - EMS) / (BMS + (JMS - EMS) / n)
        ICC(3,k) = (BMS - EMS) / BMS

    Each form's F test and ``confidence`` interval are in ``forms`` (McGraw & Wong 1996; for the
    absolute-agreement forms the interval uses their Satterthwaite-type df). Missing data:
    complete-block rule (module doc). *cells*: :func:`tlr.panel.cells.cells_of` the 3-D scores.
    """
    if not 0 < confidence < 1:
        raise InvalidValueError(f"置信水平须在 0 与 1 之间 / confidence must be between 0 and 1, got {confidence}")
    x, squeeze = _blocks(scores, "icc")
    x, ex = _block_rows(x, cells)
    ex, pr, block = _complete_block(x, ex)
    k = ex.sum(axis=0).astype(float)
    n = pr.sum(axis=0).astype(float)
    xb = np.where(block, x, 0.0)
    N = np.maximum(n * k, 1)
    grand = xb.sum(axis=(0, 1)) / N
    tmean = xb.sum(axis=0) / np.maximum(k, 1)[None, :]               # (P, I)
    jmean = xb.sum(axis=1) / np.maximum(n, 1)[None, :]               # (E, I)
    dev = np.where(block, x - grand, 0.0)
    ss_tot = (dev ** 2).sum(axis=(0, 1))
    ss_t = k * (np.where(pr, tmean - grand, 0.0) ** 2).sum(axis=0)
    ss_j = n * (np.where(ex, jmean - grand, 0.0) ** 2).sum(axis=0)
    ss_e = np.maximum(ss_tot - ss_t - ss_j, 0.0)
    ok = (n >= 2) & (k >= 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        BMS = ss_t / (n - 1)
        JMS = ss_j / (k - 1)
        EMS = ss_e / ((n - 1) * (k - 1))
        WMS = (ss_tot - ss_t) / (n * (k - 1))
        forms = {
            "ICC1": (BMS - WMS) / (BMS + (k - 1) * WMS),
            "ICC2": (BMS - EMS) / (BMS + (k - 1) * EMS + k * (JMS - EMS) / n),
            "ICC3": (BMS - EMS) / (BMS + (k - 1) * EMS),
            "ICC1k": (BMS - WMS) / BMS,
            "ICC2k": (BMS - EMS) / (BMS + (JMS - EMS) / n),
            "ICC3k": (BMS - EMS) / BMS,
        }
        F = BMS / EMS
    defined = ok & (BMS > 0) & np.isfinite(F)        # EMS > 0, hence WMS > 0
    for key in forms:
        forms[key] = np.where(defined, forms[key], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(defined, f_sf(np.where(defined, F, 1.0), np.maximum(n - 1, 1),
                                          np.maximum((n - 1) * (k - 1), 1)), np.nan)
    inference = _icc_inference(forms, BMS, JMS, EMS, WMS, n, k, defined, confidence)
    out = dict(BMS=np.where(ok, BMS, np.nan), JMS=np.where(ok, JMS, np.nan),
               EMS=np.where(ok, EMS, np.nan), WMS=np.where(ok, WMS, np.nan),
               F=np.where(defined, F, np.nan), p_value=p, n_targets=n.astype(int),
               k_judges=k.astype(int), defined=defined)
    if squeeze:
        out = {kk: v[0] for kk, v in out.items()}
        forms = {kk: v[0] for kk, v in forms.items()}
        inference = {kk: _squeeze_form(v) for kk, v in inference.items()}
    return ICCResult(values=forms, forms=inference, confidence=confidence, **out)


def _squeeze_form(f: ICCForm) -> ICCForm:
    import dataclasses

    return dataclasses.replace(f, **{name: getattr(f, name)[0] for name in
                                     ("value", "F", "df1", "df2", "df2_ci", "p_value", "ci_low", "ci_high")})


# --------------------------------------------------------------------------------------------
# Dispersion and re-review flags
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dispersion(ResultMixin):
    """Spread of the experts' scores for each project (or cell), along the expert axis.

    Attributes:
        n_experts: number of scores present.
        mean, sd (ddof=1), range (max - min), cv = sd / |mean|.
        cv_defined: False where cv cannot be computed (n < 2 or mean == 0); cv is NaN there.
        review: True where the project needs re-review (复议): n >= 2 and
            sd > sd_max, or range > range_max, or cv > cv_max (each rule only if its threshold
            is given). Projects with fewer than 2 scores are flagged in ``too_few``.
        reasons: {flat index: rules that fired, e.g. ["range>3"] or ["n<2"]} for flagged entries only
            (flat index = position in the C-order flattening of the trailing shape; the project
            index for an (experts, projects) input).
        too_few: fewer than 2 experts — dispersion unknown, also a reason to review.
    """

    n_experts: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    range: np.ndarray
    cv: np.ndarray
    cv_defined: np.ndarray
    review: np.ndarray
    reasons: dict
    too_few: np.ndarray
    thresholds: dict = field(default_factory=dict)


def dispersion(scores, *, sd_max: float | None = None, range_max: float | None = None,
               cv_max: float | None = None) -> Dispersion:
    """Dispersion along axis 0 (experts) of an array (experts, projects[, ...]), NaN = missing."""
    x = as_float_array(scores, "scores")
    if x.ndim < 2:
        raise ShapeError(f"离散度需要 专家×项目 / dispersion needs (experts, projects, ...), got {x.shape}")
    present = ~np.isnan(x)
    n = present.sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.where(n > 0, np.nanmean(x, axis=0), np.nan)
        sd = np.where(n >= 2, np.nanstd(x, axis=0, ddof=1), np.nan)
        rng = np.where(n > 0, np.nanmax(x, axis=0) - np.nanmin(x, axis=0), np.nan)
    cv_ok = (n >= 2) & (np.nan_to_num(mean) != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(cv_ok, sd / np.abs(mean), np.nan)
    rules = []
    if sd_max is not None:
        rules.append((f"sd>{sd_max:g}", (n >= 2) & (np.nan_to_num(sd) > sd_max)))
    if range_max is not None:
        rules.append((f"range>{range_max:g}", (n >= 2) & (np.nan_to_num(rng) > range_max)))
    if cv_max is not None:
        rules.append((f"cv>{cv_max:g}", cv_ok & (np.nan_to_num(cv) > cv_max)))
    too_few = n < 2
    review = np.zeros(n.shape, dtype=bool)
    for _, hit in rules:
        review |= hit
    reasons: dict[int, list[str]] = {}
    for name, hit in rules + [("n<2", too_few)]:      # a handful of rules; lists for flagged entries only
        for j in np.flatnonzero(hit.ravel()):
            reasons.setdefault(int(j), []).append(name)
    return Dispersion(n_experts=n, mean=mean, sd=sd, range=rng, cv=cv, cv_defined=cv_ok,
                      review=review, reasons=reasons, too_few=too_few,
                      thresholds=dict(sd_max=sd_max, range_max=range_max, cv_max=cv_max))


# --------------------------------------------------------------------------------------------
# Expert diagnostics
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExpertDiagnostics(ResultMixin):
    """Per-expert deviation from the leave-one-out (LOO) panel consensus.

    Attributes:
        n_scores: scores given by the expert that have at least one other expert on the same cell.
        bias: mean of d = (x_epi - LOO mean of the others on the cell) / s_i, where s_i is the sd
            of all scores on indicator i (so units are comparable across indicators).
        bias_z: bias / (sd(d) / sqrt(n_scores)) — a one-sample t statistic of the deviations;
            NaN where ``bias_defined`` is False (fewer than 2 deviations or zero spread).
        bias_defined: mask.
        systematic: |bias| >= bias_min and |bias_z| >= z_min (lenient if bias > 0, harsh if < 0).
        flat_share: share of the indicators the expert scored on >= 2 projects where the expert's
            sd across projects is <= flat_sd.
        non_discriminating: flat_share >= flat_share_min (same score for everything).
        corr: mean over indicators of the Pearson correlation (across projects) between the expert
            and the LOO consensus; indicators where it is undefined are skipped; NaN where no
            indicator gives a defined correlation (``corr_defined``).
        erratic: corr_defined and corr < corr_min.
    """

    n_scores: np.ndarray
    bias: np.ndarray
    bias_z: np.ndarray
    bias_defined: np.ndarray
    systematic: np.ndarray
    flat_share: np.ndarray
    non_discriminating: np.ndarray
    corr: np.ndarray
    corr_defined: np.ndarray
    erratic: np.ndarray
    thresholds: dict = field(default_factory=dict)


def _leave_one_out(x: np.ndarray, n: np.ndarray, total: np.ndarray):
    """For a block *x* (E, p, I) and its cells' counts and sums: the scores with 0 for none (x0), 1.0 where
    present (pf) and where another score is on the cell (uf), and the mean of the others on the cell
    (loo, 0 where not usable). Masks are multiplied in: cheaper than selecting, the same numbers."""
    present = ~np.isnan(x)
    x0 = np.where(present, x, 0.0)
    pf = present.astype(float)
    two = n >= 2
    uf = pf * two
    with np.errstate(invalid="ignore", divide="ignore"):
        loo = (total - x0) * uf / np.where(two, n - 1, 1)
    return x0, pf, uf, loo


def expert_diagnostics(scores, *, bias_min: float = 0.5, z_min: float = 2.0, flat_sd: float = 1e-9,
                       flat_share_min: float = 0.8, corr_min: float = 0.3,
                       cells: Cells | None = None) -> ExpertDiagnostics:
    """Flag experts who deviate systematically, do not discriminate, or are erratic (see class doc).

    The cube is read twice, a block of projects at a time: sums, then deviations from their means (the
    leave-one-out consensus comes from the cells). *cells*: :func:`tlr.panel.cells.cells_of` *scores*.
    """
    cube = check_cube(scores)
    E, P, I = cube.shape
    c = cells_of(cube) if cells is None else cells
    blocks = project_blocks(P, E * I)
    # the sd of every score on each indicator, from the cells' sums and squared deviations
    n_i = c.n.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_i = c.total.sum(axis=0) / n_i
        cell_mean = np.where(c.n > 0, c.total / np.maximum(c.n, 1), mean_i)
        s_i = np.sqrt((c.ss + c.n * (cell_mean - mean_i) ** 2).sum(axis=0) / (n_i - 1))
    s_i = np.where(np.nan_to_num(s_i) > 0, s_i, 1.0)
    # pass 1: counts and sums per (expert, indicator)
    cnt, n_ei, xs, ys, x_ei, dev = (np.zeros((E, I)) for _ in range(6))
    for sl in blocks:
        x0, pf, uf, loo = _leave_one_out(cube[:, sl], c.n[sl], c.total[sl])
        cnt += np.einsum("epi->ei", uf)
        n_ei += np.einsum("epi->ei", pf)
        xs += np.einsum("epi,epi->ei", x0, uf)
        ys += np.einsum("epi->ei", loo)
        x_ei += np.einsum("epi->ei", x0)
        dev += np.einsum("epi->ei", (x0 - loo) * uf)
    cnt, n_ei = cnt.astype(np.intp), n_ei.astype(np.intp)
    ns = cnt.sum(axis=1)
    bias = np.where(ns > 0, (dev / s_i).sum(axis=1) / np.maximum(ns, 1), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_ei = np.where(n_ei > 0, x_ei / np.maximum(n_ei, 1), 0.0)
    mx = xs / np.maximum(cnt, 1)
    my = ys / np.maximum(cnt, 1)
    # pass 2: deviations from those means, and of the standardised deviations from the bias
    ss_ei, sxy, sxx, syy = (np.zeros((E, I)) for _ in range(4))
    ss_d = np.zeros(E)
    shift = np.nan_to_num(bias)[:, None, None]
    for sl in blocks:
        x0, pf, uf, loo = _leave_one_out(cube[:, sl], c.n[sl], c.total[sl])
        e = (x0 - mean_ei[:, None, :]) * pf
        ss_ei += np.einsum("epi,epi->ei", e, e)
        dx = (x0 - mx[:, None, :]) * uf
        dy = (loo - my[:, None, :]) * uf
        sxy += np.einsum("epi,epi->ei", dx, dy)
        sxx += np.einsum("epi,epi->ei", dx, dx)
        syy += np.einsum("epi,epi->ei", dy, dy)
        d = ((x0 - loo) / s_i - shift) * uf
        ss_d += np.einsum("epi,epi->e", d, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_ei = np.where(n_ei >= 2, np.sqrt(ss_ei / (n_ei - 1)), np.nan)
    var_d = np.where(ns >= 2, ss_d / np.maximum(ns - 1, 1), np.nan)
    se = np.sqrt(var_d / np.maximum(ns, 1))
    bias_defined = (ns >= 2) & (np.nan_to_num(se) > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        bias_z = np.where(bias_defined, bias / np.where(bias_defined, se, 1.0), np.nan)
    # all deviations identical and non-zero: bias is certain, treat |z| as infinite
    certain = (ns >= 2) & (np.nan_to_num(se) == 0) & (np.nan_to_num(bias) != 0)
    systematic = (np.abs(np.nan_to_num(bias)) >= bias_min) & ((np.abs(np.nan_to_num(bias_z)) >= z_min) | certain)

    # non-discrimination: sd over projects per (expert, indicator)
    rated = n_ei >= 2
    flat = rated & (np.nan_to_num(sd_ei) <= flat_sd)
    n_rated = rated.sum(axis=1)
    flat_share = np.where(n_rated > 0, flat.sum(axis=1) / np.maximum(n_rated, 1), 0.0)
    non_disc = (n_rated > 0) & (flat_share >= flat_share_min)

    # correlation with the LOO consensus per (expert, indicator), across projects
    cdef = (cnt >= 3) & (sxx > 1e-12) & (syy > 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(cdef, sxy / np.sqrt(np.where(cdef, sxx * syy, 1.0)), 0.0)
    nr = cdef.sum(axis=1)
    corr_defined = nr > 0
    corr = np.where(corr_defined, r.sum(axis=1) / np.maximum(nr, 1), np.nan)
    erratic = corr_defined & (np.nan_to_num(corr, nan=1.0) < corr_min)
    return ExpertDiagnostics(n_scores=ns, bias=bias, bias_z=bias_z, bias_defined=bias_defined,
                             systematic=systematic, flat_share=flat_share, non_discriminating=non_disc,
                             corr=corr, corr_defined=corr_defined, erratic=erratic,
                             thresholds=dict(bias_min=bias_min, z_min=z_min, flat_sd=flat_sd,
                                             flat_share_min=flat_share_min, corr_min=corr_min))


# --------------------------------------------------------------------------------------------
# One call for a whole panel
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PanelAgreement(ResultMixin):
    """Agreement statistics of a panel: per indicator and overall.

    ``overall`` statistics use each expert's project total: the weighted mean of the expert's
    scores over indicators (``indicator_weights``, equal by default); a project on which an expert
    missed any indicator has no total for that expert (complete-block rule then applies).
    """

    w_per_indicator: KendallW
    w_overall: KendallW
    icc_per_indicator: ICCResult
    icc_overall: ICCResult


def panel_agreement(scores, indicator_weights=None) -> PanelAgreement:
    """Kendall's W and ICC per indicator and overall for a score cube (experts, projects, indicators).

    Overall: indicators are put on a common footing first by min-max scaling each indicator over
    the whole cube (so a 0-100 indicator does not swamp a 1-5 one), then averaged per expert and
    project with ``indicator_weights``.
    """
    cube = check_cube(scores)
    E, P, I = cube.shape
    w = np.ones(I) if indicator_weights is None else as_float_array(indicator_weights, "indicator_weights", 1)
    if w.shape[0] != I or (w < 0).any() or w.sum() <= 0:
        raise InvalidValueError("指标权重无效 / indicator_weights must be I non-negative numbers with a positive sum")
    lo = np.nanmin(cube, axis=(0, 1))
    hi = np.nanmax(cube, axis=(0, 1))
    span = np.where(np.nan_to_num(hi - lo) > 0, hi - lo, 1.0)
    z = (cube - lo) / span
    total = (z * (w / w.sum())).sum(axis=2)   # NaN if any indicator missing
    return PanelAgreement(w_per_indicator=kendall_w(cube), w_overall=kendall_w(total),
                          icc_per_indicator=icc(cube), icc_overall=icc(total))


# --------------------------------------------------------------------------------------------
# One-way ICC for unbalanced designs (each project scored by its own subset of experts)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OneWayICC(ResultMixin):
    """ICC(1) of a one-way random-effects model with unequal numbers of ratings per target.

    The right agreement statistic when every project is scored by a different subset of experts
    (an assignment design), where two-way forms and Kendall's W have no complete block.

        MSB = sum_i k_i (mean_i - grand)^2 / (n - 1)
        MSW = sum_i sum_j (x_ij - mean_i)^2 / (N - n)
        k0  = (N - sum_i k_i^2 / N) / (n - 1)
        ICC(1) = (MSB - MSW) / (MSB + (k0 - 1) MSW)

    (Searle 1971; Donner 1986, Int. Stat. Rev. 54(1)); with equal k_i it is Shrout & Fleiss' ICC(1,1).
    Targets with fewer than two ratings are left out.

    Attributes:
        icc: ICC(1) per block; NaN where not ``defined``.
        MSB, MSW, k0: the ANOVA quantities.
        n_targets: targets used (with >= 2 ratings); n_ratings: ratings used.
        defined: n_targets >= 2, N > n_targets and MSB + (k0 - 1) MSW > 0.
    """

    icc: np.ndarray
    MSB: np.ndarray
    MSW: np.ndarray
    k0: np.ndarray
    n_targets: np.ndarray
    n_ratings: np.ndarray
    defined: np.ndarray


def icc_oneway(scores, *, cells: Cells | None = None) -> OneWayICC:
    """One-way ICC(1) per block of an (experts, projects[, blocks]) array; NaN = not scored by that expert.

    *cells*: :func:`tlr.panel.cells.cells_of` the 3-D scores, when the caller has them.
    """
    x, squeeze = _blocks(scores, "icc")
    c = cells_of(x) if cells is None else cells
    use = c.n >= 2                                                # targets with two or more ratings
    k = np.where(use, c.n, 0).astype(float)                      # (P, I) ratings per target
    n = use.sum(axis=0).astype(float)                             # (I,)
    N = k.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        tmean = np.where(use, c.total, 0.0) / np.where(k > 0, k, 1.0)
        grand = np.where(use, c.total, 0.0).sum(axis=0) / np.where(N > 0, N, 1.0)
        ssb = (k * (tmean - grand) ** 2).sum(axis=0)
        ssw = np.where(use, c.ss, 0.0).sum(axis=0)
        MSB = ssb / (n - 1)
        MSW = ssw / (N - n)
        k0 = (N - (k ** 2).sum(axis=0) / np.where(N > 0, N, 1.0)) / (n - 1)
        den = MSB + (k0 - 1) * MSW
        value = (MSB - MSW) / den
    defined = (n >= 2) & (N > n) & (den > 0) & np.isfinite(value)
    out = dict(icc=np.where(defined, value, np.nan), MSB=np.where(n >= 2, MSB, np.nan),
               MSW=np.where(N > n, MSW, np.nan), k0=np.where(n >= 2, k0, np.nan), n_targets=n.astype(int),
               n_ratings=N.astype(int), defined=defined)
    if squeeze:
        out = {key: v[0] for key, v in out.items()}
    return OneWayICC(**out)
