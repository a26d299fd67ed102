"""What the machine was doing: load average, a process's CPU time and memory (from /proc), folder sizes."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
from pathlib import Path
from typing import Any

_MIB = 1024 * 1024


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (other engineers share these 2 cores: read figures beside it)."""
    return [round(x, 2) for x in os.getloadavg()]


def code_version(root: Path) -> dict[str, Any]:
    """The commit measured and how many files differed from it (others may be editing the same tree)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    return {"commit": git("rev-parse", "--short", "HEAD") or None, "changed_files": len(git("status", "--short").splitlines())}


def describe(root: Path | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"cpus": os.cpu_count(), "python": platform.python_version(), "machine": platform.machine(),
                           "load_average": load_average()}
    if root is not None:
        out["code"] = code_version(root)
    return out


def _status(pid: int | str, field: str) -> float | None:
    """A memory field of /proc/<pid>/status in MiB (VmRSS: resident now, VmHWM: peak resident)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def rss_mib(pid: int | str = "self") -> float | None:
    return _status(pid, "VmRSS")


def peak_rss_mib(pid: int | str = "self") -> float | None:
    if pid == "self":
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux
    return _status(pid, "VmHWM")


def cpu_seconds(pid: int | str = "self") -> float | None:
    """User + system CPU seconds the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return round((int(fields[11]) + int(fields[12])) / ticks, 2)  # utime, stime (fields 14 and 15 of stat)


def size_mib(path: Path) -> float:
    """Bytes on disk under `path` (a file or a folder), in MiB."""
    if path.is_file():
        return round(path.stat().st_size / _MIB, 2)
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return round(total / _MIB, 2)
