"""Evaluating a whole assessment (every CTE, the roll-up, consensus, SRL, evidence) and merging answer files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tlr.errors import Location
from tlr.text import both
from tlr.trl.consensus import Consensus, ordinal_consensus
from tlr.trl.determine import Determination, determine_level
from tlr.trl.errors import AnswerError, AssessmentFileError, LadderError, TrlError
from tlr.trl.evidence import EvidenceCheck, check_evidence, make_evidence, unevidenced_answers
from tlr.trl.ladders import Ladder, load_ladder
from tlr.trl.model import CTE, Answer, Assessment, utcnow
from tlr.trl.rollup import ROLLUP_RULES, Rollup, SRLResult, rollup, srl

__all__ = ["CTEResult", "AssessmentResult", "evaluate", "update_derived", "merge_answers", "ladder_for"]


@dataclass(frozen=True)
class CTEResult:
    id: str
    name: str
    critical: bool
    ladder: Ladder
    determination: Determination
    baseline: int | None
    target: int | None
    claimed: int | None
    consensus: Consensus | None
    evidence: tuple[EvidenceCheck, ...]
    unevidenced: tuple[str, ...] = ()   # 'yes' answers up to the achieved level without evidence
    asserted_levels: tuple[int, ...] = ()  # levels up to the achieved one reached by assertion
    discounted: tuple[str, ...] = ()    # 'yes' answers not counted (the ladder requires evidence)

    @property
    def level(self) -> int | None:
        return self.determination.achieved

    @property
    def basis(self) -> str:
        """``evidenced`` when every 'yes' up to the achieved level carries evidence (a hashed file or a
        reference) and no level was merely asserted; ``asserted`` otherwise; ``none`` below level 1."""
        if self.level is None:
            return "none"
        return "asserted" if (self.unevidenced or self.asserted_levels) else "evidenced"

    def to_dict(self) -> dict[str, Any]:
        d = self.determination.to_dict()
        return {"id": self.id, "name": self.name, "critical": self.critical, "ladder": self.ladder.id,
                "level": self.level, "baseline": self.baseline, "target": self.target, "claimed": self.claimed,
                "gap_to_target": (self.target - (self.level or 0)) if self.target is not None else None,
                "claim_differs": self.claimed is not None and self.claimed != self.level,
                "determination": d,
                "panel_consensus": self.consensus.to_dict() if self.consensus else None,
                "evidence": [{"id": e.item, "target": e.target, "status": e.status} for e in self.evidence],
                "basis": self.basis, "unevidenced": list(self.unevidenced),
                "asserted_levels": list(self.asserted_levels), "not_counted_without_evidence": list(self.discounted)}


@dataclass(frozen=True)
class AssessmentResult:
    project: str
    rollup: Rollup
    ctes: tuple[CTEResult, ...]
    srl: SRLResult | None
    srl_note: str | None = None
    ladder_changed: bool = False      # the ladder file differs from the one recorded in the document

    @property
    def level(self) -> int | None:
        return self.rollup.level

    @property
    def basis(self) -> str:
        """``evidenced`` only when every CTE's level is (see :attr:`CTEResult.basis`)."""
        if self.level is None:
            return "none"
        return "evidenced" if all(c.basis == "evidenced" for c in self.ctes if c.level is not None) else "asserted"

    def to_dict(self) -> dict[str, Any]:
        return {"project": self.project, "readiness_rule": self.rollup.rule, "readiness_basis": self.basis,
                "readiness_rule_text": ROLLUP_RULES[self.rollup.rule][1],
                "project_level": self.rollup.level, "limiting_ctes": list(self.rollup.limiting),
                "ctes": [c.to_dict() for c in self.ctes],
                "srl": self.srl.to_dict() if self.srl else None, "srl_note": self.srl_note,
                "ladder_changed": self.ladder_changed}


def ladder_for(doc: Assessment, cte: CTE, base_dir: Path, cache: dict[str, Ladder] | None = None) -> Ladder:
    ref = cte.ladder or doc.ladder
    cache = {} if cache is None else cache
    if ref not in cache:
        cache[ref] = load_ladder(ref, base_dir=base_dir)
    return cache[ref]


