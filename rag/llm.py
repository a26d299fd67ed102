"""LLM answers through any OpenAI-compatible server (llama-index OpenAILike), under a citation contract.

The prompt gives keyed passages; the model must end every sentence with the keys of the passages it used. The
reply is parsed: known keys become citations (quoting the passage sentence that best matches), unknown keys are
returned in `invalid_citations`, sentences without a valid key in `uncited_sentences`. Nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rag.compose import lapsed_note
from rag.records import REFUSAL, Citation, Passage
from rag.retrieve import keyword_coverage

if TYPE_CHECKING:
    from settings import Settings

SYSTEM_PROMPT = (
    "你是市政府文件问答助手，为政府工作人员和市民解答政策问题。\n"
    "规则：\n"
    "1. 只根据下面给出的文件片段回答，不得使用片段以外的知识，不得编造数字、期限或部门。\n"
    "2. 每一句话的末尾都要用方括号标注所依据片段的编号，例如[S1]或[S1][S3]；没有依据的话不要写。\n"
    "3. 程序、步骤、清单要按原文顺序逐条列出，保留原文编号。\n"
    f"4. 如果片段中没有答案，只回答：{REFUSAL}\n"
    "5. 用简体中文，语言简洁准确。"
)
_KEY = re.compile(r"\[(S\d+)\]")
_SENTENCE = re.compile(r"[^。！？\n]*(?:[。！？]|\n|$)")


@dataclass(frozen=True)
class ParsedReply:
    text: str
    citations: tuple[Citation, ...]
    invalid_citations: tuple[str, ...]
    uncited_sentences: tuple[str, ...]
    refused: bool


def build_messages(question: str, passages: Sequence[Passage]) -> list[dict[str, str]]:
    blocks = []
    for p in passages:
        where = " ".join(x for x in (p.doc_number, p.path) if x)
        blocks.append(f"[{p.key}] 《{p.doc_title}》{where}\n{p.readable}")
    user = f"问题：{question}\n\n文件片段：\n\n" + "\n\n".join(blocks)
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def _best_quote(p: Passage, sentence: str) -> tuple[str, int]:
    """The passage sentence that the answer sentence relies on most (verbatim), with its offset."""
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(p.text) if m.group(0).strip()]
    if not spans:
        return p.text, 0
    plain = _KEY.sub("", sentence)
    a, b = max(spans, key=lambda s: keyword_coverage(plain, p.text[s[0]:s[1]]))
    return p.text[a:b].rstrip("\n"), a


def parse_reply(reply: str, passages: Sequence[Passage], today: date) -> ParsedReply:
    by_key = {p.key: p for p in passages}
    citations: dict[str, Citation] = {}
    invalid: list[str] = []
    uncited: list[str] = []
    for m in _SENTENCE.finditer(reply):
        sentence = m.group(0).strip()
        plain = _KEY.sub("", sentence).strip(" 。\n")
        if not plain or REFUSAL.rstrip("。") in plain:
            continue
        keys = _KEY.findall(sentence)
        valid = [k for k in keys if k in by_key]
        invalid.extend(k for k in keys if k not in by_key and k not in invalid)
        if not valid:
            if re.search(r"[\u4e00-\u9fff]{4,}", plain) and not plain.endswith(("：", ":")):
                uncited.append(sentence)
            continue
        for key in valid:
            if key in citations:
                continue
            p = by_key[key]
            quote, offset = _best_quote(p, sentence)
            citations[key] = Citation(
                key=key, chunk_id=p.chunk_id, doc_title=p.doc_title, doc_number=p.doc_number, path=p.path,
                date=p.date, quote=quote, start=p.start + offset, end=p.start + offset + len(quote),
                source_file=p.source_file, lapsed_note=lapsed_note(p, today),
            )
    refused = reply.strip().startswith(REFUSAL.rstrip("。")) and not citations
    return ParsedReply(reply.strip(), tuple(citations.values()), tuple(invalid), tuple(uncited), refused)


class LLMClient:
    """A thin wrapper over llama-index's OpenAILike: chat (whole reply) and stream (text deltas)."""

    def __init__(self, base_url: str, model: str, api_key: str, timeout_s: float, max_tokens: int, temperature: float) -> None:
        from llama_index.llms.openai_like import OpenAILike

        self.llm = OpenAILike(
            model=model, api_base=base_url, api_key=api_key, timeout=timeout_s, max_retries=0,
            is_chat_model=True, max_tokens=max_tokens, temperature=temperature, context_window=32768,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMClient:
        if not settings.llm_base_url:
            raise ValueError("LLM mode needs RAG_LLM_BASE_URL (an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1)")
        return cls(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout_s,
                   settings.llm_max_tokens, settings.llm_temperature)

    def _messages(self, messages: list[dict[str, str]]) -> list[Any]:
        from llama_index.core.llms import ChatMessage

        return [ChatMessage(role=m["role"], content=m["content"]) for m in messages]

    def chat(self, messages: list[dict[str, str]]) -> str:
        return str(self.llm.chat(self._messages(messages)).message.content or "")

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        for part in self.llm.stream_chat(self._messages(messages)):
            if part.delta:
                yield part.delta
