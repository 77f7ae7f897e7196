"""``tlr explain`` in a reader's language: the evaluation's explanation of one project, labels in *lang*.

The numbers come from :func:`tlr.evaluation.explain.explanation` (language-free); only the rubric labels
of the indicators whose weight change would swap the project with a rank neighbour are chosen here.
"""

from __future__ import annotations

from typing import Any

from tlr.app.records import _label


def explain_project(ev, project_id: str, lang: str = "zh") -> dict[str, Any]:
    """Contributions, gap to the next tier, knock-outs, findings and neighbour swaps of *project_id*."""
    from tlr.evaluation.explain import explanation

    body = explanation(ev, project_id)
    for item in body.get("neighbours", []):
        if item["swap"] is not None:
            item["swap"]["label"] = _label(item["swap"]["label"], lang)
    return body


__all__ = ["explain_project"]
