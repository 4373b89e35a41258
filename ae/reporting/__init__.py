"""Reports gathered from the database: the plain data `ae.reports` renders (artifact, conference)."""
