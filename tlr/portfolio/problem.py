"""The portfolio problem as arrays: what :func:`tlr.portfolio.solve.solve` optimises (docs/portfolio.md).

Indices: projects ``i`` (P), pools ``k`` (K), years ``t`` (T). Every constraint the committee sets has a *name*
(a tuple key, :data:`GROUPS`) so an infeasible problem can name the ones in conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tlr.numeric.errors import InvalidValueError, ShapeError
from tlr.numeric.results import ResultMixin

OBJECTIVES = ("sum", "ratio")      # maximise Σ v·y, or Σ v·y / Σ c·y (value for money, exact)
MEASURES = ("count", "money", "share")
# the named constraint groups, as keys: ("budget", k, t), ("quota_min", q), ("quota_max", q), ("needs", d),
# ("exclusion", e), ("include", i), ("exclude", i)
GROUPS = ("budget", "quota_min", "quota_max", "needs", "exclusion", "include", "exclude")


@dataclass(frozen=True)
class Quota(ResultMixin):
    """A lower and/or upper bound on a group of projects (an industry, a route, a region, or all).

    ``count``: number funded; ``money``: committed 万元 (Σ ticket × share, full tranches); ``share``: that money
    as a fraction of all money committed (``min``/``max`` in [0, 1]).
    """

    name: str
    members: np.ndarray          # (P,) bool
    measure: str = "count"
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Problem(ResultMixin):
    """One portfolio problem.

    Attributes:
        values: (P,) value of funding project i in full (NaN: no value, never chosen).
        costs: (P,) ticket in 万元 (committed money; partial funding commits ``share × ticket``).
        spend: (P, T) budget use per year if funded in full (expected or worst case, :mod:`tranches`).
        budgets: (K, T) budget of pool k in year t (万元).
        eligible: (P, K) the pool's mandate admits the project.
        min_share: (P,) 1 = all or nothing; below 1: may be funded partially, at least this share.
        quotas, needs ((i, j): i only if j), exclusions (at most one of each set), include, exclude.
        objective: ``sum`` or ``ratio``.
    """

    values: np.ndarray
    costs: np.ndarray
    spend: np.ndarray
    budgets: np.ndarray
    eligible: np.ndarray
    min_share: np.ndarray
    quotas: tuple[Quota, ...] = ()
    needs: tuple[tuple[int, int], ...] = ()
    exclusions: tuple[tuple[int, ...], ...] = ()
    include: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()
    objective: str = "sum"
    spend_full: np.ndarray | None = None    # (P, T) every tranche in full (reported beside the counted use)

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.values.shape[0], self.budgets.shape[0], self.budgets.shape[1]

    def with_budgets(self, budgets) -> Problem:
        import dataclasses

        return dataclasses.replace(self, budgets=np.asarray(budgets, float))

    def with_include(self, i: int) -> Problem:
        import dataclasses

        return dataclasses.replace(self, include=tuple(self.include) + (int(i),))

    def groups(self) -> list[tuple]:
        """Every named constraint group of this problem."""
        P, K, T = self.shape
        out: list[tuple] = [("budget", k, t) for k in range(K) for t in range(T)]
        for q, quota in enumerate(self.quotas):
            if quota.min is not None:
                out.append(("quota_min", q))
            if quota.max is not None:
                out.append(("quota_max", q))
        out += [("needs", d) for d in range(len(self.needs))]
        out += [("exclusion", e) for e in range(len(self.exclusions))]
        out += [("include", i) for i in self.include]
        out += [("exclude", i) for i in self.exclude]
        return out


def make_problem(values, costs, spend, budgets, eligible, *, min_share=None, quotas=(), needs=(), exclusions=(),
                 include=(), exclude=(), objective: str = "sum", spend_full=None) -> Problem:
    """A checked :class:`Problem` (shapes, non-negative money, indices in range)."""
    v = np.asarray(values, float)
    if v.ndim != 1:
        raise ShapeError("values must be one per project")
    P = v.shape[0]
    c = np.asarray(costs, float)
    s = np.asarray(spend, float)
    b = np.atleast_2d(np.asarray(budgets, float))
    e = np.asarray(eligible, bool)
    K, T = b.shape
    if c.shape != (P,) or s.shape != (P, T) or e.shape != (P, K):
        raise ShapeError(f"shapes: costs ({P},), spend ({P}, {T}), eligible ({P}, {K}) expected; got "
                         f"{c.shape}, {s.shape}, {e.shape}")
    for name, a in (("costs", c), ("spend", s), ("budgets", b)):
        if not np.isfinite(a).all() or (a < 0).any():
            raise InvalidValueError(f"{name} must be finite and non-negative")
    m = np.ones(P) if min_share is None else np.asarray(min_share, float)
    if m.shape != (P,) or not np.isfinite(m).all() or (m <= 0).any() or (m > 1).any():
        raise InvalidValueError("min_share must be in (0, 1] per project")
    if objective not in OBJECTIVES:
        raise InvalidValueError(f"unknown objective {objective!r}: one of {OBJECTIVES}")
    if objective == "ratio" and ((c <= 0) & np.isfinite(v)).any():
        raise InvalidValueError("value for money needs a positive ticket for every project with a value")

    def index(i) -> int:
        i = int(i)
        if not 0 <= i < P:
            raise InvalidValueError(f"project index {i} out of range")
        return i

    qs = []
    for q in quotas:
        mem = np.asarray(q.members, bool)
        if mem.shape != (P,):
            raise ShapeError(f"quota {q.name}: members must have {P} entries")
        if q.measure not in MEASURES:
            raise InvalidValueError(f"quota {q.name}: unknown measure {q.measure!r}")
        if q.min is None and q.max is None:
            raise InvalidValueError(f"quota {q.name}: needs a min or a max")
        for bound in (q.min, q.max):
            if bound is not None and (not np.isfinite(bound) or bound < 0 or (q.measure == "share" and bound > 1)):
                raise InvalidValueError(f"quota {q.name}: bound {bound} out of range")
        qs.append(Quota(q.name, mem, q.measure, q.min, q.max))
    return Problem(values=v, costs=c, spend=s, budgets=b, eligible=e, min_share=m, quotas=tuple(qs),
                   needs=tuple((index(i), index(j)) for i, j in needs),
                   exclusions=tuple(tuple(index(i) for i in group) for group in exclusions),
                   include=tuple(index(i) for i in include), exclude=tuple(index(i) for i in exclude),
                   objective=objective, spend_full=None if spend_full is None else np.asarray(spend_full, float))
