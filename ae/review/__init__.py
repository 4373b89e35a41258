"""The human review of artifacts: forms as data, phases, bidding and assignment, reviews and threads.

Not to be confused with `ae.evaluators`, the automatic evaluation (the program pipeline).
"""
