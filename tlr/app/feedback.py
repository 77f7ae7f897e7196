"""Feedback letters to applicants: one letter per project, built from the one evaluation the report uses.

Every figure (tier, composite, rank, readiness) is read from :func:`tlr.app.records.project_records`, the
records the report and ``tlr rank --json`` print, and the thresholds from the rubric the evaluation applied
(``ev.rubric``), so a letter cannot disagree with the report.

A letter tells the applicant about *its* project only: positions within the cohort are bands, never
another project's name or score; expert comments are shown without their author and scrubbed of every
expert's name, id, organisation and e-mail and of every other project's name, id and applicant.

Cohort bands (:data:`BANDS`), for a value x among the N values of the cohort (the scored projects with a
value; x's own project included), *above* = how many are strictly higher, *below* = strictly lower:
前 10% when above < 10 % of N, else 前 25% when above < 25 % of N, else 后 25% when below < 25 % of N, else
中间. Ties count in the project's favour. Cohorts under :data:`MIN_COHORT` get no band.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence  # noqa: UP035 - as the rest of tlr

from tlr.app.audit_gate import STAMP
from tlr.errors import Diagnostic, Location, ValidationError
from tlr.text import pick, tr

MIN_COHORT = 5
TIE = 1e-9  # relative to the score scale: values closer than this are the same score
BANDS: dict[str, tuple[str, str]] = {
    "top10": ("前 10%", "top 10%"),
    "top25": ("前 25%", "top 25%"),
    "middle": ("中间", "middle"),
    "bottom25": ("后 25%", "bottom 25%"),
}
BAND_ORDER = tuple(BANDS)
MAX_POINTS = 3  # strengths, weaknesses and improvement options listed
TEMPLATE = "feedback.html.j2"

# what a scrubbed mention becomes, per letter language
REPLACEMENTS = {
    "expert": ("某专家", "an expert"),
    "organisation": ("某单位", "an organisation"),
    "project": ("另一项目", "another project"),
}

STRINGS: dict[str, tuple[str, str]] = {
    "title": ("评审意见反馈函", "Feedback on your application"),
    "dear": ("{applicant}：", "To {applicant}:"),
    "intro": ("感谢贵单位申报“{name}”（编号 {id}）参加{round}评审。现将评审结果及专家意见反馈如下。本函仅涉及贵单位的项目，"
              "不含其他项目与专家的身份信息。",
              "Thank you for submitting “{name}” (id {id}) to {round}. This letter gives the result of the "
              "review and the experts' remarks. It concerns your project only and names no other project and "
              "no expert."),
    "result": ("评审结果", "Result"),
    "tier": ("推荐档次", "Tier"),
    "composite": ("综合得分", "Composite score"),
    "rank": ("排名", "Rank"),
    "of_n": ("共 {n} 个获评分项目", "of {n} scored projects"),
    "colon": ("：", ": "),
    "tier_name": ("档次名称", "Tier name"),
    "readiness": ("技术就绪水平", "Readiness"),
    "route": ("支持路径", "Support route"),
    "not_scored": ("本项目未获专家评分，未参与排序。", "Your project received no expert scores and was not ranked."),
    "thresholds": ("本轮评价体系的分档规则", "Tiers of this round's rubric"),
    "thresholds_lead": ("档次按顺序判定，取综合得分达到分数线且满足附加条件的第一个档次（满分 {scale:g}）。",
                        "Tiers are tried in order; a project gets the first whose minimum score it reaches and "
                        "whose extra condition holds (scores out of {scale:g})."),
    "min_score": ("分数线", "Minimum score"),
    "condition": ("附加条件", "Extra condition"),
    "none": ("—", "—"),
    "yours": ("本项目所在档次", "your project's tier"),
    "dimensions": ("各维度在全部参评项目中的位置", "Position per dimension within the cohort"),
    "dimension": ("维度", "Dimension"),
    "score": ("得分", "Score"),
    "position": ("位置", "Position"),
    "bands_note": ("位置按全部 {n} 个获评分项目计：前 10% 指得分严格高于本项目的项目少于 10%，前 25% 同理；"
                   "后 25% 指得分严格低于本项目的项目少于 25%；其余为中间。并列按有利于本项目计。",
                   "Among all {n} scored projects: top 10% means fewer than 10% scored strictly higher, top 25% "
                   "likewise; bottom 25% means fewer than 25% scored strictly lower; otherwise middle. Ties count "
                   "in your favour."),
    "no_band": ("参评项目少于 {min} 个，不给出位置。", "Fewer than {min} projects were scored: no positions are given."),
    "strengths": ("主要优势", "Strengths"),
    "weaknesses": ("有待改进", "Areas to improve"),
    "strengths_lead": ("本项目在全部参评项目中相对靠前的指标，附专家对该指标的意见。",
                       "The indicators where your project stands highest in the cohort, with the experts' remarks "
                       "on them."),
    "weaknesses_lead": ("本项目在全部参评项目中相对靠后的指标，附专家对该指标的意见。",
                        "The indicators where your project stands lowest in the cohort, with the experts' remarks "
                        "on them."),
    "indicator_score": ("指标得分 {score}（满分 100）· {band}", "indicator score {score} of 100 · {band}"),
    "no_points": ("无。", "None."),
    "no_comment": ("专家未对此指标留下文字意见。", "The experts left no written remark on this indicator."),
    "other_comments": ("其他专家意见", "Other remarks from the experts"),
    "next": ("如何进入上一档次", "What would move the project up one tier"),
    "at_top": ("本项目已在最高档次。", "Your project is already in the highest tier."),
    "gap": ("进入“{tier}”（{code}）需综合得分达到 {min}，目前差 {gap} 分。",
            "Tier {code} ({tier}) needs a composite score of {min}: {gap} points more than now."),
    "gap_met": ("综合得分已达到“{tier}”（{code}）的分数线 {min}。",
                "The composite score already reaches the minimum {min} of tier {code} ({tier})."),
    "condition_needed": ("该档次还要求：{rule}（目前{state}）。", "That tier also requires {rule} ({state} now)."),
    "condition_met": ("已满足", "met"),
    "condition_unmet": ("未满足", "not met"),
    "condition_unknown": ("无法判定", "undecided"),
    "capped": ("档次受规则“{label}”限制：{reason}", "The tier is capped by the rule “{label}”: {reason}"),
    "options_alone": ("下列任一指标单独提高即可弥补差距（按所需提高幅度从小到大）：",
                      "Raising any one of these indicators alone would close the gap (smallest rise first):"),
    "options_combined": ("没有单个指标能单独弥补差距；按权重从高到低依次提高下列指标可以弥补：",
                         "No single indicator can close the gap alone; raising these, highest weight first, "
                         "would:"),
    "option": ("{label}：指标得分由 {now} 提高到 {needed}（满分 100）", "{label}: indicator score from {now} to "
                                                                   "{needed} (of 100)"),
    "option_full": ("{label}：指标得分由 {now} 提高到 100", "{label}: indicator score from {now} to 100"),
    "no_options": ("（本轮的合成方法不是加权求和，无法按指标分解差距。）",
                   "(This round's aggregation is not a weighted sum: the gap cannot be split by indicator.)"),
    "knocked_out": ("未通过的否决规则", "Knock-out rule not passed"),
    "knocked_out_lead": ("本项目触发了下列一票否决规则，因此不进入推荐档次：",
                         "Your project met the following knock-out rule(s) and so cannot enter a recommended tier:"),
    "rule": ("规则", "Rule"),
    "reason": ("说明", "Reason"),
    "routed": ("本项目转入支持路径：{route}。", "Your project is referred to the support route: {route}."),
    "footer": ("评价依据", "Basis of this letter"),
    "rubric": ("评价体系", "Rubric"),
    "rubric_hash": ("评价体系内容哈希", "Rubric content hash"),
    "scores_hash": ("评分数据哈希", "Scores hash"),
    "audit_head": ("审计链末端哈希", "Audit chain head"),
    "audit": ("审计核验", "Audit verification"),
    "audit_ok": ("通过（{n} 条记录）", "passed ({n} entries)"),
    "audit_failed": ("未通过：{problem}", "FAILED: {problem}"),
    "tool_version": ("工具版本", "Tool version"),
    "generated": ("数据最后更新时间", "Last change in the ledger"),
    "marker_note": ("* 有证据的评估；† 评估人断言（证据不全）；无标记为专家组中位数。",
                    "* evidence-based assessment; † assessor-asserted (evidence incomplete); no mark: panel median."),
    "confidential": ("仅供申报单位参阅", "For the applicant only"),
    "stamp": ("审计未通过", "audit failed"),
}


def ui(lang: str) -> dict[str, str]:
    return pick(STRINGS, lang)


# ------------------------------------------------------------------------------------------------ bands


def band(value: float | None, cohort: Iterable[float], *, scale: float = 100.0) -> str | None:
    """The band (a key of :data:`BANDS`) of *value* among *cohort* (which includes it); None if unknown."""
    values = [float(v) for v in cohort if v is not None and math.isfinite(float(v))]
    if value is None or not math.isfinite(float(value)) or len(values) < MIN_COHORT:
        return None
    tol = TIE * scale
    n = len(values)
    above = sum(v > value + tol for v in values)
    below = sum(v < value - tol for v in values)
    if above < 0.10 * n:
        return "top10"
    if above < 0.25 * n:
        return "top25"
    if below < 0.25 * n:
        return "bottom25"
    return "middle"


def _standing(value: float, cohort: Sequence[float], scale: float) -> float:
    """Share of the cohort strictly above (0 best); used to order strengths and weaknesses."""
    tol = TIE * scale
    return sum(v > value + tol for v in cohort) / len(cohort)


def _below(value: float, cohort: Sequence[float], scale: float) -> float:
    tol = TIE * scale
    return sum(v < value - tol for v in cohort) / len(cohort)


# ------------------------------------------------------------------------------------------------ scrubbing


class Scrubber:
    """Replaces every expert identity and every other project's identity in a comment.

    One pattern of all the terms, longest first (a name that contains another is replaced whole); an
    ASCII term must not touch ASCII letters or digits on its edge (``E1`` is not found inside ``E10``),
    other scripts match anywhere. The project's own name, id and applicant are kept.
    """

    def __init__(self, experts: Sequence[dict], projects: Sequence[dict]):
        self.experts = experts
        self.projects = projects
        self._cache: dict[tuple[str, str], tuple[Any, dict[str, str]]] = {}

    def _terms(self, own: str) -> dict[str, str]:
        terms: dict[str, str] = {}

        def add(text: Any, kind: str) -> None:
            text = str(text or "").strip()
            if text:
                terms.setdefault(text.casefold(), kind)

        for e in self.experts:  # an expert's identity first: it wins over a project term that equals it
            add(e.get("name"), "expert")
            add(e.get("id"), "expert")
            add(e.get("email"), "expert")
            add(e.get("institution"), "organisation")
        mine = next((p for p in self.projects if p["id"] == own), {})
        keep = {str(x).strip().casefold() for x in
                [mine.get("id"), mine.get("name"), mine.get("applicant"), *(mine.get("co_applicants") or [])] if x}
        for p in self.projects:
            if p["id"] == own:
                continue
            add(p.get("id"), "project")
            add(p.get("name"), "project")
            for org in [p.get("applicant"), *(p.get("co_applicants") or [])]:
                if org and str(org).strip().casefold() not in keep:
                    add(org, "organisation")
        for own_term in keep:
            terms.setdefault(own_term, "keep")
        return terms

    def _pattern(self, own: str, lang: str):
        key = (own, lang)
        if key not in self._cache:
            terms = self._terms(own)
            parts = []
            for term in sorted(terms, key=lambda t: (-len(t), t)):
                body = re.escape(term)
                if re.match(r"[A-Za-z0-9]", term):
                    body = r"(?<![A-Za-z0-9])" + body
                if re.search(r"[A-Za-z0-9]$", term):
                    body += r"(?![A-Za-z0-9])"
                parts.append(body)
            pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None
            self._cache[key] = (pattern, terms)
        return self._cache[key]

    def __call__(self, text: str, own: str, lang: str) -> str:
        pattern, terms = self._pattern(own, lang)
        if pattern is None or not text:
            return text
        k = 0 if lang == "zh" else 1

        def replace(m: re.Match) -> str:
            kind = terms.get(m.group(0).casefold())
            if kind is None or kind == "keep":
                return m.group(0)
            return REPLACEMENTS[kind][k]

        return pattern.sub(replace, text)


# ------------------------------------------------------------------------------------------------ letters


@dataclass(frozen=True)
class Letter:
    """One project's letter: ``data`` is JSON-ready (every figure the template shows)."""

    project: str
    data: dict[str, Any]


