"""Channel protocol code shared by the web process (inbound) and the workers (outbound)."""
