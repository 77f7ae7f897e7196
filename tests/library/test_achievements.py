"""Identity across rounds: the same id is the same achievement; the same name and applicant under another id
is only a proposed link until a person confirms it; confirming merges timelines; progress is read off them."""

from __future__ import annotations

import json

import pytest

from tlr.errors import CampaignError

from .conftest import run, snapshot

RULES = {"readiness": "trl", "tiers": [{"id": t, "label": {"zh": t, "en": t}, "min_score": m, "when": None}
                                        for t, m in (("A", 80), ("B", 70), ("C", 60), ("D", None))],
         "routes": [], "levels": []}


def _round(name: str, year: int, kind: str = "evaluation") -> dict:
    return {"name": name, "year": year, "kind": kind, "source": f"/rounds/{name}", "source_id": name,
            "head": "h" * 64, "entries": 10, "verified": 1, "rules": RULES}


def _entry(pid: str, name: str, applicant: str, *, trl=None, tier=None, composite=None, region="", industry="steel"):
    return {"project_id": pid, "name": name, "applicant": applicant, "industry": industry, "region": region,
            "keywords": ["钢渣"], "summary": "", "tier": tier, "composite": composite, "readiness": trl,
            "readiness_source": "panel" if trl else "none", "route": None, "ask": 100.0, "rank": 1,
            "knocked_out": False}


@pytest.fixture
def two_rounds(lib):
    from tlr.library.achievements import add_round

    add_round(lib, _round("2026", 2026), [_entry("P1", "高强钢连铸", "河北钢研院", trl=4, tier="C", composite=62),
                                          _entry("P2", "氢燃料电堆", "新能源公司", trl=6, tier="B", composite=74)])
    result = add_round(lib, _round("2027", 2027), [
        _entry("P1", "高强钢连铸新工艺", "河北钢研院", trl=6, tier="B", composite=75),       # same id, renamed
        _entry("Q9", "氢燃料 电堆", "新能源公司 ", trl=7, tier="A", composite=83),            # same name+applicant
        _entry("Q8", "全新成果", "某大学", trl=3, tier="D", composite=40)])
    return lib, result


def test_same_id_is_the_same_achievement_and_name_match_is_only_proposed(two_rounds):
    from tlr.library.achievements import links, timeline

    lib, result = two_rounds
    assert result["same_id"] == ["P1"] and result["new"] == ["Q9", "Q8"]
    assert result["proposed"] == [{"new": "Q9", "old": "P2"}] and result["confirmed"] == []
    ach, steps = timeline(lib, "P1")
    assert ach["name"] == "高强钢连铸" and [s["round"] for s in steps] == ["2026", "2027"]
    assert [s["readiness"] for s in steps] == [4, 6]
    # not merged yet: Q9 stands alone
    assert [s["round"] for s in timeline(lib, "Q9")[1]] == ["2027"]
    assert [(x["new_id"], x["old_id"], x["status"], x["basis"]) for x in links(lib)] == [
        ("Q9", "P2", "proposed", "name_applicant")]
    assert lib.verify().ok


def test_confirming_merges_timelines_and_aliases_carry_forward(two_rounds):
    from tlr.library.achievements import add_round, decide_link, links, timeline

    lib, _ = two_rounds
    decide_link(lib, "Q9", "P2", accept=True, actor="user:secretary")
    ach, steps = timeline(lib, "P2")
    assert ach["aliases"] == ["Q9"] and [(s["round"], s["project_id"], s["tier"]) for s in steps] == [
        ("2026", "P2", "B"), ("2027", "Q9", "A")]
    assert timeline(lib, "Q9")[0]["id"] == "P2"                     # the alias finds the achievement
    assert not lib.rows("achievements", "id = 'Q9'")
    (link,) = links(lib, "confirmed")
    assert link["decided_by"] == "user:secretary" and link["decided_at"]
    # a third round under the alias lands on P2 without a new proposal
    result = add_round(lib, _round("2028", 2028), [_entry("Q9", "氢燃料电堆", "新能源公司", trl=8, tier="A")])
    assert result["same_id"] == ["Q9"] and result["proposed"] == []
    assert [s["round"] for s in timeline(lib, "P2")[1]] == ["2026", "2027", "2028"]
    assert lib.verify().ok


