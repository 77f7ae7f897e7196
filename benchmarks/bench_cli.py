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
(median over the runs, each in a fresh process).
"""

from __future__ import annotations

import argparse
import json
import os
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
T = time.perf_counter
t0 = t = T()
out = {}
def mark(name):
    global t
    now = T(); out[name] = now - t; t = now
import numpy
mark("import numpy")
import pydantic, tlr.rubric, tlr.text
mark("import pydantic, the rubric and text models")
from tlr.cli import rank_cmd
from tlr.app.audit_gate import check_audit
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
out["total in process"] = T() - t0
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


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def demo_campaign(tlr: str, given: str | None, tmp: Path) -> Path:
    if given:
        path = Path(given)
        return path / "round-2026" if (path / "round-2026").is_dir() else path
    print("building the demo campaign (tlr demo, ~20 s) ...", flush=True)
    subprocess.run([tlr, "demo", "--out", str(tmp / "demo"), "--force"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return tmp / "demo" / "round-2026"


def breakdown(campaign: Path, runs: int) -> dict[str, float]:
    from tlr.cli import SINGLE_THREAD_BLAS

    env = dict(os.environ)
    for name in SINGLE_THREAD_BLAS:  # as the `tlr` command runs
        env.setdefault(name, "1")
    phases: dict[str, list[float]] = {}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", BREAKDOWN, str(campaign)], check=True, capture_output=True,
                             text=True, env=env).stdout
        for name, seconds in json.loads(out.strip().splitlines()[-1]).items():
            phases.setdefault(name, []).append(seconds)
    return {name: statistics.median(values) for name, values in phases.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--campaign", default=None, help="an existing demo campaign (skips `tlr demo`)")
    parser.add_argument("--breakdown", action="store_true", help="also time the phases of `tlr rank`")
    args = parser.parse_args()
    tlr = shutil.which("tlr") or str(Path(sys.executable).with_name("tlr"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated-500.yaml"
        path.write_text(generated_rubric(), encoding="utf-8")
        campaign = demo_campaign(tlr, args.campaign, Path(tmp))
        rows = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ('python -c "import numpy"', [sys.executable, "-c", "import numpy"], None),
            ("tlr --help", [tlr, "--help"], 0.15),
            ("tlr rubric check (500 indicators)", [tlr, "rubric", "check", str(path)], 0.6),
            ("tlr rank <demo> --json", [tlr, "rank", str(campaign), "--json"], 0.45),
        ]
        print(f"{'command':<36} {'median s':>9} {'target s':>9}  runs={args.runs}")
        for name, cmd, target in rows:
            t = median_seconds(cmd, args.runs)
            verdict = "" if target is None else ("  ok" if t <= target else "  SLOW")
            print(f"{name:<36} {t:>9.3f} {'' if target is None else f'{target:.2f}':>9}{verdict}")
        if args.breakdown:
            print(f"\nwhere `tlr rank <demo> --json` spends its time (median of {args.runs} fresh processes):")
            for name, seconds in breakdown(campaign, args.runs).items():
                print(f"  {name:<44} {seconds:>7.3f} s")


if __name__ == "__main__":
    main()