def _comments_by_indicator(ledger) -> dict[tuple[str, str], list[str]]:
    """Non-empty comments per (project, indicator), experts in import order (authors dropped)."""
    seq = {e["id"]: e["seq"] for e in ledger.experts()}
    rows = sorted(ledger.rows("scores", "comment != ''"),
                  key=lambda r: (r["project_id"], r["indicator_id"], seq.get(r["expert_id"], 0), r["expert_id"]))
    out: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        out.setdefault((r["project_id"], r["indicator_id"]), []).append(r["comment"])
    return out


def check_projects(known: Sequence[str], wanted: Sequence[str], *, option: str = "--projects") -> list[str]:
    """*wanted* checked against the campaign's project ids *known*: an unknown id is one located line (exit 2)."""
    import difflib

    known_set = set(known)
    problems = []
    for pos, pid in enumerate(wanted, 1):
        if pid not in known_set:
            close = difflib.get_close_matches(pid, list(known), n=1)
            problems.append(Diagnostic(
                "error", f"未知项目 / unknown project {pid!r}" + (f"；是否为 / did you mean {close[0]!r}?" if close else ""),
                location=Location(field=f"{option} #{pos}"),
                hint="`tlr status` 列出项目编号 / `tlr status` lists the project ids", code="unknown_project"))
    if problems:
        raise ValidationError(problems)
    return list(dict.fromkeys(wanted))


