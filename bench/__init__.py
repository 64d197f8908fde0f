"""The detector benchmark: quality on labelled corpora, speed, and an off-the-shelf baseline.

Run it from the repository root with `python -m bench` (see bench/README.md).
"""
