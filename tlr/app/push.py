"""Push lists (推送清单 / 推介): one recommendation pack per sub-fund and per recipient, from the report's evaluation.

The campaign is evaluated once, through the same pipeline as the report (audit gate, then
:func:`tlr.app.evaluation.evaluate_campaign`); every figure of a pack (tier, composite, readiness and its
source, route, rank) is read from :func:`tlr.app.records.project_records`, and the profiles are the report's
own (:func:`tlr.app.report_data.build_report_data`, ``partials/profile.html.j2``), so a pack cannot disagree
with the report. The ask is the project's 申请经费 (:data:`tlr.app.funding.COST_COLUMNS`); the region its
所在地区 (:data:`REGION_COLUMNS`).

Which achievement goes where is decided by the pure :func:`tlr.push.placement.place` (the rule is in its
docstring and in docs/push.md). Knocked-out and unscored projects are never pushed.

Written into ``--out`` only (:mod:`tlr.outputs`): per pack ``fund-<id>`` / ``recipient-<id>`` ``.html``,
``.pdf``, ``.csv``, ``.xlsx``; ``index.html``; ``unplaced.html`` and ``unplaced.csv``. Every page states the
rubric hash, the scores hash, the audit head, the funds.yaml hash and the tool version.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence  # noqa: UP035 - as the rest of tlr

from tlr.app.audit_gate import STAMP
from tlr.text import pick

REGION_COLUMNS = ("所在地区", "所在地区（市县）", "地区", "所在地", "所在市县", "region")
TEMPLATE = "push.html.j2"
INDEX_TEMPLATE = "push_index.html.j2"

# a miss, as the reader sees it: code -> (zh, en); {value} and {limit} are filled in
FAILURES: dict[str, tuple[str, str]] = {
    "knocked_out": ("触发一票否决", "knocked out by a gate"),
    "unscored": ("无人评分", "not scored"),
    "tier_outside": ("档次 {value} 不在 {limit} 之内", "tier {value} not in {limit}"),
    "route_outside": ("支持路径 {value} 不在 {limit} 之内", "route {value} not in {limit}"),
    "route_none": ("没有支持路径（要求 {limit}）", "no support route (needs {limit})"),
    "trl_below": ("TRL {value} < {limit}", "TRL {value} < {limit}"),
    "trl_above": ("TRL {value} > {limit}", "TRL {value} > {limit}"),
    "trl_unknown": ("技术就绪水平未知（要求 TRL {limit}）", "readiness unknown (needs TRL {limit})"),
    "ask_below": ("申请经费 {value} < {limit} 万元", "ask {value} < {limit} (万元)"),
    "ask_above": ("申请经费 {value} > {limit} 万元", "ask {value} > {limit} (万元)"),
    "ask_unknown": ("未填申请经费（要求 {limit} 万元）", "no funding ask (needs {limit} 万元)"),
    "industry_outside": ("行业 {value} 不在 {limit} 之内", "industry {value} not in {limit}"),
    "industry_unknown": ("行业未知（要求 {limit}）", "industry unknown (needs {limit})"),
    "region_outside": ("地区 {value} 不在 {limit} 之内", "region {value} not in {limit}"),
    "region_unknown": ("未填所在地区（要求 {limit}）", "region not given (needs {limit})"),
}

STRINGS: dict[str, tuple[str, str]] = {
    "pack_fund": ("子基金推荐清单", "Recommendations for a sub-fund"),
    "pack_recipient": ("成果推送清单", "Achievements pushed to a recipient"),
    "index": ("推送清单总览", "Push lists: overview"),
    "unplaced": ("未匹配成果", "Unplaced achievements"),
    "unplaced_lead": ("下列成果不符合任何子基金的投向与条件（可能仍推送给所在地区）。“最接近”为未满足条件最少的子基金；"
                      "并列时取行业、地区相符者，再取 funds.yaml 中靠前者。",
                      "These achievements fit no sub-fund's mandate (they may still be pushed to their region). The "
                      "nearest is the sub-fund with the fewest failed conditions; on a tie, the one whose industry and "
                      "region fit, then the one listed first in funds.yaml."),
    "unplaced_lead_recipients": ("下列成果不属于任何推送对象。“最接近”为未满足条件最少者；并列时取行业、地区相符者，再取 "
                                 "funds.yaml 中靠前者。",
                                 "These achievements reach no recipient. The nearest is the one with the fewest "
                                 "failed conditions; on a tie, the one whose industry and region fit, then the one "
                                 "listed first in funds.yaml."),
    "pushed_to": ("已推送至", "Pushed to"),
    "nearest": ("最接近", "Nearest"),
    "why": ("未满足的条件", "Why it missed"),
    "mandate": ("投向与条件", "Mandate"),
    "rule_lead": ("按下列条件从本轮评价结果中筛选（每条均须满足；未列出的条件不限）：",
                  "Selected from this round's evaluation by these conditions (all must hold; a condition not listed "
                  "is open):"),
    "rule_order": ("清单按本轮排名排序。", "Listed in this round's rank order."),
    "rule_eligible": ("仅含已评分且未触发一票否决的成果", "only scored achievements that passed every knock-out gate"),
    "rule_tiers": ("档次：{v}", "tiers: {v}"),
    "rule_tiers_default": ("档次：{v}（评价体系的可资助档次）", "tiers: {v} (the rubric's fundable tiers)"),
    "rule_routes": ("支持路径：{v}", "support routes: {v}"),
    "rule_trl": ("技术就绪水平：TRL {lo}–{hi}（含）", "readiness: TRL {lo}–{hi} (inclusive)"),
    "rule_ticket": ("申请经费：{lo}–{hi} 万元（含）", "funding ask: {lo}–{hi} 万元 (inclusive)"),
    "rule_industries": ("行业：{v}", "industries: {v}"),
    "rule_regions": ("所在地区：{v}", "located in: {v}"),
    "kind": ("类型", "Kind"),
    "kind_fund": ("子基金", "sub-fund"),
    "kind_city": ("市", "city"), "kind_county": ("县（市、区）", "county"), "kind_zone": ("园区", "zone"),
    "kind_incubator": ("孵化器", "incubator"), "kind_recipient": ("推送对象", "recipient"),
    "n_fit": ("符合条件的成果：{n} 项", "{n} achievement(s) fit"),
    "none_fit": ("本轮没有符合条件的成果。", "No achievement of this round fits."),
    "list": ("推荐成果清单", "Achievements"),
    "ask": ("申请经费（万元）", "Ask (万元)"),
    "region": ("所在地区", "Region"),
    "demands": ("匹配的企业技术需求", "Matched enterprise demands"),
    "demands_short": ("需求", "Demands"),
    "demand": ("需求", "Demand"),
    "enterprise": ("企业", "Enterprise"),
    "match_score": ("匹配度", "Score"),
    "reasons": ("匹配理由", "Why"),
    "no_demands": ("无匹配的企业需求。", "No matching enterprise demand."),
    "followup": ("投后跟踪（截至 {as_of}）", "Follow-up (as of {as_of})"),
    "followup_totals": ("后续投资 {investment} 万元，合同 {contract} 万元，收入 {revenue} 万元；TRL {path}",
                        "follow-on investment {investment} 万元, contracts {contract} 万元, revenue {revenue} 万元; "
                        "TRL {path}"),
    "followup_source": ("投后跟踪来源", "Follow-up from"),
    "date": ("日期", "Date"), "event": ("事项", "Event"), "note": ("说明", "Note"),
    "profiles": ("成果评价详情", "Profiles"),
    "basis": ("依据", "Basis"),
    "campaign": ("评价批次", "Campaign"),
    "rubric": ("评价体系", "Rubric"),
    "rubric_hash": ("评价体系内容哈希", "Rubric content hash"),
    "scores_hash": ("评分数据哈希", "Scores hash"),
    "audit_head": ("审计链末端哈希", "Audit chain head"),
    "audit": ("审计核验", "Audit verification"),
    "audit_ok": ("通过（{n} 条记录）", "passed ({n} entries)"),
    "audit_failed": ("未通过：{problem}", "FAILED: {problem}"),
    "funds_file": ("推送对象文件", "Funds file"),
    "funds_hash": ("funds.yaml 哈希", "funds.yaml hash"),
    "demands_source": ("对接需求来源", "Matched demands from"),
    "tool_version": ("工具版本", "Tool version"),
    "generated": ("数据最后更新时间", "Last change in the ledger"),
    "marker_note": ("* 有证据的评估；† 评估人断言（证据不全）；无标记为专家组中位数。",
                    "* evidence-based assessment; † assessor-asserted (evidence incomplete); no mark: panel median."),
    "packs": ("推送清单", "Packs"),
    "files": ("文件", "Files"),
    "any": ("不限", "any"),
    "confidential": ("内部资料 注意保密", "Internal — confidential"),
    "placed_in": ("所在清单", "In packs"),
    "n_unplaced": ("{n} 项", "{n} achievement(s)"),
    "count": ("成果数", "Achievements"),
}

# the columns of a pack's CSV/XLSX (for the fund's own systems): key -> (zh, en)
COLUMNS: list[tuple[str, str, str]] = [
    ("rank", "排名", "rank"), ("project", "编号", "id"), ("name", "成果名称", "name"),
    ("applicant", "申报单位", "applicant"), ("industry", "行业", "industry"), ("region", "所在地区", "region"),
    ("tier", "档次", "tier"), ("composite", "综合得分", "composite"), ("trl", "技术就绪水平", "TRL"),
    ("trl_source", "TRL 来源", "TRL source"), ("route", "支持路径", "route"), ("ask", "申请经费（万元）", "ask (万元)"),
    ("demands", "匹配的企业需求", "matched demands"),
]
UNPLACED_COLUMNS: list[tuple[str, str, str]] = [
    ("rank", "排名", "rank"), ("project", "编号", "id"), ("name", "成果名称", "name"),
    ("applicant", "申报单位", "applicant"), ("industry", "行业", "industry"), ("region", "所在地区", "region"),
    ("tier", "档次", "tier"), ("composite", "综合得分", "composite"), ("trl", "技术就绪水平", "TRL"),
    ("route", "支持路径", "route"), ("ask", "申请经费（万元）", "ask (万元)"),
    ("nearest", "最接近的清单", "nearest mandate"), ("why", "未满足的条件", "why it missed"),
    ("codes", "条件代码", "codes"), ("pushed_to", "已推送至", "pushed to"),
]


def ui(lang: str) -> dict[str, str]:
    return pick(STRINGS, lang)


# ------------------------------------------------------------------------------------------------ inputs


def vocabulary(rubric):
    """What funds.yaml is checked against: the industry vocabulary and the campaign's frozen rubric."""
    from tlr.campaign.vocab import industry_id, industry_names
    from tlr.push.model import Vocabulary

    doc = rubric.document
    tiers = tuple(t.id for t in doc.tiers or [])
    return Vocabulary(industry_id=industry_id, industry_names=industry_names(), tiers=tiers,
                      fundable_tiers=tuple(t.id for t in doc.tiers or [] if getattr(t, "fundable", False)),
                      routes=tuple(r.id for r in doc.routes or []))


