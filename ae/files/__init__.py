"""Trees of files that an artifact could have written: walked, counted and removed without recursion
and without following a link (`trees`). Used by intake, the sandbox and the pipeline alike."""
