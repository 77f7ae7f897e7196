"""The scores a moderator should look at: those far from what a rater-effects model expects (``tlr moderate``).

Per indicator, every expert's score is turned into a utility in [0, 1] (the evaluation's own transform,
:func:`tlr.evaluation.utilities.indicator_utility`) and fitted by the additive rater-effects model
``y[e, p] = quality[p] + leniency[e] + noise`` (noise sd per expert;
:func:`tlr.panel.calibration.fit_additive`). A score is an outlier when its standardised residual
``|z| >= threshold`` (default :data:`DEFAULT_THRESHOLD` = 2.5: under normal noise about 1 score in 80).

Where the model refuses an indicator (an expert with fewer than ``min_scores`` scores, an assignment
graph in separate groups), that indicator falls back to :func:`loo_residuals`: the score minus the mean
of the *other* experts' scores on the same project (leave-one-out panel mean), divided by the pooled
robust spread of those residuals over the indicator, ``1.4826 × MAD`` (the median absolute deviation
from their median; where that is 0, ``1.2533 ×`` the mean absolute deviation; where that is 0 too, no
score stands out). Each row names the method used.

The scores are those the evaluation uses (moderations in force applied): an excluded score is not
listed again; an overridden one is listed with its override.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .cube import score_cube
from .moderation import current_moderations

DEFAULT_THRESHOLD = 2.5
ADDITIVE = "additive"
LOO_MAD = "loo_mad"
MAD_TO_SD = 1.4826          # 1 / Phi^-1(3/4): MAD -> sd under normal noise
MEAN_AD_TO_SD = 1.2533      # sqrt(pi / 2): mean absolute deviation -> sd under normal noise


def loo_residuals(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fitted, residual, z) of an (experts, projects) array, NaN = no score (see the module docs).

    fitted = the mean of the other experts' scores on the project (NaN for a project with one score);
    residual = score − fitted; z = residual / pooled robust spread of the residuals.
    """
    y = np.asarray(y, dtype=float)
    mask = ~np.isnan(y)
    n = mask.sum(axis=0)
    total = np.where(mask, y, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        fitted = np.where(mask & (n >= 2), (total - np.where(mask, y, 0.0)) / (n - 1), np.nan)
    resid = y - fitted
    values = resid[~np.isnan(resid)]
    z = np.full(y.shape, np.nan)
    if values.size:
        centre = np.median(values)
        scale = MAD_TO_SD * np.median(np.abs(values - centre))
        if scale <= 0:
            scale = MEAN_AD_TO_SD * np.mean(np.abs(values - centre))
        z = np.where(np.isnan(resid), np.nan, resid / scale if scale > 0 else 0.0)
    return fitted, resid, z


@dataclass
class OutlierReport:
    rows: list[dict[str, Any]]
    threshold: float
    methods: dict[str, str]                       # indicator -> additive | loo_mad
    refusals: dict[str, str] = field(default_factory=dict)   # indicator -> why the model refused it
    checked: int = 0                              # scores looked at

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "checked": self.checked, "methods": self.methods,
                "refusals": self.refusals, "outliers": self.rows}


def find_outliers(ledger, *, threshold: float = DEFAULT_THRESHOLD, min_scores: int = 3,
                  indicators: list[str] | None = None) -> OutlierReport:
    """The scores with ``|z| >= threshold``, by |z| (largest first), then project, expert, indicator."""
    from tlr.evaluation.utilities import indicator_utility
    from tlr.numeric.errors import NoScoresError
    from tlr.panel.calibration import CalibrationError, fit_additive

    cube = score_cube(ledger)
    rubric = ledger.rubric
    wanted = list(cube.indicators) if indicators is None else indicators
    comments = {(e, p, i): c for e, p, i, c in ledger.conn.execute(
        "SELECT expert_id, project_id, indicator_id, comment FROM scores")}
    overridden = {(m.expert_id, m.project_id, m.indicator_id): m for m in current_moderations(ledger)
                  if m.active and m.action == "override"}
    rows: list[dict[str, Any]] = []
    methods: dict[str, str] = {}
    refusals: dict[str, str] = {}
    checked = 0
    for iid in wanted:
        i = cube.indicators.index(iid)
        raw = np.asarray(cube.values[:, :, i], dtype=float)
        if np.isnan(raw).all():
            continue
        y = indicator_utility(rubric.indicator(iid), raw)
        checked += int((~np.isnan(y)).sum())
        try:
            fit = fit_additive(y, min_scores=min_scores, expert_ids=cube.experts, indicator_ids=[iid])
            fitted, resid, z = fit.fitted, fit.residuals, fit.standardized
            methods[iid] = ADDITIVE
        except CalibrationError as exc:
            fitted, resid, z = loo_residuals(y)
            methods[iid] = LOO_MAD
            refusals[iid] = exc.message
        except NoScoresError:  # pragma: no cover - guarded above
            continue
        for e, p in zip(*np.nonzero(np.abs(np.nan_to_num(z)) >= threshold)):
            key = (cube.experts[e], cube.projects[p], iid)
            mod = overridden.get(key)
            rows.append({"project": key[1], "expert": key[0], "indicator": iid, "score": float(raw[e, p]),
                         "utility": float(y[e, p]), "fitted": _num(fitted[e, p]), "residual": _num(resid[e, p]),
                         "z": float(z[e, p]), "method": methods[iid], "comment": comments.get(key, ""),
                         "moderation": mod.action if mod else None})
    project_order = {p: k for k, p in enumerate(cube.projects)}
    expert_order = {e: k for k, e in enumerate(cube.experts)}
    indicator_order = {x: k for k, x in enumerate(cube.indicators)}
    rows.sort(key=lambda r: (-abs(r["z"]), project_order[r["project"]], expert_order[r["expert"]],
                             indicator_order[r["indicator"]]))
    return OutlierReport(rows, threshold, methods, refusals, checked)


def _num(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


__all__ = ["DEFAULT_THRESHOLD", "OutlierReport", "find_outliers", "loo_residuals"]
