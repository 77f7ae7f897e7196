"""The command line runs BLAS single-threaded (tlr.cli.run): faster for its small arrays, same numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

EVALUATE = """
import hashlib, json, numpy as np
from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate
from tests.evaluation.rubrics import INDICATORS, make_rubric
rng = np.random.default_rng(9)
v = np.stack([rng.integers(1, 6, (6, 300)), rng.integers(1, 10, (6, 300)), rng.integers(1, 6, (6, 300)),
              np.ones((6, 300))], axis=2).astype(float)
v[rng.uniform(size=v.shape) < 0.2] = np.nan
cube = ScoreCube.of(v, experts=[f"e{k}" for k in range(6)], projects=[f"p{k}" for k in range(300)], indicators=INDICATORS)
ev = evaluate(make_rubric(), cube, options=EvaluationOptions(draws=3000, bootstrap_draws=200))
arrays = [ev.composite, ev.rank, ev.robustness.acceptability, ev.robustness.p_tier, ev.bootstrap.acceptability]
print(json.dumps([hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest() for a in arrays]))
"""


def _run(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env={**environ, **env}, capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    return out.strip().splitlines()[-1]


def test_the_command_line_asks_for_one_blas_thread_unless_told_otherwise():
    code = ("import os, sys; sys.argv = ['tlr', '--version']; from tlr import cli\n"
            "try:\n    cli.run()\nexcept SystemExit:\n    pass\n"
            "print(os.environ.get('OPENBLAS_NUM_THREADS'), os.environ.get('MKL_NUM_THREADS'))")
    assert _run(code) == "1 1"
    assert _run(code, OPENBLAS_NUM_THREADS="3") == "3 1"


def test_one_blas_thread_gives_the_same_numbers():
    assert json.loads(_run(EVALUATE, OPENBLAS_NUM_THREADS="1")) == json.loads(_run(EVALUATE))
