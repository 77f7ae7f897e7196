"""The example's two rounds (examples/round-2026, examples/round-2027) through the library: the returning
achievements its README lists are found, by id or by a confirmed name + applicant link, and their timelines
span both years."""

from __future__ import annotations

import json

from .conftest import run

SAME_ID = {"P2026-004", "P2026-009", "P2026-023", "P2026-032", "P2026-046", "P2026-054"}
LINKED = {"P2027-001": "P2026-015", "P2027-002": "P2026-025", "P2027-003": "P2026-035", "P2027-004": "P2026-041",
          "P2027-005": "P2026-053", "P2027-006": "P2026-017"}      # examples/round-2027/README.md
STALLED = {"P2026-046", "P2026-017"}                                 # "no progress" in the README


def test_two_rounds(demo_campaign, round_2027, tmp_path, capsys):
    lib = tmp_path / "library.sqlite"
    assert run(["library", "add-round", demo_campaign, "--library", lib], capsys)[0] == 0
    code, out, err = run(["library", "add-round", round_2027, "--library", lib, "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert set(result["same_id"]) == SAME_ID and result["year"] == 2027
    assert {x["new"]: x["old"] for x in result["proposed"]} == LINKED and result["confirmed"] == []
    code, out, _ = run(["library", "links", "--library", lib, "--json"], capsys)
    assert {x["new_id"]: x["old_id"] for x in json.loads(out)} == LINKED
    for new, old in LINKED.items():
        assert run(["library", "link", new, "--to", old, "--library", lib], capsys)[0] == 0
    progress = {}
    for aid in SAME_ID | set(LINKED.values()):
        code, out, _ = run(["library", "show", aid, "--library", lib, "--json"], capsys)
        data = json.loads(out)
        assert [s["year"] for s in data["timeline"]] == [2026, 2027], aid
        progress[aid] = data["progress"]
        assert data["support"]["route"] == data["timeline"][-1]["route"]
    assert not any(progress[a] == "progressed" for a in STALLED), progress
    moved = [a for a in progress if a not in STALLED and progress[a] == "progressed"]
    assert len(moved) >= 7, progress                    # most of the ten the README says progressed
    assert run(["library", "verify", "--library", lib], capsys)[0] == 0
    code, out, _ = run(["library", "list", "--library", lib, "--json"], capsys)
    assert len(json.loads(out)) == 58 + 30 - len(LINKED) - len(SAME_ID)     # 12 returned: one row each