class _Builder:
    def __init__(self, ledger, ev, lang: str, audit):
        from tlr.app.records import project_records

        self.ledger, self.ev, self.lang, self.audit = ledger, ev, lang, audit
        self.s = ui(lang)
        self.rubric = ev.rubric
        self.scale = float(self.rubric.document.score_scale)
        self.projects_info = {p["id"]: p for p in ledger.projects()}
        self.records = {r["project"]: r for r in project_records(ev, self.projects_info, lang)}
        self.index = {pid: p for p, pid in enumerate(ev.projects)}
        self.scrub = Scrubber(ledger.experts(), list(self.projects_info.values()))
        self.comments = _comments_by_indicator(ledger)
        self.scored = [p for p in range(len(ev.projects)) if not ev.unscored[p]]
        self.n_ranked = len(self.scored)
        self.top_dims = [(k, d) for k, d in enumerate(ev.dimensions) if self.rubric.node(d).depth == 0]
        self.footer = self._footer()
        self.tiers = self._tiers()
        self.condition_values = None

    def t(self, text) -> str:
        return tr(text, self.lang) if text is not None else ""

    def label(self, node_id: str) -> str:
        if node_id in ("composite", "readiness"):
            return {"composite": self.s["composite"], "readiness": self.s["readiness"]}[node_id]
        try:
            return self.t(self.rubric.node(node_id).label)
        except (KeyError, ValueError):
            return node_id

    # -- round-wide -------------------------------------------------------------------------

    def _footer(self) -> dict[str, Any]:
        prov = self.ev.method.get("provenance", {})
        head = self.ledger.audit_head()
        audit = self.audit
        if audit is None:
            audit_text = "未核验" if self.lang == "zh" else "not checked"
        elif audit.verified:
            audit_text = self.s["audit_ok"].format(n=audit.entries)
        else:
            audit_text = self.s["audit_failed"].format(problem=audit.problems[0] if audit.problems else "?")
        return {"rubric_id": prov.get("rubric_id", self.rubric.id),
                "rubric_version": prov.get("rubric_version", self.rubric.version),
                "rubric_hash": prov.get("rubric_hash", self.rubric.content_hash),
                "scores_hash": prov.get("scores_hash"), "audit_head": head[1] if head else "",
                "tool_version": prov.get("tool_version"), "generated_at": head[2] if head else "",
                "audit": audit_text, "verified": None if audit is None else bool(audit.verified),
                "stamp": None if audit is None or audit.verified else dict(STAMP)}

    def _rule(self, cond) -> str:
        """A rule with the rubric's labels in place of ids (``技术就绪水平 >= 6``)."""
        if cond is None:
            return ""
        if cond.ref is not None:
            value = cond.value
            if isinstance(value, bool):
                value = ("是" if value else "否") if self.lang == "zh" else ("yes" if value else "no")
            elif isinstance(value, float):
                value = f"{value:g}"
            return f"{self.label(cond.ref)} {cond.op} {value}"
        if cond.all is not None or cond.any is not None:
            joiner = ((" 且 " if self.lang == "zh" else " and ") if cond.all is not None
                      else (" 或 " if self.lang == "zh" else " or "))
            parts = cond.all if cond.all is not None else cond.any
            return "(" + joiner.join(self._rule(c) for c in parts) + ")"
        if cond.not_ is not None:
            return ("非 " if self.lang == "zh" else "not ") + self._rule(cond.not_)
        return ""

    def _tiers(self) -> list[dict[str, Any]]:
        """The tiers the evaluation applied (its rubric's, plus the default tier), thresholds as written."""
        ev = self.ev
        by_id = {t.id: t for t in self.rubric.document.tiers or []}
        out = []
        for code in ev.tier_codes:
            tier = by_id.get(code)
            out.append({"code": code, "label": self.t(ev.tier_labels.get(code)),
                        "min_score": tier.min_score if tier is not None else None,
                        "condition": self._rule(tier.when) if tier is not None and tier.when is not None else None})
        return out

    def _condition_truth(self, cond, p: int) -> str:
        """Whether *cond* holds for project *p* now: "met", "unmet" or "unknown" (the evaluation's values)."""
        import numpy as np

        from tlr.rubric.conditions import evaluate_condition

        ev = self.ev
        if self.condition_values is None:
            values = {node: ev.consensus[:, i] for i, node in enumerate(ev.indicators)}
            values.update({d: ev.dimension_scores[:, k] for k, d in enumerate(ev.dimensions)})
            values["composite"] = ev.composite
            values["readiness"] = ev.readiness
            self.condition_values = values
        scales = {n.id: n.scale for n in self.rubric.indicators}
        truth = evaluate_condition(cond, self.condition_values, len(ev.projects), scales)
        if not bool(np.asarray(truth.known)[p]):
            return "unknown"
        return "met" if bool(np.asarray(truth.value)[p]) else "unmet"

    # -- one project ---------------------------------------------------------------------------

    def letter(self, pid: str) -> Letter:
        ev = self.ev
        p = self.index[pid]
        rec = self.records[pid]
        info = self.projects_info.get(pid, {})
        scored = not ev.unscored[p]
        from tlr.app.records import READINESS_SOURCES
        from tlr.app.report_data import shown

        data: dict[str, Any] = {
            "project": pid, "name": shown(info.get("name", pid)), "applicant": shown(info.get("applicant", "")),
            "round": shown(self.ledger.meta.get("name") or ""), "lang": self.lang, "scored": scored,
            "rank": rec["rank"] if scored else None, "n_ranked": self.n_ranked,
            "composite": rec["composite"], "tier": rec["tier"], "tier_label": rec["tier_label"],
            "tiers": [{**t, "current": t["code"] == rec["tier"]} for t in self.tiers],
            "score_scale": self.scale,
            "readiness": {"level": rec["readiness"], "source": rec["readiness_source"],
                          "marker": rec["readiness_marker"],
                          "source_label": READINESS_SOURCES[rec["readiness_source"]][0 if self.lang == "zh" else 1]},
            "route": rec["route_label"],
            "knocked_out": rec["knocked_out"],
            "knockouts": self._knockouts(p),
            "dimensions": self._dimensions(p, rec) if scored else [],
            "footer": self.footer,
        }
        points = self._indicator_points(p) if scored else []
        strengths = [x for x in points if x["standing"] < 0.5]
        strengths.sort(key=lambda x: (x["standing"], -x["weight"], x["order"]))
        weaknesses = [x for x in points if x["below"] < 0.5 and x not in strengths[:MAX_POINTS]]
        weaknesses.sort(key=lambda x: (x["below"], -x["weight"], x["order"]))
        data["strengths"] = [self._point(pid, x) for x in strengths[:MAX_POINTS]]
        data["weaknesses"] = [self._point(pid, x) for x in weaknesses[:MAX_POINTS]]
        used = {x["indicator"] for x in data["strengths"] + data["weaknesses"]}
        data["other_comments"] = [
            {"indicator": iid, "label": self.label(iid), "comments": self._comments(pid, iid)}
            for iid in ev.indicators if iid not in used and self.comments.get((pid, iid))]
        data["next_tier"] = None if (not scored or rec["knocked_out"]) else self._next_tier(p, rec)
        return Letter(pid, data)

    def _knockouts(self, p: int) -> list[dict[str, Any]]:
        gates = {g.id: g for g in self.rubric.document.gates or []}
        out = []
        for g in self.ev.knockouts(p):
            gate = gates.get(g.id)
            out.append({"gate": g.id, "label": self.t(g.label),
                        "rule": self._rule(gate.when) if gate is not None else "",
                        "reason": self.t(gate.reason) if gate is not None and gate.reason is not None else ""})
        return out

    def _dimensions(self, p: int, rec: dict) -> list[dict[str, Any]]:
        ev = self.ev
        out = []
        for k, d in self.top_dims:
            cohort = [float(ev.dimension_scores[q, k]) for q in self.scored]
            value = rec["dimensions"].get(d)
            code = band(value, cohort, scale=self.scale)
            out.append({"id": d, "label": self.label(d), "score": value, "band": code,
                        "band_label": self._band_label(code)})
        return out

    def _band_label(self, code: str | None) -> str:
        return BANDS[code][0 if self.lang == "zh" else 1] if code else "—"

    def _indicator_points(self, p: int) -> list[dict[str, Any]]:
        """The project's standing on every scored indicator it has a value for, within that indicator's cohort."""
        import numpy as np

        ev = self.ev
        out = []
        for order, i in enumerate(ev.scored_columns):
            u = float(ev.utilities[p, i])
            if not math.isfinite(u):
                continue
            column = ev.utilities[self.scored, i]
            cohort = [float(v) for v in column[~np.isnan(column)]]
            if len(cohort) < MIN_COHORT:
                continue
            node = self.rubric.node(ev.indicators[i])
            out.append({"indicator": node.id, "utility": u, "weight": float(node.global_weight), "order": order,
                        "standing": _standing(u, cohort, 1.0), "below": _below(u, cohort, 1.0),
                        "band": band(u, cohort, scale=1.0)})
        return out

    def _comments(self, pid: str, iid: str) -> list[str]:
        from tlr.app.report_data import shown

        return [shown(self.scrub(text, pid, self.lang), newlines=True) for text in self.comments.get((pid, iid), [])]

    def _point(self, pid: str, x: dict) -> dict[str, Any]:
        from tlr.app.records import clean

        return {"indicator": x["indicator"], "label": self.label(x["indicator"]),
                "score": clean(100 * x["utility"]), "band": x["band"], "band_label": self._band_label(x["band"]),
                "comments": self._comments(pid, x["indicator"])}

    def _next_tier(self, p: int, rec: dict) -> dict[str, Any]:
        ev = self.ev
        codes = list(ev.tier_codes)
        idx = codes.index(rec["tier"])
        if idx == 0:
            return {"at_top": True}
        target = self.tiers[idx - 1]
        tier = next((t for t in self.rubric.document.tiers or [] if t.id == target["code"]), None)
        composite = rec["composite"]
        threshold = target["min_score"]
        gap = max((threshold or 0.0) - composite, 0.0) if composite is not None else None
        out: dict[str, Any] = {"at_top": False, "code": target["code"], "label": target["label"],
                               "min_score": threshold, "gap": gap, "options": [], "combined": False,
                               "condition": None, "condition_state": None, "caps": []}
        if tier is not None and tier.when is not None:
            out["condition"] = target["condition"]
            out["condition_state"] = self._condition_truth(tier.when, p)
        gates = {g.id: g for g in self.rubric.document.gates or []}
        for g in ev.gates:
            if g.hit[p] and g.effect == "flag" and g.max_tier in codes and codes.index(g.max_tier) >= idx:
                gate = gates.get(g.id)
                out["caps"].append({"gate": g.id, "label": self.t(g.label),
                                    "reason": self.t(gate.reason) if gate is not None and gate.reason else ""})
        if gap:
            out["options"], out["combined"], out["explained"] = self._options(p, gap)
        return out

    def _options(self, p: int, gap: float) -> tuple[list[dict], bool, bool]:
        """The indicators that close *gap* most cheaply (:func:`tlr.ranking.explain.explain` with the next
        tier's minimum): alone when one can (least rise first), else the greedy fill by weight."""
        import numpy as np

        from tlr.app.records import clean
        from tlr.evaluation.composite import impute_missing
        from tlr.ranking.explain import explain

        ev = self.ev
        if ev.method.get("aggregation") != "weighted_sum":
            return [], False, False
        cols, w = ev.scored_columns, ev.scored_weights
        U = impute_missing(ev.utilities[p:p + 1][:, cols], w)
        if np.isnan(U).all():
            return [], False, False
        composite01 = float(ev.composite[p]) / self.scale
        result = explain(np.nan_to_num(U), w, [composite01 + gap / self.scale])
        wn = w / w.sum()
        alone = [k for k in range(len(cols)) if result.sufficient[0, k]]
        options = []
        if alone:
            alone.sort(key=lambda k: (float(result.needed_utility[0, k] - U[0, k]), k))
            for k in alone[:MAX_POINTS]:
                options.append({"indicator": ev.indicators[cols[k]], "label": self.label(ev.indicators[cols[k]]),
                                "now": clean(100 * U[0, k]), "needed": clean(100 * min(result.needed_utility[0, k], 1.0))})
            return options, False, True
        remaining = float(result.gap[0])
        for k in sorted(range(len(cols)), key=lambda k: (-wn[k], k)):
            if remaining <= 1e-12:
                break
            room = float(result.headroom[0, k])
            if room <= 0:
                continue
            rise = min(room, remaining)
            options.append({"indicator": ev.indicators[cols[k]], "label": self.label(ev.indicators[cols[k]]),
                            "now": clean(100 * U[0, k]), "needed": clean(100 * (U[0, k] + rise / wn[k]))})
            remaining -= rise
        return options, True, True


