"""A weighting round's questions and answers: which nodes a panel compares, the verbal scale, a node's matrix
and its consistency.

专家征询：比较哪些节点、语言标度（同等重要 … 极端重要）、判断矩阵与一致性。

Pure: no ledger, no terminal. An answer is the judgement "A compared with B" for a pair (A, B) of a node's
children, in the children's order (A before B); the value is a_AB, how many times as important A is as B.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

# Saaty's verbal scale: 1, 3, 5, 7, 9 named; 2, 4, 6, 8 between.
VERBAL: dict[int, tuple[str, str]] = {
    1: ("同等重要", "equally important"),
    2: ("同等与稍微之间", "between equal and moderate"),
    3: ("稍微重要", "moderately more important"),
    4: ("稍微与明显之间", "between moderate and strong"),
    5: ("明显重要", "strongly more important"),
    6: ("明显与强烈之间", "between strong and very strong"),
    7: ("强烈重要", "very strongly more important"),
    8: ("强烈与极端之间", "between very strong and extreme"),
    9: ("极端重要", "extremely more important"),
}
WORDS: dict[str, int] = {
    "同等重要": 1, "同等": 1, "equal": 1, "equally": 1,
    "稍微重要": 3, "稍微": 3, "moderate": 3, "moderately": 3,
    "明显重要": 5, "明显": 5, "strong": 5, "strongly": 5,
    "强烈重要": 7, "强烈": 7, "very strong": 7, "very_strong": 7, "very-strong": 7, "very strongly": 7,
    "极端重要": 9, "极端": 9, "extreme": 9, "extremely": 9,
}
SCALE_MIN, SCALE_MAX = 1.0 / 9.0, 9.0
SCALE_HELP = ("输入 / answer: 数字或分数 a number or fraction (1/9 … 9; 3 = A 稍微重要, 1/3 = B 稍微重要)，"
              "或 or  a 明显重要 · b 稍微重要 · 同等重要 · a5 · b3 · a strong · b moderate")
SCOPES = ("ahp", "all")


@dataclass(frozen=True)
class RoundNode:
    """One node whose children the panel compares, with the AHP settings its rubric gives (or the defaults)."""

    node: str
    children: tuple[str, ...]
    method: str = "eigenvector"
    ri_table: str | None = None
    cr_max: float | None = None

    def pairs(self) -> list[tuple[str, str]]:
        c = self.children
        return [(c[i], c[j]) for i in range(len(c)) for j in range(i + 1, len(c))]

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "children": list(self.children), "method": self.method,
                "ri_table": self.ri_table, "cr_max": self.cr_max}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RoundNode:
        return cls(d["node"], tuple(d["children"]), d.get("method") or "eigenvector", d.get("ri_table"),
                   d.get("cr_max"))


def _scored_ids(children: Sequence[Any]) -> list[str]:
    from tlr.rubric.model import Dimension

    return [c.id for c in children if isinstance(c, Dimension) or getattr(c, "role", "score") == "score"]


def round_nodes(rubric: Any, scope: str = "ahp") -> list[RoundNode]:
    """The nodes a round asks about, in tree order ("root" = the top level).

    ``scope="ahp"``: the nodes whose rubric already sets the children's weights by AHP (an ``ahp:`` block);
    ``"all"``: every node with at least two scored children (direct weights included: aggregation then
    writes an ``ahp:`` block for them).
    """
    from tlr.rubric.model import Dimension

    doc = rubric.document
    out: list[RoundNode] = []

    def visit(node_id: str, children: Sequence[Any], spec: Any) -> None:
        ids = _scored_ids(children)
        if len(ids) >= 2 and (spec is not None or scope == "all"):
            if spec is not None:
                out.append(RoundNode(node_id, tuple(ids), spec.method, spec.ri_table, spec.cr_max))
            else:
                out.append(RoundNode(node_id, tuple(ids)))
        for child in children:
            if isinstance(child, Dimension):
                visit(child.id, child.children, child.ahp)

    visit("root", doc.dimensions or [], doc.ahp)
    return out


# --------------------------------------------------------------------------- answers


class AnswerError(ValueError):
    """An answer that is not a judgement on the scale; the message is bilingual and says what to type."""


def _number(text: str) -> float | None:
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)(\s*/\s*[+-]?(\d+(\.\d*)?|\.\d+))?", text):
        return None
    try:
        if "/" in text:
            num, den = (Fraction(p.strip()) for p in text.split("/", 1))
            if den == 0:
                raise AnswerError(f"分母为 0 / division by zero in {text!r}: 用 1/9 … 9 / use 1/9 … 9")
            return float(num / den)
        return float(Fraction(text))
    except AnswerError:
        raise
    except (ValueError, ZeroDivisionError, OverflowError):
        return None


def parse_answer(text: Any, a: str, b: str) -> float:
    """a_AB from an answer: a number or fraction (A over B), or a side and an intensity (``a 明显重要``,
    ``b3``, ``b moderate``; ``同等重要`` alone = 1; an intensity without a side favours A). The side may be
    ``a``/``b`` or the child's id. Raises :class:`AnswerError` for anything else, 0, negatives and values
    off the scale 1/9 … 9."""
    if isinstance(text, bool) or text is None:
        raise AnswerError(f"没有答案 / no answer given. {SCALE_HELP}")
    if isinstance(text, (int, float)):
        value = float(text)
        shown = repr(text)
    else:
        raw = str(text).strip().replace("／", "/").replace("：", ":")
        shown = repr(raw[:40])
        if not raw:
            raise AnswerError(f"没有答案 / no answer given. {SCALE_HELP}")
        value = _number(raw)
        if value is None:
            value = _verbal(raw, a, b)
    if not math.isfinite(value) or value <= 0:
        raise AnswerError(f"判断必须为正数 / a judgement must be positive, got {shown}: 用 1/9 … 9 / use 1/9 … 9")
    if value < SCALE_MIN * (1 - 1e-9) or value > SCALE_MAX * (1 + 1e-9):
        raise AnswerError(f"超出 1–9 标度 / off Saaty's scale, got {shown}: 用 1/9 … 9 / use 1/9 … 9")
    return value


def _level(text: str) -> int | None:
    text = text.strip().lstrip(":比").strip()
    if len(text) == 1 and text in "123456789":
        return int(text)
    return WORDS.get(text)


def _verbal(raw: str, a: str, b: str) -> float:
    low = raw.lower()
    for side in sorted({"a", "b", a.lower(), b.lower()}, key=len, reverse=True):
        if low.startswith(side):
            intensity = _level(low[len(side):])
            if intensity is not None:
                favours_b = side in ("b", b.lower()) and side not in ("a", a.lower())
                return 1.0 / intensity if favours_b else float(intensity)
    intensity = _level(low)
    if intensity is None:
        raise AnswerError(f"无法识别的判断 / not a judgement: {raw[:40]!r}. {SCALE_HELP}")
    return float(intensity)


def describe(value: float, a: str, b: str) -> str:
    """How a judgement reads: ``A 明显重要 (5)`` / ``B 稍微重要 (1/3)`` / ``同等重要 (1)``."""
    if abs(value - 1.0) < 1e-9:
        return "同等重要 / equally important (1)"
    hi, who = (value, a) if value > 1 else (1.0 / value, b)
    shown = fmt(value)
    k = round(hi)
    if abs(hi - k) < 1e-6 and k in VERBAL:
        zh, en = VERBAL[k]
        return f"{who} {zh} / {who} {en} ({shown})"
    return f"{who} 更重要 / {who} more important ({shown})"


def fmt(value: float) -> str:
    """A judgement as typed: ``3``, ``1/3``, ``2.35``."""
    if value >= 1:
        return f"{value:g}" if abs(value - round(value)) > 1e-9 else str(round(value))
    inv = 1.0 / value
    return f"1/{round(inv)}" if abs(inv - round(inv)) < 1e-9 else f"{value:.4g}"


def matrix(node: RoundNode, answers: dict[tuple[str, str], float]):
    """The node's reciprocal matrix (NaN where a pair has no answer)."""
    import numpy as np

    n = len(node.children)
    m = np.full((n, n), np.nan)
    np.fill_diagonal(m, 1.0)
    for i, j in zip(*np.triu_indices(n, 1)):
        v = answers.get((node.children[i], node.children[j]))
        if v is not None:
            m[i, j], m[j, i] = v, 1.0 / v
    return m


