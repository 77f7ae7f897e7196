"""tlr.ranking — see docs/scoring.md."""
