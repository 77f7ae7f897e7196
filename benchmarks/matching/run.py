"""The matching benchmark: recall@5, MRR and nDCG@5 of `tlr.matching.match` on the hand-labelled set.

Not a test. Run from the project root:

    python benchmarks/matching/run.py                  # the table, every variant
    python benchmarks/matching/run.py --data DIR       # another copy of the data folder
    python benchmarks/matching/run.py --json out.json  # the figures as JSON too
    python benchmarks/matching/run.py --misses         # per-demand ranks of the labelled answers (full variant)

Data (benchmarks/matching/README.md): demands.csv, achievements.csv, labels.csv (相关度 2 = answers the demand,
1 = partly relevant). As the data's README says: recall@5 and MRR count an achievement as relevant when 相关度 = 2
(over demands with at least one 2); nDCG@5 uses the graded labels (gains 2 and 1; demands with any label).
Demands without labels have no answer in the set: the table shows how many of them have no candidate at or
above the listing floor (``min_score``), and how many answerable demands keep their answer above it.

The csv module reads the files (a benchmark script, not the product's reader); industry names are mapped with
tlr.campaign.vocab.industry_id.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tlr.campaign.vocab import industry_id  # noqa: E402
from tlr.matching import Achievement, Demand, match  # noqa: E402
from tlr.matching.metrics import summary  # noqa: E402
from tlr.matching.rank import MIN_SCORE  # noqa: E402

VARIANTS = (("bm25", "BM25 alone"), ("lexicon", "+ lexicon"), ("full", "+ readiness/fit re-ranking"))


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def _num(text: str) -> float | None:
    return float(text) if text else None


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(";", "；").replace("、", "；").split("；") if p.strip())


def load(data: Path):
    demands = [Demand(id=r["需求编号"], name=r["需求名称"], enterprise=r.get("企业名称", ""),
                      industry=industry_id(r.get("所属行业", "")), region=r.get("所在地区", ""),
                      description=r.get("需求描述", ""), indicators=r.get("期望技术指标", ""),
                      cooperation=_split(r.get("期望合作方式", "")), budget=_num(r.get("可投入资金（万元）", "")),
                      min_trl=int(r["期望成熟度"]) if r.get("期望成熟度") else None)
               for r in _rows(data / "demands.csv")]
    achievements = [Achievement(id=r["成果编号"], name=r["成果名称"], applicant=r.get("第一完成单位", ""),
                                industry=industry_id(r.get("所属行业", "")), region=r.get("所在地区", ""),
                                summary=r.get("成果简介", ""), keywords=_split(r.get("关键词", "")),
                                trl=int(r["技术成熟度"]) if r.get("技术成熟度") else None, trl_source="declared",
                                ask=_num(r.get("投资需求（万元）", "")))
                    for r in _rows(data / "achievements.csv")]
    labels: dict[str, dict[str, int]] = {}
    for r in _rows(data / "labels.csv"):
        labels.setdefault(r["需求编号"], {})[r["成果编号"]] = int(r["相关度"])
    return demands, achievements, labels


def evaluate(demands, achievements, labels, variant: str, k: int = 5) -> dict:
    import numpy as np

    started = time.perf_counter()
    full = match(demands, achievements, top=len(achievements), variant=variant, min_score=0.0, explain=False,
                 top_demands=1)
    seconds = time.perf_counter() - started
    ranking = {r.id: [c.id for c in r.candidates] for r in full.matches}
    top_score = {r.id: (r.candidates[0].score if r.candidates else 0.0) for r in full.matches}
    n = len(achievements)

    def table(ids, graded: bool):
        gains = np.zeros((len(ids), n))
        width = max((len(labels[d]) for d in ids), default=1)
        ideal = np.zeros((len(ids), width))
        for i, d in enumerate(ids):
            grade = labels[d] if graded else {a: 1 for a, g in labels[d].items() if g == 2}
            for j, a in enumerate(ranking[d]):
                gains[i, j] = grade.get(a, 0)
            ideal[i, :len(grade)] = sorted(grade.values(), reverse=True)
        return gains, ideal

    answerable = [d.id for d in demands if 2 in labels.get(d.id, {}).values()]
    labelled = [d.id for d in demands if labels.get(d.id)]
    binary = summary(*table(answerable, graded=False), k=k)
    graded = summary(*table(labelled, graded=True), k=k)
    unanswerable = [d.id for d in demands if d.id not in labels]
    kept = sum(1 for d in answerable
               if any(labels[d].get(a) == 2 and s >= MIN_SCORE for a, s in _scores(full, d)))
    return {"variant": variant, f"recall@{k}": binary[f"recall@{k}"], "mrr": binary["mrr"],
            f"ndcg@{k}": graded[f"ndcg@{k}"], "answerable": len(answerable), "labelled": len(labelled),
            "no_answer": len(unanswerable),
            "no_answer_below_floor": sum(1 for d in unanswerable if top_score[d] < MIN_SCORE),
            "answer_above_floor": kept, "seconds": seconds,
            "ranks": {d: [ranking[d].index(a) + 1 for a, g in sorted(labels[d].items()) if g == 2]
                      for d in answerable}}


def _scores(result, demand_id):
    return [(c.id, c.score) for c in result.for_demand(demand_id).candidates]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent / "data")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--misses", action="store_true", help="ranks of answers outside the top 5 (full)")
    args = parser.parse_args(argv)
    demands, achievements, labels = load(args.data)
    print(f"{len(demands)} demands, {len(achievements)} achievements, "
          f"{sum(len(v) for v in labels.values())} labels ({args.data})")
    results = [evaluate(demands, achievements, labels, v) for v, _ in VARIANTS]
    print(f"\n| variant | recall@5 | MRR | nDCG@5 | no-answer demands below floor | answers above floor |")
    print("|---|---|---|---|---|---|")
    for (v, title), r in zip(VARIANTS, results):
        print(f"| {title} | {r['recall@5']:.3f} | {r['mrr']:.3f} | {r['ndcg@5']:.3f} | "
              f"{r['no_answer_below_floor']}/{r['no_answer']} | {r['answer_above_floor']}/{r['answerable']} |")
    print(f"\nrecall@5 and MRR over {results[0]['answerable']} demands with an answer (相关度 2); nDCG@5 over "
          f"{results[0]['labelled']} labelled demands; floor min_score = {MIN_SCORE}")
    if args.misses:
        for d, ranks in sorted(results[-1]["ranks"].items()):
            if min(ranks) > 5:
                print(f"  {d}: answers ranked {ranks}")
    if args.json:
        args.json.write_text(json.dumps([{k: v for k, v in r.items() if k != "ranks"} for r in results],
                                        ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
