"""The real amz-guard stack on private ports, for the load bench and the fault drills.

Pieces, each a process of its own that the caller can stop and start again:

- `PrivateRedis`: a `redis-server` on a free port with its append-only file (fsync always) in a
  directory of its own, so queued jobs survive a stop and start; never the shared Redis.
- `PrivatePostgres`: a cluster made with `initdb` and run with `pg_ctl` from
  /usr/lib/postgresql/*/bin, in a temporary directory, on a free port. PostgreSQL refuses to
  run as root, so as root the cluster belongs to the `postgres` system user and every command
  runs through `runuser -u postgres --`; as anyone else it runs as that user.
- `gunicorn` (from `bench.webhook_ingest`): `helpscout_app:create_app()` with sync workers.
- `Workers`: `amz-guard worker` subprocesses, each in its own process group.

`app_environment` builds the processes' environment: the caller's, minus every amz-guard
setting, plus the stack's. Help Scout is `bench.fake_helpscout`.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from redis import Redis

from bench.fake_helpscout import FakeHelpScout
from bench.webhook_ingest import BenchSetupError, free_port, spare_redis_database

WEBHOOK_SECRET = "drill-webhook-secret"
SIDEBAR_SECRET = "drill-sidebar-secret"
POSTGRES_SYSTEM_USER = "postgres"


def wait_for(
    condition: Callable[[], object], timeout_s: float, what: str, interval_s: float = 0.1
) -> None:
    """Poll `condition()` until it is true; BenchSetupError naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if condition():
                return
        except Exception:  # a process starting up refuses connections; keep polling
            pass
        if time.monotonic() > deadline:
            raise BenchSetupError(f"{what} within {timeout_s:g} s")
        time.sleep(interval_s)  # polling a real process


# --- Redis ---------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own: AOF with fsync always in `directory`, on a free port."""

    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise BenchSetupError("redis-server is not installed (Debian: apt-get install redis)")
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        log = (self.directory / "redis.log").open("a")
        self._process = subprocess.Popen(
            [self.binary, *self.options()],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_for(self._answers, 10, f"redis-server did not answer on port {self.port}")

    def options(self) -> list[str]:
        """Private port and directory; the append-only file fsynced on every write."""
        return [
            *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)),
            *("--appendonly", "yes", "--appendfsync", "always", "--save", ""),
        ]

    def _answers(self) -> bool:
        connection = Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(connection.ping())
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop as `docker compose stop` does (SIGTERM): Redis writes its AOF and exits."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=15)
        self._process = None

    def connection(self) -> Redis:
        return Redis.from_url(self.url)


# --- PostgreSQL ----------------------------------------------------------------------------------


def postgres_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, if any."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: [int(part) for part in path.parent.name.split(".") if part.isdigit()],
    )
    for candidate in reversed(candidates):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


