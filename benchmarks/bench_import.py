"""Memory and time of large imports (issue: imports held 27x the input in memory).

Run: ``python benchmarks/bench_import.py [--mb 200] [--keep DIR] [--json]``.

Generates, seeded, into a temporary directory:

- a projects CSV of about ``--mb`` MB (UTF-8 with BOM, as Excel writes it): ids, Chinese names,
  applicants, industries, achievement types, co-applicants, keywords and a 40-160 character summary;
- an answers CSV of about ``--mb`` MB for one expert assigned every project of a second campaign
  (project, indicator, value, a Chinese comment for every answer).

Each command runs in a fresh process (``tlr.cli.run``); reported are its wall time and its own peak
resident memory (``VmHWM`` from ``/proc/self/status`` at exit; ``ru_maxrss`` where there is no /proc;
no psutil), also for ``tlr audit verify`` on the ledgers written. Target: peak memory <= 3x the input
file for files of 100 MB and more (the exit code is 1 otherwise). ``--mb 10`` is a quick run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = ROOT / "rubrics" / "fund-screening.yaml"
MB = 1024 * 1024

INDUSTRIES = ["钢铁", "高端装备", "信息智能", "新能源", "新材料", "节能环保", "生物医药与健康", "县域特色产业"]
TYPES = ["技术开发和产业化", "技术开发和产业化", "基础研究", "应用研究"]
PLACES = ["济南", "青岛", "淄博", "烟台", "潍坊", "济宁", "泰安", "威海", "日照", "临沂", "德州", "聊城", "滨州", "菏泽"]
ORG_KINDS = ["大学", "科技大学", "理工学院", "研究院", "有限公司", "股份有限公司", "集团有限公司", "工业技术研究院"]
SUBJECTS = ["高性能", "低成本", "智能化", "绿色", "高可靠", "大功率", "柔性", "超高纯", "轻量化", "长寿命"]
THINGS = ["碳化硅功率器件", "锂离子电池正极材料", "氢燃料电池电堆", "工业机器人减速器", "数控机床主轴", "特种钢材",
          "可降解塑料", "生物医用材料", "光伏组件", "储能变流器", "智能传感器", "工业软件平台", "海洋防腐涂层",
          "中药提取工艺", "膜分离装置", "高速轴承", "稀土永磁材料", "新型疫苗佐剂", "数字孪生系统", "污水处理工艺"]
ACTIONS = ["关键技术研发", "产业化示范", "工程化验证", "中试放大", "集成应用", "国产化替代", "工艺优化"]
SENTENCES = [
    "本项目面向省内重点产业需求，研发关键技术并开展中试验证。",
    "项目团队已完成实验室阶段研究，核心指标达到国内领先水平。",
    "拟建设示范生产线一条，形成年产{n}吨的生产能力。",
    "已申请发明专利{k}项，其中授权{j}项，具有自主知识产权。",
    "产品可替代进口，预计降低下游企业采购成本约{p}%。",
    "与{place}多家企业签订合作意向，市场前景良好。",
    "项目实施后预计新增销售收入{n}万元，带动就业{k}人。",
    "技术路线清晰，风险可控，具备产业化条件。",
    "针对现有工艺能耗高、污染重的问题，提出新的解决方案。",
    "已通过第三方检测机构的性能测试，主要参数优于同类产品。",
]
COMMENTS = [
    "技术路线可行，但中试数据不足，建议补充。", "团队实力较强，已有产业化经验。", "市场分析偏乐观，需进一步论证。",
    "知识产权清晰，核心专利已授权。", "资金计划合理，自筹比例较高。", "与本省产业基础契合度高。",
    "风险评估不够充分，政策风险需关注。", "指标先进性一般，与国外产品仍有差距。", "示范应用效果良好，用户评价较高。",
]


def _org(rng: random.Random) -> str:
    return rng.choice(PLACES) + rng.choice(SUBJECTS[:4]) + rng.choice(ORG_KINDS)


def _summary(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(1, 5)):
        out.append(rng.choice(SENTENCES).format(n=rng.randint(10, 5000), k=rng.randint(2, 40),
                                                j=rng.randint(1, 20), p=rng.randint(5, 40),
                                                place=rng.choice(PLACES)))
    return "".join(out)


def write_projects(path: Path, mb: float, seed: int = 7, summaries: bool = True) -> int:
    """A projects CSV of about ``mb`` MB; returns the number of rows."""
    rng = random.Random(seed)
    target = int(mb * MB)
    n = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["项目编号", "项目名称", "申报单位", "行业", "成果类型", "合作单位", "关键词", "项目简介"])
        while True:
            for _ in range(1000 if target else 10):
                w.writerow([f"P{n:07d}", rng.choice(PLACES) + rng.choice(SUBJECTS) + rng.choice(THINGS) + rng.choice(ACTIONS),
                            _org(rng), rng.choice(INDUSTRIES), rng.choice(TYPES),
                            "、".join(_org(rng) for _ in range(rng.randint(0, 2))),
                            "；".join(rng.sample(THINGS, 2)), _summary(rng) if summaries else ""])
                n += 1
            if fh.tell() >= target:
                return n



def write_answers(path: Path, indicators: list[tuple[str, str]], mb: float, seed: int = 11) -> tuple[int, int]:
    """An answers CSV of about ``mb`` MB: every indicator of projects P0000000, P0000001 ... with a
    comment, until the size is reached; returns (answers, projects)."""
    rng = random.Random(seed)
    target = int(mb * MB)
    n = k = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["项目编号", "指标编号", "评分", "意见"])
        while fh.tell() < target:
            for iid, value in indicators:
                w.writerow([f"P{k:07d}", iid, value, rng.choice(COMMENTS) + rng.choice(COMMENTS)])
                n += 1
            k += 1
    return n, k


def answer_values(rubric_path: Path = RUBRIC) -> list[tuple[str, str]]:
    """(indicator, a valid value) for every indicator of the rubric."""
    sys.path.insert(0, str(ROOT))
    from tlr.rubric import load_rubric

    out = []
    for info in load_rubric(rubric_path).indicators:
        scale = info.scale
        if scale.kind == "levels":
            value = str(scale.levels[len(scale.levels) // 2].level)
        elif scale.kind == "likert":
            value = f"{scale.min:g}"
        elif scale.kind == "grades":
            value = scale.grades[0].id
        elif scale.kind == "numeric":
            value = f"{(scale.min if scale.min is not None else 0) + 1:g}"
        else:
            value = "是"
        out.append((info.id, value))
    return out


# the command's own peak resident memory: VmHWM of its process (ru_maxrss of a child would also count
# the size of this script's process at the fork), printed to stderr at exit
WRAPPER = """
import atexit, sys
def peak():
    try:
        with open("/proc/self/status") as fh:
            kb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        import resource
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    sys.stderr.write(f"\\nPEAK_KB={kb}\\n")
atexit.register(peak)
sys.argv = ["tlr", *sys.argv[1:]]
from tlr.cli import run
run()
"""


def run(args: list, env: dict) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS in MB, exit code, stderr) of ``tlr ARGS`` in a fresh process."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WRAPPER, *map(str, args)], env=env, capture_output=True,
                          text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    peak = 0.0
    for line in proc.stderr.splitlines():
        if line.startswith("PEAK_KB="):
            peak = int(line[8:]) / 1024
    return wall, peak, proc.returncode, proc.stderr[-3000:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=200.0, help="size of each generated file (default 200)")
    ap.add_argument("--keep", type=Path, help="work in this directory and keep it (default: a temporary one)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tlr-bench-import-"))
    tmp.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TLR_ACTOR": "bench",
           "TLR_MAX_INPUT_MB": str(max(512, int(args.mb * 2)))}
    results: list[dict] = []

    def report(name: str, size_mb: float | None, wall: float, peak: float, code: int, err: str) -> None:
        ratio = peak / size_mb if size_mb else None
        results.append({"name": name, "input_mb": round(size_mb, 1) if size_mb else None, "seconds": round(wall, 1),
                        "peak_rss_mb": round(peak), "peak_per_input": round(ratio, 2) if ratio else None,
                        "exit": code})
        if not args.json:
            shown = f"{size_mb:8.1f}" if size_mb else " " * 8
            r = f"{ratio:6.2f}x" if ratio else " " * 7
            print(f"{name:44} {shown} {wall:8.1f} {peak:9.0f} {r}  {'ok' if code == 0 else f'exit {code}'}",
                  flush=True)
        if code != 0:
            print(err, file=sys.stderr)

    def setup(*cmd) -> None:
        _w, _p, code, err = run(list(cmd), env)
        if code:
            raise SystemExit(f"set-up step failed: tlr {' '.join(map(str, cmd))}\n{err}")

    try:
        if not args.json:
            print(f"{'command':44} {'input MB':>8} {'wall s':>8} {'peak MB':>9} {'peak/in':>7}")
        # the fixed cost of a tlr process that imports: 10 projects
        tiny = tmp / "tiny.csv"
        write_projects(tiny, 0, seed=1)
        setup("campaign", "init", tmp / "t", "--rubric", RUBRIC)
        report("projects import (10 rows: the fixed cost)", None, *run(["projects", "import", tiny, "--campaign",
                                                                        tmp / "t"], env))

        # 1. projects
        projects = tmp / "projects.csv"
        t = time.perf_counter()
        n_projects = write_projects(projects, args.mb)
        size = projects.stat().st_size / MB
        if not args.json:
            print(f"  (generated {n_projects:,} projects, {size:.0f} MB, in {time.perf_counter() - t:.0f} s)")
        setup("campaign", "init", tmp / "p", "--rubric", RUBRIC)
        report(f"projects import ({n_projects:,} rows)", size,
               *run(["projects", "import", projects, "--campaign", tmp / "p"], env))
        report("audit verify (after the projects import)", size, *run(["audit", "verify", "--campaign", tmp / "p"],
                                                                       env))

        # 2. answers: one expert assigned every project of a second campaign
        answers = tmp / "answers.csv"
        n_answers, n_answer_projects = write_answers(answers, answer_values(), args.mb)
        asize = answers.stat().st_size / MB
        if not args.json:
            print(f"  (generated {n_answers:,} answers for {n_answer_projects:,} projects, {asize:.0f} MB)")
        small = tmp / "projects-a.csv"
        with open(small, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "name", "applicant", "industry", "achievement_type"])
            for k in range(n_answer_projects):
                w.writerow([f"P{k:07d}", f"项目{k}", f"申报单位{k % 997}", "新材料", "技术开发和产业化"])
        experts = tmp / "experts.csv"
        experts.write_text("id,name,institution,fields\nE001,专家一,评审专家单位,新材料\n", encoding="utf-8")
        setup("campaign", "init", tmp / "a", "--rubric", RUBRIC)
        setup("projects", "import", small, "--campaign", tmp / "a")
        setup("experts", "import", experts, "--campaign", tmp / "a")
        setup("assign", "--per-project", "1", "--campaign", tmp / "a")
        report(f"score --from ({n_answers:,} answers)", asize,
               *run(["score", "--expert", "E001", "--from", answers, "--campaign", tmp / "a"], env))
        report("audit verify (after the answers import)", asize, *run(["audit", "verify", "--campaign", tmp / "a"],
                                                                      env))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    # the 3x target is for large files (a small one is dominated by the process's fixed ~40-60 MB)
    failed = [r for r in results if r["exit"] != 0 or (args.mb >= 100 and (r["peak_per_input"] or 0) > 3.0)]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
