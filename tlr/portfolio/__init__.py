"""Portfolios across pools and years: an exact mixed-integer program (pure: arrays in, frozen results out).

* :mod:`tlr.portfolio.problem` — the problem (pools, years, tranches, quotas, dependencies, exclusions,
  partial funding, must-include/exclude) as arrays, checked.
* :mod:`tlr.portfolio.solve` — the program solved exactly with HiGHS (``scipy.optimize.milp``), gap reported.
* :mod:`tlr.portfolio.conflicts` — when infeasible, an irreducible set of *named* constraints that conflict.
* :mod:`tlr.portfolio.frontier` — the efficient frontier (budget scale -> best value), value-for-money data.
* :mod:`tlr.portfolio.tranches` — staged tranches: the budget use per year, expected or worst case.
* :mod:`tlr.portfolio.spec` — ``portfolio.yaml`` (the committee's constraints), located errors.

The program is written out in docs/portfolio.md.
"""

from __future__ import annotations

__all__ = ["conflicts", "frontier", "problem", "solve", "spec", "tranches"]
