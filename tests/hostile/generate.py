"""The hostile-input corpus: files a careless or malicious user could hand to every ``tlr`` reader.

Run ``python tests/hostile/generate.py OUTDIR`` to write the corpus (and ``OUTDIR/manifest.json``);
``tests/hostile/test_corpus.py`` imports :func:`generate` and builds it in a temporary folder at test
time, so no generated file is committed. The output is the same for the same seed (:data:`SEED`),
except for what tlr itself makes random (campaign ids, scoresheet tokens).

Every :class:`Case` is one file (or a few) and one command line with placeholders:

- ``{corpus}`` the corpus folder (the hostile files; read only),
- ``{campaign}`` a fresh copy of the base campaign (``OUTDIR/campaign``) for this case,
- ``{tmp}`` an empty folder for this case (anything a command writes goes there),

and the outcome the command must have: ``2`` refused (bad input: located one-line errors, nothing
changed), ``0`` accepted, ``1`` completed with findings (``--strict`` warnings, missing evidence).

Kinds: ``rubric`` (YAML/JSON rubrics), ``projects``, ``experts``, ``demands`` and ``follow-up`` (CSV/XLSX/JSON
imports; the same cases for each, ``demands`` and ``follow-up`` into the library ``{campaign}/library.sqlite``),
``answers`` (``tlr score --from``), ``sheets`` (returned scoresheets, ``tlr sheets import``),
``trl`` (assessment documents), ``ahp`` (judgement files).

The base campaign (``OUTDIR/campaign``): the seed rubric, 6 projects, 8 experts, 3 experts per
project (seed 1), every expert's answers except E01's (one project only); scoresheets exported for
E01 and E02, then one of E02's answers changed after the export (so E02's sheet is stale). A second
campaign (``OUTDIR/foreign``) with the same rubric issues the foreign scoresheet. The base campaign's folder
also holds an achievement library (``library.sqlite``): demand D001, achievement A001 of one round and
A101 of a later one, proposed as the same achievement (same name and applicant).
"""

from __future__ import annotations

import codecs
import io
import json
import os
import random
import shutil
import sys
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

SEED = 20260501
SEEDS = Path(__file__).resolve().parent / "seeds"
RUBRIC = SEEDS / "rubric.yaml"
PROJECTS = SEEDS / "projects.csv"
EXPERTS = SEEDS / "experts.csv"

REFUSED, ACCEPTED, FINDINGS = 2, 0, 1
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


@dataclass
class Case:
    """One corpus entry: the hostile file(s), the command to run on it, the expected exit code."""

    id: str                       # "kind/name", unique
    kind: str
    files: list[str]              # relative to the corpus folder; files[0] is the one under test
    args: list[str]               # the tlr command line, with {corpus} {campaign} {tmp}
    expect: int                   # 0 accepted, 1 findings, 2 refused
    note: str = ""                # what is hostile about it
    mention: str | None = None    # text every error line must contain (default: files[0]'s name)
    slow: bool = False            # left out of the fast run (pytest -m "not slow")
    stdin: str | None = None      # what the command reads from standard input, if anything

    @property
    def name(self) -> str:
        return self.mention if self.mention is not None else Path(self.files[0]).name


class Corpus:
    """Collects files and cases under one folder."""

    def __init__(self, root: Path):
        self.root = root
        self.cases: list[Case] = []
        self.rng = random.Random(SEED)

    def write(self, rel: str, data: bytes | str) -> str:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return rel

    def add(self, kind: str, name: str, files: str | list[str], args: list[str], expect: int, note: str = "",
            **kw) -> Case:
        files = [files] if isinstance(files, str) else files
        case = Case(f"{kind}/{name}", kind, files, args, expect, note, **kw)
        if any(c.id == case.id for c in self.cases):
            raise ValueError(f"duplicate case id {case.id}")
        self.cases.append(case)
        return case

    def junk(self, n: int) -> bytes:
        return bytes(self.rng.randrange(256) for _ in range(n))


def path(rel: str) -> str:
    return "{corpus}/" + rel


# ----------------------------------------------------------------------------------------- XLSX helpers


def _base_xlsx(title: str = "Sheet1") -> dict[str, bytes]:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = title
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        return {n: z.read(n) for n in z.namelist()}


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = compression
            z.writestr(info, data)
    return buf.getvalue()


def col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def cell_xml(ref: str, value) -> str:
    """A cell: str -> inline string, int/float -> number, ("f", formula[, cached]), ("e", "#N/A"),
    ("n", raw text), ("b", 0/1), ("s", shared index)."""
    if isinstance(value, tuple):
        kind, *rest = value
        if kind == "f":
            cached = f"<v>{_esc(str(rest[1]))}</v>" if len(rest) > 1 else ""
            return f'<c r="{ref}"><f>{_esc(rest[0])}</f>{cached}</c>'
        if kind == "e":
            return f'<c r="{ref}" t="e"><v>{_esc(rest[0])}</v></c>'
        if kind == "n":
            return f'<c r="{ref}"><v>{_esc(rest[0])}</v></c>'
        if kind == "b":
            return f'<c r="{ref}" t="b"><v>{rest[0]}</v></c>'
        if kind == "s":
            return f'<c r="{ref}" t="s"><v>{rest[0]}</v></c>'
        raise ValueError(kind)
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_esc(value)}</t></is></c>'


def sheet_xml(rows: list[list], *, dimension: str | None = None, prolog: str = "") -> bytes:
    body = []
    for r, values in enumerate(rows, start=1):
        cells = "".join(cell_xml(f"{col(c)}{r}", v) for c, v in enumerate(values, start=1) if v is not None)
        body.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main">{dim}<sheetData>{"".join(body)}</sheetData></worksheet>').encode("utf-8")


def named_second(rows: list[list], title: str) -> bytes:
    """A workbook whose first sheet holds junk and whose second sheet, named *title*, holds *rows*."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["这一页是说明 / notes", "=SUM(1,2)"])
    ws = wb.create_sheet(title)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def patch(data: bytes, old: bytes, new: bytes) -> bytes:
    """The XLSX *data* with *old* replaced by *new* in every member (for text openpyxl refuses to write)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n).replace(old, new) for n in z.namelist()}
    return zip_bytes(parts)


def xlsx(rows: list[list], *, title: str = "Sheet1", sheet: bytes | None = None, extra: dict | None = None,
         drop: tuple[str, ...] = ()) -> bytes:
    """An XLSX whose first sheet holds *rows* (or the raw *sheet* XML); *extra* members replace or add parts."""
    parts = _base_xlsx(title)
    parts["xl/worksheets/sheet1.xml"] = sheet if sheet is not None else sheet_xml(rows)
    parts.update(extra or {})
    for name in drop:
        parts.pop(name, None)
    return zip_bytes(parts)


# ----------------------------------------------------------------------------------------- base campaign


def build_campaign(root: Path) -> dict:
    """The base campaign in ``root/campaign`` and the foreign one in ``root/foreign``; their scoresheets
    in ``root/_issued``. Returns facts the corpus needs (assignments, the stale item)."""
    from tlr.campaign import assign_experts, import_answers, import_experts, import_projects, init_campaign
    from tlr.campaign.scoring import expert_items
    from tlr.campaign.sheets import export_sheet
    from tlr.rubric import load_rubric

    rubric = load_rubric(RUBRIC)
    work = root / "_issued"
    work.mkdir(parents=True, exist_ok=True)
    values = {"novelty": lambda k: str(1 + k % 5), "trl": lambda k: str(1 + k % 4),
              "market_size": lambda k: str(10 * (k % 9)), "team": lambda k: "是" if k % 2 else "否"}
    facts: dict = {"items": {}}
    with init_campaign(root / "campaign", rubric, name="hostile corpus") as led:
        import_projects(led, PROJECTS)
        import_experts(led, EXPERTS)
        assign_experts(led, 3, seed=1)
        experts = [r[0] for r in led.conn.execute("SELECT DISTINCT expert_id FROM assignments ORDER BY expert_id")]
        for k, eid in enumerate(experts):
            items = expert_items(led, eid)
            facts["items"][eid] = [(i.project["id"], i.indicator.id) for i in items]
            if eid == "E01":
                items = [i for i in items if i.project["id"] == items[0].project["id"]]
            lines = ["project,indicator,value"] + [f"{i.project['id']},{i.indicator.id},{values[i.indicator.id](k + j)}"
                                                   for j, i in enumerate(items)]
            answers = work / f"answers-{eid}.csv"
            answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
            import_answers(led, eid, answers)
        export_sheet(led, "E01", work / "E01.xlsx")
        export_sheet(led, "E02", work / "E02.xlsx")
        pid, iid = facts["items"]["E02"][0]
        stale = work / "stale-E02.csv"
        stale.write_text(f"project,indicator,value\n{pid},{iid},{'5' if iid != 'team' else '是'}\n", "utf-8")
        import_answers(led, "E02", stale)   # newer than E02's sheet
        facts["stale"] = (pid, iid)
        from tlr.campaign.moderation import moderate

        # one moderation in force, for `tlr moderate undo` to undo
        moderate(led, "exclude", "P003", "E03", "novelty", reason="hostile corpus: an exclusion to undo")
        facts["unassigned"] = next(p for p in ("P001", "P002", "P003", "P004", "P005", "P006")
                                   if p not in {x for x, _ in facts["items"]["E01"]})
    build_library(root / "campaign" / "library.sqlite")
    with init_campaign(root / "foreign", rubric, name="another round") as led:
        import_projects(led, PROJECTS)
        import_experts(led, EXPERTS)
        assign_experts(led, 3, seed=1)
        export_sheet(led, "E01", work / "foreign-E01.xlsx")
    return facts


def build_library(path: Path) -> None:
    """The base library: one open demand (D001); A001 in round 2025 and A101 (same name and applicant) in
    round 2026, their link proposed."""
    from tlr.library.achievements import add_round
    from tlr.library.demands import import_demands
    from tlr.library.store import open_library

    work = path.parent / "_library"
    work.mkdir()
    (work / "demands.csv").write_text(_csv([DEMAND_HEADER, ["D001"] + GOOD_DEMANDS[0][1:]]), encoding="utf-8")
    with open_library(path, create=True) as lib:
        import_demands(lib, work / "demands.csv")
        entry = {"name": "高温合金粉末", "applicant": "航空材料研究所", "industry": "new_materials", "region": "",
                 "keywords": [], "summary": "", "tier": None, "composite": None, "readiness": 4,
                 "readiness_source": "declared", "route": None, "ask": None, "rank": None, "knocked_out": False}
        for name, pid in (("2025", "A001"), ("2026", "A101")):
            add_round(lib, {"name": name, "year": int(name), "kind": "import", "source": "corpus", "source_id": name,
                            "head": name, "entries": 1, "verified": 1, "rules": {}}, [{**entry, "project_id": pid}])
    shutil.rmtree(work)


