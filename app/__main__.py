"""`python -m app [--public] [--host 127.0.0.1] [--port 7860] [--api-only]`: the web chat at / and the
OpenAI-compatible API at /v1, one process and port (app.server). `python -m app keys add NAME`: a staff API key.

On a fresh clone there is no index yet: it is built first (the bundled gazettes, the configured embedder), with
progress on the terminal, so `make run` goes from clone to chat in one command (app.runtime).
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import contextlib
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def keys_main(argv: list[str]) -> int:
    """`python -m app keys add NAME | revoke NAME | list`: the staff API's keys (app.keys)."""
    from app.keys import KeyFile, KeyFileError
    from app.runtime import StartupError, load_settings

    parser = argparse.ArgumentParser(prog="python -m app keys", description="员工模式 API 密钥（文件中只存哈希）。")
    parser.add_argument("action", choices=("add", "revoke", "list"))
    parser.add_argument("name", nargs="?", help="the key's name (a person or a client), for add and revoke")
    args = parser.parse_args(argv)
    try:
        keys = KeyFile(load_settings().api_keys_file)
        if args.action == "list":
            for entry in keys.entries():
                print(entry.name)
            return 0
        if not args.name:
            parser.error(f"{args.action} needs a NAME")
        if args.action == "revoke":
            if not keys.revoke(args.name):
                print(f"{keys.path} 中没有名为 {args.name} 的密钥。", file=sys.stderr)
                return 1
            print(f"已撤销 {args.name} 的密钥。")
            return 0
        key = keys.add(args.name)
    except (KeyFileError, StartupError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    print(key)
    print(f"（{args.name} 的新密钥只显示这一次；文件 {keys.path} 中只存它的哈希。）", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["keys"]:
        return keys_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m app", description="政府公报问答：网页（gradio）和 OpenAI 兼容 API（/v1），同一端口。")
    parser.add_argument("--public", action="store_true", help="public mode: chat and sources only, with rate and length limits; the API needs no key")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 = every interface)")
    parser.add_argument("--port", type=int, default=7860, help="port to bind (default 7860)")
    parser.add_argument("--root-path", default=None, help="URL prefix when served under a sub-path by a reverse proxy, e.g. /qa")
    parser.add_argument("--mode", choices=("auto", "offline", "llm"), default="auto",
                        help="answering: offline (verbatim clauses), llm (RAG_LLM_BASE_URL) or auto (llm when configured)")
    parser.add_argument("--feedback-log", type=Path, default=None,
                        help="feedback JSONL file (default: $RAG_FEEDBACK_LOG, else feedback.jsonl in the index folder)")
    parser.add_argument("--no-ingest", action="store_true", help="fail instead of building a missing index")
    parser.add_argument("--api-only", action="store_true", help="serve only the OpenAI-compatible API (/v1), no web page")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("bm25s", "httpx", "chromadb", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from app.runtime import StartupError, load_settings, open_answerer, staff_uploads

    try:
        settings = load_settings()
        answerer = open_answerer(settings, args.mode, ingest_if_missing=not args.no_ingest)
    except StartupError as err:
        print(str(err), file=sys.stderr)
        return err.code

    from app.documents import DocumentLibrary
    from app.feedback import FeedbackLog, default_path
    from app.keys import KeyFile
    from app.server import build_server

    feedback_path = args.feedback_log or default_path(settings.index_dir, dict(os.environ))
    feedback = FeedbackLog(feedback_path, settings.fingerprint())
    keys = None if args.public else KeyFile(settings.api_keys_file)
    uploads = None if args.public or args.api_only else staff_uploads(settings, answerer)
    server = build_server(answerer, DocumentLibrary.following(answerer), args.public, feedback=feedback, keys=keys,
                          web=not args.api_only, root_path=args.root_path, uploads=uploads)
    mode = "公开模式" if args.public else "员工模式"
    base = f"http://{args.host}:{args.port}{args.root_path or ''}"
    page = "" if args.api_only else f"网页 {base}/ ；"
    auth = "无需密钥" if args.public else f"需要密钥（python -m app keys add NAME；密钥文件 {settings.api_keys_file}）"
    print(f"{mode}：{page}API {base}/v1 （{auth}；反馈记录：{feedback_path}；Ctrl+C 退出）", flush=True)
    return serve(server, args.host, args.port)


def serve(server: FastAPI, host: str, port: int) -> int:
    """Run the ASGI app with uvicorn until interrupted; a port that cannot be bound is reported, not raised."""
    import uvicorn

    # behind a proxy the client address comes from X-Forwarded-For, trusted from FORWARDED_ALLOW_IPS (default
    # 127.0.0.1); the sub-path (--root-path) is handled by the mounted page, the proxy strips it for the API
    config = uvicorn.Config(server, host=host, port=port, log_level="warning", proxy_headers=True)
    runner = uvicorn.Server(config)
    with contextlib.suppress(SystemExit):  # uvicorn exits when it cannot bind
        runner.run()
    if not runner.started:
        print(f"无法在 {host}:{port} 启动（端口被占用或无权限）。可用 --port 换一个端口。", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
