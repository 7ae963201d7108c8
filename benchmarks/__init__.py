"""carestat benchmarks: ``python -m benchmarks [suite ...]`` (``make bench`` runs them all)."""
