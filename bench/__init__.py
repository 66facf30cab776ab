"""Benchmarks: synthetic data, hand-written floors, and the API measured against them."""
