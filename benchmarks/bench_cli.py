"""Start-up and rubric-check latency of the `tlr` command (issue 2 targets).

Run:  python benchmarks/bench_cli.py [--runs 21]

Measures, in one run and on the same machine, the median wall time of
  * `python -c pass`                       (the floor: interpreter start-up)
  * `tlr --help`                           (target: median <= 0.15 s)
  * `tlr rubric check generated-500.yaml`  (a generated 500-indicator rubric; target <= 0.6 s)
Each command runs as a fresh process (cold Python start, warm OS file cache).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    tlr = shutil.which("tlr") or str(Path(sys.executable).with_name("tlr"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated-500.yaml"
        path.write_text(generated_rubric(), encoding="utf-8")
        rows = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ("tlr --help", [tlr, "--help"], 0.15),
            ("tlr rubric check (500 indicators)", [tlr, "rubric", "check", str(path)], 0.6),
        ]
        print(f"{'command':<36} {'median s':>9} {'target s':>9}  runs={args.runs}")
        for name, cmd, target in rows:
            t = median_seconds(cmd, args.runs)
            verdict = "" if target is None else ("  ok" if t <= target else "  SLOW")
            print(f"{name:<36} {t:>9.3f} {'' if target is None else f'{target:.2f}':>9}{verdict}")


if __name__ == "__main__":
    main()
