"""The CI gate: floors (and ceilings) for the dev set's summary metrics, read from evals/thresholds.toml.

A floor is set just under what was measured and only ever raised; the gate fails when a metric falls below its
floor, rises above its ceiling, or when ours falls behind the baseline on a metric listed under [ahead].
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def load_thresholds(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise FileNotFoundError(f"no thresholds file at {path}: create it with [floors] and [ceilings] tables")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def check(report: dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    """Human-readable failures; an empty list means the gate passes."""
    summary = report["summary"]
    failures: list[str] = []
    for metric, floor in thresholds.get("floors", {}).items():
        value = summary.get(metric)
        if value is None or value < floor:
            failures.append(f"{metric} = {value} is below its floor {floor}")
    for metric, ceiling in thresholds.get("ceilings", {}).items():
        value = summary.get(metric)
        if value is None or value > ceiling:
            failures.append(f"{metric} = {value} is above its ceiling {ceiling}")
    ahead = thresholds.get("ahead", {})
    pipelines = report.get("pipelines", {})
    if ahead.get("metrics"):
        if "baseline" not in pipelines:
            failures.append("the report has no baseline run to compare with: run with --pipeline ours,baseline")
        else:
            for metric in ahead["metrics"]:
                ours, base = summary.get(metric), pipelines["baseline"].get(metric)
                if ours is None or base is None or ours < base:
                    failures.append(f"{metric}: ours {ours} is behind the baseline {base}")
    return failures