def project_region(row: Mapping[str, Any]) -> str:
    """The project's 所在地区: its ``region`` field, else the first region column kept in its imported extras."""
    if row.get("region"):
        return str(row["region"]).strip()
    extra = row.get("extra") or {}
    for key in REGION_COLUMNS:
        if extra.get(key):
            return str(extra[key]).strip()
    return ""


def achievements(records: Sequence[dict], projects: Mapping[str, dict], asks: Mapping[str, float | None]):
    """The round's achievements in rank order (:class:`tlr.matching.items.Achievement`) and the blocked ones.

    Returns ``(achievements, blocked)``; *blocked*: project id -> ``knocked_out`` | ``unscored``.
    """
    from tlr.matching.items import Achievement

    out, blocked = [], {}
    for rec in records:
        pid = rec["project"]
        row = projects.get(pid, {})
        if rec["composite"] is None:
            blocked[pid] = "unscored"
        elif rec["knocked_out"]:
            blocked[pid] = "knocked_out"
        out.append(Achievement(
            id=pid, name=row.get("name") or pid, applicant=row.get("applicant") or "", industry=row.get("industry"),
            region=project_region(row), summary=row.get("summary") or "", keywords=tuple(row.get("keywords") or ()),
            trl=rec["readiness"], trl_source="" if rec["readiness_source"] == "none" else rec["readiness_source"],
            ask=asks.get(pid), tier=rec["tier"],
            route=rec["route"], extra={"rank": rec["rank"], "composite": rec["composite"]}))
    return out, blocked


