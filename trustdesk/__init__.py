"""Trustdesk: a self-hostable AI customer-support agent that acts safely and explains itself."""

__version__ = "0.1.0"
