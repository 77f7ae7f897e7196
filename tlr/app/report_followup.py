"""The follow-up section of a round's report (投后跟踪与回测), from :func:`tlr.app.followup.run_backtest`.

The outcomes come from the campaign's own ledger (no library yet) or from the achievement library given with
``tlr report --library``; the section is built only when at least one achievement of the round has an event
in the window, else None and the report shows nothing of it.
"""

from __future__ import annotations

from typing import Any

from tlr.report.followup import FollowUpCorrelation, FollowUpOutcome, FollowUpSection, FollowUpStage


def section_from(bt: dict[str, Any]) -> FollowUpSection | None:
    """The report's section from a back-test's JSON (None when nobody was followed)."""
    if not bt["followed"]:
        return None
    scores = {s["id"]: s["label"] for s in bt["scores"]}
    measures = {m["id"]: m["label"] for m in bt["measures"]}
    outcomes = [FollowUpOutcome(id=a["id"], name=a["name"], tier=a["tier"], rank=a["rank"], composite=a["composite"],
                                baseline_trl=a["baseline_trl"], trl_reached=a["trl_reached"],
                                investment=a["investment"], contract=a["contract"], revenue=a["revenue"],
                                events=a["events"]) for a in bt["achievements"]]
    stages = None
    if bt["stages"] is not None:
        stages = [FollowUpStage(id=s["stage"], from_trl=s["from_trl"], to_trl=s["to_trl"], confidence=s["confidence"],
                                source=s["source"], entered=s["entered"], completed=s["completed"],
                                censored=s["censored"],
                                observed_years=(s["completion_years"] or {}).get("median"),
                                default_years=tuple(s["default_years"]) if s["default_years"] else None,
                                prior=(s["prior"]["mean"], s["prior"]["low"], s["prior"]["high"]),
                                posterior=(s["posterior"]["mean"], s["posterior"]["low"], s["posterior"]["high"]))
                  for s in bt["stages"]]
    return FollowUpSection(
        round_name=bt["round"]["name"], store=bt["store"], since=bt["window"]["since"], as_of=bt["window"]["as_of"],
        followed=bt["followed"], round_size=bt["round"]["achievements"], outcomes=outcomes,
        totals={k: sum(getattr(o, k) for o in outcomes) for k in ("investment", "contract", "revenue")},
        rule=bt["rule"]["text"],
        correlations=[FollowUpCorrelation(score=scores[c["score"]], outcome=measures[c["outcome"]], n=c["n"],
                                          rho=c["rho"], ci=tuple(c["ci"]) if c["ci"] else None, status=c["status"])
                      for c in bt["correlations"]],
        level=bt["method"]["level"], draws=bt["method"]["draws"], stages=stages,
        computed=bt["multiplicity"]["computed"], excluding_zero=bt["multiplicity"]["excluding_zero"],
        expected_by_chance=bt["multiplicity"]["expected_by_chance"],
        stage_note=None if bt["stages"] is not None else {"zh": "估值模块的阶段默认值尚不可用，未做阶段概率更新。",
                                                          "en": "The valuation's stage defaults are not available: "
                                                                "no stage update."})


def followup_section(ledger, *, library: str | None = None, stages_path: str | None = None) -> FollowUpSection | None:
    """The section for the campaign in *ledger*: outcomes from ``library`` (its round evaluated from this campaign)
    or else from the ledger itself; None when no outcome was recorded."""
    from tlr.app.followup import run_backtest
    from tlr.library.followup import Target

    if library is not None:
        from tlr.library.store import open_library

        with open_library(library) as lib:
            target = Target.library(lib)
            if not target.store.count("followup_events"):
                return None
            same = lib.rows("rounds", "source_id = ?", (ledger.meta.get("campaign_id", ""),))
            if not same:
                return None
            return section_from(run_backtest(target, round_name=same[0]["name"], stages_path=stages_path))
    if not ledger.count("followup_events"):
        return None
    return section_from(run_backtest(Target.campaign(ledger), stages_path=stages_path))
