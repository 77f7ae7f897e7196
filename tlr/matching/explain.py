"""A pair's language-free ``why`` (:func:`tlr.matching.match`) as bilingual sentences, "中文 / English"."""

from __future__ import annotations


def _n(value) -> str:
    if value is None:
        return "?"
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:g}"


def _words(items) -> str:
    return "、".join(items), ", ".join(items)


def display_terms(terms, most: int = 8) -> list[str]:
    """The shared words worth showing a reader: no word contained in another listed word (search-mode
    segmentation also yields 冶金 inside 氢冶金); words of two or more characters first, single Chinese
    characters (钴, 镍 — or fragments such as 轧) only while fewer than three longer words are shown; at most
    *most*, in the given (rarest-first) order. The ``why`` keeps every term; this only chooses what a sentence shows."""
    terms = [str(t) for t in terms]
    whole = [t for t in terms if not any(t != u and t in u for u in terms)]
    longer = [t for t in whole if len(t) >= 2 or t.isascii()]
    single = [t for t in whole if not (len(t) >= 2 or t.isascii())]
    return (longer + (single if len(longer) < 3 else []))[:most]


def explain_zh_en(why: dict) -> list[str]:
    """One line per reason, Chinese first. Empty for an empty ``why`` (``explain=False``)."""
    if not why:
        return []
    out = []
    if why.get("text_score") is not None:
        out.append(f"文本匹配度 {why['text_score']:.2f} / text match {why['text_score']:.2f}")
    shown = display_terms(why.get("shared_terms") or ())
    if shown:
        zh, en = _words(shown)
        out.append(f"共同词：{zh} / shared terms: {en}")
    for demand_word, achievement_word, group in why.get("synonyms", []):
        out.append(f"同义词：{demand_word} ≈ {achievement_word}（{group}） / "
                   f"synonyms: {demand_word} ≈ {achievement_word} ({group})")
    for demand_word, achievement_word, group in why.get("related", []):
        out.append(f"上下位相关：{demand_word} ~ {achievement_word}（同属 {group}） / "
                   f"related through a broader concept: {demand_word} ~ {achievement_word} ({group})")

    industry = why.get("industry") or {}
    factor = industry.get("factor", 1.0)
    if industry.get("match") == "same":
        out.append(f"行业相同：{industry['demand']} / same industry: {industry['demand']}")
    elif industry.get("match") == "different":
        out.append(f"行业不同：需求 {industry['demand']}，成果 {industry['achievement']}，×{factor:.2f} / "
                   f"different industry: demand {industry['demand']}, achievement {industry['achievement']}, "
                   f"×{factor:.2f}")
    elif industry:
        out.append(f"行业未知，×{factor:.2f} / industry unknown, ×{factor:.2f}")

    r = why.get("readiness") or {}
    status, factor = r.get("status"), r.get("factor", 1.0)
    source = f"（{r['source']}）" if r.get("source") else ""
    source_en = f" ({r['source']})" if r.get("source") else ""
    if status == "meets":
        out.append(f"成熟度满足：TRL {r['trl']}{source} ≥ 期望 {r['needed']} / "
                   f"readiness meets the need: TRL {r['trl']}{source_en} ≥ {r['needed']} needed")
    elif status in ("slightly_below", "below", "far_below"):
        zh = {"slightly_below": "略低于", "below": "低于", "far_below": "远低于"}[status]
        en = {"slightly_below": "slightly below", "below": "below", "far_below": "far below"}[status]
        out.append(f"成熟度{zh}期望：TRL {r['trl']}{source}，期望 {r['needed']}（差 {r['gap']} 级），得分 ×{factor:.2f} / "
                   f"readiness {en} the need: TRL {r['trl']}{source_en} vs {r['needed']} needed "
                   f"({r['gap']} levels), score ×{factor:.2f}")
    elif r:
        out.append("成熟度未知或未提出要求 / readiness unknown or not required")

    g = why.get("region") or {}
    if g.get("match") == "same":
        out.append(f"同一地区：{g['demand']} / same place: {g['demand']}")
    elif g.get("match") == "different":
        out.append(f"地区不同：{g['demand']} — {g['achievement']}，×{g['factor']:.2f} / "
                   f"different places: {g['demand']} — {g['achievement']}, ×{g['factor']:.2f}")

    b = why.get("budget") or {}
    if b.get("status") == "within":
        out.append(f"投资需求 {_n(b['ask'])} 万元 ≤ 可投入 {_n(b['budget'])} 万元 / "
                   f"funding ask {_n(b['ask'])} ≤ budget {_n(b['budget'])} (10k CNY)")
    elif b.get("status") == "over":
        out.append(f"投资需求 {_n(b['ask'])} 万元 > 可投入 {_n(b['budget'])} 万元，×{b['factor']:.2f} / "
                   f"funding ask {_n(b['ask'])} > budget {_n(b['budget'])} (10k CNY), ×{b['factor']:.2f}")
    return out