def demand_matches(result, demands: Sequence[Any], lang: str = "zh") -> dict[str, list[dict[str, Any]]]:
    """Achievement id -> its matched demands as the packs show them, from a matcher result.

    *result*: what :func:`tlr.matching.match` returns (read duck-typed: ``by_achievement`` rows with ``id`` and
    ``candidates``, each with ``id``, ``score`` and a language-free ``why``); *demands*: the
    :class:`tlr.matching.items.Demand` records matched. Reasons are made from ``why``: shared terms, synonyms,
    same industry, readiness against the demand's need, same region.
    """
    by_id = {d.id: d for d in demands}
    zh = lang == "zh"
    sep = "、" if zh else ", "
    out: dict[str, list[dict[str, Any]]] = {}
    for row in getattr(result, "by_achievement", ()):
        listed = []
        for c in row.candidates:
            d = by_id.get(c.id)
            why = c.why or {}
            reasons = []
            if why.get("shared_terms"):
                from tlr.matching.explain import display_terms

                reasons.append(("共同词：" if zh else "shared terms: ") + sep.join(display_terms(why["shared_terms"], 5)))
            if why.get("synonyms"):
                pairs = [f"{x[0]}≈{x[1]}" for x in why["synonyms"][:3]]
                reasons.append(("同义词：" if zh else "synonyms: ") + sep.join(pairs))
            industry = why.get("industry") or {}
            if industry.get("demand") and industry.get("demand") == industry.get("achievement"):
                reasons.append("同行业" if zh else "same industry")
            ready = why.get("readiness") or {}
            if ready.get("needed") is not None and ready.get("trl") is not None:
                reasons.append(f"TRL {ready['trl']}（需求 ≥ {ready['needed']}）" if zh
                               else f"TRL {ready['trl']} (needs ≥ {ready['needed']})")
            region = why.get("region") or {}
            if region.get("demand") and region.get("demand") == region.get("achievement"):
                reasons.append("同地区" if zh else "same region")
            listed.append({"demand": c.id, "name": d.name if d else c.id, "enterprise": d.enterprise if d else "",
                           "score": c.score, "reasons": reasons})
        if listed:
            out[row.id] = listed
    return out


