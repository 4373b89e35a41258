"""Evaluators' opinions on badges, as plain data for the recommendation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Opinion:
    """One evaluator's opinion on one badge in one review round."""

    badge: str
    evaluator: str
    level: str  # "yes" | "weak" | "no"
    round: str
