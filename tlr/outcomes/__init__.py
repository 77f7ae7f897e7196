"""Outcomes of funded achievements (投后跟踪), pure: what happened after a round, and whether the round saw it coming.

:mod:`~tlr.outcomes.timeline` (one achievement's dated events: TRL path, totals), :mod:`~tlr.outcomes.backtest`
(Spearman rank correlation of the round's scores with the outcomes, seeded bootstrap intervals, the small-sample
rule), :mod:`~tlr.outcomes.stages` (observed readiness-stage transitions with censoring, and the Bayesian update of
each stage's success probability from the valuation's defaults). Plain dicts and numpy arrays in and out; the
stores and files are read by :mod:`tlr.library.followup` and :mod:`tlr.app.followup`.
"""
