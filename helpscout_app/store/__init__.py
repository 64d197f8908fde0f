"""Storage: SQLAlchemy models, idempotent queries and Alembic migrations (SQLite or PostgreSQL).

`models` holds the tables; `database` builds engines and sessions from a URL and wires them into
Flask; `deliveries`, `conversations`, `compliance_checks` and `alerts` are the queries, each taking
the caller's session; `migrate` runs the Alembic migrations behind `amz-guard db upgrade`.

Every write that can be repeated (a redelivered webhook, a retried job, a second reconciliation
pass) goes through a unique constraint, so repeating it is a no-op on both backends.
"""
