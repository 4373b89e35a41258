"""Claims against measurements: the verdict rule (`rule`) and the diffs evaluators read (`diffs`).

No pipeline imports: verdicts are derived from stored samples and records only.
"""
