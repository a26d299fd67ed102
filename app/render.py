"""The chat transcript as HTML, escaped here with html.escape: questions, answers, refusals, notices, source cards.

Nothing is rendered as markdown, so a question or a corpus line holding <script>, an <img onerror>, a markdown
image or link shows as the literal text. Citation keys [S1] become links to the turn's source card
(id "t<turn>-S1"); a key that points at no citation is shown as text marked invalid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from app.chat import Turn
from app.documents import DocumentLibrary, cn_date, full_title, pages_text, validity_text
from app.readable import quoted_pieces
from rag.records import REASON_LABELS, Answer, Citation, Passage, without_leads_line

_KEY = re.compile(r"\[(S\d+)\]")
def welcome(cities: Sequence[str]) -> str:
    """The empty chat's greeting, naming the cities the index holds documents of (`DocumentLibrary.cities`)."""
    where = f"{'、'.join(cities)}{'两' if len(cities) == 2 else '各' if len(cities) > 2 else ''}市" if cities else "文件库中"
    return (f"您好！我根据{where}政府公报中的文件回答问题，并标明依据的文件标题、文号和条款。"
            "回答中的编号（如 [S1]）可以点击，查看原文出处。")


def card_id(turn_no: int, key: str) -> str:
    return f"t{turn_no}-{key}"


def render_text(text: str, turn_no: int, linked: set[str] | None) -> str:
    """Escaped text, one <p> per line; [S1] keys link to cards when `linked` holds them (None: no links yet)."""
    out = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        parts: list[str] = []
        pos = 0
        for m in _KEY.finditer(line):
            parts.append(escape(line[pos:m.start()]))
            key = m.group(1)
            if linked is None:
                parts.append(f'<span class="cite">[{key}]</span>')
            elif key in linked:
                cid = card_id(turn_no, key)
                parts.append(f'<a class="cite" href="#{cid}" data-card="{cid}" title="查看出处">[{key}]</a>')
            else:
                parts.append(f'<span class="cite invalid" title="无效引用：没有对应的文件片段">[{key}]</span>')
            pos = m.end()
        parts.append(escape(line[pos:]))
        out.append(f'<p class="ln">{"".join(parts)}</p>')
    return "".join(out)


def _highlighted_passage(passage: Passage, citation: Citation) -> str:
    """The passage as a person reads it (`app.readable`: a table row as its cells, a table block printed column by
    column as its layout, any other passage as its text), the cited quote marked in it where it can be located."""
    return "".join(f'<mark class="quote">{escape(text)}</mark>' if quoted else escape(text)
                   for text, quoted in quoted_pieces(passage, citation))


def render_card(turn_no: int, citation: Citation, passage: Passage | None, library: DocumentLibrary) -> str:
    """A source card: title, 文号, issuer, date, validity (lapsed note), clause path, the passage with the quote marked,
    and a button that opens the whole document at this clause."""
    doc = library.documents.get(passage.doc_id) if passage else None
    title = full_title(doc) if doc else citation.doc_title
    rows = [("文件", f"《{title}》"), ("文号", citation.doc_number or "无文号")]
    if doc is not None:
        validity, _ = validity_text(doc, library.today)
        rows += [("发布机关", doc.issuer or "未注明"), ("日期", cn_date(doc.date)), ("有效期", validity)]
    else:
        rows.append(("日期", cn_date(citation.date)))
    rows.append(("条款", citation.path or "正文"))
    if pages := pages_text(library.chunks.get(citation.chunk_id)):
        rows.append(("页码", pages))
    meta = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    lapsed = f'<div class="lapsed">⚠ {escape(citation.lapsed_note)}</div>' if citation.lapsed_note else ""
    if passage is not None:
        quoted = f'<blockquote class="passage">{_highlighted_passage(passage, citation)}</blockquote>'
        opener = (f'<button type="button" class="open-doc" data-doc="{escape(passage.doc_id)}" data-chunk="{escape(passage.chunk_id)}"'
                  f' data-qs="{citation.start}" data-qe="{citation.end}">查看全文（定位到本条）</button><div class="doc-view"></div>')
    else:
        quoted = f'<blockquote class="passage"><mark class="quote">{escape(citation.quote)}</mark></blockquote>'
        opener = ""
    summary = (f'<span class="key">{escape(citation.key)}</span> 《{escape(citation.doc_title)}》'
               f'{escape(citation.doc_number)} {escape(citation.path)}')
    flag = ' <span class="lapsed-flag">已过有效期</span>' if citation.lapsed_note else ""
    return (f'<details class="card{" is-lapsed" if citation.lapsed_note else ""}" id="{card_id(turn_no, citation.key)}">'
            f"<summary>{summary}{flag}</summary><dl class=\"meta\">{meta}</dl>{lapsed}{quoted}{opener}</details>")


