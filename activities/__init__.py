"""Thin adapters between workflows and the outside world (store, brain, channels)."""
