"""Benchmarks: the panel against stock Flask-Admin over the same models, in the same process."""
