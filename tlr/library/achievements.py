"""Achievements across rounds: stable identity, one evaluation row per round, identity links.

Identity rules (docs/library.md):

1. The same id as an achievement in the library (or one of its ``aliases``) is that achievement.
2. Otherwise a new achievement is created under the row's id; when an achievement with the same name and
   applicant (each normalised with :func:`tlr.campaign.vocab.norm_token`: NFKC, case-folded, no white
   space) is already in the library, a link new → old is *proposed*. Nothing is merged until a person
   confirms it (``tlr library link NEW --to OLD``, or ``add-round --accept-links`` for all of one round's
   links at once); a rejected link is never proposed again.
3. Confirming merges: the new id's round rows move to the old achievement, the new id becomes one of its
   aliases (so a later round under that id lands there too). Two rows of one round cannot be one
   achievement: such a link is refused.

Every change is one audited write of the library (:class:`tlr.library.store.Library`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tlr.campaign.imports import PROJECT_COLUMNS, Column, read_records, validate_rows
from tlr.campaign.store import Transaction, default_actor, now
from tlr.campaign.tables import open_table
from tlr.campaign.vocab import norm_token
from tlr.errors import CampaignError, Location

from .store import Library

_ID = PROJECT_COLUMNS[0]
ACHIEVEMENT_COLUMNS: list[Column] = [
    Column("id", _ID.synonyms + ("成果编号", "achievement_id"), True, kind="id", zh="成果编号"),
    *PROJECT_COLUMNS[1:],
    Column("trl", ("trl", "readiness", "技术成熟度", "成熟度", "技术就绪度", "技术就绪水平"), kind="trl", zh="技术成熟度"),
    Column("ask", ("ask", "requested_funding", "ticket", "investment_need", "投资需求", "申请经费", "融资需求"),
           kind="number", zh="投资需求（万元）"),
]

ROUND_COLUMNS = ("project_id", "name", "applicant", "industry", "region", "keywords", "summary", "tier", "composite",
                 "readiness", "readiness_source", "route", "ask", "rank", "knocked_out", "dimensions")


def read_achievement_file(path: str | Path, encoding: str | None = None) -> tuple[list[dict[str, Any]], str]:
    """(every row, the file's SHA-256) of an achievement file (成果库: the project columns plus 技术成熟度,
    投资需求), all-or-nothing with located errors."""
    table = open_table(path, sheet="成果", encoding=encoding)
    plan = validate_rows(table, ACHIEVEMENT_COLUMNS, set(), "成果", "achievement", store=("成果库", "library"))
    return read_records(table, ACHIEVEMENT_COLUMNS, plan), plan.sha256


def identity_key(name: str, applicant: str) -> tuple[str, str]:
    return norm_token(name), norm_token(applicant)


def _unknown(lib: Library, aid: str) -> CampaignError:
    return CampaignError(f"成果库中没有编号为 {aid} 的成果 / no achievement with id {aid} in the library",
                         location=Location(file=str(lib.path)), code="unknown_achievement",
                         hint="`tlr library list` 查看成果 / lists the achievements")


def resolve(lib: Library, aid: str) -> str:
    """The achievement an id (or alias) stands for; unknown ids are refused."""
    if lib.rows("achievements", "id = ?", (aid,)):
        return aid
    for row in lib.rows("achievements"):
        if aid in row["aliases"]:
            return row["id"]
    raise _unknown(lib, aid)


def add_round(lib: Library, round_row: dict[str, Any], entries: list[dict[str, Any]], *,
              accept_links: bool = False, actor: str | None = None) -> dict[str, Any]:
    """Record one round (``round_row``: name, year, kind, source, source_id, head, entries, verified, rules) and
    one row per achievement in it; returns what happened (same id, new, proposed and confirmed links)."""
    name = round_row["name"]
    actor = actor or default_actor()
    out: dict[str, Any] = {"round": name, "achievements": len(entries), "same_id": [], "new": [], "proposed": [],
                           "confirmed": []}
    with lib.write("library.add_round", actor=actor, info={"round": name, "kind": round_row["kind"],
                                                           "source_id": round_row["source_id"],
                                                           "head": round_row["head"]}) as tx:
        if lib.rows("rounds", "name = ?", (name,)):
            raise CampaignError(f"成果库中已有名为“{name}”的轮次 / the library already holds a round named '{name}'",
                                location=Location(file=str(lib.path)), code="duplicate_round",
                                hint="用 --round NAME 另起名称 / give another --round NAME")
        same = lib.rows("rounds", "source_id = ? AND kind = ?", (round_row["source_id"], round_row["kind"]))
        if same:
            zh, en = ("评价批次", "campaign") if round_row["kind"] == "evaluation" else ("文件", "file")
            raise CampaignError(f"这个{zh}已作为轮次“{same[0]['name']}”加入成果库 / this {en} is already in the library "
                                f"as round '{same[0]['name']}'", location=Location(file=str(round_row["source"])),
                                code="duplicate_round")
        tx.put("rounds", [{**round_row, "added_at": now()}])
        achievements = lib.rows("achievements")
        owner = {a["id"]: a["id"] for a in achievements}
        owner.update({alias: a["id"] for a in achievements for alias in a["aliases"]})
        by_key = {identity_key(a["name"], a["applicant"]): a["id"] for a in achievements}
        rejected = {(r["new_id"], r["old_id"]) for r in lib.rows("links", "status = 'rejected'")}
        seq = lib.next_seq("achievements")
        stamp = now()
        rows, created = [], []
        for e in entries:
            pid = e["project_id"]
            target = owner.get(pid)
            if target is None:
                target = pid
                created.append({"id": pid, "seq": seq, "name": e["name"], "applicant": e["applicant"], "aliases": [],
                                "created_at": stamp})
                seq += 1
                owner[pid] = pid
                old = by_key.get(identity_key(e["name"], e["applicant"]))
                if old is not None and old != pid and (pid, old) not in rejected:
                    out["proposed"].append({"new": pid, "old": old})
                by_key.setdefault(identity_key(e["name"], e["applicant"]), pid)
                out["new"].append(pid)
            else:
                out["same_id"].append(pid)
            rows.append({"achievement_id": target, "round": name, **{c: e.get(c) for c in ROUND_COLUMNS}})
        tx.put("achievements", created)
        tx.put("achievement_rounds", [_row(r) for r in rows])
        tx.put("links", [{"new_id": x["new"], "old_id": x["old"], "round": name, "basis": "name_applicant",
                          "status": "proposed", "proposed_at": stamp, "decided_by": "", "decided_at": ""}
                         for x in out["proposed"]])
        if accept_links and out["proposed"]:
            tx.split()   # the merges remove rows put above: a later part of the same write, so the replay agrees
            for x in out["proposed"]:
                _confirm(lib, tx, x["new"], x["old"], actor)
                out["confirmed"].append(x)
    return out


def _row(r: dict[str, Any]) -> dict[str, Any]:
    return {**r, "keywords": list(r.get("keywords") or []), "knocked_out": int(bool(r.get("knocked_out"))),
            "readiness_source": r.get("readiness_source") or "none", "region": r.get("region") or "",
            "summary": r.get("summary") or "", "dimensions": dict(r.get("dimensions") or {})}


def links(lib: Library, status: str | None = "proposed") -> list[dict[str, Any]]:
    rows = lib.rows("links", order="proposed_at, new_id")
    return [r for r in rows if status is None or r["status"] == status]


def _link(lib: Library, new: str, old: str) -> dict[str, Any]:
    found = lib.rows("links", "new_id = ? AND old_id = ?", (new, old))
    if not found:
        raise CampaignError(f"没有 {new} → {old} 的待确认关联 / no link {new} → {old} was proposed",
                            location=Location(file=str(lib.path)), code="unknown_link",
                            hint="`tlr library links` 列出待确认的关联 / lists the proposed links")
    return found[0]


def decide_link(lib: Library, new: str, old: str, *, accept: bool, actor: str | None = None) -> dict[str, Any]:
    """Confirm (merge ``new`` into ``old``) or reject one proposed link, in one audited write."""
    actor = actor or default_actor()
    with lib.write("library.link", actor=actor, info={"new": new, "old": old,
                                                      "decision": "confirmed" if accept else "rejected"}) as tx:
        link = _link(lib, new, old)
        if link["status"] != "proposed":
            raise CampaignError(f"关联 {new} → {old} 已{'确认' if link['status'] == 'confirmed' else '拒绝'} / the link "
                                f"{new} → {old} is already {link['status']}", code="decided_link",
                                location=Location(file=str(lib.path)))
        if accept:
            _confirm(lib, tx, new, old, actor)
        else:
            tx.put("links", [{**link, "status": "rejected", "decided_by": actor, "decided_at": now()}])
    return {**link, "status": "confirmed" if accept else "rejected", "decided_by": actor}


def _confirm(lib: Library, tx: Transaction, new: str, old: str, actor: str) -> None:
    """Merge ``new`` into ``old`` inside ``tx``: its round rows move, its id becomes an alias."""
    old_row = lib.rows("achievements", "id = ?", (old,))
    new_row = lib.rows("achievements", "id = ?", (new,))
    if not old_row or not new_row:
        raise _unknown(lib, old if not old_row else new)
    moving = lib.rows("achievement_rounds", "achievement_id = ?", (new,))
    held = {r["round"] for r in lib.rows("achievement_rounds", "achievement_id = ?", (old,))}
    both = sorted(held & {r["round"] for r in moving})
    if both:
        raise CampaignError(f"{new} 与 {old} 同在轮次 {', '.join(both)} 中，不能是同一成果 / {new} and {old} are both in "
                            f"round {', '.join(both)}: they cannot be one achievement", code="link_conflict",
                            location=Location(file=str(lib.path)), hint="用 --reject 拒绝该关联 / reject it with --reject")
    tx.delete("achievement_rounds", [(new, r["round"]) for r in moving])
    tx.put("achievement_rounds", [{**r, "achievement_id": old} for r in moving])
    tx.delete("achievements", [(new,)])
    o = old_row[0]
    tx.put("achievements", [{**o, "aliases": o["aliases"] + [new] + new_row[0]["aliases"]}])
    link = _link(lib, new, old)
    tx.put("links", [{**link, "status": "confirmed", "decided_by": actor, "decided_at": now()}])


# --------------------------------------------------------------------------- reading


def rounds(lib: Library) -> dict[str, dict[str, Any]]:
    """Every round by name, oldest first (by year, then when it was added)."""
    rows = lib.rows("rounds")
    rows.sort(key=lambda r: (r["year"] if r["year"] is not None else 0, r["added_at"]))
    return {r["name"]: r for r in rows}


def timeline(lib: Library, aid: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the achievement, its round rows oldest first, each with the round's year and kind)."""
    aid = resolve(lib, aid)
    ach = lib.rows("achievements", "id = ?", (aid,))[0]
    order = rounds(lib)
    rows = lib.rows("achievement_rounds", "achievement_id = ?", (aid,))
    rows.sort(key=lambda r: list(order).index(r["round"]))
    return ach, [{**r, "year": order[r["round"]]["year"], "kind": order[r["round"]]["kind"]} for r in rows]


def latest_rows(lib: Library) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(achievement, its latest round row) for every achievement, in the order they entered the library."""
    order = list(rounds(lib))
    latest: dict[str, dict[str, Any]] = {}
    for r in lib.rows("achievement_rounds"):
        have = latest.get(r["achievement_id"])
        if have is None or order.index(r["round"]) > order.index(have["round"]):
            latest[r["achievement_id"]] = r
    return [(a, latest[a["id"]]) for a in lib.rows("achievements", order="seq") if a["id"] in latest]
