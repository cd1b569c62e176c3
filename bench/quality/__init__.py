"""Matching-quality benchmark on real data: `python -m bench.quality` (or `make bench-quality`)."""
