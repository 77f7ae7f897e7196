"""A weighting round (``tlr weights``) at the edges: answer files, XLSX sheets, and the aggregate written as a
new rubric version. The pure part (questions, verbal scale, matrices, consistency) is
:mod:`tlr.weighting.survey`; the ledger tables are :mod:`tlr.campaign.weighting_round`; the terminal session is
:mod:`tlr.app.interactive.weights`."""
