"""The ledger is a store: only tlr.campaign reads SQL; the campaign modules import one another without a
cycle and at module level; the ledger's named queries return what the tables hold."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest

import tlr

from .conftest import ANSWER

PACKAGE = Path(tlr.__file__).parent
CAMPAIGN = PACKAGE / "campaign"


def _modules(folder: Path) -> dict[str, ast.Module]:
    return {str(f.relative_to(PACKAGE.parent)): ast.parse(f.read_text(encoding="utf-8"), str(f))
            for f in sorted(folder.rglob("*.py"))}


def _conn_reads(tree: ast.AST) -> list[int]:
    """Lines where ``x.conn`` (or ``getattr(x, "conn")``) is used."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "conn":
            lines.append(node.lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
              and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "conn"):
            lines.append(node.lineno)
    return sorted(lines)


STORES = ("tlr/campaign/", "tlr/library/store.py")   # the ledger and the achievement library


def test_nothing_outside_the_campaign_package_touches_the_connection():
    found = [f"{name}:{line}" for name, tree in _modules(PACKAGE).items() if not name.startswith(STORES)
             for line in _conn_reads(tree)]
    assert found == []


def test_the_boundary_check_sees_a_connection_read():
    code = ("def f(ledger):\n    rows = ledger.conn.execute('SELECT 1')\n    c = (ledger\n         .conn)\n"
            "    d = getattr(ledger, 'conn')\n    e = ledger.connection\n")
    assert _conn_reads(ast.parse(code)) == [2, 3, 5]


def _campaign_imports(folder: Path = CAMPAIGN) -> dict[str, dict[str, str]]:
    """module -> {imported campaign module: "top" | "function" | "typing"} (relative and absolute imports)."""
    names = {f.stem for f in folder.glob("*.py")} - {"__init__"}
    out: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: dict[str, str] = {}

        def visit(node: ast.AST, where: str) -> None:
            for child in ast.iter_child_nodes(node):
                here = where
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    here = "function"
                elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                    here = "typing"
                targets: list[str] = []
                if isinstance(child, ast.ImportFrom):
                    if child.level == 1:
                        targets = [child.module] if child.module else [a.name for a in child.names]
                    elif (child.module or "").startswith("tlr.campaign"):
                        rest = child.module.split(".")[2:]
                        targets = rest[:1] if rest else [a.name for a in child.names]
                elif isinstance(child, ast.Import):
                    targets = [a.name.split(".")[2] for a in child.names
                               if a.name.startswith("tlr.campaign.") and len(a.name.split(".")) > 2]
                for t in targets:
                    if t in names and t != path.stem:
                        rank = {"top": 0, "function": 1, "typing": 2}
                        if t not in edges or rank[here] < rank[edges[t]]:
                            edges[t] = here
                visit(child, here)

        visit(tree, "top")
        out[path.stem] = edges
    return out


def test_campaign_modules_import_one_another_at_module_level_only():
    late = sorted(f"{m} -> {t}" for m, edges in _campaign_imports().items()
                  for t, where in edges.items() if where == "function")
    assert late == []


def test_campaign_modules_form_no_import_cycle():
    graph = {m: {t for t, where in edges.items() if where != "typing"} for m, edges in _campaign_imports().items()}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        if state.get(m) == 2:
            return
        assert state.get(m) != 1, "import cycle: " + " -> ".join(path + [m])
        state[m] = 1
        for t in sorted(graph.get(m, ())):
            visit(t, path + [m])
        state[m] = 2
        order.append(m)

    for m in sorted(graph):
        visit(m, [])
    # the store's foundations come before what is built on them
    assert order.index("schema") < order.index("ledger") and order.index("chain") < order.index("seal")
    assert order.index("seal") < order.index("audit") < order.index("ledger")


