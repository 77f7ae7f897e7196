"""The ``tlr rubric diff --html`` page: structural changes, weight changes (with a chart) and, for a
campaign, the rank and tier movement — one self-contained, auto-escaped HTML page in the report's style."""

from __future__ import annotations

from typing import Any

from tlr.text import tr

TEMPLATE = "rubric_diff.html.j2"

STRINGS = {
    "zh": {"title": "评价体系版本比较", "structure": "结构变化", "weights": "权重变化", "impact": "对本轮评审的影响",
           "no_changes": "两个版本没有差别", "section": "部分", "id": "编号", "change": "变化", "field": "字段",
           "before": "之前", "after": "之后", "label": "名称", "kind": "类型", "local": "局部权重",
           "global": "全局权重", "chart": "打分指标的全局权重（之前 / 之后）", "project": "项目",
           "score": "综合分", "rank": "名次", "tier": "档次", "moves": "档次流向", "count": "项目数",
           "tau": "Kendall τ-b", "top": "前 k 名重合", "fundable": "可资助档次重合", "baseline": "基准排名",
           "frozen_ok": "OLD 即批次冻结的评价体系", "frozen_diff": "OLD 与批次冻结的评价体系不同；“之前”为批次冻结版本下的排名",
           "missing": "无评分的指标（按缺失处理：综合分在已有指标上重新归一，项目标为不完整）",
           "unused": "NEW 中已无的指标（其评分不再使用）", "dropped": "未沿用的评分"},
    "en": {"title": "Rubric versions compared", "structure": "Structural changes", "weights": "Weight changes",
           "impact": "Impact on this round", "no_changes": "The two versions do not differ", "section": "Section",
           "id": "Id", "change": "Change", "field": "Field", "before": "Before", "after": "After",
           "label": "Label", "kind": "Kind", "local": "Local weight", "global": "Global weight",
           "chart": "Global weights of the scored indicators (before / after)", "project": "Project",
           "score": "Composite", "rank": "Rank", "tier": "Tier", "moves": "Tier moves", "count": "Projects",
           "tau": "Kendall τ-b", "top": "Top-k overlap", "fundable": "Fundable-tier overlap",
           "baseline": "Baseline ranking", "frozen_ok": "OLD is the campaign's frozen rubric",
           "frozen_diff": "OLD differs from the campaign's frozen rubric; 'before' is the ranking under the frozen one",
           "missing": "Indicators without scores (treated as missing: the composite is renormalised over the "
                      "indicators present, projects flagged incomplete)",
           "unused": "Indicators NEW no longer has (their scores unused)", "dropped": "Scores not carried over"},
}


def weight_chart(rows: list[tuple[str, float | None, float | None]], title: str) -> str:
    """Horizontal grouped bars: each scored indicator's global weight before and after, as SVG."""
    from tlr.report.charts import BLUE, LIGHT, NAVY, _short, _style, _to_svg

    with _style() as plt:
        n = len(rows)
        fig, ax = plt.subplots(figsize=(6.2, 0.26 * n + 0.8))
        ys = list(range(n))
        before = [b or 0.0 for _, b, _ in rows]
        after = [a or 0.0 for _, _, a in rows]
        ax.barh([y - 0.2 for y in ys], before, height=0.38, color=LIGHT, edgecolor=NAVY, linewidth=0.4,
                label="before / 之前")
        ax.barh([y + 0.2 for y in ys], after, height=0.38, color=BLUE, label="after / 之后")
        ax.set_yticks(ys)
        ax.set_yticklabels([_short(label, 18) for label, _, _ in rows])
        ax.invert_yaxis()
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        ax.set_xlabel("global weight / 全局权重")
        return _to_svg(fig, plt, title=title, uid="wdiff")


def render_rubric_diff(result, old_rubric, new_rubric, impact=None, *, lang: str = "zh",
                       templates_dir=None, stamp: dict[str, str] | None = None) -> str:
    """The page's HTML text (the caller writes it through :mod:`tlr.outputs`); *stamp* (the audit gate's
    "audit failed" in both languages) puts a banner on the page."""
    from tlr.report.render import _HTML_FONT_PLACEHOLDER, _embed_font, _jinja_env, _load, _render_template, _templates
    from tlr.rubric.diff import CHANGE_WORDS, SECTIONS, value_text

    s = STRINGS[lang]
    root = _templates(templates_dir, TEMPLATE)
    env = _jinja_env(root)
    template = _load(env, TEMPLATE, root)

    def label(node_id: str | None) -> str:
        for rub in (new_rubric, old_rubric):
            try:
                return tr(rub.node(node_id).label, lang)
            except KeyError:
                continue
        return ""

    changes = [{"section": SECTIONS[c.section][0 if lang == "zh" else 1], "id": c.id or "",
                "change": CHANGE_WORDS[c.change][0 if lang == "zh" else 1], "field": c.field or "",
                "before": value_text(c.before, lang), "after": value_text(c.after, lang)} for c in result.changes]
    weights = [{"id": w.id if w.after_id in (None, w.id) else f"{w.id} → {w.after_id}",
                "label": label(w.after_id) or label(w.id), "kind": w.kind, "local_before": w.local_before,
                "local_after": w.local_after, "global_before": w.global_before, "global_after": w.global_after}
               for w in result.weight_changes]
    scored = [w for w in result.weights if w.scored]
    chart = weight_chart([(label(w.after_id) or label(w.id) or w.id, w.global_before, w.global_after)
                          for w in scored], s["chart"]) if scored and result.weight_changes else ""
    ctx: dict[str, Any] = {
        "lang": lang, "fmt": "html", "s": s, "old": result.old, "new": result.new, "empty": result.empty,
        "old_title": tr(old_rubric.title, lang), "new_title": tr(new_rubric.title, lang),
        "changes": changes, "weights": weights, "chart": chart, "impact": None,
        "font_face_css": _HTML_FONT_PLACEHOLDER,
        "stamp": (f"{stamp['zh']} / AUDIT FAILED" if lang == "zh" else f"{stamp['en']} / 审计未通过") if stamp else "",
    }
    if impact is not None:
        ctx["impact"] = impact.to_dict()
    return _embed_font(_render_template(template, ctx, root))
