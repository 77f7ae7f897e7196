"""Start-up and latency of the `tlr` command (issue targets), each beside the floor it cannot beat.

Run:  python benchmarks/bench_cli.py [--runs 21] [--campaign DIR] [--breakdown]

Measures, in one run and on the same machine, the median wall time of
  * `python -c pass`                        (the floor: interpreter start-up)
  * `python -c "import numpy"`              (the floor of any command that computes)
  * `tlr --help`                            (target: median <= 0.15 s)
  * `tlr rubric check generated-500.yaml`   (a generated 500-indicator rubric; target <= 0.6 s)
  * `tlr rank <demo campaign> --json`       (58 projects, 12 experts; the audit chain verified first,
                                             10,000 weight draws + 1,000 expert-bootstrap draws; target <= 0.45 s)
Each command runs as a fresh process (cold Python start, warm OS file cache), stdout to /dev/null.
The demo campaign is built with `tlr demo` (about 20 s) unless --campaign names one (a `tlr demo` output
folder or its round-2026 campaign). --breakdown adds where the time of `tlr rank` goes, phase by phase
(median over the runs, each in a fresh process). Beside the wall time, the CPU time (user + system):
on a shared machine it does not count the waits for a core. --compiled runs with tlr's modules
compiled to bytecode (as a `pip install` leaves them) when the environment would otherwise compile
them from source in every process (PYTHONDONTWRITEBYTECODE with an editable install).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Runs in a fresh interpreter: the phases of `tlr rank CAMPAIGN --json`, timed one after the other.
BREAKDOWN = r"""
import json, sys, time
T, C = time.perf_counter, time.process_time
t0, c0 = T(), C()
t, c = t0, c0
out = {}
def mark(name):
    global t, c
    now, cpu = T(), C()
    out[name] = [now - t, cpu - c]
    t, c = now, cpu
import numpy
mark("import numpy")
import pydantic, tlr.rubric, tlr.text
mark("import pydantic, the rubric and text models")
from tlr.cli import rank_cmd
from tlr.app.audit_gate import check_audit
from tlr.app.evaluation import evaluate_campaign
from tlr.app.records import project_records
from tlr.campaign import open_campaign
from tlr.campaign.cube import score_cube
from tlr.campaign.trl import assessed_readiness
from tlr.evaluation import EvaluationOptions, evaluate
from tlr.numeric.results import json_text
mark("import the CLI, campaign, evaluation")
ledger = open_campaign(sys.argv[1])
audit = check_audit(ledger)
mark("audit chain verified")
rubric = ledger.rubric
mark("frozen rubric read from the ledger")
cube = score_cube(ledger)
mark("score cube")
ready = assessed_readiness(ledger)
mark("TRL assessments")
ev = evaluate(rubric, cube, readiness_assessed={p: r.level for p, r in ready.items()},
              readiness_asserted=[p for p, r in ready.items() if r.basis != "evidenced"],
              options=EvaluationOptions())
mark("evaluate (10,000 + 1,000 draws)")
text = json_text({"projects": project_records(ev, {p["id"]: p for p in ledger.projects()}), "method": ev.method})
mark("records and JSON")
out["total in process"] = [T() - t0, C() - c0]
print(json.dumps(out))
"""


def generated_rubric(n_indicators: int = 500, per_dimension: int = 10) -> str:
    """A valid rubric with *n_indicators* likert indicators in dimensions of *per_dimension*; AHP on top."""
    n_dims = n_indicators // per_dimension
    lines = ["id: generated", 'version: "1"', "title: {zh: 生成的评价体系, en: Generated rubric}",
             "scales:", "  l5:", "    kind: likert", "    anchors: {1: 很差, 3: 一般, 5: 很好}", "dimensions:"]
    for d in range(n_dims):
        lines += [f"  - id: d{d}", f"    label: {{zh: 维度{d}, en: Dimension {d}}}", f"    weight: {1 / n_dims!r}",
                  "    children:"]
        for i in range(per_dimension):
            lines.append(f"      - {{id: d{d}_i{i}, label: {{zh: 指标{d}-{i}, en: Indicator {d}-{i}}}, "
                         f"scale: l5, weight: {1 / per_dimension!r}}}")
    lines.append("normalize: true")
    return "\n".join(lines) + "\n"


def median_seconds(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of *cmd* over *runs* fresh processes.

    The CPU time is the steadier figure on a shared machine: waiting for a core does not count."""
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # warm-up
    times, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times), statistics.median(cpus)


