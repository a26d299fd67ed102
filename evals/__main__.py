"""Command line: `python -m evals run …` (score pipelines on gold files), `python -m evals check …` (gold quotes),
`python -m evals gate …` (CI floors), `python -m evals compare …` (splits side by side).

Exit status: 0 when the command did its work (whatever the scores), 1 on errors (a bad gold file, a pipeline that
cannot be built, items whose answer call raised, a gold quote missing from the corpus), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from evals.gold import GoldError, GoldItem, check_quotes, corpus_texts, load_gold
from evals.runner import MODES, PIPELINE_NAMES, QUESTION_FIELDS, Pipeline, PipelineUnavailable
from ingest.reader import IngestError

Factories = Mapping[str, Callable[[], Pipeline]]


def _pipelines_arg(value: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in PIPELINE_NAMES]
    if not names or unknown or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of {', '.join(PIPELINE_NAMES)} "
                                         f"(each at most once), got {value!r}")
    return names


def _limit_arg(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"--limit must be a whole number >= 1, got {value!r}")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="answer the gold questions with each pipeline and write report.json/.md/.png")
    run.add_argument("--gold", action="append", required=True, type=Path, metavar="FILE", help="gold JSONL file (repeatable)")
    run.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for report.json, report.md, report.png")
    run.add_argument("--pipeline", type=_pipelines_arg, default=["ours", "baseline"], metavar="ours|baseline|ours,baseline",
                     help="pipelines to run, the first one is the headline (default: ours,baseline)")
    run.add_argument("--question-field", choices=QUESTION_FIELDS, default="question",
                     help="ask `question` (default) or `question_en` (items without it are skipped, and listed)")
    run.add_argument("--mode", choices=MODES, default="offline", help="our pipeline's mode (default: offline)")
    run.add_argument("--limit", type=_limit_arg, metavar="N", help="run only the first N items")
    gate = sub.add_parser("gate", help="fail (exit 1) when a report's metrics fall below the floors in a thresholds file")
    gate.add_argument("--report", required=True, type=Path, metavar="FILE", help="report.json written by `run`")
    gate.add_argument("--thresholds", type=Path, default=Path(__file__).with_name("thresholds.toml"), metavar="FILE",
                      help="floors/ceilings (default: evals/thresholds.toml)")
    latency = sub.add_parser("latency", help="benchmark: warm per-question latency of our pipeline, per stage")
    latency.add_argument("--gold", action="append", required=True, type=Path, metavar="FILE", help="gold JSONL file (repeatable)")
    latency.add_argument("--rounds", type=_limit_arg, default=3, metavar="N", help="timed passes over the items (default 3)")
    compare = sub.add_parser("compare", help="splits side by side: headline metrics of several reports in one table")
    compare.add_argument("--report", action="append", required=True, metavar="NAME=FILE",
                         help="a split's report.json, e.g. dev=evals/out/dev/report.json (repeatable; the first two get a gap column)")
    compare.add_argument("--out", type=Path, metavar="FILE", help="also write the table to this Markdown file")
    calibrate = sub.add_parser("calibrate", help="k-fold calibration of the not_relevant thresholds on a DEV report")
    calibrate.add_argument("--report", required=True, type=Path, metavar="FILE", help="report.json of the dev split")
    calibrate.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for calibration.md and calibration.png")
    calibrate.add_argument("--folds", type=_limit_arg, default=5, metavar="K", help="folds (default 5)")
    sweep = sub.add_parser("sweep", help="answer the DEV items once per value of answer-policy thresholds; choose each by k-fold CV")
    sweep.add_argument("--gold", action="append", required=True, type=Path, metavar="FILE", help="dev gold JSONL file (repeatable)")
    sweep.add_argument("--setting", action="append", metavar="NAME",
                       help="a threshold of rag.policy.PolicyConfig (repeatable; default: every one in evals.sweep.GRIDS)")
    sweep.add_argument("--out", required=True, type=Path, metavar="FILE", help="Markdown file for the tables")
    sweep.add_argument("--question-field", choices=QUESTION_FIELDS, default="question",
                       help="ask `question` (default) or `question_en` (items without it are left out)")
    ranker = sub.add_parser("train-ranker", help="fit the learned rankers (Chinese and English questions) on the DEV split (k-fold CV by question)")
    ranker.add_argument("--gold", action="append", required=True, type=Path, metavar="FILE", help="dev gold JSONL file (repeatable)")
    ranker.add_argument("--model", type=Path, default=Path("rag/ranker.json"), metavar="FILE", help="where the model goes (default: rag/ranker.json)")
    ranker.add_argument("--report", type=Path, default=Path("evals/out/dev/ranker.md"), metavar="FILE",
                        help="Markdown cross-validation report (default: evals/out/dev/ranker.md)")
    ranker.add_argument("--depth", type=_limit_arg, default=8, metavar="N",
                        help="fused candidates the ranker re-orders (default 8: the passages retrieval returns, so the answer policy judges the same set)")
    check = sub.add_parser("check", help="verify every evidence quote against the bundled corpus")
    check.add_argument("--gold", action="append", required=True, type=Path, metavar="FILE", help="gold JSONL file (repeatable)")
    return parser


def _err(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def cmd_check(gold: Sequence[Path]) -> int:
    from settings import Settings

    items = load_gold(gold)
    corpus_dir = Settings().data_dir  # type: ignore[call-arg]  # pydantic-settings fills fields from the environment
    corpus = corpus_texts(corpus_dir)
    failures = check_quotes(items, corpus)
    quotes = sum(len(i.quotes) for i in items)
    for failure in failures:
        print(f"FAIL {failure}")
    status = "all found" if not failures else f"{len(failures)} not found"
    files = sum(1 for name in corpus if not name.endswith(" (repaired)"))
    print(f"checked {quotes} quotes of {len(items)} items against {files} files in {corpus_dir} (raw and repaired): {status}")
    return 1 if failures else 0


def cmd_compare(specs: Sequence[str], out: Path | None) -> int:
    from evals.compare import load_reports, render

    table = render(load_reports(specs))
    print(table, end="")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("# Splits side by side\n\n" + table, encoding="utf-8")
    return 0


def cmd_calibrate(report_path: Path, out: Path, k: int) -> int:
    import json

    from evals.calibrate import cross_validate, plot, render, rows_of
    from settings import Settings

    if not report_path.exists():
        _err(f"no report at {report_path}: run `python -m evals run --out {report_path.parent}` on the dev split first")
        return 1
    rows = rows_of(json.loads(report_path.read_text(encoding="utf-8")))
    if not rows or all(r.answerable for r in rows) or not any(r.answerable for r in rows):
        _err(f"{report_path} has no signals for both answerable and unanswerable items: re-run `python -m evals run`")
        return 1
    settings = Settings()  # type: ignore[call-arg]
    current = (settings.gate_min_coverage, settings.gate_min_dense)
    folds = cross_validate(rows, k)
    out.mkdir(parents=True, exist_ok=True)
    text = render(rows, folds, current)
    (out / "calibration.md").write_text(text, encoding="utf-8")
    plot(rows, current[1], out / "calibration.png")
    print(text, end="")
    print(f"wrote {out / 'calibration.md'}, {out / 'calibration.png'}")
    return 0


def cmd_sweep(gold: Sequence[Path], settings_wanted: Sequence[str] | None, out: Path, field: str = "question") -> int:
    from evals.sweep import GRIDS, cross_validate, render, sweep, with_value
    from rag.pipeline import Pipeline, load_pipeline

    unknown = [s for s in settings_wanted or () if s not in GRIDS]
    if unknown:
        _err(f"no grid for {unknown}: choose from {', '.join(GRIDS)}")
        return 2
    items = [i for i in load_gold(gold) if getattr(i, field)]
    base = load_pipeline("offline")
    parts = ["# Answer-policy thresholds swept on the dev split", "",
             f"{len(items)} items ({sum(not i.answerable for i in items)} unanswerable), asked by `{field}`; one threshold "
             "changed at a time.", ""]
    for setting in settings_wanted or list(GRIDS):
        current = getattr(base.policy, setting)

        def make(value: float, setting: str = setting) -> Pipeline:
            return Pipeline(base.index, retriever=base.retriever, policy=with_value(base.policy, setting, value),  # type: ignore[arg-type]
                            today=base.today)

        outcomes = sweep(items, make, GRIDS[setting], field)
        section = render(setting, outcomes, cross_validate(items, outcomes, current), current)
        print(section, flush=True)
        parts.append(section)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def cmd_train_ranker(gold: Sequence[Path], model_path: Path, report_path: Path, depth: int) -> int:
    from dataclasses import replace

    from evals.train_ranker import collect, render, train
    from rag.pipeline import load_pipeline
    from rag.query import is_cross_lingual
    from rag.ranker import Rankers

    items = [item for item in load_gold(gold) if item.answerable]
    pipeline = load_pipeline("offline", ranker=False)  # the trainer sees the fused order
    retriever = pipeline.retriever

    def asked(item: GoldItem, language: str) -> str:
        return item.question if language == "chinese" else item.question_en or ""

    models, sections = {}, []
    for language in ("chinese", "english"):
        chosen = [i for i in items if asked(i, language)
                  and is_cross_lingual(pipeline.standalone(asked(i, language), i.history)[0]) == (language == "english")]

        def candidates(item: GoldItem, language: str = language) -> tuple[list[str], list[list[float]]]:
            question, filters = pipeline.standalone(asked(item, language), item.history)
            return retriever.ranking_candidates(question, filters, depth)

        questions = collect(chosen, candidates, lambda cid: pipeline.index.chunks[cid].text)
        model, runs = train(questions, depth)
        models[language] = replace(model, trained={**model.trained, "gold": [str(g) for g in gold],
                                                   "field": "question" if language == "chinese" else "question_en"})
        sections.append(render(models[language], runs, ", ".join(map(str, gold)), language))
        t = model.trained
        print(f"{language}: held-out MRR@10 {t['fused_mrr_at_10']:.3f} (fused) -> {t['learned_mrr_at_10']:.3f} (learned), "
              f"hit@1 {t['fused_hit_at_1']:.3f} -> {t['learned_hit_at_1']:.3f} at C={t['C']} ({t['questions']} questions)")
    rankers = Rankers(models["chinese"], models["english"])
    rankers.save(model_path)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text("\n".join(sections), encoding="utf-8")
    print(f"wrote {model_path} ({rankers.digest()}) and {report_path}")
    return 0


def cmd_gate(report_path: Path, thresholds_path: Path) -> int:
    import json

    from evals.gate import check, load_thresholds

    if not report_path.exists():
        _err(f"no report at {report_path}: run `python -m evals run --out {report_path.parent}` first")
        return 1
    failures = check(json.loads(report_path.read_text(encoding="utf-8")), load_thresholds(thresholds_path))
    for failure in failures:
        print(f"GATE FAIL {failure}")
    print(f"gate: {'passed' if not failures else f'{len(failures)} failure(s)'} ({thresholds_path})")
    return 1 if failures else 0


def cmd_latency(gold: Sequence[Path], rounds: int) -> int:
    from evals.latency import measure
    from rag.pipeline import load_pipeline

    items = load_gold(gold)
    result = measure(load_pipeline("offline"), items, rounds)
    for stage, figures in result.items():
        print(f"{stage:12} p50 {figures['p50']:.1f} ms  p95 {figures['p95']:.1f} ms  (n={int(figures['n'] or 0)})")
    return 0


def cmd_run(args: argparse.Namespace, factories: Factories | None = None) -> int:
    from evals.report import build_report, summary_lines, write_reports
    from evals.runner import default_factories, run_eval, select_items
    from settings import Settings

    items = load_gold(args.gold)
    chosen, skipped = select_items(items, args.question_field, args.limit)
    if skipped:
        print(f"skipping {len(skipped)} items without {args.question_field}: {', '.join(skipped)}", file=sys.stderr)
    if not chosen:
        _err(f"no item has {args.question_field!r}: nothing to run")
        return 1
    settings = Settings()  # type: ignore[call-arg]  # pydantic-settings fills fields from the environment

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    available = factories if factories is not None else default_factories(settings, args.mode, say)
    pipelines = []
    for name in args.pipeline:
        if name not in available:
            _err(f"no pipeline named {name!r}: choose from {', '.join(available)}")
            return 1
        pipelines.append(available[name]())
    step = 10 if len(chosen) > 20 else 1

    def progress(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            say(f"[{done:>4}/{total}] items answered by {', '.join(args.pipeline)}")

    from rag.policy import PolicyConfig

    run = run_eval(pipelines, chosen, args.question_field, progress=progress, skipped=skipped,
                   settings_fingerprint=settings.fingerprint(),
                   policy_fingerprint=PolicyConfig.from_settings(settings).fingerprint())
    report = build_report(run)
    from rag.ranker import load_ranker

    rankers = load_ranker(settings.ranker_model)
    meta = {"gold": ", ".join(map(str, args.gold)), "items": f"{len(chosen)} run, {len(skipped)} skipped",
            "question field": args.question_field, "mode": args.mode, "pipelines": ", ".join(args.pipeline),
            "learned rankers": f"`{rankers.digest()}`" if rankers else "off"}
    if skipped:
        meta["skipped (no " + args.question_field + ")"] = ", ".join(skipped)
    paths = write_reports(report, args.out, meta)
    for line in summary_lines(report):
        print(line)
    print(f"wrote {paths['json']}, {paths['md']}, {paths['png']}")
    if run.errors:
        _err(f"{run.errors} answer call(s) raised; see the 'error' field of their rows in {paths['json']}")
        return 1
    return 0


def main(argv: Sequence[str] | None = None, factories: Factories | None = None) -> int:
    """Entry point; `factories` (pipeline name → builder) replaces the real pipelines, for tests."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check":
            return cmd_check(args.gold)
        if args.command == "latency":
            return cmd_latency(args.gold, args.rounds)
        if args.command == "sweep":
            return cmd_sweep(args.gold, args.setting, args.out, args.question_field)
        if args.command == "calibrate":
            return cmd_calibrate(args.report, args.out, args.folds)
        if args.command == "compare":
            return cmd_compare(args.report, args.out)
        if args.command == "train-ranker":
            return cmd_train_ranker(args.gold, args.model, args.report, args.depth)
        if args.command == "gate":
            return cmd_gate(args.report, args.thresholds)
        return cmd_run(args, factories)
    except GoldError as err:
        _err(str(err))
        return 1
    except (PipelineUnavailable, IngestError, FileNotFoundError, ValueError) as err:
        _err(str(err))
        return 1


if __name__ == "__main__":
    sys.exit(main())
