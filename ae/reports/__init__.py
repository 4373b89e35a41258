"""Evaluation reports rendered from plain data (no Flask)."""
