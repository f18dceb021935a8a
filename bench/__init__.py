"""Benchmarks: `python -m bench [name ...]` runs bench/bench_*.py (see __main__)."""