def demo_campaign(tlr: str, given: str | None, tmp: Path) -> Path:
    if given:
        path = Path(given)
        return path / "round-2026" if (path / "round-2026").is_dir() else path
    print("building the demo campaign (tlr demo, ~20 s) ...", flush=True)
    subprocess.run([tlr, "demo", "--out", str(tmp / "demo"), "--force"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return tmp / "demo" / "round-2026"


def breakdown(campaign: Path, runs: int, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Phase -> (median wall s, median CPU s)."""
    from tlr.cli import SINGLE_THREAD_BLAS

    env = dict(env)
    for name in SINGLE_THREAD_BLAS:  # as the `tlr` command runs
        env.setdefault(name, "1")
    phases: dict[str, list[list[float]]] = {}
    subprocess.run([sys.executable, "-c", BREAKDOWN, str(campaign)], check=True, capture_output=True, env=env)
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", BREAKDOWN, str(campaign)], check=True, capture_output=True,
                             text=True, env=env).stdout
        for name, seconds in json.loads(out.strip().splitlines()[-1]).items():
            phases.setdefault(name, []).append(seconds)
    return {name: (statistics.median(v[0] for v in values), statistics.median(v[1] for v in values))
            for name, values in phases.items()}


def compiled_env(tmp: Path) -> dict[str, str]:
    """An environment whose interpreter keeps the bytecode it compiles, as a `pip install` leaves tlr.

    With PYTHONDONTWRITEBYTECODE=1 and an editable install every command compiles tlr from source
    (about 0.1 s of `tlr rank`). Here bytecode is written to a private cache prefix (the checkout is
    not written) by the untimed first run of each command."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--campaign", default=None, help="an existing demo campaign (skips `tlr demo`)")
    parser.add_argument("--breakdown", action="store_true", help="also time the phases of `tlr rank`")
    parser.add_argument("--compiled", action="store_true",
                        help="run with tlr's modules compiled to bytecode, as after `pip install` (matters when "
                             "PYTHONDONTWRITEBYTECODE is set and tlr is installed editable)")
    args = parser.parse_args()
    tlr = shutil.which("tlr") or str(Path(sys.executable).with_name("tlr"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated-500.yaml"
        path.write_text(generated_rubric(), encoding="utf-8")
        campaign = demo_campaign(tlr, args.campaign, Path(tmp))
        env = compiled_env(Path(tmp)) if args.compiled else dict(os.environ)
        source = "compiled to bytecode" if args.compiled else (
            "compiled from source in every run (PYTHONDONTWRITEBYTECODE)" if sys.dont_write_bytecode else
            "bytecode cached")
        print(f"tlr modules: {source}")
        rows = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ('python -c "import numpy"', [sys.executable, "-c", "import numpy"], None),
            ("tlr --help", [tlr, "--help"], 0.15),
            ("tlr rubric check (500 indicators)", [tlr, "rubric", "check", str(path)], 0.6),
            ("tlr rank <demo> --json", [tlr, "rank", str(campaign), "--json"], 0.45),
        ]
        print(f"{'command':<36} {'median s':>9} {'cpu s':>7} {'target s':>9}  runs={args.runs}")
        for name, cmd, target in rows:
            t, cpu = median_seconds(cmd, args.runs, env)
            verdict = "" if target is None else ("  ok" if t <= target else "  SLOW")
            print(f"{name:<36} {t:>9.3f} {cpu:>7.3f} {'' if target is None else f'{target:.2f}':>9}{verdict}")
        if args.breakdown:
            print(f"\nwhere `tlr rank <demo> --json` spends its time (median of {args.runs} fresh processes):")
            print(f"  {'phase':<44} {'wall s':>7} {'cpu s':>7}")
            for name, (seconds, cpu) in breakdown(campaign, args.runs, env).items():
                print(f"  {name:<44} {seconds:>7.3f} {cpu:>7.3f}")


if __name__ == "__main__":
    main()
