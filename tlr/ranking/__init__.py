"""tlr.ranking — ranks, tiers, knock-outs, support routes, rank stability, sensitivity, selection, explain.

Sub-modules: ``tiers``, ``robustness``, ``sensitivity``, ``selection``, ``explain``.
Formulas and conventions: docs/scoring.md.
"""