# ------------------------------------------------------------------------------------------------ the packs


@dataclass
class PushData:
    """Everything the packs show, language made: per mandate its rule and rows; the unplaced; provenance."""

    lang: str
    packs: list[dict[str, Any]]
    unplaced: list[dict[str, Any]]
    rows: dict[str, dict[str, Any]]  # project id -> its row (the same values in every pack)
    basis: dict[str, Any]
    placement: Any
    stamp: dict[str, str] | None = None
    demands: dict[str, list[dict]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"packs": [{k: p[k] for k in ("id", "kind", "recipient_kind", "name", "rule", "achievements")}
                          for p in self.packs],
                "unplaced": [{k: u[k] for k in ("project", "nearest", "failures", "pushed_to")} for u in self.unplaced],
                "basis": self.basis, "stamp": self.stamp}


def _fmt_money(x: float) -> str:
    return f"{x:g}" if x == int(x) else f"{x:.2f}".rstrip("0")


def _labels(values, mapping: Mapping[str, str]) -> str:
    return "、".join(mapping.get(v, str(v)) for v in values)


class _Texts:
    """Names of tiers, routes and industries in one language, and sentences made from codes."""

    def __init__(self, rubric, lang: str):
        from tlr.app.records import industry_label
        from tlr.campaign.vocab import INDUSTRIES
        from tlr.text import tr

        self.lang = lang
        self.s = ui(lang)
        doc = rubric.document
        self.routes = {r.id: tr(r.short or r.label, lang) for r in doc.routes or []}
        self.tiers = {t.id: t.id for t in doc.tiers or []}
        self.industries = {k: industry_label(k, lang) for k in INDUSTRIES}
        self.industries_short = {k: industry_label(k, lang, short=True) for k in INDUSTRIES}  # table columns
        self.sep = "、" if lang == "zh" else ", "

    def join(self, values, mapping: Mapping[str, str] | None = None) -> str:
        return self.sep.join((mapping or {}).get(v, str(v)) for v in values)

    def rule(self, m) -> list[str]:
        s = self.s
        out = [s["rule_eligible"]]
        if m.tiers is not None:
            out.append((s["rule_tiers_default"] if m.tiers_default else s["rule_tiers"]).format(v=self.join(m.tiers)))
        if m.routes is not None:
            out.append(s["rule_routes"].format(v=self.join(m.routes, self.routes)))
        if m.trl is not None:
            out.append(s["rule_trl"].format(lo=m.trl[0], hi=m.trl[1]))
        if m.ticket is not None:
            out.append(s["rule_ticket"].format(lo=_fmt_money(m.ticket[0]), hi=_fmt_money(m.ticket[1])))
        if m.industries is not None:
            out.append(s["rule_industries"].format(v=self.join(m.industries, self.industries)))
        if m.regions is not None:
            out.append(s["rule_regions"].format(v=self.join(m.regions)))
        return out

    def failure(self, f) -> str:
        zh, en = FAILURES[f.code]
        template = zh if self.lang == "zh" else en
        names = {"tier": self.tiers, "route": self.routes, "industry": self.industries}.get(f.condition, {})

        def show(v):
            if v is None:
                return "—"
            if isinstance(v, tuple) and f.condition in ("trl", "ticket"):
                return "–".join(_fmt_money(float(x)) for x in v)
            if isinstance(v, tuple):
                return "[" + self.join(v, names) + "]"
            if isinstance(v, float):
                return _fmt_money(v)
            return names.get(v, str(v))

        return template.format(value=show(f.value), limit=show(f.limit))


