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
    """Progress of every expert and project, streamed from the ledger: the answers are counted by SQLite per
    (expert, project) and merged with the assignments in key order, so memory grows with the projects and
    experts listed, not with the answers (2.5 million answers: a few seconds)."""
    summary = ledger.rubric_summary()
    min_experts, quorum = summary["panel"]["min_experts"], summary["panel"]["quorum"]
    indicators = summary["indicators"]
    conn = ledger.conn
    per_type: dict[str | None, int] = {}
    ps: dict[str, ProjectStatus] = {}
    types: dict[str, str | None] = {}
    for pid, name, at in conn.execute("SELECT id, name, achievement_type FROM projects ORDER BY seq"):
        if at not in per_type:
            per_type[at] = sum(1 for i in indicators if not at or i["applies_to"] is None or at in i["applies_to"])
        ps[pid] = ProjectStatus(pid, name)
        types[pid] = at
    es = {eid: ExpertStatus(eid, name) for eid, name in conn.execute("SELECT id, name FROM experts ORDER BY seq")}
    # the rubric's indicators in classes of the same applies_to: an answer counts towards a project's
    # completeness when its indicator is the rubric's and applies to the project's achievement type
    classes: dict[Any, list[str]] = {}
    for i in indicators:
        applies = None if i["applies_to"] is None else tuple(sorted(i["applies_to"]))
        classes.setdefault(applies, []).append(i["id"])
    groups = list(classes.items())
    applicable: dict[Any, list[int]] = {}   # achievement type -> the classes that apply to it

    def classes_of(at: Any) -> list[int]:
        found = applicable.get(at)
        if found is None:
            found = applicable[at] = [k for k, (applies, _ids) in enumerate(groups)
                                      if not at or applies is None or at in applies]
        return found

    sums = "".join(f", sum(indicator_id IN ({', '.join('?' * len(ids))}))" for _a, ids in groups)
    params = [i for _a, ids in groups for i in ids]
    answered = conn.execute(f"SELECT expert_id, project_id, count(*){sums} FROM scores "
                            f"GROUP BY expert_id, project_id ORDER BY expert_id, project_id", params)
    # per project: its status, the answers expected of each expert, the classes of indicators that apply
    of_project = {pid: (ps[pid], per_type[at], classes_of(at)) for pid, at in types.items()}
    nxt = next(answered, None)
    panel: dict[str, int] = {}
    behind: dict[str, int] = {}
    for eid, pid in conn.execute("SELECT expert_id, project_id FROM assignments ORDER BY expert_id, project_id"):
        while nxt is not None and (nxt[0] < eid or (nxt[0] == eid and nxt[1] < pid)):
            nxt = next(answered, None)
        e = es[eid]
        p, exp, applies = of_project[pid]
        if nxt is not None and nxt[0] == eid and nxt[1] == pid:
            n = nxt[2]
            if any(nxt[3 + k] for k in applies):
                behind[pid] = behind.get(pid, 0) + 1
        else:
            n = 0
        e.assigned += 1
        p.assigned += 1
        e.answers += n if n < exp else exp
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
        panel[pid] = panel.get(pid, 0) + 1   # a recusal removes the assignment
    for eid, pid, reason in conn.execute("SELECT expert_id, project_id, reason FROM recusals"):
        es[eid].recused += 1
        ps[pid].recused.append({"expert": eid, "reason": reason, "reason_text": reason_text(reason)})
    _completeness(list(ps.values()), panel, behind, quorum, min_experts)
    return CampaignStatus(list(es.values()), list(ps.values()),
                          {str(k): v for k, v in per_type.items()}, quorum, min_experts)


def _completeness(projects: list[ProjectStatus], panel: dict[str, int], behind: dict[str, int], quorum: float,
                  min_experts: int) -> None:
    """Experts behind, quorum and min_experts of each project by the shared definition
    (:func:`tlr.panel.completeness.completeness`), given per project its active experts (``panel``) and how
    many of them gave at least one applicable answer (``behind``): the k-th row of the arrays stands for
    a project's k-th active expert, so they are as large as the largest panel times the projects."""
    import numpy as np

    from tlr.panel.completeness import completeness

    active_n = np.array([panel.get(p.id, 0) for p in projects], dtype=np.int64)
    behind_n = np.array([behind.get(p.id, 0) for p in projects], dtype=np.int64)
    rows = np.arange(max(int(active_n.max(initial=0)), 1))[:, None]
    cov = completeness((rows < behind_n[None, :])[:, :, None], rows < active_n[None, :],
                       np.ones((len(projects), 1), dtype=bool), quorum=quorum, min_experts=min_experts)
    for k, p in enumerate(projects):
        p.experts_behind = int(cov.experts_behind[k])
        p.quorum_met = bool(cov.quorum_met[k])
        p.min_experts_met = bool(cov.min_experts_met[k])
