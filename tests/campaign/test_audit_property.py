"""Property: after any sequence of tool operations the audit log verifies; any single-cell edit made
behind the tool's back (in any audited table) is detected."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tlr.campaign import (assign_experts, clear_score, import_experts, import_projects, init_campaign,
                          open_campaign, recuse, record_score, verify_audit)
from tlr.campaign.schema import TABLES
from tlr.campaign.scoring import expert_items

from .conftest import ANSWER, FIXTURES

import pytest

pytestmark = pytest.mark.slow  # property-based search over many generated inputs (full suite)

OPS = st.lists(st.tuples(st.sampled_from(["set", "set", "set", "clear", "recuse"]), st.integers(0, 7),
                         st.integers(0, 50), st.sampled_from(["1", "2", "3", "4", "5"])), max_size=25)


def _build(directory: Path, rubric):
    led = init_campaign(directory, rubric)
    import_projects(led, FIXTURES / "projects.csv")
    import_experts(led, FIXTURES / "experts.csv")
    assign_experts(led, 3, seed=1)
    return led


def _apply(led, ops):
    experts = [e["id"] for e in led.experts()]
    for op, e, k, v in ops:
        items = expert_items(led, experts[e])
        if not items:
            continue
        item = items[k % len(items)]
        pid, iid = item.project["id"], item.indicator.id
        if op == "set":
            record_score(led, experts[e], pid, iid, v if iid == "novelty" else ANSWER[iid], comment=f"c{v}")
        elif op == "clear":
            clear_score(led, experts[e], pid, iid)
        else:
            recuse(led, experts[e], pid, reason="property test")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, pick=st.integers(0, 10_000), col_pick=st.integers(0, 100))
def test_any_history_verifies_and_any_edit_is_caught(rubric, ops, pick, col_pick):
    with tempfile.TemporaryDirectory() as tmp:
        led = _build(Path(tmp) / "c", rubric)
        _apply(led, ops)
        report = verify_audit(led)
        assert report.ok, report.problems
        # choose one cell of one row of an audited table and change it
        candidates = []
        for name, spec in TABLES.items():
            keys = led.conn.execute(f"SELECT {', '.join(spec.key)} FROM {name}").fetchall()
            candidates += [(name, spec, key) for key in keys]
        name, spec, key = candidates[pick % len(candidates)]
        col = spec.columns[col_pick % len(spec.columns)]
        where = " AND ".join(f"{k} = ?" for k in spec.key)
        current = led.conn.execute(f"SELECT {col} FROM {name} WHERE {where}", key).fetchone()[0]
        if isinstance(current, (int, float)):
            new = current + 1
        elif current is None:
            new = "x"
        elif current in ("[]", "{}"):
            new = '["x"]' if current == "[]" else '{"x": 1}'
        elif current.startswith("[") or current.startswith("{"):
            new = current[:-1] + (', "x"' if current.startswith("[") else ', "x": 1') + current[-1]
        else:
            new = f"{current}*"
        path = led.path
        led.close()
        conn = sqlite3.connect(path)
        try:
            conn.execute(f"UPDATE {name} SET {col} = ? WHERE {where}", (new, *key))
            conn.commit()
        except sqlite3.IntegrityError:  # the schema itself refuses this edit (e.g. rubric id must be 1)
            assume(False)
        finally:
            conn.close()
        led = open_campaign(path)
        report = verify_audit(led)
        led.close()
        assert not report.ok, (name, col, current, new)
