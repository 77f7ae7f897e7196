"""Assigning experts to projects: conflicts as a boolean mask, balanced load, seeded.

The pure part (:func:`conflicts`, :func:`field_match`, :func:`solve`) works on plain
lists and numpy arrays; :func:`assign_experts` reads the ledger, solves and writes
assignments and recusals in one audited transaction.

Rules (hard): an expert is never assigned to a project when
- ``same_institution``: the expert's institution is the applicant;
- ``co_applicant``: the expert's institution is one of the project's co-applicants;
- ``declared_org``: the expert declared a conflict with the applicant or a co-applicant;
- ``declared_project``: the expert declared a conflict with this project;
- ``applicant_request``: the project lists the expert among experts to avoid
  (the applicant may exclude experts, never choose them);
- ``declared`` (manual): a recusal recorded later with ``tlr assign --recuse``.

Objective: each project gets ``per_project`` experts (fewer only when fewer are
eligible: reported); every expert carries between ``floor(total / experts)`` and
``ceil(total / experts)`` assignments (the cap raised step by step and the floor
dropped only when the conflicts make them infeasible; both can be set with
``max_load`` / ``min_load``: ``min_load=0`` lets field match outweigh balance); within that the total field match is maximised
(industry in the expert's fields = 1, each shared keyword = 0.25), ties broken by
a seeded random perturbation. With ``affinity="text"`` the match adds
``TEXT_WEIGHT`` (1.0: a complete text fit counts as much as an industry match) × the text
affinity of the expert's profile (fields, and any other column of the expert file: research
directions, past projects …) with the project's name, summary and keywords
(:func:`tlr.matching.affinity.affinity`, in [0, 1]); the conflicts stay hard rules. Solved exactly as a 0/1 programme with HiGHS
(:func:`scipy.optimize.milp`); the constraint matrix is that of a transportation
problem, so the LP relaxation is integral and the solve is fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tlr.errors import CampaignError, Diagnostic, Location

from .ledger import Ledger, now
from .rules import panel_rules
from .vocab import REASONS, norm_token, reason_text  # noqa: F401 - re-exported


def conflicts(experts: list[dict], projects: list[dict]) -> tuple[np.ndarray, dict[tuple[int, int], list[tuple[str, str]]]]:
    """Boolean mask (experts x projects, True = conflict) and the reasons of each conflict."""
    E, P = len(experts), len(projects)
    mask = np.zeros((E, P), dtype=bool)
    reasons: dict[tuple[int, int], list[tuple[str, str]]] = {}
    by_org: dict[str, list[tuple[int, str]]] = {}
    for p, proj in enumerate(projects):
        by_org.setdefault(norm_token(proj["applicant"]), []).append((p, "applicant"))
        for co in proj.get("co_applicants") or []:
            by_org.setdefault(norm_token(co), []).append((p, "co"))
    pid_index = {proj["id"]: p for p, proj in enumerate(projects)}

    def add(e: int, p: int, code: str, detail: str) -> None:
        mask[e, p] = True
        lst = reasons.setdefault((e, p), [])
        if all(c != code for c, _ in lst):
            lst.append((code, detail))

    for e, exp in enumerate(experts):
        inst = norm_token(exp["institution"])
        for p, role in by_org.get(inst, []):
            add(e, p, "same_institution" if role == "applicant" else "co_applicant", exp["institution"])
        for org in exp.get("conflict_orgs") or []:
            for p, _role in by_org.get(norm_token(org), []):
                add(e, p, "declared_org", org)
        for pid in exp.get("conflict_projects") or []:
            if pid in pid_index:
                add(e, pid_index[pid], "declared_project", pid)
    eid_index = {exp["id"]: e for e, exp in enumerate(experts)}
    for p, proj in enumerate(projects):
        for eid in proj.get("excluded_experts") or []:
            if eid in eid_index:
                add(eid_index[eid], p, "applicant_request", eid)
    return mask, reasons


def field_match(experts: list[dict], projects: list[dict]) -> np.ndarray:
    """Match score (experts x projects): 1 if the project's industry is among the expert's fields,
    plus 0.25 per keyword shared (capped at 0.5)."""
    E, P = len(experts), len(projects)
    score = np.zeros((E, P))
    industries = [p.get("industry") for p in projects]
    proj_kw = [{norm_token(k) for k in (p.get("keywords") or [])} for p in projects]
    ind_index: dict[str, list[int]] = {}
    for p, ind in enumerate(industries):
        ind_index.setdefault(ind, []).append(p)
    for e, exp in enumerate(experts):
        fields = exp.get("fields") or []
        for f in fields:
            for p in ind_index.get(f, []):
                score[e, p] = 1.0
        kws = {norm_token(f) for f in fields}
        if kws:
            for p, pk in enumerate(proj_kw):
                if pk:
                    score[e, p] += min(0.5, 0.25 * len(kws & pk))
    return score


TEXT_WEIGHT = 1.0
AFFINITIES = ("industry", "text")


def text_affinity(experts: list[dict], projects: list[dict]) -> np.ndarray:
    """Text affinity (experts x projects, in [0, 1]) from the matching text model (tlr.matching.affinity)."""
    from tlr.matching.affinity import Item, Person, affinity

    from .vocab import INDUSTRIES

    people = [Person(e["id"], fields=tuple(INDUSTRIES.get(f, (f,))[0] for f in (e.get("fields") or [])),
                     text="\n".join(str(v) for v in (e.get("extra") or {}).values() if isinstance(v, str)))
              for e in experts]
    items = [Item(p["id"], "\n".join(x for x in (p.get("name", ""), p.get("summary", ""),
                                                 " ".join(p.get("keywords") or [])) if x)) for p in projects]
    return affinity(people, items)


@dataclass
class Solution:
    assigned: np.ndarray  # experts x projects bool (new assignments only)
    max_load: int
    shortfall: dict[int, int]  # project index -> experts missing


def solve(eligible: np.ndarray, demand: np.ndarray, match: np.ndarray, *, fixed_load: np.ndarray | None = None,
          max_load: int | None = None, min_load: int | None = None, seed: int = 0) -> Solution:
    """Pick ``demand[p]`` eligible experts per project, balanced, maximising ``match``.

    ``fixed_load[e]``: assignments the expert already carries. Raises :class:`CampaignError`
    if no load cap up to the number of projects makes it feasible.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    E, P = eligible.shape
    fixed_load = np.zeros(E, dtype=int) if fixed_load is None else np.asarray(fixed_load, dtype=int)
    n_eligible = eligible.sum(axis=0)
    want = np.minimum(np.asarray(demand, dtype=int), n_eligible)
    shortfall = {int(p): int(demand[p] - want[p]) for p in np.nonzero(want < demand)[0]}
    total = int(want.sum()) + int(fixed_load.sum())
    assigned = np.zeros((E, P), dtype=bool)
    if want.sum() == 0:
        return Solution(assigned, int(fixed_load.max(initial=0)), shortfall)
    ei, pi = np.nonzero(eligible & (want > 0)[None, :])
    n = len(ei)
    rng = np.random.default_rng(seed)
    cost = -(match[ei, pi] + rng.uniform(0.0, 0.01, size=n))
    rows_p = coo_matrix((np.ones(n), (pi, np.arange(n))), shape=(P, n)).tocsr()
    rows_e = coo_matrix((np.ones(n), (ei, np.arange(n))), shape=(E, n)).tocsr()
    cap = max_load if max_load is not None else max(math.ceil(total / max(E, 1)), int(fixed_load.max(initial=0)))
    cap = min(cap, P + int(fixed_load.max(initial=0)))  # a cap above every project is no cap (and the loop runs)
    floor = min_load if min_load is not None else total // max(E, 1)
    lowers = [floor, 0] if floor > 0 else [0]
    last_error = None
    while cap <= P + int(fixed_load.max(initial=0)):
        for low in lowers:
            lo = np.maximum(np.minimum(low, cap) - fixed_load, 0).astype(float)
            lo = np.minimum(lo, eligible.sum(axis=1))  # an expert cannot take more than they may
            constraints = [LinearConstraint(rows_p, want, want),
                           LinearConstraint(rows_e, lo, np.maximum(cap - fixed_load, 0))]
            res = milp(cost, constraints=constraints, integrality=np.ones(n), bounds=Bounds(0, 1),
                       options={"presolve": True})
            if res.status == 0 and res.x is not None:
                chosen = res.x > 0.5
                assigned[ei[chosen], pi[chosen]] = True
                return Solution(assigned, cap, shortfall)
            last_error = res.message
        if max_load is not None:
            break
        cap = max(cap + 1, _min_feasible_cap(rows_p, rows_e, want, fixed_load, n))
    raise CampaignError(
        f"无法在每位专家最多 {cap} 个项目的条件下完成分配 / no assignment with at most {cap} projects per "
        f"expert ({last_error})", hint="提高 --max-load 或扩充专家库 / raise --max-load or add experts",
        code="assignment_infeasible")


