"""Follow-up (投后跟踪) at the I/O edge: which store, one achievement's outcomes, the back-test of a round.

The store is the achievement library (``--library``) or, when no library exists yet, a campaign ledger (``-C``):
:class:`tlr.library.followup.Target`. The back-test compares the round's scores (from the library's round rows,
or the campaign's own evaluation) with the outcomes recorded since, using the pure :mod:`tlr.outcomes`; the
stage probabilities are updated from the valuation's stage defaults (:func:`load_stages`).

Window and sample (docs/library.md, "Follow-up"): the round is ``--round`` or, by default, the latest evaluated
round held before the first recorded event (a ranking must precede what it is tested against); events count
from ``since`` (default 1 January of the year after the round's year: the funding year) to ``as_of`` (default
today, or the latest recorded event when that is later — a store never holds an event after the as-of date it
was imported with). An achievement of the round is *followed* when it has at least one event in the window;
only followed achievements enter the back-test, and among them a measure with no event of its kind is 0 (no
follow-on money recorded), never guessed for the others.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from tlr.errors import CampaignError, Diagnostic, Location, ValidationError

STAGE_FILE = Path(__file__).resolve().parents[1] / "valuation" / "data" / "stage_defaults.yaml"
MEASURES = {"trl_gain": ("TRL 提升", "TRL gain"), "investment": ("后续投资（万元）", "follow-on investment (万元)"),
            "contract": ("合同（万元）", "contracts (万元)"), "revenue": ("收入（万元）", "revenue (万元)")}
CONFIDENCES = ("low", "medium", "high")


@contextmanager
def open_target(library: str | None, campaign: str | None) -> Iterator[Any]:
    """The store ``--library`` or ``-C`` names (exactly one of them), closed afterwards."""
    from tlr.library.followup import Target

    if bool(library) == bool(campaign):
        raise CampaignError("请给出 --library PATH 或 -C CAMPAIGN 之一 / give either --library PATH or -C CAMPAIGN",
                            code="usage", hint="有成果库时用成果库；尚无成果库时用评价批次 / the library when there is one, "
                                               "else the campaign")
    if library:
        from tlr.library.store import open_library

        store = open_library(library)
        target = Target.library(store)
    else:
        from tlr.campaign import open_campaign

        store = open_campaign(campaign)
        target = Target.campaign(store)
    try:
        yield target
    finally:
        store.close()


# --------------------------------------------------------------------------- one achievement


def _round_rows(target) -> dict[str, list[dict[str, Any]]]:
    """achievement id -> its round rows oldest first (library), or the campaign's one evaluation row."""
    if target.kind_en == "library":
        from tlr.library.achievements import rounds

        order = rounds(target.store)
        out: dict[str, list[dict[str, Any]]] = {}
        for r in target.store.rows("achievement_rounds"):
            out.setdefault(r["achievement_id"], []).append({**r, "year": order[r["round"]]["year"]})
        for rows in out.values():
            rows.sort(key=lambda r: list(order).index(r["round"]))
        return out
    return {}


def show(target, achievement_id: str, *, as_of: str | None = None) -> dict[str, Any]:
    """One achievement's dated timeline, TRL path (from the level its latest round before the events recorded)
    and totals of follow-on money, contracts and revenue."""
    from tlr.library.followup import events, unknown
    from tlr.outcomes.timeline import in_window, summary

    aid = target.known.get(achievement_id)
    if aid is None:
        raise unknown(target, achievement_id)
    evs = events(target.store, aid)
    as_of = as_of or max([date.today().isoformat()] + [e["date"] for e in evs])
    evs = in_window(evs, None, as_of)
    name = applicant = ""
    baseline = baseline_round = None
    if target.kind_en == "library":
        ach = target.store.rows("achievements", "id = ?", (aid,))[0]
        name, applicant = ach["name"], ach["applicant"]
        rows = _round_rows(target).get(aid, [])
        first = evs[0]["date"][:4] if evs else None
        before = [r for r in rows if r["year"] is None or first is None or str(r["year"]) < first] or rows[:1]
        if before:
            baseline, baseline_round = before[-1]["readiness"], before[-1]["round"]
    else:
        p = next(p for p in target.store.projects() if p["id"] == aid)
        name, applicant = p["name"], p["applicant"]
        baseline, baseline_round = _campaign_readiness(target.store).get(aid), target.store.meta.get("name")
    return {"achievement": aid, "asked": achievement_id, "name": name, "applicant": applicant, "as_of": as_of,
            "baseline_round": baseline_round, **summary(baseline, evs), "timeline": evs}


