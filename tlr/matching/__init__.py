"""Two-sided matching of enterprise demands and technology achievements (pure: records in, ranked pairs out)."""
