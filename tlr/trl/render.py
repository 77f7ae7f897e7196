"""Human-readable text for assessment results (the CLI prints this; ``--json`` prints ``to_dict``)."""

from __future__ import annotations

from tlr.rubric.model import EVIDENCE_KINDS
from tlr.text import tr
from tlr.trl.assess import AssessmentResult, CTEResult
from tlr.trl.determine import Determination
from tlr.trl.ladders import Ladder
from tlr.trl.rollup import ROLLUP_RULES

__all__ = ["t", "level_name", "render_determination", "render_result", "render_ladder", "evidence_names"]

MARK = {"green": "■", "yellow": "◧", "red": "□"}
STATE = {"green": ("达到", "green"), "yellow": ("部分", "yellow"), "red": ("未达到", "red")}
EV_STATUS = {"ok": ("哈希一致", "hash ok"), "url": ("网址", "URL"), "missing": ("文件缺失!", "FILE MISSING!"),
             "changed": ("文件已改动!", "FILE CHANGED!"), "unhashed": ("未计算哈希", "no hash")}


def t(zh: str, en: str, lang: str = "zh") -> str:
    return zh if lang == "zh" else en


def level_name(level: int | None, prefix: str = "TRL", lang: str = "zh") -> str:
    if level is None:
        return t(f"未达到 {prefix} 1", f"below {prefix} 1", lang)
    return f"{prefix} {level}"


def evidence_names(kinds, lang: str = "zh") -> str:
    return "、".join(EVIDENCE_KINDS[k][0] for k in kinds) if lang == "zh" else \
        ", ".join(EVIDENCE_KINDS[k][1] for k in kinds)


def _prefix(ladder: Ladder) -> str:
    name = ladder.scale_name.upper()
    return name if name in ("TRL", "MRL", "CRI", "IRL") else "L"


def render_determination(det: Determination, ladder: Ladder, lang: str = "zh", *, indent: str = "  ") -> list[str]:
    p = _prefix(ladder)
    lines = []
    for r in det.levels:
        share = "  n/a" if r.share is None else f"{r.share * 100:4.0f}%"
        basis = {"assertion": t(" (断言)", " (asserted)", lang), "none": t(" (无适用问题)", " (no applicable question)", lang)}.get(r.basis, "")
        counted = t("  ← 不计入（下级未达到）", "  <- not counted (a lower level is not green)", lang) \
            if r.level in det.not_counted else ""
        lines.append(f"{indent}{MARK[r.state]} {p} {r.level:<2} {share}  {tr(r.label, lang)}{basis}{counted}")
    lines.append(f"{indent}{t('达到等级', 'Achieved', lang)}: {level_name(det.achieved, p, lang)}"
                 f"  ({t('累积规则，绿色阈值', 'cumulative rule, green threshold', lang)} {det.green * 100:.0f}%)")
    nxt = det.next
    if nxt is None:
        lines.append(f"{indent}{t('已达最高等级。', 'Top of the ladder reached.', lang)}")
        return lines
    state = STATE[nxt.state][0 if lang == "zh" else 1]
    share = "n/a" if nxt.share is None else f"{nxt.share * 100:.0f}%"
    lines.append(f"{indent}{t('下一等级', 'Next level', lang)} {p} {nxt.level} ({state}, {share}) "
                 f"{t('还缺', 'still needs', lang)}:")
    if not nxt.missing:
        if nxt.basis == "none":
            lines.append(f"{indent}  - {t('该等级没有适用的核查问题：需在评估文件中写明断言和理由（assertions）', 'no applicable question: assert the level with a justification (assertions:)', lang)}")
    for m in nxt.missing:
        answer = t("未回答", "unanswered", lang) if m.answer is None else \
            (f"{m.answer:.0f}%" if isinstance(m.answer, float) else m.answer)
        lines.append(f"{indent}  - {m.question} [{answer}] {tr(m.text, lang)}")
        if m.evidence:
            lines.append(f"{indent}      {t('所需证据', 'evidence needed', lang)}: {evidence_names(m.evidence, lang)}")
    return lines