def followups_for(lib, project_ids, *, as_of: str | None = None) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Each project id the library knows (an achievement id or an alias) and that has follow-up events -> its
    :func:`show`; and the basis (the library file and its audit head) the packs state."""
    from tlr.library.followup import Target

    target = Target.library(lib)
    out: dict[str, dict[str, Any]] = {}
    for pid in project_ids:
        aid = target.known.get(pid)
        if aid is not None and lib.rows("followup_events", "achievement_id = ?", (aid,)):
            out[pid] = show(target, pid, as_of=as_of)
    head = lib.audit_head()
    return out, {"file": Path(lib.path).name, "audit_head": head[1] if head else ""}


def _campaign_readiness(ledger) -> dict[str, int | None]:
    return {e["project_id"]: e["readiness"] for e in _campaign_entries(ledger)}


_ENTRIES: dict[str, list[dict[str, Any]]] = {}


def _campaign_entries(ledger) -> list[dict[str, Any]]:
    """The campaign's evaluation as the library would record it (verified first), once per process and head."""
    from tlr.app.library_round import campaign_round

    head = ledger.audit_head()
    key = f"{ledger.path}:{head[1] if head else ''}"
    if key not in _ENTRIES:
        round_row, entries, _status = campaign_round(ledger)
        _ENTRIES.clear()
        _ENTRIES[key] = [{**e, "round": round_row["name"], "year": round_row["year"], "achievement_id": e["project_id"],
                          "_rules": round_row["rules"]} for e in entries]
    return _ENTRIES[key]


# --------------------------------------------------------------------------- stage defaults


def load_stages(path: str | Path | None = None) -> tuple[list[dict[str, Any]] | None, dict[str, Any]]:
    """(the stage table, where it came from) — ``path`` or the valuation's shipped defaults; (None, why) when
    there is none yet. A malformed table is refused with located errors."""
    from tlr.yamlio import parse_file

    file = Path(path) if path is not None else STAGE_FILE
    if path is None and not file.is_file():
        return None, {"path": None, "note": "估值模块的阶段默认值尚不可用 / the valuation's stage defaults are not "
                                            "available (tlr/valuation/data/stage_defaults.yaml)"}
    parsed = parse_file(file)
    diags = list(parsed.diagnostics) if parsed.problems else []
    data, pos = parsed.data, parsed.positions

    def bad(where: tuple, text: str) -> None:
        diags.append(Diagnostic("error", text, pos.locate(where), code="bad_stages",
                                hint="格式见 docs/library.md / the shape is in docs/library.md"))

    stages = data.get("stages") if isinstance(data, dict) else None
    if not isinstance(stages, list) or not stages:
        bad(("stages",), "缺少阶段列表 stages / no 'stages' list")
        stages = []
    out = []
    for k, s in enumerate(stages):
        where = ("stages", k)
        if not isinstance(s, dict):
            bad(where, "阶段应为映射 / a stage must be a mapping")
            continue
        ok = True
        for key in ("id", "from_trl", "to_trl", "p_success"):
            if key not in s:
                bad(where, f"阶段缺少 {key} / the stage has no '{key}'")
                ok = False
        if not ok:
            continue
        a, b, p = s["from_trl"], s["to_trl"], s["p_success"]
        if not (isinstance(a, int) and isinstance(b, int) and 1 <= a < b <= 9):
            bad(where + ("to_trl",), f"from_trl/to_trl 应为 1–9 且递增 / from_trl < to_trl within 1-9 (got {a}, {b})")
            ok = False
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p < 1:
            bad(where + ("p_success",), f"p_success 应在 (0, 1) 内 / p_success must lie in (0, 1) (got {p!r})")
            ok = False
        years = s.get("years")
        if years is not None and not (isinstance(years, list) and len(years) == 3
                                      and all(isinstance(y, (int, float)) and not isinstance(y, bool) and y >= 0
                                              for y in years) and years[0] <= years[1] <= years[2]):
            bad(where + ("years",), "years 应为 [低, 最可能, 高]（年，递增）/ years must be [low, mode, high] (years, "
                                    "non-decreasing)")
            ok = False
        if s.get("confidence") is not None and s["confidence"] not in CONFIDENCES:
            bad(where + ("confidence",), f"confidence 应为 low、medium 或 high / confidence must be low, medium or high")
            ok = False
        if ok:
            out.append({**s, "id": str(s["id"])})
    if diags:
        raise ValidationError(diags)
    import hashlib

    return out, {"path": str(file), "sha256": hashlib.sha256(file.read_bytes()).hexdigest()}