# ----------------------------------------------------------------------------------------- rubrics


def rubrics(c: Corpus) -> None:
    base = RUBRIC.read_text(encoding="utf-8")
    seed = c.write("rubrics/base.yaml", base)

    def check(name: str, data: bytes | str, expect: int = REFUSED, note: str = "", ext: str = "yaml",
              extra: list[str] | None = None, **kw) -> str:
        rel = c.write(f"rubrics/{name}.{ext}", data)
        c.add("rubric", name, [rel] + (extra or []), ["rubric", "check", path(rel)], expect, note, **kw)
        return rel

    def edit(old: str, new: str) -> str:
        assert old in base, old
        return base.replace(old, new, 1)

    c.add("rubric", "base-valid", seed, ["rubric", "check", path(seed)], ACCEPTED, "the seed rubric")
    c.add("rubric", "base-show", seed, ["rubric", "show", path(seed)], ACCEPTED, "shown")
    c.add("rubric", "base-init", seed, ["campaign", "init", "{tmp}/round", "--rubric", path(seed)], ACCEPTED,
          "a campaign from the seed rubric")
    # syntax and structure
    check("syntax-unclosed-flow", edit("anchors:\n", "anchors: {1: [poor\n"), note="unclosed flow collection")
    check("tab-indent", edit("    kind: likert", "\tkind: likert"), note="tab indentation")
    check("top-level-list", "- a\n- b\n", note="a list, not a mapping")
    check("top-level-scalar", "just text\n", note="a scalar")
    check("empty", "", note="empty file")
    check("comments-only", "# nothing here\n# at all\n", note="only comments")
    check("whitespace-only", "   \n\n\t\n", note="only whitespace")
    check("binary-junk", c.junk(4096), note="random bytes")
    check("nul-in-middle", base[:200].encode() + b"\x00" + base[200:].encode(), note="a NUL byte")
    check("png-named-yaml", b"\x89PNG\r\n\x1a\n" + c.junk(600), note="an image with a .yaml name")
    check("zip-named-yaml", zip_bytes({"a.yaml": base.encode()}), note="a zip archive")
    check("multi-document", base + "\n---\nid: second\n", note="two YAML documents")
    check("python-object-tag", "!!python/object/apply:os.system ['echo pwned']\n", note="arbitrary-object tag")
    check("python-name-tag", edit('id: hostile-base', 'id: !!python/name:os.system'), note="python name tag")
    check("binary-tag", edit('id: hostile-base', 'id: !!binary aGVsbG8='), note="!!binary tag")
    check("complex-key", "? [a, b]\n: 1\n" + base, note="a sequence as a mapping key")
    check("duplicate-key", edit("version: \"1.0\"", "version: \"1.0\"\nversion: \"2.0\""), note="duplicate key")
    check("duplicate-id", edit("{id: team,", "{id: novelty,"), note="two indicators with one id")
    check("unknown-top-key", base + "colour: red\n", note="unknown top-level key")
    check("id-traversal", edit("id: hostile-base", "id: ../../etc/passwd"), note="path traversal in the id")
    check("id-huge", edit("id: hostile-base", "id: " + "a" * 20000), note="a 20,000-character id")
    check("version-date", edit('version: "1.0"', "version: 2026-01-01"), note="a date where text is expected")
    check("version-float", edit('version: "1.0"', "version: 1.10"), note="1.10 read as 1.1")
    check("id-yes-bool", edit("{id: team,", "{id: yes,"), note="YAML 1.1 boolean as an id")
    check("merge-non-mapping", "base: &b [1, 2]\n<<: *b\n" + base, note="merge key with a list")
    # numbers
    check("weight-nan", edit("weight: 0.6", "weight: .nan"), note="NaN weight")
    check("weight-inf", edit("weight: 0.6", "weight: .inf"), note="infinite weight")
    check("min-neg-inf", edit("min: 1", "min: -.inf"), note="-inf scale minimum")
    check("weight-huge-int", edit("weight: 0.6", "weight: " + "9" * 5000), note="5,000-digit integer")
    check("weight-1e308", edit("weight: 0.6", "weight: 1e308"), note="1e308")
    check("weight-over-limit", edit("weight: 0.6", "weight: 1e16"), note="beyond ±1e15")
    check("weight-negative", edit("weight: 0.6", "weight: -0.6"), note="negative weight")
    check("weight-sum-two", edit("weight: 0.6", "weight: 1.6"), note="weights sum to 2")
    check("weight-string", edit("weight: 0.6", "weight: heavy"), note="text weight")
    check("weight-bool", edit("weight: 0.6", "weight: true"), note="boolean weight")
    check("likert-min-over-max", edit("min: 1\n    max: 5", "min: 5\n    max: 1"), note="min above max")
    check("level-huge", edit("{level: 4,", "{level: 100000000000000000000,"), note="a level of 1e20")
    check("anchor-key-nan", edit("1: {zh: 很差", ".nan: {zh: 很差"), note="NaN anchor key")
    # size and depth
    deep = "x: " + "[" * 150 + "]" * 150 + "\n"
    check("deep-flow-150", base + deep, note="150 nested lists")
    tree = "dimensions:\n"
    indent = "  "
    for k in range(40):
        tree += f"{indent}- id: d{k}\n{indent}  label: d{k}\n{indent}  children:\n"
        indent += "    "
    tree += f"{indent}- {{id: leaf, label: leaf, scale: likert5}}\n"
    head = base[: base.index("dimensions:")]
    check("tree-40-levels", head.replace("tiers:", "x:") + tree, note="a rubric tree 40 dimensions deep")
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9))
    check("alias-bomb", bomb + base, note="billion laughs: 10^9 values through aliases")
    check("alias-recursive", "a: &a [*a]\n" + base, note="a recursive alias")
    check("merge-bomb", "m0: &m0 {k0: 0}\n" + "".join(
        f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: {i}}}\n" for i in range(1, 25)) + base,
        note="merge keys doubling 24 times")
    check("values-200k", base + "junk: [" + ", ".join(["1"] * 200_000) + "]\n", note="200,000 values")
    check("over-5mb", base + "# " + "x" * (5 * 1024 * 1024) + "\n", note="over the 5 MB cap", slow=False)
    check("label-4mb", edit("label: {zh: 技术, en: Technology}", "label: " + "长" * 1_300_000),
          ACCEPTED, note="a 4 MB label is text, within the cap")
    # characters
    check("label-escape", edit("zh: 技术, en: Technology", 'zh: "技\\e[31m术", en: Technology'),
          note="ANSI escape in a label")
    check("label-bidi", edit("zh: 技术, en: Technology", 'zh: "技\\u202e术", en: Technology'), note="RLO in a label")
    check("label-nul", edit("zh: 技术, en: Technology", 'zh: "技\\0术", en: Technology'), note="NUL escape")
    check("label-surrogate", edit("zh: 技术, en: Technology", 'zh: "\\ud800", en: Technology'),
          note="a lone surrogate")
    check("id-zero-width", edit("{id: team,", "{id: te\u200bam,"), note="zero-width space in an id")
    check("label-raw-c1", edit("zh: 技术", "zh: 技\u009b31m术"), note="a raw C1 CSI (8-bit terminal escape)")
    check("label-raw-nel", edit("zh: 技术", "zh: 技\u0085术"), ACCEPTED, note="NEL is a YAML line break: folded")
    # encodings
    check("utf16le-bom", codecs.BOM_UTF16_LE + base.encode("utf-16-le"), note="UTF-16 with BOM")
    check("utf16le-nobom", base.encode("utf-16-le"), note="UTF-16 without BOM")
    check("gbk", base.encode("gbk"), note="GBK bytes")
    check("latin1", base.replace("技术", "Technik").encode("utf-8").replace(b"Technology", "Technolögy".encode(
        "latin-1")), note="one Latin-1 byte")
    check("utf8-bom", codecs.BOM_UTF8 + base.encode("utf-8"), ACCEPTED, note="UTF-8 BOM is fine")
    check("crlf", base.replace("\n", "\r\n"), ACCEPTED, note="CRLF line ends")
    check("cr-only", base.replace("\n", "\r"), ACCEPTED, note="CR-only line ends (old Mac)")
    check("overlong-utf8", base.encode() + b"# \xc0\xaf\n", note="overlong UTF-8 sequence")
    # references
    check("unknown-scale", edit("scale: likert5, weight: 0.5}", "scale: likert7, weight: 0.5}"),
          note="unknown scale")
    check("tier-unknown-ref", base + "gates:\n  - {id: g, label: g, when: {ref: nosuch, op: '<', value: 1}, "
                                     "effect: knockout}\n", note="gate names an unknown indicator")
    a = c.write("rubrics/cycle-a.yaml", "extends: cycle-b.yaml\nid: cycle-a\nversion: '1'\n")
    b = c.write("rubrics/cycle-b.yaml", "extends: cycle-a.yaml\nid: cycle-b\nversion: '1'\n")
    c.add("rubric", "extends-cycle", [a, b], ["rubric", "check", path(a)], REFUSED, "a extends b extends a")
    check("extends-self", "extends: extends-self.yaml\nid: s\nversion: '1'\n", note="extends itself")
    check("extends-missing", "extends: no-such-base.yaml\nid: s\nversion: '1'\n", note="extends a missing file")
    check("extends-dev-zero", "extends: /dev/zero\nid: s\nversion: '1'\n", note="extends a device")
    check("extends-dir", "extends: ../rubrics\nid: s\nversion: '1'\n", note="extends a folder")
    check("extends-traversal", "extends: ../../../../../../../../etc/passwd\nid: s\nversion: '1'\n",
          note="extends a system file by traversal: the error is located in that file", mention="/etc/passwd")
    check("imports-dev-zero", base + "imports: [/dev/zero]\n", note="imports a device")
    check("imports-rubric", base + "imports: [base.yaml]\n", note="imports a rubric, not a scale library")
    # strict JSON rubrics
    as_json = json.loads(json.dumps(__import__("yaml").safe_load(base), ensure_ascii=False, default=str))
    text = json.dumps(as_json, ensure_ascii=False, indent=1)
    check("json-valid", text, ACCEPTED, ext="json", note="the seed rubric as JSON")
    check("json-nan", text.replace('"weight": 0.6', '"weight": NaN', 1), ext="json", note="NaN in JSON")
    check("json-dup-key", text.replace('"version": "1.0"', '"version": "1.0", "version": "2.0"', 1), ext="json",
          note="duplicate key in JSON")
    check("json-trailing-comma", text[:-2] + ",\n}", ext="json", note="trailing comma")
    # AHP inside a rubric: consistency is a warning (exit 0), an error with --strict (exit 1)
    ahp = edit("    weight: 0.6\n    children:\n", "    weight: 0.6\n    ahp:\n      judgements:\n"
               "        - [novelty, trl, 9]\n    children:\n").replace(
        "scale: likert5, weight: 0.5}", "scale: likert5}").replace("scale: trl, weight: 0.5}", "scale: trl}")
    check("ahp-fraction-zero", ahp.replace("[novelty, trl, 9]", '[novelty, trl, "1/0"]'), note="1/0 judgement")
    check("ahp-zero", ahp.replace("[novelty, trl, 9]", "[novelty, trl, 0]"), note="judgement 0")
    check("ahp-unknown-child", ahp.replace("[novelty, trl, 9]", "[novelty, nosuch, 3]"), note="unknown child")
    three = ahp.replace("[novelty, trl, 9]", "[novelty, trl, 9]\n        - [trl, gap, 9]\n"
                        "        - [novelty, gap, \"1/9\"]").replace(
        "      - {id: trl,", "      - {id: gap, label: gap, scale: likert5}\n      - {id: trl,")
    rel = c.write("rubrics/ahp-inconsistent.yaml", three)
    c.add("rubric", "ahp-inconsistent", rel, ["rubric", "check", path(rel)], ACCEPTED, "CR far above 0.1: a warning")
    c.add("rubric", "ahp-inconsistent-strict", rel, ["rubric", "check", "--strict", path(rel)], FINDINGS,
          "the same with --strict")
    # special files
    if hasattr(os, "symlink"):
        link = c.root / "rubrics/dev-zero-link.yaml"
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink("/dev/zero", link)
        c.add("rubric", "symlink-dev-zero", "rubrics/dev-zero-link.yaml",
              ["rubric", "check", path("rubrics/dev-zero-link.yaml")], REFUSED, "a symlink to /dev/zero")
        loop = c.root / "rubrics/loop.yaml"
        os.symlink("loop.yaml", loop)
        c.add("rubric", "symlink-loop", "rubrics/loop.yaml", ["rubric", "check", path("rubrics/loop.yaml")],
              REFUSED, "a symlink to itself")
        c.add("rubric", "symlink-dev-zero-init", "rubrics/dev-zero-link.yaml",
              ["campaign", "init", "{tmp}/round", "--rubric", path("rubrics/dev-zero-link.yaml")], REFUSED,
              "a campaign from /dev/zero")
    if hasattr(os, "mkfifo"):
        os.mkfifo(c.root / "rubrics/fifo.yaml")
        c.add("rubric", "fifo", "rubrics/fifo.yaml", ["rubric", "check", path("rubrics/fifo.yaml")], REFUSED,
              "a FIFO (would hang a naive reader)")
    c.add("rubric", "show-nan", "rubrics/weight-nan.yaml", ["rubric", "show", path("rubrics/weight-nan.yaml")],
          REFUSED, "rubric show of a NaN weight")
    c.add("rubric", "doc-alias-bomb", "rubrics/alias-bomb.yaml",
          ["rubric", "doc", path("rubrics/alias-bomb.yaml"), "--out", "{tmp}/manual", "--format", "html"],
          REFUSED, "the scoring manual of an alias bomb")
    c.add("rubric", "init-bidi", "rubrics/label-bidi.yaml",
          ["campaign", "init", "{tmp}/round", "--rubric", path("rubrics/label-bidi.yaml")], REFUSED,
          "a campaign from a rubric with RLO")
    c.add("rubric", "rank-broken-rubric", "rubrics/weight-sum-two.yaml", ["rank", "{campaign}", "--draws", "50",
          "--rubric", path("rubrics/weight-sum-two.yaml")], REFUSED, "rank --rubric with a broken rubric")


