"""Artifact Appendix parsing, the reproducibility check-list and claims (no Flask, no DB)."""