# --------------------------------------------------------------------------- back-test


def _choose_round(target, round_name: str | None, evs: list[dict[str, Any]]) -> tuple[str, int | None, list]:
    """(round name, year, its rows) — ``round_name`` or the latest evaluated round before the first event."""
    if target.kind_en != "library":
        rows = _campaign_entries(target.store)
        name = rows[0]["round"] if rows else target.store.meta.get("name", "")
        if round_name and round_name != name:
            raise CampaignError(f"批次中只有一轮“{name}” / the campaign is one round, '{name}'", code="usage",
                                hint="不用 --round，或改用 --library / drop --round, or use --library")
        return name, rows[0]["year"] if rows else None, rows
    from tlr.library.achievements import rounds

    order = rounds(target.store)
    if round_name:
        if round_name not in order:
            raise CampaignError(f"成果库中没有轮次“{round_name}” / no round '{round_name}' in the library",
                                location=Location(file=str(target.store.path)), code="unknown_round",
                                hint=f"可选 / one of: {', '.join(order) or '—'}")
        chosen = order[round_name]
    else:
        evaluated = [r for r in order.values() if r["kind"] == "evaluation"] or list(order.values())
        if not evaluated:
            raise CampaignError("成果库中还没有轮次 / the library holds no round yet", code="no_round",
                                location=Location(file=str(target.store.path)),
                                hint="先用 `tlr library add-round` 加入评价批次 / add one with `tlr library add-round`")
        first = min((e["date"] for e in evs), default=None)
        before = [r for r in evaluated if r["year"] is not None and first is not None and str(r["year"]) < first[:4]]
        chosen = (before or evaluated)[-1 if before else 0]
    rows = target.store.rows("achievement_rounds", "round = ?", (chosen["name"],))
    return chosen["name"], chosen["year"], [{**r, "_rules": chosen["rules"]} for r in rows]


