"""Valuation as a range (issue 14): rNPV over readiness stages, the income and cost approaches, Monte Carlo,
tornado. Pure: arrays in, frozen results out; the only file read is the packaged defaults (docs/valuation.md).
"""

from tlr.valuation.stages import Stage, p_reach, remaining

__all__ = ["Stage", "p_reach", "remaining"]
