"""Split a gazette issue's repaired paragraphs into documents.

A notice is anchored on its own 文号 line (a line holding nothing else; cited numbers sit inside sentences). Its
header is the issuer and title lines above the anchor. After the notice's signature, a title line starts an
embedded text (the 办法 or 方案 it issues; several for bundles), and a 附件/附表 label starts an attachment.
A run of dated entries starts a 大事记 block.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ingest import metadata, patterns
from ingest.records import Document, Paragraph, Validity
from textnorm import normalize_docno

_MAX_HEADER_PARAS = 5
_ENTRY_RE = re.compile(r"^※?\s*(?:\d{1,2}\s*月\s*)?\d{1,2}\s*日")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Source:
    """Where a gazette came from: file name, city and gazette issue (read from its running header or masthead)."""

    name: str
    city: str
    gazette: str


def _is_header_para(text: str) -> bool:
    if patterns.is_issuer_line(text) or patterns.NOTICE_WORD_RE.match(text):
        return True
    if any(p in text for p in "。；：;:") or "\t" in text or patterns.heading_token(text) is not None:
        return False
    return text.startswith(("关于", "印发")) or bool(patterns.ISSUER_TITLE_RE.match(text)) or len(text) <= 40


def _header_start(paras: list[Paragraph], anchor: int, floor: int) -> int:
    start = anchor
    for k in range(anchor - 1, max(floor - 1, anchor - 1 - _MAX_HEADER_PARAS), -1):
        text = paras[k].text
        if not _is_header_para(text) or patterns.is_closing_line(text):
            break
        start = k
        if patterns.is_issuer_line(text):
            break
    return start


def _chronicle_starts(paras: list[Paragraph]) -> list[int]:
    """Indices where a 大事记 block starts: its title, or the first of three dated entries in a row without one.

    A block runs to the next title or 文号 line; a block that started without a title takes in the first title
    it meets (a title displaced into the middle of its own entries) instead of starting a second block there."""
    starts: list[int] = []
    k = 0
    while k < len(paras):
        titled = bool(patterns.CHRONICLE_TITLE_RE.match(paras[k].text))
        untitled_run = bool(_ENTRY_RE.match(paras[k].text)) and sum(1 for p in paras[k:k + 6] if _ENTRY_RE.match(p.text)) >= 3
        if not (titled or untitled_run):
            k += 1
            continue
        starts.append(k)
        absorb_title = not titled
        k += 1
        while k < len(paras) and not patterns.is_docno_line(paras[k].text):
            if patterns.CHRONICLE_TITLE_RE.match(paras[k].text):
                if not absorb_title:
                    break
                absorb_title = False
            k += 1
    return starts


def _signature(paras: list[Paragraph], begin: int, end: int) -> tuple[int, int] | None:
    """(index of the date line, index just after the block) of the first signature block in range: issuer
    line(s), a date line, an optional 此件公开发布."""
    for k in range(begin, end):
        if patterns.is_date_line(paras[k].text) and k > begin and patterns.is_issuer_line(paras[k - 1].text):
            after = k + 1
            if after < end and patterns.is_public_note(paras[after].text):
                after += 1
            return k, after
    return None


def _embedded_starts(paras: list[Paragraph], begin: int, end: int) -> list[int]:
    """Title lines and 附件 labels after a notice's signature that open embedded texts or attachments."""
    starts: list[int] = []
    for k in range(begin, end):
        text = paras[k].text
        if is_attachment_label(text):
            starts.append(k)
            continue
        if not patterns.is_title_like(text) or re.match(r"^附[件表录]\s*[:：]", text):
            continue
        previous = paras[k - 1].text if k > begin else ""
        opens = k == begin or paras[k].moved or patterns.is_closing_line(previous) or _restarts_numbering(paras, k + 1, end)
        if opens or (starts and starts[-1] == k - 1):
            if starts and starts[-1] == k - 1 and is_attachment_label(paras[k - 1].text):
                continue  # the attachment's title line, under its label
            starts.append(k)
    return starts


