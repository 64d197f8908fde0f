"""Deployment files: docker-compose.yml, the Dockerfile and the Procfile, read as data.

Docker does not run here, so these tests check what can be checked without it: the compose
file's structure (services, start order, health checks, a worker that scales), that every
command is a real `amz-guard` subcommand or the gunicorn target the app defines, and that the
image copies what the package needs and runs as an unprivileged user.
"""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpscout_app.cli import build_parser

REPO_ROOT = Path(__file__).resolve().parent.parent
GUNICORN_TARGET = "helpscout_app:create_app()"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (REPO_ROOT / "Dockerfile").read_text()


def procfile() -> dict[str, str]:
    lines = (REPO_ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def assert_amz_guard_command(argv: list[str]) -> None:
    """`argv` is `amz-guard …` and the real CLI parser accepts it."""
    assert argv[0] == "amz-guard", argv
    build_parser().parse_args(argv[1:])  # exits (SystemExit) on an unknown subcommand


def assert_gunicorn_command(argv: list[str]) -> None:
    """`argv` runs gunicorn with gunicorn.conf.py on the app factory, which exists."""
    assert argv[0] == "gunicorn", argv
    assert argv[argv.index("-c") + 1] == "gunicorn.conf.py"
    assert argv[-1] == GUNICORN_TARGET
    module_name, factory = GUNICORN_TARGET.removesuffix("()").split(":")
    assert callable(getattr(importlib.import_module(module_name), factory))


# --- docker-compose.yml ------------------------------------------------------------------------


def test_compose_has_the_services(services: dict[str, Any]) -> None:
    assert set(services) == {"db", "redis", "migrate", "web", "worker"}


def test_the_database_is_postgres_16_with_a_volume_and_pg_isready(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    db = services["db"]
    assert db["image"] == "postgres:16"
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    assert "pg_isready" in db["healthcheck"]["test"]


def test_redis_keeps_an_append_only_file_on_a_volume(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    redis = services["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert redis["volumes"][0].split(":")[0] in compose["volumes"]
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_migrate_runs_once_after_the_database_is_healthy(services: dict[str, Any]) -> None:
    migrate = services["migrate"]
    assert_amz_guard_command(migrate["command"])
    assert migrate["command"] == ["amz-guard", "db", "upgrade"]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert migrate["restart"] == "no"


@pytest.mark.parametrize("name", ["web", "worker"])
def test_web_and_worker_wait_for_the_migration_and_redis(
    services: dict[str, Any], name: str
) -> None:
    assert services[name]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "redis": {"condition": "service_healthy"},
    }


def test_web_serves_the_image_command_and_is_health_checked(
    services: dict[str, Any], dockerfile: str
) -> None:
    web = services["web"]
    assert "command" not in web  # the image's CMD: gunicorn (checked below)
    test = web["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"]
    assert "/healthz" in test[-1]


def test_the_worker_scales(services: dict[str, Any]) -> None:
    worker = services["worker"]
    assert_amz_guard_command(worker["command"])
    assert worker["command"] == ["amz-guard", "worker"]
    assert "container_name" not in worker
    assert "ports" not in worker


def test_the_worker_yields_the_cpu_to_web(services: dict[str, Any]) -> None:
    """Per-container cgroups make WORKER_NICE moot between services: the CPU weight does it."""
    assert services["worker"]["cpu_shares"] < services["web"].get("cpu_shares", 1024)


@pytest.mark.parametrize("name", ["migrate", "web", "worker"])
def test_the_app_services_share_one_image_and_the_compose_network(
    services: dict[str, Any], name: str
) -> None:
    service = services[name]
    assert service["build"] == "."
    assert service["image"] == "amz-guard:latest"
    assert service["env_file"] == [{"path": ".env", "required": False}]
    environment = service["environment"]
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert re.fullmatch(
        r"postgresql://amz_guard:\$\{POSTGRES_PASSWORD:\?[^}]+\}@db:5432/amz_guard",
        environment["DATABASE_URL"],
    )


def test_postgres_password_is_required_not_defaulted(services: dict[str, Any]) -> None:
    assert services["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_no_service_but_web_publishes_a_port(services: dict[str, Any]) -> None:
    assert [name for name, service in services.items() if "ports" in service] == ["web"]
    assert not [name for name, service in services.items() if "container_name" in service]


# --- Dockerfile --------------------------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def test_the_image_is_multi_stage_on_slim_python(dockerfile: str) -> None:
    stages = [args for keyword, args in dockerfile_instructions(dockerfile) if keyword == "FROM"]
    assert len(stages) == 2
    assert all(stage.startswith("python:3.11-slim") for stage in stages)


def test_the_image_copies_everything_the_package_needs(dockerfile: str) -> None:
    copied = set()
    for keyword, args in dockerfile_instructions(dockerfile):
        if keyword == "COPY" and not args.startswith("--from"):
            copied.update(shlex.split(args)[:-1])
    assert {"pyproject.toml", "README.md", "helpscout_app", "workers", "gunicorn.conf.py"} <= (
        copied
    )
    for path in copied - {"gunicorn.conf.py"}:  # gunicorn.conf.py is another branch's file
        assert (REPO_ROOT / path).exists(), path


def test_the_image_runs_as_an_unprivileged_user(dockerfile: str) -> None:
    users = [args for keyword, args in dockerfile_instructions(dockerfile) if keyword == "USER"]
    assert users
    assert users[-1] not in ("root", "0")


def test_the_image_serves_the_app_with_gunicorn_conf(dockerfile: str) -> None:
    instructions = dockerfile_instructions(dockerfile)
    [cmd] = [args for keyword, args in instructions if keyword == "CMD"]
    assert_gunicorn_command(yaml.safe_load(cmd))  # a JSON array is YAML too
    env = " ".join(args for keyword, args in instructions if keyword == "ENV")
    assert "PROMETHEUS_MULTIPROC_DIR=/tmp/amz-guard-metrics" in env


def test_the_health_check_uses_python_on_healthz(dockerfile: str) -> None:
    [check] = [
        args for keyword, args in dockerfile_instructions(dockerfile) if keyword == "HEALTHCHECK"
    ]
    assert '"python"' in check
    assert "/healthz" in check
    assert "curl" not in check


# --- Procfile ----------------------------------------------------------------------------------


def test_the_procfile_runs_web_worker_and_release() -> None:
    processes = procfile()
    assert set(processes) == {"web", "worker", "release"}
    assert_gunicorn_command(shlex.split(processes["web"]))
    assert_amz_guard_command(shlex.split(processes["worker"]))
    assert_amz_guard_command(shlex.split(processes["release"]))
    assert shlex.split(processes["release"]) == ["amz-guard", "db", "upgrade"]
