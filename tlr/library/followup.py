"""Follow-up of funded achievements (投后跟踪): dated events imported from a file into a store, audited.

The events live in the achievement library (keyed by the library's achievement id; an alias is recorded under
the achievement it stands for) or, when no library exists yet, in the campaign ledger (keyed by the project
id). Both stores have the same ``followup_events`` table (:data:`tlr.campaign.schema.FOLLOWUP_TABLE`) and every
import is one audited, hash-chained write (``followup.import``).

Kinds and what each row needs (one line per missing or misplaced value, located):

============  ===============================================================================
milestone     说明 (the milestone's text)
trl           技术就绪水平 (level reached), 证据 or 证据文件SHA256 (evidence), 评定人 (who assessed)
investment    金额 (follow-on investment, 万元), 对方单位 (investor)
contract      金额 (万元), 对方单位 (counterparty)
revenue       金额 (万元), 期间 (period: 2027, 2027-H1, 2027-Q3 or 2027-05)
============  ===============================================================================

A value in a column its kind does not use is refused (a 金额 on a milestone is a mistake, not a note). Every
row carries a 日期 (ISO ``YYYY-MM-DD``; an XLSX date cell is accepted) not later than the as-of date (default
today): outcomes are facts, not plans.

**Identity and re-import.** An event's id is its 事件编号 when given, else ``F-`` + 12 hex digits of SHA-256 over
the achievement, date, kind and every value (:func:`derived_id`). Importing a row whose id is already recorded
with the same content is idempotent: it is skipped and counted (``already``), so a running follow-up sheet can
be imported again after new rows are added. The same id with other content is refused (an event is never
silently changed). The same row twice in one file is refused.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any, Callable

from tlr.campaign.imports import Column, Findings, read_records, validate_rows
from tlr.campaign.store import Store, default_actor, now
from tlr.campaign.tables import open_table
from tlr.campaign.vocab import norm_token
from tlr.errors import CampaignError, Diagnostic, Location

KIND_WORDS = {
    "milestone": ("milestone", "里程碑", "进展", "节点"),
    "trl": ("trl", "readiness", "技术就绪水平", "技术成熟度", "成熟度", "就绪度"),
    "investment": ("investment", "follow-on", "follow_on", "后续投资", "融资", "投资"),
    "contract": ("contract", "合同", "技术合同", "订单"),
    "revenue": ("revenue", "收入", "营业收入", "销售收入"),
}
KIND_LABELS = {"milestone": "里程碑", "trl": "技术就绪水平", "investment": "后续投资", "contract": "合同",
               "revenue": "收入"}
_KIND_OF = {norm_token(w): k for k, words in KIND_WORDS.items() for w in words}

FOLLOWUP_COLUMNS: list[Column] = [
    Column("achievement_id", ("achievement_id", "achievement", "project_id", "成果编号", "项目编号", "编号"), True,
           kind="id", zh="成果编号"),
    Column("date", ("date", "日期", "发生日期", "时间"), True, zh="日期"),
    Column("kind", ("kind", "type", "event", "类型", "事件类型", "跟踪类型"), True, zh="类型"),
    Column("amount", ("amount", "value", "数值", "金额", "数值/金额", "金额（万元）", "amount_wan"), kind="number",
           zh="金额（万元）"),
    Column("trl", ("trl", "level", "技术就绪水平", "技术成熟度", "达到的技术就绪水平", "成熟度"), kind="trl",
           zh="技术就绪水平"),
    Column("evidence", ("evidence", "证据", "证明材料"), kind="multiline", zh="证据"),
    Column("evidence_sha256", ("evidence_sha256", "evidence_hash", "证据文件sha256", "证据哈希", "证据文件哈希"),
           zh="证据文件SHA256"),
    Column("assessor", ("assessor", "assessed_by", "评定人", "评估人", "认定人"), zh="评定人"),
    Column("counterparty", ("counterparty", "investor", "对方单位", "投资方", "合同方", "客户"), zh="对方单位"),
    Column("period", ("period", "期间", "所属期间", "收入期间"), zh="期间"),
    Column("note", ("note", "description", "说明", "备注", "说明/备注", "内容"), kind="multiline", zh="说明"),
    Column("id", ("event_id", "事件编号"), kind="id", zh="事件编号"),
]
# what each kind needs, and what it may carry besides 说明 (the rest must stay empty)
NEEDS = {"milestone": ("note",), "trl": ("trl", "assessor"), "investment": ("amount", "counterparty"),
         "contract": ("amount", "counterparty"), "revenue": ("amount", "period")}
USES = {"milestone": {"note"}, "trl": {"trl", "evidence", "evidence_sha256", "assessor", "note"},
        "investment": {"amount", "counterparty", "note"}, "contract": {"amount", "counterparty", "note"},
        "revenue": {"amount", "period", "counterparty", "note"}}
VALUE_FIELDS = ("amount", "trl", "evidence", "evidence_sha256", "assessor", "counterparty", "period", "note")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:T00:00:00)?")
_PERIOD = re.compile(r"(\d{4})(?:-(?:H[12]|Q[1-4]|0[1-9]|1[0-2]))?")
_SHA = re.compile(r"[0-9a-f]{64}")


def parse_date(text: str) -> str | None:
    """``YYYY-MM-DD`` (an XLSX date cell reads ``YYYY-MM-DDT00:00:00``) if it is a real day, else None."""
    m = _DATE.fullmatch(text.strip())
    if not m:
        return None
    try:
        return date.fromisoformat(m.group(1)).isoformat()
    except ValueError:
        return None


def kind_of(text: str) -> str | None:
    return _KIND_OF.get(norm_token(text))


def content(rec: dict[str, Any]) -> tuple:
    """What an event says (its identity when no 事件编号 is given): achievement, date, kind and every value."""
    def norm(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            return repr(v)
        return norm_token(str(v)) if not isinstance(v, int) else str(v)
    return (rec["achievement_id"], rec["date"], rec["kind"], *(norm(rec.get(f)) for f in VALUE_FIELDS))


def derived_id(rec: dict[str, Any]) -> str:
    return "F-" + hashlib.sha256("\x1f".join(content(rec)).encode("utf-8")).hexdigest()[:12]


class Target:
    """Where the events go: a library (ids and aliases resolved) or a campaign ledger (its project ids)."""

    def __init__(self, store: Store, known: dict[str, str], kind_zh: str, kind_en: str):
        self.store, self.known, self.kind_zh, self.kind_en = store, known, kind_zh, kind_en

    @classmethod
    def library(cls, lib) -> "Target":
        known: dict[str, str] = {}
        for a in lib.rows("achievements"):
            known[a["id"]] = a["id"]
            for alias in a["aliases"]:
                known.setdefault(alias, a["id"])
        return cls(lib, known, "成果库", "library")

    @classmethod
    def campaign(cls, ledger) -> "Target":
        return cls(ledger, {p["id"]: p["id"] for p in ledger.projects()}, "批次", "campaign")


def today() -> str:
    return date.today().isoformat()


def _checker(target: Target, as_of: str, recorded: dict[str, dict[str, Any]]) -> Callable:
    def check(rec: dict, number: int, loc: Callable[[str], Location], findings: Findings) -> None:
        def error(field: str, message: str, hint: str | None = None, code: str = "invalid") -> None:
            findings.append(Diagnostic("error", message, loc(field), hint=hint, code=code))

        aid = rec.get("achievement_id")
        if aid and aid not in target.known:
            error("achievement_id", f"{target.kind_zh}中没有编号为“{aid}”的成果 / no achievement '{aid}' in the "
                                    f"{target.kind_en}",
                  "先用 `tlr library add-round` 加入其轮次，或改正编号 / add its round with `tlr library add-round`, or "
                  "correct the id" if target.kind_en == "library" else "改正项目编号 / correct the project id",
                  "unknown_achievement")
        raw_date = rec.get("date") or ""
        if raw_date:
            day = parse_date(raw_date)
            if day is None:
                error("date", f"“{raw_date}”不是日期 / '{raw_date}' is not a date", "写作 2027-03-15 / write it as "
                              "2027-03-15 (ISO YYYY-MM-DD)", "bad_date")
            elif day > as_of:
                error("date", f"日期 {day} 晚于截止日 {as_of} / the date {day} is after the as-of date {as_of}",
                      "跟踪记录只记已发生的事；核对日期，或用 --as-of 指定截止日 / follow-up records what happened: check "
                      "the date, or give --as-of", "future_date")
        raw_kind = rec.get("kind") or ""
        kind = kind_of(raw_kind) if raw_kind else None
        if raw_kind and kind is None:
            error("kind", f"未知类型“{raw_kind}” / unknown kind '{raw_kind}'",
                  "可选 / one of: 里程碑 milestone、技术就绪水平 trl、后续投资 investment、合同 contract、收入 revenue",
                  "unknown_kind")
        if kind is None:
            return
        zh = KIND_LABELS[kind]
        cols = {c.field: c for c in FOLLOWUP_COLUMNS}
        for f in NEEDS[kind]:
            if rec.get(f) in (None, ""):
                error(f, f"{zh}记录缺少“{cols[f].zh}” / a {kind} event needs '{f}'", code="missing_value")
        if kind == "trl" and not rec.get("evidence") and not rec.get("evidence_sha256"):
            error("evidence", f"{zh}记录须有证据（证据或证据文件SHA256）/ a trl event needs its evidence (text or the "
                              "evidence file's SHA-256)", code="missing_value")
        for f in VALUE_FIELDS:
            if f not in USES[kind] and rec.get(f) not in (None, ""):
                error(f, f"{zh}记录不用“{cols[f].zh}”列 / a {kind} event has no '{f}'",
                      "清空该单元格，或改正类型 / clear the cell, or correct the kind", "not_applicable")
        sha = rec.get("evidence_sha256") or ""
        if sha and not _SHA.fullmatch(sha.lower()):
            error("evidence_sha256", f"“{sha[:80]}”不是 SHA-256（64 位十六进制）/ not a SHA-256 (64 hex digits)",
                  "用 `sha256sum 文件` 计算 / compute it with `sha256sum FILE`", "bad_sha256")
        period = rec.get("period") or ""
        if period and not _PERIOD.fullmatch(period.strip().upper()):
            error("period", f"“{period}”不是期间 / '{period}' is not a period",
                  "写作 2027、2027-H1、2027-Q3 或 2027-05 / write 2027, 2027-H1, 2027-Q3 or 2027-05", "bad_period")
        rid = rec.get("id")
        normal = _normal(target, rec)
        if rid and rid in recorded and normal is not None and content(recorded[rid]) != content(normal):
            error("id", f"事件“{rid}”已记录，内容不同 / event '{rid}' is already recorded with other values",
                  "事件不改写：新事件用新编号 / events are not rewritten: give a new event its own id", "changed_event")
    return check


def _normal(target: Target, rec: dict[str, Any]) -> dict[str, Any] | None:
    """The event as stored (canonical achievement id, ISO date, kind id, period upper-case), or None if invalid."""
    aid = target.known.get(rec.get("achievement_id") or "")
    day = parse_date(rec.get("date") or "")
    kind = kind_of(rec.get("kind") or "")
    if aid is None or day is None or kind is None:
        return None
    return {**rec, "achievement_id": aid, "date": day, "kind": kind,
            "period": (rec.get("period") or "").strip().upper(),
            "evidence_sha256": (rec.get("evidence_sha256") or "").lower(),
            **{f: rec.get(f) or "" for f in ("evidence", "assessor", "counterparty", "note")}}


def import_followup(target: Target, path: str | Path, *, as_of: str | None = None, actor: str | None = None,
                    dry_run: bool = False, encoding: str | None = None) -> dict[str, Any]:
    """Validate (all-or-nothing, every problem located) and record the events of a follow-up file; rows already
    recorded are skipped. Returns what happened: ``imported``, ``already``, the new ids, the file's SHA-256."""
    as_of = as_of or today()
    table = open_table(path, sheet="跟踪", encoding=encoding)
    recorded = {r["id"]: r for r in target.store.rows("followup_events")}

    def derive(rec: dict[str, Any]) -> str:
        normal = _normal(target, rec)
        return derived_id(normal if normal is not None else {**rec, "kind": rec.get("kind") or ""})

    plan = validate_rows(table, FOLLOWUP_COLUMNS, set(), "事件", "event", _checker(target, as_of, recorded),
                         derive_id=derive, store=(target.kind_zh, target.kind_en))
    records = [_normal(target, r) for r in read_records(table, FOLLOWUP_COLUMNS, plan, derive)]
    new = [r for r in records if r["id"] not in recorded]
    out = {"file": str(path), "sha256": plan.sha256, "encoding": table.encoding, "rows": len(records),
           "imported": len(new), "already": len(records) - len(new), "ids": [r["id"] for r in new],
           "as_of": as_of, "dry_run": dry_run, "store": target.kind_en}
    if dry_run or not new:
        return out
    source = f"{Path(table.file).name} sha256:{plan.sha256[:16]}"
    with target.store.write("followup.import", actor=actor or default_actor(),
                            info={"file": Path(table.file).name, "sha256": plan.sha256, "count": len(new),
                                  "already": out["already"], "as_of": as_of}) as tx:
        have = {r["id"] for r in target.store.rows("followup_events")}   # inside the write lock
        new = [r for r in new if r["id"] not in have]   # imported meanwhile by someone else: the same content
        seq = target.store.next_seq("followup_events") - 1
        stamp = now()
        tx.put("followup_events", [{**{k: r.get(k) for k in ("id", "achievement_id", "date", "kind", "amount", "trl",
                                                              *VALUE_FIELDS[2:])},
                                    "seq": seq + k, "source": source, "imported_at": stamp}
                                   for k, r in enumerate(new, start=1)])
    out.update(imported=len(new), ids=[r["id"] for r in new], already=len(records) - len(new))
    return out


def events(store: Store, achievement_id: str | None = None) -> list[dict[str, Any]]:
    """The recorded events (of one achievement), oldest first."""
    if achievement_id is None:
        return store.rows("followup_events", order="date, seq")
    return store.rows("followup_events", "achievement_id = ?", (achievement_id,), order="date, seq")


def unknown(target: Target, aid: str) -> CampaignError:
    return CampaignError(f"{target.kind_zh}中没有编号为 {aid} 的成果 / no achievement with id {aid} in the {target.kind_en}",
                         location=Location(file=str(target.store.path)), code="unknown_achievement",
                         hint="核对编号 / check the id")
