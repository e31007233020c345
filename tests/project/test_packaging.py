"""The editable install `make install` performs prints no warning about the
project's layout (setuptools' "folders in your working directory with the
same name as your package"), and puts the project's code on the path."""

from __future__ import annotations

import subprocess
import sys

from tests.support.servers import ROOT


def test_the_editable_install_prints_no_layout_warning(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--verbose", "--no-deps", "--editable", str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "Editable installation" not in output and "folders in your working directory" not in output
    found = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import importlib.util as u; print(u.find_spec('settings').origin)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert found.stdout.strip() == str(ROOT / "settings.py")
