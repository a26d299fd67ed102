"""The MCP server for real: the official SDK's client over streamable HTTP (uvicorn on loopback, the small index in
this process) and over stdio (a subprocess serving the same small index through the same `build_server`).

What is protected: every tool's result carries the exact clause (文号, path, verbatim text) in both the structured
result and the text block a text-only client shows, and a bad argument is a tool error naming the field, with the
server still answering afterwards.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import uvicorn
from mcp import Client, StdioServerParameters
from mcp_types import CallToolResult, TextContent

from app.mcp_server import build_server, instructions, main
from rag.index import LoadedIndex
from rag.pipeline import Pipeline
from tests.app.mcp_fixture_server import TODAY

ROOT = Path(__file__).resolve().parents[2]
TOOLS = {"ask", "search_clauses", "get_clause", "list_documents", "verify_quote"}
RELOCATION_DOC = "晋市政发〔2018〕23号"  # 晋城市国有土地上房屋征收与补偿办法 (jincheng-2018-04.txt)
RELOCATION_RULE = "征收住宅房屋，搬迁补助费18元/平方米"  # its 第十二条 (一)
RELOCATION_QUESTION = "住宅房屋被征收，搬迁补助费怎么算？"


def _run(session: Callable[[Client], Awaitable[None]], server: Any) -> None:
    async def go() -> None:
        async with Client(server) as client:
            await session(client)

    anyio.run(go)


def _payload(result: CallToolResult) -> Any:
    """The structured result, checked to be what the text block says (a text-only client sees the same data)."""
    assert not result.is_error, result.content
    block = result.content[0]
    assert isinstance(block, TextContent)
    assert json.loads(block.text) == result.structured_content
    return result.structured_content


def _error(result: CallToolResult) -> str:
    assert result.is_error
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


@pytest.fixture(scope="module")
def http_url(small_index: LoadedIndex) -> Iterator[str]:
    pipeline = Pipeline(small_index, today=lambda: TODAY)
    app = build_server(lambda: pipeline, today=lambda: TODAY).streamable_http_app()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the MCP HTTP server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/mcp"
    server.should_exit = True
    thread.join(10)


@pytest.mark.integration
def test_http_lists_the_five_tools_with_chinese_and_english_descriptions(http_url: str) -> None:
    async def session(client: Client) -> None:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == TOOLS
        for tool in tools.values():
            assert tool.description and "文" in tool.description and " the " in tool.description
            assert tool.annotations is not None and tool.annotations.read_only_hint
        assert tools["get_clause"].input_schema["required"] == ["doc_number", "path"]
        assert "valid_on" in tools["search_clauses"].input_schema["properties"]["filters"]["description"]
        assert tools["verify_quote"].output_schema is not None
        assert {"matches", "near", "found"} <= set(tools["verify_quote"].output_schema["properties"])

    _run(session, http_url)


@pytest.mark.integration
def test_http_get_clause_returns_the_clause_and_its_neighbours(http_url: str) -> None:
    async def session(client: Client) -> None:
        clause = _payload(await client.call_tool("get_clause", {"doc_number": "晋市政发[2018]23 号", "path": "第十二条"}))
        assert (clause["doc_number"], clause["path"]) == (RELOCATION_DOC, "第十二条")
        assert clause["text"].startswith("第十二条 搬迁补助：") and RELOCATION_RULE in clause["text"]
        assert clause["previous"]["path"] == "第十一条" and clause["next"]["path"] == "第十三条"
        assert clause["date"] == "2018-07-16" and clause["lapsed"] is True

    _run(session, http_url)


@pytest.mark.integration
def test_http_get_clause_gives_a_table_row_as_read_beside_its_printed_text(http_url: str) -> None:
    async def session(client: Client) -> None:
        row = _payload(await client.call_tool("get_clause", {"doc_number": RELOCATION_DOC, "path": "附表1 第1行"}))
        assert row["text"] == "砖围墙"  # printed: the row's own cell of the 附表 printed column by column
        assert row["shown"] == "序号：1；项目：围墙；分类：砖围墙；单位：m2；补偿标准（元）：80"
        assert row["next"]["shown"] == "序号：1；项目：围墙；分类：铁艺围墙；单位：m2；补偿标准（元）：200"

    _run(session, http_url)


@pytest.mark.integration
def test_http_search_clauses_ranks_clauses_with_doc_number_path_and_quote(http_url: str) -> None:
    async def session(client: Client) -> None:
        found = _payload(await client.call_tool("search_clauses", {"query": "住宅房屋搬迁补助费标准", "k": 5,
                                                                   "filters": {"city": "晋城", "year_to": 2018}}))
        assert found["filters"] == {"city": "晋城", "year_to": 2018} and 0 < len(found["clauses"]) <= 5
        hit = next(h for h in found["clauses"] if h["path"] == "第十二条")
        assert hit["doc_number"] == RELOCATION_DOC and RELOCATION_RULE in hit["quote"] and hit["chunk_id"]

    _run(session, http_url)


@pytest.mark.integration
def test_http_list_documents_and_verify_quote(http_url: str) -> None:
    async def session(client: Client) -> None:
        listed = _payload(await client.call_tool("list_documents", {"filters": {"city": "长治", "year_from": 2020}}))
        assert listed["total"] == len(listed["documents"]) > 0 and {d["city"] for d in listed["documents"]} == {"长治"}
        assert all(d["doc_number"].startswith("长政") for d in listed["documents"] if d["doc_number"])
        check = _payload(await client.call_tool("verify_quote", {"text": "征收住宅房屋, 搬迁补助费18元/平方米"}))
        assert check["found"] and check["matches"][0]["doc_number"] == RELOCATION_DOC
        assert check["matches"][0]["path"] == "第十二条" and check["matches"][0]["text"] == RELOCATION_RULE
        altered = _payload(await client.call_tool("verify_quote", {"text": "征收住宅房屋，搬迁补助费20元/平方米，实行产权调换期房安置的支付两次"}))
        assert not altered["found"] and altered["near"]["path"] == "第十二条" and altered["near"]["coverage"] < 1

    _run(session, http_url)


@pytest.mark.integration
def test_http_ask_returns_the_cited_answer_and_a_typed_refusal(http_url: str) -> None:
    async def session(client: Client) -> None:
        answer = _payload(await client.call_tool("ask", {"question": RELOCATION_QUESTION}))
        assert not answer["refused"] and "[S1]" in answer["text"]
        cited = answer["citations"][0]
        assert (cited["doc_number"], cited["clause"]) == (RELOCATION_DOC, "第十二条") and "18元/平方米" in cited["quote"]
        refusal = _payload(await client.call_tool("ask", {"question": "太原市的公交票价是多少？", "history": []}))
        assert refusal["refused"] and refusal["reason"] == "city_not_in_corpus" and refusal["reason_label"]

    _run(session, http_url)


@pytest.mark.integration
def test_http_bad_arguments_are_tool_errors_naming_the_field_and_the_server_keeps_answering(http_url: str) -> None:
    async def session(client: Client) -> None:
        assert "k: expected a whole number from 1 to 20" in _error(await client.call_tool("search_clauses", {"query": "补偿", "k": 0}))
        assert "filters.city" in _error(await client.call_tool("list_documents", {"filters": {"city": "太原"}}))
        assert "filters.valid_on" in _error(await client.call_tool("search_clauses", {"query": "补偿", "filters": {"valid_on": "2024/1/1"}}))
        assert "question: must not be empty" in _error(await client.call_tool("ask", {"question": ""}))
        assert "k" in _error(await client.call_tool("search_clauses", {"query": "补偿", "k": "many"}))  # schema validation
        assert "path" in _error(await client.call_tool("get_clause", {"doc_number": RELOCATION_DOC}))  # missing argument
        missing = _error(await client.call_tool("get_clause", {"doc_number": RELOCATION_DOC, "path": "第九十条"}))
        assert "第九十条" in missing and "第一条、第二条" in missing
        assert _payload(await client.call_tool("get_clause", {"doc_number": RELOCATION_DOC, "path": "第一条"}))["path"] == "第一条"

    _run(session, http_url)


def test_stdio_subprocess_serves_the_same_tools_with_the_exact_clause(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k.startswith(("RAG_", "HF_", "PYTHON"))}
    params = StdioServerParameters(command=sys.executable, args=["-m", "tests.app.mcp_fixture_server", str(tmp_path)],
                                   cwd=str(ROOT), env=env)

    async def session(client: Client) -> None:
        assert {t.name for t in (await client.list_tools()).tools} == TOOLS
        clause = _payload(await client.call_tool("get_clause", {"doc_number": "晋市政发〔2018〕23号", "path": "第十二条"}))
        assert clause["doc_number"] == RELOCATION_DOC and RELOCATION_RULE in clause["text"]
        answer = _payload(await client.call_tool("ask", {"question": RELOCATION_QUESTION}))
        assert answer["citations"][0]["doc_number"] == RELOCATION_DOC and answer["citations"][0]["clause"] == "第十二条"
        check = _payload(await client.call_tool("verify_quote", {"text": RELOCATION_RULE}))
        assert check["found"] and check["matches"][0]["path"] == "第十二条"
        assert "filters.city" in _error(await client.call_tool("search_clauses", {"query": "补偿", "filters": {"city": "北京"}}))

    _run(session, params)


def test_main_without_an_index_and_no_ingest_exits_2_naming_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "none"))
    assert main(["--no-ingest", "--mode", "offline"]) == 2
    assert "python -m ingest" in capsys.readouterr().err


def test_the_instructions_and_the_ask_tool_name_the_cities_of_the_index(small_index: LoadedIndex) -> None:
    pipeline = Pipeline(small_index, today=lambda: TODAY)
    server = build_server(lambda: pipeline, today=lambda: TODAY)
    assert "晋城、长治市政府公报" in server.instructions and "(Jincheng, Changzhi)" in server.instructions
    third = instructions(("大同", "晋城", "长治"))  # a third city's gazettes need no code change
    assert "大同、晋城、长治" in third and "Datong, Jincheng, Changzhi" in third
