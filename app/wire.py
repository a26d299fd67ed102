"""An Answer as machine clients receive it (the OpenAI-compatible API, the MCP server): one JSON shape for the
citations, and a Markdown rendering of the answer whose source list survives in clients that only show text.

The JSON shape (`answer_payload`) is a contract: fields are added, never renamed or given a new meaning.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from app.documents import DocumentLibrary, full_title, pages_text, validity_text
from app.readable import shown_quote
from rag.compose import SOURCES_HEADING
from rag.places import city_name
from rag.records import REASON_LABELS, Answer, Citation, Filters, Passage, without_leads_line

FILTER_FIELDS = tuple(f.name for f in fields(Filters))
_MD_SPECIAL = re.compile(r"([\\`*_<>#|])")


class WireError(ValueError):
    """A request field a client sent is not usable: `field` names it (dotted: "filters.city"), the message says why
    and what is accepted."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _year(name: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not re.fullmatch(r"\d{4}", str(value)):
        raise WireError(f"filters.{name}", f"expected a four-digit year such as 2020, got {value!r}")
    return int(value)


def filters_from_json(obj: Any, cities: Collection[str] = ()) -> Filters:
    """Filters from a JSON object {city, year_from, year_to, doc_number, doc_type, valid_on}; every field optional.

    city: a corpus city in Chinese (晋城) or pinyin (jincheng), checked against `cities` when given. valid_on:
    YYYY-MM-DD. A reversed year range is put in order. Unknown fields and bad values raise WireError."""
    if obj is None:
        return Filters()
    if not isinstance(obj, Mapping):
        raise WireError("filters", f"expected a JSON object with any of {', '.join(FILTER_FIELDS)}")
    unknown = sorted(set(obj) - set(FILTER_FIELDS))
    if unknown:
        raise WireError(f"filters.{unknown[0]}", f"unknown filter; accepted: {', '.join(FILTER_FIELDS)}")
    city = obj.get("city") or None
    if city is not None:
        if not isinstance(city, str):
            raise WireError("filters.city", f"expected a city name, got {city!r}")
        city = city_name(city)
        if cities and city not in cities:
            raise WireError("filters.city", f"no documents of {city!r}; the corpus has: {'、'.join(sorted(cities))}")
    lo, hi = _year("year_from", obj.get("year_from")), _year("year_to", obj.get("year_to"))
    if lo and hi and lo > hi:
        lo, hi = hi, lo
    valid_on = obj.get("valid_on") or None
    if valid_on is not None:
        try:
            valid_on = date.fromisoformat(str(valid_on))
        except ValueError:
            raise WireError("filters.valid_on", f"expected a date as YYYY-MM-DD, got {valid_on!r}") from None
    texts = {}
    for name in ("doc_number", "doc_type"):
        value = obj.get(name) or None
        if value is not None and not isinstance(value, str):
            raise WireError(f"filters.{name}", f"expected text, got {value!r}")
        texts[name] = value.strip() if value else None
    return Filters(city=city, year_from=lo, year_to=hi, valid_on=valid_on, **texts)


def citation_record(citation: Citation, passage: Passage | None, library: DocumentLibrary) -> dict[str, Any]:
    """One citation: key, 文号, title (with its notice), clause path, the verbatim quote (`quote`, as printed; `start`
    and `end` index it in the document text) and `shown`, the quote as read (`app.readable.shown_quote`: a table row
    as its cells 列名：值；…, a table printed column by column as its rows), validity, where it is."""
    doc = library.documents.get(passage.doc_id) if passage else None
    validity, lapsed = validity_text(doc, library.today) if doc else ("", bool(citation.lapsed_note))
    return {
        "key": citation.key,
        "doc_number": citation.doc_number,
        "title": full_title(doc) if doc else citation.doc_title,
        "clause": citation.path or "正文",
        "pages": pages_text(library.chunks.get(citation.chunk_id)),  # 第3页 for a PDF source, else ""
        "quote": citation.quote,
        "shown": shown_quote(citation, passage),
        "validity": validity,
        "lapsed": lapsed,
        "lapsed_note": citation.lapsed_note,
        "issuer": doc.issuer if doc else "",
        "date": citation.date.isoformat() if citation.date else None,
        "doc_id": passage.doc_id if passage else "",
        "chunk_id": citation.chunk_id,
        "source_file": citation.source_file,
        "start": citation.start,
        "end": citation.end,
    }


