"""What matching works on: an enterprise demand and an achievement, as plain frozen records.

These are the contract between the readers (demand files, achievement files, the achievement library,
a campaign's evaluated projects) and the pure matcher (:func:`tlr.matching.match`). No I/O here.

Money is in 万元 (10,000 yuan), as the province's forms state it. Readiness is a TRL level 1-9.
``industry`` is an id of :data:`tlr.campaign.vocab.INDUSTRIES` (or None when unknown); ``region`` is the
city/county as written in the source (e.g. "唐山市", "迁安市"), "" when not given.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Demand:
    """An enterprise technology demand (企业技术需求), one row of a demand list."""

    id: str
    name: str                                  # 需求名称
    enterprise: str = ""                       # 企业名称
    industry: str | None = None                # 所属行业 (vocabulary id)
    region: str = ""                           # 所在地区
    description: str = ""                      # 需求描述
    indicators: str = ""                       # 期望技术指标
    cooperation: tuple[str, ...] = ()          # 期望合作方式 (技术转让, 许可, 合作开发, 技术入股 …)
    budget: float | None = None                # 可投入资金 (万元)
    min_trl: int | None = None                 # 期望成熟度: the lowest TRL the enterprise can take up
    keywords: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The words matched: name, description, indicators and keywords."""
        return "\n".join(p for p in (self.name, self.description, self.indicators, " ".join(self.keywords)) if p)


@dataclass(frozen=True)
class Achievement:
    """A technology achievement (科技成果) offered for transfer: a project of a round or a library entry."""

    id: str
    name: str                                  # 成果名称 / 项目名称
    applicant: str = ""                        # 申报单位 / 第一完成单位
    industry: str | None = None
    region: str = ""                           # 所在地区
    summary: str = ""                          # 成果简介
    keywords: tuple[str, ...] = ()             # 关键词
    trl: int | None = None                     # 技术成熟度 (1-9)
    trl_source: str = ""                       # where the TRL comes from: assessment | panel | declared | ""
    ask: float | None = None                   # 申请经费 / 投资需求 (万元)
    tier: str | None = None                    # the round's tier id, when evaluated
    route: str | None = None                   # the round's support route id (research | transfer | land), when evaluated
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def text(self) -> str:
        return "\n".join(p for p in (self.name, self.summary, " ".join(self.keywords)) if p)
