"""Automatic evaluation: the portable CK program pipeline and its sandbox.

Human evaluators' reviews live in the web layer, not here; this package only runs programs.
"""
