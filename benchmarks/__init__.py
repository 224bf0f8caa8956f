"""Scripts that measure speed and quality; each writes its section of docs/benchmarks.md."""
