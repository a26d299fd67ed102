"""`python -m ingest [PATHS…]`: build or update the index; `--list` prints one row per document."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _embedder_factory(settings):  # type: ignore[no-untyped-def]
    from ingest.embedders import make_embedder

    return lambda: make_embedder(settings.embedder, settings.embed_model, models_dir=settings.models_dir)


def _print_list(settings) -> int:  # type: ignore[no-untyped-def]
    from index_format.generations import IndexFiles, load_state

    _, docs, _ = load_state(IndexFiles.of(settings))
    rows = sorted(docs.values(), key=lambda d: (d.source_file, d.line_start))
    for d in rows:
        indent = "  " if d.kind in ("embedded", "attachment") else ""
        print("\t".join([
            f"{indent}{d.doc_number or '—'}", d.title, d.date.isoformat() if d.date else "无日期", d.city,
            d.doc_type, d.source_file,
        ]))
    print(f"{len(rows)} documents", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Ingest gazette files (.txt, .pdf, .docx) into the index.")
    parser.add_argument("paths", nargs="*", type=Path, help="gazette files, .txt, .pdf or .docx (default: every such file in RAG_DATA_DIR)")
    parser.add_argument("--list", action="store_true", help="print one row per document: 文号, title, date, city, type, file")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)

    from pydantic import ValidationError

    from settings import Settings

    try:
        settings = Settings()
    except ValidationError as err:
        print(f"invalid settings: {err}", file=sys.stderr)
        return 2
    from index_format.generations import IndexFiles
    from ingest.embedders import cross_lingual_factory
    from ingest.pipeline import run_ingest
    from ingest.reader import IngestError

    if args.list and not args.paths and IndexFiles.of(settings).exists():
        return _print_list(settings)
    from tqdm import tqdm

    bar = tqdm(total=0, unit="chunk", desc="embedding", disable=not sys.stderr.isatty())

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        report = run_ingest(settings, _embedder_factory(settings), args.paths or None, progress=progress,
                            cross_lingual_factory=cross_lingual_factory(settings.cross_lingual))
    except IngestError as err:
        bar.close()
        print(f"error: {err}", file=sys.stderr)
        return 1
    bar.close()
    print(
        f"files {report.files} (unchanged {report.unchanged_files}, failed {len(report.failed)}) · "
        f"documents {report.documents} · chunks {report.chunks} (table blocks {report.tables}, table rows {report.table_rows}) · "
        f"tables {report.whole_tables} (without a detected header {report.tables_without_header}; "
        f"printed column by column {report.column_dumps}, rows rebuilt where their columns align) · "
        f"embedded {report.embedded} (from the cache {report.cached}; cross-lingual {report.cross_embedded}) · "
        f"sentence windows {report.windows} (embedded now {report.windows_embedded}) · removed {report.removed} · {report.seconds:.1f} s · "
        f"index {IndexFiles.of(settings).root}"
    )
    for dup in report.skipped_duplicates:
        print(f"skipped duplicate: {dup}")
    for failure in report.failed:
        print(f"error: {failure}", file=sys.stderr)
    if args.list:
        _print_list(settings)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
