"""tlr.panel — consensus and agreement over a panel's score cube (experts x projects x indicators).

Import the sub-modules: ``from tlr.panel.consensus import consensus``,
``from tlr.panel.agreement import kendall_w, icc, dispersion, expert_diagnostics``.
Formulas and conventions: docs/scoring.md.
"""