def _relocate(exc: TrlError, source: str | None, prefix: str) -> TrlError:
    loc = exc.location
    field = f"{prefix}.{loc.field}" if loc.field else prefix
    return type(exc)(exc.message, location=Location(file=source or loc.file, line=loc.line, field=field),
                     hint=exc.hint, code=exc.code)


def evaluate(doc: Assessment, base_dir: Path, *, source: str | None = None,
             check_files: bool = True) -> AssessmentResult:
    """Determine every CTE's level, roll up by the document's rule, and add consensus, SRL and evidence checks."""
    if not doc.ctes:
        raise AnswerError("评估中没有关键技术元素 / the assessment has no critical technology element (CTE)",
                          location=Location(file=source, field="ctes"), hint="add at least one CTE under 'ctes:'")
    cache: dict[str, Ladder] = {}
    results = []
    for i, cte in enumerate(doc.ctes):
        ladder = ladder_for(doc, cte, base_dir, cache)
        prefix = f"ctes[{i}]"
        answers = {k: a.value for k, a in cte.answers.items()}
        discounted: tuple[str, ...] = ()
        if ladder.scale.evidence_required:  # a 'yes' without evidence does not count: read it as 'no'
            discounted = tuple(q for q in unevidenced_answers(cte, ladder) if q in answers)
            answers.update({q: "no" for q in discounted})
        try:
            det = determine_level(ladder, answers,
                                  green=doc.green_threshold, yellow=doc.yellow_threshold,
                                  asserted=[a.level for a in cte.assertions])
        except TrlError as exc:
            raise _relocate(exc, source, prefix) from None
        known = {item.id for _, item in ladder.questions()}
        for j, item in enumerate(cte.evidence):
            for q in item.questions:
                if q not in known:
                    raise AnswerError(f"证据引用了未知问题 / evidence '{item.id}' names unknown question '{q}'",
                                      location=Location(file=source, field=f"{prefix}.evidence[{j}].questions"))
        for name, value in (("baseline", cte.baseline), ("target", cte.target), ("claimed", cte.claimed)):
            if value is not None and value not in ladder.numbers:
                raise AnswerError(f"未知等级 / unknown level {value} for {name} (ladder {ladder.id} has levels "
                                  f"{ladder.numbers[0]}-{ladder.numbers[-1]})",
                                  location=Location(file=source, field=f"{prefix}.{name}"))
        consensus = None
        if cte.judgements:
            for j, judgement in enumerate(cte.judgements):
                if judgement.level not in ladder.numbers:
                    raise AnswerError(f"未知等级 / unknown level {judgement.level} in a panel judgement",
                                      location=Location(file=source, field=f"{prefix}.judgements[{j}].level"))
            consensus = ordinal_consensus([j.level for j in cte.judgements], doc.consensus)
        checks = tuple(check_evidence([cte], base_dir)) if check_files else ()
        reached = det.achieved
        unbacked = tuple(q for q in (unevidenced_answers(cte, ladder, reached) if reached is not None else ())
                         if q not in discounted)
        asserted = tuple(r.level for r in det.levels if r.basis == "assertion" and reached is not None
                         and r.level <= reached)
        results.append(CTEResult(cte.id, both(cte.name), cte.critical, ladder, det, cte.baseline, cte.target,
                                 cte.claimed, consensus, checks, unbacked, asserted, discounted))
    ranges = {(r.ladder.numbers[0], r.ladder.numbers[-1]) for r in results}
    if len(ranges) > 1:
        raise LadderError("各关键技术元素使用的阶梯等级范围不同，无法汇总 / CTEs use ladders with different level "
                          f"ranges {sorted(ranges)}: their levels cannot be rolled up",
                          location=Location(file=source, field="ctes"),
                          hint="assess all CTEs on TRL 1-9 ladders (MRL and CRI belong in separate assessments)")
    roll = rollup({r.id: r.level for r in results}, doc.rollup, {r.id: r.critical for r in results})
    srl_result, note = None, None
    if doc.integrations:
        levels = {r.id: r.level for r in results}
        if any(v is None for v in levels.values()) or ranges != {(1, 9)}:
            note = "SRL needs every CTE at TRL 1-9 on a 9-level ladder"
        else:
            srl_result = srl(levels, [(x.a, x.b, x.irl) for x in doc.integrations])
    title = both(doc.project.title) if doc.project.title else (doc.project.id or "")
    first = results[0].ladder
    changed = bool(doc.ladder_sha256 and first.sha256 and not any(c.ladder for c in doc.ctes)
                   and doc.ladder_sha256 != first.sha256)
    return AssessmentResult(title, roll, tuple(results), srl_result, note, changed)


