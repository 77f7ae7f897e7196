"""Controlled vocabularies of a campaign: industries and achievement types (one place, bilingual).

Import files may give an industry or achievement type by its id, its Chinese name or
its English name (case-insensitive); the ledger stores the id.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# id -> (中文, English). The province's key industries in the plan, then catch-alls.
INDUSTRIES: dict[str, tuple[str, str]] = {
    "steel": ("钢铁", "steel"),
    "high_end_equipment": ("高端装备", "high-end equipment"),
    "information_intelligence": ("信息智能", "information and intelligence"),
    "new_energy": ("新能源", "new energy"),
    "new_materials": ("新材料", "new materials"),
    "energy_saving_environment": ("节能环保", "energy saving and environmental protection"),
    "biomedicine_health": ("生物医药与健康", "biomedicine and health"),
    "county_featured": ("县域特色产业", "county featured industries"),
    "modern_agriculture": ("现代农业", "modern agriculture"),
    "petrochemical": ("石化", "petrochemicals"),
    "food": ("食品", "food"),
    "other": ("其他", "other"),
}

# Short English names for table columns (the full names stay in the data and the profiles).
INDUSTRY_SHORT_EN: dict[str, str] = {
    "high_end_equipment": "equipment",
    "information_intelligence": "info. & AI",
    "energy_saving_environment": "environment",
    "biomedicine_health": "biomedicine",
    "county_featured": "county industry",
    "modern_agriculture": "agriculture",
    "new_materials": "materials",
}


def norm_token(text: str) -> str:
    """Normalise a vocabulary token or name: NFKC (full-width -> half-width), case-folded, no spaces."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(ch for ch in text if not ch.isspace())


def _lookup(table: dict[str, tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, (zh, en) in table.items():
        for alias in (key, key.replace("_", " "), key.replace("_", "-"), zh, en):
            out[norm_token(alias)] = key
    return out


@lru_cache(maxsize=None)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    from tlr.rubric.model import ACHIEVEMENT_TYPES  # pydantic: imported only when needed

    industry = _lookup(INDUSTRIES)
    industry.update({norm_token("生物医药"): "biomedicine_health",
                     norm_token("医药健康"): "biomedicine_health",
                     norm_token("装备制造"): "high_end_equipment",
                     norm_token("新一代信息技术"): "information_intelligence"})
    achievement = _lookup(ACHIEVEMENT_TYPES)
    achievement.update({norm_token("技术开发"): "technology_development",
                        norm_token("产业化"): "technology_development"})
    return industry, achievement


def industry_id(value: str) -> str | None:
    """The industry id for an id / Chinese / English name, or ``None`` if unknown."""
    return _tables()[0].get(norm_token(value))


def achievement_type_id(value: str) -> str | None:
    """The achievement-type id for an id / Chinese / English name, or ``None`` if unknown."""
    return _tables()[1].get(norm_token(value))


def industry_names() -> str:
    return "、".join(f"{zh}({key})" for key, (zh, _en) in INDUSTRIES.items())


def achievement_type_names() -> str:
    from tlr.rubric.model import ACHIEVEMENT_TYPES

    return "、".join(f"{zh}({key})" for key, (zh, _en) in ACHIEVEMENT_TYPES.items())


# recusal reasons: code -> (中文, English)
REASONS: dict[str, tuple[str, str]] = {
    "same_institution": ("与申报单位同一单位", "same institution as the applicant"),
    "co_applicant": ("所在单位为合作单位", "institution is a co-applicant"),
    "declared_org": ("声明与该单位有利益冲突", "declared a conflict with the applicant or a co-applicant"),
    "declared_project": ("声明与该项目有利益冲突", "declared a conflict with this project"),
    "applicant_request": ("申报单位申请回避", "the applicant asked for this expert to be excluded"),
    "declared": ("专家事后声明回避", "recusal declared later"),
}


def reason_text(code: str) -> str:
    zh, en = REASONS.get(code, (code, code))
    return f"{zh} / {en}"
