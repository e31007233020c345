"""`make sandbox` / `clinicportal sandbox`: ports from Make variables, and a
port another program holds is one clear line, not a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from tests.support.servers import ROOT, free_port


def _sandbox(*ports: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *ports], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.fixture
def held_port():
    """A port another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize(
    "command, clashing, option",
    [
        ("sandbox", "--twilio-port", "--twilio-port (make sandbox TWILIO_PORT=...)"),
        ("sandbox", "--smtp-port", "--smtp-port (make sandbox SMTP_PORT=...)"),
        ("sandbox", "--mail-http-port", "--mail-http-port (make sandbox MAIL_HTTP_PORT=...)"),
        ("sandbox-mail", "--smtp-port", "--smtp-port"),
        ("sandbox-mail", "--http-port", "--http-port"),
    ],
)
def test_a_port_in_use_is_one_line_naming_it_and_the_way_out(held_port, command, clashing, option):
    names = ["--twilio-port", "--smtp-port", "--mail-http-port"] if command == "sandbox" else ["--smtp-port", "--http-port"]
    args = [command]
    for name in names:
        args += [name, str(held_port if name == clashing else free_port())]
    done = _sandbox(*args)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(f"clinicportal {command}: ") and f"127.0.0.1:{held_port}" in line
    assert "address already in use" in line and line.endswith(f"choose another port with {option}")


def test_make_sandbox_and_make_run_take_the_stand_ins_ports_from_make_variables():
    def dry_run(*args: str) -> str:
        return subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout

    sandbox = dry_run("sandbox", "TWILIO_PORT=9010", "SMTP_PORT=9025", "MAIL_HTTP_PORT=9080")
    assert "clinicportal sandbox --twilio-port 9010 --smtp-port 9025 --mail-http-port 9080" in sandbox
    run = dry_run("run", "TWILIO_PORT=9010", "SMTP_PORT=9025", "PORT=8123")
    assert "TWILIO_API_BASE=http://127.0.0.1:9010 SMTP_PORT=9025" in run and "--port 8123" in run
