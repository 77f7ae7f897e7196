"""The achievement library (成果库) and enterprise demand list (需求清单): one SQLite store across rounds.

See docs/library.md. :mod:`~tlr.library.store` (the store), :mod:`~tlr.library.demands` (demand imports and
statuses), :mod:`~tlr.library.achievements` (identity across rounds, links), :mod:`~tlr.library.support`
(stage-wise support, pure), :mod:`~tlr.library.profile` (what show and list print). The rounds of an
evaluated campaign are recorded by :mod:`tlr.app.library_round`.
"""
