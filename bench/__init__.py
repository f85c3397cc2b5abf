"""Benchmarks of the import: `make bench` (python -m bench.run) runs every phase."""
