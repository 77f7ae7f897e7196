"""Write examples/round-20XX/valuation.csv: valuation inputs (万元) for an example round's projects.

Seeded and derived from each project's industry and funding ask (申请经费（万元）), so the file is the same on
every run: `python examples/make_valuation.py [round-2026|round-2027]`. Fictitious but plausible for a Hebei portfolio: the yearly
market a project addresses (low~mode~high), its share of it (a range: the revenue its plan puts at 2-8 times
the ask, as a share of that market, kept in the industry's band), the profit margin of its industry,
the R&D still to spend before launch, the replacement cost and 成新率 of what exists. Two projects leave the
market share blank on purpose: `tlr value` lists them with `missing`, never a silent zero.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
# industry -> (market size mode range 万元/年, margin, share mode range)
INDUSTRY = {
    "钢铁": ((150_000, 600_000), 0.12, (0.005, 0.02)),
    "高端装备": ((40_000, 200_000), 0.25, (0.01, 0.05)),
    "信息智能": ((20_000, 150_000), 0.35, (0.01, 0.06)),
    "新能源": ((60_000, 300_000), 0.20, (0.005, 0.03)),
    "新材料": ((30_000, 150_000), 0.28, (0.01, 0.05)),
    "节能环保": ((20_000, 120_000), 0.22, (0.01, 0.05)),
    "生物医药与健康": ((30_000, 200_000), 0.55, (0.005, 0.03)),
    "县域特色产业": ((5_000, 40_000), 0.18, (0.02, 0.08)),
}
BLANK_SHARE = {"P2026-013", "P2026-040"}


def rows(here: Path, seed: int):
    rng = random.Random(seed)
    with open(here / "projects.csv", encoding="utf-8-sig", newline="") as fh:
        for p in csv.DictReader(fh):
            (m_lo, m_hi), margin, (s_lo, s_hi) = INDUSTRY[p["行业"]]
            ask = float(p["申请经费（万元）"] or 500)
            market = round(rng.uniform(m_lo, m_hi), -2)
            # the yearly revenue the applicant plans at maturity, a few times its ask, as business plans put it;
            # the share of the market that revenue takes, within the industry's plausible band
            revenue = ask * rng.uniform(2.0, 8.0)
            share = float(f"{min(max(revenue / market, s_lo), s_hi * 2):.3g}")
            rd = round(ask * rng.uniform(1.0, 2.5), -1)
            replacement = round(ask * rng.uniform(0.6, 1.6), -1)
            yield {
                "项目编号": p["项目编号"],
                "市场规模（万元）": f"{round(market * 0.6, -2):g}~{market:g}~{round(market * 1.5, -2):g}",
                "市场份额": "" if p["项目编号"] in BLANK_SHARE else f"{share * 0.5:.4g}~{share:.4g}~{share * 2:.4g}",
                "毛利率": f"{margin * 0.8:.3g}~{margin:.3g}~{margin * 1.2:.3g}",
                "研发投入（万元）": f"{rd * 0.8:g}~{rd:g}~{rd * 1.5:g}",
                "重置成本（万元）": f"{replacement:g}",
                "成新率": f"{rng.uniform(0.6, 0.9):.2f}",
            }


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "round-2026"   # e.g. round-2027
    here = EXAMPLES / name
    out = list(rows(here, int(name.rsplit("-", 1)[1])))
    with open(here / "valuation.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(out)


if __name__ == "__main__":
    main()