# ----------------------------------------------------------------------------------------- tables


PROJECT_HEADER = ["项目编号", "项目名称", "申报单位", "行业", "成果类型", "项目简介"]
GOOD_PROJECTS = [["P101", "高温合金粉末", "航空材料研究所", "新材料", "技术开发", "粉末冶金。"],
                 ["P102", "工业视觉检测", "信息智能研究所", "信息智能", "应用研究", "缺陷检测。"]]
DEMAND_HEADER = ["需求编号", "需求名称", "企业名称", "所属行业", "所在地区", "需求描述", "可投入资金（万元）", "期望成熟度",
                 "联系电话"]
GOOD_DEMANDS = [["D101", "钢渣资源化利用", "唐山钢铁公司", "钢铁", "唐山市", "钢渣制备建材。", "500", "TRL6", "13800000001"],
                ["D102", "产线视觉质检", "迁安机械公司", "高端装备", "迁安市", "缺陷检测。", "1,200", "6级", ""]]
# follow-up events (tlr follow-up import) for A001 of the base library: column 1 is one-line text (对方单位), column 2
# the required date, as the shared cases expect of a table's second and third columns
FOLLOWUP_HEADER = ["成果编号", "对方单位", "日期", "类型", "金额（万元）", "说明"]
GOOD_FOLLOWUP = [["A001", "唐山钢铁公司", "2026-01-05", "合同", "300", "钢渣微粉供货"],
                 ["A001", "冀投产业基金", "2026-02-10", "后续投资", "1,200", ""]]
EXPERT_HEADER = ["专家编号", "姓名", "单位", "领域", "回避单位"]
GOOD_EXPERTS = [["E101", "周敏", "复旦大学", "新材料;信息智能", ""],
                ["E102", "吴刚", "南开大学", "新能源", "新能源科技有限公司"]]


def _csv(rows: list[list[str]], sep: str = ",", end: str = "\n") -> str:
    import csv

    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=end).writerows(rows)
    return buf.getvalue()


TABLE_KINDS = {   # kind -> (header, good rows, JSON keys, the store an import writes to)
    "projects": (PROJECT_HEADER, GOOD_PROJECTS, ["id", "name", "applicant", "industry", "achievement_type", "summary"],
                 ["-C", "{campaign}"]),
    "experts": (EXPERT_HEADER, GOOD_EXPERTS, ["id", "name", "institution", "fields", "conflicts"], ["-C", "{campaign}"]),
    "demands": (DEMAND_HEADER, GOOD_DEMANDS, ["id", "name", "enterprise", "industry", "region", "description", "budget",
                                              "expected_trl", "phone"], ["--library", "{campaign}/library.sqlite"]),
    "follow-up": (FOLLOWUP_HEADER, GOOD_FOLLOWUP, ["achievement_id", "counterparty", "date", "kind", "amount", "note"],
                  ["--library", "{campaign}/library.sqlite", "--as-of", "2027-12-31"]),
}


