"""Reports: report.json (the contract), report.md (tables a person reads) and report.png (per-kind bars).

report.json holds {"summary", "by_kind", "by_tag", "by_rule", "by_reason", "pipelines" (only with several),
"settings_fingerprint", "policy_fingerprint", "items"}; the summary and the by_ tables are for the first pipeline;
every item row carries each pipeline's result under "results".
report.md and report.png are rendered from that JSON alone, so they can be redrawn from a saved report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from evals.gold import KINDS, UNANSWERABLE
from evals.metrics import (
    ANSWERED_UNANSWERABLE,
    ERROR,
    FACTS_MISSING,
    FALSE_REFUSAL,
    NOT_CITED,
    NOT_RETRIEVED,
    ItemScore,
    summarize,
    summarize_by_kind,
    summarize_by_reason,
    summarize_by_rule,
    summarize_by_tag,
)
from evals.runner import PipelineResult, RunResult

REPORT_KEYS = ("summary", "by_kind", "by_tag", "by_rule", "by_reason", "settings_fingerprint", "policy_fingerprint",
               "items")
"""Top-level keys of report.json; "pipelines" is added when several pipelines ran."""
WORST_ITEMS = 15
_SCORE_FIELDS = {f.name for f in fields(ItemScore)} - {"item_id", "kind", "answerable", "tags"}
_LABELS = {
    "n": "items", "answerable": "answerable", "unanswerable": "unanswerable",
    "hit_at_1": "hit@1", "hit_at_5": "hit@5", "hit_at_10": "hit@10", "mrr_at_10": "MRR@10",
    "all_evidence_at_5": "all evidence@5", "doc_hit_at_5": "文号 hit@5", "context_chars": "context chars (top 5)",
    "citation_support": "citation support", "key_fact_recall": "key-fact recall", "invalid_citations": "invalid citations / answer",
    "refusal_rate": "refusal rate (unanswerable)", "false_refusal_rate": "false refusal rate (answerable)",
    "declined_rate": "declined (unanswerable: refused, or told no value is set)",
    "latency_ms_p50": "latency p50 (ms)", "latency_ms_p95": "latency p95 (ms)",
}
KIND_ZH = {"number": "数值", "when": "时间", "fact": "事实", "procedure": "流程", "who": "主体", "list": "列举",
           "comparison": "比较", "multi-hop": "多跳", "unanswerable": "无法回答"}


# --- report.json -------------------------------------------------------------------------------------------------


def _result_row(result: PipelineResult) -> dict[str, Any]:
    row = {k: v for k, v in result.score.to_json().items() if k in _SCORE_FIELDS}
    answer = result.answer
    if answer is not None:
        row["answer"] = answer.text
        row["cited"] = [c.key for c in answer.citations]
        row["signals"] = dict(answer.trace.signals)
        row["invalid_citation_keys"] = list(answer.invalid_citations)
        row["top_passages"] = [
            {"key": p.key, "chunk_id": p.chunk_id, "doc_number": p.doc_number, "path": p.path, "source_file": p.source_file}
            for p in answer.passages[:5]
        ]
    return row


def build_report(run: RunResult) -> dict[str, Any]:
    """The report.json document for a run."""
    first = run.pipelines[0]
    report: dict[str, Any] = {
        "summary": summarize(run.scores(first)),
        "by_kind": summarize_by_kind(run.scores(first), KINDS),
        "by_tag": summarize_by_tag(run.scores(first)),
        "by_rule": summarize_by_rule(run.scores(first)),
        "by_reason": summarize_by_reason(run.scores(first)),
    }
    if len(run.pipelines) > 1:
        report["pipelines"] = {name: summarize(run.scores(name)) for name in run.pipelines}
    report["settings_fingerprint"] = run.settings_fingerprint
    report["policy_fingerprint"] = run.policy_fingerprint
    report["items"] = [
        {
            "id": r.item.id, "kind": r.item.kind, "tags": list(r.item.tags), "source": r.item.source, "question": r.question,
            "history": list(r.item.history), "doc_number": r.item.doc_number, "locator": r.item.locator,
            "results": {name: _result_row(r.results[name]) for name in run.pipelines},
        }
        for r in run.items
    ]
    return report


def pipeline_names(report: Mapping[str, Any]) -> list[str]:
    """Pipelines in run order (the first is the headline)."""
    if report.get("pipelines"):
        return list(report["pipelines"])
    items = report.get("items") or []
    return list(items[0]["results"]) if items else []


def scores_from_report(report: Mapping[str, Any], pipeline: str) -> list[ItemScore]:
    """Rebuild one pipeline's ItemScores from report.json rows."""
    out = []
    for row in report["items"]:
        result = {k: v for k, v in row["results"][pipeline].items() if k in _SCORE_FIELDS}
        result["missing_facts"] = tuple(result.get("missing_facts", ()))
        result["problems"] = tuple(result.get("problems", ()))
        result["rules_fired"] = tuple(result.get("rules_fired", ()))
        out.append(ItemScore(item_id=row["id"], kind=row["kind"], answerable=row["kind"] != UNANSWERABLE,
                             tags=tuple(row.get("tags", ())), **result))
    return out


