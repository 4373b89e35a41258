"""Artifact-evaluation and reproducibility service."""

__version__ = "0.1.0"