def _row(rec: dict, a, texts: _Texts) -> dict[str, Any]:
    from tlr.app.records import READINESS_SOURCES

    src = READINESS_SOURCES.get(rec["readiness_source"], ("", ""))
    return {"rank": rec["rank"] if rec["composite"] is not None else None, "project": rec["project"],
            "name": a.name, "applicant": a.applicant, "industry": texts.industries_short.get(a.industry or "", ""),
            "region": a.region, "tier": rec["tier"], "composite": rec["composite"], "trl": rec["readiness"],
            "trl_marker": rec["readiness_marker"], "trl_source": src[0 if texts.lang == "zh" else 1],
            "route": texts.routes.get(rec["route"], rec["route"]) if rec["route"] else "", "route_id": rec["route"],
            "ask": a.ask, "knocked_out": rec["knocked_out"]}


def build_push(ledger, evaluation, funds, *, lang: str = "zh", audit=None,
               demands: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
               demand_list: Sequence[Any] | None = None, demands_basis: Mapping[str, Any] | None = None,
               top_demands: int = 3, followups: Mapping[str, Mapping[str, Any]] | None = None,
               followups_basis: Mapping[str, Any] | None = None) -> PushData:
    """The packs of *funds* (:class:`tlr.push.model.Funds`) for *evaluation* of the campaign in *ledger*.

    *demands*: achievement id -> its matched enterprise demands, best first, each a mapping with ``demand``
    (id), ``name``, ``enterprise``, ``score`` and ``reasons`` (a list of short texts); None or empty: the
    section is left out.
    """
    from tlr import __version__
    from tlr.app.funding import project_costs
    from tlr.app.records import project_records
    from tlr.push.placement import place

    ev = evaluation
    projects = {p["id"]: p for p in ledger.projects()}
    records = project_records(ev, projects, lang)
    costs = dict(zip(ev.projects, project_costs(projects, ev.projects, None)))
    items, blocked = achievements(records, projects, costs)
    if demand_list:
        from tlr.matching import match

        # knocked-out and unscored achievements are never pushed, so never offered to an enterprise either
        offered = [a for a in items if a.id not in blocked]
        demands = demand_matches(match(list(demand_list), offered, top=1, top_demands=top_demands),
                                 demand_list, lang) if offered else {}
    placement = place(items, funds.mandates, blocked=blocked)
    texts = _Texts(ev.rubric, lang)
    by_id = {a.id: a for a in items}
    rows = {rec["project"]: _row(rec, by_id[rec["project"]], texts) for rec in records}
    demands = {k: [dict(d) for d in v] for k, v in (demands or {}).items() if v}
    for pid, row in rows.items():
        row["demands"] = demands.get(pid, [])
        row["followup"] = _followup_view((followups or {}).get(pid), lang)
    names = {m.id: m.name.get(lang) or m.id for m in funds.mandates}
    kinds = {m.id: m.kind for m in funds.mandates}
    stem = pack_names([m for m in funds.mandates])
    packs = []
    for m in funds.mandates:
        ids = list(placement.packs[m.id])
        packs.append({"id": m.id, "kind": m.kind, "recipient_kind": m.recipient_kind, "name": names[m.id],
                      "names": dict(m.name), "rule": texts.rule(m), "achievements": ids,
                      "rows": [rows[i] for i in ids], "stem": stem[m.id]})
    unplaced = []
    for u in placement.unplaced:
        failures = [{**f.to_dict(), "text": texts.failure(f)} for f in u.failures]
        pushed = [m for m in placement.placed_in(u.achievement) if kinds[m] == "recipient"]
        unplaced.append({"project": u.achievement, "row": rows[u.achievement], "nearest": u.nearest,
                         "nearest_name": names.get(u.nearest, "") if u.nearest else "",
                         "nearest_stem": stem.get(u.nearest) if u.nearest else None,
                         "failures": failures, "pushed_to": pushed,
                         "pushed_names": [names[m] for m in pushed], "pushed_stems": [stem[m] for m in pushed]})
    last = ledger.audit_head()
    provenance = ev.method.get("provenance") or {}
    basis = {
        "campaign": str(ledger.meta.get("name") or ""), "campaign_id": str(ledger.meta.get("campaign_id") or ""),
        "rubric_id": ev.rubric.id, "rubric_version": ev.rubric.version, "rubric_hash": ev.rubric.content_hash,
        "scores_hash": provenance.get("scores_hash"), "audit_head": last[1] if last else "",
        "audit_verified": audit.verified if audit is not None else None,
        "audit_entries": audit.entries if audit is not None else None,
        "audit_problems": list(audit.problems) if audit is not None else [],
        "funds_file": Path(funds.path).name, "funds_sha256": funds.sha256, "tool_version": __version__,
        "generated_at": last[2] if last else str(ledger.meta.get("created_at", "")),
    }
    basis["unplaced_scope"] = "funds" if funds.funds else "recipients"
    basis["demands"] = dict(demands_basis) if demands_basis else None
    basis["followup"] = dict(followups_basis) if followups_basis and followups else None
    stamp = audit.stamp if audit is not None else None
    return PushData(lang=lang, packs=packs, unplaced=unplaced, rows=rows, basis=basis, placement=placement,
                    stamp=stamp, demands=demands)


