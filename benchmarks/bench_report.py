"""Report rendering benchmark (issue 7 and issue 16 targets).

Run:  python benchmarks/bench_report.py [--projects 1000] [--top 100] [--repeat 3] [--no-demo] [--whole]

Each job runs in a fresh process, so that imports are included and peak memory is per job:
  * PDF of a synthetic 1,000-project round (``tlr.report.sample``): the full ranked table and the
    top 100 profiles, laid out in parts on the available cores            target <= 20 s, <= 1 GB peak RSS
    and with ``--whole``, for comparison, the same PDF laid out whole in one process (``pdf_workers=1``)
  * HTML of the demo campaign (``tlr demo --draws 100``): its ``render_report`` call, timed inside the demo
    (as the issue measured it)                                              target <= 1.5 s
    and, for information, the same report data rendered in a fresh process (matplotlib imported anew)
  * HTML of the synthetic round (full table, default profiles)             target <= 5 s, <= 2 GB
Times are wall clock of ``render_report`` (data generation excluded; imports included); the CPU time of the
process and of the part processes a large PDF is laid out in (``tlr.report.pdf_parts``) is printed beside
them. Peak RSS is the most the process and its part processes held at once (their resident sets summed
every 20 ms). With ``--repeat`` each job runs that many times and the best time is kept (the machine is
shared: best of 3 is the honest figure); peak RSS is the largest seen. Each demo run builds the campaign
(about 15 s, not timed).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

TARGETS = {"pdf": 20.0, "pdf_rss_mb": 1024.0, "demo_html": 1.5, "html": 5.0, "html_rss_mb": 2048.0}

# Peak memory of the job and its part processes together: a thread sums the resident sets of the process
# tree every 20 ms (Linux /proc; elsewhere the process's own peak).
_TREE_RSS = r"""
import os, threading
def _rss_kb(pid):
    try:
        with open(f"/proc/{{pid}}/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0
def _children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{{pid}}/task"):
            with open(f"/proc/{{pid}}/task/{{tid}}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out
TREE_PEAK_KB = [0]
def _watch():
    while True:
        pids, total = [os.getpid()], 0
        while pids:
            pid = pids.pop()
            total += _rss_kb(pid)
            pids += _children(pid)
        TREE_PEAK_KB[0] = max(TREE_PEAK_KB[0], total)
        time.sleep(0.02)
threading.Thread(target=_watch, daemon=True).start()
"""

_JOB = r"""
import json, resource, sys, time, warnings
t0 = time.perf_counter()
""" + _TREE_RSS + r"""
from tlr.report.sample import sample_report
data = sample_report({n}, seed=11)
t1 = time.perf_counter(); c1 = time.process_time()
from tlr.report.render import render_report
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    paths = render_report(data, {out!r}, formats=[{fmt!r}], top={top}, pdf_workers={workers})
t2 = time.perf_counter()
size = paths[0].stat().st_size
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({{"build_s": t1 - t0, "render_s": t2 - t1, "bytes": size,
                  "cpu_s": time.process_time() - c1 + kids.ru_utime + kids.ru_stime,
                  "rss_mb": max(TREE_PEAK_KB[0], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024}}))
"""

# Builds the demo campaign, timing the demo's own report render (HTML) and keeping the report data it renders.
_DEMO_BUILD = r"""
import json, resource, sys, time
import tlr.report.render as render
real = render.render_report
def timed(data, *args, **kwargs):
    open({data_path!r}, "w", encoding="utf-8").write(data.model_dump_json())
    t = time.perf_counter(); c = time.process_time()
    paths = real(data, *args, **kwargs)
    json.dump({{"render_s": time.perf_counter() - t, "cpu_s": time.process_time() - c,
               "bytes": paths[0].stat().st_size,
               "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}, open({timing_path!r}, "w"))
    return paths
render.render_report = timed
from tlr.cli import main
main(["demo", "--out", {out!r}, "--force", "--format", "html", "--draws", "100"])
print(open({timing_path!r}).read())
"""

_DEMO_HTML = r"""
import json, resource, time, warnings
from pathlib import Path
from tlr.report.model import ReportData
data = ReportData.model_validate_json(Path({data_path!r}).read_text(encoding="utf-8"))
t1 = time.perf_counter(); c1 = time.process_time()
from tlr.report.render import render_report
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    paths = render_report(data, {out!r}, formats=["html"])
t2 = time.perf_counter()
print(json.dumps({{"render_s": t2 - t1, "cpu_s": time.process_time() - c1, "bytes": paths[0].stat().st_size,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def _child(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def best_of(code: str, repeat: int) -> dict:
    runs = [_child(code) for _ in range(max(1, repeat))]
    best = min(runs, key=lambda r: r["render_s"])
    return {**best, "rss_mb": max(r["rss_mb"] for r in runs), "all_s": [r["render_s"] for r in runs],
            "cpu_s": min(r["cpu_s"] for r in runs)}


def line(label: str, r: dict, target: float, rss_target: float | None) -> bool:
    passed = r["render_s"] <= target and (rss_target is None or r["rss_mb"] <= rss_target)
    runs = ", ".join(f"{s:.1f}" for s in r["all_s"])
    rss = f"peak RSS {r['rss_mb']:5.0f} MB" + (f" (<= {rss_target:.0f})" if rss_target is not None else "")
    print(f"{label:36} {r['render_s']:6.2f} s (target <= {target:g} s; runs {runs}; best CPU {r['cpu_s']:.2f} s), {rss}, "
          f"{r['bytes'] / 1e6:.1f} MB  {'ok' if passed else 'OVER'}", flush=True)
    return passed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--top", type=int, default=100, help="profiles in the PDF (default 100)")
    ap.add_argument("--html-top", type=int, default=None, help="profiles in the HTML (default: the renderer's)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per job; the best time counts (default 3)")
    ap.add_argument("--no-demo", action="store_true", help="skip the demo HTML (building the demo takes ~15 s)")
    ap.add_argument("--whole", action="store_true",
                    help="also time the PDF laid out whole in one process (pdf_workers=1), for comparison")
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        r = best_of(_JOB.format(n=args.projects, out=tmp, fmt="pdf", top=args.top, workers=None), args.repeat)
        ok &= line(f"PDF  {args.projects} projects, top {args.top}", r, TARGETS["pdf"], TARGETS["pdf_rss_mb"])
        if args.whole:
            r = best_of(_JOB.format(n=args.projects, out=tmp, fmt="pdf", top=args.top, workers=1), args.repeat)
            line("  same, laid out whole (info)", r, TARGETS["pdf"], TARGETS["pdf_rss_mb"])
        if not args.no_demo:
            data_path = str(Path(tmp) / "demo-report-data.json")
            build = _DEMO_BUILD.format(data_path=data_path, timing_path=str(Path(tmp) / "demo-timing.json"),
                                       out=str(Path(tmp) / "demo"))
            ok &= line("HTML of the demo (in `tlr demo`)", best_of(build, args.repeat), TARGETS["demo_html"], None)
            r = best_of(_DEMO_HTML.format(data_path=data_path, out=str(Path(tmp) / "demo-html")), args.repeat)
            line("  same data, fresh process (info)", r, TARGETS["demo_html"], None)
        r = best_of(_JOB.format(n=args.projects, out=tmp, fmt="html", top=args.html_top, workers=None), args.repeat)
        ok &= line(f"HTML {args.projects} projects, top {args.html_top if args.html_top is not None else 'default'}",
                   r, TARGETS["html"], TARGETS["html_rss_mb"])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
