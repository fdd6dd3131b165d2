"""Benchmarks of sentry-webview: ``python -m bench.run [--quick] [--json bench/results.json]``."""
