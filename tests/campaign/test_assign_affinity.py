"""`tlr assign --affinity text`: the text fit of an expert's profile picks between equal industry matches;
conflicts stay hard rules."""

from __future__ import annotations

import json

from tlr.campaign import assign_experts, import_experts, import_projects

from .conftest import run_cli

PROJECTS = [
    {"id": "P1", "name": "钢渣微粉制备混凝土掺合料", "applicant": "甲钢铁公司", "industry": "钢铁",
     "summary": "转炉钢渣经磁选、粉磨制成微粉，替代部分水泥"},
    {"id": "P2", "name": "高炉煤气余热发电", "applicant": "乙钢铁公司", "industry": "钢铁",
     "summary": "回收高炉煤气余压余热，提高自发电比例"},
]
EXPERTS = [  # same fields: the industry match cannot tell them apart
    {"id": "E1", "name": "一", "institution": "丙大学", "fields": ["钢铁"], "研究方向": "钢渣资源化、冶金固废制备建材"},
    {"id": "E2", "name": "二", "institution": "丁研究院", "fields": ["钢铁"], "研究方向": "余热余能回收、高炉煤气发电"},
]


def _setup(led, tmp_path, experts=EXPERTS):
    (tmp_path / "p.json").write_text(json.dumps(PROJECTS, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "e.json").write_text(json.dumps(experts, ensure_ascii=False), encoding="utf-8")
    import_experts(led, tmp_path / "e.json")
    import_projects(led, tmp_path / "p.json")


def _pairs(led):
    return {(e, p) for e, p in led.conn.execute("SELECT expert_id, project_id FROM assignments")}


def test_text_affinity_prefers_the_clear_fit_for_every_seed(tmp_path, rubric):
    from tlr.campaign import init_campaign

    for seed in range(4):
        led = init_campaign(tmp_path / f"r{seed}", rubric)
        _setup(led, tmp_path)
        assign_experts(led, 1, seed=seed, affinity="text", max_load=1)
        assert _pairs(led) == {("E1", "P1"), ("E2", "P2")}
        payload = led.conn.execute("SELECT payload FROM audit WHERE action = 'assign'").fetchone()[0]
        assert '"affinity": "text"' in payload or '"affinity":"text"' in payload
        led.close()


def test_conflicts_are_never_broken_by_text_affinity(tmp_path, rubric):
    from tlr.campaign import init_campaign

    experts = [dict(EXPERTS[0], institution="甲钢铁公司"), EXPERTS[1]]   # E1 fits P1 best but is its applicant
    led = init_campaign(tmp_path / "r", rubric)
    _setup(led, tmp_path, experts)
    result = assign_experts(led, 1, seed=0, affinity="text")
    assert ("E1", "P1") not in _pairs(led)
    assert ("E2", "P1") in _pairs(led)
    assert result.recusals_added == 1
    led.close()


def test_cli_flag(tmp_path, rubric, capsys):
    from tlr.campaign import init_campaign

    led = init_campaign(tmp_path / "r", rubric)
    _setup(led, tmp_path)
    led.close()
    code, out, _err = run_cli(["assign", "--campaign", tmp_path / "r", "-n", "1", "--max-load", "1",
                               "--affinity", "text", "--json"], capsys)
    assert code == 0 and json.loads(out)["added"] == 2
    code, _out, err = run_cli(["assign", "--campaign", tmp_path / "r", "--affinity", "embedding"], capsys)
    assert code == 2
