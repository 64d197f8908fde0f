"""One recognizer per module; `compliance/registry.py` lists them in the order they run."""
