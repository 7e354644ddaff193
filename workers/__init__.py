"""Entry points of Trustdesk's worker processes."""
