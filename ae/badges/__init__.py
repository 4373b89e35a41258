"""ACM and USENIX reproducibility badges: schemes, recommendations from evidence (no Flask)."""
