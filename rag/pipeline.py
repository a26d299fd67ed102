"""Question → (follow-up rewrite) → filters → hybrid retrieval → relevance gate → cited answer.

The answer is composed offline (verbatim clauses) or by an OpenAI-compatible LLM under the citation contract;
an LLM error or timeout falls back to the offline answer with a visible notice. Dependencies (index, retriever,
LLM client, clock) are injected; `load_pipeline` builds the default one once per process.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

from ingest.repair.normalize import matching_form
from rag.compose import book_title, compose
from rag.followup import llm_rewrite, rewrite
from rag.index import LoadedIndex, load_index
from rag.llm import LLMClient, build_messages, parse_reply
from rag.query import QueryFacts, analyse, answers_kind
from rag.records import LEADS_PREFIX, REFUSAL, Answer, Filters, Lead, Passage, Trace
from rag.retrieve import QUESTION_WORDS, HybridRetriever, RetrievalConfig, Retrieved, keyword_coverage

log = logging.getLogger(__name__)
# Not part of a question's subject: question words, place names, punctuation.
_NOT_WORD = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]")
_NOT_SUBJECT = re.compile(rf"{QUESTION_WORDS.pattern}|{_NOT_WORD.pattern}")
_TABLE_WORD = re.compile(r"表|名单|清单|目录")
_ATTACHMENT_ENTRY = re.compile(r"(?:附件[:：]?)?\d{1,2}[.、]?")  # what is left of a line that only lists an attachment
FALLBACK_NOTICE = "大模型服务暂时不可用，以下为文件原文摘录。"
# lone surrogates (a JSON "\ud800", argv bytes that are not UTF-8) and control characters cannot be encoded or
# shown; they carry no meaning in a question
_UNUSABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """The question as the pipeline uses it: without lone surrogates and control characters, stripped."""
    return _UNUSABLE.sub("", text).strip()


@dataclass(frozen=True)
class Gate:
    """Nothing relevant was retrieved when the best of the top passages has IDF-weighted keyword coverage below
    `min_coverage` AND dense similarity below `min_dense`. Calibrated on the dev gold set (see README)."""

    min_coverage: float = 0.45
    min_dense: float = 0.86
    # English questions share no characters with the documents: only the (multilingual) dense score can judge
    min_dense_cross_lingual: float = 0.75
    top: int = 3
    # A question naming one city whose words another city's documents match much better (by this margin of
    # coverage) is a wrong-city question: say so instead of answering from weak matches.
    wrong_city_margin: float = 0.15
    strong_coverage: float = 0.7
    # A value asked for (an amount, a date, a count…) found outside the clauses the answer leads with counts only
    # in a clause that names the question's subject: its most specific run found in the top clauses, this long or more.
    min_subject_chars: int = 4
    subject_share: float = 0.75  # share of the subject's character pairs a clause must hold to name it
    # A table or list the question names (…明细表, …名单) must be at least this long to be looked up as a title.
    min_title_chars: int = 6
    max_titles: int = 4  # table words (表, 名单…) of one question looked up; a question names one or two tables


@dataclass
class _Context:
    question: str
    standalone: str
    facts: QueryFacts
    filters: Filters
    started: float
    rewritten_by: str = "none"
    retrieved: Retrieved | None = None
    notes: list[str] = field(default_factory=list)
    retrieved_at: float = 0.0


class Pipeline:
    name = "ours"

    def __init__(self, index: LoadedIndex, retriever: HybridRetriever | None = None, gate: Gate | None = None,
                 today: Callable[[], date] = date.today, llm: LLMClient | None = None) -> None:
        self.index = index
        self.retriever = retriever or HybridRetriever(index)
        self.gate = gate or Gate()
        self.today = today
        self.llm = llm
        self.mode = "llm" if llm else "offline"

    # -- relevance -------------------------------------------------------------------------------------------
    def relevance(self, question: str, retrieved: Retrieved) -> tuple[float, float]:
        """(best IDF-weighted keyword coverage, best dense similarity) over the top directly retrieved passages."""
        direct = [p for p in retrieved.passages if not p.widened][: self.gate.top]
        idf = self.index.bigram_idf
        coverage = max((keyword_coverage(question, self._context(p), idf) for p in direct), default=0.0)
        if len(retrieved.facet_leads) >= 2:  # a comparison: each side answers part of the question, together all of it
            sides = " ".join(self._context(p) for p in retrieved.passages if p.chunk_id in retrieved.facet_leads)
            coverage = max(coverage, keyword_coverage(question, sides, idf))
        dense_scores = dict(retrieved.legs.get("dense", []))
        dense = max((dense_scores.get(p.chunk_id, 0.0) for p in direct), default=0.0)
        return coverage, dense

    @staticmethod
    def _context(p: Passage) -> str:
        return " ".join([p.doc_title, *p.headings, p.text])

    def _relevant(self, question: str, retrieved: Retrieved, cross_lingual: bool = False) -> bool:
        if not retrieved.passages:
            return False
        coverage, dense = self.relevance(question, retrieved)
        if cross_lingual:
            return dense >= self.gate.min_dense_cross_lingual
        return coverage >= self.gate.min_coverage or dense >= self.gate.min_dense

    def _wrong_city(self, question: str, city: str, filters: Filters, retrieved: Retrieved) -> Retrieved | None:
        """The unfiltered retrieval when another city's documents answer the question much better."""
        mine = self.relevance(question, retrieved)[0] if retrieved.passages else 0.0
        if mine >= self.gate.strong_coverage:
            return None  # the named city's documents answer well: no second retrieval
        wider = self.retriever.retrieve(question, replace(filters, city=None))
        if not wider.passages or wider.passages[0].city == city:
            return None
        theirs = self.relevance(question, wider)[0]
        if theirs - mine >= self.gate.wrong_city_margin:
            return wider
        return None

    # -- answering -------------------------------------------------------------------------------------------
    def answer(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Answer:
        final: Answer | None = None
        for part in self.stream(question, history, filters):
            if isinstance(part, Answer):
                final = part
        assert final is not None
        return final

    def stream(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> Iterator[str | Answer]:
        """Yield the answer text as it is produced (str pieces), then the complete Answer record."""
        ctx = self._prepare(question, history, filters)
        refusal = self._gate(ctx)
        if refusal is not None:
            yield refusal.text
            yield refusal
            return
        if self.llm is None:
            answer = self._offline(ctx)
            yield answer.text
            yield answer
            return
        yield from self._with_llm(ctx, self.llm)

    def _prepare(self, question: str, history: Sequence[str], filters: Filters | None) -> _Context:
        started = time.perf_counter()
        question = clean_text(question)
        history = [h for h in map(clean_text, history) if h]
        how = "none"
        if not question:
            standalone = ""
        elif self.llm is not None and history:
            standalone, how = llm_rewrite(question, history, self.llm.chat)
        else:
            standalone = rewrite(question, history)
            how = "offline" if history else "none"
        facts = analyse(standalone)
        ctx = _Context(question, standalone, facts, filters or Filters(), started, how)
        if facts.city and not ctx.filters.city:
            ctx.filters = replace(ctx.filters, city=facts.city)
            ctx.notes.append(f"问题提到{facts.city}，只检索{facts.city}的文件")
        return ctx

    def _gate(self, ctx: _Context) -> Answer | None:
        """A refusal Answer, or None when retrieval found something to answer from (ctx.retrieved is then set)."""
        if not ctx.question:
            return self._refuse(ctx, None, ["问题为空"])
        if ctx.facts.other_city:
            return self._refuse(ctx, None, [f"文件库中没有{ctx.facts.other_city}的文件"])
        if ctx.facts.out_of_scope:
            return self._refuse(ctx, None, ["这个问题不属于政府文件的范围"])
        ctx.retrieved = self.retriever.retrieve(ctx.standalone, ctx.filters)
        ctx.retrieved_at = time.perf_counter()
        if ctx.facts.city and ctx.facts.city == ctx.filters.city and not ctx.facts.cross_lingual:
            wider = self._wrong_city(ctx.standalone, ctx.facts.city, ctx.filters, ctx.retrieved)
            if wider is not None:
                other = wider.passages[0]
                note = f"{ctx.facts.city}的文件中没有找到；{other.city}的《{other.doc_title}》有相关规定，但不适用于{ctx.facts.city}"
                return self._refuse(ctx, wider, [note])
        named = bool(ctx.retrieved.doc_numbers) and bool(ctx.retrieved.passages)  # the question names an indexed document: it is in scope
        if not named and not self._relevant(ctx.standalone, ctx.retrieved, ctx.facts.cross_lingual):
            return self._refuse(ctx, ctx.retrieved, [])
        title = self._unprinted_attachment(ctx.standalone)
        if title is not None:
            return self._refuse(ctx, ctx.retrieved, [f"所问的《{title}》是文件的附件，公报只收录了它的标题，没有收录其内容"])
        if not self._holds_asked_value(ctx):
            asked = {"money": "金额", "duration": "期限", "ratio": "比例", "date": "日期", "count": "数量"}[ctx.facts.asks or "money"]
            return self._refuse(ctx, ctx.retrieved, [f"相关文件没有规定所问的具体{asked}"])
        return None

    def _holds_asked_value(self, ctx: _Context) -> bool:
        """A question asking for an amount, a duration, a ratio, a date or a count needs a clause that states one.
        The clauses the answer leads with (the first hit and its section) count as they are. Another clause counts
        only when it names the question's subject (`_subject`): the 18元/平方米 of 搬迁补助费 does not answer a
        question about 临时安置补助费. Such a clause may come from the top clauses or from the other directly
        retrieved ones that match the question's words at least as well as they do. A 大事记 entry states its own date.
        Measured on the dev set: requiring the value of the leading clause alone refused 5 % more answerable
        questions for 5 % more unanswerable ones; these rules refused 2 more unanswerable (临时安置补助费, 奖补资金)
        and 3 fewer answerable ones (values in lower-ranked clauses)."""
        facts = ctx.facts
        if facts.asks is None or ctx.retrieved is None:
            return True
        passages = ctx.retrieved.passages
        lead = set(ctx.retrieved.groups[0]) if ctx.retrieved.groups else set()
        direct = [p for p in passages if not p.widened]
        top = direct[: self.gate.top]

        def holds(p: Passage) -> bool:
            return answers_kind(facts.asks, p.text, facts.unit) or (facts.asks == "date" and p.event_date is not None)

        if any(holds(p) for p in passages if p.chunk_id in lead):
            return True
        subject = self._subject(ctx.standalone, top)
        pairs = {subject[i:i + 2] for i in range(len(subject) - 1)} if subject else set()

        def names_subject(p: Passage) -> bool:
            words = self._words(p)
            return sum(1 for g in pairs if g in words) >= self.gate.subject_share * len(pairs)

        # below the top clauses, one that matches the question's words at least as well as they do
        idf = self.index.bigram_idf
        best = max((keyword_coverage(ctx.standalone, self._context(p), idf) for p in top), default=0.0)
        candidates = top + [p for p in direct[len(top):] if keyword_coverage(ctx.standalone, self._context(p), idf) >= best]
        return any(holds(p) and names_subject(p) for p in candidates)

    def _words(self, p: Passage) -> str:
        """The passage's title, headings and text in matching form without punctuation."""
        return _NOT_WORD.sub("", matching_form(self._context(p)))

    def _subject(self, question: str, top: Sequence[Passage]) -> str | None:
        """What the question is about, as the top clauses word it: of the runs of the question (question words,
        place names and punctuation aside) that one of them contains, at least `min_subject_chars` long, the most
        specific (the highest summed IDF of its character pairs: 临时安置补助费 rather than 房屋征收)."""
        texts = [self._words(p) for p in top]
        idf = self.index.bigram_idf
        runs: set[str] = set()
        for part in _NOT_SUBJECT.split(matching_form(question)):
            for i in range(len(part)):
                j = i  # grow the run while a clause still contains it (a run no clause contains never grows back)
                while j < len(part) and any(part[i:j + 1] in t for t in texts):
                    j += 1
                if j - i >= self.gate.min_subject_chars:
                    runs.add(part[i:j])
        return max(runs, key=lambda r: (sum(idf.get(r[k:k + 2], 0.0) for k in range(len(r) - 1)), len(r)), default=None)

    def _unprinted_attachment(self, question: str) -> str | None:
        """The title of a table or list the question names (…明细表, …名单, …清单) when the corpus has it only as an
        entry of a document's attachment list (附件：1.… 2.…): the gazette printed the title, not the table, so no
        clause can answer from it. The title is the longest run of the question ending in 表/名单/清单/目录 that
        the corpus contains."""
        q = matching_form(question)
        corpus, lines = self.index.clause_lines
        for end in [m.end() for m in _TABLE_WORD.finditer(q)][: self.gate.max_titles]:
            start = end - self.gate.min_title_chars
            if start < 0 or q[start:end] not in corpus:
                continue
            while start > 0 and q[start - 1:end] in corpus:  # the longest run the corpus has
                start -= 1
            title = q[start:end]
            found = [line for line in lines if title in line]
            if all(_ATTACHMENT_ENTRY.fullmatch(line.replace(title, "", 1)) for line in found):
                return title
        return None

    def _offline(self, ctx: _Context, notices: tuple[str, ...] = ()) -> Answer:
        assert ctx.retrieved is not None
        composition = compose(ctx.standalone, ctx.retrieved.passages, ctx.retrieved.groups, self.today(), ctx.facts.step,
                              ctx.retrieved.facet_leads)
        text = "\n".join([*notices, composition.text]) if notices else composition.text
        return self._answer(ctx, text, composition.citations, notices + composition.notices, mode="offline")

    def _with_llm(self, ctx: _Context, llm: LLMClient) -> Iterator[str | Answer]:
        assert ctx.retrieved is not None
        passages = ctx.retrieved.passages
        messages = build_messages(ctx.standalone, passages)
        pieces: list[str] = []
        try:
            for delta in llm.stream(messages):
                pieces.append(delta)
                yield delta
        except Exception as err:  # timeout, connection refused, HTTP error: answer offline, visibly
            log.warning("LLM failed, falling back to the offline answer", extra={"error": repr(err)})
            notice = f"{FALLBACK_NOTICE}（{type(err).__name__}）"
            answer = self._offline(ctx, notices=(notice,))
            yield ("\n\n" if pieces else "") + answer.text
            yield answer
            return
        parsed = parse_reply("".join(pieces), passages, self.today())
        notices = tuple(dict.fromkeys(f"注意：{book_title(c.doc_title)}{c.lapsed_note}。" for c in parsed.citations if c.lapsed_note))
        if notices:
            yield "\n" + "\n".join(notices)
        yield self._answer(ctx, "\n".join([parsed.text, *notices]), parsed.citations, notices, mode="llm",
                           refused=parsed.refused, invalid=parsed.invalid_citations, uncited=parsed.uncited_sentences)

    def _answer(self, ctx: _Context, text: str, citations: tuple[Any, ...], notices: tuple[str, ...], mode: str,
                refused: bool = False, invalid: tuple[str, ...] = (), uncited: tuple[str, ...] = ()) -> Answer:
        finished = time.perf_counter()
        retrieved_at = ctx.retrieved_at or finished
        return Answer(
            question=ctx.question, text=text, citations=citations,
            passages=tuple(ctx.retrieved.passages) if ctx.retrieved else (), refused=refused,
            trace=self._trace(ctx, ctx.retrieved), invalid_citations=invalid, uncited_sentences=uncited,
            notices=notices, mode=mode,
            timings={"retrieve_ms": (retrieved_at - ctx.started) * 1000, "compose_ms": (finished - retrieved_at) * 1000,
                     "total_ms": (finished - ctx.started) * 1000},
        )

    def _trace(self, ctx: _Context, retrieved: Retrieved | None) -> Trace:
        return Trace(
            question=ctx.question, rewritten=ctx.standalone,
            filters={k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(ctx.filters).items() if v is not None},
            legs=retrieved.legs if retrieved else {}, fused=retrieved.fused if retrieved else [],
            widened=retrieved.widened if retrieved else [], notes=list(ctx.notes), rewritten_by=ctx.rewritten_by,
        )

    def _refuse(self, ctx: _Context, leads: Retrieved | None, notes: list[str]) -> Answer:
        """The constant refusal phrase, the reason, and the closest documents as leads; the LLM is never called."""
        ctx.notes.extend(notes)
        found: dict[str, Lead] = {}
        for p in leads.passages if leads else ():
            if p.doc_id not in found and len(found) < 3:
                found[p.doc_id] = Lead(p.doc_id, p.doc_title, p.doc_number, p.chunk_id, p.path)
        lines = [REFUSAL, *notes]
        if found:
            lines.append(LEADS_PREFIX + "；".join(f"《{d.doc_title}》{d.doc_number}" for d in found.values()))
        answer = self._answer(ctx, "\n".join(lines), (), (), mode=self.mode, refused=True)
        return replace(answer, passages=tuple(leads.passages) if leads else (), trace=self._trace(ctx, leads),
                       leads=tuple(found.values()))


@lru_cache(maxsize=2)
def load_pipeline(mode: str = "auto") -> Pipeline:
    """The default pipeline for the current settings, loaded once per process.

    mode: "offline" (extractive), "llm" (needs RAG_LLM_BASE_URL), or "auto" (llm when a server is configured)."""
    from ingest.settings import Settings

    if mode not in ("auto", "offline", "llm"):
        raise ValueError(f"mode must be auto, offline or llm, got {mode!r}")
    from rag.rerank import make_reranker

    settings = Settings()
    llm = None
    if mode == "llm" or (mode == "auto" and settings.llm_base_url):
        llm = LLMClient.from_settings(settings)
    index = load_index(settings)
    reranker = make_reranker(settings.reranker_model)
    retriever = HybridRetriever(index, RetrievalConfig(rerank_depth=settings.reranker_depth), reranker=reranker)
    return Pipeline(index, retriever=retriever, llm=llm)


__all__ = ["FALLBACK_NOTICE", "Gate", "Pipeline", "RetrievalConfig", "load_pipeline"]
