"""Aggregation of indicator utilities into one composite per project.

* :func:`weighted_sum`  hierarchical weighted sum with global leaf weights, plus dimension scores.
* :func:`fce`           fuzzy comprehensive evaluation (模糊综合评价): B = A ∘ R, normalised, score B·V.
* :func:`topsis`        TOPSIS (Hwang & Yoon 1981) with vector normalisation.

All three work on blocks of projects (``chunk`` rows at a time) so that 1,000,000 projects fit in
bounded memory; results are identical whatever the chunk size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tlr.numeric.arrays import as_float_array, project_blocks
from tlr.numeric.errors import InvalidValueError, MissingValueError, ShapeError
from tlr.numeric.results import ResultMixin

DEFAULT_CHUNK = 131_072


def _weights(w, n: int, name: str = "weights", normalise: bool = True) -> np.ndarray:
    w = as_float_array(w, name, ndim=1)
    if w.shape[0] != n:
        raise ShapeError(f"{name} 长度 {w.shape[0]} ≠ {n} / {name} has {w.shape[0]} entries, expected {n}")
    if np.isnan(w).any() or (w < 0).any() or w.sum() <= 0:
        raise InvalidValueError(f"{name} 须为非负且和为正 / {name} must be non-negative with a positive sum")
    return w / w.sum() if normalise else w


# --------------------------------------------------------------------------------------------
# Weighted sum
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompositeResult(ResultMixin):
    """Weighted-sum composite.

    Attributes:
        composite: (projects,) sum_l w_l u_pl with the global leaf weights normalised to sum 1;
            NaN exactly where ``incomplete`` and missing="flag".
        dimension_scores: (projects, dimensions) sum_{l in d} w_l u_pl / sum_{l in d} w_l, or None;
            NaN where the dimension has a missing leaf ("flag") or no applicable/present leaf
            (see ``dimension_defined``).
        dimension_defined: mask matching ``dimension_scores`` (None if no dimensions).
        incomplete: mask of projects with at least one missing (NaN) leaf utility.
        missing_leaves: (projects,) number of missing leaves.
        weights: the normalised global leaf weights used.
        missing: the policy used: "error", "flag" or "renormalize".
    """

    composite: np.ndarray
    dimension_scores: np.ndarray | None
    dimension_defined: np.ndarray | None
    incomplete: np.ndarray
    missing_leaves: np.ndarray
    weights: np.ndarray
    missing: str = "error"

    def to_frame(self, project_ids=None, dimension_ids=None):
        import pandas as pd

        df = pd.DataFrame({"composite": self.composite, "incomplete": self.incomplete},
                          index=project_ids)
        if self.dimension_scores is not None:
            D = self.dimension_scores.shape[1]
            names = list(dimension_ids) if dimension_ids is not None else [f"dim{d}" for d in range(D)]
            for d, name in enumerate(names):
                df[name] = self.dimension_scores[:, d]
        return df


def weighted_sum(utilities, weights, *, dimensions=None, missing: str = "error", applicable=None,
                 chunk: int = DEFAULT_CHUNK) -> CompositeResult:
    """Composite = U @ w over leaves, and per-dimension scores.

    Args:
        utilities: (projects, leaves) utilities in [0, 1] (NaN = missing).
        weights: (leaves,) global leaf weights (product of the local weights down the tree);
            normalised to sum 1 here.
        dimensions: optional (leaves,) integer dimension index of each leaf (0..D-1).
        missing: "error" (default) raises MissingValueError naming the projects; "flag" leaves the
            composite NaN and marks ``incomplete``; "renormalize" uses the weights of the leaves
            present (renormalised) and marks ``incomplete``.
        applicable: optional (projects, leaves) bool; False = the indicator does not apply to the
            project (e.g. not for its achievement type). Such leaves are left out and the weights
            of the applicable leaves renormalised for that project — this is by design, not a
            missing value; the ``missing`` policy concerns applicable leaves only. A project with no
            applicable leaf raises.
        chunk: projects per block.
    """
    U = as_float_array(utilities, "utilities", ndim=2)
    P, L = U.shape
    w = _weights(weights, L)
    if missing not in ("error", "flag", "renormalize"):
        raise InvalidValueError(f"未知的缺失策略 {missing!r} / unknown missing policy {missing!r}")
    app = None
    if applicable is not None:
        app = np.asarray(applicable, dtype=bool)
        if app.shape != (P, L):
            raise ShapeError(f"适用性矩阵应为 {(P, L)} / applicable must have shape {(P, L)}, got {app.shape}")
        none = ~app.any(axis=1)
        if none.any():
            raise InvalidValueError(f"项目没有任何适用指标 / projects with no applicable indicator: "
                                    f"{np.flatnonzero(none)[:10].tolist()}")
    dim = None
    D = 0
    if dimensions is not None:
        dim = np.asarray(dimensions)
        if dim.shape != (L,) or dim.dtype.kind not in "iu" or (dim < 0).any():
            raise ShapeError("dimensions 须为每个叶指标的非负整数维度编号 / dimensions must be one non-negative "
                             "integer per leaf")
        D = int(dim.max()) + 1
        M = np.zeros((L, D))
        M[np.arange(L), dim] = 1.0
        wd = w @ M
        if (wd <= 0).any():
            raise InvalidValueError("某维度权重为零 / a dimension has zero total weight")
    comp = np.empty(P)
    nmiss = np.empty(P, dtype=np.int64)
    dims = np.empty((P, D)) if D else None
    for s in range(0, P, max(1, chunk)):
        blk = U[s:s + chunk]
        ap = None if app is None else app[s:s + chunk]
        nanm = np.isnan(blk) if ap is None else np.isnan(blk) & ap
        nm = nanm.sum(axis=1)
        nmiss[s:s + chunk] = nm
        if missing == "error" and nm.any():
            bad = (np.flatnonzero(nm) + s)[:10].tolist()
            raise MissingValueError(
                f"项目缺少指标效用 / projects with missing indicator utilities: {bad}",
                hint="score the missing indicators, or choose missing='flag' or 'renormalize' explicitly")
        use = ~np.isnan(blk) if ap is None else ~np.isnan(blk) & ap       # leaves that count
        b0 = np.where(use, blk, 0.0)
        if ap is None and missing != "renormalize":
            c = np.where(nm > 0, np.nan, b0 @ w)
        else:
            # denominators: applicable leaves ("flag"/"error") or applicable and present ("renormalize")
            wp = (use if missing == "renormalize" else (ap if ap is not None else np.ones_like(use))) @ w
            c = np.where(wp > 0, (b0 @ w) / np.where(wp > 0, wp, 1.0), np.nan)
            if missing != "renormalize":
                c = np.where(nm > 0, np.nan, c)
        comp[s:s + chunk] = c
        if D:
            wm = w[:, None] * M
            num = b0 @ wm
            if missing == "renormalize":
                den = use @ wm
            elif ap is not None:
                den = ap @ wm
            else:
                den = np.broadcast_to(wd, num.shape)
            miss_d = (nanm @ M > 0) if missing != "renormalize" else np.zeros(num.shape, bool)
            dims[s:s + chunk] = np.where(miss_d | (den <= 0), np.nan, num / np.where(den > 0, den, 1.0))
    return CompositeResult(composite=comp, dimension_scores=dims,
                           dimension_defined=None if dims is None else ~np.isnan(dims), incomplete=nmiss > 0,
                           missing_leaves=nmiss, weights=w, missing=missing)


@dataclass(frozen=True)
class ExpertComposites(ResultMixin):
    """Each expert's own composite of each project (for dispersion / re-review and bootstraps).

    Attributes:
        composite: (experts, projects) sum_l w_l u_epl / sum_{l present} w_l — weights renormalised
            over the leaves the expert scored; NaN exactly where ``scored`` is False.
        scored: mask (experts, projects), the expert scored at least one leaf of the project.
        coverage: (experts, projects) share of the total weight the expert actually scored (1 = all).
    """

    composite: np.ndarray
    scored: np.ndarray
    coverage: np.ndarray


def expert_composites(utilities, weights) -> ExpertComposites:
    """Per-expert composites from per-expert leaf utilities (experts, projects, leaves), NaN = missing.

    Use ``coverage`` to spot composites resting on few indicators (e.g. require coverage == 1).
    Computed in blocks of projects, each (expert, project) on its own: the same numbers whatever the blocks.
    """
    X = as_float_array(utilities, "utilities", ndim=3)
    E, P, L = X.shape
    w = _weights(weights, L)
    cov = np.empty((E, P))
    num = np.empty((E, P))
    for sl in project_blocks(P, E * L):
        present = ~np.isnan(X[:, sl])
        cov[:, sl] = np.einsum("epl,l->ep", present.astype(float), w)
        num[:, sl] = np.einsum("epl,l->ep", np.where(present, X[:, sl], 0.0), w)
    comp = np.where(cov > 0, num / np.where(cov > 0, cov, 1.0), np.nan)
    return ExpertComposites(composite=comp, scored=cov > 0, coverage=cov)


# --------------------------------------------------------------------------------------------
# Fuzzy comprehensive evaluation
# --------------------------------------------------------------------------------------------
FCE_OPERATORS = ("weighted_average", "bounded_sum", "min_max", "product_max")


@dataclass(frozen=True)
class FCEResult(ResultMixin):
    """Fuzzy comprehensive evaluation.

    Attributes:
        B: (projects, grades) grade vector B = A ∘ R before normalisation.
        B_normalised: B / sum(B) (rows sum to 1); NaN rows exactly where ``degenerate``.
        score: B_normalised · grade_values; NaN exactly where ``degenerate``.
        grade: index of the largest membership in B (maximum-membership principle; first on ties);
            -1 where ``degenerate``.
        degenerate: mask of projects whose B sums to 0 (no membership at all).
        operator: the composition operator used.
    """

    B: np.ndarray
    B_normalised: np.ndarray
    score: np.ndarray
    grade: np.ndarray
    degenerate: np.ndarray
    operator: str
    grade_values: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class Memberships(ResultMixin):
    """Membership matrix R from the experts' grade votes.

    Attributes:
        R: (projects, indicators, grades) r_pjk = share of the experts present on (p, j) who put
            the project in grade k; rows of zeros exactly where ``n_votes`` == 0.
        n_votes: (projects, indicators) number of experts behind each row.
        empty: mask of (project, indicator) cells without any vote.
    """

    R: np.ndarray
    n_votes: np.ndarray
    empty: np.ndarray


def memberships_from_grades(grades, n_grades: int) -> Memberships:
    """Build R from grade votes: ``grades[e, p, j]`` in {0, ..., n_grades - 1} (NaN = no vote).

    This is the usual FCE statistics step (专家评判频率法): r_pjk = #{e : grade_epj = k} / n_pj.
    """
    G = as_float_array(grades, "grades", ndim=3)
    ok = ~np.isnan(G)
    gv = np.nan_to_num(G, nan=0.0)
    if (gv != np.round(gv)).any() or (ok & ((gv < 0) | (gv >= n_grades))).any():
        raise InvalidValueError(f"等级编号须为 0..{n_grades - 1} 的整数 / grades must be integers 0..{n_grades - 1}")
    counts = (ok[..., None] & (gv[..., None] == np.arange(n_grades))).sum(axis=0).astype(float)
    n = ok.sum(axis=0)
    R = counts / np.maximum(n, 1)[..., None]
    return Memberships(R=R, n_votes=n, empty=n == 0)


def fce(memberships, weights, grade_values, *, operator: str = "weighted_average",
        chunk: int = 16_384) -> FCEResult:
    """Fuzzy comprehensive evaluation of every project.

    Args:
        memberships: R, (projects, indicators, grades) or (indicators, grades) for one project;
            r_ijk in [0, 1] is the degree to which project i on indicator j belongs to grade k.
        weights: A, (indicators,) normalised to sum 1.
        grade_values: V, (grades,) the value of each grade (e.g. 95, 85, 75, 65, 50).
        operator:
            ``weighted_average``  M(·, +):  b_k = sum_j a_j r_jk (default; uses all information).
            ``bounded_sum``       M(·, ⊕):  b_k = min(1, sum_j a_j r_jk).
            ``min_max``           M(∧, ∨):  b_k = max_j min(a_j, r_jk) (Zadeh; main factor decides).
            ``product_max``       M(·, ∨):  b_k = max_j a_j r_jk.
    """
    R = as_float_array(memberships, "memberships")
    single = R.ndim == 2
    if single:
        R = R[None]
    if R.ndim != 3:
        raise ShapeError(f"隶属度矩阵应为 项目×指标×等级 / memberships must be (projects, indicators, grades), got {R.shape}")
    P, J, K = R.shape
    if np.isnan(R).any():
        raise MissingValueError("隶属度矩阵含缺失值 / membership matrix contains NaN",
                                hint="every indicator needs a membership vector")
    if (R < 0).any() or (R > 1 + 1e-12).any():
        raise InvalidValueError("隶属度须在 [0, 1] / memberships must lie in [0, 1]")
    a = _weights(weights, J)
    V = as_float_array(grade_values, "grade_values", ndim=1)
    if V.shape[0] != K or np.isnan(V).any():
        raise ShapeError(f"等级分值个数 {V.shape[0]} ≠ 等级数 {K} / grade_values must have one value per grade")
    if operator not in FCE_OPERATORS:
        raise InvalidValueError(f"未知算子 {operator!r} / unknown operator {operator!r}; one of {FCE_OPERATORS}")
    B = np.empty((P, K))
    for s in range(0, P, max(1, chunk)):
        r = R[s:s + chunk]
        if operator == "weighted_average":
            B[s:s + chunk] = np.einsum("j,pjk->pk", a, r)
        elif operator == "bounded_sum":
            B[s:s + chunk] = np.minimum(1.0, np.einsum("j,pjk->pk", a, r))
        elif operator == "min_max":
            B[s:s + chunk] = np.minimum(a[None, :, None], r).max(axis=1)
        else:
            B[s:s + chunk] = (a[None, :, None] * r).max(axis=1)
    tot = B.sum(axis=1)
    deg = tot <= 0
    Bn = np.where(deg[:, None], np.nan, B / np.where(deg, 1.0, tot)[:, None])
    score = np.where(deg, np.nan, np.nan_to_num(Bn) @ V)
    grade = np.where(deg, -1, B.argmax(axis=1))
    if single:
        return FCEResult(B=B[0], B_normalised=Bn[0], score=score[0], grade=grade[0], degenerate=deg[0],
                         operator=operator, grade_values=V)
    return FCEResult(B=B, B_normalised=Bn, score=score, grade=grade, degenerate=deg, operator=operator,
                     grade_values=V)


# --------------------------------------------------------------------------------------------
# TOPSIS
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TopsisResult(ResultMixin):
    """TOPSIS with vector normalisation.

    Attributes:
        closeness: C_i = S_i^- / (S_i^+ + S_i^-) in [0, 1]; NaN exactly where ``degenerate``.
        ranks: 1 = highest closeness; ties share the smallest rank (1, 2, 2, 4); 0 where ``degenerate``.
        d_best: S_i^+, Euclidean distance to the positive ideal solution.
        d_worst: S_i^-, Euclidean distance to the negative ideal solution.
        ideal, anti_ideal: the weighted normalised ideal and anti-ideal points (per criterion).
        degenerate: mask where S^+ + S^- = 0 (every alternative identical on every criterion).
        benefit: (criteria,) True = higher is better, False = cost criterion.
        weights: the weights used, normalised to sum 1.
        normalisation: "vector" (r_ij = x_ij / sqrt(sum_i x_ij^2), Hwang & Yoon 1981).
    """

    closeness: np.ndarray
    d_best: np.ndarray
    d_worst: np.ndarray
    ideal: np.ndarray
    anti_ideal: np.ndarray
    degenerate: np.ndarray
    ranks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    benefit: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    normalisation: str = "vector"


def competition_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks by descending value, 1 = best; equal values share the smallest rank; NaN gets 0."""
    v = np.asarray(values, dtype=float)
    out = np.zeros(v.shape[0], dtype=np.int64)
    ok = ~np.isnan(v)
    if ok.any():
        vals = v[ok]     # rank = 1 + how many values are strictly larger
        out[ok] = 1 + np.searchsorted(np.sort(-vals), -vals, side="left")
    return out


