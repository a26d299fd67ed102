"""Splits side by side: the headline metrics of several reports (dev, test, …) in one table.

The dev split tunes rules and thresholds; the test split only measures. A dev gain the test split does not show
is not a gain, so every report the project quotes puts the two next to each other, with the gap dev − test of the
headline pipeline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

COMPARED = ("n", "hit_at_1", "hit_at_5", "mrr_at_10", "all_evidence_at_5", "doc_hit_at_5", "citation_support",
            "key_fact_recall", "refusal_rate", "false_refusal_rate", "latency_ms_p50")
LABELS = {"n": "items", "hit_at_1": "hit@1", "hit_at_5": "hit@5", "mrr_at_10": "MRR@10",
          "all_evidence_at_5": "all evidence@5", "doc_hit_at_5": "文号 hit@5", "citation_support": "citation support",
          "key_fact_recall": "key-fact recall", "refusal_rate": "refusal (unanswerable)",
          "false_refusal_rate": "false refusal (answerable)", "latency_ms_p50": "latency p50 (ms)"}


def load_reports(specs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`name=path/report.json` pairs → {name: report}, in the order given."""
    out: dict[str, dict[str, Any]] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise ValueError(f"--report must be NAME=PATH (e.g. test=evals/out/test/report.json), got {spec!r}")
        file = Path(path)
        if not file.exists():
            raise FileNotFoundError(f"no report at {file}: run `python -m evals run --out {file.parent}` first")
        out[name] = json.loads(file.read_text(encoding="utf-8"))
    return out


def _summaries(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    if report.get("pipelines"):
        return dict(report["pipelines"])
    first = next(iter(report["items"][0]["results"])) if report.get("items") else "ours"
    return {first: report["summary"]}


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key == "n":
        return str(int(value))
    if key.startswith("latency"):
        return f"{value:,.1f}"
    return f"{value:.3f}"


def render(reports: Mapping[str, Mapping[str, Any]]) -> str:
    """Markdown: one column per (split, pipeline), then the headline pipeline's gap between the first two splits."""
    splits = list(reports)
    columns = [(split, pipe) for split in splits for pipe in _summaries(reports[split])]
    headline = next(iter(_summaries(reports[splits[0]])))
    gap = len(splits) >= 2 and headline in _summaries(reports[splits[1]])
    header = [f"{split} {pipe}" for split, pipe in columns] + ([f"gap {splits[0]} − {splits[1]} ({headline})"] if gap else [])
    lines = ["| metric | " + " | ".join(header) + " |", "|---|" + "---:|" * len(header)]
    for key in COMPARED:
        cells = [_fmt(key, _summaries(reports[s])[p].get(key)) for s, p in columns]
        if gap:
            a, b = (_summaries(reports[s])[headline].get(key) for s in splits[:2])
            cells.append("—" if a is None or b is None or key in ("n", "latency_ms_p50") else f"{a - b:+.3f}")
        lines.append(f"| {LABELS[key]} | " + " | ".join(cells) + " |")
    lines += ["", "Fingerprints (index / answer policy): " + ", ".join(
        f"{s} `{r.get('settings_fingerprint', '')}` / `{r.get('policy_fingerprint', '')}`" for s, r in reports.items())]
    return "\n".join(lines) + "\n"
