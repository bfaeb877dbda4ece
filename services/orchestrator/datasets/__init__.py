"""Datasets: imported problem sets (benchmarks, JSONL uploads, synthetic curriculum sets) that seed runs."""