def run_backtest(target, *, round_name: str | None = None, since: str | None = None, as_of: str | None = None,
                 stages_path: str | None = None, draws: int = 4000, seed: int = 2027) -> dict[str, Any]:
    """The back-test of a round against the recorded outcomes (module doc), JSON-ready."""
    import numpy as np

    from tlr.library.followup import events
    from tlr.outcomes import backtest as bt
    from tlr.outcomes.stages import update_stages
    from tlr.outcomes.timeline import in_window, summary

    stages, stage_source = load_stages(stages_path)
    evs = events(target.store)
    name, year, rows = _choose_round(target, round_name, evs)
    since = since or (f"{year + 1}-01-01" if year is not None else None)
    as_of = as_of or max([date.today().isoformat()] + [e["date"] for e in evs])
    if since is not None and since > as_of:
        raise CampaignError(f"开始日 {since} 晚于截止日 {as_of} / the window starts ({since}) after it ends ({as_of})",
                            code="usage", hint="检查 --since 与 --as-of / check --since and --as-of")
    by_ach: dict[str, list[dict[str, Any]]] = {}
    for e in in_window(evs, since, as_of):
        by_ach.setdefault(e["achievement_id"], []).append(e)
    rules = rows[0]["_rules"] if rows else {}
    dims = [d["id"] for d in rules.get("dimensions") or []]
    if not dims:   # a round recorded before the library kept dimension labels: the ids its rows carry
        dims = sorted({d for r in rows for d in (r.get("dimensions") or {})})
    labels = {d["id"]: d["label"] for d in rules.get("dimensions") or []}
    followed = []
    for r in sorted(rows, key=lambda r: (r.get("rank") is None, r.get("rank") or 0, r["achievement_id"])):
        mine = by_ach.get(r["achievement_id"])
        if not mine:
            continue
        s = summary(r.get("readiness"), mine)
        followed.append({"id": r["achievement_id"], "name": r["name"], "tier": r.get("tier"), "rank": r.get("rank"),
                         "composite": r.get("composite"), "dimensions": r.get("dimensions") or {},
                         "ask": r.get("ask"), "baseline_trl": s["baseline_trl"], "trl_reached": s["trl_reached"],
                         "trl_gain": s["trl_gain"], **{k: s["totals"][k] for k in ("investment", "contract", "revenue")},
                         "events": s["events"], "counts": s["counts"], "trl_path": s["trl_path"]})

    def column(get) -> np.ndarray:
        return np.array([np.nan if get(a) is None else float(get(a)) for a in followed], float)

    scores = {"composite": column(lambda a: a["composite"])}
    for d in dims:
        scores[d] = column(lambda a, d=d: a["dimensions"].get(d))
    outcomes = {m: column(lambda a, m=m: a[m]) for m in MEASURES}
    correlations = bt.backtest(scores, outcomes, draws=draws, seed=seed)
    computed = [c for c in correlations if c["ci"] is not None]
    multiplicity = {"computed": len(computed), "excluding_zero": sum(c["ci"][0] > 0 or c["ci"][1] < 0 for c in computed),
                    "expected_by_chance": len(computed) * (1 - bt.LEVEL)}
    stage_rows = None
    if stages is not None:
        start = since or min((e["date"] for e in evs), default=as_of)
        stage_rows = update_stages(stages, [{"id": a["id"], "start": start, "baseline": a["baseline_trl"],
                                             "trl_events": [e for e in by_ach[a["id"]] if e["kind"] == "trl"]}
                                            for a in followed], as_of=as_of)
    return {
        "round": {"name": name, "year": year, "achievements": len(rows)}, "store": target.kind_en,
        "window": {"since": since, "as_of": as_of}, "followed": len(followed),
        "not_followed": len(rows) - len(followed),
        "rule": {"min_n": bt.MIN_N, "small_n": bt.SMALL_N,
                 "text": {"zh": f"样本少于 {bt.MIN_N} 不计算相关（只有近乎完全一致才能与偶然区分）；少于 {bt.SMALL_N} 时仅作方向参考",
                          "en": f"fewer than {bt.MIN_N} pairs: not computed (only near-perfect agreement could be told "
                                f"from chance); fewer than {bt.SMALL_N}: a direction only, the interval is wide"}},
        "scores": [{"id": "composite", "label": {"zh": "综合得分", "en": "composite"}}]
                  + [{"id": d, "label": labels.get(d) or {"zh": d, "en": d}} for d in dims],
        "measures": [{"id": m, "label": {"zh": zh, "en": en}} for m, (zh, en) in MEASURES.items()],
        "correlations": correlations, "multiplicity": multiplicity, "achievements": followed,
        "stages": stage_rows, "stage_source": stage_source,
        "method": {"correlation": "spearman", "interval": "percentile bootstrap of pairs", "draws": draws,
                   "seed": seed, "level": bt.LEVEL,
                   "prior": "Beta(mean p_success, pseudo-count low 4 / medium 10 / high 30)",
                   "censoring": "mixture likelihood 1 − p·F(c), F triangular on the stage's years"},
    }