def build_letters(ledger, evaluation, project_ids: Sequence[str] | None = None, *, lang: str = "zh",
                  audit=None) -> list[Letter]:
    """The letters of *project_ids* (every project when None), best ranked first, from one evaluation."""
    ranked = [evaluation.projects[int(p)] for p in evaluation.order()]
    if project_ids is not None:
        chosen = set(check_projects(evaluation.projects, project_ids))
        ranked = [pid for pid in ranked if pid in chosen]
    builder = _Builder(ledger, evaluation, lang, audit)
    return [builder.letter(pid) for pid in ranked]


# ------------------------------------------------------------------------------------------------ rendering


def letter_names(project_ids: Sequence[str]) -> dict[str, str]:
    """Project id -> the file stem of its letter (``feedback-<safe id>``), unique even ignoring case."""
    from tlr.outputs import safe_names

    return {pid: f"feedback-{name}" for pid, name in safe_names(project_ids).items()}


def _num(x, nd: int = 1) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{x:.{nd}f}"


def _glyph_items(letters: Sequence[Letter]) -> Iterable[tuple[str, str]]:
    for letter in letters:
        d = letter.data
        owner = f"{letter.project} {d['name']}"
        yield owner, d["name"]
        yield owner, d["applicant"]
        for point in d["strengths"] + d["weaknesses"] + d["other_comments"]:
            for text in point["comments"]:
                yield owner, text