_EVENT = {"milestone": ("里程碑", "milestone"), "trl": ("达到 TRL {trl}", "reached TRL {trl}"),
          "investment": ("后续投资 {amount} 万元", "follow-on investment {amount} 万元"),
          "contract": ("合同 {amount} 万元", "contract {amount} 万元"), "revenue": ("收入 {amount} 万元", "revenue {amount} 万元")}


def _followup_view(f: Mapping[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """An achievement's follow-up (:func:`tlr.app.followup.show`) as a pack shows it: totals, TRL path, events."""
    if not f:
        return None
    k = 0 if lang == "zh" else 1

    def money(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"

    path = " → ".join(str(x) for x in [f["baseline_trl"], *[s["reached"] for s in f["trl_path"]]] if x is not None)
    totals = {m: money(f["totals"].get(m, 0.0)) for m in ("investment", "contract", "revenue")}
    events = []
    for e in f["timeline"]:
        what = _EVENT[e["kind"]][k].format(trl=e.get("trl"), amount=money(e["amount"]) if e.get("amount") is not None
                                           else "—")
        note = "；".join(x for x in (e.get("counterparty"), e.get("evidence"), e.get("note")) if x)
        events.append({"date": e["date"], "what": what, "note": note})
    return {"as_of": f["as_of"], "title": ui(lang)["followup"].format(as_of=f["as_of"]),
            "totals": ui(lang)["followup_totals"].format(path=path or "—", **totals), "events": events}


def pack_names(mandates) -> dict[str, str]:
    """Mandate id -> the file stem of its pack: ``fund-<id>`` or ``recipient-<id>``."""
    from tlr.outputs import safe_names

    safe = safe_names([m.id for m in mandates])
    return {m.id: f"{m.kind}-{safe[m.id]}" for m in mandates}


def output_names(push: PushData, formats: Sequence[str]) -> list[str]:
    """Every file name :func:`render_push` writes for *push*."""
    names = [f"{p['stem']}.{f}" for p in push.packs for f in (*formats, "csv", "xlsx")]
    return names + ["index.html", "unplaced.html", "unplaced.csv"]


# ------------------------------------------------------------------------------------------------ tables


def _neutral(value: Any) -> Any:
    from tlr.campaign.export import neutralise

    return neutralise(value)


def _cell(key: str, row: dict, lang: str) -> Any:
    if key == "demands":
        return "; ".join(f"{d.get('demand')} {d.get('name', '')}".strip() for d in row.get("demands") or [])
    value = row.get(key)
    if key == "ask" and isinstance(value, float) and value.is_integer():
        return int(value)  # 万元 as the form wrote it: 1080, not 1080.0
    return value


def _header(columns, lang: str) -> list[str]:
    return [f"{zh} / {en}" for _key, zh, en in columns]


def table_csv(rows: Sequence[dict], columns, lang: str) -> bytes:
    """A UTF-8 CSV with a BOM (Excel opens it right); text cells starting with = + - @ neutralised."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(_header(columns, lang))
    for row in rows:
        writer.writerow([_neutral(_cell(key, row, lang)) for key, _zh, _en in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def table_xlsx(rows: Sequence[dict], columns, lang: str, basis: dict[str, Any], title: str) -> bytes:
    """The same table as an XLSX workbook, with a second sheet naming what it was made from."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "push"
    ws.append(_header(columns, lang))
    for row in rows:
        ws.append([_neutral(_cell(key, row, lang)) for key, _zh, _en in columns])
    ws.freeze_panes = "A2"
    info = wb.create_sheet("basis")
    info.append(["pack", _neutral(title)])
    for key in ("campaign", "campaign_id", "rubric_id", "rubric_version", "rubric_hash", "scores_hash",
                "audit_head", "audit_verified", "funds_file", "funds_sha256", "tool_version", "generated_at"):
        value = basis.get(key)
        info.append([key, _neutral(value if not isinstance(value, bool) else str(value).lower())])
    info.append(["formula_safety", "text cells starting with = + - @ are prefixed with '"])
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_xlsx(buf.getvalue())


def _stable_xlsx(data: bytes) -> bytes:
    """The workbook with fixed timestamps, so the same data gives the same bytes (a rerun replaces nothing new)."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                body = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>",
                              rb"<dcterms:\1\2>2000-01-01T00:00:00Z</dcterms:\1>", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()


def pack_columns(push: PushData) -> list[tuple[str, str, str]]:
    """The columns of a pack's CSV/XLSX: the matched demands only when demands were given."""
    return COLUMNS if push.demands else [c for c in COLUMNS if c[0] != "demands"]


def unplaced_rows(push: PushData) -> list[dict[str, Any]]:
    sep = "；" if push.lang == "zh" else "; "
    return [{**u["row"], "nearest": f"{u['nearest']} {u['nearest_name']}".strip() if u["nearest"] else "",
             "why": sep.join(f["text"] for f in u["failures"]), "codes": " ".join(f["code"] for f in u["failures"]),
             "pushed_to": sep.join(u["pushed_names"])}
            for u in push.unplaced]


# ------------------------------------------------------------------------------------------------ rendering


def render_push(push: PushData, report_data, out_dir: str | Path, *, formats: Sequence[str] = ("html", "pdf"),
                templates_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """Write every pack (HTML, PDF, CSV, XLSX), the index and the unplaced list into *out_dir* (only there).

    *report_data*: the report's :class:`tlr.report.model.ReportData` of the same evaluation (the profiles).
    Returns per written file its kind, pack, format, path and SHA-256.
    """
    from tlr.outputs import check_folder, make_folder, write_file
    from tlr.report import fonts, render

    lang = push.lang
    names = output_names(push, formats)
    targets = {n: render.output_path(out_dir, n) for n in names}
    check_folder(out_dir, names=names)
    root = render._templates(templates_dir, TEMPLATE)
    env = render._jinja_env(root)
    template = render._load(env, TEMPLATE, root)
    index_template = render._load(env, INDEX_TEMPLATE, root)
    render._glyph_check(report_data)

    data = _with_push_facts(report_data, push)
    from tlr.report.strings import ui as report_ui

    ordered = data.ranked()
    profiled_all = list(enumerate(ordered, 1))
    charts = render._charts(data, lang, report_ui(lang), profiled_all, None)
    by_id = {p.id: (i, p) for i, p in profiled_all}
    stamp_text = ""
    if push.stamp:
        stamp_text = (f"{STAMP['zh']} / AUDIT FAILED" if lang == "zh" else f"{STAMP['en']} / 审计未通过")
    ps = ui(lang)

    def context(fmt: str, pack: dict | None) -> dict:
        ctx = render.build_context(data, fmt=fmt, lang=lang, top=0, charts=charts)
        ctx.update({"ps": ps, "push": push, "basis": push.basis, "stamp": stamp_text, "pack": pack, "formats": formats,
                    "profiled": [by_id[i] for i in pack["achievements"]] if pack else [],
                    "anchors": {p.id: f"p-{i}" for i, p in profiled_all},
                    "font_face_css": render._HTML_FONT_PLACEHOLDER if fmt == "html" else ctx["font_face_css"]})
        return ctx

    documents: dict[str, str] = {}
    for pack in push.packs:
        for fmt in formats:
            documents[f"{pack['stem']}.{fmt}"] = render._render_template(template, context(fmt, pack), root)
    documents["index.html"] = render._render_template(index_template, {**context("html", None), "page": "index"},
                                                      root)
    documents["unplaced.html"] = render._render_template(index_template,
                                                         {**context("html", None), "page": "unplaced"}, root)
    html_chars = set().union(*(set(h) for n, h in documents.items() if n.endswith(".html")))
    pdf_chars = set().union(*(set(h) for n, h in documents.items() if n.endswith(".pdf")), set())
    try:
        html_font = fonts.embedded_font_face_css(html_chars) if html_chars else ""
    except Exception:  # no font: the HTML still names the usual system CJK fonts
        html_font = ""
    pdf_font = fonts.subset_for(pdf_chars) if pdf_chars else None  # one subset for every pack: seconds saved
    make_folder(out_dir)
    written: list[dict[str, Any]] = []

    def put(name: str, body: bytes, kind: str, pack: str | None) -> None:
        write_file(targets[name], body)
        written.append({"kind": kind, "pack": pack, "format": name.rsplit(".", 1)[1], "path": str(targets[name]),
                        "sha256": hashlib.sha256(body).hexdigest()})

    for pack in push.packs:
        for fmt in formats:
            name = f"{pack['stem']}.{fmt}"
            html = documents[name]
            body = (html.replace(render._HTML_FONT_PLACEHOLDER, html_font, 1).encode("utf-8") if fmt == "html"
                    else render.html_to_pdf(html, root, font=pdf_font))
            put(name, body, "pack", pack["id"])
        title = f"{pack['id']} {pack['name']}"
        columns = pack_columns(push)
        put(f"{pack['stem']}.csv", table_csv(pack["rows"], columns, lang), "pack", pack["id"])
        put(f"{pack['stem']}.xlsx", table_xlsx(pack["rows"], columns, lang, push.basis, title), "pack", pack["id"])
    for name, kind in (("index.html", "index"), ("unplaced.html", "unplaced")):
        put(name, documents[name].replace(render._HTML_FONT_PLACEHOLDER, html_font, 1).encode("utf-8"), kind, None)
    put("unplaced.csv", table_csv(unplaced_rows(push), UNPLACED_COLUMNS, lang), "unplaced", None)
    return written


def _with_push_facts(data, push: PushData):
    """The report data with each project's region and ask filled in (the profiles show them)."""
    projects = [p.model_copy(update={"region": push.rows.get(p.id, {}).get("region") or p.region,
                                     "requested_funding": push.rows.get(p.id, {}).get("ask")})
                for p in data.projects]
    return data.model_copy(update={"projects": projects})


__all__ = ["COLUMNS", "FAILURES", "PushData", "REGION_COLUMNS", "achievements", "build_push", "demand_matches",
           "output_names",
           "pack_columns", "pack_names", "project_region", "render_push", "table_csv", "table_xlsx", "ui", "unplaced_rows",
           "vocabulary"]
