"""The CI gate reads floors, ceilings and the ahead-of-baseline rule."""

from __future__ import annotations

import json
from pathlib import Path

from evals.__main__ import main
from evals.gate import check

THRESHOLDS = {"floors": {"hit_at_5": 0.8}, "ceilings": {"false_refusal_rate": 0.05}, "ahead": {"metrics": ["hit_at_5"]}}


def _report(hit: float, false_refusal: float, baseline_hit: float) -> dict[str, object]:
    summary = {"hit_at_5": hit, "false_refusal_rate": false_refusal}
    return {"summary": summary, "pipelines": {"ours": summary, "baseline": {"hit_at_5": baseline_hit}}}


def test_gate_passes_at_or_above_floors_and_ahead_of_baseline() -> None:
    assert check(_report(0.8, 0.05, 0.7), THRESHOLDS) == []


def test_gate_names_each_failing_metric() -> None:
    failures = check(_report(0.79, 0.06, 0.85), THRESHOLDS)
    assert failures == [
        "hit_at_5 = 0.79 is below its floor 0.8",
        "false_refusal_rate = 0.06 is above its ceiling 0.05",
        "hit_at_5: ours 0.79 is behind the baseline 0.85",
    ]


def test_gate_command_exits_one_on_failure(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(_report(0.5, 0.0, 0.1)), encoding="utf-8")
    thresholds = tmp_path / "t.toml"
    thresholds.write_text("[floors]\nhit_at_5 = 0.8\n", encoding="utf-8")
    assert main(["gate", "--report", str(report), "--thresholds", str(thresholds)]) == 1
    thresholds.write_text("[floors]\nhit_at_5 = 0.4\n", encoding="utf-8")
    assert main(["gate", "--report", str(report), "--thresholds", str(thresholds)]) == 0
