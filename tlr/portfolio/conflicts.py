"""Name the constraints that conflict when a portfolio problem has no solution.

A deletion filter over the *named* constraint groups (budgets per pool and year, each quota bound, each
dependency, exclusion, must-include and must-exclude; :data:`tlr.portfolio.problem.GROUPS`): start from all
groups (infeasible); drop one group at a time, keeping it dropped when what is left is still infeasible. What
remains is an irreducible infeasible subset (IIS): these constraints cannot all hold, and dropping any one of
them removes this conflict (there may be another). The structural rules — a pool funds only what its mandate
admits, one pool per project, partial shares — always hold and are not part of the search.

Each test is a feasibility MILP (no objective) on the same columns; groups are tried in the order of
:data:`ORDER` (budgets first: they are the last thing a committee would want named when a rule it wrote also
explains the clash), so the set named is the one that keeps budgets out whenever it can.
"""

from __future__ import annotations

import numpy as np

ORDER = ("budget", "quota_max", "exclusion", "exclude", "needs", "quota_min", "include")


def irreducible(model, *, time_limit: float | None = 60.0) -> tuple[tuple, int]:
    """An irreducible infeasible subset of *model*'s named groups, and the number of MILPs solved.

    Returns ``((), solves)`` when the problem is infeasible even without any named group (cannot happen with
    the rows :func:`tlr.portfolio.solve.build` makes: all-zero is always structurally feasible).
    """
    from tlr.portfolio.solve import run

    groups = list(dict.fromkeys(r[4] for r in model.rows if r[4] is not None))
    groups.sort(key=lambda g: ORDER.index(g[0]))
    zero = np.zeros(model.n)
    solves = 0

    def infeasible(active) -> bool:
        nonlocal solves
        solves += 1
        return run(model, zero, active=set(active), gap=1.0, time_limit=time_limit)[0] == "infeasible"

    if not infeasible(groups):
        return (), solves
    keep = list(groups)
    for g in groups:
        trial = [h for h in keep if h != g]
        if infeasible(trial):
            keep = trial
    return tuple(keep), solves