def _min_feasible_cap(rows_p, rows_e, want, fixed_load, n: int) -> int:
    """Smallest load cap that admits an assignment: ceil of the LP minimum of the largest load.

    For an integer cap feasibility is a flow problem (integral), so ceil(LP optimum) is exact.
    """
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix, hstack

    E = rows_e.shape[0]
    c = np.zeros(n + 1)
    c[-1] = 1.0  # minimise L
    a_ub = hstack([rows_e, csr_matrix(-np.ones((E, 1)))]).tocsr()  # load_e - L <= -fixed_e
    a_eq = hstack([rows_p, csr_matrix((rows_p.shape[0], 1))]).tocsr()
    res = linprog(c, A_ub=a_ub, b_ub=-fixed_load.astype(float), A_eq=a_eq, b_eq=want.astype(float),
                  bounds=[(0, 1)] * n + [(0, None)], method="highs")
    if res.status != 0:
        return 1 << 30  # no cap helps (cannot happen: demand is capped by eligibility)
    return int(math.ceil(res.fun - 1e-7))


# --------------------------------------------------------------------------- ledger side


@dataclass
class AssignResult:
    added: int
    recusals_added: int
    max_load: int
    loads: dict[str, int]
    shortfall: dict[str, int]
    warnings: list[Diagnostic] = field(default_factory=list)
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "recusals_added": self.recusals_added, "max_load": self.max_load,
                "seed": self.seed, "loads": self.loads, "shortfall": self.shortfall,
                "warnings": [w.to_dict() for w in self.warnings]}


