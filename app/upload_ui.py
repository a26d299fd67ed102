"""The staff page's upload tab (gradio): files, a button, the job's progress and report (app.upload_view), and the
document browser refreshed when the upload is done. Only `app.ui.build_app` in staff mode calls it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from app.upload import UploadService
from app.upload_view import limits_note, render_job

log = logging.getLogger(__name__)
POLL_S = 0.5


def upload_tab(uploads: UploadService, browser: gr.HTML, browser_html: Callable[[], str], poll_s: float = POLL_S) -> None:
    """The tab's controls, wired: 「上传并入库」 submits the chosen files and streams the job's state until it is done,
    then the report and the refreshed document browser. The job runs on if the page is closed."""
    gr.HTML(limits_note(uploads.limits), js_on_load=None)
    files = gr.File(file_count="multiple", file_types=list(uploads.limits.suffixes), type="filepath",
                    label="公报文件", elem_id="upload-files")
    send = gr.Button("上传并入库", variant="primary", elem_id="upload-send")
    status = gr.HTML("", elem_id="upload-status", js_on_load=None)

    def upload(chosen: list[str] | str | None) -> Iterator[list[Any]]:
        paths = [Path(chosen)] if isinstance(chosen, str) else [Path(p) for p in chosen or []]
        job = uploads.submit(paths)
        while not job.finished:
            yield [render_job(job), gr.skip()]
            time.sleep(poll_s)
        try:
            refreshed: Any = browser_html()
        except Exception:
            log.exception("document browser refresh failed")
            refreshed = gr.skip()
        yield [render_job(job), refreshed]

    send.click(upload, [files], [status, browser], api_name="upload_files", concurrency_limit=4, show_progress="minimal")
