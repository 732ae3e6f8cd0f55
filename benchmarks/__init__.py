"""Synthetic corpora and benchmarks for the reader and the deduplicator (not shipped)."""
