"""Speed of `tlr.matching.match`: 10,000 achievements × 2,000 demands, all pairs ranked, top 20 both directions.

Not a test. Run from the project root:

    python benchmarks/bench_matching.py                        # 10,000 × 2,000, explanations on
    python benchmarks/bench_matching.py --achievements 1000 --demands 200 --no-explain

Synthetic, seeded data built from realistic vocabulary: each item picks an industry, two or three concepts of
the shipped lexicon (a random surface word of each, so synonyms occur), generic technical words and figures,
put into the sentence patterns of a demand survey form / an achievement summary (~150 characters each).
TRL, budget, ask and region are drawn too, so every fit factor is computed.

Reported: wall time of the whole call (tokenising, BM25 matrices, the 20 million scores with fit factors,
top-20 both directions, explanations of every listed pair) and, separately, of tokenising alone; peak
resident memory of the process (VmHWM from /proc/self/status; ru_maxrss elsewhere). Target: <= 10 s, <= 2 GB.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tlr.matching import Achievement, Demand, match  # noqa: E402
from tlr.matching.lexicon import shipped_lexicon  # noqa: E402

INDUSTRIES = ["steel", "high_end_equipment", "information_intelligence", "new_energy", "new_materials",
              "energy_saving_environment", "biomedicine_health", "county_featured", "modern_agriculture",
              "petrochemical", "food"]
REGIONS = ["石家庄市", "唐山市", "秦皇岛市", "邯郸市", "邢台市", "保定市", "张家口市", "承德市", "沧州市", "廊坊市",
           "衡水市", "迁安市", "武安市", "辛集市", "定州市", "清河县", "安平县", "永年区"]
GENERIC = ["工艺", "装置", "效率", "稳定性", "成本", "精度", "寿命", "能耗", "产能", "质量", "示范线", "中试",
           "工业化", "样机", "控制", "优化", "检测", "设计", "集成", "改造", "国产化", "替代进口", "连续运行",
           "关键部件", "核心算法", "数据", "平台", "模块", "标准", "良品率", "排放", "安全", "自动", "在线"]
DEMAND_PATTERNS = ["我公司{a}存在{g1}和{g2}问题，希望引进{b}相关技术，实现{c}的{g3}提升。",
                   "现有{a}生产线{g1}偏低，{g2}不稳定，需要{b}方面的成熟方案，兼顾{c}。",
                   "拟开展{a}{g1}改造，寻求{b}技术合作，要求{g2}达到{n}%以上，并降低{c}{g3}。"]
ACHIEVEMENT_PATTERNS = ["本成果研发了{a}{g1}技术，采用{b}方法，{g2}提高{n}%，已在{c}领域完成{g3}验证。",
                        "针对{a}{g1}难题，提出基于{b}的{g2}方案，建成{c}{g3}，连续运行{n}个月。",
                        "成果形成{a}与{b}集成的{g1}系统，{g2}达到国内领先水平，可用于{c}的{g3}。"]


def synthetic(n_achievements: int, n_demands: int, seed: int = 2026):
    rng = random.Random(seed)
    groups = sorted(shipped_lexicon().groups.values(), key=lambda g: g.id)

    def words():
        picks = rng.sample(groups, 3)
        return [rng.choice(g.terms) for g in picks]

    def fill(pattern):
        a, b, c = words()
        g1, g2, g3 = rng.sample(GENERIC, 3)
        return pattern.format(a=a, b=b, c=c, g1=g1, g2=g2, g3=g3, n=rng.randint(5, 60))

    achievements = []
    for i in range(n_achievements):
        text = "".join(fill(rng.choice(ACHIEVEMENT_PATTERNS)) for _ in range(2))
        name = "".join(words()[:2]) + rng.choice(["技术", "装备", "工艺", "系统", "材料"])
        achievements.append(Achievement(
            id=f"A{i:05d}", name=name, industry=rng.choice(INDUSTRIES), region=rng.choice(REGIONS), summary=text,
            keywords=tuple(words()), trl=rng.randint(3, 9), trl_source="declared",
            ask=float(rng.choice([100, 300, 500, 800, 1500, 3000]))))
    demands = []
    for i in range(n_demands):
        text = "".join(fill(rng.choice(DEMAND_PATTERNS)) for _ in range(2))
        demands.append(Demand(
            id=f"D{i:05d}", name="".join(words()[:2]) + rng.choice(["需求", "改造", "升级"]),
            industry=rng.choice(INDUSTRIES), region=rng.choice(REGIONS), description=text,
            indicators=f"{rng.choice(GENERIC)}提升{rng.randint(5, 50)}%", budget=float(rng.choice([50, 200, 500, 2000])),
            min_trl=rng.randint(4, 8)))
    return demands, achievements


def peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1024 * 1024 if sys.platform == "darwin" else 1024)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--achievements", type=int, default=10_000)
    parser.add_argument("--demands", type=int, default=2_000)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args(argv)

    demands, achievements = synthetic(args.achievements, args.demands)
    chars = sum(len(x.text) for x in (*demands, *achievements))
    print(f"{len(achievements):,} achievements × {len(demands):,} demands "
          f"({len(achievements) * len(demands):,} pairs, {chars:,} characters of text)")
    from tlr.matching.text import segmenter

    seg = segmenter(shipped_lexicon().words)      # built once per process, as in a real run (not timed)
    started = time.perf_counter()
    for x in (*demands, *achievements):
        seg.tokens(x.text)
    tokenise = time.perf_counter() - started

    started, cpu = time.perf_counter(), time.process_time()
    result = match(demands, achievements, top=args.top, explain=not args.no_explain)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    listed = sum(len(r.candidates) for r in result.matches) + sum(len(r.candidates) for r in result.by_achievement)
    print(f"match(): {total:.2f} s wall, {cpu:.2f} s CPU (tokenising alone: {tokenise:.2f} s), {listed:,} listed pairs "
          f"{'with' if not args.no_explain else 'without'} explanations; peak memory {peak_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
