"""Small rubrics for the stage tests (every number in the tests is worked out by hand from these)."""

from __future__ import annotations

from tlr.rubric import rubric_from_data


def make_rubric(**extra):
    """Two dimensions: tech (novelty l5 0.6, trl levels 0.4 with points (k-1)/8), market (demand l5 1.0,
    ip yes/no gate). Readiness = trl. Gate: ip == false knocks out. Tiers A (80, readiness >= 6), B (50), D.
    Routes: research (readiness <= 3), transfer (<= 6), land (always)."""
    doc = {
        "id": "t", "version": "1", "title": "T", "readiness": "trl",
        "panel": {"consensus": "mean", "trim": 1, "min_experts": 2, "quorum": 0.6},
        "scales": {
            "l5": {"kind": "likert", "min": 1, "max": 5},
            "trl": {"kind": "levels", "levels": [{"level": k, "label": f"L{k}"} for k in range(1, 10)]},
            "yn": {"kind": "boolean"},
            "g": {"kind": "grades", "grades": [
                {"id": "A", "label": "A", "value": 100}, {"id": "B", "label": "B", "value": 80},
                {"id": "C", "label": "C", "value": 60}, {"id": "D", "label": "D", "value": 40}]},
        },
        "dimensions": [
            {"id": "tech", "label": "Tech", "weight": 0.5, "children": [
                {"id": "novelty", "label": {"zh": "新颖性", "en": "Novelty"}, "scale": "l5", "weight": 0.6},
                {"id": "trl", "label": "TRL", "scale": "trl", "weight": 0.4,
                 "points": {k: (k - 1) / 8 for k in range(1, 10)}},
            ]},
            {"id": "market", "label": "Market", "weight": 0.5, "children": [
                {"id": "demand", "label": "D", "scale": "l5", "weight": 1.0},
                {"id": "ip", "label": "IP", "scale": "yn", "role": "gate"},
            ]},
        ],
        "gates": [{"id": "ip_gate", "label": {"zh": "知识产权不清", "en": "IP unclear"},
                   "when": {"ref": "ip", "op": "==", "value": False}}],
        "tiers": [
            {"id": "A", "label": "A", "min_score": 80, "when": {"ref": "readiness", "op": ">=", "value": 6}},
            {"id": "B", "label": "B", "min_score": 50},
            {"id": "D", "label": "D"},
        ],
        "routes": [
            {"id": "research", "label": "R", "when": {"ref": "readiness", "op": "<=", "value": 3}},
            {"id": "transfer", "label": "T", "when": {"ref": "readiness", "op": "<=", "value": 6}},
            {"id": "land", "label": "L"},
        ],
    }
    doc.update(extra)
    return rubric_from_data(doc)


INDICATORS = ("novelty", "trl", "demand", "ip")