def _leads(answer: Answer, library: DocumentLibrary) -> str:
    """The closest documents of a refusal, each with a button to read it at the closest clause."""
    items = []
    for lead in answer.leads:
        doc = library.documents.get(lead.doc_id)
        title = full_title(doc) if doc else lead.doc_title
        items.append(f'<li>《{escape(title)}》{escape(lead.doc_number)}'
                     f'<button type="button" class="open-doc" data-doc="{escape(lead.doc_id)}" data-chunk="{escape(lead.chunk_id)}">'
                     f'查看全文</button><div class="doc-view"></div></li>')
    if not items:
        return ""
    return f'<div class="leads"><div class="leads-h">可能相关的文件（供参考，未必包含答案）：</div><ul>{"".join(items)}</ul></div>'


def render_answer(turn_no: int, answer: Answer, library: DocumentLibrary, staff: bool) -> str:
    reason = f' data-reason="{answer.reason.value}"' if answer.reason else ""
    label = f'<div class="reason">{escape(REASON_LABELS[answer.reason])}</div>' if answer.reason else ""
    by_key = {p.key: p for p in answer.passages}
    cited = {c.key for c in answer.citations}
    cards = "".join(render_card(turn_no, c, by_key.get(c.key), library) for c in answer.citations)
    sources = (f'<div class="sources"><div class="sources-h">来源（共{len(answer.citations)}处，点击编号或标题展开）</div>{cards}</div>'
               if cards else "")
    if answer.refused:  # a refusal may quote the clause about the question's subject that it judged, cited
        return (f'<div class="a refusal" data-refused="1"{reason}><div class="badge">未找到答案</div>{label}'
                f'<div class="atext">{render_text(without_leads_line(answer.text), turn_no, cited)}</div>{sources}{_leads(answer, library)}</div>')
    extra = ""
    if staff and (answer.uncited_sentences or answer.invalid_citations):
        extra = (f'<div class="warn">核对提示：{len(answer.uncited_sentences)}句没有有效引用'
                 f'{"，无效编号 " + escape("、".join(answer.invalid_citations)) if answer.invalid_citations else ""}。</div>')
    return (f'<div class="a answer" data-refused="0"{reason}>{label}<div class="atext">{render_text(answer.text, turn_no, cited)}</div>'
            f"{extra}{sources}</div>")


def render_turn(turn_no: int, turn: Turn, library: DocumentLibrary, staff: bool) -> str:
    question = f'<div class="q"><span class="who">问</span><div class="qtext">{escape(turn.question)}</div></div>'
    if turn.answer is not None:
        body = render_answer(turn_no, turn.answer, library, staff)
    elif turn.notice:
        body = f'<div class="a notice{" error" if turn.error else ""}" role="alert">{escape(turn.notice)}</div>'
    else:
        status = f'<div class="status">{escape(turn.status)}</div>' if turn.status else ""
        body = f'<div class="a answer pending">{status}<div class="atext">{render_text(turn.partial, turn_no, None)}</div></div>'
    return f'<div class="turn" id="t{turn_no}" data-turn="{turn_no}">{question}{body}</div>'


def render_transcript(turns: Sequence[Turn], library: DocumentLibrary, staff: bool = True) -> str:
    if not turns:
        return f'<div class="chat empty"><div class="welcome">{escape(welcome(library.cities()))}</div></div>'
    body = "".join(render_turn(i, t, library, staff) for i, t in enumerate(turns, start=1))
    return f'<div class="chat">{body}</div>'
