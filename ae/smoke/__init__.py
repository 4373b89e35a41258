"""The automated kick-the-tires: the smoke plan, runtime estimates, the stated time and compute budgets.

Plain data in and out; `ae.workers.smoke` applies these rules to the rows (the smoke gate).
"""
