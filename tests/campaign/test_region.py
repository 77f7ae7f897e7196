"""A project's region (所在地区): imported under its Chinese or English headers, stored, audited, and added to
campaigns written before schema v7 by the migration (every old project gets '')."""

from __future__ import annotations

import sqlite3

import pytest

from tlr.campaign import import_projects, init_campaign, open_campaign, schema, verify_audit

from .conftest import FIXTURES


@pytest.mark.parametrize("header", ["所在地区", "地区", "所属地区", "所在地", "region"])
def test_region_is_imported_under_each_header(tmp_path, rubric, header):
    path = tmp_path / "p.csv"
    path.write_text(f"项目编号,项目名称,申报单位,行业,{header}\nP1,甲,单位甲,钢铁,唐山市\nP2,乙,单位乙,钢铁,\n",
                    encoding="utf-8")
    with init_campaign(tmp_path / "round", rubric) as led:
        import_projects(led, path)
        assert {p["id"]: p["region"] for p in led.projects()} == {"P1": "唐山市", "P2": ""}
        assert "唐山市" not in str(led.projects()[0]["extra"])          # a column, not an extra
        assert verify_audit(led).ok
    conn = sqlite3.connect(tmp_path / "round" / "campaign.sqlite")       # the bytes on disk, not through tlr
    assert conn.execute("SELECT region FROM projects WHERE id = 'P1'").fetchone() == ("唐山市",)
    conn.close()


def test_a_region_edited_behind_the_tools_back_is_detected(tmp_path, rubric):
    path = tmp_path / "p.csv"
    path.write_text("id,name,applicant,industry,region\nP1,甲,单位甲,钢铁,唐山市\n", encoding="utf-8")
    with init_campaign(tmp_path / "round", rubric) as led:
        import_projects(led, path)
        led.conn.execute("UPDATE projects SET region = '石家庄市'")
        report = verify_audit(led)
    assert not report.ok and any("region" in p and "石家庄市" in p for p in report.problems)


def test_a_v6_campaign_opens_gains_the_region_and_verifies(tmp_path, monkeypatch, rubric):
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:6])
        m.setattr(schema, "SCHEMA_VERSION", 6)
        m.setattr(schema, "TABLES", {k: v.without_added() for k, v in schema.TABLES.items()})
        led = init_campaign(tmp_path / "old", rubric)
        import_projects(led, FIXTURES / "projects.csv")
        path = led.path
        led.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 6
    assert "region" not in [r[1] for r in conn.execute("PRAGMA table_info(projects)")]
    conn.close()
    with open_campaign(path) as led:
        assert led.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION >= 7
        assert {p["region"] for p in led.projects()} == {""}
        assert verify_audit(led).ok                                        # old entries replay with the default
        more = tmp_path / "more.csv"
        more.write_text("id,name,applicant,industry,所在地区\nP900,新项目,单位,钢铁,迁安市\n", encoding="utf-8")
        import_projects(led, more)
        assert led.project("P900")["region"] == "迁安市"
        assert verify_audit(led).ok