# --- report.md ---------------------------------------------------------------------------------------------------


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key in ("n", "answerable", "unanswerable"):
        return str(int(value))
    if key == "context_chars":
        return f"{value:,.0f}"
    if key in ("latency_ms_p50", "latency_ms_p95"):
        return f"{value:,.1f}"
    return f"{value:.3f}"


def _severity(score: ItemScore) -> float:
    weights = {ERROR: 10.0, ANSWERED_UNANSWERABLE: 3.0, FALSE_REFUSAL: 3.0, NOT_RETRIEVED: 2.0, NOT_CITED: 1.0}
    total = sum(weights.get(p.split(":")[0], 0.0) for p in score.problems)
    if score.key_fact_recall is not None and any(p.startswith(FACTS_MISSING) for p in score.problems):
        total += 1.5 * (1 - score.key_fact_recall)
    return total


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_GROUP_COLUMNS = (("hit_at_5", "hit@5"), ("mrr_at_10", "MRR@10"), ("all_evidence_at_5", "all evidence@5"),
                  ("key_fact_recall", "key-fact recall"), ("citation_support", "citation support"))


def _group_table(names: Sequence[str], groups: Mapping[str, Mapping[str, Mapping[str, Any]]], label: str) -> list[str]:
    """One row per group (kind or tag) of the first pipeline, each cell every pipeline's value; *refused* is the
    refusal rate of a group's unanswerable items, then the false refusal rate of its answerable ones."""
    lines = [f"Each cell: {' / '.join(names)}. *refused*: refusal rate on unanswerable items ‖ false refusal rate on "
             "answerable items.", "",
             f"| {label} | n | " + " | ".join(title for _, title in _GROUP_COLUMNS) + " | refused |",
             "|---|---:|" + "---:|" * (len(_GROUP_COLUMNS) + 1)]
    for group in groups[names[0]]:
        rows = [groups[n].get(group, {}) for n in names]
        cells = [" / ".join(_fmt(key, r.get(key)) for r in rows) for key, _ in _GROUP_COLUMNS]
        refused = [" / ".join(_fmt(key, r.get(key)) for r in rows) for key in ("refusal_rate", "false_refusal_rate")
                   if rows[0].get(key) is not None]
        cells.append(" ‖ ".join(refused) or "—")
        lines.append(f"| {group} | {rows[0].get('n', 0)} | " + " | ".join(cells) + " |")
    return lines


