"""Benchmarks of Trustdesk: they measure the product, they are not part of it."""
