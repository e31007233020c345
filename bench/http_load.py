"""The load generator of bench/http.py, run as a process of its own: N
keep-alive connections, each sending one pre-encoded request and reading
its answer (by Content-Length) in a loop for the given seconds.

    python -m bench.http_load URL BODY_FILE --connections 32 --seconds 5 [--token T]

Prints one JSON line: requests answered, seconds, requests/s, how many were
not 200, and the first answer's body."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from urllib.parse import urlsplit


def request_bytes(url: str, body: bytes, token: str | None) -> bytes:
    parts = urlsplit(url)
    head = [
        f"POST {parts.path or '/'} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(body)}",
    ]
    if token:
        head.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _connection(host: str, port: int, request: bytes, until: float, tally: dict) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < until:
            writer.write(request)
            status, body = await _answer(reader)
            tally["requests"] += 1
            if status != 200:
                tally["not_ok"] += 1
            if tally["first"] is None:
                tally["first"] = body.decode(errors="replace")
    finally:
        writer.close()


async def load(url: str, body: bytes, connections: int, seconds: float, token: str | None) -> dict:
    parts = urlsplit(url)
    request = request_bytes(url, body, token)
    tally = {"requests": 0, "not_ok": 0, "first": None}
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(_connection(parts.hostname, parts.port, request, until, tally) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return {**tally, "seconds": elapsed, "per_second": tally["requests"] / elapsed}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.http_load")
    parser.add_argument("url")
    parser.add_argument("body_file")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--token")
    args = parser.parse_args()
    with open(args.body_file, "rb") as file:
        body = file.read()
    print(json.dumps(asyncio.run(load(args.url, body, args.connections, args.seconds, args.token))))
