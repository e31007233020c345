"""The code's shape, as pyproject.toml's import-linter contracts state it:
requests flow one way (schema → resolvers → jobs and realtime → models),
use cases lean only on the domains below them, and no import circle exists
anywhere. A new import that breaks one fails here, naming it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "Contracts: 3 kept, 0 broken." in report, report