def topsis(matrix, weights, benefit=None, *, chunk: int = DEFAULT_CHUNK, alternatives=None,
           criteria=None) -> TopsisResult:
    """TOPSIS on a raw decision matrix (Hwang & Yoon 1981, ch. 3.3.2).

    r_ij = x_ij / sqrt(sum_i x_ij^2);  v_ij = w_j r_ij;  A+ = best v per criterion (max for
    benefit, min for cost), A- = worst;  S_i± = ||v_i - A±||_2;  C_i = S_i^- / (S_i^+ + S_i^-).

    Args:
        matrix: (alternatives, criteria) raw values in any units, no NaN (a missing value raises
            MissingValueError naming its row and criterion).
        weights: (criteria,) non-negative, normalised to sum 1 here.
        benefit: (criteria,) bool, True = higher is better, False = a cost criterion (default all True).
        alternatives, criteria: optional names used in error messages.
    Two passes over blocks of ``chunk`` rows: column norms and extremes, then distances.
    """
    X = as_float_array(matrix, "matrix", ndim=2)
    P, C = X.shape
    if P == 0:
        raise ShapeError("TOPSIS 需要至少一个方案 / TOPSIS needs at least one alternative")
    w = _weights(weights, C)
    ben = np.ones(C, bool) if benefit is None else np.asarray(benefit, bool)
    if ben.shape != (C,):
        raise ShapeError("benefit 须为每个准则一个布尔值 / benefit must be one bool per criterion")

    def crit_name(j: int) -> str:
        return str(criteria[j]) if criteria is not None else f"criterion {j + 1}"

    ss = np.zeros(C)
    mx = np.full(C, -np.inf)
    mn = np.full(C, np.inf)
    for s in range(0, P, max(1, chunk)):
        blk = X[s:s + chunk]
        bad = ~np.isfinite(blk)
        if bad.any():
            i, j = map(int, np.argwhere(bad)[0])
            who = str(alternatives[s + i]) if alternatives is not None else f"row {s + i + 1}"
            n_bad = int((~np.isfinite(X)).sum())
            raise MissingValueError(
                f"TOPSIS 决策矩阵有缺失值 / missing value in the decision matrix: {who}, {crit_name(j)}"
                + (f" (共 {n_bad} 处 / {n_bad} cells in all)" if n_bad > 1 else ""),
                hint="补全该值，或去掉该方案 / fill it in, or leave the alternative out")
        ss += (blk ** 2).sum(axis=0)
        mx = np.maximum(mx, blk.max(axis=0))
        mn = np.minimum(mn, blk.min(axis=0))
    norm = np.sqrt(ss)
    if (norm == 0).any():
        raise InvalidValueError(f"准则列全为零，无法向量归一化 / all-zero criterion column(s): "
                                f"{', '.join(crit_name(int(j)) for j in np.flatnonzero(norm == 0))}")
    scale = w / norm                      # same product as for the rows, so ideal points are exact
    vmax = mx * scale
    vmin = mn * scale
    ideal = np.where(ben, vmax, vmin)
    anti = np.where(ben, vmin, vmax)
    dp = np.empty(P)
    dm = np.empty(P)
    for s in range(0, P, max(1, chunk)):
        v = X[s:s + chunk] * scale
        dp[s:s + chunk] = np.sqrt(((v - ideal) ** 2).sum(axis=1))
        dm[s:s + chunk] = np.sqrt(((v - anti) ** 2).sum(axis=1))
    tot = dp + dm
    deg = tot <= 0
    cl = np.where(deg, np.nan, dm / np.where(deg, 1.0, tot))
    return TopsisResult(closeness=cl, d_best=dp, d_worst=dm, ideal=ideal, anti_ideal=anti, degenerate=deg,
                        ranks=competition_ranks(cl), benefit=ben.copy(), weights=w, normalisation="vector")
