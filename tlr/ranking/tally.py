"""What the rank Monte Carlo keeps of its draws: additive tallies, and the ranking inside one draw.

A :class:`RankTally` holds integer counts (draws per project and rank, draws below each tier minimum,
draws where a project ranked first) and the sums of the weight vectors of those first places. Tallies
of disjoint blocks of draws add up (:meth:`RankTally.merge`), so blocks can run anywhere — this
process or Dask workers — and the merged counts are the same integers. The float sums are added in
block order by whoever merges, so the central weights are the same bits too.

Inside a draw, projects are ranked by composite, best first; exact ties go to the project that comes
first in the column order the caller chose (the base ranking), so a full sort and a partial selection
of the top ranks give the same order (:func:`top_order`).

Columns are *positions*: the caller presorts the projects (scored first, by base composite) and
passes ``perm`` (position -> project) to :meth:`RankTally.counts` at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def full_order(key: np.ndarray) -> np.ndarray:
    """(D, S) keys (smaller = better) -> (D, S) column indices best first, exact ties by column.

    A stable sort: on columns presorted by the base ranking it costs no more than an unstable one."""
    return np.argsort(key, axis=1, kind="stable")


def top_order(key: np.ndarray, R: int) -> np.ndarray:
    """(D, S) keys -> (D, R) column indices of the R best, best first; exact ties by column.

    Equal to ``full_order(key)[:, :R]`` (tested) at the cost of a partition: only the rows where a
    tie straddles the R-th place, or sits inside the top R, are sorted in full.
    """
    D, S = key.shape
    if R >= S:
        return full_order(key)
    part = np.argpartition(key, R - 1, axis=1)[:, :R]
    part.sort(axis=1)                                   # column order: a stable sort then breaks ties
    vals = np.take_along_axis(key, part, axis=1)
    order = np.argsort(vals, axis=1, kind="stable")
    top = np.take_along_axis(part, order, axis=1)
    kth = np.take_along_axis(vals, order[:, -1:], axis=1)
    straddles = np.flatnonzero(np.count_nonzero(key <= kth, axis=1) > R)
    if straddles.size:          # a tie across the R-th place: the earliest tied columns get in
        k = key[straddles]
        t = kth[straddles]
        below = k < t
        tied = k == t
        room = R - np.count_nonzero(below, axis=1)
        chosen = below | (tied & (np.cumsum(tied, axis=1) <= room[:, None]))
        cols = np.nonzero(chosen)[1].reshape(-1, R)                  # ascending within each row
        o = np.argsort(np.take_along_axis(k, cols, axis=1), axis=1, kind="stable")
        top[straddles] = np.take_along_axis(cols, o, axis=1)
    return top


@dataclass
class RankTally:
    """Counts of a set of draws; positions are columns of the presorted projects.

    Attributes:
        P, R: projects; ranks kept (R = P when every rank is kept, else the top R).
        n: draws.
        dense: (P * R,) counts of (position, rank - 1) when R = P, else None.
        keys, hits: sparse counts for the top R: key = position * R + rank - 1 (unsorted, may repeat).
        below: (T, P) draws whose composite fell below each tier minimum.
        first, first_n, first_w: positions that ranked first, how often, and the sums of their
            weight vectors (None when central weights are not kept).
    """

    P: int
    R: int
    n: int = 0
    dense: np.ndarray | None = None
    keys: list = field(default_factory=list)
    hits: list = field(default_factory=list)
    below: np.ndarray | None = None
    first: list = field(default_factory=list)
    first_n: list = field(default_factory=list)
    first_w: list = field(default_factory=list)
    fallback: int = 0

    @classmethod
    def empty(cls, P: int, R: int, T: int) -> "RankTally":
        return cls(P=P, R=R, dense=np.zeros(P * R, np.int64) if R == P else None,
                   below=np.zeros((T, P), np.int64))

    def add_order(self, order: np.ndarray) -> None:
        """(D, R') positions best first (R' = R, or P when dense)."""
        D, width = order.shape
        if self.dense is not None:
            self.dense += np.bincount((order * self.R + np.arange(width)[None, :]).ravel(), minlength=self.dense.size)
        else:
            k, c = np.unique((order[:, :self.R].astype(np.int64) * self.R + np.arange(self.R)[None, :]).ravel(),
                             return_counts=True)
            self.keys.append(k)
            self.hits.append(c)

    def add_first(self, first: np.ndarray, W: np.ndarray | None) -> None:
        u, inv = np.unique(first, return_inverse=True)
        self.first.append(u)
        self.first_n.append(np.bincount(inv, minlength=u.size))
        if W is not None:
            self.first_w.append(np.stack([np.bincount(inv, weights=W[:, l], minlength=u.size)
                                          for l in range(W.shape[1])], axis=1))

    def merge(self, other: "RankTally") -> "RankTally":
        """Add *other* (later draws) to this tally, in place; returns self."""
        self.n += other.n
        self.fallback += other.fallback
        if self.dense is not None:
            self.dense += other.dense
        self.keys += other.keys
        self.hits += other.hits
        self.below += other.below
        self.first += other.first
        self.first_n += other.first_n
        self.first_w += other.first_w
        if len(self.keys) > 16:                       # keep the sparse lists short
            k, inv = np.unique(np.concatenate(self.keys), return_inverse=True)
            h = np.zeros(k.size, np.int64)
            np.add.at(h, inv, np.concatenate(self.hits))
            self.keys, self.hits = [k], [h]
        return self

    def rank_counts(self, perm: np.ndarray) -> np.ndarray:
        """(P, R) draws per project (original order) and rank."""
        out = np.zeros((self.P, self.R), np.int64)
        if self.dense is not None:
            out[perm] = self.dense.reshape(self.P, self.R)
        elif self.keys:
            keys = np.concatenate(self.keys)
            hits = np.concatenate(self.hits)
            flat = np.zeros(self.P * self.R, np.int64)
            np.add.at(flat, keys, hits)
            out[perm] = flat.reshape(self.P, self.R)
        return out

    def first_counts(self, perm: np.ndarray, L: int | None) -> tuple[np.ndarray, np.ndarray | None]:
        """(P,) draws ranked first, and (P, L) the sums of their weights (None without weights)."""
        n_first = np.zeros(self.P, np.int64)
        sums = None if L is None else np.zeros((self.P, L))
        if self.first:
            pos = perm[np.concatenate(self.first)]
            np.add.at(n_first, pos, np.concatenate(self.first_n))
            if sums is not None and self.first_w:
                np.add.at(sums, pos, np.concatenate(self.first_w))   # in block order: same bits anywhere
        return n_first, sums


__all__ = ["RankTally", "full_order", "top_order"]