def consistency(node: RoundNode, m) -> dict[str, Any]:
    """CR, GCI, the threshold tlr applies for the node's method (the rubric's ``cr_max`` if set), whether the
    matrix passes and, when it does not, the judgement to revisit first and the value that fixes it (the
    first step of :func:`tlr.weighting.repair_plan`)."""
    from tlr.weighting import DEFAULT_RI_TABLE, ahp

    labels = list(node.children)
    res = ahp(m, method=node.method, ri=node.ri_table or DEFAULT_RI_TABLE, threshold=node.cr_max,
              labels=labels, suggestions=1, consistency="cr" if node.cr_max is not None else "auto")
    out = {"node": node.node, "cr": float(res.cr), "gci": float(res.gci), "measure": str(res.consistency_measure),
           "threshold": float(res.threshold), "consistent": bool(res.consistent),
           "weights": dict(zip(labels, (float(w) for w in res.weights))), "fix": None}
    plan = getattr(res, "repair_plan", ()) or ()
    if not out["consistent"] and plan:
        s = plan[0]
        out["fix"] = {"a": labels[int(s.i)], "b": labels[int(s.j)], "current": float(s.current),
                      "suggested": float(s.suggested_scale), "exact": float(s.suggested),
                      "cr_after": float(s.cr_after), "gci_after": float(s.gci_after)}
    return out


def consistency_line(c: dict[str, Any]) -> str:
    """``CR = 0.031, GCI = 0.10 (≤ 0.05 CR) ✓`` or the inconsistency with the judgement and value to revisit."""
    mark = "✓ 一致性可接受 / acceptable" if c["consistent"] else "✗ 一致性不足 / inconsistent"
    line = (f"CR = {c['cr']:.3f}, GCI = {c['gci']:.3f} (阈值 threshold {c['measure'].upper()} ≤ "
            f"{c['threshold']:.2f}) {mark}")
    fix = c.get("fix")
    if fix:
        line += (f"\n  建议修改 / revisit ({fix['a']}, {fix['b']}): {fmt(fix['current'])} → {fmt(fix['suggested'])}"
                 f" （修改后 CR {fix['cr_after']:.3f} / CR after {fix['cr_after']:.3f}）")
    return line