def is_attachment_label(text: str) -> bool:
    """附件1 / 附件 / 附表 1 / 附录2 (+ a title): an attachment starts. 附件：… with a colon lists attachments."""
    m = patterns.ATTACHMENT_LABEL_RE.match(text)
    return bool(m) and len(text) <= 40 and not re.match(r"^附[件表录]\s*[0-9０-９一二三四五六七八九十]*\s*[:：]", text) and not text.endswith("。")


def _issued_title(notice_title: str) -> str | None:
    """关于印发《X》的通知 → X: the title of the text a notice issues, for texts printed without their own title."""
    m = re.match(r"^(?:[\u4e00-\u9fff]*?)关于印发《?(.+?)》?的通知$", notice_title)
    return m.group(1) if m else None


def _restarts_numbering(paras: list[Paragraph], begin: int, end: int) -> bool:
    """The paragraphs after a title open a new text: its first top-level heading (within a short preamble) is
    number one (一、, 第一章, 第一条, 1 总则) or a 前言."""
    for p in paras[begin:min(end, begin + 4)]:
        if p.text.replace(" ", "") == "前言":
            return True
        token = patterns.heading_token(p.text)
        if token is None:
            continue
        return token.number == 1 and token.kind in ("cn1", "chapter", "article", "dec", "num")
    return False


def _doc_id(source: str, *parts: object) -> str:
    digest = hashlib.sha1("|".join([source, *map(str, parts)]).encode("utf-8")).hexdigest()[:12]
    return f"{source.rsplit('.', 1)[0]}:{digest}"


def _title_of(header: list[Paragraph]) -> tuple[str | None, str]:
    issuer = None
    parts: list[str] = []
    for p in header:
        text = p.text
        if patterns.is_issuer_line(text) and issuer is None:
            issuer = text
            continue
        m = patterns.ISSUER_TITLE_RE.match(text)
        if m:
            issuer, text = issuer or m.group(1), m.group(2)
        parts.append(text.replace(" ", ""))
    return issuer, "".join(parts)


def _make(source: Source, kind: str, paras: list[Paragraph], ordinal: str, **fields: object) -> Document:
    text = "\n".join(p.text for p in paras)
    title = str(fields.pop("title", "") or (paras[0].text if paras else ""))
    return Document(
        doc_id=_doc_id(source.name, kind, ordinal, fields.get("doc_number"), title),
        source_file=source.name,
        city=source.city,
        gazette=source.gazette,
        kind=kind,
        doc_type=str(fields.pop("doc_type", metadata.doc_type_of(title))),
        title=title,
        text=text,
        paragraphs=tuple(paras),
        line_start=min((p.line_start for p in paras), default=0),
        line_end=max((p.line_end for p in paras), default=0),
        **fields,  # type: ignore[arg-type]
    )


def split_documents(paras: list[Paragraph], source: Source) -> list[Document]:
    """All documents of one gazette issue, in reading order; front matter before the first header is dropped.
    A Chinese text with no 文号 line and no 大事记 at all is one document, so none of it is lost."""
    anchors = [k for k, p in enumerate(paras) if patterns.is_docno_line(p.text) and normalize_docno(p.text)]
    bounds: list[tuple[int, str, int]] = []
    floor = 0
    for a in anchors:
        start = _header_start(paras, a, floor)
        bounds.append((start, "notice", a))
        floor = a + 1
    for c in _chronicle_starts(paras):
        bounds.append((c, "chronicle", c))
    bounds.sort()
    if not bounds and _is_chinese(paras):
        return [_plain(paras, source)]
    docs: list[Document] = []
    for n, (start, kind, anchor) in enumerate(bounds):
        end = bounds[n + 1][0] if n + 1 < len(bounds) else len(paras)
        if end <= start:
            continue  # a notice header that reaches back over a block's start (0日 / 0日 / 0日 / 文号) leaves it empty
        if kind == "chronicle":
            docs.append(_chronicle(paras[start:end], source, n))
        else:
            docs.extend(_notice(paras, start, anchor, end, source, n))
    return docs


