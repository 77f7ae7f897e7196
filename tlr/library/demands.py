"""Enterprise technology demands (企业技术需求调查表): import, statuses with history, listing.

Imports go through the campaign's import machinery (:func:`tlr.campaign.imports.validate_rows` and
:func:`~tlr.campaign.imports.write_rows`): two passes, all-or-nothing, every problem located. A row without
a 需求编号 gets a stable id derived from its enterprise and demand name (:func:`derived_id`), so the same
survey row gets the same id in every file. An id already in the library is refused (the row is listed;
nothing is imported): a demand changes through its status, not by importing it again.

Statuses: ``open`` → ``matched`` → ``closed``; ``matched`` or ``closed`` → ``open`` reopens. Each change is
one audited write that appends to ``demand_status`` with its reason.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from tlr.campaign.imports import Column, ImportResult, validate_rows, write_rows
from tlr.campaign.store import default_actor, now
from tlr.campaign.tables import open_table
from tlr.campaign.vocab import norm_token
from tlr.errors import CampaignError, Location
from tlr.safetext import text_problem

from .schema import PERSONAL
from .store import Library

DEMAND_COLUMNS: list[Column] = [
    Column("id", ("id", "demand_id", "code", "需求编号", "编号"), kind="id", zh="需求编号"),
    Column("name", ("name", "demand", "demand_name", "title", "需求名称", "需求", "名称"), True, zh="需求名称"),
    Column("enterprise", ("enterprise", "company", "enterprise_name", "企业名称", "企业", "单位名称"), True,
           zh="企业名称"),
    Column("industry", ("industry", "sector", "所属行业", "行业", "产业领域"), True, kind="industry", zh="所属行业"),
    Column("region", ("region", "所在地区", "地区", "所属地区", "所在地"), zh="所在地区"),
    Column("description", ("description", "需求描述", "描述", "需求内容"), True, kind="multiline", zh="需求描述"),
    Column("indicators", ("indicators", "specifications", "expected_indicators", "期望技术指标", "技术指标"),
           kind="multiline", zh="期望技术指标"),
    Column("cooperation", ("cooperation", "cooperation_modes", "期望合作方式", "合作方式"), kind="list",
           zh="期望合作方式"),
    Column("budget", ("budget", "funds", "可投入资金", "投入资金", "拟投入资金"), kind="number", zh="可投入资金（万元）"),
    Column("min_trl", ("min_trl", "expected_trl", "trl", "期望成熟度", "期望技术成熟度", "成熟度要求"), kind="trl",
           zh="期望成熟度"),
    Column("keywords", ("keywords", "关键词"), kind="list", zh="关键词"),
    Column("contact", ("contact", "contact_person", "联系人"), zh="联系人"),
    Column("phone", ("phone", "telephone", "tel", "联系电话", "电话"), zh="联系电话"),
]

STATUSES = ("open", "matched", "closed")
STATUS_LABELS = {"open": ("待对接", "open"), "matched": ("已对接", "matched"), "closed": ("已关闭", "closed")}
# allowed changes: (from, to)
TRANSITIONS = {("open", "matched"), ("open", "closed"), ("matched", "closed"), ("matched", "open"),
               ("closed", "open")}


def derived_id(rec: dict[str, Any]) -> str:
    """``D-`` and 12 hex digits of SHA-256 over the normalised enterprise and demand name (NFKC, case-folded,
    white space removed, joined by U+001F): the same survey row always gets the same id."""
    key = norm_token(rec["enterprise"]) + "\x1f" + norm_token(rec["name"])
    return "D-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def read_demand_rows(path: str | Path, encoding: str | None = None, *, existing: set[str] = frozenset()):
    """Pass 1 over a demand file: ``(table, plan)`` (see :func:`tlr.campaign.imports.validate_rows`)."""
    table = open_table(path, sheet="需求", encoding=encoding)
    plan = validate_rows(table, DEMAND_COLUMNS, set(existing), "需求", "demand", derive_id=derived_id,
                         store=("成果库", "library"))
    return table, plan


def import_demands(lib: Library | None, path: str | Path, *, actor: str | None = None, dry_run: bool = False,
                   encoding: str | None = None) -> ImportResult:
    """Validate and import a demand list (all-or-nothing); each new demand is ``open``. ``lib`` may be None
    for a dry run (no library yet: only the file is checked)."""
    if lib is None and not dry_run:
        raise ValueError("a library is needed unless dry_run")
    table, plan = read_demand_rows(path, encoding, existing=lib.ids("demands") if lib is not None else set())
    stamp = now()

    def prepare(rec: dict[str, Any]) -> None:
        rec["status"] = "open"
        rec["imported_at"] = stamp

    return write_rows(lib, table, "demands", DEMAND_COLUMNS, plan, actor, dry_run, table_name="demands",
                      prepare=prepare, derive_id=derived_id)


def demand(lib: Library, demand_id: str) -> dict[str, Any]:
    rows = lib.rows("demands", "id = ?", (demand_id,))
    if not rows:
        raise CampaignError(f"成果库中没有编号为 {demand_id} 的需求 / no demand with id {demand_id} in the library",
                            location=Location(file=str(lib.path)), code="unknown_demand",
                            hint="`tlr demands list` 查看需求 / lists the demands")
    return rows[0]


def history(lib: Library, demand_id: str) -> list[dict[str, Any]]:
    return lib.rows("demand_status", "demand_id = ?", (demand_id,), order="id")


def set_status(lib: Library, demand_id: str, status: str, reason: str, *, actor: str | None = None) -> dict:
    """Change a demand's status (one audited write: the demand and a history row); returns the history row."""
    if status not in STATUSES:
        raise CampaignError(f"未知状态 / unknown status {status!r}", hint=f"可选 / one of: {', '.join(STATUSES)}",
                            code="usage")
    reason = (reason or "").strip()
    problem = text_problem(reason) if reason else "原因不能为空 / the reason is empty"
    if problem:
        raise CampaignError(f"状态变更须写明原因 / a status change needs a reason: {problem}",
                            hint="用 --reason \"……\" 写明 / give --reason \"...\"", code="usage")
    actor = actor or default_actor()
    with lib.write("demand.status", actor=actor, info={"demand": demand_id, "status": status}) as tx:
        row = demand(lib, demand_id)
        previous = row["status"]
        if (previous, status) not in TRANSITIONS:
            raise CampaignError(f"需求 {demand_id} 已是“{STATUS_LABELS[previous][0]}”，不能改为“{STATUS_LABELS[status][0]}” / "
                                f"demand {demand_id} is {previous}: cannot become {status}",
                                hint="允许 / allowed: open→matched, open→closed, matched→closed, matched→open, "
                                     "closed→open", code="bad_transition")
        entry = {"id": lib.next_id("demand_status"), "demand_id": demand_id, "status": status, "previous": previous,
                 "reason": reason, "actor": actor, "changed_at": now()}
        tx.put("demands", [{**row, "status": status}])
        tx.put("demand_status", [entry])
    return {**entry, "audit_seq": tx.seq}


def list_demands(lib: Library, *, status: str | None = None, industry: str | None = None,
                 region: str | None = None, personal: bool = False) -> list[dict[str, Any]]:
    """Demands in import order, filtered; the personal columns (联系人/联系电话) only with ``personal``."""
    rows = lib.rows("demands", order="seq")
    if status:
        rows = [r for r in rows if r["status"] == status]
    if industry:
        rows = [r for r in rows if r["industry"] == industry]
    if region:
        want = norm_token(region)
        rows = [r for r in rows if want and want in norm_token(r["region"])]
    return [public(r, personal) for r in rows]


def public(row: dict[str, Any], personal: bool = False) -> dict[str, Any]:
    """A demand row without its personal data (unless ``personal``)."""
    return dict(row) if personal else {k: v for k, v in row.items() if k not in PERSONAL}
