"""`python -m app [--public] [--host 127.0.0.1] [--port 7860]`: start the web chat.

On a fresh clone there is no index yet: it is built first (the bundled gazettes, the configured embedder), with
progress on the terminal, so `make run` goes from clone to chat in one command.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import logging
import sys
from pathlib import Path
from typing import Any


def _progress_printer() -> Any:
    """A progress callback for run_ingest: a bar on a terminal, a line per 10 % otherwise."""
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
            print(f"建立索引：已处理 {done}/{total} 个片段", flush=True)

    return on_log


def build_index(settings: Any) -> bool:
    """Ingest settings.data_dir into a new index, printing progress; False when nothing could be indexed."""
    from ingest.embedders import make_embedder
    from ingest.pipeline import IndexFiles, run_ingest
    from ingest.reader import IngestError

    print(f"未找到索引：正在用 {settings.data_dir} 中的公报建立索引（首次运行需要几分钟）……", flush=True)
    try:
        report = run_ingest(settings, lambda: make_embedder(settings.embedder, settings.embed_model, models_dir=settings.models_dir), progress=_progress_printer())
    except IngestError as err:
        print(f"建立索引失败：{err}", file=sys.stderr)
        return False
    for failure in report.failed:
        print(f"文件未能入库：{failure}", file=sys.stderr)
    print(f"索引已建立：{report.documents} 件文件，{report.chunks} 个片段，用时 {report.seconds:.0f} 秒。", flush=True)
    return IndexFiles.of(settings).exists()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description="政府公报问答网页（gradio）。")
    parser.add_argument("--public", action="store_true", help="public mode: chat and sources only, with rate and length limits")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 = every interface)")
    parser.add_argument("--port", type=int, default=7860, help="port to bind (default 7860)")
    parser.add_argument("--root-path", default=None, help="URL prefix when served under a sub-path by a reverse proxy, e.g. /qa")
    parser.add_argument("--mode", choices=("auto", "offline", "llm"), default="auto",
                        help="answering: offline (verbatim clauses), llm (RAG_LLM_BASE_URL) or auto (llm when configured)")
    parser.add_argument("--feedback-log", type=Path, default=None,
                        help="feedback JSONL file (default: $RAG_FEEDBACK_LOG, else feedback.jsonl in the index folder)")
    parser.add_argument("--no-ingest", action="store_true", help="fail instead of building a missing index")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("bm25s", "httpx", "chromadb", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from pydantic import ValidationError

    from ingest.settings import Settings

    try:
        settings = Settings()  # type: ignore[call-arg]  # pydantic-settings reads the fields from the environment
    except ValidationError as err:
        print(f"配置有误：{err}", file=sys.stderr)
        return 2
    from rag.index import IndexMissing
    from rag.pipeline import load_pipeline

    try:
        pipeline = load_pipeline(args.mode)
    except IndexMissing as err:
        if args.no_ingest:
            print(f"错误：{err}", file=sys.stderr)
            return 2
        if not build_index(settings):
            return 1
        pipeline = load_pipeline(args.mode)
    except ValueError as err:  # e.g. --mode llm without RAG_LLM_BASE_URL
        print(f"错误：{err}", file=sys.stderr)
        return 2

    from app.documents import DocumentLibrary
    from app.feedback import FeedbackLog, default_path
    from app.ui import build_app, launch_options
    from rag.live import follow

    answerer = follow(pipeline, settings)  # a re-ingest is picked up without a restart

    feedback_path = args.feedback_log or default_path(settings.index_dir, dict(os.environ))
    feedback = FeedbackLog(feedback_path, settings.fingerprint())
    demo = build_app(answerer, DocumentLibrary.following(answerer), args.public, feedback=feedback)
    mode = "公开模式" if args.public else "员工模式"
    print(f"{mode}：http://{args.host}:{args.port}{args.root_path or ''}/ （反馈记录：{feedback_path}；Ctrl+C 退出）", flush=True)
    try:
        demo.launch(server_name=args.host, server_port=args.port, root_path=args.root_path, **launch_options(args.public))
    except OSError as err:
        print(f"无法在 {args.host}:{args.port} 启动：{err}。可用 --port 换一个端口。", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
