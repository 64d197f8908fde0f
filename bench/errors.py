"""The benches' one error: what stops a bench from running here at all."""

from __future__ import annotations


class BenchSetupError(RuntimeError):
    """The benchmark cannot run here (no Redis, no spare database, a server that won't start)."""
