"""Background work on RQ: queues, jobs and the periodic schedule (DESIGN.md, "Processes").

`queues` (names, the Redis connection, our `amzguard:` keys), `deliveries` (a webhook delivery
recorded and queued once), `enforcement` (the jobs), `schedule` (periodic jobs, one run per
slot), `retries` (which failures RQ retries), `worker` (the `amz-guard worker` process).
"""
