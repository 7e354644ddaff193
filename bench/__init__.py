"""Benchmarks and chaos runs that bring up their own Trustdesk stack."""