def _cte_block(r: CTEResult, lang: str) -> list[str]:
    p = _prefix(r.ladder)
    head = f"{r.id} — {r.name}" + ("" if r.critical else t("（非关键）", " (not critical)", lang))
    lines = [head, f"  {t('阶梯', 'Ladder', lang)}: {r.ladder.id}"]
    marks = []
    for name, zh, value in (("baseline", "基线", r.baseline), ("current", "当前", r.level), ("target", "目标", r.target)):
        if value is not None or name == "current":
            marks.append(f"{t(zh, name, lang)} {level_name(value, p, lang)}")
    lines.append("  " + " | ".join(marks))
    if r.claimed is not None and r.claimed != r.level:
        lines.append("  " + t(f"! 申报等级 {p} {r.claimed} 与核查结果 {level_name(r.level, p, lang)} 不一致",
                              f"! claimed {p} {r.claimed} differs from the checklist result {level_name(r.level, p, lang)}", lang))
    lines += render_determination(r.determination, r.ladder, lang)
    if r.consensus is not None:
        c = r.consensus
        lines.append(f"  {t('专家组判断', 'Panel judgements', lang)} (n={c.n}, {c.rule}): {p} {c.level}; "
                     f"{t('范围', 'range', lang)} {c.min}-{c.max}, IQR {c.iqr} ({c.q1}-{c.q3})")
    if r.evidence:
        lines.append(f"  {t('证据', 'Evidence', lang)}:")
        for e in r.evidence:
            lines.append(f"    {e.item or '-'}: {e.target}  [{EV_STATUS[e.status][0 if lang == 'zh' else 1]}]")
    return lines


def render_result(result: AssessmentResult, lang: str = "zh") -> str:
    lines = []
    if result.project:
        lines += [f"{t('项目', 'Project', lang)}: {result.project}", ""]
    if result.ladder_changed:
        lines += [t("! 阶梯文件自上次评估后已改动：结果按当前阶梯重新计算，请复核。",
                    "! The ladder file changed since this assessment was saved: results use the current ladder; "
                    "review them.", lang), ""]
    for r in result.ctes:
        lines += _cte_block(r, lang) + [""]
    p = _prefix(result.ctes[0].ladder) if result.ctes else "TRL"
    roll = result.rollup
    rule = ROLLUP_RULES[roll.rule][0 if lang == "zh" else 1]
    lines.append(f"{t('项目就绪度', 'Project readiness', lang)}: {level_name(roll.level, p, lang)}  "
                 f"[{t('规则', 'rule', lang)}: {roll.rule} — {rule}]")
    if roll.limiting:
        lines.append(f"  {t('最不成熟的元素', 'Lowest-maturity element(s)', lang)}: {', '.join(roll.limiting)}")
    lines.append("  " + t("TRL 是序数，从不求平均。", "TRLs are ordinal and never averaged.", lang))
    if result.srl is not None:
        s = result.srl
        phase = s.phase[0 if lang == "zh" else 1] if s.phase else "-"
        lines.append(f"{t('系统就绪度指数', 'System readiness index', lang)} SRL (Sauser 2006): {s.composite:.3f} "
                     f"({phase}); " + ", ".join(f"{c} {v:.3f}" for c, v in zip(s.components, s.srl_i)))
    elif result.srl_note:
        lines.append(f"SRL: {result.srl_note}")
    return "\n".join(lines)


def render_ladder(ladder: Ladder, lang: str = "zh") -> str:
    p = _prefix(ladder)
    lines = [f"{ladder.id}: {ladder.title}", ""]
    lib = ladder.library
    if lib is not None:
        marks = {s.id: s.confidence for s in lib.sources}
        lines.append(t("来源（置信度）", "Sources (confidence)", lang) + ": " +
                     "; ".join(f"{s.ref or s.id} [{marks[s.id]}]" for s in lib.sources))
        lines.append("")
    for level in ladder.levels:
        lines.append(f"{p} {level.level}  {tr(level.label, lang)}")
        if level.descriptor:
            lines.append(f"    {tr(level.descriptor, lang)}")
        for item in level.checklist:
            kinds = evidence_names(item.evidence, lang)
            lines.append(f"    [{item.tag[0].upper()}] {item.id}: {tr(item.text, lang)}" + (f"  ({kinds})" if kinds else ""))
    return "\n".join(lines)
