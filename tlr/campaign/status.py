"""Scoring progress: per expert and per project, done / partial / missing / recused.

Quorum and ``min_experts`` use the one definition of :mod:`tlr.panel.completeness` (the experts behind
every indicator of a project), shared with ``tlr rank`` and the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .ledger import Ledger
from .vocab import reason_text


@dataclass
class ExpertStatus:
    id: str
    name: str
    assigned: int = 0
    done: int = 0
    partial: int = 0
    missing: int = 0
    recused: int = 0
    answers: int = 0
    expected: int = 0
    missing_projects: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ProjectStatus:
    id: str
    name: str
    assigned: int = 0
    done: int = 0
    partial: int = 0
    missing: int = 0
    recused: list[dict] = field(default_factory=list)
    missing_experts: list[str] = field(default_factory=list)
    experts_behind: int = 0  # every applicable indicator scored by at least this many experts
    quorum_met: bool = False
    min_experts_met: bool = False

    @property
    def complete(self) -> bool:
        return self.assigned > 0 and self.done == self.assigned

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["complete"] = self.complete
        return d


@dataclass
class CampaignStatus:
    experts: list[ExpertStatus]
    projects: list[ProjectStatus]
    indicators_per_type: dict[str, int]
    quorum: float
    min_experts: int

    @property
    def totals(self) -> dict[str, int]:
        return {
            "projects": len(self.projects),
            "experts": len(self.experts),
            "assignments": sum(e.assigned for e in self.experts),
            "assignments_done": sum(e.done for e in self.experts),
            "answers": sum(e.answers for e in self.experts),
            "answers_expected": sum(e.expected for e in self.experts),
            "projects_complete": sum(p.complete for p in self.projects),
            "projects_quorum": sum(p.quorum_met for p in self.projects),
            "projects_min_experts": sum(p.min_experts_met for p in self.projects),
            "recusals": sum(e.recused for e in self.experts),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"totals": self.totals, "quorum": self.quorum, "min_experts": self.min_experts,
                "experts": [e.to_dict() for e in self.experts], "projects": [p.to_dict() for p in self.projects]}


def campaign_status(ledger: Ledger) -> CampaignStatus:
    summary = ledger.rubric_summary()
    min_experts, quorum = summary["panel"]["min_experts"], summary["panel"]["quorum"]
    conn = ledger.conn
    projects = conn.execute("SELECT id, name, achievement_type FROM projects ORDER BY seq").fetchall()
    experts = conn.execute("SELECT id, name FROM experts ORDER BY seq").fetchall()
    per_type: dict[str | None, int] = {}
    for _pid, _name, at in projects:
        if at not in per_type:
            per_type[at] = sum(1 for i in summary["indicators"]
                               if not at or i["applies_to"] is None or at in i["applies_to"])
    expected_p = {pid: per_type[at] for pid, _n, at in projects}
    counts = {(e, p): n for e, p, n in conn.execute(
        "SELECT expert_id, project_id, count(*) FROM scores GROUP BY expert_id, project_id")}
    es = {eid: ExpertStatus(eid, name) for eid, name in experts}
    ps = {pid: ProjectStatus(pid, name) for pid, name, _at in projects}
    for eid, pid in conn.execute("SELECT expert_id, project_id FROM assignments ORDER BY expert_id, project_id"):
        e, p = es[eid], ps[pid]
        n = counts.get((eid, pid), 0)
        exp = expected_p[pid]
        e.assigned += 1
        p.assigned += 1
        e.answers += min(n, exp)
        e.expected += exp
        if n >= exp:
            e.done += 1
            p.done += 1
        else:
            e.missing_projects.append(pid)
            p.missing_experts.append(eid)
            if n > 0:
                e.partial += 1
                p.partial += 1
            else:
                e.missing += 1
                p.missing += 1
    for eid, pid, reason in conn.execute("SELECT expert_id, project_id, reason FROM recusals"):
        es[eid].recused += 1
        ps[pid].recused.append({"expert": eid, "reason": reason, "reason_text": reason_text(reason)})
    cov = _completeness(conn, summary, [e for e, _ in experts], [(pid, at) for pid, _n, at in projects],
                        quorum, min_experts)
    for k, p in enumerate(ps.values()):
        p.experts_behind = int(cov.experts_behind[k])
        p.quorum_met = bool(cov.quorum_met[k])
        p.min_experts_met = bool(cov.min_experts_met[k])
    return CampaignStatus(list(es.values()), list(ps.values()),
                          {str(k): v for k, v in per_type.items()}, quorum, min_experts)


def _completeness(conn, summary: dict, experts: list[str], projects: list[tuple[str, str | None]], quorum: float,
                  min_experts: int):
    """The shared completeness result from the ledger's rows (without loading the rubric)."""
    import numpy as np

    from tlr.panel.completeness import completeness

    ei = {e: k for k, e in enumerate(experts)}
    pi = {p: k for k, (p, _at) in enumerate(projects)}
    ii = {i["id"]: k for k, i in enumerate(summary["indicators"])}
    answered = np.zeros((len(experts), len(projects), len(ii)), dtype=bool)
    idx = [(ei.get(e), pi.get(p), ii.get(i)) for e, p, i in
           conn.execute("SELECT expert_id, project_id, indicator_id FROM scores")]
    idx = [t for t in idx if None not in t]
    if idx:
        arr = np.array(idx, dtype=np.intp)
        answered[arr[:, 0], arr[:, 1], arr[:, 2]] = True
    active = np.zeros((len(experts), len(projects)), dtype=bool)
    pairs = [(ei.get(e), pi.get(p)) for e, p in conn.execute("SELECT expert_id, project_id FROM assignments")]
    pairs = [t for t in pairs if None not in t]
    if pairs:
        arr = np.array(pairs, dtype=np.intp)
        active[arr[:, 0], arr[:, 1]] = True  # a recusal removes the assignment
    applicable = np.array([[not at or i["applies_to"] is None or at in i["applies_to"] for i in summary["indicators"]]
                           for _p, at in projects], dtype=bool).reshape(len(projects), len(ii))
    return completeness(answered, active, applicable, quorum=quorum, min_experts=min_experts)