def answer_payload(answer: Answer, library: DocumentLibrary) -> dict[str, Any]:
    """The answer as JSON: text (statements end in [S1] keys), refused, reason, citations, leads (with a refusal)."""
    by_key = {p.key: p for p in answer.passages}
    return {
        "text": answer.text,
        "refused": answer.refused,
        "reason": answer.reason.value if answer.reason else None,
        "reason_label": REASON_LABELS[answer.reason] if answer.reason else None,
        "citations": [citation_record(c, by_key.get(c.key), library) for c in answer.citations],
        "leads": [{"doc_number": lead.doc_number, "title": lead.doc_title, "clause": lead.path, "doc_id": lead.doc_id,
                   "chunk_id": lead.chunk_id} for lead in answer.leads],
        "invalid_citations": list(answer.invalid_citations),
        "mode": answer.mode,
        "rewritten_question": answer.trace.rewritten,
        "policy_fingerprint": answer.policy_fingerprint,
    }


def md(text: str) -> str:
    """Text shown literally by a Markdown renderer (its ASCII markup characters escaped; [S1] keys stay readable:
    a bracket not followed by a link target is plain text)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def body_markdown(text: str) -> str:
    """Answer text (one statement or clause per line) as Markdown paragraphs; applied piece by piece to a stream it
    gives the same result as on the whole text."""
    return text.replace("\n", "\n\n")


def answer_body(text: str) -> str:
    """The answer text without the offline composition's own plain source list (the Markdown one replaces it)."""
    head, sep, _ = text.partition("\n" + SOURCES_HEADING + "\n")
    return head if sep else text.removesuffix("\n" + SOURCES_HEADING)


def sources_markdown(citations: Sequence[Mapping[str, Any]]) -> str:
    """The source list of the citation records (`citation_record`): one item per citation — [S1] 《title》文号 clause
    path (validity), then the quoted sentence."""
    if not citations:
        return ""
    lines = ["", "", "**来源**", ""]
    for item in citations:
        validity = f"（{md(item['validity'])}）" if item["validity"] else ""
        warn = " ⚠ 已过有效期" if item["lapsed"] else ""
        lines.append(f"- [{item['key']}] 《{md(item['title'])}》{md(item['doc_number'] or '无文号')} "
                     f"{md(item['clause'])}{' ' + item['pages'] if item['pages'] else ''}{validity}{warn}")
        lines += [f"  > {md(line)}" for line in item.get("shown", item["quote"]).split("\n") if line.strip()]
    return "\n".join(lines)


def answer_markdown(answer: Answer, citations: Sequence[Mapping[str, Any]]) -> str:
    """What a text-only client shows: the answer (with its [S1] keys), then the source list of its citation records
    (`answer_payload(...)["citations"]`); a refusal says why, names the closest documents and lists the source of the
    clause it quotes, when it quotes one."""
    if answer.refused:
        lines = without_leads_line(answer_body(answer.text)).split("\n")
        if answer.reason:
            lines.append(f"（原因：{REASON_LABELS[answer.reason]}）")
        text = body_markdown("\n".join(lines))
        if answer.leads:
            text += "\n\n可能相关的文件（供参考，未必包含答案）：\n\n" + "\n".join(
                f"- 《{md(lead.doc_title)}》{md(lead.doc_number)} {md(lead.path)}".rstrip() for lead in answer.leads)
        return text + sources_markdown(citations)
    return body_markdown(answer_body(answer.text)) + sources_markdown(citations)
