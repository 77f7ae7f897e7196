"""A campaign ledger at national scale (issue 16, item 3): import, status and audit verify.

Run: ``python benchmarks/bench_ledger_scale.py [--projects 100000] [--experts 500] [--keep DIR] [--json]``
(``--projects 10000`` is a quick run; ``--per-expert`` imports the scores the older way, one
``tlr score --expert E --from FILE`` per expert, for comparison).

Generates, seeded, into a temporary directory (or ``--keep DIR``):

- ``projects.csv``: ``--projects`` projects (UTF-8 with BOM, Chinese names, applicants, industry,
  type "技术开发和产业化", co-applicants, keywords, a 40-160 character summary);
- ``experts.csv``: a pool of ``--experts`` experts;
- the assignments: every project gets ``--per-project`` (5) experts drawn from the pool (seeded);
- ``answers.csv``: one answers file for the whole panel (expert, project, indicator, value, comment),
  every expert scoring every indicator of every project assigned to them, in project order, one answer
  in ten with a comment. The rubric is the shipped ``legacy-tech-development-sheet`` (5 indicators
  A1-A5 on 0-100), so 5 experts x 5 indicators = 25 scores per project: 2,500,000 for 100,000
  projects.

Each command runs in a fresh process (``tlr.cli.run``); reported are its wall time, its CPU time (user +
system, from the children's rusage: what a busy machine does not inflate as much) and its own peak
resident memory (``VmHWM`` at exit); with ``--repeat N`` the best of N runs (each import into a fresh
copy of the ledger as it was before it). The assignments are written through the ledger's API in a
process of their own (the MILP of ``tlr assign`` is not what this measures; reported, no target).

Targets (issue 16): projects + scores import <= 30 s together and each <= 2 GB; ``tlr status`` and
``tlr audit verify`` <= 20 s each. The exit code is 1 when a command fails or, at 100,000 projects
and more, a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import (COMMENTS, INDUSTRIES, PLACES, SUBJECTS, THINGS, ACTIONS, _org, _summary,  # noqa: E402
                          run as run_once)

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "legacy-tech-development-sheet.yaml"
INDICATORS = ["A1", "A2", "A3", "A4", "A5"]
MB = 1024 * 1024

ASSIGN = """
import csv, sys
from tlr.campaign import open_campaign
campaign, path, per_project, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open_campaign(campaign) as ledger, open(path, encoding="utf-8", newline="") as fh:
    reader = csv.reader(fh)
    next(reader)
    with ledger.write("assign", info={"per_project": per_project, "seed": seed, "source": "benchmark"}) as tx:
        n = tx.put_stream("assignments", ({"expert_id": e, "project_id": p, "source": "auto",
                                           "created_at": tx.ts} for e, p in reader))