def test_the_import_scan_finds_a_function_level_import(tmp_path):
    # the scan must tell a late import from a module-level one, or the two tests above prove nothing
    folder = tmp_path / "campaign"
    folder.mkdir()
    (folder / "a.py").write_text("from .b import x\n\ndef f():\n    from .c import y\n")
    (folder / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import z\n")
    (folder / "c.py").write_text("from tlr.campaign.a import f\n")
    assert _campaign_imports(folder) == {"a": {"b": "top", "c": "function"}, "b": {"a": "typing"}, "c": {"a": "top"}}


# -- the named queries, each against the table read directly ---------------------------------------


def _direct(led, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(led.path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_counts_are_the_rows_of_each_table(ledger):
    from tlr.campaign import record_score

    record_score(ledger, "E01", "P004", "novelty", ANSWER["novelty"])
    counts = ledger.counts()
    assert list(counts) == ["projects", "experts", "assignments", "recusals", "scores", "trl_assessments", "audit"]
    for table, n in counts.items():
        assert n == _direct(ledger, f"SELECT count(*) FROM {table}")[0][0]
    assert counts["scores"] == 1 and counts["assignments"] == 3 * counts["projects"]


def test_assignment_queries(ledger):
    from tlr.campaign import recuse

    pairs = ledger.assignment_pairs()
    assert pairs == sorted(_direct(ledger, "SELECT expert_id, project_id FROM assignments"))
    listing = ledger.assignment_list()
    assert sorted((e, p) for e, p, _src, _ts in listing) == pairs
    project_seq = {p["id"]: p["seq"] for p in ledger.projects()}
    expert_seq = {e["id"]: e["seq"] for e in ledger.experts()}
    keys = [(project_seq[p], expert_seq[e]) for e, p, _src, _ts in listing]
    assert keys == sorted(keys) and {src for *_x, src, _ts in listing} == {"auto"}
    assert ledger.assigned_experts() == sorted({e for e, _ in pairs}, key=expert_seq.get)
    e, p = pairs[-1]
    recuse(ledger, e, p, reason="declared")
    assert ledger.recusal_list() == sorted(_direct(ledger, "SELECT expert_id, project_id, reason, detail FROM "
                                                           "recusals"), key=lambda r: (r[1], r[0]))
    assert (e, p) not in ledger.assignment_pairs()


def test_comments_in_report_order(ledger):
    from tlr.campaign import record_score

    pairs = ledger.assignment_pairs()
    e1, p1 = pairs[0]
    e2 = next(e for e, p in pairs if p == p1 and e != e1)
    record_score(ledger, e2, p1, "team", ANSWER["team"], comment="团队完整")
    record_score(ledger, e1, p1, "novelty", ANSWER["novelty"], comment="新颖")
    record_score(ledger, e1, p1, "trl", ANSWER["trl"])                       # no comment: not listed
    record_score(ledger, e1, p1, "market_size", ANSWER["market_size"], comment="市场大")
    seq = {x["id"]: x["seq"] for x in ledger.experts()}
    first, second = sorted([e1, e2], key=seq.get)
    by_expert = {e1: [("market_size", "市场大"), ("novelty", "新颖")], e2: [("team", "团队完整")]}
    expected = [(p1, e, text) for e in (first, second) for _i, text in by_expert[e]]
    assert ledger.comments() == expected


def test_audit_head_is_the_last_entry(ledger):
    seq, digest, ts = ledger.audit_head()
    assert (seq, digest, ts) == _direct(ledger, "SELECT max(seq), hash, ts FROM audit")[0]
    assert digest == ledger.verify().head


def test_verify_with_an_expected_head(ledger):
    from tlr.campaign import record_score

    before = ledger.audit_head()[1]
    record_score(ledger, "E01", "P004", "novelty", "4")
    report = ledger.verify(heads=[before.upper() + "\n"])         # an earlier head, as written in the minutes
    assert report.ok and report.problems == []
    gone = "f" * 64
    report = ledger.verify(heads=[before, gone])
    assert not report.ok and not report.chain_ok and report.state_ok
    assert report.problems == [f"记下的链头 {'f' * 16}… 不在审计链中（记录被截断或替换） / the recorded head "
                               f"{'f' * 16}… is not in the chain (entries cut off or replaced)"]


@pytest.mark.parametrize("module", ["tlr.campaign.evaluation", "tlr.campaign.funding", "tlr.demo"])
def test_the_pipeline_left_the_store(module):
    # evaluate_campaign, the budget selection and the demo run are the application layer's (tlr.app)
    import importlib

    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(module)
