"""The measured splits: development (tuning, thresholds) and held-out (measured once)."""
