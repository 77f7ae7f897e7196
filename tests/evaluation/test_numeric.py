"""The numeric foundation: errors that are ValueErrors, ranks and tails without scipy.stats, no import cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from tlr.errors import TlrError
from tlr.numeric.errors import (
    InfeasibleError,
    InvalidValueError,
    MissingValueError,
    NoScoresError,
    ScoringError,
    ShapeError,
)
from tlr.numeric.stats import average_ranks, chi2_sf, f_sf

ROOT = Path(__file__).resolve().parents[2] / "tlr"
NUMERIC = ("numeric", "weighting", "panel", "engine", "ranking", "evaluation")


@pytest.mark.parametrize("cls, code", [(ScoringError, "scoring"), (ShapeError, "shape"), (NoScoresError, "no_scores"),
                                       (InvalidValueError, "invalid_value"), (MissingValueError, "missing_value"),
                                       (InfeasibleError, "infeasible")])
def test_numeric_errors_are_value_errors_and_tlr_errors(cls, code):
    err = cls("评分 / scores", hint="fix it")
    assert isinstance(err, ValueError) and isinstance(err, TlrError) and err.exit_code == 2
    assert "scores" in err.format() and err.hint == "fix it"
    assert err.code == code and [d.code for d in err.diagnostics] == [code]


def test_average_ranks_by_hand():
    x = np.array([[10.0, 20.0, 20.0, np.nan, 5.0], [1.0, 1.0, 1.0, 1.0, np.nan]])
    r = average_ranks(x, axis=1)
    np.testing.assert_array_equal(r[0], [2.0, 3.5, 3.5, np.nan, 1.0])
    np.testing.assert_array_equal(r[1], [2.5, 2.5, 2.5, 2.5, np.nan])


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
                  elements=st.sampled_from([0.0, 1.0, 2.0, 2.5, 7.0, np.nan])), st.integers(0, 2))
def test_average_ranks_equal_scipy_rankdata(x, axis):
    axis = axis % x.ndim
    np.testing.assert_array_equal(average_ranks(x, axis), stats.rankdata(x, axis=axis, nan_policy="omit"))


def test_tails_by_hand():
    x = np.array([0.0, 0.5, 2.0, 9.0])
    np.testing.assert_allclose(chi2_sf(x, 2), np.exp(-x / 2), rtol=1e-14)          # chi-square, 2 df
    np.testing.assert_allclose(f_sf(x, 2, 2), 1 / (1 + x), rtol=1e-14)              # F(2, 2)
    assert f_sf(np.inf, 3, 4) == 0.0 and chi2_sf(0.0, 5) == 1.0


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 400), st.integers(1, 500), st.floats(0.5, 60), st.floats(0.5, 5000))
def test_tails_equal_scipy_stats(x, df, dfn, dfd):
    # below 1e-200 scipy itself drifts (near underflow); no p-value there means anything else than "zero"
    assert chi2_sf(x, df) == pytest.approx(stats.chi2.sf(x, df), rel=1e-10, abs=1e-200)
    assert f_sf(x, dfn, dfd) == pytest.approx(stats.f.sf(x, dfn, dfd), rel=1e-9, abs=1e-200)


def test_tails_of_what_is_not_a_distribution_are_nan():
    assert np.isnan(chi2_sf([np.nan, 3.0, -1.0], [2, np.nan, 2])).all()
    assert np.isnan(f_sf([np.nan, 1.0], [2, -1], [3, 3])).all()


def _imports(path: Path) -> set[str]:
    """Every tlr module *path* imports, at any depth (function-level imports included)."""
    package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            out.add(target)
            out.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m and m.startswith("tlr.")}


def test_no_import_cycle_in_the_numeric_packages():
    modules = {}
    for sub in NUMERIC:
        for f in (ROOT / sub).rglob("*.py"):
            name = ".".join(f.relative_to(ROOT.parent).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = f
    graph = {m: {t for t in _imports(f) if t in modules and t != m and not m.startswith(t + ".")}
             for m, f in modules.items()}
    state: dict[str, int] = {}

    def visit(m, path):
        state[m] = 1
        for t in graph[m]:
            assert state.get(t) != 1, " -> ".join(path + [m, t])
            if t not in state:
                visit(t, path + [m])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [])


def test_engine_and_ranking_stand_on_the_numeric_foundation():
    for sub in ("engine", "ranking"):
        for f in (ROOT / sub).rglob("*.py"):
            assert not {m for m in _imports(f) if m.startswith("tlr.panel")}, f


def test_evaluating_imports_neither_scipy_nor_pandas():
    code = ("import sys, numpy as np; from tlr.evaluation import evaluate, ScoreCube, EvaluationOptions; "
            "from tests.evaluation.rubrics import make_rubric, INDICATORS; "
            "rng = np.random.default_rng(0); v = rng.integers(1, 6, (3, 5, 4)).astype(float); v[:, :, 3] = 1; "
            "c = ScoreCube.of(v, experts=list('abc'), projects=list('vwxyz'), indicators=INDICATORS); "
            "evaluate(make_rubric(), c, options=EvaluationOptions(draws=20, bootstrap_draws=10)); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'pandas')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT.parent).stdout
    assert out.strip().splitlines()[-1] == "[]"
