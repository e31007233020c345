"""A `redis-server` of the benchmark's own, on a free port, for the
measurement that stops Redis and starts it again: the machine's Redis is
never touched."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time

from redis import Redis
from redis.exceptions import RedisError

from bench.live_clients import free_port


def available() -> bool:
    return shutil.which("redis-server") is not None


class RedisServer:
    """`redis-server` as a child process on 127.0.0.1:`port`, keeping nothing
    on disk; `stop()` and `start()` again restart it at the same address."""

    def __init__(self, folder: str) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.folder],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        deadline = time.monotonic() + timeout
        try:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server on port {self.port} exited with {self.process.returncode}")
                with contextlib.suppress(RedisError):
                    if client.ping():
                        return
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"redis-server on port {self.port} did not answer PING")
                time.sleep(0.02)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