def _existing_in(conn) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    assigned = {(e, p) for e, p in conn.execute("SELECT expert_id, project_id FROM assignments")}
    recused = {(e, p) for e, p in conn.execute("SELECT expert_id, project_id FROM recusals")}
    return assigned, recused


def _existing(ledger: Ledger) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    return _existing_in(ledger.conn)


def assign_experts(ledger: Ledger, per_project: int, *, seed: int = 0, max_load: int | None = None,
                   min_load: int | None = None, actor: str | None = None, dry_run: bool = False,
                   affinity: str = "industry") -> AssignResult:
    """Top every project up to ``per_project`` experts (existing assignments are kept).

    ``affinity``: "industry" (industry and keyword match) or "text" (that plus the text affinity)."""
    if per_project < 1:
        raise CampaignError("--per-project 至少为 1 / --per-project must be at least 1", code="invalid")
    if affinity not in AFFINITIES:
        raise CampaignError(f"未知的匹配方式 / unknown affinity {affinity!r}", hint="industry | text", code="usage")
    experts, projects = ledger.experts(), ledger.projects()
    if not experts or not projects:
        raise CampaignError("请先导入项目和专家 / import projects and experts first",
                            hint="tlr projects import FILE; tlr experts import FILE", code="empty")
    rules = panel_rules(ledger.rubric)
    mask, reasons = conflicts(experts, projects)
    assigned, recused = _existing(ledger)
    eidx = {e["id"]: i for i, e in enumerate(experts)}
    pidx = {p["id"]: i for i, p in enumerate(projects)}
    fixed = np.zeros(mask.shape, dtype=bool)
    for e, p in assigned:
        fixed[eidx[e], pidx[p]] = True
    blocked = mask.copy()
    for e, p in recused:
        blocked[eidx[e], pidx[p]] = True
    eligible = ~blocked & ~fixed
    demand = np.maximum(per_project - fixed.sum(axis=0), 0)
    match = field_match(experts, projects)
    if affinity == "text":
        match = match + TEXT_WEIGHT * text_affinity(experts, projects)
    sol = solve(eligible, demand, match, fixed_load=fixed.sum(axis=1),
                max_load=max_load, min_load=min_load, seed=seed)
    loads_arr = (fixed | sol.assigned).sum(axis=1)
    result = AssignResult(
        added=int(sol.assigned.sum()), recusals_added=0, max_load=sol.max_load,
        loads={e["id"]: int(loads_arr[i]) for i, e in enumerate(experts)},
        shortfall={projects[p]["id"]: k for p, k in sol.shortfall.items()}, seed=seed)
    totals = (fixed | sol.assigned).sum(axis=0)
    for p, proj in enumerate(projects):
        if totals[p] < rules.min_experts:
            result.warnings.append(Diagnostic(
                "warning", f"项目 {proj['id']} 仅分配 {int(totals[p])} 位专家，少于最少人数 {rules.min_experts} / "
                f"project {proj['id']} has {int(totals[p])} experts, fewer than the panel minimum "
                f"{rules.min_experts}", Location(field=proj["id"]), code="below_min_experts"))
    if per_project < rules.min_experts:
        result.warnings.append(Diagnostic(
            "warning", f"--per-project {per_project} 少于评审规则的最少专家数 {rules.min_experts} / below the "
            f"rubric's panel minimum of {rules.min_experts}", code="below_min_experts"))
    ts = now()
    new_recusals = []
    for (e, p), rs in sorted(reasons.items()):
        key = (experts[e]["id"], projects[p]["id"])
        if key in recused:
            continue
        new_recusals.append({"expert_id": key[0], "project_id": key[1], "reason": rs[0][0],
                             "detail": "; ".join(f"{c}: {d}" for c, d in rs), "source": "rule", "created_at": ts})
    result.recusals_added = len(new_recusals)
    if dry_run:
        return result
    new_rows = [{"expert_id": experts[e]["id"], "project_id": projects[p]["id"], "source": "auto",
                 "created_at": ts} for e, p in zip(*np.nonzero(sol.assigned))]
    with ledger.write("assign", actor=actor,
                      info={"per_project": per_project, "seed": seed, "max_load": sol.max_load,
                            "shortfall": result.shortfall,
                            **({"affinity": affinity, "text_weight": TEXT_WEIGHT} if affinity != "industry"
                               else {})}) as tx:
        if _existing_in(tx.conn) != (assigned, recused):
            raise CampaignError("计算期间分配或回避已被他人修改，请重新运行 / assignments or recusals changed while "
                                "solving; run `tlr assign` again", code="conflict")
        tx.put("recusals", new_recusals)
        tx.put("assignments", new_rows)
    return result


