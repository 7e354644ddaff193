"""Benchmarks, conformance reports and evaluations of Trustdesk: they measure the product, they are
not part of it (`trustdesk bench`, `trustdesk eval`)."""