def test_a_rejected_link_is_not_proposed_again(two_rounds):
    from tlr.library.achievements import add_round, decide_link, links

    lib, _ = two_rounds
    decide_link(lib, "Q9", "P2", accept=False)
    assert links(lib) == [] and links(lib, "rejected")[0]["new_id"] == "Q9"
    result = add_round(lib, _round("2028", 2028), [_entry("Q9", "氢燃料电堆", "新能源公司")])
    assert result["proposed"] == [] and result["same_id"] == ["Q9"]
    with pytest.raises(CampaignError, match="already rejected"):
        decide_link(lib, "Q9", "P2", accept=True)


def test_accept_links_confirms_the_rounds_links_in_the_same_write(lib):
    from tlr.library.achievements import add_round, timeline

    add_round(lib, _round("2026", 2026), [_entry("P2", "氢燃料电堆", "新能源公司", trl=6)])
    entries = lib.count("achievements"), len(lib.conn.execute("SELECT * FROM audit").fetchall())
    result = add_round(lib, _round("2027", 2027), [_entry("Q9", "氢燃料电堆", "新能源公司", trl=7)], accept_links=True)
    assert result["confirmed"] == [{"new": "Q9", "old": "P2"}]
    assert lib.count("achievements") == entries[0]
    new = lib.conn.execute("SELECT ts, action, payload FROM audit WHERE seq > ?", (entries[1],)).fetchall()
    assert len({ts for ts, _a, _p in new}) == 1 and {a for _t, a, _p in new} == {"library.add_round"}  # one write
    assert [json.loads(p).get("part") for _t, _a, p in new] == [1, 2]      # ... in two parts: rows, then the merge
    assert [s["readiness"] for s in timeline(lib, "P2")[1]] == [6, 7]
    assert lib.verify().ok


def test_two_rows_of_one_round_cannot_be_linked(lib):
    from tlr.library.achievements import add_round, decide_link

    add_round(lib, _round("2026", 2026), [_entry("P2", "电堆", "公司")])
    add_round(lib, _round("2027", 2027), [_entry("P2", "电堆", "公司"), _entry("Q9", "电堆", "公司")])
    before = snapshot(lib.path)
    with pytest.raises(CampaignError, match="both in round 2027"):
        decide_link(lib, "Q9", "P2", accept=True)
    assert snapshot(lib.path) == before


def test_a_round_name_or_campaign_is_added_once(lib):
    from tlr.library.achievements import add_round

    add_round(lib, _round("2026", 2026), [_entry("P1", "a", "b")])
    before = snapshot(lib.path)
    with pytest.raises(CampaignError, match="already holds a round"):
        add_round(lib, _round("2026", 2026), [_entry("P1", "a", "b")])
    with pytest.raises(CampaignError, match="already in the library"):
        add_round(lib, {**_round("other", 2026), "source_id": "2026"}, [_entry("P1", "a", "b")])
    assert snapshot(lib.path) == before


@pytest.mark.parametrize("steps, expected", [
    ([(4, "C")], "single"), ([(4, "C"), (6, "B")], "progressed"), ([(6, "B"), (4, "B")], "regressed"),
    ([(5, "C"), (5, "A")], "progressed"), ([(5, "A"), (5, "C")], "regressed"), ([(5, "B"), (5, "B")], "unchanged"),
    ([(None, "B"), (5, "B")], "unknown"),
    ([(4, "D", "assessment"), (6, "D", "panel")], "incomparable"),     # assessed 4, the panel says 6: not a climb
    ([(4, "D", "assessment"), (6, "B", "panel")], "progressed"),       # ... but the tier moved
    ([(4, "D", "asserted"), (6, "D", "assessment")], "progressed"),    # both assessments against the ladder
    ([(5, "C", "declared"), (5, "C", "panel")], "incomparable"),
])
def test_progress(steps, expected):
    from tlr.library.profile import progress

    rows = [{"readiness": s[0], "tier": s[1], "readiness_source": s[2] if len(s) > 2 else "panel"} for s in steps]
    assert progress(rows, ["A", "B", "C", "D"]) == expected


