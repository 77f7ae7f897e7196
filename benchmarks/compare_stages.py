"""Every evaluation stage of two checkouts on the same seeded inputs: are the numbers the same?

Run:  python benchmarks/compare_stages.py /path/to/other/checkout [--block-cells 500]

Each checkout runs in its own process (its ``tlr`` first on ``sys.path``) over seeded cubes with missing
scores, recusals, indicators that do not apply, unscored projects and lone experts, under every
consensus rule (mean, median, trimmed mean with fallbacks, weighted mean, leniency, additive
calibration), the fuzzy and TOPSIS aggregations, and the panel functions alone (consensus methods,
leniency correction, expert diagnostics, ICCs, Kendall's W, dispersion, Krippendorff's alpha at three
levels with its bootstrap, completeness, expert composites); every array and number of every result is
flattened by path and compared: bit for bit, within 1e-12 (relative, against max(1, |x|)), or not. Errors
are compared by their message. ``--block-cells`` runs this checkout with tiny blocks of projects
(``tlr.numeric.arrays.BLOCK_CELLS``), so every block edge is crossed. The tests keep the cheap part of this
comparison (tests/evaluation/test_blocks.py); this is the wide net, for a change to the stages.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import os
import pickle
import re
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np


def run_cases(out_path: str) -> None:
    """Run every case with the ``tlr`` on sys.path; pickle {path: value} to *out_path*."""
    warnings.simplefilter("ignore")
    import tlr.numeric.arrays as arrays
    from tlr.engine.aggregation import expert_composites
    from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate
    from tlr.evaluation.consensus import consensus_of
    from tlr.evaluation.review import composite_spread
    from tlr.evaluation.utilities import utilities_of
    from tlr.panel import agreement as pa
    from tlr.panel import consensus as pc
    from tlr.panel.completeness import completeness
    from tlr.panel.krippendorff import krippendorff_alpha
    from tlr.rubric import rubric_from_data

    if os.environ.get("TLR_BLOCK_CELLS") and hasattr(arrays, "BLOCK_CELLS"):
        arrays.BLOCK_CELLS = int(os.environ["TLR_BLOCK_CELLS"])

    import tlr

    OUT: dict = {"#tlr": tlr.__file__}

    def flat(prefix, obj, depth=0):
        if depth > 8:
            return
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for f in dataclasses.fields(obj):
                if f.name == "rubric":
                    continue
                flat(f"{prefix}.{f.name}", getattr(obj, f.name), depth + 1)
        elif isinstance(obj, dict):
            for k in obj:
                flat(f"{prefix}[{k!r}]", obj[k], depth + 1)
        elif isinstance(obj, (list, tuple)) and any(dataclasses.is_dataclass(v) or isinstance(v, (dict, np.ndarray, list, tuple)) for v in obj):
            OUT[f"{prefix}#len"] = len(obj)
            for k, v in enumerate(obj):
                flat(f"{prefix}[{k}]", v, depth + 1)
        elif isinstance(obj, np.ndarray):
            OUT[prefix] = obj.copy()
        else:
            OUT[prefix] = obj

    def run(name, fn):
        try:
            flat(name, fn())
        except Exception as exc:
            OUT[name + "!error"] = f"{type(exc).__name__}: {exc}"

    SCALES = {
        "l5": {"kind": "likert", "min": 1, "max": 5},
        "l10": {"kind": "likert", "min": 0, "max": 10, "step": 0.5},
        "trl": {"kind": "levels", "levels": [{"level": k, "label": f"L{k}"} for k in range(1, 10)]},
        "yn": {"kind": "boolean"},
        "g": {"kind": "grades", "grades": [{"id": "A", "label": "A", "value": 100}, {"id": "B", "label": "B", "value": 80},
                                           {"id": "C", "label": "C", "value": 60}, {"id": "D", "label": "D", "value": 40}]},
        "lin": {"kind": "numeric", "min": 0, "max": 200, "transform": {"kind": "linear", "lower": 10, "upper": 150}},
        "thr": {"kind": "numeric", "direction": "cost", "min": 0, "max": 100,
                "transform": {"kind": "thresholds", "below": 0.1, "steps": [{"at": 20, "utility": 1.0}, {"at": 60, "utility": 0.5}]}},
        "pw": {"kind": "numeric", "min": 0, "max": 100, "transform": {"kind": "piecewise", "points": [[0, 0], [10, 0.6], [100, 1]]}},
    }

    def rubric(panel, aggregation=None, full=True):
        kids1 = [{"id": "nov", "label": "N", "scale": "l5", "weight": 0.3},
                 {"id": "trl", "label": "T", "scale": "trl", "weight": 0.2, "points": {k: (k - 1) / 8 for k in range(1, 10)}},
                 {"id": "q10", "label": "Q", "scale": "l10", "weight": 0.2},
                 {"id": "ip", "label": "IP", "scale": "yn", "role": "gate"}]
        kids2 = [{"id": "dem", "label": "D", "scale": "l5", "weight": 0.4},
                 {"id": "mkt", "label": "M", "scale": "lin", "weight": 0.2},
                 {"id": "cost", "label": "C", "scale": "thr", "weight": 0.1},
                 {"id": "pw", "label": "P", "scale": "pw", "weight": 0.1},
                 {"id": "yn2", "label": "Y", "scale": "yn", "weight": 0.1}]
        if full:
            kids2.append({"id": "gr", "label": "G", "scale": "g", "weight": 0.2})
        doc = {"id": "h", "version": "1", "title": "H", "normalize": True, "readiness": "trl", "panel": panel, "scales": SCALES,
               "dimensions": [{"id": "tech", "label": "Tech", "weight": 0.5, "children": kids1},
                              {"id": "market", "label": "M", "weight": 0.5, "children": kids2}],
               "gates": [{"id": "ipg", "label": "IP", "when": {"ref": "ip", "op": "==", "value": False}},
                         {"id": "lowd", "label": "low", "effect": "flag", "max_tier": "B", "when": {"ref": "dem", "op": "<", "value": 2}}],
               "tiers": [{"id": "A", "label": "A", "min_score": 70, "when": {"ref": "readiness", "op": ">=", "value": 5}},
                         {"id": "B", "label": "B", "min_score": 50}, {"id": "D", "label": "D"}],
               "routes": [{"id": "r", "label": "R", "when": {"ref": "readiness", "op": "<=", "value": 3}},
                          {"id": "t", "label": "T", "when": {"ref": "yn2", "op": "==", "value": True}},
                          {"id": "l", "label": "L"}]}
        if aggregation:
            doc["aggregation"] = aggregation
        return rubric_from_data(doc)

    def draw(node, rng, shape):
        s = node.scale
        k = s.kind
        if k == "likert":
            steps = int(round((s.max - s.min) / s.step))
            return s.min + s.step * rng.integers(0, steps + 1, shape)
        if k == "levels":
            return rng.integers(1, 10, shape).astype(float)
        if k == "boolean":
            return rng.integers(0, 2, shape).astype(float)
        if k == "grades":
            return rng.integers(0, 4, shape).astype(float)
        return np.round(rng.uniform(0, 100, shape), 1)

    def make_cube(rb, E, P, seed, miss=0.15, per=None, complete_cols=()):
        rng = np.random.default_rng(seed)
        nodes = rb.indicators
        I = len(nodes)
        v = np.stack([draw(n, rng, (E, P)) for n in nodes], axis=2).astype(float)
        if per is not None:
            assigned = np.argsort(rng.random((E, P)), axis=0) < per
        else:
            assigned = np.ones((E, P), bool)
        recused = assigned & (rng.random((E, P)) < 0.08)
        v[~assigned] = np.nan
        v[recused] = np.nan
        holes = rng.random(v.shape) < miss
        for c in complete_cols:
            holes[:, :, c] = False
        v[holes] = np.nan
        v[:, : max(1, P // 25)] = np.nan                  # unscored projects
        v[:, P // 2, :] = np.where(np.arange(E)[:, None] < 1, v[:, P // 2, :], np.nan)  # one expert only
        applicable = rng.random((P, I)) > 0.07
        ids = [n.id for n in nodes]
        return ScoreCube(v, tuple(f"e{k}" for k in range(E)), tuple(f"p{k}" for k in range(P)), tuple(ids),
                         assigned, recused, applicable)

    PANELS = {
        "mean": {"consensus": "mean", "min_experts": 3, "quorum": 0.6},
        "median": {"consensus": "median", "min_experts": 2},
        "trim1": {"consensus": "trimmed_mean", "trim": 1, "min_after_trim": 2},
        "trim2": {"consensus": "trimmed_mean", "trim": 2, "min_after_trim": 3},
        "weighted": {"consensus": "weighted_mean"},
        "leniency": {"consensus": "mean", "calibration": "leniency"},
        "additive": {"consensus": "mean", "calibration": "additive"},
    }

    cases = []
    for j, (pname, panel) in enumerate(PANELS.items()):
        cases.append((f"{pname}", rubric(panel), dict(E=7, P=160, seed=100 + j, per=4)))
    cases.append(("dense", rubric(PANELS["mean"]), dict(E=5, P=90, seed=5, per=None, miss=0.02, complete_cols=(0, 2, 4))))
    cases.append(("fuzzy", rubric(PANELS["median"], {"method": "fuzzy", "grades": "g"}), dict(E=6, P=120, seed=6, per=4)))
    cases.append(("fuzzyminmax", rubric(PANELS["mean"], {"method": "fuzzy", "grades": "g", "operator": "min_max"}), dict(E=6, P=80, seed=16, per=5)))
    cases.append(("topsis", rubric(PANELS["trim1"], {"method": "topsis"}), dict(E=6, P=120, seed=7, per=5)))
    cases.append(("topsisraw", rubric(PANELS["mean"], {"method": "topsis", "topsis": {"mode": "raw"}}, full=False), dict(E=6, P=120, seed=8, per=5, miss=0.01)))
    cases.append(("big", rubric(PANELS["mean"]), dict(E=9, P=3000, seed=9, per=5)))
    cases.append(("big2", rubric(PANELS["trim1"]), dict(E=9, P=12000, seed=10, per=5, miss=0.05)))

    for name, rb, kw in cases:
        cube = make_cube(rb, **kw)
        E = len(cube.experts)
        w = np.linspace(0.5, 2.0, E)
        opts = EvaluationOptions(draws=200, bootstrap_draws=50, seed=3)
        run(f"{name}/evaluate", lambda: evaluate(rb, cube, options=opts, expert_weights=w,
                                                  readiness_assessed={"p5": 7, "p9": 2}, readiness_asserted=["p9"]))
        scores = np.asarray(cube.values, float)
        run(f"{name}/consensus_of", lambda: consensus_of(rb, scores, opts, w, expert_ids=cube.experts))
        for co in ("mean", "median", "trimmed_mean"):
            run(f"{name}/consensus_of_{co}", lambda: consensus_of(rb, scores, EvaluationOptions(consensus=co, trim=1), w))
        run(f"{name}/utilities_of_bad", lambda: utilities_of(rb.indicators, np.nanmedian(scores, axis=0), scores, cube.applicable))
        run(f"{name}/utilities_of", lambda: utilities_of(rb.indicators, consensus_of(rb, scores, opts, w).values, scores, cube.applicable))
        bad = scores.copy()
        bad[0, -1, 0], bad[1, 3, 0] = 7.0, 0.0      # out of the first indicator's scale, in two blocks
        run(f"{name}/utilities_of_range", lambda: utilities_of(rb.indicators, consensus_of(rb, scores, opts, w).values, bad, cube.applicable))
        run(f"{name}/evaluate_range", lambda: evaluate(rb, ScoreCube(bad, cube.experts, cube.projects, cube.indicators, cube.assigned, cube.recused, cube.applicable), options=opts))

    # direct numeric functions
    rng = np.random.default_rng(42)
    for k, (E, P, I, miss) in enumerate([(5, 40, 3, 0.2), (8, 300, 6, 0.4), (4, 30, 2, 0.0), (9, 2000, 5, 0.45)]):
        x = rng.integers(1, 6, (E, P, I)).astype(float)
        x[:, :, -1] += rng.normal(0, 0.3, (E, P))
        x[rng.random(x.shape) < miss] = np.nan
        x[:, 0, :] = np.nan
        x[1:, 1, :] = np.nan
        if I > 2:
            x[:, :, 1] = np.where(np.isnan(x[:, :, 1]), np.nan, 3.0)   # no variance
        for m in pc.METHODS:
            kwargs = dict(trim=1, min_remaining=2) if m == "trimmed" else {}
            if m == "weighted":
                kwargs = dict(expert_weights=np.arange(1, E + 1, dtype=float))
            if m == "leniency":
                kwargs = dict(lo=1, hi=6)
            run(f"num{k}/consensus_{m}", lambda: pc.consensus(x, m, **kwargs))
        run(f"num{k}/trim_mean_fallback", lambda: pc.consensus(x, "trimmed", trim=1, min_remaining=3, fallback="mean"))
        run(f"num{k}/trim2", lambda: pc.consensus(x, "trimmed", trim=2, min_remaining=1))
        run(f"num{k}/leniency_correct", lambda: pc.leniency_correct(x, 1, 6))
        run(f"num{k}/expert_diagnostics", lambda: pa.expert_diagnostics(x))
        run(f"num{k}/icc_oneway", lambda: pa.icc_oneway(x))
        run(f"num{k}/kendall_w", lambda: pa.kendall_w(x))
        run(f"num{k}/icc", lambda: pa.icc(x))
        run(f"num{k}/dispersion", lambda: pa.dispersion(x, sd_max=1, range_max=2, cv_max=0.3))
        run(f"num{k}/panel_agreement", lambda: pa.panel_agreement(x))
        for lvl in ("interval", "ordinal", "nominal"):
            xr = np.round(x) if lvl != "interval" else x
            run(f"num{k}/alpha_{lvl}", lambda: krippendorff_alpha(xr, level=lvl, bootstrap=300, seed=7))
        run(f"num{k}/alpha2d", lambda: krippendorff_alpha(x[:, :, 0], level="interval", bootstrap=100, seed=1))
        active = rng.random((E, P)) < 0.8
        app = rng.random((P, I)) < 0.9
        run(f"num{k}/completeness", lambda: completeness(~np.isnan(x), active, app, quorum=0.6, min_experts=2))
        u = (x - 1) / 5
        run(f"num{k}/expert_composites", lambda: expert_composites(u, np.arange(1, I + 1, dtype=float)))
        run(f"num{k}/composite_spread", lambda: composite_spread(u, np.arange(1, I + 1, dtype=float)))
    # complete blocks for W / ICC
    x = rng.integers(1, 8, (6, 50, 4)).astype(float)
    x[0, :10, 0] = np.nan
    x[:, 20:, 1] = np.nan
    x[2, :, 2] = np.nan
    run("block/kendall_w", lambda: pa.kendall_w(x))
    run("block/icc", lambda: pa.icc(x))
    run("block/kendall_w2d", lambda: pa.kendall_w(x[:, :, 3]))
    run("block/icc2d", lambda: pa.icc(x[:, :, 3]))
    run("block/oneway2d", lambda: pa.icc_oneway(x[:, :, 3]))
    with open(out_path, "wb") as fh:
        pickle.dump(OUT, fh)


def compare(a: dict, b: dict) -> int:
    """Print the mismatches and a summary; the number of mismatches."""
    bad, inexact = [], []
    for k in sorted(set(a) | set(b)):
        if k not in a or k not in b:
            bad.append(f"only in {'this' if k in b else 'the other'} checkout: {k}")
            continue
        x, y = a[k], b[k]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            x, y = np.asarray(x), np.asarray(y)
            if x.shape != y.shape or x.dtype.kind != y.dtype.kind:
                bad.append(f"shape or type: {k} {x.shape} {y.shape} {x.dtype} {y.dtype}")
            elif x.dtype.kind == "f":
                if not np.array_equal(np.isnan(x), np.isnan(y)) or not np.array_equal(x[np.isinf(x)], y[np.isinf(x)]):
                    bad.append(f"NaN or inf: {k}")
                    continue
                ok = np.isfinite(x)
                d = np.abs(x[ok] - y[ok])
                if (d > 1e-12 * np.maximum(1, np.abs(x[ok]))).any():
                    bad.append(f"differs: {k} by {d.max():.3g}")
                elif d.size and d.max() > 0:
                    inexact.append((k, d.max()))
            elif x.dtype.kind == "O":
                if not all(u == v or (u != u and v != v) for u, v in zip(x.ravel(), y.ravel())):
                    bad.append(f"differs: {k}")
            elif not np.array_equal(x, y):
                bad.append(f"differs: {k}")
        elif isinstance(x, float) and isinstance(y, float):
            if not ((x != x and y != y) or abs(x - y) <= 1e-12 * max(1, abs(x))):
                bad.append(f"differs: {k} {x!r} {y!r}")
            elif x != y:
                inexact.append((k, abs(x - y)))
        elif x != y:
            bad.append(f"differs: {k} {str(x)[:120]!r} {str(y)[:120]!r}")
    for line in bad[:60]:
        print("  " + line)
    print(f"{len(a)} values compared: {len(bad)} mismatches, {len(inexact)} within 1e-12 but not bit for bit")
    fields = collections.Counter(re.sub(r"\[\d+\]", "[]", k.split("/", 1)[1]) for k, _ in inexact)
    for field, count in fields.most_common(25):
        print(f"  {count:5d} x {field}")
    return len(bad)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", nargs="?", help="the checkout to compare with")
    parser.add_argument("--block-cells", type=int, default=None, help="this checkout's BLOCK_CELLS (tiny: 500)")
    parser.add_argument("--run", default=None, help=argparse.SUPPRESS)   # internal: run the cases here
    args = parser.parse_args()
    if args.run:
        run_cases(args.run)
        return
    if not args.other:
        parser.error("name the other checkout")
    here = Path(__file__).resolve().parents[1]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, tree, cells in (("other", Path(args.other).resolve(), None), ("this", here, args.block_cells)):
            env = dict(os.environ, PYTHONPATH=str(tree))
            if cells:
                env["TLR_BLOCK_CELLS"] = str(cells)
            out = str(Path(tmp) / f"{name}.pkl")
            subprocess.run([sys.executable, __file__, "--run", out], env=env, check=True, cwd=tree)
            with open(out, "rb") as fh:
                results[name] = pickle.load(fh)
            assert Path(results[name].pop("#tlr")).resolve().is_relative_to(tree), f"{name}: not the tlr of {tree}"
    sys.exit(1 if compare(results["other"], results["this"]) else 0)


if __name__ == "__main__":
    main()