def render_markdown(report: Mapping[str, Any], meta: Mapping[str, Any] | None = None) -> str:
    """Overall and per-kind tables (pipelines side by side), then the worst items of the first pipeline."""
    names = pipeline_names(report)
    summaries = report.get("pipelines") or {names[0]: report["summary"]}
    scores = {name: scores_from_report(report, name) for name in names}
    lines = ["# Evaluation report", ""]
    for key, value in (meta or {}).items():
        lines.append(f"- {key}: {value}")
    lines.append(f"- index settings fingerprint: `{report.get('settings_fingerprint', '')}`")
    lines.append(f"- answer policy fingerprint: `{report.get('policy_fingerprint', '')}`")
    lines += ["", "## Overall", "", "| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key, label in _LABELS.items():
        lines.append(f"| {label} | " + " | ".join(_fmt(key, summaries[n].get(key)) for n in names) + " |")
    by_kind = {name: summarize_by_kind(scores[name], KINDS) for name in names}
    lines += ["", "## By kind", "", *_group_table(names, by_kind, "kind")]
    by_tag = {name: summarize_by_tag(scores[name]) for name in names}
    if by_tag[names[0]]:
        lines += ["", "## By tag", "", "An item counts under each of its tags (see `evals/gold.py` TAGS).", ""]
        lines += _group_table(names, by_tag, "tag")
    by_rule = summarize_by_rule(scores[names[0]])
    if by_rule:
        n_ans = sum(1 for s in scores[names[0]] if s.answerable)
        n_un = len(scores[names[0]]) - n_ans
        lines += ["", f"## Answer-policy rules ({names[0]})", "",
                  f"How often each rule fired on the {n_ans} answerable and the {n_un} unanswerable items (all enabled "
                  "rules are evaluated on every question), and how often it decided (was the first to fire: the item "
                  "was refused because of it). On answerable items a rule costs; on unanswerable ones it saves.", "",
                  "| rule | fired: answerable | fired: unanswerable | decided: answerable (false refusals) | "
                  "decided: unanswerable (refusals) |", "|---|---:|---:|---:|---:|"]
        for rule, row in by_rule.items():
            lines.append(f"| {rule} | {row['fired_answerable']} | {row['fired_unanswerable']} | "
                         f"{row['decided_answerable']} | {row['decided_unanswerable']} |")
    by_reason = summarize_by_reason(scores[names[0]])
    if by_reason:
        lines += ["", f"## Reasons given ({names[0]})", "",
                  "`Answer.reason` of refusals and of answers that are not plain (a value left open, a model that "
                  "declined, an LLM that failed), on answerable and unanswerable items.", "",
                  "| reason | answerable | unanswerable |", "|---|---:|---:|"]
        lines += [f"| {reason} | {row['answerable']} | {row['unanswerable']} |" for reason, row in by_reason.items()]
    lines += ["", f"## Worst items ({names[0]})", ""]
    questions = {row["id"]: row for row in report["items"]}
    ranked = sorted((s for s in scores[names[0]] if s.problems), key=lambda s: (-_severity(s), s.item_id))[:WORST_ITEMS]
    if not ranked:
        lines.append("No item has a problem.")
    else:
        others = names[1:]
        header = ["id", "kind", "question", "what went wrong", "evidence rank", "key facts", *others]
        lines += ["| " + " | ".join(header) + " |", "|---|---|---|---|---:|---:|" + "---|" * len(others)]
        other_scores = {n: {s.item_id: s for s in scores[n]} for n in others}
        for s in ranked:
            row = questions[s.item_id]
            recall = "—" if s.key_fact_recall is None else f"{s.key_fact_recall:.2f}"
            rank = "—" if not s.answerable else (str(s.evidence_rank) if s.evidence_rank else "not in list")
            extra = ["; ".join(other_scores[n][s.item_id].problems) or "ok" for n in others]
            cells = [s.item_id, s.kind, _cell(row["question"]), _cell("; ".join(s.problems)), rank, recall, *map(_cell, extra)]
            lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


# --- report.png --------------------------------------------------------------------------------------------------


def cjk_font() -> str | None:
    """The name of an installed font with CJK glyphs (WenQuanYi, Noto Sans CJK, Droid Sans Fallback), or None."""
    from matplotlib import font_manager

    names = sorted({f.name for f in font_manager.fontManager.ttflist})
    for wanted in ("WenQuanYi", "Noto Sans CJK", "Droid Sans Fallback"):
        for name in names:
            if wanted.lower() in name.lower():
                return name
    return None


def render_png(report: Mapping[str, Any], path: Path) -> None:
    """Grouped bars per answerable kind: hit@5 and key-fact recall, one bar per pipeline (Agg, no pyplot state)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = pipeline_names(report)
    by_kind = {n: summarize_by_kind(scores_from_report(report, n), KINDS) for n in names}
    kinds = [k for k in KINDS if k != UNANSWERABLE and k in by_kind[names[0]]]
    font = cjk_font()
    labels = [f"{k}\n{KIND_ZH[k]}" if font else k for k in kinds]
    rc: dict[str, Any] = {"font.family": [font, "DejaVu Sans"]} if font else {}
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        fig = Figure(figsize=(max(9.0, 1.5 * len(kinds)), 4.8), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, 2, sharey=True)
        width = 0.8 / max(1, len(names))
        for ax, (metric, title) in zip(axes, (("hit_at_5", "hit@5"), ("key_fact_recall", "key-fact recall")), strict=True):
            for i, name in enumerate(names):
                values = [by_kind[name].get(k, {}).get(metric) or 0.0 for k in kinds]
                xs = [x - 0.4 + width * (i + 0.5) for x in range(len(kinds))]
                ax.bar(xs, values, width, label=name)
            ax.set_title(title)
            ax.set_xticks(range(len(kinds)), labels, rotation=30, ha="right", fontsize=8)
            ax.set_ylim(0, 1.05)
            ax.grid(axis="y", alpha=0.3)
        axes[0].set_ylabel("share of answerable items")
        axes[0].legend(loc="upper right", fontsize=8)
        fig.suptitle("Per-kind retrieval and answer quality: " + " vs ".join(names))
        fig.savefig(path, format="png", dpi=100)


# --- all three -----------------------------------------------------------------------------------------------------


def write_reports(report: Mapping[str, Any], out_dir: Path, meta: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write report.json, report.md and report.png into out_dir (created if needed); returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "report.json", "md": out_dir / "report.md", "png": out_dir / "report.png"}
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    paths["md"].write_text(render_markdown(report, meta), encoding="utf-8")
    render_png(report, paths["png"])
    return paths


def summary_lines(report: Mapping[str, Any], keys: Sequence[str] = ("n", "hit_at_5", "mrr_at_10", "citation_support",
                                                                    "key_fact_recall", "refusal_rate", "false_refusal_rate",
                                                                    "latency_ms_p50")) -> list[str]:
    """A few headline figures per pipeline, for the terminal."""
    names = pipeline_names(report)
    summaries = report.get("pipelines") or {names[0]: report["summary"]}
    return [f"{n}: " + ", ".join(f"{_LABELS[k]} {_fmt(k, summaries[n].get(k))}" for k in keys) for n in names]
