"""The labelled data the offline brain learns from (`train.jsonl`) and is measured on (`split/`)."""