def test_show_and_list_on_the_cli(two_rounds, capsys):
    lib, _ = two_rounds
    code, out, _ = run(["library", "show", "P1", "--library", lib.path, "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["progress"] == "progressed" and [s["readiness"] for s in data["timeline"]] == [4, 6]
    code, out, _ = run(["library", "show", "P1", "--library", lib.path], capsys)
    assert code == 0 and "有进展 / progressed" in out
    code, out, _ = run(["library", "list", "--library", lib.path, "--min-trl", "6", "--json"], capsys)
    assert sorted(r["achievement"] for r in json.loads(out)) == ["P1", "P2", "Q9"]
    code, out, _ = run(["library", "list", "--library", lib.path, "--tier", "A", "--json"], capsys)
    assert [r["achievement"] for r in json.loads(out)] == ["Q9"]
    code, out, _ = run(["library", "links", "--library", lib.path, "--json"], capsys)
    assert [(x["new_id"], x["old_id"]) for x in json.loads(out)] == [("Q9", "P2")]
    code, out, _ = run(["library", "link", "Q9", "--to", "P2", "--library", lib.path], capsys)
    assert code == 0 and "confirmed" in out
    code, out, _ = run(["library", "list", "--library", lib.path, "--min-trl", "6", "--json"], capsys)
    assert sorted(r["achievement"] for r in json.loads(out)) == ["P1", "P2"]
    code, _out, err = run(["library", "show", "NOPE", "--library", lib.path], capsys)
    assert code == 2 and "NOPE" in err


def test_library_import_of_a_university_list(lib, tmp_path, capsys):
    path = tmp_path / "高校成果.csv"
    path.write_text("成果编号,成果名称,第一完成单位,所属行业,成果简介,关键词,技术成熟度,投资需求（万元）,所在地区\n"
                    "U1,钢渣微粉,燕山大学,钢铁,钢渣制备微粉,钢渣;建材,TRL5,300,秦皇岛市\n"
                    "U2,视觉检测,河北工业大学,信息智能,缺陷检测,机器视觉,7级,,天津市\n", encoding="utf-8")
    code, out, err = run(["library", "import", path, "--library", lib.path, "--round", "高校2026", "--year", "2026",
                          "--json"], capsys)
    assert code == 0, err
    code, out, _ = run(["library", "show", "U1", "--library", lib.path, "--json"], capsys)
    (step,) = json.loads(out)["timeline"]
    assert (step["readiness"], step["readiness_source"], step["ask"], step["region"], step["kind"]) == (
        5, "declared", 300.0, "秦皇岛市", "import")
    assert json.loads(out)["support"] is None
    bad = tmp_path / "bad.csv"
    bad.write_text("成果编号,成果名称,第一完成单位,所属行业,技术成熟度\nU3,x,y,钢铁,TRL0\n", encoding="utf-8")
    before = snapshot(lib.path)
    code, _out, err = run(["library", "import", path, "--library", lib.path, "--round", "again"], capsys)
    assert code == 2 and "already in the library as round '高校2026'" in err
    code, _out, err = run(["library", "import", bad, "--library", lib.path], capsys)
    assert code == 2 and f"{bad}: row 2: E (技术成熟度): error:" in err
    assert snapshot(lib.path) == before


def test_tables_show_names_not_ids(lib, capsys):
    """The CLI tables print the rubric's route label and the industry's name, as the report does."""
    from tlr.library.achievements import add_round

    rules = {**RULES, "routes": [{"id": "transfer", "label": {"zh": "中试熟化（转化批）", "en": "Pilot (transfer batch)"},
                                  "when": None}]}
    add_round(lib, {**_round("2026", 2026), "rules": rules},
              [{**_entry("P1", "高强钢连铸", "河北钢研院", trl=6, tier="B", composite=74), "route": "transfer"}])
    code, out, _ = run(["library", "list", "--library", lib.path], capsys)
    assert code == 0 and "中试熟化（转化批）" in out and " transfer " not in out
    code, out, _ = run(["library", "list", "--library", lib.path, "--lang", "en"], capsys)
    assert code == 0 and "Pilot (transfer batch)" in out
    code, out, _ = run(["library", "show", "P1", "--library", lib.path], capsys)
    assert code == 0 and "中试熟化（转化批）" in out
    code, out, _ = run(["library", "list", "--library", lib.path, "--json"], capsys)
    row = json.loads(out)[0]
    assert row["route"] == "transfer" and row["industry_label"] == {"zh": "钢铁", "en": "steel"}
