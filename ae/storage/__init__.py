"""Persistence: the engine and sessions (`db`), every table (`models`), queries, migrations."""
