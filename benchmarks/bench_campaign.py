"""Campaign benchmarks (issue 5). Run: ``python benchmarks/bench_campaign.py [--quick] [--json]``.

Targets:
- import of 10,000 projects (CSV)                         <= 2 s
- one committed score (validate + transaction + audit)    <= 5 ms median
- ``tlr status`` on 1,000 projects x 9 experts each       <= 1 s (whole command, process start included)
Also reported: assignment of 1,000 projects x 9 from a pool of 60 with conflicts, `tlr audit verify`
on that campaign, and 8 processes x 500 answers written concurrently (all present, no lock error).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUBRIC = ROOT / "rubrics" / "fund-screening.yaml"
INDUSTRIES = ["钢铁", "高端装备", "信息智能", "新能源", "新材料", "节能环保", "生物医药与健康", "县域特色产业"]
ORGS = [f"单位{k:03d}" for k in range(400)]
VALUES = {"levels": "5", "likert": "4", "grades": None, "boolean": "是", "numeric": "10"}

WRITER = r"""
import sys
from tlr.campaign import open_campaign, record_score
from tlr.campaign.scoring import expert_items
led = open_campaign(sys.argv[1])
expert, limit = sys.argv[2], int(sys.argv[3])
n = 0
for item in expert_items(led, expert)[:limit]:
    record_score(led, expert, item.project["id"], item.indicator.id, "3")
    n += 1
