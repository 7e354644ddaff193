"""Benchmarks and conformance reports run by `trustdesk bench`."""
