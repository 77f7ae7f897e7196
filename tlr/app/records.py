"""One record per project, built once from the evaluation: what the CLI, the JSON and the report show.

Every figure a fund acts on (rank, composite, tier, route, readiness and its source, rank interval,
P(top k), the experts behind the value, findings) is read here from one
:class:`tlr.evaluation.Evaluation`, so the outputs cannot disagree. Values keep full precision, cleaned of
binary float noise (12 significant digits); rounding for display happens only where text is made.

Knocked-out projects stay in the ranking by composite, marked: they get no support route and no
P(top k) (``None``, shown as —). The median of the simulated ranks is ``simulated_rank_median``, never
called a rank.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from tlr.text import tr

READINESS_MARKERS = {"assessment": "*", "asserted": "†", "panel": "", "none": ""}
READINESS_SOURCES = {
    "assessment": ("有证据的评估", "evidence-based assessment"),
    "asserted": ("评估人断言（证据不全）", "assessor-asserted (evidence incomplete)"),
    "panel": ("专家组中位数", "panel median"),
    "none": ("无", "none"),
}
SIGNIFICANT = 12


def clean(x: Any) -> float | None:
    """A float without binary noise (12 significant digits); None for NaN/inf/None."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return float(f"{x:.{SIGNIFICANT}g}")


def industry_label(industry: str | None, lang: str, *, short: bool = False) -> str:
    from tlr.campaign.vocab import INDUSTRIES, INDUSTRY_SHORT_EN

    if not industry:
        return ""
    zh, en = INDUSTRIES.get(industry, (industry, industry))
    if lang == "zh":
        return zh
    return INDUSTRY_SHORT_EN.get(industry, en) if short else en


