"""Benchmarks: `python -m bench` (or `make bench`) runs them all in turn.

Each benchmark measures a baseline side by side in the same run and prints
ratios against it. Nothing here asserts a timing; see docs/benchmarks.md."""
