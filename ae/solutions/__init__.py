"""Portable solutions (CodeReef-style manifests) and crowd results: what volunteers `init`,
`benchmark` and `submit` from their own machines. Pure domain code: no Flask, no database."""
