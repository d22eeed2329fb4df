"""Benchmarks (``make bench``): run by hand, print numbers, write docs/benchmarks.md tables."""