def _pair_conflicts(ledger: Ledger, expert_id: str, project_id: str) -> list[tuple[str, str]]:
    exp, proj = ledger.expert(expert_id), ledger.project(project_id)
    _mask, reasons = conflicts([exp], [proj])
    found = list(reasons.get((0, 0), []))
    row = ledger.conn.execute("SELECT reason, detail FROM recusals WHERE expert_id = ? AND project_id = ?",
                              (expert_id, project_id)).fetchone()
    if row and all(c != row[0] for c, _ in found):
        found.append((row[0], row[1]))
    return found


def add_assignment(ledger: Ledger, expert_id: str, project_id: str, *, reason: str,
                   actor: str | None = None) -> None:
    """Manual override: assign one expert; refused when the pair has a conflict."""
    found = _pair_conflicts(ledger, expert_id, project_id)
    if found:
        raise CampaignError(
            f"专家 {expert_id} 须回避项目 {project_id}，不能分配 / expert {expert_id} has a conflict with project "
            f"{project_id} and cannot be assigned: " + "; ".join(reason_text(c) for c, _ in found),
            code="conflict")
    if ledger.conn.execute("SELECT 1 FROM assignments WHERE expert_id = ? AND project_id = ?",
                           (expert_id, project_id)).fetchone():
        raise CampaignError(f"{expert_id} 已分配到 {project_id} / already assigned", code="exists")
    with ledger.write("assign.manual_add", actor=actor, info={"reason": reason}) as tx:
        tx.put("assignments", [{"expert_id": expert_id, "project_id": project_id, "source": "manual",
                                "created_at": tx.ts}])


