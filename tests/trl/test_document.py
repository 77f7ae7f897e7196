"""Assessment documents: evidence hashing, atomic save/load, merge of answer files, the CLI."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
import yaml

from tlr.cli import main
from tlr.errors import TlrError
from tlr.trl.assess import evaluate, merge_answers
from tlr.trl.errors import AssessmentFileError, EvidenceError, LadderError
from tlr.trl.evidence import check_evidence, make_evidence, sha256_file
from tlr.trl.ladders import load_ladder, shipped_ladders
from tlr.trl.model import Assessment
from tlr.trl.store import load_assessment, save_assessment

from .conftest import EXAMPLES


@pytest.fixture
def example(tmp_path):
    dest = tmp_path / "ex"
    shutil.copytree(EXAMPLES, dest)
    return dest


def test_sha256_is_streamed_and_correct(tmp_path):
    data = b"x" * (3 * (1 << 20) + 17)   # more than one chunk
    f = tmp_path / "big.bin"
    f.write_bytes(data)
    assert sha256_file(f) == hashlib.sha256(data).hexdigest()
    assert sha256_file(f, chunk=7) == hashlib.sha256(data).hexdigest()


def test_make_evidence_file_and_url(tmp_path):
    (tmp_path / "r.txt").write_text("report", encoding="utf-8")
    item = make_evidence("r.txt", base_dir=tmp_path, kind="test_report", added_by="张三", questions=["trl4.q2"])
    assert item.path == "r.txt" and item.sha256 == hashlib.sha256(b"report").hexdigest()
    assert item.added_by == "张三" and item.added_at.tzinfo is not None
    url = make_evidence("https://example.org/x", base_dir=tmp_path)
    assert url.url and url.sha256 is None


def test_missing_evidence_file_names_it(tmp_path):
    with pytest.raises(EvidenceError) as info:
        make_evidence("nope/report.pdf", base_dir=tmp_path)
    assert "nope/report.pdf" in info.value.format() and "证据文件不存在" in info.value.format()


def test_changed_and_missing_evidence_detected(example):
    doc = load_assessment(example / "assessment.yaml")
    (example / "evidence" / "novelty-search.txt").write_text("tampered", encoding="utf-8")
    (example / "evidence" / "algorithm-benchmark.txt").unlink()
    status = {c.item: c.status for c in check_evidence(doc.ctes, example)}
    assert status["ev-novelty"] == "changed" and status["ev-bench"] == "missing"
    assert status["ev-lab"] == "ok" and status["ev-paper"] == "url"


def test_example_assessment_two_ctes(example):
    doc = load_assessment(example / "assessment.yaml")
    assert len(doc.ctes) == 2
    result = evaluate(doc, example)
    levels = {c.id: c.level for c in result.ctes}
    assert levels == {"sensor": 5, "algorithm": 4}
    assert result.level == 4 and result.rollup.rule == "min" and result.rollup.limiting == ("algorithm",)
    sensor = result.ctes[0]
    assert sensor.determination.next.state == "yellow"
    assert [m.question for m in sensor.determination.next.missing] == ["trl6.q3", "trl6.q4"]
    assert sensor.consensus.level == 5
    assert result.srl is not None
    # the stored derived fields agree with a fresh evaluation
    assert {c.id: c.current for c in doc.ctes} == levels and doc.summary["project_level"] == 4


def test_save_load_roundtrip_yaml_and_json(example, tmp_path):
    doc = load_assessment(example / "assessment.yaml")
    for name in ("copy.yaml", "copy.json"):
        save_assessment(doc, tmp_path / name)
        again = load_assessment(tmp_path / name)
        assert again.model_dump() == doc.model_dump()
    json.loads((tmp_path / "copy.json").read_text(encoding="utf-8"))
    assert not list(tmp_path.glob(".*.tmp"))   # no temporary files left behind


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path, monkeypatch):
    import os

    from tlr.trl import store

    path = tmp_path / "a.yaml"
    save_assessment(Assessment(), path)
    before = path.read_text(encoding="utf-8")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        store.save_assessment(Assessment(project={"id": "changed"}), path)
    assert path.read_text(encoding="utf-8") == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_invalid_document_located(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("ctes:\n  - id: a\n    name: A\n    answers:\n      trl1.q1: 150\n", encoding="utf-8")
    with pytest.raises(AssessmentFileError) as info:
        load_assessment(p)
    err = info.value
    assert err.location.line == 5 and "0-100" in err.message and err.location.field.startswith("ctes.0.answers")


def test_unknown_question_in_answers_file_is_located(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_text("ctes:\n  - id: a\n    name: A\n    answers: {trl4.q9: yes}\n", encoding="utf-8")
    doc = load_assessment(p)
    with pytest.raises(Exception) as info:
        evaluate(doc, tmp_path, source=str(p))
    text = info.value.format()
    assert "unknown question 'trl4.q9'" in text and "ctes[0].answers.trl4.q9" in text


def test_merge_keeps_earlier_answers_and_stamps_new_ones(example, tmp_path):
    base = load_assessment(example / "assessment.yaml")
    incoming = Assessment.model_validate({"ctes": [{"id": "algorithm", "name": "x", "answers": {"trl5.q1": "yes"}}]})
    merged = merge_answers(base, incoming, incoming_dir=tmp_path, out_dir=example, by="李四")
    alg = merged.cte("algorithm")
    assert alg.answers["trl5.q1"].value == "yes" and alg.answers["trl5.q1"].by == "李四"
    assert alg.answers["trl4.q1"].value == "yes"                    # untouched
    assert merged.cte("sensor").answers == base.cte("sensor").answers
    assert alg.name == "x"


def test_shipped_ladders_load_without_gaps():
    names = shipped_ladders()
    for expected in ("trl-cn-development", "trl-nasa", "trl-eu-horizon", "trl-doe", "trl-basic-research",
                     "trl-software", "mrl", "cri"):
        assert expected in names
    for name in names:
        lad = load_ladder(name)
        assert lad.library.sources and all(s.confidence in "VSM" for s in lad.library.sources)
        assert lad.scale.sources and set(lad.scale.sources) <= {s.id for s in lad.library.sources}
    cn = load_ladder("trl-cn-development")
    assert cn.numbers == tuple(range(1, 10))
    for level in cn.levels:   # full AFRL-style checklist on every level, all three tags used
        assert len(level.checklist) >= 3 and level.descriptor and level.evidence
    assert {i.tag for _, i in cn.questions()} == {"technical", "manufacturing", "programmatic"}
    assert load_ladder("mrl").numbers == tuple(range(1, 11)) and load_ladder("cri").numbers == tuple(range(1, 7))


def test_ladder_file_with_gap_is_refused(tmp_path):
    src = yaml.safe_load((EXAMPLES.parents[1] / "rubrics" / "readiness" / "cri.yaml").read_text(encoding="utf-8"))
    del src["scales"]["cri"]["levels"][2]
    p = tmp_path / "gappy.yaml"
    p.write_text(yaml.safe_dump(src, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TlrError) as info:     # the shared rubric validator or our own check
        load_ladder(p)
    assert "gap" in info.value.format()
    with pytest.raises(LadderError, match="unknown ladder"):
        load_ladder("no-such-ladder")


# ------------------------------------------------------------------ CLI


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_assess_answers_then_show(tmp_path, capsys):
    out = tmp_path / "proj.yaml"
    code, text, err = run(capsys, "trl", "assess", str(out), "--answers", str(EXAMPLES / "answers.yaml"), "--by", "王五")
    assert code == 0, err
    assert "项目就绪度: TRL 4" in text and "min" in text
    code, text, err = run(capsys, "trl", "show", str(out), "--json")
    data = json.loads(text)
    assert data["project_level"] == 4 and data["readiness_rule"] == "min"
    sensor = data["ctes"][0]
    assert sensor["level"] == 5 and [m["question"] for m in sensor["determination"]["missing_for_next"]] == ["trl6.q3", "trl6.q4"]
    assert sensor["evidence"][0]["status"] == "ok"     # evidence re-located relative to the new file
    code, text, err = run(capsys, "trl", "show", str(out), "--lang", "en")
    assert "Project readiness: TRL 4" in text and "Next level TRL 6" in text


def test_cli_errors_are_messages_not_tracebacks(tmp_path, capsys):
    bad = tmp_path / "answers.yaml"
    bad.write_text("ctes:\n  - id: a\n    name: A\n    answers: {trl1.q1: yes}\n    evidence:\n"
                   "      - {path: missing.pdf, kind: test_report}\n", encoding="utf-8")
    code, text, err = run(capsys, "trl", "assess", str(tmp_path / "o.yaml"), "--answers", str(bad))
    assert code == 2 and "missing.pdf" in err and "Traceback" not in err
    assert not (tmp_path / "o.yaml").exists()
    code, text, err = run(capsys, "trl", "show", str(tmp_path / "nothing.yaml"))
    assert code == 2 and "file not found" in err


def test_cli_ladders_and_help(capsys):
    code, text, _ = run(capsys, "trl", "ladders", "--json")
    assert code == 0 and any(r["id"] == "trl-cn-development" for r in json.loads(text))
    code, text, _ = run(capsys, "trl", "ladders", "trl-cn-development", "--lang", "en")
    assert "trl6.q3" in text and "GB/T 22900-2022 [M]" in text
    for sub in ("assess", "show", "ladders"):
        with pytest.raises(SystemExit) if False else _nullcontext():
            code, text, _ = run(capsys, "trl", sub, "--help")
        assert "Example" in text


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


@pytest.mark.parametrize("cte_extra,needle", [
    ("    target: 12\n", "unknown level 12"),
    ("    judgements: [{expert: E1, level: 0}]\n", "unknown level 0"),
    ("    assertions: [{level: 10, justification: x}]\n", "unknown level 10"),
    ("    evidence: [{url: 'https://x.org', questions: [trl2.q9]}]\n", "unknown question 'trl2.q9'"),
])
def test_unknown_levels_and_questions_in_a_document(tmp_path, cte_extra, needle):
    p = tmp_path / "a.yaml"
    p.write_text("ctes:\n  - id: a\n    name: A\n" + cte_extra, encoding="utf-8")
    with pytest.raises(TlrError) as info:
        evaluate(load_assessment(p), tmp_path, source=str(p))
    assert needle in info.value.format() and str(p) in info.value.format()


def test_json_document_by_extension(tmp_path, capsys):
    out = tmp_path / "proj.json"
    code, _, err = run(capsys, "trl", "assess", str(out), "--answers", str(EXAMPLES / "answers.yaml"), "--json")
    assert code == 0, err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["kind"] == "trl_assessment" and data["summary"]["project_level"] == 4


def test_changed_ladder_is_flagged(example, capsys):
    doc = load_assessment(example / "assessment.yaml")
    doc.ladder_sha256 = "0" * 64
    save_assessment(doc, example / "assessment.yaml")
    code, text, _ = run(capsys, "trl", "show", str(example / "assessment.yaml"), "--lang", "en")
    assert code == 0 and "ladder file changed" in text


def test_show_warns_about_missing_evidence_and_strict_exits_1(example, capsys):
    (example / "evidence" / "novelty-search.txt").unlink()
    code, text, err = run(capsys, "trl", "show", str(example / "assessment.yaml"))
    assert code == 0 and "evidence file missing" in err and "novelty-search.txt" in err
    code, _, _ = run(capsys, "trl", "show", str(example / "assessment.yaml"), "--strict")
    assert code == 1


def test_cli_refuses_a_ladder_with_a_gap(tmp_path, capsys):
    src = yaml.safe_load((EXAMPLES.parents[1] / "rubrics" / "readiness" / "mrl.yaml").read_text(encoding="utf-8"))
    del src["scales"]["mrl"]["levels"][4]
    gappy = tmp_path / "gappy.yaml"
    gappy.write_text(yaml.safe_dump(src, allow_unicode=True), encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text("ladder: gappy.yaml\nctes:\n  - {id: x, name: X, answers: {m1.q1: yes}}\n", encoding="utf-8")
    code, _, err = run(capsys, "trl", "assess", str(tmp_path / "out.yaml"), "--answers", str(answers))
    assert code == 2 and "gap" in err and "Traceback" not in err


def test_mrl_assessment(tmp_path, capsys):
    answers = tmp_path / "a.yaml"
    answers.write_text("ladder: mrl\nctes:\n  - {id: line, name: 生产线, answers: {m1.q1: yes, m2.q1: yes, m3.q1: no}}\n",
                       encoding="utf-8")
    code, text, err = run(capsys, "trl", "assess", str(tmp_path / "out.yaml"), "--answers", str(answers), "--lang", "en")
    assert code == 0, err
    assert "Achieved: MRL 2" in text and "Next level MRL 3" in text
