"""The embedded default keeps its SQLite file and uploads in `var/` under the
working directory, never beside the installed code (`pip install .` would
put them in site-packages), and says where."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import settings
from settings import Settings
from tests.support.servers import ROOT


def test_the_default_data_folder_is_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    found = Settings.from_env({})
    assert found.data_dir == tmp_path / "var"
    assert found.database_url == f"sqlite://{tmp_path / 'var' / 'clinicportal.sqlite3'}"
    assert Path(settings.__file__).resolve().parent not in (found.data_dir, *found.data_dir.parents)
    assert Settings().data_dir == tmp_path / "var"


def test_a_relative_data_dir_is_made_absolute_where_the_process_starts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({"DATA_DIR": "state"}).data_dir == tmp_path / "state"


def test_the_command_line_creates_the_database_in_the_working_directory_and_says_so(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATA_DIR")}
    env["PYTHONPATH"] = str(ROOT)  # the code, as an installed copy would be found, away from the working directory
    done = subprocess.run(
        [sys.executable, "-m", "cli", "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    database = tmp_path / "var" / "clinicportal.sqlite3"
    assert database.is_file()
    assert f"migrated: {database} (SQLite), uploads in {tmp_path / 'var' / 'uploads'}" in done.stdout
