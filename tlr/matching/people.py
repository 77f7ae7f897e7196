"""People for demands: technology commissioners (科技特派员) ranked for each enterprise demand.

    score(p, d) = affinity(p, d) × industry(p, d) × region(p, d)

``affinity`` is :func:`tlr.matching.affinity.affinity` (the demand's words against the person's profile, divided
by the demand's self-score, in [0, 1]); ``industry`` is 1 when the demand's industry is among the person's
industries, ``FitPolicy.industry_different`` when not, ``industry_unknown`` when either side has none;
``region`` is 1 when the person serves the demand's place (names compared by :func:`tlr.matching.fit.region_key`),
``region_different`` when not, ``region_unknown`` when either side has none. Pairs under ``min_score``
(:data:`PEOPLE_MIN_SCORE`) are not
listed (a demand no one covers gets an empty list). Pure: records in, ranked lists out, vectorised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tlr.matching.affinity import Item, Person
from tlr.matching.fit import FitPolicy, region_key
from tlr.matching.items import Demand
from tlr.matching.lexicon import Lexicon
from tlr.matching.rank import Candidate, Ranked

# A profile is a few phrases, so it covers less of a long demand than an achievement's summary does: the listing
# floor for people is lower than the achievements' 0.15 (on the example, the right commissioner scores 0.10-0.27).
PEOPLE_MIN_SCORE = 0.08


@dataclass(frozen=True)
class Commissioner:
    """A technology commissioner: the text profile, the industries (vocabulary ids) and the places served."""

    person: Person
    name: str = ""
    institution: str = ""
    industries: frozenset[str] = frozenset()
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PeopleResult:
    matches: tuple[Ranked, ...]           # per demand: commissioners, best first
    method: dict = field(compare=False)

    def to_dict(self) -> dict:
        return {"matches": [{"demand": r.id, "candidates": [{"commissioner": c.id, "score": c.score, "why": c.why}
                                                            for c in r.candidates]} for r in self.matches],
                "method": self.method}


def match_people(people: Sequence[Commissioner], demands: Sequence[Demand], *, top: int = 3,
                 lexicon: Lexicon | None = None, min_score: float = PEOPLE_MIN_SCORE,
                 policy: FitPolicy = FitPolicy()) -> PeopleResult:
    """Rank *people* for each of *demands* (see the module docstring)."""
    import numpy as np

    from tlr.matching.affinity import affinity

    if top < 1:
        raise ValueError("top must be >= 1")
    ids = [p.person.id for p in people]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate commissioner ids")
    aff = affinity([p.person for p in people], [Item(d.id, d.text) for d in demands], lexicon=lexicon)
    # industry and region as codes: a person × code membership matrix, gathered by each demand's code
    industry = _factor([p.industries for p in people], [d.industry for d in demands],
                       policy.industry_same, policy.industry_different, policy.industry_unknown,
                       unknown=(None, "", "other"))
    covers = industry == policy.industry_same
    region = _factor([frozenset(region_key(r) for r in p.regions if region_key(r)) for p in people],
                     [region_key(d.region) for d in demands],
                     policy.region_same, policy.region_different, policy.region_unknown, unknown=("",))
    serves = region == policy.region_same
    score = np.round(aff * industry * region, 6)
    out = []
    for j, d in enumerate(demands):                 # listing only: the scores are one matrix above
        col = score[:, j]
        order = np.argsort(-col, kind="stable")[:top]
        listed = tuple(Candidate(ids[i], float(col[i]), {
            "affinity": round(float(aff[i, j]), 6),
            "industry": {"demand": d.industry, "covered": bool(covers[i, j]), "factor": float(industry[i, j])},
            "region": {"demand": d.region, "served": bool(serves[i, j]), "factor": float(region[i, j])},
        }) for i in order if col[i] >= min_score)
        out.append(Ranked(d.id, listed))
    return PeopleResult(tuple(out), {"model": "affinity × industry × region", "min_score": min_score,
                                     "policy": policy.to_dict(), "top": top})


def _factor(sets, values, same: float, different: float, unknown_factor: float, *, unknown):
    """people × items factor: *same* where the item's value is in the person's set, *different* where not,
    *unknown_factor* where the person's set is empty or the item's value is unknown."""
    import numpy as np

    codes = {v: k for k, v in enumerate(dict.fromkeys(v for v in values if v not in unknown))}
    member = np.zeros((len(sets), len(codes) + 1), bool)          # last column: the unknown value
    rows, cols = [], []
    for i, s in enumerate(sets):                                   # each person's few values
        for v in s:
            if v in codes:
                rows.append(i)
                cols.append(codes[v])
    member[rows, cols] = True
    item_code = np.array([codes.get(v, len(codes)) if v not in unknown else len(codes) for v in values], int)
    out = np.where(member[:, item_code], same, different)
    known_item = np.array([v not in unknown for v in values], bool)
    known_person = np.array([bool(s) for s in sets], bool)
    out[~(known_person[:, None] & known_item[None, :])] = unknown_factor
    return out
