"""Kill -9 a real ingest process at each point of its run: the previous index keeps answering, and the next run
completes (reusing what the killed run had embedded)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GAZETTES, ROOT

QUESTION = "新开办企业免费刻制印章"
FIRST = "jincheng-2021-06.txt"
SECOND = "jincheng-2018-04.txt"


def _driver(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.ingest.ingest_driver", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


def _ingest(index: Path, data: Path) -> dict[str, Any]:
    out = subprocess.run(_driver("ingest", str(index), str(data)), capture_output=True, text=True, env=_env(), timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _check(index: Path, data: Path) -> dict[str, Any]:
    out = subprocess.run(_driver("check", str(index), str(data), QUESTION), capture_output=True, text=True, env=_env(), timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _kill_at(index: Path, data: Path, point: str) -> list[str]:
    """Run a pausing ingest, let it pass every event until `point`, SIGKILL it there; returns the events seen."""
    proc = subprocess.Popen(_driver("ingest", str(index), str(data), "--pause"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=_env())
    assert proc.stdin and proc.stdout
    seen: list[str] = []
    try:
        for line in proc.stdout:
            seen.append(line.strip())
            if line.startswith(point):
                break
            proc.stdin.write("go\n")
            proc.stdin.flush()
        else:
            pytest.fail(f"the ingest never reached {point!r}; events: {seen}")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return seen


def _indexed_first_file(tmp_path: Path) -> tuple[Path, Path]:
    """(data folder, index folder) with FIRST ingested: generation 1 published."""
    data, index = tmp_path / "data", tmp_path / "index"
    data.mkdir()
    shutil.copy(GAZETTES / FIRST, data / FIRST)
    _ingest(index, data)
    return data, index


@pytest.mark.integration
def test_ingest_killed_at_any_point_leaves_the_previous_index_answering_and_the_next_run_completes(tmp_path: Path) -> None:
    data, index = _indexed_first_file(tmp_path)
    before = _check(index, data)
    assert before["generation"] == 1 and before["cited"] and not before["refused"]
    assert before["chunks"] == before["store"] == before["keyword"]

    shutil.copy(GAZETTES / SECOND, data / SECOND)  # the change every killed run is trying to publish
    for point in ("parsed", "embedded 256/", "staged", "written"):  # 305 new chunks: groups of 256 (EMBED_GROUP) then 49
        events = _kill_at(index, data, point)
        assert events[-1].startswith(point)
        after = _check(index, data)
        staged = after.pop("collections")
        assert after == {k: v for k, v in before.items() if k != "collections"}, f"killed at {point!r}: the published index changed"
        assert set(before["collections"]) <= set(staged)  # the staged generation is beside it, unpublished

    finished = _ingest(index, data)
    assert finished["generation"] == 2 and not finished["failed"]
    # the staged generation was resumed: the chunks the killed runs embedded are not embedded again
    assert finished["embedded"] < finished["chunks"] - len(before["chunks"])
    done = _check(index, data)
    assert done["chunks"] == done["store"] == done["keyword"]
    assert set(before["chunks"]) < set(done["chunks"]) and len(done["chunks"]) == finished["chunks"]
    assert done["cited"] and not done["refused"]


@pytest.mark.integration
def test_kill_after_publishing_keeps_the_new_index_and_old_generations_are_pruned(tmp_path: Path) -> None:
    data, index = _indexed_first_file(tmp_path)
    shutil.copy(GAZETTES / SECOND, data / SECOND)
    _kill_at(index, data, "published")  # published, killed before pruning
    published = _check(index, data)
    assert published["generation"] == 2 and published["chunks"] == published["store"] == published["keyword"]

    (data / SECOND).unlink()
    _ingest(index, data)  # generation 3: back to one file; generation 1 is pruned, 2 kept for running readers
    last = _check(index, data)
    assert last["generation"] == 3 and last["chunks"] == last["store"] == last["keyword"]
    assert len(last["chunks"]) < len(published["chunks"])
    names = last["collections"]
    assert sorted(n.rsplit("-g", 1)[1] for n in names) == ["2", "2-win", "3", "3-win"]  # each with its sentence windows
    base = index / names[0].rsplit("-g", 1)[0]
    assert sorted(p.name for p in base.iterdir() if p.is_dir()) == ["g2", "g3"]
