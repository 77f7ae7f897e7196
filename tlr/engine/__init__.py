"""tlr.engine — indicator utilities and aggregation (weighted sum, fuzzy comprehensive evaluation, TOPSIS).

``from tlr.engine import utility``; ``from tlr.engine.aggregation import weighted_sum, fce, topsis``.
Formulas and conventions: docs/scoring.md.
"""