def font_chars(letters: Sequence[Letter], lang: str, templates_dir: str | Path | None = None) -> set[str]:
    """Every character the letters of a round can show in *lang*: their data, the strings and the templates.

    One font subset for all of them (subsetting the CJK font takes about a second a time); pass every
    letter of the round so that a letter's bytes do not depend on which others are written with it.
    """
    from tlr.report import render

    chars: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            chars.update(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    for letter in letters:
        walk(letter.data)
    walk(list(ui(lang).values()))
    walk([pair[0 if lang == "zh" else 1] for pair in BANDS.values()])
    walk(["审计未通过 / AUDIT FAILED", "audit failed / 审计未通过"])
    root = render._templates(templates_dir, TEMPLATE)
    for path in sorted(root.glob("*.j2")):
        chars.update(path.read_text(encoding="utf-8"))
    return chars


def render_letters(letters: Sequence[Letter], out_dir: str | Path, *, formats: Sequence[str] = ("html", "pdf"),
                   lang: str = "zh", templates_dir: str | Path | None = None,
                   chars: set[str] | None = None,
                   progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """Write each letter as ``feedback-<id>.html`` / ``.pdf`` under *out_dir* (only there, through
    :mod:`tlr.outputs`); return per letter its project, tier and files with their SHA-256.

    *chars*: the characters the shared font subset covers (:func:`font_chars` of every letter of the round;
    default: of *letters*).
    """
    import hashlib

    from tlr.outputs import check_folder, make_folder, write_file
    from tlr.report import fonts, render
    from tlr.report.errors import ReportError

    names = letter_names([x.project for x in letters])
    targets = {x.project: {f: render.output_path(out_dir, f"{names[x.project]}.{f}") for f in formats}
               for x in letters}
    check_folder(out_dir, names=[t.name for files in targets.values() for t in files.values()])
    root = render._templates(templates_dir, TEMPLATE)
    env = render._jinja_env(root)
    env.filters["num"] = _num
    template = render._load(env, TEMPLATE, root)
    fonts.check_glyphs(_glyph_items(letters))
    chars = set(chars) if chars is not None else font_chars(letters, lang, templates_dir)
    pdf_font = fonts.subset_for(chars) if "pdf" in formats else None  # also: a clear error if the font is missing
    try:
        html_font = fonts.embedded_font_face_css(chars) if "html" in formats else ""
    except ReportError:
        html_font = ""  # no font: the HTML still names the usual system CJK fonts
    make_folder(out_dir)
    s = ui(lang)
    out = []
    for done, letter in enumerate(letters, 1):
        files = []
        d = letter.data
        stamp = d["footer"]["stamp"]
        for fmt in formats:
            ctx = {"fmt": fmt, "lang": lang, "s": s, "d": d, "bands": BANDS,
                   "min_cohort": MIN_COHORT, "font": render._font_info(),
                   "font_face_css": render._font_face() if fmt == "pdf" else html_font,
                   "stamp": (f"{stamp['zh']} / AUDIT FAILED" if lang == "zh" else f"{stamp['en']} / 审计未通过")
                   if stamp else ""}
            html = render._render_template(template, ctx, root)
            data = html.encode("utf-8") if fmt == "html" else render.html_to_pdf(html, root, font=pdf_font)
            path = write_file(targets[letter.project][fmt], data)
            files.append({"format": fmt, "path": str(path), "sha256": hashlib.sha256(data).hexdigest()})
        out.append({"project": letter.project, "tier": d["tier"], "files": files})
        if progress:
            progress(done, len(letters))
    return out


__all__ = ["BANDS", "MIN_COHORT", "Letter", "Scrubber", "band", "build_letters", "check_projects", "font_chars",
           "letter_names", "render_letters", "ui"]