def tables(c: Corpus, kind: str) -> None:
    """Projects, experts or demand files: CSV encodings and dialects, XLSX attacks, strict JSON, bad ids and text."""
    header, good, keys, store = TABLE_KINDS[kind]
    name_col = 1

    def run(name: str, rel: str | list[str], expect: int, note: str, extra_args: tuple = (), **kw) -> None:
        files = [rel] if isinstance(rel, str) else rel
        c.add(kind, name, files, [kind, "import", path(files[0]), *store, *extra_args], expect, note, **kw)

    def csv_case(name: str, rows: list[list[str]], expect: int, note: str, *, enc: str = "utf-8", sep: str = ",",
                 end: str = "\n", prefix: bytes = b"", ext: str = "csv", extra_args: tuple = ()) -> str:
        rel = c.write(f"{kind}/{name}.{ext}", prefix + _csv(rows, sep, end).encode(enc))
        run(name, rel, expect, note, extra_args)
        return rel

    def with_cell(row: int, column: int, value: str) -> list[list[str]]:
        rows = [list(header)] + [list(r) for r in good]
        rows[row][column] = value
        return rows

    ok = [header] + good
    csv_case("csv-valid", ok, ACCEPTED, "a valid file")
    csv_case("csv-utf8-bom", ok, ACCEPTED, "UTF-8 with BOM", prefix=codecs.BOM_UTF8)
    csv_case("csv-utf16le-bom", ok, ACCEPTED, "UTF-16 LE with BOM", enc="utf-16-le", prefix=codecs.BOM_UTF16_LE)
    csv_case("csv-utf16be-bom", ok, ACCEPTED, "UTF-16 BE with BOM", enc="utf-16-be", prefix=codecs.BOM_UTF16_BE)
    csv_case("csv-utf32-bom", ok, ACCEPTED, "UTF-32 with BOM", enc="utf-32")
    csv_case("csv-gbk", ok, ACCEPTED, "GBK (Excel's Chinese CSV)", enc="gbk")
    csv_case("csv-gb18030", ok, ACCEPTED, "GB18030", enc="gb18030")
    if kind == "follow-up":
        english = [["achievement_id", "counterparty", "date", "kind", "amount"],
                   [good[0][0], "高溫合金粉末", "2026-01-05", "contract", "100"],
                   [good[1][0], "Beta Lab", "2026-02-05", "investment", "50"]]
    else:
        english = [["id", "name", {"projects": "applicant", "experts": "institution", "demands": "enterprise"}[kind],
                    "industry" if kind != "experts" else "fields"] + (["description"] if kind == "demands" else []),
                   [good[0][0], "高溫合金粉末", "Acme Institute", "new materials"] + (["x"] if kind == "demands" else []),
                   [good[1][0], "Vision", "Beta Lab", "steel"] + (["y"] if kind == "demands" else [])]

    def named(text: str) -> list[list[str]]:
        return [english[0], [english[1][0], text] + english[1][2:], english[2]]

    csv_case("csv-big5", english, REFUSED, "Big5 decodes as rare GB characters: refused, asks for --encoding",
             enc="big5")
    csv_case("csv-big5-named", english, ACCEPTED, "Big5 with --encoding big5", enc="big5",
             extra_args=("--encoding", "big5"))
    csv_case("csv-shift-jis", named("テスト漢字"), REFUSED, "Shift-JIS", enc="shift_jis")
    csv_case("csv-latin1", named("Café naïve"), REFUSED, "Latin-1", enc="latin-1")
    csv_case("csv-cp1252", named("“Smart” – quotes"), REFUSED, "CP1252", enc="cp1252")
    csv_case("csv-latin1-named", named("Café naïve"), ACCEPTED, "Latin-1 with --encoding latin-1",
             enc="latin-1", extra_args=("--encoding", "latin-1"))
    csv_case("csv-gbk-as-utf16", ok, REFUSED, "GBK bytes named UTF-16", enc="gbk",
             extra_args=("--encoding", "utf-16"))
    csv_case("csv-utf16-nobom", ok, REFUSED, "UTF-16 without a BOM", enc="utf-16-le")
    csv_case("csv-crlf", ok, ACCEPTED, "CRLF line ends", end="\r\n")
    csv_case("csv-cr-only", ok, ACCEPTED, "CR-only line ends", end="\r")
    csv_case("csv-tab", ok, ACCEPTED, "tab-separated", sep="\t")
    csv_case("csv-semicolon", ok, REFUSED, "semicolon-separated: one column, required columns missing", sep=";")
    mixed = "\r\n".join(_csv(ok).splitlines()[:2]) + "\n" + _csv(ok).splitlines()[2] + "\r"
    run("csv-mixed-line-ends", c.write(f"{kind}/csv-mixed-line-ends.csv", mixed), ACCEPTED, "LF, CRLF and CR mixed")
    rel = c.write(f"{kind}/csv-unterminated-quote.csv", _csv(ok) + good[0][0] + '9,"never closed\n')
    run("csv-unterminated-quote", rel, REFUSED, "a quote never closed")
    rel = c.write(f"{kind}/csv-nul.csv", _csv(ok).encode().replace(good[0][1].encode(), good[0][1].encode()[:3]
                                                                    + b"\x00" + good[0][1].encode()[3:]))
    run("csv-nul", rel, REFUSED, "a NUL byte in a name")
    csv_case("csv-escape-in-name", with_cell(1, name_col, "X\x1b[31mRED\x1b[0m"), REFUSED, "ANSI escape in a name")
    csv_case("csv-bidi-in-name", with_cell(1, name_col, "abc\u202etxt.exe"), REFUSED, "RLO in a name")
    csv_case("csv-zwj-in-org", with_cell(1, 2, "燕山\u200d大学"), REFUSED, "zero-width joiner in an institution")
    csv_case("csv-newline-in-name", with_cell(1, name_col, "two\nlines"), REFUSED, "a line break in a name")
    csv_case("csv-formula-name", with_cell(1, name_col, "=cmd|' /C calc'!A0"), ACCEPTED,
             "formula-injection text in a name: kept as text, neutralised on export")
    csv_case("csv-formula-id", with_cell(1, 0, "=cmd|' /C calc'!A0"), REFUSED, "formula-injection text as an id")
    csv_case("csv-id-traversal", with_cell(1, 0, "../../etc/passwd"), REFUSED, "path traversal in an id")
    csv_case("csv-id-dotdot", with_cell(1, 0, ".."), REFUSED, "'..' as an id")
    csv_case("csv-id-slash", with_cell(1, 0, "P/1"), REFUSED, "a slash in an id")
    csv_case("csv-id-space", with_cell(1, 0, "P 1"), REFUSED, "a space in an id")
    csv_case("csv-id-fullwidth", with_cell(1, 0, "Ｐ１０１"), REFUSED, "full-width letters in an id")
    csv_case("csv-id-65-chars", with_cell(1, 0, "P" * 65), REFUSED, "a 65-character id")
    csv_case("csv-id-control", with_cell(1, 0, "P1\x07"), REFUSED, "BEL in an id")
    if kind == "demands":
        csv_case("csv-id-empty", with_cell(1, 0, ""), ACCEPTED, "an empty id: derived from enterprise and name")
    else:
        csv_case("csv-id-empty", with_cell(1, 0, ""), REFUSED, "an empty id")
    csv_case("csv-duplicate-id", [header, good[0], good[0]], REFUSED, "the same id twice")
    if kind == "follow-up":
        csv_case("csv-unknown-achievement", with_cell(1, 0, "A404"), REFUSED, "an achievement the library does not know")
    else:
        existing = {"projects": "P001", "experts": "E01", "demands": "D001"}[kind]
        csv_case("csv-existing-id", with_cell(1, 0, existing), REFUSED, "an id already in the campaign")
    csv_case("csv-missing-column", [r[:1] + r[2:] for r in ok], REFUSED, "the name column missing")
    csv_case("csv-empty-required", with_cell(1, 2, ""), REFUSED, "an empty required field")
    csv_case("csv-duplicate-header", [header + [header[1]]] + [r + ["x"] for r in good], REFUSED,
             "two columns with one header")
    csv_case("csv-header-only", [header], REFUSED, "a header and no rows")
    run("csv-empty", c.write(f"{kind}/csv-empty.csv", b""), REFUSED, "an empty file")
    run("csv-blank-lines", c.write(f"{kind}/csv-blank-lines.csv", "\n\n  \n"), REFUSED, "blank lines only")
    csv_case("csv-cell-32768", with_cell(1, len(header) - 1, "长" * 32_768), REFUSED, "a cell over Excel's limit")
    wide = [header + [f"extra{k}" for k in range(100_000)]] + [r + [""] * 100_000 for r in good]
    csv_case("csv-100k-columns", wide, REFUSED, "100,000 columns")
    rows = [header] + [[f"{kind[0].upper()}{k:05d}"] + good[0][1:] for k in range(2000)]
    rows.append([rows[-1][0]] + good[0][1:])
    csv_case("csv-2000-rows-dup-last", rows, REFUSED, "2,001 rows, the last a duplicate: nothing imported")
    run("csv-binary", c.write(f"{kind}/csv-binary.csv", c.junk(2048)), REFUSED, "random bytes")
    run("csv-xlsx-inside", c.write(f"{kind}/csv-xlsx-inside.csv", xlsx(ok)), ACCEPTED,
        "an XLSX named .csv: recognised by its content, read with every XLSX check")
    run("csv-invalid-utf8", c.write(f"{kind}/csv-invalid-utf8.csv", _csv(ok).encode() + b"\xed\xa0\x80,x\n"),
        REFUSED, "an encoded surrogate (invalid UTF-8)")
    if kind == "projects":
        csv_case("csv-unknown-industry", with_cell(1, 3, "区块链"), REFUSED, "an unknown industry")
        csv_case("csv-unknown-type", with_cell(1, 4, "神秘类"), REFUSED, "an unknown achievement type")
        csv_case("csv-summary-multiline", with_cell(1, 5, "第一行\n第二行\r\n\t缩进"), ACCEPTED,
                 "line breaks and tabs in a summary are fine")
        csv_case("csv-summary-bidi", with_cell(1, 5, "摘要\u2066隐藏\u2069"), REFUSED, "an isolate in a summary")
    elif kind == "demands":
        csv_case("csv-unknown-industry", with_cell(1, 3, "区块链"), REFUSED, "an unknown industry")
        csv_case("csv-description-multiline", with_cell(1, 5, "第一行\n第二行\r\n\t缩进"), ACCEPTED,
                 "line breaks and tabs in a description are fine")
        csv_case("csv-description-bidi", with_cell(1, 5, "描述\u2066隐藏\u2069"), REFUSED, "an isolate in a description")
        for label, cell, expect in (("trl-10", "TRL10", REFUSED), ("trl-zero", "0", REFUSED), ("trl-words", "六级", REFUSED),
                                    ("trl-half", "6.5", REFUSED), ("trl-spaced", "TRL 7", ACCEPTED),
                                    ("trl-fullwidth", "ＴＲＬ７", ACCEPTED)):
            csv_case(f"csv-{label}", with_cell(1, 7, cell), expect, f"期望成熟度 {cell!r}")
        for label, cell, expect in (("budget-negative", "-5", REFUSED), ("budget-nan", "nan", REFUSED),
                                    ("budget-inf", "inf", REFUSED), ("budget-exponent", "1e400", REFUSED),
                                    ("budget-text", "五百", REFUSED), ("budget-fullwidth", "５００", ACCEPTED)):
            csv_case(f"csv-{label}", with_cell(1, 6, cell), expect, f"可投入资金 {cell!r}")
        csv_case("csv-phone-control", with_cell(1, 8, "138\x1b[2J"), REFUSED, "escape in a phone number")
        csv_case("csv-no-id-column", [r[1:] for r in [header] + good], ACCEPTED, "no 需求编号 column: ids derived")
        csv_case("csv-derived-duplicate", [header[1:]] + [good[0][1:], good[0][1:]], REFUSED,
                 "two rows with one enterprise and demand name: the same derived id")
    elif kind == "follow-up":
        for label, cell, expect in (("date-future", "2031-01-01", REFUSED), ("date-feb-30", "2026-02-30", REFUSED),
                                    ("date-slashes", "2026/01/05", REFUSED), ("date-excel-serial", "46027", REFUSED)):
            csv_case(f"csv-{label}", with_cell(1, 2, cell), expect, f"日期 {cell!r}")
        for label, cell, expect in (("kind-unknown", "奖金", REFUSED), ("kind-english", "Contract", ACCEPTED),
                                    ("kind-milestone-with-amount", "里程碑", REFUSED)):
            csv_case(f"csv-{label}", with_cell(1, 3, cell), expect, f"类型 {cell!r}")
        for label, cell, expect in (("amount-negative", "-5", REFUSED), ("amount-nan", "nan", REFUSED),
                                    ("amount-empty", "", REFUSED), ("amount-fullwidth", "３００", ACCEPTED)):
            csv_case(f"csv-{label}", with_cell(1, 4, cell), expect, f"金额 {cell!r}")
        csv_case("csv-note-multiline", with_cell(1, 5, "第一行\n第二行"), ACCEPTED, "line breaks in 说明 are fine")
    else:
        csv_case("csv-fields-empty", with_cell(1, 3, ";;"), REFUSED, "fields made of separators only")
        csv_case("csv-conflict-control", with_cell(1, 4, "某\x1b单位"), REFUSED, "escape in a conflict institution")
    if hasattr(os, "symlink"):
        os.symlink("/dev/zero", c.root / f"{kind}/dev-zero.csv")
        run("dev-zero-link", f"{kind}/dev-zero.csv", REFUSED, "a symlink to /dev/zero")
    if hasattr(os, "mkfifo"):
        os.mkfifo(c.root / f"{kind}/fifo.csv")
        run("fifo", f"{kind}/fifo.csv", REFUSED, "a FIFO")
    (c.root / f"{kind}/folder.csv").mkdir()
    c.add(kind, "folder", f"{kind}/folder.csv", [kind, "import", path(f"{kind}/folder.csv"), *store],
          REFUSED, "a folder named .csv")
    rel = c.write(f"{kind}/new\nline.csv", _csv(ok))
    run("newline-in-file-name", rel, ACCEPTED, "a line break in the file's name (content valid)")
    rel = c.write(f"{kind}/notes.txt", _csv(ok))
    run("unknown-extension", rel, ACCEPTED, "CSV text in a .txt file is read as CSV")

    # XLSX
    def x_case(name: str, data: bytes, expect: int, note: str, **kw) -> None:
        run(name, c.write(f"{kind}/{name}.xlsx", data), expect, note, **kw)

    x_case("xlsx-valid", xlsx(ok), ACCEPTED, "a valid workbook")
    x_case("xlsx-named-sheet-second", named_second(ok, {"projects": "项目", "experts": "专家", "demands": "需求",
                                                        "follow-up": "跟踪"}[kind]),
           ACCEPTED,
           "the data on the second sheet, named as the docs say; junk on the first")
    x_case("xlsx-formula", xlsx(with_cell(1, name_col, ("f", "CONCAT(\"a\",\"b\")", "ab"))), REFUSED,
           "a formula cell (with a cached value)")
    x_case("xlsx-formula-dde", xlsx(with_cell(1, name_col, ("f", "cmd|' /C calc'!A0"))), REFUSED, "a DDE formula")
    x_case("xlsx-error-cell", xlsx(with_cell(1, name_col, ("e", "#N/A"))), REFUSED, "an #N/A cell")
    x_case("xlsx-nan-number", xlsx(with_cell(1, name_col, ("n", "NaN"))), REFUSED, "a numeric cell holding NaN")
    x_case("xlsx-inf-number", xlsx(with_cell(1, name_col, ("n", "INF"))), REFUSED, "a numeric cell holding INF")
    x_case("xlsx-empty-number", xlsx(with_cell(1, name_col, ("n", ""))), REFUSED, "a numeric cell with no value")
    x_case("xlsx-bool-in-id", xlsx(with_cell(1, 0, ("b", 1))), REFUSED, "a boolean as an id")
    x_case("xlsx-control-inline", xlsx(with_cell(1, name_col, "a\x1b[2Jb")), REFUSED, "ESC in an inline string")
    x_case("xlsx-shared-index-oob", xlsx(with_cell(1, name_col, ("s", 99))), REFUSED,
           "a shared-string index that does not exist")
    doctype = '<!DOCTYPE worksheet [<!ENTITY x "xxxxxxxxxx">]>'
    x_case("xlsx-doctype", xlsx([], sheet=sheet_xml(ok, prolog=doctype)), REFUSED, "a DOCTYPE in the sheet")
    xxe = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    x_case("xlsx-xxe", xlsx([], sheet=sheet_xml(ok, prolog=xxe)), REFUSED, "an external entity (XXE)")
    laughs = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>"
    x_case("xlsx-billion-laughs", xlsx(ok, extra={"xl/sharedStrings.xml": (
        '<?xml version="1.0"?>' + laughs + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<si><t>&i;</t></si></sst>').encode()}), REFUSED, "billion laughs in the shared strings")
    x_case("xlsx-latin1-declared", xlsx([], sheet=sheet_xml(ok).replace(b'encoding="UTF-8"',
                                                                         b'encoding="ISO-8859-1"')), REFUSED,
           "an XML part declaring ISO-8859-1")
    bomb = sheet_xml(ok)[:-len(b"</worksheet>")] + b" " * (40 * 1024 * 1024) + b"</worksheet>"
    x_case("xlsx-zip-bomb", xlsx([], sheet=bomb), REFUSED, "40 MB of whitespace compressed ~1000:1")
    members = _base_xlsx()
    members["xl/worksheets/sheet1.xml"] = sheet_xml(ok)
    members.update({f"junk/{k}.xml": b"<a/>" for k in range(10_001)})
    x_case("xlsx-10001-members", zip_bytes(members), REFUSED, "10,001 files in the archive")
    x_case("xlsx-huge-dimension", xlsx([], sheet=sheet_xml(ok, dimension="A1:XFD1048576")), ACCEPTED,
           "a dimension claiming the whole grid: only the rows present are read")
    wide = [list(header) + [f"c{k}" for k in range(16_400)]] + [list(r) for r in good]
    x_case("xlsx-16400-columns", xlsx(wide), REFUSED, "more cells in a row than Excel allows")
    x_case("xlsx-missing-sheet", xlsx(ok, drop=("xl/worksheets/sheet1.xml",)), REFUSED,
           "the workbook names a sheet that is not in the archive")
    x_case("xlsx-no-workbook", xlsx(ok, drop=("xl/workbook.xml",)), REFUSED, "no workbook part")
    x_case("xlsx-not-zip", _csv(ok).encode(), REFUSED, "CSV text named .xlsx")
    x_case("xlsx-truncated", xlsx(ok)[:700], REFUSED, "a truncated archive")
    x_case("xlsx-empty-sheet", xlsx([]), REFUSED, "an empty sheet")
    x_case("xlsx-stored-garbage", zip_bytes({**_base_xlsx(), "xl/worksheets/sheet1.xml": c.junk(3000)},
                                            zipfile.ZIP_STORED), REFUSED, "random bytes as the sheet XML")
    traversal = _base_xlsx()
    traversal["xl/worksheets/sheet1.xml"] = sheet_xml(ok)
    traversal["../../../../tmp/tlr-evil.txt"] = b"evil"
    x_case("xlsx-member-traversal", zip_bytes(traversal), ACCEPTED,
           "an archive member named ../../../../tmp/tlr-evil.txt: never extracted, the sheet is fine")

    # JSON
    objs = [dict(zip(keys, r)) for r in good]

    def j_case(name: str, text: str | bytes, expect: int, note: str) -> None:
        run(name, c.write(f"{kind}/{name}.json", text), expect, note)

    j_case("json-valid", json.dumps(objs, ensure_ascii=False), ACCEPTED, "a list of objects")
    j_case("json-wrapped", json.dumps({kind: objs}, ensure_ascii=False), ACCEPTED, f'{{"{kind}": [...]}}')
    j_case("json-bom", codecs.BOM_UTF8 + json.dumps(objs, ensure_ascii=False).encode(), ACCEPTED, "UTF-8 BOM")
    base_text = json.dumps(objs, ensure_ascii=False)
    first = json.dumps(objs[0][keys[name_col]], ensure_ascii=False)
    j_case("json-nan", base_text.replace(first, "NaN", 1), REFUSED, "NaN")
    j_case("json-infinity", base_text.replace(first, "-Infinity", 1), REFUSED, "-Infinity")
    j_case("json-1e400", base_text.replace(first, "1e400", 1), REFUSED, "1e400 overflows")
    j_case("json-5000-digits", base_text.replace(first, "9" * 5000, 1), REFUSED, "a 5,000-digit integer")
    j_case("json-dup-key", base_text.replace(f'"{keys[name_col]}": ', f'"{keys[name_col]}": "x", "{keys[name_col]}": ', 1), REFUSED, "duplicate key")
    j_case("json-deep", "[" * 5000 + "]" * 5000, REFUSED, "5,000 nested arrays")
    j_case("json-deep-object", '{"a":' * 2000 + "1" + "}" * 2000, REFUSED, "2,000 nested objects")
    j_case("json-surrogate", base_text.replace(first, '"\\ud800"', 1), REFUSED, "a lone surrogate escape")
    j_case("json-control-escape", base_text.replace(first, '"a\\u001b[31mb"', 1), REFUSED, "an ESC escape")
    j_case("json-name-object", base_text.replace(first, '{"zh": "x"}', 1), REFUSED, "an object as a name")
    j_case("json-name-array-of-arrays", base_text.replace(first, '[["x"]]', 1), REFUSED, "nested arrays")
    j_case("json-name-true", base_text.replace(first, "true", 1), REFUSED, "true as a name")
    j_case("json-top-string", '"projects"', REFUSED, "a string at the top")
    j_case("json-top-number", "42", REFUSED, "a number at the top")
    j_case("json-null", "null", REFUSED, "null at the top")
    j_case("json-empty-list", "[]", REFUSED, "an empty list")
    j_case("json-trailing-garbage", base_text + " }", REFUSED, "text after the document")
    j_case("json-truncated", base_text[:-5], REFUSED, "cut off")
    j_case("json-comment", "// list\n" + base_text, REFUSED, "a comment (not JSON)")
    j_case("json-id-traversal", base_text.replace(json.dumps(objs[0][keys[0]]), '"..\\/..\\/x"', 1), REFUSED,
           "an escaped path traversal as an id")
    j_case("json-utf16", codecs.BOM_UTF16_LE + base_text.encode("utf-16-le"), ACCEPTED, "UTF-16 with a BOM")
    j_case("json-numbers-as-ids", base_text.replace(json.dumps(objs[0][keys[0]]), "101", 1),
           REFUSED if kind == "follow-up" else ACCEPTED, "a number as an id is the text 101"
           + (" (no such achievement: refused)" if kind == "follow-up" else ""))
    if kind == "experts":
        j_case("json-fields-list", base_text.replace(json.dumps(objs[0]["fields"], ensure_ascii=False),
                                                     '["新材料", "信息智能"]', 1), ACCEPTED, "fields as a list")
        j_case("json-fields-list-bad-item", base_text.replace(json.dumps(objs[0]["fields"], ensure_ascii=False),
                                                              '["新材料", "\\u202e"]', 1), REFUSED,
               "a bidi control as a list item")


# ----------------------------------------------------------------------------------------- answers


def answers(c: Corpus, facts: dict) -> None:
    items = facts["items"]["E01"]
    valid = {"novelty": "4", "trl": "3", "market_size": "12.5", "team": "是"}
    rows = [["project", "indicator", "value", "comment"]] + [[p, i, valid[i], ""] for p, i in items]
    pid, _ = items[0]

    def run(name: str, rel: str, expect: int, note: str, extra: tuple = ()) -> None:
        c.add("answers", name, rel, ["score", "--expert", "E01", "--from", path(rel), "-C", "{campaign}", *extra],
              expect, note)

    def with_value(indicator: str, value, ext: str = "csv"):
        out = [list(r) for r in rows]
        for r in out[1:]:
            if r[1] == indicator:
                r[2] = value
                break
        return out

    def a_csv(name: str, table: list[list], expect: int, note: str, enc: str = "utf-8", extra: tuple = ()) -> None:
        run(name, c.write(f"answers/{name}.csv", _csv(table).encode(enc)), expect, note, extra)

    a_csv("valid", rows, ACCEPTED, "every item of E01, valid")
    a_csv("valid-dry-run", rows, ACCEPTED, "checked only", extra=("--dry-run",))
    a_csv("gbk", rows, ACCEPTED, "GBK", enc="gbk")
    a_csv("empty-values", [r[:2] + [""] + r[3:] if k else r for k, r in enumerate(rows)], ACCEPTED,
          "every value empty: nothing to change")
    for name, ind, value, note in [
            ("likert-6", "novelty", "6", "above the scale"), ("likert-0", "novelty", "0", "below the scale"),
            ("likert-half", "novelty", "3.5", "between steps"), ("likert-nan", "novelty", "nan", "NaN as text"),
            ("likert-inf", "novelty", "inf", "inf as text"), ("numeric-1e309", "market_size", "1e309", "overflows"),
            ("numeric-neg", "market_size", "-1", "below the minimum"),
            ("numeric-digits", "market_size", "9" * 5000, "5,000 digits"),
            ("numeric-hex", "market_size", "0x10", "hexadecimal"), ("level-0", "trl", "0", "no such level"),
            ("level-9", "trl", "9", "no such level"), ("level-frac", "trl", "2.5", "a fractional level"),
            ("bool-maybe", "team", "也许", "neither yes nor no"),
            ("likert-formula-text", "novelty", "=1+2", "formula text as a value")]:
        a_csv(name, with_value(ind, value), REFUSED, note)
    a_csv("bool-english", with_value("team", "yes"), ACCEPTED, "yes for a boolean")
    a_csv("likert-fullwidth", with_value("novelty", "４"), ACCEPTED, "a full-width digit is the digit (NFKC)")
    a_csv("comment-injection", [r[:3] + ["=cmd|' /C calc'!A0"] if k else r for k, r in enumerate(rows)], ACCEPTED,
          "formula-injection text in a comment: kept as text")
    a_csv("comment-multiline", [r[:3] + ["第一行\n第二行"] if k else r for k, r in enumerate(rows)], ACCEPTED,
          "a two-line comment")
    a_csv("comment-escape", [r[:3] + ["x\x1b]0;pwned\x07"] if k else r for k, r in enumerate(rows)], REFUSED,
          "an OSC escape in a comment")
    a_csv("comment-bidi", [r[:3] + ["批准\u202e准批"] if k else r for k, r in enumerate(rows)], REFUSED,
          "RLO in a comment")
    a_csv("unknown-indicator", rows + [[pid, "nosuch", "3", ""]], REFUSED, "an unknown indicator")
    a_csv("unknown-project", rows + [["P999", "novelty", "3", ""]], REFUSED, "an unknown project")
    a_csv("unassigned-project", rows + [[facts["unassigned"], "novelty", "3", ""]], REFUSED,
          "a project not assigned to E01")
    a_csv("project-traversal", rows + [["../../x", "novelty", "3", ""]], REFUSED, "a traversal as a project id")
    a_csv("duplicate-row", rows + [rows[1]], REFUSED, "the same item twice")
    a_csv("expert-mismatch", [r + (["expert"] if k == 0 else ["E02"]) for k, r in enumerate(rows)], REFUSED,
          "an expert column naming someone else")
    a_csv("missing-value-column", [r[:2] for r in rows], REFUSED, "no value column")
    run("binary", c.write("answers/binary.csv", c.junk(1500)), REFUSED, "random bytes")
    run("empty", c.write("answers/empty.csv", b""), REFUSED, "an empty file")
    # XLSX and JSON answers
    run("xlsx-valid", c.write("answers/xlsx-valid.xlsx", xlsx(rows)), ACCEPTED, "a workbook")
    run("xlsx-formula", c.write("answers/xlsx-formula.xlsx", xlsx(with_value("novelty", ("f", "2+2", "4")))),
        REFUSED, "a formula as a value (cached 4)")
    run("xlsx-error", c.write("answers/xlsx-error.xlsx", xlsx(with_value("novelty", ("e", "#DIV/0!")))), REFUSED,
        "#DIV/0! as a value")
    run("xlsx-nan", c.write("answers/xlsx-nan.xlsx", xlsx(with_value("market_size", ("n", "NaN")))), REFUSED,
        "a NaN number")
    run("xlsx-number", c.write("answers/xlsx-number.xlsx", xlsx(with_value("novelty", 4))), ACCEPTED,
        "a numeric cell")
    objs = [dict(zip(rows[0], r)) for r in rows[1:]]
    text = json.dumps(objs, ensure_ascii=False)
    run("json-valid", c.write("answers/json-valid.json", text), ACCEPTED, "JSON")
    run("json-bool-true", c.write("answers/json-bool-true.json", text.replace('"是"', "true", 1)), ACCEPTED,
        "true for a yes/no indicator")
    run("json-bool-for-likert", c.write("answers/json-bool-for-likert.json",
                                        text.replace('"value": "4"', '"value": true', 1)), REFUSED,
        "true for a 1-5 rating")
    run("json-nan", c.write("answers/json-nan.json", text.replace('"value": "4"', '"value": NaN', 1)), REFUSED, "NaN")
    run("json-number-1e999", c.write("answers/json-number-1e999.json",
                                     text.replace('"value": "12.5"', '"value": 1e999', 1)), REFUSED, "1e999")
    run("json-dup-key", c.write("answers/json-dup-key.json", text.replace('"value": "4"',
                                                                          '"value": "4", "value": "5"', 1)),
        REFUSED, "two values for one key")
    c.add("answers", "unknown-expert", "answers/valid.csv",
          ["score", "--expert", "../E01", "--from", path("answers/valid.csv"), "-C", "{campaign}"], REFUSED,
          "an expert id with a traversal", mention="../E01")


# ----------------------------------------------------------------------------------------- scoresheets


def sheets(c: Corpus, facts: dict, issued: Path) -> None:
    from openpyxl import load_workbook

    score_col, comment_col = 6, 7
    e01 = (issued / "E01.xlsx").read_bytes()
    items = facts["items"]["E01"]
    valid = {"novelty": "4", "trl": "3", "market_size": "12.5", "team": "是"}

    def edit(name: str, change, src: bytes = e01) -> bytes:
        wb = load_workbook(io.BytesIO(src))
        change(wb)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    def scores(ws):
        return [r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value]

    def fill(wb, values=None):
        ws = wb["评分表 Scores"]
        for r in scores(ws):
            ws.cell(r, score_col).value = (values or valid)[ws.cell(r, 3).value]

    def run(name: str, data: bytes, expect: int, note: str, extra: tuple = (), **kw) -> str:
        rel = c.write(f"sheets/{name}.xlsx", data)
        c.add("sheets", name, rel, ["sheets", "import", path(rel), "-C", "{campaign}", *extra], expect, note, **kw)
        return rel

    good = run("filled", edit("filled", fill), ACCEPTED, "every score filled")
    run("as-exported", e01, ACCEPTED, "returned unchanged: nothing to change")
    run("filled-dry-run", edit("x", fill), ACCEPTED, "checked only", extra=("--dry-run",))

    def meta(key, value):
        def change(wb):
            fill(wb)
            ws = wb["_meta"]
            for r in range(1, ws.max_row + 1):
                if ws.cell(r, 1).value == key:
                    ws.cell(r, 2).value = value
        return change

    run("meta-token", edit("x", meta("token", "0" * 32)), REFUSED, "a forged token")
    run("meta-expert", edit("x", meta("expert_id", "E02")), REFUSED, "relabelled for another expert")
    run("meta-campaign", edit("x", meta("campaign_id", "f" * 32)), REFUSED, "another campaign id")
    run("meta-rubric", edit("x", meta("rubric_hash", "0" * 64)), REFUSED, "another rubric hash")
    run("meta-position", edit("x", meta("audit_seq", 999999)), REFUSED, "the audit position moved")
    run("meta-formula", edit("x", meta("expert_id", "=\"E0\"&\"1\"")), REFUSED, "a formula in the hidden data")

    def drop(title):
        def change(wb):
            fill(wb)
            del wb[title]
        return change

    run("meta-deleted", edit("x", drop("_meta")), REFUSED, "the hidden sheet deleted")
    run("scores-deleted", edit("x", drop("评分表 Scores")), REFUSED, "the scores sheet deleted")

    def rename(wb):
        wb["评分表 Scores"].title = "Scores"
    run("scores-renamed", edit("x", rename), REFUSED, "the scores sheet renamed")

    def header(wb):
        fill(wb)
        wb["评分表 Scores"].cell(1, score_col).value = "Score"
    run("header-changed", edit("x", header), REFUSED, "the header row edited")

    def cell_at(indicator, value):
        def change(wb):
            fill(wb)
            ws = wb["评分表 Scores"]
            r = next(r for r in scores(ws) if ws.cell(r, 3).value == indicator)
            ws.cell(r, score_col).value = value
        return change

    run("formula-score", edit("x", cell_at("novelty", "=2+2")), REFUSED, "a formula as a score")
    run("formula-dde", edit("x", cell_at("novelty", "=cmd|' /C calc'!A0")), REFUSED, "a DDE formula as a score")
    run("score-out-of-range", edit("x", cell_at("novelty", 7)), REFUSED, "7 on a 1-5 scale")
    run("score-text", edit("x", cell_at("market_size", "很多")), REFUSED, "text for a number")
    run("score-level-frac", edit("x", cell_at("trl", 2.5)), REFUSED, "level 2.5")
    for k, marker in enumerate(["撤回", "WITHDRAW", "Withdraw", " withdraw ", "wItHdRaW"]):
        run(f"withdraw-{k}", edit("x", cell_at("novelty", marker)), ACCEPTED, f"withdraw marker {marker!r}")
    for k, marker in enumerate(["withdrawn", "撤 回", "withdraw!", "撤回\u200b"]):
        run(f"withdraw-odd-{k}", edit("x", cell_at("novelty", marker)), REFUSED, f"not a marker: {marker!r}")

    def comment(text):
        def change(wb):
            fill(wb)
            ws = wb["评分表 Scores"]
            ws.cell(scores(ws)[0], comment_col).value = text
        return change

    run("comment-injection", edit("x", comment("=HYPERLINK(\"http://evil\",\"x\")")), REFUSED,
        "a formula in a comment cell")
    run("comment-text-injection", edit("x", comment("'=not a formula")), ACCEPTED, "quoted formula text")
    run("comment-c1-csi", edit("x", comment("x\u009b2Jy")), REFUSED, "an 8-bit CSI (C1 control) in a comment")
    run("comment-bidi", edit("x", comment("批准\u202e准批")), REFUSED, "RLO in a comment")
    run("comment-excel-escape", patch(edit("x", comment("PLACEHOLDER")), b"PLACEHOLDER", b"x_x001B_[2Jy"), ACCEPTED,
        "Excel's _x001B_ escape stays literal text (never an ESC)")

    def evidence(wb):
        fill(wb)
        ws = wb["评分表 Scores"]
        ws.cell(scores(ws)[0], comment_col + 1).value = "报告\u2066第3页\u2069"
    run("evidence-isolate", edit("x", evidence), REFUSED, "bidi isolates in an evidence cell")

    def delete_rows(n):
        def change(wb):
            fill(wb)
            ws = wb["评分表 Scores"]
            ws.delete_rows(2, n)
        return change

    run("rows-deleted", edit("x", delete_rows(2)), ACCEPTED, "two rows deleted: their answers are kept")
    run("all-rows-deleted", edit("x", delete_rows(len(items))), ACCEPTED, "every row deleted: nothing changes")

    def foreign_row(wb):
        fill(wb)
        ws = wb["评分表 Scores"]
        r = ws.max_row + 1
        for k, v in enumerate([facts["unassigned"], "x", "novelty", "x", "x", 3], start=1):
            ws.cell(r, k).value = v
    run("row-not-assigned", edit("x", foreign_row), REFUSED, "a row for a project not assigned to E01")

    def dup_row(wb):
        fill(wb)
        ws = wb["评分表 Scores"]
        r = ws.max_row + 1
        for k in range(1, 9):
            ws.cell(r, k).value = ws.cell(2, k).value
    run("row-duplicated", edit("x", dup_row), REFUSED, "one item twice")

    def comment_only(wb):
        ws = wb["评分表 Scores"]
        r = scores(ws)[-1]
        ws.cell(r, score_col).value = None
        ws.cell(r, comment_col).value = "只有意见"
    run("comment-without-score", edit("x", comment_only), ACCEPTED, "a comment without a score (a warning)")
    run("foreign-campaign", (issued / "foreign-E01.xlsx").read_bytes(), REFUSED, "a sheet of another campaign")
    run("projects-workbook", xlsx([PROJECT_HEADER] + GOOD_PROJECTS), REFUSED, "a workbook that is no scoresheet")
    e02 = (issued / "E02.xlsx").read_bytes()
    pid, iid = facts["stale"]

    def stale(wb):
        ws = wb["评分表 Scores"]
        for r in scores(ws):
            if (ws.cell(r, 1).value, ws.cell(r, 3).value) == (pid, iid):
                ws.cell(r, score_col).value = "1" if iid != "team" else "否"
    stale_rel = run("stale-E02", edit("x", stale, e02), REFUSED, "changes an answer changed after the export")
    c.add("sheets", "stale-E02-keep-newer", stale_rel, ["sheets", "import", path(stale_rel), "--keep-newer", "-C",
                                                         "{campaign}"], ACCEPTED, "--keep-newer keeps the ledger's")
    c.add("sheets", "stale-E02-overwrite", stale_rel, ["sheets", "import", path(stale_rel), "--overwrite-newer",
                                                       "-C", "{campaign}"], ACCEPTED, "--overwrite-newer")
    c.add("sheets", "stale-both-options", stale_rel, ["sheets", "import", path(stale_rel), "--keep-newer",
                                                      "--overwrite-newer", "-C", "{campaign}"], REFUSED,
          "contradictory options", mention="--keep-newer")
    bad = c.root / "sheets/score-out-of-range.xlsx"
    c.add("sheets", "one-good-one-bad", [good, "sheets/score-out-of-range.xlsx"],
          ["sheets", "import", path(good), path("sheets/score-out-of-range.xlsx"), "-C", "{campaign}"], REFUSED,
          "a good and a bad sheet: neither is imported", mention=bad.name)
    # the archive itself
    with zipfile.ZipFile(io.BytesIO(e01)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    doctyped = {n: (b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + d
                    if n.startswith("xl/worksheets/sheet") else d) for n, d in parts.items()}
    run("doctype", zip_bytes(doctyped), REFUSED, "an external entity in the scores sheet")
    bomb = dict(parts)
    bomb["xl/padding.xml"] = b"<a>" + b" " * (40 * 1024 * 1024) + b"</a>"
    run("zip-bomb", zip_bytes(bomb), REFUSED, "a 40 MB member compressed ~1000:1")
    run("not-zip", b"PK\x03\x04" + c.junk(500), REFUSED, "a zip header and junk")
    run("truncated", e01[: len(e01) // 2], REFUSED, "cut in half")
    run("empty", b"", REFUSED, "an empty file")
    if hasattr(os, "mkfifo"):
        os.mkfifo(c.root / "sheets/fifo.xlsx")
        c.add("sheets", "fifo", "sheets/fifo.xlsx", ["sheets", "import", path("sheets/fifo.xlsx"), "-C",
                                                     "{campaign}"], REFUSED, "a FIFO")
    if hasattr(os, "symlink"):
        os.symlink("/dev/zero", c.root / "sheets/dev-zero.xlsx")
        c.add("sheets", "dev-zero", "sheets/dev-zero.xlsx", ["sheets", "import", path("sheets/dev-zero.xlsx"), "-C",
                                                             "{campaign}"], REFUSED, "a symlink to /dev/zero")


# ----------------------------------------------------------------------------------------- TRL documents


def trl(c: Corpus) -> None:
    root = Path(__file__).resolve().parents[2]
    example = (root / "examples/trl/assessment.yaml").read_text(encoding="utf-8")
    for name in os.listdir(root / "examples/trl/evidence"):
        src = root / "examples/trl/evidence" / name
        if src.is_file():
            c.write(f"trl/evidence/{name}", src.read_bytes())
    c.write("trl/answers.yaml", (root / "examples/trl/answers.yaml").read_text(encoding="utf-8"))

    def doc(name: str, text: str | bytes, expect: int, note: str, ext: str = "yaml", **kw) -> str:
        rel = c.write(f"trl/{name}.{ext}", text)
        c.add("trl", name, rel, ["trl", "show", path(rel)], expect, note, **kw)
        return rel

    def edit(old: str, new: str) -> str:
        assert old in example, old
        return example.replace(old, new, 1)

    ok = doc("example", example, ACCEPTED, "the shipped example assessment")
    c.add("trl", "record-example", ok, ["campaign", "trl-record", path(ok), "--project", "P001", "-C", "{campaign}"],
          ACCEPTED, "stored in the campaign")
    c.add("trl", "record-unknown-project", ok, ["campaign", "trl-record", path(ok), "--project", "../P001", "-C",
                                                "{campaign}"], REFUSED, "an unknown project", mention="../P001")
    c.add("trl", "record-unknown-cte", ok, ["campaign", "trl-record", path(ok), "--project", "P001", "--cte",
                                            "nosuch", "-C", "{campaign}"], REFUSED, "an unknown CTE",
          mention="nosuch")
    doc("baseline-nan", edit("baseline: 3", "baseline: .nan"), REFUSED, "NaN baseline")
    doc("baseline-huge", edit("baseline: 3", "baseline: " + "7" * 5000), REFUSED, "5,000 digits")
    doc("name-bidi", edit("zh: 压电声学传感阵列", 'zh: "压电\\u202e声学"'), REFUSED, "RLO in a name")
    doc("name-nul", edit("zh: 压电声学传感阵列", 'zh: "压电\\0声学"'), REFUSED, "NUL in a name")
    doc("empty", "", REFUSED, "empty")
    doc("binary", c.junk(1024), REFUSED, "random bytes")
    doc("alias-bomb", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9)) + example, REFUSED,
        "billion laughs")
    doc("ladder-traversal", edit("ladder: trl-cn-development", "ladder: ../../../../../../../../etc/passwd"),
        REFUSED, "a ladder path that is a system file: the error is located in it", mention="/etc/passwd")
    doc("duplicate-key", example + "\nproject: again\n", REFUSED, "a duplicate key")
    doc("top-list", "- 1\n- 2\n", REFUSED, "a list")
    doc("gbk", example.encode("gbk", errors="replace"), REFUSED, "GBK bytes")
    data = __import__("yaml").safe_load(example)
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    doc("json-valid", text, ACCEPTED, "the example as JSON", ext="json")
    doc("json-nan", text.replace('"baseline": 3', '"baseline": NaN', 1), REFUSED, "NaN in JSON", ext="json")
    doc("json-dup", text.replace('"baseline": 3', '"baseline": 3, "baseline": 4', 1), REFUSED, "duplicate key",
        ext="json")
    moved = c.write("trl/elsewhere/assessment.yaml", example)
    c.add("trl", "evidence-missing", moved, ["trl", "show", path(moved)], ACCEPTED,
          "evidence files not beside it: warnings only")
    c.add("trl", "evidence-missing-strict", moved, ["trl", "show", "--strict", path(moved)], FINDINGS,
          "the same with --strict: findings")
    c.add("trl", "assess-answers", "trl/answers.yaml", ["trl", "assess", "{tmp}/new.yaml", "--answers",
                                                        path("trl/answers.yaml")], ACCEPTED,
          "answers merged into a new document in the case's folder")
    bad = c.write("trl/answers-nan.yaml", (root / "examples/trl/answers.yaml").read_text("utf-8") + "\nx: .nan\n")
    c.add("trl", "assess-answers-nan", bad, ["trl", "assess", "{tmp}/new.yaml", "--answers", path(bad)], REFUSED,
          "a NaN in an answers file")
    c.add("trl", "ladder-dev-zero", "trl/example.yaml", ["trl", "ladders", "/dev/zero"], REFUSED,
          "a device as a ladder", mention="/dev/zero")


# ----------------------------------------------------------------------------------------- AHP


def ahp(c: Corpus) -> None:
    leader = ",Experience,Education,Charisma,Age\nExperience,1,4,3,7\nEducation,1/4,1,1/3,3\n" \
             "Charisma,1/3,3,1,5\nAge,1/7,1/3,1/5,1\n"

    def run(name: str, text: str | bytes, expect: int, note: str, ext: str = "csv", extra: tuple = ()) -> str:
        rel = c.write(f"ahp/{name}.{ext}", text)
        c.add("ahp", name, rel, ["ahp", path(rel), *extra], expect, note)
        return rel

    run("leader", leader, ACCEPTED, "Wikipedia's leader example")
    run("leader-bom-crlf", codecs.BOM_UTF8 + leader.replace("\n", "\r\n").encode(), ACCEPTED, "BOM and CRLF")
    run("leader-yaml", "labels: [Experience, Education, Charisma, Age]\njudgements:\n"
        "  Experience: {Education: 4, Charisma: 3, Age: 7}\n  Education: {Charisma: 1/3, Age: 3}\n"
        "  Charisma: {Age: 5}\n", ACCEPTED, "the same as YAML", ext="yaml")
    bad = ",A,B,C\nA,1,9,1/9\nB,1/9,1,9\nC,9,1/9,1\n"
    run("inconsistent", bad, ACCEPTED, "CR far above 0.1: a warning")
    run("inconsistent-strict", bad, FINDINGS, "the same with --strict", extra=("--strict",))
    for name, old, new, note in [("nan", "1/4", "nan", "NaN"), ("inf", "1/4", "inf", "infinity"),
                                 ("zero", "1/4", "0", "zero"), ("negative", "1/4", "-4", "negative"),
                                 ("div-zero", "1/4", "1/0", "a division by zero"),
                                 ("huge", "1/4", "1e308", "1e308"), ("digits", "1/4", "9" * 5000, "5,000 digits"),
                                 ("text", "1/4", "lots", "text"), ("formula", "1/4", "=1/4", "formula text"),
                                 ("control", "1/4", "1/\x1b4", "an escape")]:
        run(name, leader.replace(old, new, 1), REFUSED, note)
    run("non-square", ",A,B\nA,1,3\n", REFUSED, "one row for two columns")
    run("ragged", ",A,B\nA,1,3,5\nB,1/3,1\n", REFUSED, "a row too long")
    run("dup-labels", ",A,A\nA,1,3\nA,1/3,1\n", REFUSED, "one label twice")
    run("label-bidi", ",A,B\u202e\nA,1,3\nB\u202e,1/3,1\n", REFUSED, "RLO in a label")
    run("empty", "", REFUSED, "empty")
    run("binary", c.junk(800), REFUSED, "random bytes")
    run("gbk-labels", ",技术,市场\n技术,1,3\n市场,1/3,1\n".encode("gbk"), ACCEPTED,
        "GBK labels: GB18030 is the documented fallback")
    run("yaml-alias-bomb", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9)) + "labels: [A, B]\n"
        "matrix: [[1, 1], [1, 1]]\n", REFUSED, "billion laughs", ext="yaml")
    run("yaml-nan", "labels: [A, B]\nmatrix:\n  - [1, .nan]\n  - [1, 1]\n", REFUSED, ".nan", ext="yaml")
    run("yaml-unknown-item", "labels: [A, B]\njudgements:\n  A: {C: 3}\n", REFUSED, "an unknown item", ext="yaml")
    run("json-dup", '{"labels": ["A", "B"], "matrix": [[1, 3], [0.3333, 1]], "matrix": [[1, 1], [1, 1]]}',
        REFUSED, "a duplicate key", ext="json")
    big = ",".join([""] + [f"c{k}" for k in range(60)]) + "\n" + "".join(
        f"c{i}," + ",".join("1" for _ in range(60)) + "\n" for i in range(60))
    run("sixty-by-sixty", big, REFUSED, "a 60x60 matrix: no random-index table covers n = 60")
    c.add("ahp", "group-two-files", ["ahp/leader.csv", "ahp/inconsistent.csv"],
          ["ahp", path("ahp/leader.csv"), path("ahp/inconsistent.csv"), "--group", "aij"], REFUSED,
          "a panel whose matrices compare different items", mention="inconsistent.csv")


# ----------------------------------------------------------------------------------------- decision methods


def mcda(c: Corpus) -> None:
    """Plain tables for ``tlr stats topsis|entropy|critic`` and matrices for ``tlr stats fuzzy-ahp``."""
    aircraft = ("aircraft,speed,range,payload,cost,reliability,manoeuvrability\nA1,2.0,1500,20000,5.5,5,9\n"
                "A2,2.5,2700,18000,6.5,3,5\nA3,1.8,2000,21000,4.5,7,7\nA4,2.2,1800,20000,5.0,5,5\n")
    weights = "0.2,0.1,0.1,0.1,0.2,0.3"
    rel = c.write("stats/aircraft.csv", aircraft)
    c.add("stats", "topsis-aircraft", rel, ["stats", "topsis", path(rel), "--weights", weights, "--cost", "cost"],
          ACCEPTED, "Hwang & Yoon's fighter-aircraft example")
    c.add("stats", "entropy-aircraft", rel, ["stats", "entropy", path(rel), "--cost", "cost"], ACCEPTED, "entropy")
    c.add("stats", "critic-aircraft", rel, ["stats", "critic", path(rel)], ACCEPTED, "CRITIC")
    c.add("stats", "topsis-unknown-cost", rel, ["stats", "topsis", path(rel), "--weights", weights, "--cost",
                                                "price\x1b[31m"], REFUSED, "an unknown --cost column with an escape")
    for name, text, note in [("missing-cell", aircraft.replace("5.5", "", 1), "an empty cell"),
                             ("nan-cell", aircraft.replace("5.5", "nan", 1), "nan"),
                             ("all-zero", aircraft.replace("5.5", "0").replace("6.5", "0").replace("4.5", "0")
                              .replace(",5.0,", ",0,"), "an all-zero criterion")]:
        rel2 = c.write(f"stats/{name}.csv", text)
        c.add("stats", f"topsis-{name}", rel2, ["stats", "topsis", path(rel2), "--weights", weights], REFUSED, note)
    c.add("stats", "fuzzy-ahp-leader", "ahp/leader.csv", ["stats", "fuzzy-ahp", path("ahp/leader.csv")], ACCEPTED,
          "crisp judgements through the TFN scale")
    rel = c.write("stats/tfn.yaml", "labels: [A, B, C]\ntfn:\n  A: {B: [1, 2, 3], C: [2, 3, 4]}\n  B: {C: [1, 2, 3]}\n")
    c.add("stats", "fuzzy-ahp-tfn", rel, ["stats", "fuzzy-ahp", path(rel), "--method", "chang"], ACCEPTED,
          "a TFN file, Chang's extent analysis")
    rel = c.write("stats/tfn-bad.yaml", "labels: [A, B]\ntfn:\n  A: {B: [3, 2, .nan]}\n")
    c.add("stats", "fuzzy-ahp-tfn-nan", rel, ["stats", "fuzzy-ahp", path(rel)], REFUSED, "NaN in a triangle")


# ----------------------------------------------------------------------------------------- the whole corpus


def generate(outdir: str | os.PathLike) -> tuple[list[Case], Path]:
    """Write the corpus under *outdir* (which must be empty or absent); returns (cases, base campaign)."""
    root = Path(outdir)
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise SystemExit(f"{root} is not empty")
    c = Corpus(root)
    facts = build_campaign(root)
    rubrics(c)
    tables(c, "projects")
    tables(c, "experts")
    tables(c, "demands")
    tables(c, "follow-up")
    c.write("follow-up/stages.yaml", (Path(__file__).resolve().parents[1] / "outcomes" / "stage_defaults.yaml")
            .read_text(encoding="utf-8"))
    c.write("library/achievements.csv", _csv([["成果编号", "成果名称", "第一完成单位", "所属行业", "技术成熟度", "投资需求（万元）"],
                                              ["U1", "钢渣微粉", "燕山大学", "钢铁", "TRL5", "300"]]))
    answers(c, facts)
    sheets(c, facts, root / "_issued")
    trl(c)
    ahp(c)
    mcda(c)
    # a plain subjects x raters table for `tlr stats` (Shrout & Fleiss 1979, Table 2, one row incomplete)
    c.write("stats/ratings.csv", "target,J1,J2,J3,J4\nS1,9,2,5,8\nS2,6,1,3,2\nS3,8,4,6,8\nS4,7,1,2,6\n"
                                 "S5,10,5,6,9\nS6,6,2,4,7\nS7,5,,3,\n")
    manifest = {"seed": SEED, "campaign": "campaign", "cases": [asdict(k) for k in c.cases]}
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return c.cases, root / "campaign"


def summary(cases: list[Case]) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {}
    for k in cases:
        out.setdefault(k.kind, {}).setdefault(k.expect, 0)
        out[k.kind][k.expect] += 1
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/hostile/generate.py OUTDIR", file=sys.stderr)
        return 2
    cases, _ = generate(argv[0])
    files = {f for k in cases for f in k.files}
    print(f"{len(cases)} cases, {len(files)} files in {argv[0]}")
    for kind, counts in summary(cases).items():
        print(f"  {kind:9} " + "  ".join(f"exit {e}: {n}" for e, n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
