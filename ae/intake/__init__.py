"""Untrusted artifact sources turned into content-addressed snapshots (no Flask, no DB)."""
