"""Simulation study: which consensus recovers the true ranking when experts are lenient, harsh or noisy?

Not a test. Run from the project root (seeded, so the table in docs/calibration-study.md is reproduced
exactly on the same numpy):

    python benchmarks/calibration_study.py                 # both designs, 200 replications each
    python benchmarks/calibration_study.py --reps 50 --json study.json
    python benchmarks/calibration_study.py --control       # also a panel without biased experts

Truth: each project has a true quality q ~ N(0, 1); an expert's score on a 0-100 scale is
``60 + 12 q + leniency[e] + noise``, clipped to 0..100. The panel: leniency ~ N(0, 3) for most experts,
a sixth of them lenient (+12), a sixth harsh (-12), a sixth erratic (noise sd 15 instead of 5);
with ``--control`` also a panel without them (leniency ~ N(0, 3), noise sd 5 for everyone).
Assignment: each project scored by 5 experts, spread evenly (every expert scores about the same number
of projects), redrawn in each replication with the panel and the truth.

Designs: A = 300 projects x 60 experts (25 scores each); B = 58 projects x 12 experts (like the demo round);
C = 60 projects x 60 experts (5 scores each: where partial pooling should matter most).
Methods: the raw mean; the trimmed mean (1 dropped at each end, 3 left); today's z-score leniency
correction (`tlr.panel.consensus`, `leniency`); the additive rater-effects model (`fit_additive`); the
Bayesian model with partial pooling (`fit_bayesian`). Metrics against the true qualities: Spearman's rank
correlation, and the share of the true top k found in the estimated top k (k = 10 and k = 10 %).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tlr.panel.calibration import CalibrationError, fit_additive, fit_bayesian  # noqa: E402
from tlr.panel.consensus import consensus  # noqa: E402

METHODS = ("raw mean", "trimmed mean", "z-score leniency", "additive", "bayesian")
DESIGNS = {"A": (300, 60), "B": (58, 12), "C": (60, 60)}
PER_PROJECT = 5


def panel(rng, E: int, biased: bool = True) -> tuple[np.ndarray, np.ndarray]:
    leniency = rng.normal(0, 3, E)
    noise = np.full(E, 5.0)
    kind = rng.permutation(E) % 6 if biased else np.full(E, 5)   # a sixth each: 0 lenient, 1 harsh, 2 erratic
    leniency[kind == 0] += 12.0
    leniency[kind == 1] -= 12.0
    noise[kind == 2] = 15.0
    return leniency, noise


def assignment(rng, E: int, P: int) -> np.ndarray:
    """(E, P) mask: each project by PER_PROJECT experts, loads as even as possible, random otherwise."""
    mask = np.zeros((E, P), dtype=bool)
    load = np.zeros(E)
    for p in rng.permutation(P):
        order = np.lexsort((rng.random(E), load))[:PER_PROJECT]
        mask[order, p] = True
        load[order] += 1
    return mask


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def top_overlap(truth: np.ndarray, estimate: np.ndarray, k: int) -> float:
    return len(set(np.argsort(-truth)[:k]) & set(np.argsort(-estimate)[:k])) / k


def estimates(scores: np.ndarray) -> dict[str, np.ndarray]:
    cube = scores[:, :, None]
    return {
        "raw mean": consensus(cube, "mean").values[:, 0],
        "trimmed mean": consensus(cube, "trimmed", trim=1, min_remaining=3).values[:, 0],
        "z-score leniency": consensus(cube, "leniency", lo=0.0, hi=100.0).values[:, 0],
        "additive": fit_additive(scores).quality,
        "bayesian": fit_bayesian(scores).quality,
    }


def replicate(rng, P: int, E: int, biased: bool) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    while True:
        quality = rng.normal(0, 1, P)
        leniency, noise = panel(rng, E, biased)
        mask = assignment(rng, E, P)
        raw = 60 + 12 * quality[None, :] + leniency[:, None] + rng.normal(0, 1, (E, P)) * noise[:, None]
        scores = np.where(mask, np.clip(raw, 0, 100), np.nan)
        try:
            return quality, estimates(scores)
        except CalibrationError:   # a disconnected draw: redrawn (counted as a skip in the output)
            continue


def study(design: str, reps: int, seed: int, biased: bool = True) -> dict:
    P, E = DESIGNS[design]
    rng = np.random.default_rng([seed, ord(design), int(biased)])
    ks = sorted({10, max(1, round(0.1 * P))})
    rows = {m: {"spearman": [], **{f"top{k}": [] for k in ks}} for m in METHODS}
    t0 = time.perf_counter()
    for _ in range(reps):
        truth, est = replicate(rng, P, E, biased)
        for m in METHODS:
            rows[m]["spearman"].append(spearman(truth, est[m]))
            for k in ks:
                rows[m][f"top{k}"].append(top_overlap(truth, est[m], k))
    summary = {m: {metric: {"mean": float(np.mean(v)), "sd": float(np.std(v, ddof=1))} for metric, v in r.items()}
               for m, r in rows.items()}
    return {"design": design, "panel": "biased" if biased else "control", "projects": P, "experts": E, "per_project": PER_PROJECT, "reps": reps,
            "ks": ks, "seconds": time.perf_counter() - t0, "methods": summary}


def table(result: dict) -> str:
    ks = result["ks"]
    who = ("lenient, harsh and erratic experts" if result["panel"] == "biased"
           else "control: no lenient, harsh or erratic expert")
    head = (f"Design {result['design']}: {result['projects']} projects x {result['experts']} experts, "
            f"{result['per_project']} per project, {who}, {result['reps']} replications\n\n")
    cols = ["Spearman"] + [f"top-{k} overlap" for k in ks]
    lines = ["| method | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for m, r in result["methods"].items():
        cells = [r["spearman"]] + [r[f"top{k}"] for k in ks]
        lines.append(f"| {m} | " + " | ".join(f"{c['mean']:.3f} ± {c['sd']:.3f}" for c in cells) + " |")
    return head + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--design", choices=sorted(DESIGNS), action="append")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--control", action="store_true", help="also the control panel (no biased expert)")
    args = parser.parse_args()
    results = [study(d, args.reps, args.seed, biased) for biased in ((True, False) if args.control else (True,))
               for d in (args.design or sorted(DESIGNS))]
    for r in results:
        print(table(r))
        print(f"({r['seconds']:.1f} s; mean ± sd over replications)\n")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