def _label(value: Any, lang: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(lang) or value.get("zh" if lang == "en" else "en")
    return tr(value, lang)


def knockout_reasons(ev, p: int, lang: str = "zh") -> list[str]:
    """The labels of the knock-out gates project *p* fails, in *lang*."""
    return [_label(g.label, lang) for g in ev.knockouts(p)]


def project_records(ev, projects: dict[str, dict], lang: str = "zh") -> list[dict[str, Any]]:
    """JSON-ready records, best first. *projects*: project id -> its ledger row (name, applicant ...)."""
    rob, boot, cov = ev.robustness, ev.bootstrap, ev.completeness
    top_dims = [(k, d) for k, d in enumerate(ev.dimensions) if ev.rubric.node(d).depth == 0]
    route_short = {r.id: r.short or r.label for r in ev.rubric.document.routes or []}
    out = []
    for p in ev.order():
        p = int(p)
        pid = ev.projects[p]
        info = projects.get(pid, {})
        scored = not ev.unscored[p]
        out_of_running = bool(ev.knocked_out[p]) or not scored
        source = ev.readiness_source[p]
        record = {
            "rank": int(ev.rank[p]), "project": pid, "name": info.get("name"), "applicant": info.get("applicant"),
            "industry": info.get("industry"), "industry_label": industry_label(info.get("industry"), lang),
            "composite": clean(ev.composite[p]) if scored else None,
            "composite_se": (clean(ev.composite_se[p]) if scored and getattr(ev, "composite_se", None) is not None
                             else None),
            "tier": ev.tier[p], "tier_label": _label(ev.tier_labels.get(ev.tier[p]), lang),
            "route": ev.route[p],
            "route_label": _label(ev.route_labels.get(ev.route[p]), lang) if ev.route[p] else None,
            "route_short": _label(route_short.get(ev.route[p]), lang) if ev.route[p] else None,
            "readiness": None if math.isnan(ev.readiness[p]) else int(ev.readiness[p]),
            "readiness_source": source, "readiness_marker": READINESS_MARKERS[source],
            "dimensions": {d: clean(ev.dimension_scores[p, k]) for k, d in top_dims},
            "rank_interval": ([clean(rob.rank_q05[p]), clean(rob.rank_q95[p])] if rob is not None and scored
                              else None),
            "simulated_rank_median": clean(rob.rank_q50[p]) if rob is not None and scored else None,
            "top_k": int(rob.top_k) if rob is not None else None,
            "p_top_k": clean(rob.p_top_k[p]) if rob is not None and not out_of_running else None,
            "p_tier": ({code: clean(rob.p_tier[p, t]) for t, code in enumerate(rob.tier_codes)}
                       if rob is not None and rob.p_tier is not None and scored else None),
            "bootstrap_rank_interval": ([clean(boot.rank_q05[p]), clean(boot.rank_q95[p])]
                                        if boot is not None and scored else None),
            "knocked_out": bool(ev.knocked_out[p]),
            "knockouts": [{"gate": g.id, "label": _label(g.label, lang)} for g in ev.knockouts(p)],
            "review": bool(ev.review[p]),
            "flags": [f.to_dict(lang) for f in ev.flags(p)],
        }
        if cov is not None:
            record["experts"] = {"behind": int(cov.experts_behind[p]), "panel": int(cov.panel[p]),
                                 "complete": int(cov.complete_experts[p]),
                                 "answers": int(cov.received_by_project[p]),
                                 "answers_expected": int(cov.expected_by_project[p])}
        out.append(record)
    return out


def calibration_summary(ev) -> dict[str, Any] | None:
    """Each expert's estimated leniency and noise when a rater-effects model calibrated the panel.

    Indicators have their own units, so each is put on a common footing as a share of its scale's
    range (``leniency_pct``, ``noise_pct``: averages over the calibrated, bounded indicators the expert
    scored, in % of the range); None without a model.
    """
    import numpy as np

    from tlr.rubric.scales import scale_range

    cal = getattr(ev, "calibration", None)
    if cal is None:
        return None
    cols = [i for i in cal.columns if (b := scale_range(ev.rubric.node(ev.indicators[i]).scale)) and b[1] > b[0]]
    width = np.array([np.subtract(*scale_range(ev.rubric.node(ev.indicators[i]).scale)[::-1]) for i in cols])
    experts = []
    for e, eid in enumerate(ev.experts):
        n = cal.n_scores[e, cols] if cols else np.zeros(0)
        if not n.any():
            continue
        with np.errstate(invalid="ignore"):
            len_pct = np.nanmean(100 * cal.leniency[e, cols] / width)
            noise_pct = np.nanmean(100 * cal.noise_sd[e, cols] / width)
        experts.append({"expert": eid, "scores": int(n.max()), "leniency_pct": clean(len_pct),
                        "noise_pct": clean(noise_pct)})
    return {"method": cal.method, "indicators": [ev.indicators[i] for i in cal.columns], "experts": experts}


def completeness_summary(ev, experts: Iterable[dict] = ()) -> dict[str, Any] | None:
    """Answers expected against received for the round, per expert, and the projects short of experts."""
    cov = ev.completeness
    if cov is None:
        return None
    names = {e["id"]: e.get("name") for e in experts}
    per_expert = []
    for e, eid in enumerate(ev.experts):
        expected, received = int(cov.expected_by_expert[e]), int(cov.received_by_expert[e])
        if expected:
            per_expert.append({"expert": eid, "name": names.get(eid), "expected": expected, "received": received})
    scored = ~ev.unscored
    total_e, total_r = cov.total_expected, cov.total_received
    return {
        "answers_expected": total_e, "answers_received": total_r,
        "share": clean(total_r / total_e) if total_e else None,
        "experts": per_expert,
        "silent_experts": [x["expert"] for x in per_expert if x["received"] == 0],
        "incomplete_experts": [x["expert"] for x in per_expert if 0 < x["received"] < x["expected"]],
        "unscored_projects": [pid for p, pid in enumerate(ev.projects) if ev.unscored[p]],
        "projects_below_quorum": [pid for p, pid in enumerate(ev.projects) if not cov.quorum_met[p] and scored[p]],
        "projects_below_min_experts": [pid for p, pid in enumerate(ev.projects)
                                       if not cov.min_experts_met[p] and scored[p]],
        "quorum": clean(cov.quorum), "min_experts": int(cov.min_experts),
    }


__all__ = ["project_records", "calibration_summary", "completeness_summary", "knockout_reasons", "clean", "industry_label", "READINESS_MARKERS",
           "READINESS_SOURCES"]
