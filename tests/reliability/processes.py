"""Real console processes for the reliability tests: ``flask`` commands, gunicorn and the
scheduler, each started in its own process group on 127.0.0.1 and always killed again.

Every wait here is bounded; a process that outlives its test is killed in ``finally``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console import PROJECT_ROOT

BIN = Path(sys.executable).parent
SECRET_KEY = "reliability-test-secret-key"
START_TIMEOUT = 40.0


def console_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a console process on ``database_url``."""
    environment = {
        **os.environ,
        "CONSOLE_DATABASE_URL": database_url,
        "CONSOLE_ENV": "testing",
        "CONSOLE_SECRET_KEY": SECRET_KEY,
        "FLASK_APP": "wsgi",
        "PYTHONUNBUFFERED": "1",
    }
    environment.update(extra)
    return environment


def flask(
    database_url: str,
    *args: str,
    timeout: float = 60,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], Any] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``flask ARGS`` to the end (bounded by ``timeout``)."""
    return subprocess.run(
        [str(BIN / "flask"), *args],
        cwd=PROJECT_ROOT,
        env={**console_env(database_url), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=preexec_fn,
    )


def until(condition: Callable[[], Any], *, timeout: float, what: str, every: float = 0.05) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


@dataclass
class Spawned:
    """A started process group and the file its output goes to."""

    args: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    history: list[str] = field(default_factory=list)

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.args,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the whole group (gunicorn's workers too) and reap the leader."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        if sig == signal.SIGKILL:
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, a short grace, then SIGKILL of whatever is left of the group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.kill(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        self.kill(signal.SIGKILL)  # workers left behind by a killed master, if any


@contextmanager
def running(*spawned: Spawned) -> Iterator[None]:
    """Stop every process at the end, whatever happened in between."""
    try:
        yield
    finally:
        for item in spawned:
            item.stop()


LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


@dataclass
class Gunicorn(Spawned):
    """gunicorn serving ``wsgi:app``; the first start picks a free port, restarts reuse it."""

    port: int = 0
    workers: int = 2

    @classmethod
    def make(cls, database_url: str, log: Path, *, workers: int = 2, **env: str) -> Gunicorn:
        return cls(args=[], env=console_env(database_url, **env), log=log, workers=workers)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start (on the same port as before after a restart) and wait until it answers."""
        self.args = [
            str(BIN / "gunicorn"),
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "30",
            "--graceful-timeout",
            "2",
            "wsgi:app",
        ]
        offset = len(self.output())
        super().start()

        def listening() -> int | None:
            match = LISTENING.search(self.output()[offset:])
            if not self.alive():
                raise AssertionError(f"gunicorn exited:\n{self.output()[-3000:]}")
            return int(match.group(1)) if match else None

        self.port = until(listening, timeout=START_TIMEOUT, what="gunicorn to listen")
        until(self._answers, timeout=START_TIMEOUT, what="gunicorn to answer")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/auth/login", timeout=5) as response:  # noqa: S310
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False


def scheduler(database_url: str, log: Path, *, every: float = 1, **env: str) -> Spawned:
    """``flask scheduler run`` ticking every ``every`` seconds (not started yet)."""
    return Spawned(
        args=[str(BIN / "flask"), "scheduler", "run", "--every", str(every)],
        env=console_env(database_url, **env),
        log=log,
    )
