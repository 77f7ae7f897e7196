"""Report rendering benchmark (issue 7 targets).

Run:  python benchmarks/bench_report.py [--projects 1000] [--top 100]

On a synthetic round of 1,000 projects (``tlr.report.sample``) measures, each in a fresh process
so that peak memory is per job:
  * HTML report (full ranked table, summary, tier sections, default profiles)   target <= 5 s
  * PDF report with the full ranked table and the top 100 profiles             target <= 60 s
  * peak RSS of each job (resource.getrusage ru_maxrss)                          target <= 2 GB
Times are wall clock of ``render_report`` (data generation excluded; imports included).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

TARGETS = {"html": 5.0, "pdf": 60.0, "rss_mb": 2048.0}

_JOB = r"""
import json, resource, sys, time, warnings
t0 = time.perf_counter()
from tlr.report.sample import sample_report
data = sample_report({n}, seed=11)
t1 = time.perf_counter()
from tlr.report.render import render_report
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    paths = render_report(data, {out!r}, formats=[{fmt!r}], top={top})
t2 = time.perf_counter()
size = paths[0].stat().st_size
print(json.dumps({{"build_s": t1 - t0, "render_s": t2 - t1, "bytes": size,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run(fmt: str, n: int, top: int | None, out: str) -> dict:
    code = _JOB.format(n=n, out=out, fmt=fmt, top=top)
    proc = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--top", type=int, default=100, help="profiles in the PDF (default 100)")
    ap.add_argument("--html-top", type=int, default=None, help="profiles in the HTML (default: the renderer's)")
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, top, target in (("html", args.html_top, TARGETS["html"]), ("pdf", args.top, TARGETS["pdf"])):
            r = run(fmt, args.projects, top, tmp)
            passed = r["render_s"] <= target and r["rss_mb"] <= TARGETS["rss_mb"]
            ok &= passed
            print(f"{fmt.upper():4} {args.projects} projects, top {top if top is not None else 'default'}: "
                  f"{r['render_s']:6.1f} s (target <= {target:g} s), peak RSS {r['rss_mb']:6.0f} MB "
                  f"(<= {TARGETS['rss_mb']:.0f}), {r['bytes'] / 1e6:.1f} MB  {'ok' if passed else 'OVER'}",
                  flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
