"""`python -m app.mcp_server [--http] [--host 127.0.0.1] [--port 8765]`: the knowledge base as MCP tools.

Every tool keeps the exact clause to the client: 文号, title, clause path, the verbatim text, chunk id; beside the
verbatim text (`quote`, `text`) a clause comes as a person reads it (`shown`: a table row as 列名：值；…, a table
printed column by column as its rows, as the web page shows it). stdio by
default (a desktop client starts the process); `--http` serves streamable HTTP on http://HOST:PORT/mcp. The tools
are `app.tools.CorpusTools` over the answerer `app.runtime.open_answerer` opens (the one the web chat and the HTTP
API serve, following re-ingests); `build_server` wires any pipeline, so tests serve a small index through it.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import contextlib
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from app.quotes import QuoteCheck
from app.tools import MAX_K, ClauseView, CorpusTools, DocumentList, NotFound, SearchResult
from app.wire import WireError
from rag.pipeline import Pipeline
from rag.places import ROMANISED

log = logging.getLogger(__name__)
T = TypeVar("T")


def instructions(cities: Sequence[str]) -> str:
    """The server's instructions, naming the cities the index has documents of."""
    zh, en = _city_names(cities)
    return f"""政府公报问答知识库（{zh}市政府公报）。每个结果都带文号、文件标题、条款路径（第几条、三、（二）等）和条款原文；
shown 是条款的阅读形式（表格的一行写作「列名：值；列名：值」，逐列印出的附表按行显示），quote/text 是逐字原文。
先用 ask 得到带引用的回答，或用 search_clauses 找条款；用 get_clause 按文号和条款路径取原文及前后条款；用 verify_quote 核对一段原文是否逐字出自文件。
Municipal government gazettes ({en}) as clause-level tools: every result carries the 文号 (document number),
title, clause path and the verbatim clause text (`quote` / `text`), and `shown`, the clause as read (a table row as
列名：值；列名：值, a table printed column by column as its rows). `ask` answers with citations; `search_clauses` ranks clauses;
`get_clause` fetches a clause by 文号 + path with its neighbours; `list_documents` lists documents; `verify_quote` checks
where a quote stands in the corpus."""


def _city_names(cities: Sequence[str]) -> tuple[str, str]:
    """The index's cities in Chinese (晋城、长治) and in pinyin (Jincheng, Changzhi)."""
    return "、".join(cities), ", ".join(ROMANISED.get(c, c).capitalize() for c in cities)


_FILTERS_HELP = (
    "筛选条件（JSON 对象，字段均可省略）/ Filters, a JSON object, every field optional: "
    "city（文件库中的城市，中文或拼音，见 list_documents / a city of the index, in Chinese or pinyin, as list_documents "
    "shows）, year_from, year_to（四位年份 / four-digit years）, doc_number（文号，任意写法 / any spelling）, "
    "doc_type（办法、通知、意见、方案…）, valid_on（YYYY-MM-DD：只保留当日未过有效期的文件 / only documents not expired on that day）."
)
FiltersArg = Annotated[dict[str, Any] | None, Field(description=_FILTERS_HELP)]
_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)


def _checked(call: Callable[[], T]) -> T:
    """Run a tool; a bad argument or a missing 文号/clause becomes a tool error (is_error) with its message."""
    try:
        return call()
    except (WireError, NotFound) as err:
        raise ToolError(str(err)) from err


