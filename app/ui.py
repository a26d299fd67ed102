"""The gradio page: `build_app(pipeline, documents, public, ...)` wires the chat, filters, source cards, feedback and,
in staff mode, the retrieval trace and the document browser. Everything shown is rendered by app.render /
app.documents / app.trace as HTML escaped there; gradio only moves it.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator, Sequence
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from app.assets import CSS, JS
from app.chat import ERROR, Answerer, ChatService, Turn, last_answer
from app.documents import DocumentLibrary, parse_offset
from app.feedback import FeedbackLog, Rating
from app.limits import FEEDBACK_RATE_LIMITED, Limits, RateLimiter
from app.render import render_transcript
from app.trace import EMPTY as EMPTY_TRACE
from app.trace import render_trace
from app.upload import UploadService
from app.upload_ui import upload_tab
from rag.records import Filters

log = logging.getLogger(__name__)

EXAMPLES = (
    "中心城区土地征收的程序是什么？",
    "住宅房屋被征收，搬迁补助费怎么算？",
    "晋城市房地产市场监管办法的有效期是多久？",
    "长治市气象灾害应急响应分为几级？",
)
ALL = "全部"
ANY_YEAR = "不限"
THEME = gr.themes.Default(
    font=["Source Sans Pro", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "ui-sans-serif", "sans-serif"],
)


def make_filters(city: str | None, year_from: str | None, year_to: str | None, doc_type: str | None,
                 cities: Sequence[str]) -> Filters:
    """Filters from the controls' values (全部 / 不限 mean no constraint; a reversed year range is put in order);
    `cities`: those the index holds (`DocumentLibrary.cities`), any other value is no constraint."""
    def year(v: str | None) -> int | None:
        return int(v) if v and str(v).isdigit() else None

    lo, hi = year(year_from), year(year_to)
    if lo and hi and lo > hi:
        lo, hi = hi, lo
    return Filters(city=city if city in cities else None, year_from=lo, year_to=hi,
                   doc_type=doc_type if doc_type and doc_type != ALL else None)


def client_id(request: gr.Request | None) -> str:
    """The client's address (behind a reverse proxy, uvicorn takes it from X-Forwarded-For; see README)."""
    client = getattr(request, "client", None) if request is not None else None
    host = getattr(client, "host", None)
    return str(host) if host else "unknown"


def _header(public: bool, mode: str, fingerprint: str, limits: Limits, cities: Sequence[str]) -> str:
    if public:
        where = f"{'、'.join(cities)}的" if cities else ""
        note = f"依据{where}市政府公报原文回答，仅供参考，请以正式文件为准。每个问题不超过{limits.max_question_chars}字。"
        return f'<div class="app-head"><h2>政府公报问答</h2><p>{escape(note)}</p></div>'
    how = "大模型生成（引用原文）" if mode == "llm" else "离线摘录原文"
    note = f"员工模式 · 回答方式：{how} · 索引：{fingerprint or '—'}"
    return f'<div class="app-head"><h2>政府公报问答（员工版）</h2><p>{escape(note)}</p></div>'


