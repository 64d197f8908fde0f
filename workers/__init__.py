"""Background work on RQ: queues, jobs and the periodic schedule (DESIGN.md, "Processes").

Empty until the first jobs land: webhook handling, draft scans and reconciliation.
"""
