"""Every module of the project imports on its own, first thing in a fresh
interpreter: an import cycle shows only in the order that enters it, which
the rest of the suite (or a command such as `python -m schema.export`) may
not happen to use."""

import asyncio
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("schema", "resolvers", "models", "realtime", "jobs", "portal", "bench")
AT_ONCE = 4


def _modules() -> list[str]:
    names = ["app", "cli", "settings"]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            names.append(module.removesuffix(".__init__"))
    return names


async def test_every_module_imports_first_in_a_fresh_interpreter():
    modules = _modules()
    assert {"app", "jobs.runner", "resolvers.notifications.outbox", "schema.export"} <= set(modules)
    slots = asyncio.Semaphore(AT_ONCE)

    async def failure(module: str) -> str | None:
        async with slots:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", f"import {module}", cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
            _, err = await process.communicate()
        return None if process.returncode == 0 else f"{module}: {err.decode(errors='replace').strip().splitlines()[-1]}"

    failures = [f for f in await asyncio.gather(*(failure(m) for m in modules)) if f]
    assert failures == []
