"""Trustdesk's pure core: value types, retail rules, policy and risk. No I/O here."""
