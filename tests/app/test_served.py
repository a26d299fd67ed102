"""The app served for real on loopback: over gradio's API (gradio_client) and in a headless Chromium (Playwright).

One module so the small corpus index (about 30 s to build) is built once for both; each mode's server starts once.
Screenshots go to artifacts/app/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from app.chat import ERROR
from app.documents import DocumentLibrary
from app.feedback import FeedbackLog
from app.limits import Limits
from app.ui import build_app
from rag.index import LoadedIndex
from rag.llm import LLMClient
from rag.pipeline import Pipeline
from rag.policy import PolicyConfig
from rag.records import Answer, Filters
from tests.app.served import ARTIFACTS, ask_in_page, page_at, serving
from tests.fakes import BlockingPipeline
from tests.openai_stub import OpenAIStub

with contextlib.suppress(ImportError):  # if it moves to tests/conftest.py, it is found there instead
    # the session index over 4 corpus files with the bigram fake embedder
    from tests.rag.conftest import small_index  # noqa: F401

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 22)
LAND = "中心城区土地征收的程序是什么？"
RELOCATION = "住宅房屋被征收，搬迁补助费怎么算？"
LAND_DOC = "晋市政发〔2021〕3号"
NO_FILTERS = ("全部", "不限", "不限", "全部")


class CountingPipeline:
    """The real pipeline, counting calls: the trace must come from the answer the chat showed, not a second run."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.mode = pipeline.mode
        self.calls = 0

    def stream(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Iterator[str | Answer]:
        self.calls += 1
        return self.pipeline.stream(question, history, filters)


@pytest.fixture(scope="module")
def index(small_index: LoadedIndex) -> LoadedIndex:
    return small_index


@pytest.fixture(scope="module")
def pipeline(index: LoadedIndex) -> CountingPipeline:
    return CountingPipeline(Pipeline(index, policy=PolicyConfig(min_coverage=0.3, min_dense=0.99), today=lambda: TODAY))


@pytest.fixture(scope="module")
def feedback(tmp_path_factory: pytest.TempPathFactory) -> FeedbackLog:
    return FeedbackLog(tmp_path_factory.mktemp("feedback") / "feedback.jsonl", "test-fingerprint")


@pytest.fixture(scope="module")
def staff_url(pipeline: CountingPipeline, index: LoadedIndex, feedback: FeedbackLog) -> Iterator[str]:
    demo = build_app(pipeline, DocumentLibrary.from_index(index, today=TODAY), public=False, feedback=feedback)
    with serving(demo, public=False) as url:
        yield url


@pytest.fixture(scope="module")
def public_url(pipeline: CountingPipeline, index: LoadedIndex, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = FeedbackLog(tmp_path_factory.mktemp("public-feedback") / "feedback.jsonl", "test-fingerprint")
    demo = build_app(pipeline, DocumentLibrary.from_index(index, today=TODAY), public=True, feedback=log,
                     limits=Limits(per_minute=100))
    with serving(demo, public=True) as url:
        yield url


def _step_texts(index: LoadedIndex) -> list[str]:
    """The first sentence of steps 1.–5. of the land-expropriation procedure, from the index itself."""
    steps = sorted((c for c in index.chunks.values() if index.documents[c.doc_id].doc_number == LAND_DOC
                    and re.fullmatch(r"二、（四）[1-5]\.", c.path_str)), key=lambda c: c.ordinal)
    return [c.text.split("。")[0] for c in steps]


def _ask(client: Client, question: str) -> tuple[list[Any], tuple[Any, ...]]:
    job = client.submit(question, *NO_FILTERS, api_name="/ask")
    updates = list(job)
    return updates, job.result()


# -- API level ---------------------------------------------------------------------------------------------------
def test_api_land_question_streams_and_answers_the_five_steps_with_their_source_cards(
        staff_url: str, index: LoadedIndex, pipeline: CountingPipeline) -> None:
    client = Client(staff_url, verbose=False)
    calls = pipeline.calls
    updates, (transcript, question_box, trace) = _ask(client, LAND)
    assert len(updates) > 1 and "正在检索相关文件" in updates[0][0]
    steps = _step_texts(index)
    assert len(steps) == 5 and steps[0].startswith("1.")
    positions = [transcript.index(s) for s in steps]
    assert positions == sorted(positions)
    for n in range(1, 6):
        assert re.search(rf'<details class="card[^"]*" id="t1-S\d+"><summary>.*?{LAND_DOC} 二、（四）{n}\.</summary>', transcript)
    links = set(re.findall(r'data-card="(t1-S\d+)"', transcript))
    assert links and all(f'id="{card}"' in transcript for card in links)
    assert question_box == ""
    assert pipeline.calls == calls + 1  # one run; the trace below is of that answer
    assert f"{LAND}（未改写）" in trace and "融合排序" in trace and "向量检索" in trace


def test_api_follow_up_question_is_answered_in_the_context_of_the_first(staff_url: str) -> None:
    client = Client(staff_url, verbose=False)
    _ask(client, LAND)
    _, (transcript, _, trace) = _ask(client, "第二步具体要做什么？")
    second = transcript[transcript.index('id="t2"'):]
    assert "下达征收任务" in second and "二、（四）2." in second
    assert f"{LAND.rstrip('？')}" in trace  # the rewritten question carries the earlier topic


def test_api_city_filter_keeps_the_other_citys_documents_out(staff_url: str) -> None:
    client = Client(staff_url, verbose=False)
    unfiltered = client.predict(RELOCATION, *NO_FILTERS, api_name="/ask")[0]
    changzhi = Client(staff_url, verbose=False).predict(RELOCATION, "长治", "不限", "不限", "全部", api_name="/ask")[0]
    assert "晋市政发〔2018〕23号" in unfiltered
    assert "晋市政发〔2018〕23号" not in changzhi and "晋市政" not in changzhi


def test_api_feedback_rows_are_logged_and_exported(staff_url: str, feedback: FeedbackLog) -> None:
    client = Client(staff_url, verbose=False)
    status, _ = client.predict("  ", api_name="/feedback_up")
    assert "请先提问" in status
    _ask(client, RELOCATION)
    status, _ = client.predict("数字清楚", api_name="/feedback_down")
    assert "已记录" in status
    row = feedback.rows()[-1]
    assert (row["question"], row["rating"], row["comment"], row["fingerprint"]) == (RELOCATION, "down", "数字清楚", "test-fingerprint")
    assert "18元/平方米" in row["answer"] and row["citations"][0]["path"] == "第十二条" and row["time"]
    exported, status = client.predict(api_name="/export_feedback")
    assert Path(exported).read_text(encoding="utf-8") == feedback.path.read_text(encoding="utf-8")


def test_api_llm_answer_streams_in_pieces_and_ends_with_linked_source_cards(index: LoadedIndex, tmp_path: Path) -> None:
    reply = "中心城区土地征收，先由市规划和自然资源局出具规划审核意见[S2]。随后市人民政府向区（县）人民政府下达征收任务[S3]。"
    with OpenAIStub([{"reply": reply}]) as stub:
        llm = LLMClient(stub.base_url, "stub", "not-needed", 10, 400, 0.1)
        pipeline = Pipeline(index, policy=PolicyConfig(min_coverage=0.3, min_dense=0.99), today=lambda: TODAY, llm=llm)
        demo = build_app(pipeline, DocumentLibrary.from_index(index, today=TODAY), public=False,
                         feedback=FeedbackLog(tmp_path / "f.jsonl", "fp"))
        with serving(demo, public=False) as url:
            updates, (transcript, _, trace) = _ask(Client(url, verbose=False), LAND)
    streamed = [u[0] for u in updates if 'class="a answer pending"' in u[0] and "中心城区土地征收" in u[0]]
    assert streamed and "<details" not in streamed[0]  # text first, the cards come with the final answer
    assert "大模型" in trace and "出具规划审核意见" in transcript
    for key, path in (("S2", "二、（四）1."), ("S3", "二、（四）2.")):
        assert f'data-card="t1-{key}"' in transcript
        assert re.search(rf'id="t1-{key}"><summary>.*?{path}</summary>', transcript)


def test_api_public_mode_limits_questions_and_feedback_per_client_address(tmp_path: Path) -> None:
    pipeline = BlockingPipeline()
    pipeline.release.set()
    demo = build_app(pipeline, DocumentLibrary({}, {}), public=True, feedback=FeedbackLog(tmp_path / "f.jsonl", "fp"),
                     limits=Limits(per_minute=2))
    with serving(demo, public=True) as url:
        client = Client(url, verbose=False)
        replies = [client.predict(f"第{n}个问题", *NO_FILTERS, api_name="/ask")[0] for n in range(3)]
        votes = [client.predict("", api_name="/feedback_up")[0] for _ in range(3)]
    assert "好的。" in replies[0] and "好的。" in replies[1]
    assert "提问过于频繁" in replies[2] and "每分钟最多2个问题" in replies[2]
    assert ["已记录" in v for v in votes] == [True, True, False] and "评价过于频繁" in votes[2]
    assert len((tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_api_says_busy_in_chinese_when_every_answer_slot_is_taken(tmp_path: Path) -> None:
    pipeline = BlockingPipeline()
    demo = build_app(pipeline, DocumentLibrary({}, {}), public=True, feedback=FeedbackLog(tmp_path / "f.jsonl", "fp"),
                     limits=Limits(max_active=1, max_waiting=0))
    with serving(demo, public=True) as url:
        first = Client(url, verbose=False).submit("第一个问题", *NO_FILTERS, api_name="/ask")
        assert pipeline.entered.wait(10)
        second = Client(url, verbose=False).predict("第二个问题", *NO_FILTERS, api_name="/ask")[0]
        pipeline.release.set()
        assert "好的。" in first.result()[0]
    assert "系统繁忙" in second and ERROR not in second


# -- browser level -----------------------------------------------------------------------------------------------
def test_browser_staff_example_question_shows_the_five_steps_and_opens_a_source_card(browser: Any, staff_url: str, index: LoadedIndex) -> None:
    with page_at(browser, staff_url) as (page, requests, _):
        page.get_by_role("button", name=LAND, exact=True).click()
        turn = page.locator("#transcript .turn").last
        turn.locator(".a.answer:not(.pending)").wait_for(timeout=30_000)
        lines = turn.locator(".atext p.ln").all_inner_texts()
        for n, step in enumerate(_step_texts(index), start=1):
            assert any(line.startswith(f"{n}.") and step in line for line in lines), step
        summaries = turn.locator("details.card > summary").all_inner_texts()
        assert all(any(f"二、（四）{n}." in s for s in summaries) for n in range(1, 6))

        step3 = turn.locator("details.card", has_text="二、（四）3.").first
        key = step3.locator(".key").inner_text()
        turn.locator(f'a.cite[data-card="t1-{key}"]').first.click()
        assert step3.evaluate("e => e.open") and step3.locator("mark.quote").is_visible()
        step3.locator("button.open-doc").click()
        mark = step3.locator(".doc-view mark.clause")
        mark.wait_for(timeout=10_000)
        body = step3.locator(".doc-body").bounding_box()
        box = mark.bounding_box()
        assert body and box and body["y"] <= box["y"] < body["y"] + body["height"]  # scrolled to the clause
        assert "3.制定“一书三方案”" in mark.inner_text()
        page.screenshot(path=str(ARTIFACTS / "staff-answer.png"), full_page=True)

        page.get_by_role("tab", name="检索过程").click()
        trace = page.locator("#trace")
        assert "融合排序" in trace.inner_text() and LAND in trace.inner_text()
        page.screenshot(path=str(ARTIFACTS / "staff-trace.png"), full_page=False)
    assert {re.sub(r"^https?://([^/]+)/.*$", r"\1", u) for u in requests if u.startswith("http")} == {staff_url.split("/")[2]}


def test_browser_staff_document_browser_lists_every_document_and_opens_one(browser: Any, staff_url: str, index: LoadedIndex) -> None:
    with page_at(browser, staff_url) as (page, _, _):
        page.get_by_role("tab", name="文件库").click()
        rows = page.locator("#browser tr[data-doc]")
        rows.first.wait_for()
        assert rows.count() == len(index.documents)
        page.locator("#browser .doc-search").fill(LAND_DOC)
        visible = page.locator("#browser tr[data-doc]:visible")
        assert 0 < visible.count() < len(index.documents)
        visible.first.click()
        reader = page.locator("#browser .reader .doc-view-inner")
        reader.wait_for(timeout=10_000)
        assert LAND_DOC in reader.inner_text()
        page.screenshot(path=str(ARTIFACTS / "staff-documents.png"), full_page=False)


def test_browser_public_xss_question_stays_inert_and_literal(browser: Any, public_url: str) -> None:
    payload = ('<img src=x onerror=alert(1)><script>alert(2)</script><svg onload=alert(3)> '
               '![p](http://127.0.0.1:9/p.png) [点我](javascript:alert(4)) ${alert(5)} {{value}}')
    with page_at(browser, public_url) as (page, requests, dialogs):
        turn = ask_in_page(page, payload)
        assert turn.locator(".qtext").inner_text() == payload
        assert page.locator("#transcript img, #transcript script, #transcript svg, #transcript a[href^='javascript']").count() == 0
        assert turn.locator(".a.refusal .badge").inner_text() == "未找到答案"
        page.wait_for_timeout(300)
        assert dialogs == []
        assert not any("p.png" in u for u in requests)
        page.screenshot(path=str(ARTIFACTS / "public-xss-refusal.png"), full_page=False)


def test_browser_public_refusal_quoting_a_clause_opens_its_source_card(browser: Any, public_url: str) -> None:
    # value_not_stated: 晋市政办〔2021〕12号 names the H225 and sets no price; the refusal quotes that clause, cited
    with page_at(browser, public_url) as (page, _, _):
        turn = ask_in_page(page, "空客H225直升机每飞一小时要收多少钱？")
        refusal = turn.locator(".a.refusal")
        assert refusal.locator(".badge").inner_text() == "未找到答案"
        assert "文件中的相关规定（供核对）" in refusal.locator(".atext").inner_text()
        card = refusal.locator("details.card").first
        key = card.locator(".key").inner_text()
        refusal.locator(f'a.cite[data-card$="-{key}"]').first.click()
        assert card.evaluate("e => e.open") and "H225" in card.inner_text() and "晋市政办〔2021〕12号" in card.inner_text()
        assert refusal.locator(".leads button.open-doc").count() >= 1  # the leads stay beside the quoted clause


def test_browser_public_over_long_question_is_refused_with_the_message(browser: Any, public_url: str) -> None:
    with page_at(browser, public_url) as (page, _, _):
        turn = ask_in_page(page, "问" * 301, enter=True)
        notice = turn.locator(".a.notice").inner_text()
        assert "问题过长" in notice and "300字以内" in notice and "当前301字" in notice
        assert page.locator("#question textarea").input_value() == "问" * 301  # kept, to shorten


def test_browser_public_mode_has_no_trace_document_browser_or_export(browser: Any, public_url: str) -> None:
    with page_at(browser, public_url) as (page, _, _):
        assert page.get_by_role("tab").count() == 0
        assert page.locator("#trace, #browser, #export, input[type=file]").count() == 0
        assert page.get_by_text("检索过程").count() == 0 and page.get_by_text("文件库").count() == 0


def test_browser_public_phone_width_answer_with_lapsed_note_fits_the_screen(browser: Any, public_url: str) -> None:
    with page_at(browser, public_url, width=390, height=844) as (page, _, _):
        turn = ask_in_page(page, RELOCATION)
        card = turn.locator("details.card").first
        turn.locator("a.cite").first.click()
        assert card.locator(".lapsed").is_visible() and "2023年7月15日届满" in card.locator(".lapsed").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        page.screenshot(path=str(ARTIFACTS / "public-phone.png"), full_page=True)