class PrivatePostgres:
    """A PostgreSQL cluster of our own in a temporary directory, trust auth on 127.0.0.1."""

    def __init__(self) -> None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise BenchSetupError(
                "PostgreSQL's initdb and pg_ctl are not installed under /usr/lib/postgresql "
                "(Debian: apt-get install postgresql)"
            )
        self.bin_dir = bin_dir
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                owner = pwd.getpwnam(POSTGRES_SYSTEM_USER)
            except KeyError as err:
                raise BenchSetupError(
                    f"running as root, and there is no {POSTGRES_SYSTEM_USER!r} user to run "
                    "PostgreSQL as (it refuses root)"
                ) from err
            if shutil.which("runuser") is None:
                raise BenchSetupError("running as root, and runuser is not installed")
        # Directly under the temp dir: pytest's own temp dirs are private to root (0700).
        self.root = Path(tempfile.mkdtemp(prefix="amz-guard-pg-"))
        self.data_dir = self.root / "data"
        if self.as_root:
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.port = free_port()
        self._run(
            *("initdb", "-D", str(self.data_dir), "-U", "postgres"),
            *("--auth=trust", "--encoding=UTF8", "--no-sync"),
        )
        self.start()

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        return ["runuser", "-u", POSTGRES_SYSTEM_USER, "--", *command] if self.as_root else command

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            self._command(program, *args), capture_output=True, text=True, timeout=60
        )
        if result.returncode != 0:
            raise BenchSetupError(
                f"{program} failed ({result.returncode}): {(result.stderr or result.stdout)[-800:]}"
            )

    @property
    def server_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        log = str(self.root / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` disconnects every client at once, as a restart does."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "30", "stop")

    def create_database(self, name: str) -> str:
        """Create database `name` and return its URL (amz-guard's `DATABASE_URL` form)."""
        import psycopg

        with psycopg.connect(f"{self.server_url}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"{self.server_url}/{name}"

    def close(self) -> None:
        with contextlib.suppress(BenchSetupError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new database on `server_url` (postgresql://user@host:port), migrated, dropped after."""
    import psycopg

    from helpscout_app.store.migrate import upgrade

    name = f"{prefix}_{os.getpid()}_{int(time.time())}"
    maintenance = f"{server_url.rstrip('/')}/postgres"
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as err:
        raise BenchSetupError(f"PostgreSQL does not answer at {server_url}: {err}") from err
    url = f"{server_url.rstrip('/')}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the app's processes -------------------------------------------------------------------------


def app_environment(
    workdir: Path, *, database_url: str, redis_url: str, helpscout_api_url: str, **extra: str
) -> dict[str, str]:
    """The environment of gunicorn and the workers: ours, minus any amz-guard setting, plus
    the stack's (Help Scout on the fake, Slack unset so alerts are only recorded)."""
    from helpscout_app.settings import Settings

    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(
        DATA_DIR=str(workdir / "data"),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        HELPSCOUT_APP_ID="drill-app-id",
        HELPSCOUT_APP_SECRET="drill-app-secret",
        HELPSCOUT_API_URL=helpscout_api_url,
        HELPSCOUT_WEBHOOK_SECRET=WEBHOOK_SECRET,
        HELPSCOUT_SIDEBAR_SECRET=SIDEBAR_SECRET,
        AMAZON_MAILBOX_IDS="101",
        # The reconciliation needs a notification mailbox the stack does not have; keep it out.
        RECONCILE_INTERVAL_S="86400",
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def backing_services(
    postgres_url: str, workdir: Path, prefix: str, **extra: str
) -> Iterator[tuple[dict[str, str], str, FakeHelpScout]]:
    """A fresh PostgreSQL database (named from `prefix`), a spare Redis database and the local
    Help Scout, for the service benches; yields the app's environment (`extra` added), the
    database URL and the fake."""
    fake = FakeHelpScout(free_port(), workdir / "fake-helpscout.log")
    try:
        with (
            fresh_database(postgres_url, prefix) as database_url,
            spare_redis_database() as redis_url,
        ):
            env = app_environment(
                workdir,
                database_url=database_url,
                redis_url=redis_url,
                helpscout_api_url=fake.api_url,
                **extra,
            )
            yield env, database_url, fake
    finally:
        fake.close()


class Workers:
    """`amz-guard worker` processes, each the leader of its own process group."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []
        self.amz_guard = str(Path(sys.executable).parent / "amz-guard")

    def start(self, count: int = 1) -> list[subprocess.Popen[bytes]]:
        started = []
        for _ in range(count):
            index = len(self.processes)
            log = (self.workdir / f"worker-{index}.log").open("a")
            process = subprocess.Popen(
                [self.amz_guard, "worker"],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
            self.processes.append(process)
            started.append(process)
        return started

    def children(self, process: subprocess.Popen[bytes]) -> list[int]:
        """The pids of `process`'s children: RQ's scheduler, and its work horse during a job."""
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def horse_pid(self, process: subprocess.Popen[bytes]) -> int | None:
        """The pid of `process`'s work horse while it runs a job, else None.

        RQ's horse calls `os.setpgrp()` right after the fork, so it is the one child leading its
        own process group; the scheduler, also a child, stays in the worker's group."""
        for pid in self.children(process):
            with contextlib.suppress(OSError, ValueError):
                if os.getpgid(pid) == pid:
                    return pid
        return None

    def wait_for_horse(self, process: subprocess.Popen[bytes], timeout_s: float = 10.0) -> int:
        """The pid of `process`'s work horse, once it has one (a busy machine forks late)."""
        wait_for(lambda: self.horse_pid(process) is not None, timeout_s, "no work horse forked")
        horse = self.horse_pid(process)
        assert horse is not None  # a horse that ended in between: its job is done, too soon
        return horse

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker, its scheduler and its work horse, as a container kill does.

        The horse leads a process group of its own (see `horse_pid`), so killing the worker's
        group alone would leave it running as an orphan and finishing the job."""
        horse = self.horse_pid(process)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if horse is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(horse, signal.SIGKILL)
        process.wait(timeout=10)

    def logs(self, tail: int | None = 3000) -> str:
        """Every worker's log, the last `tail` characters of each (None: all of it)."""
        return "\n".join(
            f"--- worker-{index}.log\n"
            + (self.workdir / f"worker-{index}.log").read_text(errors="replace")[-(tail or 0) :]
            for index in range(len(self.processes))
        )

    def stop(self) -> None:
        """SIGTERM every worker (RQ's warm shutdown), SIGKILL what is left after 10 s."""
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
