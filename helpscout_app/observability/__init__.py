"""Observability: structured logs, their redaction, request and job IDs, and Prometheus metrics.

Domain-independent on purpose: the domain code calls `metrics.count_…` one-liners and logs through
`logging.getLogger(__name__)`; what is watched (queues, the 24-hour clock) is wired in by the web
app (`helpscout_app.web.metrics`) and the worker (`workers.worker`).
"""
