"""Typed records of the answering stage: Question → Passage (ranked, keyed) → Answer (text, citations, trace).

These records are the contract between `rag`, `app` and `evals`: a field's meaning does not change silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from ingest.records import readable_text

REFUSAL = "根据现有文件无法回答该问题。"
"""The one constant refusal phrase; an answer with refused=True starts with it."""


@dataclass(frozen=True)
class Filters:
    """Metadata filters a caller can set; None means no constraint.

    city: 晋城 / 长治. year_from / year_to: the document's year (signature date, or the 大事记 entry's year).
    doc_number: a 文号 in any spelling (normalised before use). doc_type: 办法/通知/意见/方案/…
    valid_on: keep only documents not expired on that day (documents without a stated term are kept).
    """

    city: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    doc_number: str | None = None
    doc_type: str | None = None
    valid_on: date | None = None


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk as the answer sees it.

    key: short stable citation key within one answer ("S1", "S2", …).
    chunk_id: the chunk's stable id in the index. text: verbatim repaired text of the clause.
    score: fused score (higher is better); ranks: 1-based rank per retrieval leg ({"dense": 3, "keyword": 1}).
    widened: added by widening (a sibling or parent of a hit), not retrieved directly.
    cells: a table row's (column name, value) pairs (`ingest.records.Chunk.cells`), else ().
    layout: a table block printed column by column, as read (`ingest.records.Chunk.layout`), else "".
    """

    key: str
    chunk_id: str
    text: str
    doc_id: str
    doc_title: str
    doc_number: str
    wrapper_title: str
    path: str
    headings: tuple[str, ...]
    city: str
    doc_type: str
    date: dt.date | None
    valid_until: dt.date | None
    source_file: str
    line_start: int
    line_end: int
    start: int
    end: int
    score: float
    kind: str = "clause"
    event_date: dt.date | None = None
    ranks: dict[str, int] = field(default_factory=dict)
    widened: bool = False
    cells: tuple[tuple[str, str], ...] = ()
    layout: str = ""

    @property
    def readable(self) -> str:
        """The passage as read and judged (`ingest.records.readable_text`): a table row as 列名：值；列名：值, a table block
        printed column by column as its layout (its rebuilt rows, the rest one column per line), any other passage as
        its text."""
        return readable_text(self.text, self.cells, self.layout)


@dataclass(frozen=True)
class Citation:
    """One cited clause: the passage key, where it is, and the verbatim quote the sentence relies on."""

    key: str
    chunk_id: str
    doc_title: str
    doc_number: str
    path: str
    date: date | None
    quote: str
    start: int
    end: int
    source_file: str
    lapsed_note: str = ""


@dataclass(frozen=True)
class Trace:
    """Why the answer is what it is: the question after rewriting, each leg's ranked hits, the fused list."""

    question: str
    rewritten: str
    filters: dict[str, Any]
    legs: dict[str, list[tuple[str, float]]]
    fused: list[tuple[str, float]]
    widened: list[str]
    notes: list[str] = field(default_factory=list)
    rewritten_by: str = "none"  # none | offline | llm | offline (LLM <why it was not used>)
    rules_fired: list[str] = field(default_factory=list)  # every answer-policy rule that fired, in order (the first decided)
    signals: dict[str, float] = field(default_factory=dict)  # measured relevance the policy judged (rag.policy.Signals)
    parts: list[str] = field(default_factory=list)  # a multi-part question's parts, each retrieved on its own (rag.decompose)
    capped: list[str] = field(default_factory=list)  # chunks a near-duplicate family cap moved out of the top k (rag.retrieve)


class Reason(StrEnum):
    """Why an answer is not a plain answer: data, rendered by the app and counted by the evals."""

    EMPTY_QUESTION = "empty_question"
    CITY_NOT_IN_CORPUS = "city_not_in_corpus"
    OUT_OF_SCOPE = "out_of_scope"
    WRONG_CITY = "wrong_city"
    NOT_RELEVANT = "not_relevant"
    YEAR_NOT_COVERED = "year_not_covered"
    DAY_NOT_COVERED = "day_not_covered"
    ORDINAL_NOT_COVERED = "ordinal_not_covered"
    ATTACHMENT_NOT_PRINTED = "attachment_not_printed"
    LIST_NOT_PRINTED = "list_not_printed"
    VALUE_NOT_STATED = "value_not_stated"
    TERM_NOT_STATED = "term_not_stated"
    VALUE_LEFT_OPEN = "value_left_open"  # answered: the document sets no figure but says how it is set
    MODEL_DECLINED = "model_declined"
    LLM_UNAVAILABLE = "llm_unavailable"


