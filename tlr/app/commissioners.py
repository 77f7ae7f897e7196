"""Technology commissioners (科技特派员) from a file, for ``tlr match --commissioners``.

Columns (Chinese or English headers, as an expert file has them): 编号*, 姓名*, 单位*, 专业领域 (industries or
fields, a list), 服务地区 (places served, a list), 研究方向 / 擅长 / 简介 (free text). Read all-or-nothing with
located errors (the import machinery of :mod:`tlr.campaign.imports`); contact columns are never read.
"""

from __future__ import annotations

from pathlib import Path

from tlr.campaign.imports import Column

COMMISSIONER_COLUMNS: list[Column] = [
    Column("id", ("id", "编号", "特派员编号", "专家编号", "code"), True, kind="id", zh="编号"),
    Column("name", ("name", "姓名"), True, zh="姓名"),
    Column("institution", ("institution", "单位", "工作单位", "所在单位"), True, zh="单位"),
    Column("fields", ("fields", "field", "专业领域", "领域", "擅长领域", "服务领域"), kind="fields", zh="专业领域"),
    Column("regions", ("regions", "region", "服务地区", "服务区域", "所在地区"), kind="list", zh="服务地区"),
    Column("keywords", ("keywords", "关键词"), kind="list", zh="关键词"),
    Column("profile", ("profile", "research", "研究方向", "擅长", "专长", "简介", "个人简介", "服务专长"),
           kind="multiline", zh="研究方向"),
]


def commissioners_from_file(path: str | Path, encoding: str | None = None):
    """Every commissioner of the file as :class:`tlr.matching.people.Commissioner`, in file order."""
    from tlr.campaign.imports import read_records, validate_rows
    from tlr.campaign.tables import open_table
    from tlr.campaign.vocab import INDUSTRIES
    from tlr.matching.affinity import Person
    from tlr.matching.people import Commissioner

    table = open_table(path, sheet="特派员", encoding=encoding)
    plan = validate_rows(table, COMMISSIONER_COLUMNS, set(), "特派员", "commissioner")
    out = []
    for r in read_records(table, COMMISSIONER_COLUMNS, plan):
        fields = list(r.get("fields") or [])        # industry ids where a field names an industry, else the word
        words = tuple(INDUSTRIES[f][0] if f in INDUSTRIES else f for f in fields)
        out.append(Commissioner(
            person=Person(id=r["id"], fields=words, keywords=tuple(r.get("keywords") or ()), text=r.get("profile") or ""),
            name=r["name"], institution=r["institution"], industries=frozenset(f for f in fields if f in INDUSTRIES),
            regions=tuple(r.get("regions") or ())))
    return out