def update_derived(doc: Assessment, result: AssessmentResult) -> None:
    """Write the derived fields (each CTE's current level, the summary, the ladder hash) into the document."""
    by_id = {r.id: r for r in result.ctes}
    for cte in doc.ctes:
        if cte.id in by_id:
            cte.current = by_id[cte.id].level
    first = result.ctes[0].ladder if result.ctes else None
    if first is not None and first.sha256 and not any(c.ladder for c in doc.ctes):
        doc.ladder_sha256 = first.sha256
    doc.summary = {
        "readiness_rule": result.rollup.rule,
        "project_level": result.rollup.level,
        "limiting_ctes": list(result.rollup.limiting),
        "ctes": {r.id: {"level": r.level, "next_level": r.determination.next_level,
                        "missing_for_next": [m.question for m in (r.determination.next.missing
                                                                  if r.determination.next else ())]}
                 for r in result.ctes},
        "evaluated_at": utcnow().isoformat().replace("+00:00", "Z"),
    }


def merge_answers(base: Assessment | None, incoming: Assessment, *, incoming_dir: Path, out_dir: Path,
                  by: str | None = None) -> Assessment:
    """Merge an answers document into an assessment (or start one from it).

    Answers without ``by``/``at`` are stamped; evidence files are looked up relative to the answers
    file, hashed, and stored relative to the assessment; a recorded hash that no longer matches is an error.
    """
    now = utcnow()
    doc = base.model_copy(deep=True) if base is not None else Assessment()
    for name in ("project", "ladder", "green_threshold", "yellow_threshold", "rollup", "consensus",
                 "assessors"):
        if name in incoming.model_fields_set:
            setattr(doc, name, getattr(incoming, name))
    for k, cin in enumerate(incoming.ctes):
        try:
            cte = doc.cte(cin.id)
        except KeyError:
            cte = CTE(id=cin.id, name=cin.name)
            doc.ctes.append(cte)
        for name in ("name", "description", "critical", "ladder", "baseline", "target", "claimed"):
            if name in cin.model_fields_set:
                setattr(cte, name, getattr(cin, name))
        for qid, ans in cin.answers.items():
            cte.answers[qid] = Answer(value=ans.value, by=ans.by or by, at=ans.at or now, note=ans.note)
        for assertion in cin.assertions:
            cte.assertions = [a for a in cte.assertions if a.level != assertion.level] + [
                assertion.model_copy(update={"by": assertion.by or by, "at": assertion.at or now})]
        for j, item in enumerate(cin.evidence):
            try:
                new = make_evidence(item.url or item.path or "", base_dir=out_dir, relative_to=incoming_dir,
                                    kind=item.kind, questions=item.questions, description=item.description,
                                    added_by=item.added_by or by, item_id=item.id,
                                    existing=[e for e in cte.evidence if e.id != item.id],
                                    expected_sha256=item.sha256, added_at=item.added_at or now)
            except TrlError as exc:
                raise _relocate(exc, exc.location.file, f"ctes[{k}].evidence[{j}]") from None
            cte.evidence = [e for e in cte.evidence if e.id != item.id] + [new]
        for judgement in cin.judgements:
            cte.judgements = [j for j in cte.judgements if j.expert != judgement.expert] + [judgement]
    import pydantic

    data = doc.model_dump()
    if "integrations" in incoming.model_fields_set:
        data["integrations"] = [i.model_dump() for i in incoming.integrations]
    try:
        return Assessment.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        raise AssessmentFileError(f"合并后的评估无效 / merged assessment is invalid: "
                                  f"{first['msg'].removeprefix('Value error, ')}",
                                  location=Location(field=".".join(str(p) for p in first["loc"]) or None)) from None
