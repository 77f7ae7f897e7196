"""tlr.engine — see docs/scoring.md."""
