"""The automated kick-the-tires: a smoke stage per version, runtime estimates and compute budgets.

Plain data in and out (`targets`, `estimates`, `budgets`, `times`); `gate` is the one module that
reads and writes rows, under the caller's session.
"""