def build_server(current: Callable[[], Pipeline], today: Callable[[], date] = date.today, name: str = "gazette-qa") -> MCPServer:
    """The MCP server over whatever pipeline `current()` returns (`FollowingPipeline.current` in production)."""
    tools = CorpusTools(current, today)
    cities = tuple(current().index.places.cities)  # the index's cities when the server starts
    server: MCPServer = MCPServer(name, title="政府公报问答 · Gazette QA", instructions=instructions(cities), log_level="WARNING")

    @server.tool(annotations=_READ_ONLY, description=(
        f"回答关于{_city_names(cities)[0]}市政府文件的问题，每个陈述以 [S1] 等引用键结尾；citations 给出每个引用的文号、标题、条款路径、"
        "原文引文（quote，逐字）及其阅读形式（shown：表格的一行写作「列名：值」）、有效期和 chunk_id。"
        "文件没有答案时 refused=true，reason 说明原因，leads 列出最接近的文件；若规则判断过与所问对象有关、但没有所问内容的条款，"
        "citations 给出该条款。\n"
        "Answer a question about the gazettes' documents. Each statement in `text` ends with a key such as [S1]; "
        "`citations` map each key to its 文号 (doc_number), title, clause path, verbatim quote (`quote`, as printed) and "
        "the quote as read (`shown`: a table row as 列名：值；…), validity and chunk_id. "
        "When the documents do not answer, refused=true with a `reason` and the closest documents as `leads`; when a rule "
        "judged a clause about the question's subject that lacks what is asked, that clause is in `citations`."))
    def ask(
        question: Annotated[str, Field(description="问题（中文）/ the question, in Chinese")],
        history: Annotated[list[str] | None, Field(description="同一对话中此前的问题，由早到晚 / earlier questions of the same conversation, oldest first")] = None,
        filters: FiltersArg = None,
    ) -> dict[str, Any]:
        return _checked(lambda: tools.ask(question, history, filters))

    @server.tool(annotations=_READ_ONLY, description=(
        f"按相关度检索条款（混合检索：向量 + 关键词），返回每条的文号、标题、条款路径、条款原文（quote，逐字）、阅读形式（shown："
        f"表格的一行写作「列名：值」）、分数和 chunk_id。k 为 1–{MAX_K}。\n"
        f"Rank clauses for a query (dense + keyword retrieval): each with 文号, title, clause path, the clause text "
        f"verbatim (`quote`), the clause as read (`shown`: a table row as 列名：值；…), score and chunk_id. k from 1 to {MAX_K}."))
    def search_clauses(
        query: Annotated[str, Field(description="检索词或问题 / search words or a question")],
        filters: FiltersArg = None,
        k: Annotated[int, Field(description=f"返回条数 1–{MAX_K} / how many clauses, 1 to {MAX_K}")] = 8,
    ) -> SearchResult:
        return _checked(lambda: tools.search_clauses(query, filters, k))

    @server.tool(annotations=_READ_ONLY, description=(
        "按文号和条款路径取条款原文（text，逐字）及其阅读形式（shown），以及同一文件中的前一条和后一条。文号任意写法（晋市政发〔2018〕23号、[2018]、23 号）；"
        "路径如「第十二条」「第三章/第十二条」「三、/（二）」。一个文号下有多件文件（通知与其印发的办法、附件）都有该条款时，用 title 指明。"
        "找不到时，错误信息列出该文件现有的条款路径。\n"
        "Fetch a clause by 文号 (any spelling) and clause path (第十二条, 第三章/第十二条, 三、/（二）, 附表1 第2行) — its text "
        "verbatim (`text`) and as read (`shown`: a table row as 列名：值；…) — with the previous and next clause of the same document. When several texts issued under one 文号 have that path, pass `title`. An "
        "unknown 文号 or path is an error that lists what exists."))
    def get_clause(
        doc_number: Annotated[str, Field(description="文号 / document number, e.g. 晋市政发〔2018〕23号")],
        path: Annotated[str, Field(description="条款路径 / clause path, e.g. 第十二条 or 三、/（二）; 正文 for a notice's body")],
        title: Annotated[str | None, Field(description="标题中的几个字，区分同一文号下的文件 / part of the title, to choose among texts under one 文号")] = None,
    ) -> ClauseView:
        return _checked(lambda: tools.get_clause(doc_number, path, title))

    @server.tool(annotations=_READ_ONLY, description=(
        "列出文件及其元数据：文号、标题、发布机关、日期、城市、类型、有效期（lapsed=true 表示已过有效期）、条款数。\n"
        "List the documents with their metadata: 文号, title, issuer, date, city, type, validity (lapsed=true when its "
        "stated term has passed), clause count."))
    def list_documents(filters: FiltersArg = None) -> DocumentList:
        return _checked(lambda: tools.list_documents(filters))

    @server.tool(annotations=_READ_ONLY, description=(
        "核对一段引文是否逐字出自文件库（忽略空格和全角半角差异）：给出所在文件、文号、条款路径、chunk_id 和在文件正文中的起止位置。"
        "不在文件库中时 found=false；如有明显相近的条款，在 near 中给出（明确标注为非逐字一致）。\n"
        "Check where a quote stands in the corpus, verbatim up to spaces and full/half-width forms: document, 文号, clause "
        "path, chunk_id and offsets into the document text. found=false when it stands nowhere; `near` then gives the "
        "closest clause when one shares most of it — NOT an exact match."))
    def verify_quote(
        text: Annotated[str, Field(description="要核对的引文 / the quote to check")],
    ) -> QuoteCheck:
        return _checked(lambda: tools.verify_quote(text))

    return server


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """While loading, anything printed goes to stderr: on stdio, stdout carries only the protocol."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.mcp_server", description="政府公报问答 MCP 服务（stdio 或 streamable HTTP）。")
    parser.add_argument("--http", action="store_true", help="serve streamable HTTP on http://HOST:PORT/mcp instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind with --http (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port with --http (default 8765)")
    parser.add_argument("--mode", choices=("auto", "offline", "llm"), default="auto",
                        help="answering: offline (verbatim clauses), llm (RAG_LLM_BASE_URL) or auto (llm when configured)")
    parser.add_argument("--no-ingest", action="store_true", help="fail instead of building a missing index")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("bm25s", "httpx", "chromadb", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from app.runtime import StartupError, load_settings, open_answerer

    try:
        with _stdout_to_stderr():
            answerer = open_answerer(load_settings(), args.mode, ingest_if_missing=not args.no_ingest)
    except StartupError as err:
        print(err, file=sys.stderr)
        return err.code
    server = build_server(answerer.current)
    if not args.http:
        server.run("stdio")
        return 0
    print(f"MCP（streamable HTTP）：http://{args.host}:{args.port}/mcp （Ctrl+C 退出）", file=sys.stderr, flush=True)
    try:
        server.run("streamable-http", host=args.host, port=args.port)
    except OSError as err:
        print(f"无法在 {args.host}:{args.port} 启动：{err}。可用 --port 换一个端口。", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
