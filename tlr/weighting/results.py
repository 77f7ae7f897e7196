"""Result objects: frozen dataclasses with documented fields and ``to_dict()``.

结果对象：不可变数据类，字段有文档，可转换为 dict / JSON。
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tlr.numeric.results import ResultMixin
from tlr.numeric.results import jsonable as to_jsonable

__all__ = ["to_jsonable", "Suggestion", "AHPResult", "GroupAHPResult", "FuzzyAHPResult",
           "ObjectiveWeights", "CombinedWeights", "ResultMixin"]


@dataclass(frozen=True)
class Suggestion(ResultMixin):
    """One repair suggestion for an inconsistent pairwise matrix (修改建议).

    Attributes
    ----------
    i, j : 0-based row / column of the judgement a_ij (always i < j; a_ji is its reciprocal).
    row, column : labels of row i and column j (or "1-based" numbers as strings).
    current : the judgement as given, a_ij.
    suggested : w_i / w_j, the value consistent with the priorities derived from the whole matrix.
    suggested_scale : ``suggested`` rounded to the nearest value of Saaty's 1-9 scale (1/9 ... 9)
        in log space, i.e. a value an expert can actually enter.
    deviation : a_ij * w_j / w_i; 1 means consistent, 3 means "three times too strong".
    cr_after, cr_after_scale : the CR of the matrix after replacing a_ij (and a_ji) by
        ``suggested`` / ``suggested_scale``, all other judgements unchanged.
    gci_after : the geometric consistency index after the exact repair.
    """

    rank: int
    i: int
    j: int
    row: str
    column: str
    current: float
    suggested: float
    suggested_scale: float
    deviation: float
    cr_after: float
    cr_after_scale: float
    gci_after: float


@dataclass(frozen=True)
class AHPResult(ResultMixin):
    """Priorities and consistency of one pairwise matrix, or of a stack of k matrices.

    For a single (n, n) matrix the numeric fields are floats and ``weights`` has shape (n,);
    for a stack (k, n, n) they are arrays of shape (k,) and ``weights`` has shape (k, n).

    Attributes
    ----------
    weights : priorities, each row sums to 1 (权重).
    lambda_max : principal (Perron) eigenvalue of the matrix (completed matrix when judgements
        were missing). Computed for both methods, so CR is comparable across methods.
    ci : consistency index (lambda_max - n) / (n - 1); 0 for n <= 2.
    cr : consistency ratio CI / RI(n) with RI from ``ri_table``; defined as 0 for n <= 2, where every
        reciprocal matrix is consistent.
    ri : the RI(n) value used.
    gci : geometric consistency index (Aguarón & Moreno-Jiménez 2003) of the row-geometric-mean
        priorities; 0 for n <= 2.
    consistent : for method "eigenvector", CR <= threshold; for "geometric_mean", GCI <= threshold.
    method : "eigenvector" or "geometric_mean".
    ri_table : id of the random-index table (see ``tlr.weighting.RI_TABLES``).
    threshold : the acceptance threshold actually applied (CR or GCI, see ``consistency_measure``).
    threshold_source : where the threshold comes from ("Saaty 1994 ..." / "Aguarón & Moreno-Jiménez 2003"
        / "user").
    consistency_measure : "cr" or "gci".
    n : matrix order.
    labels : item labels (None if not given).
    suggestions : ranked repair suggestions (single matrix only; empty for stacks and n <= 2).
    repair_plan : for an inconsistent single matrix, a greedy sequence of edits (values on Saaty's scale)
        that brings it under the threshold, with the CR after each cumulative step (see
        ``tlr.weighting.diagnostics.repair_plan``); empty otherwise.
    missing : how missing judgements were handled ("none", "harker", "optimal").
    completed : the matrix actually used (missing judgements filled in, reciprocity reconciled).
    iterations : power-iteration steps (maximum over the stack; 0 for geometric mean only).
    warnings : non-fatal findings (e.g. judgements outside 1/9..9), one line each.
    """

    weights: np.ndarray
    lambda_max: Any
    ci: Any
    cr: Any
    ri: float
    gci: Any
    consistent: Any
    method: str
    ri_table: str
    threshold: Any
    threshold_source: str
    consistency_measure: str
    n: int
    labels: tuple[str, ...] | None = None
    suggestions: tuple[Suggestion, ...] = ()
    repair_plan: tuple[Suggestion, ...] = ()
    missing: str = "none"
    completed: np.ndarray | None = field(default=None, repr=False)
    iterations: int = 0
    warnings: tuple[str, ...] = ()

    _exclude = ("completed",)

    def to_dict(self) -> dict:
        d = super().to_dict()
        d["completed"] = to_jsonable(self.completed) if self.missing != "none" else None
        return d


@dataclass(frozen=True)
class GroupAHPResult(ResultMixin):
    """Group (panel) AHP result.

    Attributes
    ----------
    weights : group priorities (n,).
    aggregation : "aij" (aggregate individual judgements, weighted geometric mean) or "aip"
        (aggregate individual priorities).
    aip_mean : for AIP, "geometric" (normalised weighted geometric mean) or "arithmetic".
    expert_weights : normalised expert weights actually used (excluded experts get 0).
    individual : per-expert AHPResult for the whole stack (weights (k, n), cr (k,), ...).
    included : bool per expert, False if screened out by ``screen``.
    group : AHPResult of the aggregated matrix (AIJ only, else None).
    consensus : consensus indicator in [0, 1], 1 = identical individual priorities
        (see ``tlr.weighting.group.consensus_index``).
    influence : per expert, the largest absolute change of any group weight when that expert is
        left out (leave-one-out); ``most_influential`` is its argmax.
    combined : (n, n) the combined judgement matrix: element-wise weighted geometric mean of the included
        experts' judgements (Aczél & Saaty 1983). For AIJ the group priorities are derived from it; for AIP
        it is shown for reference only (AIP aggregates the priorities, not the judgements).
    """

    weights: np.ndarray
    aggregation: str
    aip_mean: str | None
    method: str
    expert_weights: np.ndarray
    included: np.ndarray
    individual: AHPResult
    group: AHPResult | None
    consensus: float
    influence: np.ndarray
    most_influential: int
    labels: tuple[str, ...] | None = None
    screen: float | None = None
    combined: np.ndarray | None = None


@dataclass(frozen=True)
class FuzzyAHPResult(ResultMixin):
    """Fuzzy AHP result: Buckley (1985) geometric mean or Chang (1996) extent analysis.

    Attributes
    ----------
    fuzzy_weights : (n, 3) triangular fuzzy weights (l, m, u) for Buckley; for Chang the fuzzy synthetic
        extents S_i.
    weights : crisp weights, sum 1. Buckley: centroid (l + m + u) / 3 of each fuzzy weight, normalised;
        Chang: d(i) = min_k V(S_i >= S_k), normalised.
    defuzzification : Buckley: "centroid" (or "graded_mean" = (l + 4m + u) / 6), normalised; Chang:
        "possibility".
    crisp_check : AHPResult (eigenvector) of the matrix of middle values m, for consistency.
    method : "buckley" or "chang".
    possibility : Chang only, (n, n) V(S_i >= S_k) (diagonal 1); None for Buckley.
    zero_weights : Chang only, labels (or 1-based numbers) of the criteria whose weight is 0 — extent
        analysis then ignores them entirely (Wang, Luo & Hua 2008).
    warnings : one line per non-fatal finding (the zero-weight warning).
    """

    fuzzy_weights: np.ndarray
    weights: np.ndarray
    defuzzification: str
    crisp_check: AHPResult
    labels: tuple[str, ...] | None = None
    method: str = "buckley"
    possibility: np.ndarray | None = None
    zero_weights: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectiveWeights(ResultMixin):
    """Objective weights computed from a decision matrix (alternatives x criteria).

    Attributes
    ----------
    weights : (m,) criterion weights, sum 1.
    method : "entropy" or "critic".
    cohort : description of the alternatives the weights came from (objective weights change
        when the cohort changes, so it must be recorded).
    n_alternatives : number of rows used.
    details : method-specific intermediate quantities (entropy e_j and divergence d_j; or
        std sigma_j, conflict and information C_j).
    """

    weights: np.ndarray
    method: str
    cohort: str | None
    n_alternatives: int
    details: dict
    labels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CombinedWeights(ResultMixin):
    """Combination of subjective (e.g. AHP) and objective weights.

    Attributes
    ----------
    weights : combined weights, sum 1.
    rule : "linear" (alpha * w_s + (1 - alpha) * w_o) or "multiplicative" (w_s * w_o, normalised).
    alpha : subjective share for the linear rule (None for multiplicative).
    subjective, objective : the inputs (normalised).
    objective_method, cohort : echoed from the ObjectiveWeights if one was given.
    """

    weights: np.ndarray
    rule: str
    alpha: float | None
    subjective: np.ndarray
    objective: np.ndarray
    objective_method: str | None
    cohort: str | None
    labels: tuple[str, ...] | None = None