def remove_assignment(ledger: Ledger, expert_id: str, project_id: str, *, reason: str,
                      actor: str | None = None) -> None:
    """Manual override: remove an assignment that has no scores yet."""
    if not ledger.conn.execute("SELECT 1 FROM assignments WHERE expert_id = ? AND project_id = ?",
                               (expert_id, project_id)).fetchone():
        raise CampaignError(f"{expert_id} 未分配到 {project_id} / {expert_id} is not assigned to {project_id}",
                            code="not_assigned")
    n = ledger.conn.execute("SELECT count(*) FROM scores WHERE expert_id = ? AND project_id = ?",
                            (expert_id, project_id)).fetchone()[0]
    if n:
        raise CampaignError(
            f"{expert_id} 已对 {project_id} 打分 {n} 项，不能直接移除 / {expert_id} already gave {n} score(s) for "
            f"{project_id}", hint="若因利益冲突，请用 --recuse 并写明原因 / for a conflict use --recuse with a reason",
            code="has_scores")
    with ledger.write("assign.manual_remove", actor=actor, info={"reason": reason}) as tx:
        tx.delete("assignments", [(expert_id, project_id)])


def recuse(ledger: Ledger, expert_id: str, project_id: str, *, reason: str, actor: str | None = None) -> int:
    """Record a recusal declared after assignment: removes the assignment and that expert's scores for
    the project (all audited). Returns the number of scores removed."""
    ledger.expert(expert_id)
    ledger.project(project_id)
    with ledger.write("recuse", actor=actor, info={"reason": reason}) as tx:
        keys = [(expert_id, project_id, i) for (i,) in tx.conn.execute(
            "SELECT indicator_id FROM scores WHERE expert_id = ? AND project_id = ?", (expert_id, project_id))]
        tx.delete("scores", keys)
        # the expert's checklist answers for this project go too (a recused expert's judgement must not stay)
        tx.delete("checklist_answers", [tuple(r) for r in tx.conn.execute(
            "SELECT expert_id, project_id, indicator_id, question_id FROM checklist_answers "
            "WHERE expert_id = ? AND project_id = ?", (expert_id, project_id))])
        if tx.conn.execute("SELECT 1 FROM assignments WHERE expert_id = ? AND project_id = ?",
                           (expert_id, project_id)).fetchone():
            tx.delete("assignments", [(expert_id, project_id)])
        tx.put("recusals", [{"expert_id": expert_id, "project_id": project_id, "reason": "declared",
                             "detail": reason, "source": "manual", "created_at": tx.ts}])
    return len(keys)
