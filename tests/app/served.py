"""Serving a gradio page on loopback and driving it in Debian's headless Chromium (Playwright), for the browser
tests (test_served.py, test_upload_served.py). Screenshots go to artifacts/app/ (git-ignored)."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from app.ui import launch_options

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "app"
ENSURE_CHROMIUM = Path(__file__).with_name("ensure_chromium.sh")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def chromium_browser() -> Iterator[Any]:
    """Debian's chromium under Playwright (installed by ensure_chromium.sh when missing), else the test is skipped."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed in this venv")
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout if shutil.which("fc-list") else ""
    if not CHROMIUM.exists() or "WenQuanYi" not in fonts:
        done = subprocess.run(["bash", str(ENSURE_CHROMIUM)], capture_output=True, text=True, check=False, timeout=900)
        if done.returncode != 0 or not CHROMIUM.exists():
            pytest.skip(f"{CHROMIUM} is missing and {ENSURE_CHROMIUM.name} failed: {(done.stderr or done.stdout).strip()[-400:]}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(demo: gr.Blocks, public: bool, upload_max_bytes: int = 0) -> Iterator[str]:
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                **launch_options(public, upload_max_bytes))
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@contextmanager
def page_at(browser: Any, url: str, width: int = 1280, height: int = 900) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page loaded at `url` (waiting for `load`: gradio keeps a stream open), with the URLs it requested and the
    dialogs that fired."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))

    def on_dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url, wait_until="load")
    page.locator("#question textarea").wait_for()
    try:
        yield page, requests, dialogs
    finally:
        context.close()


def ask_in_page(page: Any, question: str, enter: bool = False) -> Any:
    """Ask in the chat box; the new turn once its answer is complete (not an earlier turn's answer)."""
    asked = page.locator("#transcript .turn").count()
    box = page.locator("#question textarea")
    box.fill(question)
    if enter:
        box.press("Enter")
    else:
        page.locator("#send").click()
    turn = page.locator("#transcript .turn").nth(asked)
    turn.locator(".a:not(.pending)").wait_for(timeout=30_000)
    return turn