REASON_LABELS: dict[Reason, str] = {
    Reason.EMPTY_QUESTION: "问题为空",
    Reason.CITY_NOT_IN_CORPUS: "文件库未收录该城市的文件",
    Reason.OUT_OF_SCOPE: "不属于政府文件的范围",
    Reason.WRONG_CITY: "只有其他城市的文件有相关规定",
    Reason.NOT_RELEVANT: "文件库中没有相关规定",
    Reason.YEAR_NOT_COVERED: "文件库中没有所问年份的文件",
    Reason.DAY_NOT_COVERED: "文件中没有所问日期的记载",
    Reason.ORDINAL_NOT_COVERED: "文件中没有所问届次、期次的记载",
    Reason.ATTACHMENT_NOT_PRINTED: "所问附件未收录在公报中",
    Reason.LIST_NOT_PRINTED: "文件没有列出所问名单、目录或表格的内容",
    Reason.VALUE_NOT_STATED: "文件没有写明所问的具体信息",
    Reason.TERM_NOT_STATED: "文件没有规定有效期",
    Reason.VALUE_LEFT_OPEN: "文件未定具体数值，只规定了确定办法",
    Reason.MODEL_DECLINED: "大模型未作答，显示原文摘录",
    Reason.LLM_UNAVAILABLE: "大模型不可用，显示原文摘录",
}
"""How the app and the CLI name each reason for a person."""
REASON_LABELS_EN: dict[Reason, str] = {
    Reason.EMPTY_QUESTION: "the question is empty",
    Reason.CITY_NOT_IN_CORPUS: "the library holds no documents of that city",
    Reason.OUT_OF_SCOPE: "the question is not about government documents",
    Reason.WRONG_CITY: "only another city's documents address it",
    Reason.NOT_RELEVANT: "no document addresses it",
    Reason.YEAR_NOT_COVERED: "no document covers the year asked about",
    Reason.DAY_NOT_COVERED: "the documents record nothing on the day asked about",
    Reason.ORDINAL_NOT_COVERED: "the documents record nothing of the numbered meeting or session asked about",
    Reason.ATTACHMENT_NOT_PRINTED: "the gazette did not print the attachment, table or figure asked about",
    Reason.LIST_NOT_PRINTED: "the documents name the list, catalogue or table but do not print its content",
    Reason.VALUE_NOT_STATED: "the documents do not state what is asked",
    Reason.TERM_NOT_STATED: "the document states no term of validity",
    Reason.VALUE_LEFT_OPEN: "the documents set no figure, only how it is determined",
    Reason.MODEL_DECLINED: "the model did not answer; the closest clauses are shown",
    Reason.LLM_UNAVAILABLE: "the model is unavailable; the closest clauses are shown",
}
"""The same names for a person who asked in English (a refusal's English line; the details stay in Chinese: they
quote the documents' titles)."""
REFUSAL_EN = "The documents cannot answer this question"


LEADS_PREFIX = "可能相关的文件："  # the refusal text's line naming the leads
CLOSEST_HEADING = "文件中的相关规定（供核对）："  # before the clause a refusal quotes (`Decision.lead`)


def without_leads_line(text: str) -> str:
    """A refusal's text without its line naming the leads: a client lists the leads on their own (`Answer.leads`)."""
    return "\n".join(line for line in text.split("\n") if not line.startswith(LEADS_PREFIX))


@dataclass(frozen=True)
class Lead:
    """A document a refusal points to (closest retrieved, not known to hold the answer), at its closest clause."""

    doc_id: str
    doc_title: str
    doc_number: str
    chunk_id: str
    path: str


@dataclass(frozen=True)
class Answer:
    """The answer: text whose statements end in citation keys [S1], the citations, the passages it was built from
    (ranked, best first), refusal, citation keys that point nowhere, sentences without a valid citation, the trace,
    and timings in milliseconds (retrieve, compose, total)."""

    question: str
    text: str
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    refused: bool
    trace: Trace
    invalid_citations: tuple[str, ...] = ()
    uncited_sentences: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    mode: str = "offline"
    leads: tuple[Lead, ...] = ()  # with a refusal: the closest documents (at most 3)
    timings: dict[str, float] = field(default_factory=dict)
    reason: Reason | None = None  # why it is a refusal or not a plain answer (None: answered)
    policy_fingerprint: str = ""  # the answer policy's version and thresholds (rag.policy.PolicyConfig.fingerprint)
