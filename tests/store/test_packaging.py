"""The migrations ship in the wheel, and an installed (not editable) package migrates a database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpscout_app.store.migrate import is_at_head

CHECKOUT = Path(__file__).resolve().parents[2]
MIGRATION_FILES = {
    "helpscout_app/store/migrations/env.py",
    "helpscout_app/store/migrations/script.py.mako",
    "helpscout_app/store/migrations/versions/0001_initial.py",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the files the Dockerfile copies, as its `pip install .` builds it.

    Built from a copy, so the build leaves nothing (build/, *.egg-info) in the checkout.
    """
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(CHECKOUT / name, source / name)
    for name in ("helpscout_app", "workers"):
        shutil.copytree(
            CHECKOUT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    wheel_dir = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", wheel_dir, source],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = wheel_dir.glob("amz_guard-*.whl")
    return built


def test_the_wheel_holds_the_migrations(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())

    assert MIGRATION_FILES - names == set()


def test_the_installed_package_upgrades_a_database(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site-packages"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", target, wheel],
        check=True,
        capture_output=True,
        timeout=300,
    )
    database_url = f"sqlite:///{tmp_path / 'data' / 'amz-guard.sqlite3'}"
    # The installed copy comes first on the path, ahead of this checkout's editable install;
    # the script proves it by printing where it imported the package from.
    script = (
        "import sys, helpscout_app; from helpscout_app.cli import main;"
        "print(helpscout_app.__file__); sys.exit(main(['db', 'upgrade']))"
    )
    environment = {
        **os.environ,
        "PYTHONPATH": str(target),
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
    }

    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert (completed.returncode, completed.stderr) == (0, "")
    assert completed.stdout.splitlines()[0] == str(target / "helpscout_app" / "__init__.py")
    assert is_at_head(database_url)
