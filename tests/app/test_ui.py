"""The page's wiring (app.ui) without a server: what each mode contains and how controls become Filters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from app.documents import DocumentLibrary
from app.feedback import FeedbackLog
from app.ui import EXAMPLES, build_app, client_id, make_filters
from rag.records import Answer, Filters


class NoPipeline:
    mode = "offline"

    def stream(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Iterator[str | Answer]:
        raise AssertionError("not called when only building the page")


def _build(tmp_path: Path, public: bool) -> gr.Blocks:
    return build_app(NoPipeline(), DocumentLibrary({}, {}), public, feedback=FeedbackLog(tmp_path / "f.jsonl", "fp"))


def _elem_ids(demo: gr.Blocks) -> set[str]:
    return {str(b.elem_id) for b in demo.blocks.values() if getattr(b, "elem_id", None)}


def _api_names(demo: gr.Blocks) -> set[str]:
    return {str(fn.api_name) for fn in demo.fns.values() if fn.api_name}


def test_public_mode_has_only_chat_and_sources_no_trace_browser_or_export(tmp_path: Path) -> None:
    public, staff = _build(tmp_path, public=True), _build(tmp_path, public=False)
    assert {"trace", "browser", "export", "export-file"} <= _elem_ids(staff)
    assert not ({"trace", "browser", "export", "export-file"} & _elem_ids(public))
    assert {"transcript", "question", "send", "vote-up", "vote-down"} <= _elem_ids(public)
    assert "export_feedback" in _api_names(staff) and "export_feedback" not in _api_names(public)
    assert not any(isinstance(b, (gr.Tab, gr.File, gr.UploadButton)) for b in public.blocks.values())


def test_first_page_offers_the_example_questions(tmp_path: Path) -> None:
    labels = {b.value for b in _build(tmp_path, public=True).blocks.values() if isinstance(b, gr.Button)}
    assert {"中心城区土地征收的程序是什么？", "住宅房屋被征收，搬迁补助费怎么算？"} <= labels and set(EXAMPLES) <= labels


def test_controls_become_filters_with_all_meaning_no_constraint() -> None:
    cities = ("晋城", "长治")  # what DocumentLibrary.cities() gives for the bundled corpus
    assert make_filters("全部", "不限", "不限", "全部", cities) == Filters()
    assert make_filters("长治", "2021", "2018", "方案", cities) == Filters(city="长治", year_from=2018, year_to=2021, doc_type="方案")
    assert make_filters("上海", None, "2020", None, cities) == Filters(year_to=2020)
    assert make_filters("大同", None, None, None, (*cities, "大同")) == Filters(city="大同")  # a third city: no code change


def test_client_is_identified_by_address_or_unknown() -> None:
    assert client_id(SimpleNamespace(client=SimpleNamespace(host="203.0.113.9"))) == "203.0.113.9"  # type: ignore[arg-type]
    assert client_id(None) == "unknown"
