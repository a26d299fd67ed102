"""One process, one port: the OpenAI-compatible API under /v1 and the web chat at /, over the same answerer and the
same concurrency gate (a question from the page and one from the API wait in one line)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.api import ChatApi, build_api, build_router
from app.chat import Answerer, ChatService
from app.documents import DocumentLibrary
from app.feedback import FeedbackLog
from app.keys import KeyFile
from app.limits import Limits
from app.upload import UploadService


def build_server(answerer: Answerer, documents: DocumentLibrary, public: bool, *, feedback: FeedbackLog,
                 keys: KeyFile | None, limits: Limits | None = None, web: bool = True,
                 root_path: str | None = None, uploads: UploadService | None = None) -> FastAPI:
    """The ASGI app to serve: the API routes first, then (web=True) the gradio page mounted at the root, with the
    upload tab in staff mode when `uploads` is given."""
    limits = limits or Limits.for_mode(public)
    service = ChatService(answerer, limits)
    api = ChatApi(answerer, documents, public=public, keys=keys, limits=limits, gate=service.gate, rate=service.rate)
    if not web:
        return build_api(api)
    import gradio as gr

    from app.ui import build_app, launch_options

    demo = build_app(answerer, documents, public, feedback=feedback, service=service, uploads=uploads)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(build_router(api))
    upload_max = uploads.limits.max_bytes if uploads is not None else 0
    options: dict[str, Any] = {k: v for k, v in launch_options(public, upload_max).items()
                               if k in ("theme", "footer_links", "show_error", "max_file_size")}
    return gr.mount_gradio_app(app, demo, path="", root_path=root_path, **options)