print(n)
"""


def value_for(info) -> str:
    kind = info.scale.kind
    if kind == "grades":
        return info.scale.grades[0].id
    if kind == "likert":
        return f"{info.scale.min:g}"
    if kind == "levels":
        return str(info.scale.levels[len(info.scale.levels) // 2].level)
    if kind == "numeric":
        lo = info.scale.min if info.scale.min is not None else 0
        return f"{lo + 1:g}"
    return VALUES[kind]


def write_projects(path: Path, n: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["项目编号", "项目名称", "申报单位", "行业", "成果类型", "合作单位", "项目简介"])
        for k in range(n):
            w.writerow([f"P{k:05d}", f"项目{k}：新型工艺与装备研制", rng.choice(ORGS), rng.choice(INDUSTRIES),
                        "技术开发和产业化", "、".join(rng.sample(ORGS, rng.randint(0, 2))),
                        "本项目面向省内重点产业需求，研发关键技术并开展中试验证。" * 2])


def write_experts(path: Path, n: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["专家编号", "姓名", "单位", "领域", "回避单位"])
        for k in range(n):
            w.writerow([f"E{k:03d}", f"专家{k}", rng.choice(ORGS), ";".join(rng.sample(INDUSTRIES, 2)),
                        rng.choice(ORGS)])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller concurrency run (8 x 100)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from tlr.campaign import (assign_experts, import_answers, import_experts, import_projects, init_campaign,
                              record_score, verify_audit)
    from tlr.campaign.scoring import expert_items
    from tlr.rubric import load_rubric

    rng = random.Random(42)
    rubric = load_rubric(RUBRIC)
    tmp = Path(tempfile.mkdtemp(prefix="tlr-bench-"))
    results: list[dict] = []

    def report(name, value, unit, target=None):
        ok = None if target is None else value <= target
        results.append({"name": name, "value": round(value, 4), "unit": unit, "target": target, "ok": ok})
        mark = "" if ok is None else ("PASS" if ok else "FAIL")
        if not args.json:
            tgt = f"<= {target} {unit}" if target is not None else ""
            print(f"{name:58} {value:10.3f} {unit:3} {tgt:12} {mark}", flush=True)

    try:
        # 1. import 10,000 projects
        write_projects(tmp / "projects10k.csv", 10_000, rng)
        led = init_campaign(tmp / "import", rubric)
        t = time.perf_counter()
        import_projects(led, tmp / "projects10k.csv")
        report("import 10,000 projects (CSV, validated, audited)", time.perf_counter() - t, "s", 2.0)
        led.close()

        # 2. the 1,000 x 9 campaign
        write_projects(tmp / "projects1k.csv", 1_000, rng)
        write_experts(tmp / "experts.csv", 60, rng)
        led = init_campaign(tmp / "round", rubric)
        import_projects(led, tmp / "projects1k.csv")
        import_experts(led, tmp / "experts.csv")
        t = time.perf_counter()
        res = assign_experts(led, 9, seed=1)
        report(f"assign 1,000 projects x 9 from 60 experts (max load {res.max_load})", time.perf_counter() - t, "s")

        # 3. median latency of one committed score
        items = expert_items(led, "E000")
        lat = []
        for item in items[:300]:
            v = value_for(item.indicator)
            t = time.perf_counter()
            record_score(led, "E000", item.project["id"], item.indicator.id, v)
            lat.append(time.perf_counter() - t)
        report("one committed score, median (300 answers)", statistics.median(lat) * 1000, "ms", 5.0)
        report("one committed score, 95th percentile", sorted(lat)[int(len(lat) * 0.95)] * 1000, "ms")

        # fill the campaign: every expert answers ~90 % of their items (one file import each)
        for (eid,) in led.conn.execute("SELECT id FROM experts").fetchall():
            rows = [(i.project["id"], i.indicator.id, value_for(i.indicator)) for i in expert_items(led, eid)
                    if rng.random() < 0.9]
            f = tmp / f"ans-{eid}.csv"
            with open(f, "w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["project", "indicator", "value"])
                w.writerows(rows)
            import_answers(led, eid, f)
        n_scores = led.conn.execute("SELECT count(*) FROM scores").fetchone()[0]
        led.close()

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        tlr = [sys.executable, "-m", "tlr"]
        times = []
        for _ in range(3):
            t = time.perf_counter()
            out = subprocess.run([*tlr, "status", "--json", "--campaign", str(tmp / "round")], env=env,
                                 capture_output=True, text=True, check=True).stdout
            times.append(time.perf_counter() - t)
        assert json.loads(out)["totals"]["projects"] == 1000
        report(f"`tlr status` 1,000 projects x 9 experts, {n_scores} scores (median of 3)",
               statistics.median(times), "s", 1.0)
        t = time.perf_counter()
        subprocess.run([*tlr, "audit", "verify", "--campaign", str(tmp / "round")], env=env, check=True,
                       capture_output=True)
        report("`tlr audit verify` on that campaign", time.perf_counter() - t, "s")

        # 4. 8 processes x 500 answers at once
        per = 100 if args.quick else 500
        n_ind = 4  # likert-rubric.yaml
        n_proj = -(-per // n_ind)
        (tmp / "conc").mkdir()
        with open(tmp / "conc" / "p.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "name", "applicant", "industry"])
            for k in range(n_proj):
                w.writerow([f"C{k:03d}", f"c{k}", f"applicant{k}", "新材料"])
        with open(tmp / "conc" / "e.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "name", "institution", "fields"])
            for k in range(8):
                w.writerow([f"W{k}", f"w{k}", f"inst{k}", "新材料"])
        # a likert-only rubric so that "3" is valid everywhere
        led = init_campaign(tmp / "conc" / "c", load_rubric(ROOT / "tests" / "campaign" / "fixtures" /
                                                             "likert-rubric.yaml"))
        import_projects(led, tmp / "conc" / "p.csv")
        import_experts(led, tmp / "conc" / "e.csv")
        assign_experts(led, 8, seed=0)
        per_items = len(expert_items(led, "W0"))
        led.close()
        per = min(per, per_items)
        t = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp / "conc" / "c"), f"W{k}", str(per)],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for k in range(8)]
        outs = [p.communicate() for p in procs]
        wall = time.perf_counter() - t
        errors = [err for p, (_o, err) in zip(procs, outs) if p.returncode != 0 or "locked" in err]
        from tlr.campaign import open_campaign

        led = open_campaign(tmp / "conc" / "c")
        stored = led.conn.execute("SELECT count(*) FROM scores").fetchone()[0]
        ok = verify_audit(led).ok
        led.close()
        report(f"8 processes x {per} answers: wall time (process start included)", wall, "s")
        report(f"8 x {per}: answers missing (stored {stored}), lock errors {len(errors)}, audit ok {ok}",
               float(8 * per - stored + len(errors) + (0 if ok else 1)), "", 0.0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if all(r["ok"] is not False for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
