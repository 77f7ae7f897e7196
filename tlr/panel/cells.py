"""What every stage needs to know about each (project, indicator) cell of a score cube, read once.

The consensus (mean, spread), the one-way ICC and Krippendorff's interval alpha all start from the same
per-cell numbers: how many scores, their sum, and their sum of squared deviations from the cell's mean.
:func:`cells_of` reads the cube once, a block of projects at a time, and the stages take them from
there instead of each making its own cube-sized temporaries. Every number is computed with the same
operations, in the same order, as ``np.nansum`` / ``np.nanstd`` along the expert axis: the same bits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tlr.numeric.arrays import project_blocks


@dataclass(frozen=True)
class Cells:
    """Per (project, indicator) cell of an (experts, projects, indicators) cube.

    Attributes:
        n: (P, I) scores present.
        total: (P, I) their sum (0 where none).
        ss: (P, I) their sum of squared deviations from the cell's mean total / n (0 where none).
        experts: (E, I) the expert scored the indicator on some project.
        paired: (E, I) the expert scored the indicator on some cell that has two or more scores.
    """

    n: np.ndarray
    total: np.ndarray
    ss: np.ndarray
    experts: np.ndarray
    paired: np.ndarray

    def sd(self) -> np.ndarray:
        """(P, I) sample sd (ddof=1), NaN with fewer than two scores: ``np.nanstd(cube, axis=0, ddof=1)``."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n >= 2, np.sqrt(self.ss / (self.n - 1)), np.nan)

    def mean(self) -> np.ndarray:
        """(P, I) mean of the scores present, NaN where none."""
        return np.where(self.n > 0, self.total / np.maximum(self.n, 1), np.nan)

    def columns(self, cols) -> Cells:
        """The cells of the indicators *cols* (views when they are consecutive)."""
        return Cells(*(columns(a, cols) for a in (self.n, self.total, self.ss, self.experts, self.paired)))


def _span(cols) -> slice | list[int]:
    cols = list(cols)
    if cols and cols == list(range(cols[0], cols[0] + len(cols))):
        return slice(cols[0], cols[0] + len(cols))
    return cols


def columns(x: np.ndarray, cols) -> np.ndarray:
    """``x[..., cols]``: a view when *cols* are consecutive, so a block's columns are not copied twice."""
    return x[..., _span(cols)]


def set_columns(x: np.ndarray, cols, value) -> None:
    """``x[..., cols] = value``, through a view when *cols* are consecutive."""
    x[..., _span(cols)] = value


def moments(x: np.ndarray, present: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum and sum of squared deviations from the mean along axis 0 of the values present of a block.

    The operations of ``np.nanvar`` (sum, divide by the count, subtract, zero the missing, square, sum),
    so :meth:`Cells.sd` is ``np.nanstd`` bit for bit.
    """
    x0 = np.where(present, x, 0.0)
    total = x0.sum(axis=0)
    avg = total / np.where(n > 0, n, 1)
    dev = np.subtract(x0, avg, out=x0)
    dev *= present                       # the missing add +0, as np.nanvar's zeros do
    return total, np.multiply(dev, dev, out=dev).sum(axis=0)


def cells_of(cube: np.ndarray, cols=None) -> Cells:
    """:class:`Cells` of *cube* (E, P, I) (of its columns *cols*), NaN = no score; read a block of projects
    at a time."""
    E, P, I = cube.shape[0], cube.shape[1], cube.shape[2] if cols is None else len(cols)
    n = np.empty((P, I), dtype=np.intp)
    total = np.empty((P, I))
    ss = np.empty((P, I))
    experts = np.zeros((E, I), dtype=bool)
    paired = np.zeros((E, I), dtype=bool)
    for sl in project_blocks(P, E * I):
        x = cube[:, sl] if cols is None else columns(cube[:, sl], cols)
        present = ~np.isnan(x)
        n[sl] = nb = present.sum(axis=0)
        total[sl], ss[sl] = moments(x, present, nb)
        experts |= present.any(axis=1)
        paired |= (present & (nb >= 2)[None]).any(axis=1)
    return Cells(n=n, total=total, ss=ss, experts=experts, paired=paired)


__all__ = ["Cells", "cells_of", "columns", "moments", "set_columns"]
