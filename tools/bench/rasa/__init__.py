"""Benchmarks that run in the Rasa runtime (Python 3.10, rasa installed)."""
