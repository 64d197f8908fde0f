"""Drill: a worker is killed with SIGKILL in the middle of a delivery job.

The job is held mid-flight by the local Help Scout, which stalls its token request (before the
job has done anything outside the database), and the worker is killed then. Two ways to die:

- the work horse alone (RQ's worker forks one per job; the OOM killer picks the biggest
  process): the worker sees it die and hands the job to RQ's retry, in real time;
- the whole worker with its horse (`docker compose kill`, a lost host): the job stays in RQ's
  StartedJobRegistry until its heartbeat lapses (RQ 2: job monitoring interval 30 s + 60 s)
  and another worker's maintenance (every `MAINTENANCE_INTERVAL_S`) finds it abandoned and
  retries it. The drill skips that wait as the tests skip retry waits (conftest
  `run_queued_jobs`): it runs the registry clean-up at a time past the heartbeat's expiry.

Either way the delivery must end processed, with one note in Help Scout.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from drill_stack import Stack

from bench.stack import wait_for

STALL_S = 20.0


def test_a_killed_work_horse_is_retried_and_acts_once(stack: Stack) -> None:
    [worker] = [p for p in stack.workers.processes if p.poll() is None]
    stack.stall_next_token(STALL_S)
    delivery = stack.deliveries.next()

    assert stack.send(delivery) == "202"
    stack.wait_until_running(delivery.delivery_key)
    os.kill(stack.workers.wait_for_horse(worker), signal.SIGKILL)

    stack.assert_exactly_once([delivery])
    assert worker.poll() is None  # the worker itself carries on


def test_a_killed_worker_s_job_is_found_abandoned_and_retried_once(stack: Stack) -> None:
    stack.workers.start(1)  # two workers: one will die, the other survives
    running = [p for p in stack.workers.processes if p.poll() is None]
    stack.stall_next_token(STALL_S)
    delivery = stack.deliveries.next()

    assert stack.send(delivery) == "202"
    stack.wait_until_running(delivery.delivery_key)
    wait_for(lambda: any(stack.workers.horse_pid(p) for p in running), 10, "no work horse")
    [doomed] = [p for p in running if stack.workers.horse_pid(p) is not None]
    horse = stack.workers.wait_for_horse(doomed)
    stack.workers.kill(doomed)
    wait_for(lambda: not _alive(horse), 5, f"the horse {horse} outlived its worker")
    stack.skip_to_abandoned_job_retries()

    stack.assert_exactly_once([delivery])


def _alive(pid: int) -> bool:
    """Whether `pid` is still a running process (a reaped or zombie one is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
