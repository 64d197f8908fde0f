"""The worker context: the settings and database engine an `amz-guard worker` builds once, at
start, for every job it runs.

RQ's worker forks a work horse per job. Each job used to load the settings from the environment
(3-4 ms of pydantic-settings in a horse) and create an engine of its own (with its first
connection's dialect set-up, about 12 ms more than a connection of an initialized engine), on
which every SQL statement was compiled anew (a new engine starts with an empty compiled cache).
Built once in the worker, before any fork, every horse inherits them: the settings as they are,
the engine with its dialect initialized and part of its compiled cache warm
(`workers.worker.warm_up_database`).

A connection must never be used by two processes: the first use of the context in a process
other than the one that built it (a horse) replaces the engine's pool with an empty one,
without closing the connections of the parent's (`engine.dispose(close=False)`, SQLAlchemy's
advice for `os.fork()`), so each horse opens its own.

Outside `amz-guard worker` (tests calling a job function, `SimpleWorker`) no context is set and
jobs build their own from the environment, as before. The settings are read once per worker:
changing one needs a worker restart, as it does for the web app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from helpscout_app.settings import Settings
from helpscout_app.store.database import create_engine_for, session_factory


@dataclass
class WorkerContext:
    """The settings, engine and session factory of one worker, and the process they serve."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    pid: int


_context: WorkerContext | None = None


def start_worker_context(settings: Settings) -> WorkerContext:
    """Build the context for this worker process from `settings`; jobs use it from now on.

    The engine connects lazily; `end_worker_context` disposes of it.
    """
    global _context
    end_worker_context()
    engine = create_engine_for(settings.database_url)
    _context = WorkerContext(settings, engine, session_factory(engine), os.getpid())
    return _context


def current_worker_context() -> WorkerContext | None:
    """The worker's context, its pool made this process's own; None outside a worker.

    In a forked process (a work horse) the first call drops the pool inherited from the parent
    without closing its connections, which belong to the parent.
    """
    context = _context
    if context is not None and context.pid != os.getpid():
        context.engine.dispose(close=False)
        context.pid = os.getpid()
    return context


def end_worker_context() -> None:
    """Forget the context, closing its engine's connections (this process's own only)."""
    global _context
    context, _context = _context, None
    if context is not None:
        context.engine.dispose(close=context.pid == os.getpid())
