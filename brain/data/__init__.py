"""The labelled corpus the offline brain learns from and is measured on (see `brain.corpus`)."""
