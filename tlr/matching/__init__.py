"""Two-sided matching of enterprise demands and technology achievements (pure: records in, ranked pairs out).

    from tlr.matching import Demand, Achievement, match
    result = match(demands, achievements, top=5)          # MatchResult; result.to_dict() is JSON-ready

See docs/matching.md for the method, the lexicon format and the benchmark.
"""

from tlr.matching.items import Achievement, Demand
from tlr.matching.rank import VARIANTS, Candidate, MatchResult, Ranked, match

__all__ = ["Achievement", "Candidate", "Demand", "MatchResult", "Ranked", "VARIANTS", "match"]
