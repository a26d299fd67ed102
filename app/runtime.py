"""Opening the answerer every front end serves (the web chat, the OpenAI-compatible API, the MCP server).

`open_answerer` reads the settings, loads the pipeline for the answer mode and follows re-ingests; on a fresh clone
there is no index yet, and it is built first (the bundled gazettes, the configured embedder) with progress on the
terminal, so `make run` goes from clone to chat in one command. Failures raise `StartupError` with the Chinese
sentence to print and the exit code, so each front end reports them the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.upload import UploadService
    from ingest.pipeline import IngestReport
    from rag.live import FollowingPipeline
    from settings import Settings


class StartupError(RuntimeError):
    """The program cannot start: `message` is for the person at the terminal, `code` the process exit status."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def load_settings() -> Settings:
    """The settings from the environment (RAG_*), or StartupError naming the bad field."""
    from pydantic import ValidationError

    from settings import Settings

    try:
        return Settings()  # type: ignore[call-arg]  # pydantic-settings reads the fields from the environment
    except ValidationError as err:
        raise StartupError(f"配置有误：{err}", 2) from err


def progress_printer() -> Callable[[int, int], None]:
    """A progress callback for run_ingest: a bar on a terminal, a line per 10 % otherwise (on stderr, so a stdio
    protocol server's stdout stays clean)."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=0, unit="片段", desc="建立索引")

        def on_tty(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        return on_tty
    shown = {-1}

    def on_log(done: int, total: int) -> None:
        step = (done * 10 // total) if total else 10
        if step not in shown:
            shown.add(step)
            print(f"建立索引：已处理 {done}/{total} 个片段", file=sys.stderr, flush=True)

    return on_log


def ingest_files(settings: Settings) -> Callable[..., IngestReport]:
    """The ingest the app runs (a missing index at start, staff uploads): `run_ingest` with the configured embedder
    and cross-lingual space; called as (paths or None for the data folder, progress, on_stage)."""
    from ingest.embedders import cross_lingual_factory, make_embedder
    from ingest.pipeline import run_ingest

    def run(paths: Sequence[Path] | None, progress: Callable[[int, int], None] | None = None,
            on_stage: Callable[[str], None] | None = None) -> IngestReport:
        return run_ingest(settings, lambda: make_embedder(settings.embedder, settings.embed_model, models_dir=settings.models_dir),
                          paths, progress=progress, on_stage=on_stage, cross_lingual_factory=cross_lingual_factory(settings.cross_lingual))

    return run


def build_index(settings: Settings) -> bool:
    """Ingest settings.data_dir into a new index, printing progress; False when nothing could be indexed."""
    from index_format.generations import IndexFiles
    from ingest.reader import IngestError

    print(f"未找到索引：正在用 {settings.data_dir} 中的公报建立索引（首次运行需要几分钟）……", file=sys.stderr, flush=True)
    try:
        report = ingest_files(settings)(None, progress_printer())
    except IngestError as err:
        print(f"建立索引失败：{err}", file=sys.stderr)
        return False
    for failure in report.failed:
        print(f"文件未能入库：{failure}", file=sys.stderr)
    print(f"索引已建立：{report.documents} 件文件，{report.chunks} 个片段，用时 {report.seconds:.0f} 秒。", file=sys.stderr, flush=True)
    return IndexFiles.of(settings).exists()


def open_answerer(settings: Settings, mode: str = "auto", ingest_if_missing: bool = True) -> FollowingPipeline:
    """The pipeline for `mode` (auto | offline | llm) over the current index generation, following re-ingests.

    A missing index is built first when `ingest_if_missing`, else StartupError (exit code 2)."""
    from rag.index import IndexMissing
    from rag.live import follow
    from rag.pipeline import load_pipeline

    try:
        pipeline = load_pipeline(mode)
    except IndexMissing as err:
        if not ingest_if_missing:
            raise StartupError(f"错误：{err}", 2) from err
        if not build_index(settings):
            raise StartupError("索引未能建立，无法启动。", 1) from err
        pipeline = load_pipeline(mode)
    except ValueError as err:  # e.g. --mode llm without RAG_LLM_BASE_URL
        raise StartupError(f"错误：{err}", 2) from err
    return follow(pipeline, settings)  # a re-ingest is picked up without a restart


def staff_uploads(settings: Settings, answerer: FollowingPipeline) -> UploadService:
    """The staff page's uploads: into settings.data_dir, ingested like `python -m ingest FILES`, and answered from
    as soon as the new generation is published (`answerer.follow_now`)."""
    from app.upload import UploadLimits, UploadService

    return UploadService(settings.data_dir, UploadLimits.of(settings), ingest_files(settings), on_published=answerer.follow_now)