def build_app(pipeline: Answerer, documents: DocumentLibrary, public: bool, *, feedback: FeedbackLog,
              limits: Limits | None = None, examples: Sequence[str] = EXAMPLES, service: ChatService | None = None,
              uploads: UploadService | None = None) -> gr.Blocks:
    """The web chat over `pipeline` (anything with Pipeline.stream). Staff mode (public=False) adds the retrieval
    trace of the last answer, the document browser and the feedback export, and with `uploads` the upload tab;
    public mode shows only chat and sources.
    `service`: the chat logic with its limits, when its concurrency gate is shared (app.server: page and API)."""
    staff = not public
    if public and uploads is not None:
        raise ValueError("uploads are for staff mode only: build the public page without them")
    limits = service.limits if service else (limits or Limits.for_mode(public))
    service = service or ChatService(pipeline, limits)
    export_dir = Path(tempfile.mkdtemp(prefix="gazette-feedback-"))

    def document_view(request: Any) -> str:
        """Called from the page (app.assets.JS) with {doc, chunk, qs, qe}: the whole document at that clause."""
        try:
            req = request if isinstance(request, dict) else {}
            return documents.document_html(str(req.get("doc", "")), str(req.get("chunk") or ""),
                                           parse_offset(req.get("qs")), parse_offset(req.get("qe")))
        except Exception:
            log.exception("document view failed")
            return '<div class="doc-view-msg">全文加载失败，请稍后再试。</div>'

    def html_panel(value: str, elem_id: str) -> gr.HTML:
        return gr.HTML(value, elem_id=elem_id, css_template=CSS, js_on_load=JS, server_functions=[document_view],
                       apply_default_css=False)

    with gr.Blocks(title="政府公报问答", analytics_enabled=False) as demo:
        turns_state = gr.State([])
        gr.HTML(_header(public, getattr(pipeline, "mode", ""), feedback.fingerprint, limits, documents.cities()), elem_id="app-head", js_on_load=None,
                css_template="h2 { margin: 4px 0; } p { margin: 0 0 6px; color: #666; font-size: 14px; }")
        trace_view: gr.HTML | None = None
        with gr.Tabs() if staff else gr.Column():
            with gr.Tab("问答", id="chat") if staff else gr.Column():
                with gr.Accordion("筛选条件（城市、年份、文件类型）", open=False):
                    with gr.Row():
                        city = gr.Radio([ALL, *documents.cities()], value=ALL, label="城市")
                        doc_type = gr.Dropdown([ALL, *documents.type_choices()], value=ALL, label="文件类型")
                    with gr.Row():
                        years = [ANY_YEAR, *(str(y) for y in documents.years())]
                        year_from = gr.Dropdown(years, value=ANY_YEAR, label="起始年份")
                        year_to = gr.Dropdown(years, value=ANY_YEAR, label="截止年份")
                transcript = html_panel(render_transcript([], documents, staff), "transcript")
                question = gr.Textbox(placeholder=f"请输入问题（不超过{limits.max_question_chars}字），按回车发送",
                                      lines=1, max_lines=6, show_label=False, elem_id="question")
                with gr.Row():
                    send = gr.Button("发送", variant="primary", elem_id="send", scale=2, min_width=80)
                    new_chat = gr.Button("新对话", elem_id="new-chat", scale=1, min_width=80)
                gr.HTML('<div class="examples-h">示例问题（点击即问）：</div>', js_on_load=None)
                with gr.Row(elem_id="examples"):
                    example_buttons = [gr.Button(q, size="sm", elem_classes=["example"]) for q in examples]
                with gr.Accordion("评价上一条回答", open=False, elem_id="feedback"):
                    with gr.Row():
                        up = gr.Button("👍 有帮助", size="sm", elem_id="vote-up")
                        down = gr.Button("👎 没帮助", size="sm", elem_id="vote-down")
                    comment = gr.Textbox(placeholder="补充意见（可选）", show_label=False, max_lines=4, elem_id="comment")
                    feedback_status = gr.HTML("", elem_id="feedback-status", js_on_load=None)
                    if staff:
                        export = gr.Button("导出全部反馈（JSONL）", size="sm", elem_id="export")
                        export_file = gr.File(label="反馈记录", visible=True, interactive=False, elem_id="export-file")
            if staff:
                with gr.Tab("检索过程", id="trace"):
                    trace_view = html_panel(EMPTY_TRACE, "trace")
                with gr.Tab("文件库", id="documents"):
                    browser_view = html_panel(documents.browser_html(), "browser")
                if uploads is not None:
                    with gr.Tab("上传文件", id="upload"):
                        upload_tab(uploads, browser_view, documents.browser_html)

        filter_inputs = [city, year_from, year_to, doc_type]
        outputs: list[Any] = [transcript, turns_state, question]
        if trace_view is not None:
            outputs.append(trace_view)

        def ask(text: str, turns: list[Turn] | None, city_v: str, yf: str, yt: str, dt: str,
                request: gr.Request) -> Iterator[list[Any]]:
            turns = list(turns or [])
            try:
                filters = make_filters(city_v, yf, yt, dt, documents.cities())
                for updated in service.ask(text, turns, filters, client_id(request)):
                    latest = updated[-1] if len(updated) > len(turns) else None
                    keep_text = latest is not None and bool(latest.notice) and not latest.error
                    row: list[Any] = [render_transcript(updated, documents, staff), updated,
                                      gr.skip() if keep_text or latest is None else ""]
                    if trace_view is not None:
                        done = latest is not None and latest.answer is not None
                        row.append(render_trace(latest.answer, documents) if done and latest else gr.skip())
                    yield row
            except Exception:
                log.exception("chat handler failed")
                failed = [*turns, Turn((text or "")[:400], notice=ERROR, error=True)]
                row = [render_transcript(failed, documents, staff), failed, gr.skip()]
                if trace_view is not None:
                    row.append(gr.skip())
                yield row

        chat_limit = limits.max_active + limits.max_waiting + 2  # the gate inside answers "busy" past its wait line
        ask_inputs = [question, turns_state, *filter_inputs]
        send.click(ask, ask_inputs, outputs, api_name="ask", concurrency_limit=chat_limit, show_progress="hidden")
        question.submit(ask, ask_inputs, outputs, api_visibility="private", concurrency_limit=chat_limit,
                        show_progress="hidden")
        for button, text in zip(example_buttons, examples, strict=True):
            button.click(lambda t=text: t, None, question, queue=False, api_visibility="private").then(
                ask, ask_inputs, outputs, api_visibility="private", concurrency_limit=chat_limit, show_progress="hidden")

        def reset() -> list[Any]:
            row: list[Any] = [render_transcript([], documents, staff), [], "", ""]
            if trace_view is not None:
                row.append(EMPTY_TRACE)
            return row

        reset_outputs = [transcript, turns_state, question, feedback_status]
        if trace_view is not None:
            reset_outputs.append(trace_view)
        new_chat.click(reset, None, reset_outputs, api_name="new_chat", queue=False)

        feedback_rate = RateLimiter(limits.per_minute, message=FEEDBACK_RATE_LIMITED) if limits.per_minute else None

        def vote(rating: Rating, note: str, turns: list[Turn] | None, request: gr.Request | None) -> tuple[str, Any]:
            answer = last_answer(turns or [])
            if answer is None:
                return '<div class="fb-msg">请先提问，再评价回答。</div>', gr.skip()
            limited = feedback_rate.check(client_id(request)) if feedback_rate else None
            if limited:
                return f'<div class="fb-msg">{escape(limited)}</div>', gr.skip()
            try:
                feedback.record(answer, rating, note or "")
            except Exception:
                log.exception("feedback could not be written")
                return '<div class="fb-msg">评价保存失败，请稍后再试。</div>', gr.skip()
            return '<div class="fb-msg">已记录您的评价，谢谢！</div>', ""

        def vote_up(note: str, turns: list[Turn] | None, request: gr.Request) -> tuple[str, Any]:
            return vote("up", note, turns, request)

        def vote_down(note: str, turns: list[Turn] | None, request: gr.Request) -> tuple[str, Any]:
            return vote("down", note, turns, request)

        up.click(vote_up, [comment, turns_state], [feedback_status, comment], api_name="feedback_up")
        down.click(vote_down, [comment, turns_state], [feedback_status, comment], api_name="feedback_down")

        if staff:
            def export_feedback() -> tuple[Any, str]:
                try:
                    path = feedback.export(export_dir)
                except Exception:
                    log.exception("feedback export failed")
                    return None, '<div class="fb-msg">导出失败，请稍后再试。</div>'
                if path is None:
                    return None, '<div class="fb-msg">还没有反馈记录。</div>'
                return str(path), f'<div class="fb-msg">已导出{len(feedback.rows())}条反馈。</div>'

            export.click(export_feedback, None, [export_file, feedback_status], api_name="export_feedback")

    demo.queue(default_concurrency_limit=4, max_size=max(64, 4 * chat_limit))
    return demo


def launch_options(public: bool, upload_max_bytes: int = 0) -> dict[str, Any]:
    """Keyword arguments for Blocks.launch shared by `python -m app` and the tests. Gradio's upload route refuses
    every file over `upload_max_bytes` (HTTP 413): any file in public mode, where nothing is uploaded."""
    return {"theme": THEME, "footer_links": [] if public else ["api"], "show_error": False, "quiet": True,
            "max_file_size": 0 if public else upload_max_bytes}