print(n)
"""


def run(args: list, env: dict) -> tuple[float, float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, exit code, stderr) of ``tlr ARGS`` in a fresh process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, peak, code, err = run_once(args, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak, code, err


def best(runs: list[tuple[float, float, float, int, str]]) -> tuple[float, float, float, int, str]:
    """The least wall and CPU time of several runs, their largest peak, the first failure."""
    failed = [r for r in runs if r[3]]
    if failed:
        return failed[0]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs), 0, ""


def panel(n_projects: int, n_experts: int, per_project: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [sorted(rng.sample(range(n_experts), per_project)) for _ in range(n_projects)]


def generate(tmp: Path, n_projects: int, n_experts: int, per_project: int, seed: int,
             per_expert: bool) -> dict[str, Path]:
    rng = random.Random(seed)
    files = {name: tmp / f"{name}.csv" for name in ("projects", "experts", "assignments", "answers")}
    with open(files["projects"], "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["项目编号", "项目名称", "申报单位", "行业", "成果类型", "合作单位", "关键词", "项目简介"])
        for k in range(n_projects):
            w.writerow([f"P{k:06d}", rng.choice(PLACES) + rng.choice(SUBJECTS) + rng.choice(THINGS)
                        + rng.choice(ACTIONS), _org(rng), rng.choice(INDUSTRIES), "技术开发和产业化",
                        "、".join(_org(rng) for _ in range(rng.randint(0, 2))), "；".join(rng.sample(THINGS, 2)),
                        _summary(rng)])
    with open(files["experts"], "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["专家编号", "姓名", "单位", "领域"])
        for e in range(n_experts):
            w.writerow([f"E{e:04d}", f"专家{e}", f"评审专家单位{e % 97}", "、".join(rng.sample(INDUSTRIES, 2))])
    experts_of = panel(n_projects, n_experts, per_project, seed + 1)
    with open(files["assignments"], "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["expert", "project"])
        for p, es in enumerate(experts_of):
            w.writerows([f"E{e:04d}", f"P{p:06d}"] for e in es)
    out = {}
    if per_expert:
        folder = tmp / "by-expert"
        folder.mkdir(exist_ok=True)
        out = {e: open(folder / f"E{e:04d}.csv", "w", encoding="utf-8", newline="") for e in range(n_experts)}
        writers = {e: csv.writer(fh) for e, fh in out.items()}
        for w in writers.values():
            w.writerow(["项目编号", "指标编号", "评分", "意见"])
    with open(files["answers"], "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["专家编号", "项目编号", "指标编号", "评分", "意见"])
        for p, es in enumerate(experts_of):
            for e in es:
                for ind in INDICATORS:
                    row = [f"E{e:04d}", f"P{p:06d}", ind, str(rng.randint(40, 100)),
                           rng.choice(COMMENTS) if rng.random() < 0.1 else ""]
                    w.writerow(row)
                    if out:
                        writers[e].writerow(row[1:])
    for handle in out.values():
        handle.close()
    return files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=100_000)
    ap.add_argument("--experts", type=int, default=500, help="size of the expert pool (default 500)")
    ap.add_argument("--per-project", type=int, default=5, help="experts per project (default 5)")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each command; the best is reported")
    ap.add_argument("--per-expert", action="store_true",
                    help="import the scores with one `tlr score --expert E --from FILE` per expert")
    ap.add_argument("--keep", type=Path, help="work in this directory and keep it (default: a temporary one)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tlr-bench-ledger-"))
    tmp.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TLR_ACTOR": "bench", "TLR_MAX_INPUT_MB": "2048"}
    results: list[dict] = []
    big = args.projects >= 100_000
    repeat = max(1, args.repeat)

    def report(name: str, wall: float, cpu: float, peak: float, code: int, err: str, target_s: float | None = None,
               target_mb: float | None = None) -> dict:
        missed = big and ((target_s is not None and wall > target_s) or (target_mb is not None and peak > target_mb))
        r = {"name": name, "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "peak_rss_mb": round(peak),
             "exit": code, "target_s": target_s, "target_mb": target_mb, "missed": missed}
        results.append(r)
        if not args.json:
            t = " and ".join(x for x in (f"<= {target_s:g} s" if target_s else "",
                                         f"<= {target_mb:g} MB" if target_mb else "") if x)
            print(f"{name:44} {wall:8.1f} {cpu:8.1f} {peak:9.0f}  {t:20} {'ok' if code == 0 else f'exit {code}'}"
                  f"{'  MISSED' if missed else ''}", flush=True)
        if code != 0:
            print(err, file=sys.stderr)
        return r

    def setup(*cmd) -> None:
        _w, _c, _p, code, err = run(list(cmd), env)
        if code:
            raise SystemExit(f"set-up step failed: tlr {' '.join(map(str, cmd))}\n{err}")

    try:
        t = time.perf_counter()
        files = generate(tmp, args.projects, args.experts, args.per_project, args.seed, args.per_expert)
        n_scores = args.projects * args.per_project * len(INDICATORS)
        if not args.json:
            print(f"generated {args.projects:,} projects, {args.experts:,} experts, {args.per_project} per project, "
                  f"{n_scores:,} answers ({files['answers'].stat().st_size / MB:.0f} MB) in "
                  f"{time.perf_counter() - t:.0f} s; rubric {RUBRIC.name} ({len(INDICATORS)} indicators); "
                  f"best of {repeat}")
            print(f"{'command':44} {'wall s':>8} {'cpu s':>8} {'peak MB':>9}  {'target':20}")
        campaign = tmp / "c"
        runs = []
        for _ in range(repeat):   # each into a new campaign
            shutil.rmtree(campaign, ignore_errors=True)
            setup("campaign", "init", campaign, "--rubric", RUBRIC)
            runs.append(run(["projects", "import", files["projects"], "--campaign", campaign], env))
        projects = report(f"projects import ({args.projects:,})", *best(runs), target_mb=2048)
        report(f"experts import ({args.experts:,})",
               *run(["experts", "import", files["experts"], "--campaign", campaign], env))
        # the assignments, through the ledger's API (not a tlr command: see the module doc)
        import subprocess

        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", ASSIGN, str(campaign), str(files["assignments"]),
                               str(args.per_project), str(args.seed)], env=env, capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(f"writing the assignments failed\n{proc.stderr[-3000:]}")
        if not args.json:
            print(f"{'  (assignments written: ' + proc.stdout.strip() + ')':44} {time.perf_counter() - t:8.1f}")
        if args.per_expert:
            wall = cpu = peak = 0.0
            code, err = 0, ""
            for e in range(args.experts):
                w, c, p, code, err = run(["score", "--expert", f"E{e:04d}", "--from",
                                          tmp / "by-expert" / f"E{e:04d}.csv", "--campaign", campaign], env)
                wall, cpu, peak = wall + w, cpu + c, max(peak, p)
                if code:
                    break
            scores = report(f"scores: {args.experts} x score --expert --from", wall, cpu, peak, code, err,
                            target_mb=2048)
        else:
            before = tmp / "c-before-scores"
            shutil.rmtree(before, ignore_errors=True)
            shutil.copytree(campaign, before)
            runs = []
            for k in range(repeat):   # each into a copy of the ledger as it was before
                if k:
                    shutil.rmtree(campaign)
                    shutil.copytree(before, campaign)
                runs.append(run(["score", "--from", files["answers"], "--campaign", campaign], env))
            shutil.rmtree(before, ignore_errors=True)
            scores = report(f"scores import ({n_scores:,}: score --from)", *best(runs), target_mb=2048)
        both = projects["seconds"] + scores["seconds"]
        missed = big and both > 30
        if not args.json:
            print(f"{'  projects + scores import':44} {both:8.1f} {projects['cpu_seconds'] + scores['cpu_seconds']:8.1f}"
                  f" {'':9}  {'<= 30 s':20}{'  MISSED' if missed else ''}")
        results.append({"name": "projects + scores import", "seconds": round(both, 2), "target_s": 30,
                        "cpu_seconds": round(projects["cpu_seconds"] + scores["cpu_seconds"], 2), "missed": missed,
                        "exit": 0})
        for name, cmd in (("status", ["status"]), ("status --json", ["status", "--json"]),
                          ("audit verify", ["audit", "verify"])):
            report(name, *best([run([*cmd, "--campaign", campaign], env) for _ in range(repeat)]), target_s=20)
        db = campaign / "campaign.sqlite"
        if not args.json:
            print(f"ledger: {db.stat().st_size / MB:.0f} MB")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    return 1 if any(r["exit"] != 0 or r["missed"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
