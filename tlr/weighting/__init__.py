"""Weighting engine: AHP priorities, consistency, repairs, groups, fuzzy AHP, objective weights.

权重引擎：层次分析法权重与一致性、修改建议、群决策、模糊 AHP、客观赋权与组合赋权、层次合成。

Pure functions over numpy arrays; every AHP function accepts one matrix (n, n) or a stack
(k, n, n). Importing this package does not import pandas or scipy.
"""

from .ahp import (BLOCK, METHODS, ahp, consistency_index, consistency_ratio, cr_threshold, eigenvector,
                  gci, gci_threshold, geometric_mean)
from .diagnostics import deviation_matrix, repair_plan, repair_suggestions, snap_to_scale
from .incomplete import check_connected, harker_complete, llsm_complete, optimal_completion
from .results import (AHPResult, CombinedWeights, FuzzyAHPResult, GroupAHPResult, ObjectiveWeights,
                      Suggestion, to_jsonable)
from .ri import DEFAULT_RI_TABLE, RI_TABLES, RITable, ri_value
from .validate import SAATY_SCALE, check_pairwise, reciprocal_from_upper
from .group import aggregate_judgements, aggregate_priorities, consensus_index, group_ahp
from .hierarchy import global_weights
from .fuzzy import TFN_SCALE, defuzzify, extent_analysis, fuzzy_ahp, possibility, tfn_from_crisp
from .objective import combine_weights, critic_weights, entropy_weights

__all__ = [
    "ahp", "eigenvector", "geometric_mean", "gci", "consistency_index", "consistency_ratio", "cr_threshold",
    "gci_threshold", "METHODS", "BLOCK",
    "repair_suggestions", "repair_plan", "deviation_matrix", "snap_to_scale",
    "check_connected", "harker_complete", "llsm_complete", "optimal_completion",
    "AHPResult", "Suggestion", "GroupAHPResult", "FuzzyAHPResult", "ObjectiveWeights", "CombinedWeights",
    "to_jsonable", "RI_TABLES", "DEFAULT_RI_TABLE", "RITable", "ri_value",
    "SAATY_SCALE", "check_pairwise", "reciprocal_from_upper",
    "group_ahp", "aggregate_judgements", "aggregate_priorities", "consensus_index",
    "global_weights", "fuzzy_ahp", "defuzzify", "TFN_SCALE", "tfn_from_crisp", "extent_analysis", "possibility",
    "entropy_weights", "critic_weights", "combine_weights",
]
