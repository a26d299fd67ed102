"""The app as a subprocess on 127.0.0.1 and a free port (`python -m app`, staff mode unless told otherwise), for the
load benchmark: started, waited for until its page answers, and stopped on every exit path (its own process group;
on Linux it also dies with this process)."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "ANONYMIZED_TELEMETRY": "False",
               "GRADIO_ANALYTICS_ENABLED": "False"}
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ServedApp:
    pid: int
    url: str
    log: Path
    started_s: float  # seconds from launch until the page answered


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: its own session (so stopping it stops its group) and SIGTERM when we die."""
    os.setsid()
    with suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _answers(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy
    try:
        with opener.open(url, timeout=2) as response:
            return int(response.status) == 200
    except OSError:
        return False


def stop(process: subprocess.Popen[bytes], grace_s: float = 15.0) -> int | None:
    """SIGTERM to the app's process group, SIGKILL after `grace_s`; the exit code (None if it could not be reaped)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        except ProcessLookupError:
            pass
    return process.poll()


@contextmanager
def serve(log: Path, extra_args: Sequence[str] = (), ready_timeout_s: float = 300.0) -> Iterator[ServedApp]:
    """Run `python -m app --mode offline --no-ingest` on a free loopback port with its output in `log`.

    Fails fast when the app exits or does not answer within `ready_timeout_s` (the index must exist: a missing
    one is an error here, not a 6-minute build inside a benchmark)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log.parent.mkdir(parents=True, exist_ok=True)
    feedback = log.with_name("feedback.jsonl")  # never the real feedback log
    cmd = [sys.executable, "-m", "app", "--host", "127.0.0.1", "--port", str(port), "--mode", "offline", "--no-ingest",
           "--feedback-log", str(feedback), *extra_args]
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **OFFLINE_ENV},
                                   preexec_fn=_die_with_parent)  # before any user thread starts
    try:
        while not _answers(url):
            if process.poll() is not None:
                tail = log.read_text(encoding="utf-8", errors="replace")[-1500:]
                raise RuntimeError(f"the app exited with code {process.returncode} before answering; its log ({log}) ends:\n{tail}")
            if time.perf_counter() - started > ready_timeout_s:
                raise RuntimeError(f"the app did not answer at {url} within {ready_timeout_s:.0f} s: see {log}")
            time.sleep(0.5)
        yield ServedApp(process.pid, url, log, round(time.perf_counter() - started, 1))
    finally:
        stop(process)