def _is_chinese(paras: list[Paragraph]) -> bool:
    """At least a fifth of the characters are 汉字 (gazettes: 84–87 %); an English or junk file is not kept."""
    text = "".join(p.text for p in paras)
    return bool(text) and len(_CJK.findall(text)) >= 0.2 * len(re.sub(r"\s", "", text))


def _plain(paras: list[Paragraph], source: Source) -> Document:
    """A text without gazette structure: titled by its first line when that reads as a title, else by the file."""
    first = paras[0].text
    title = first if patterns.is_title_like(first) else source.name.rsplit(".", 1)[0]
    return _make(source, "notice", paras, "0", title=title, validity=metadata.validity_of("\n".join(p.text for p in paras), None))


def _chronicle(paras: list[Paragraph], source: Source, n: int) -> Document:
    title_para = next((p for p in paras if patterns.CHRONICLE_TITLE_RE.match(p.text)), None)
    title = title_para.text if title_para else f"{source.city}市人民政府大事记"
    return _make(source, "chronicle", paras, str(n), title=title, doc_type="大事记")


def _notice(paras: list[Paragraph], start: int, anchor: int, end: int, source: Source, n: int) -> list[Document]:
    docno = normalize_docno(paras[anchor].text)
    issuer, title = _title_of(paras[start:anchor])
    signature = _signature(paras, anchor + 1, end)
    signed = metadata.parse_date(paras[signature[0]].text) if signature else None
    if issuer is None and signature:
        signers: list[str] = []
        for p in reversed(paras[anchor + 1:signature[0]]):
            if not patterns.is_issuer_line(p.text):
                break
            signers.insert(0, p.text)
        issuer = "、".join(signers) or None
    sig_end = signature[1] if signature else None
    if sig_end is None or sig_end >= end:
        body = paras[start:end]
        return [_make(source, "notice", body, str(n), title=title, doc_number=docno, issuer=issuer, date=signed,
                      validity=metadata.validity_of("\n".join(p.text for p in body), signed))]
    while sig_end < end and (re.match(r"^附[件表录]\s*[:：]", paras[sig_end].text) or patterns.is_public_note(paras[sig_end].text)):
        sig_end += 1  # the attachment list under the signature belongs to the notice
    starts = _embedded_starts(paras, sig_end, end)
    if not starts or starts[0] != sig_end:
        starts = [sig_end, *starts]
    notice_paras = paras[start:sig_end]
    parent_id = _doc_id(source.name, "notice", str(n), docno, title)
    children: list[Document] = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else end
        part = paras[s:e]
        label = patterns.ATTACHMENT_LABEL_RE.match(part[0].text)
        kind = "attachment" if is_attachment_label(part[0].text) else "embedded"
        if kind == "embedded" and len(part) > 1 and is_attachment_label(part[1].text) and i + 1 < len(starts) and starts[i + 1] == s + 1:
            continue  # a table title printed above its 附件 label: the attachment starts here
        child_title = part[0].text if patterns.is_title_like(part[0].text) else (_issued_title(title) or part[0].text[:40])
        if kind == "attachment":
            rest = label.group(3).strip() if label else ""
            child_title = f"{part[0].text}" if rest else (f"{part[0].text} {part[1].text}" if len(part) > 1 and patterns.is_title_like(part[1].text) else part[0].text)
        text = "\n".join(p.text for p in part)
        children.append(_make(
            source, kind, part, f"{n}.{i}", title=child_title, doc_number=docno, parent_doc_number=docno,
            parent_id=parent_id, wrapper_title=title, issuer=issuer, date=signed,
            doc_type="附件" if kind == "attachment" else metadata.doc_type_of(child_title),
            validity=metadata.validity_of(text, signed),
        ))
    embedded_validity = next((c.validity for c in children if c.validity.effective or c.validity.expires), Validity())
    parent = _make(source, "notice", notice_paras, str(n), title=title, doc_number=docno, issuer=issuer, date=signed,
                   validity=embedded_validity)
    return [parent, *children]
