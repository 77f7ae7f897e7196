"""Honest readiness: 'evidence-based' only when every 'yes' up to the achieved level carries evidence."""

from pathlib import Path

import yaml

from tlr.trl import Assessment
from tlr.trl.assess import evaluate

ROOT = Path(__file__).resolve().parents[2]
TRL1 = ["trl1.q1", "trl1.q2", "trl1.q3"]  # the three level-1 questions of the shipped CN ladder


def _doc(backed: list[str], ladder: str = "trl-cn-development", url: bool = False) -> Assessment:
    evidence = []
    if backed:
        item = {"id": "ev1", "kind": "test_report", "questions": backed}
        item.update({"url": "https://example.org/report/42"} if url else
                    {"path": "report.pdf", "sha256": "ab" * 32})
        evidence.append(item)
    return Assessment.model_validate({
        "project": {"id": "P1"}, "ladder": ladder,
        "ctes": [{"id": "core", "name": "core", "answers": {q: "yes" for q in TRL1} | {"trl2.q1": "no"},
                  "evidence": evidence}]})


def test_yes_without_evidence_is_asserted(tmp_path):
    result = evaluate(_doc(["trl1.q1", "trl1.q2"]), tmp_path, check_files=False)
    assert result.level == 1
    assert result.ctes[0].unevidenced == ("trl1.q3",)
    assert result.ctes[0].basis == "asserted" and result.basis == "asserted"


def test_empty_evidence_is_asserted(tmp_path):
    result = evaluate(_doc([]), tmp_path, check_files=False)
    assert result.level == 1 and result.basis == "asserted"
    assert result.ctes[0].unevidenced == tuple(TRL1)


def test_every_yes_backed_is_evidenced(tmp_path):
    for url in (False, True):
        result = evaluate(_doc(TRL1, url=url), tmp_path, check_files=False)
        assert result.level == 1 and result.basis == "evidenced"
        assert result.to_dict()["readiness_basis"] == "evidenced"


def test_evidence_required_ladder_discounts_unbacked_yes(tmp_path):
    data = yaml.safe_load((ROOT / "rubrics/readiness/trl-cn-development.yaml").read_text(encoding="utf-8"))
    data["scales"]["trl"]["evidence_required"] = True
    (tmp_path / "strict.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    doc = _doc(["trl1.q1", "trl1.q2"], ladder="strict.yaml")
    result = evaluate(doc, tmp_path, check_files=False)
    # trl1.q3 has no evidence: it counts as 'no', so level 1 (green threshold 1.0) is not reached
    assert result.level is None and result.basis == "none"
    assert result.ctes[0].discounted == ("trl1.q3",)
    backed = evaluate(_doc(TRL1, ladder="strict.yaml"), tmp_path, check_files=False)
    assert backed.level == 1 and backed.basis == "evidenced"
