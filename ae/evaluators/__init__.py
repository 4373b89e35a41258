"""Automatic evaluation: the portable CK program pipeline and its sandbox.

Human evaluators' reviews live in `ae.web` and `ae.models`; this package only runs programs.
"""
