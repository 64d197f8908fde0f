"""`amz-guard db upgrade`: migrates DATABASE_URL, again harmlessly, and fails in one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpscout_app.cli import main
from helpscout_app.settings import Settings
from helpscout_app.store.migrate import head_revision, is_at_head

INSTALLED_SCRIPT = Path(sys.executable).parent / "amz-guard"


def settings_for(database_url: str, tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", database_url=database_url)


def test_upgrade_migrates_an_empty_database_then_finds_nothing_to_do(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(database_url, tmp_path)

    assert main(["db", "upgrade"], settings) == 0
    first = capsys.readouterr()
    assert main(["db", "upgrade"], settings) == 0
    second = capsys.readouterr()

    assert is_at_head(database_url)
    head = head_revision()
    assert first.out.endswith(f": upgraded from an empty database to revision {head}\n")
    assert second.out.endswith(f": already at revision {head}, the newest; nothing to do\n")
    assert first.err == second.err == ""


def test_an_unreachable_database_fails_in_one_line_without_the_password(
    clean_environment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for("postgresql://amz:s3cret@127.0.0.1:9/amz_guard", tmp_path)

    assert main(["db", "upgrade"], settings) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        "amz-guard db: cannot connect to postgresql+psycopg://amz:***@127.0.0.1:9/amz_guard: "
    )
    assert captured.err.count("\n") == 1
    assert "s3cret" not in captured.err


def test_a_sqlite_file_that_cannot_be_opened_fails_in_one_line(
    clean_environment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_directory = tmp_path / "not-a-file"
    a_directory.mkdir()

    assert main(["db", "upgrade"], settings_for(f"sqlite:///{a_directory}", tmp_path)) == 2

    captured = capsys.readouterr()
    assert captured.err.startswith(f"amz-guard db: cannot connect to sqlite:///{a_directory}: ")
    assert captured.err.count("\n") == 1


def test_a_malformed_database_url_is_a_configuration_error(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://amz:s3cret@db/amz_guard")

    assert main(["db", "upgrade"]) == 2

    captured = capsys.readouterr()
    assert captured.err.startswith("amz-guard: configuration error: DATABASE_URL: ")
    assert "s3cret" not in captured.err


def test_db_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db"]) == 2

    assert "the following arguments are required: ACTION" in capsys.readouterr().err


def test_the_installed_script_upgrades_the_database_in_database_url(
    database_url: str, tmp_path: Path
) -> None:
    environment = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path)}

    completed = subprocess.run(
        [str(INSTALLED_SCRIPT), "db", "upgrade"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (completed.returncode, completed.stderr) == (0, "")
    assert is_at_head(database_url)
