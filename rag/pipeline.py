"""Question → (follow-up rewrite) → filters → hybrid retrieval → answer policy (`rag.policy`) → cited answer.

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
from functools import lru_cache, partial
from typing import Any

from rag.compose import Composition, book_title, compose
from rag.followup import llm_rewrite, rewrite
from rag.index import LoadedIndex, load_index
from rag.llm import LLMClient, build_messages, parse_reply
from rag.policy import Decision, Outcome, PolicyConfig, PolicyInput
from rag.query import QueryFacts, analyse, is_cross_lingual
from rag.records import CLOSEST_HEADING, LEADS_PREFIX, REASON_LABELS_EN, REFUSAL, REFUSAL_EN, Answer, Filters, Lead, Reason, Trace
from rag.retrieve import HybridRetriever, RetrievalConfig, Retrieved, named_documents
from rag.rules import Verdict, decide, says_how_set, states_value, value_clause, wants_wider

log = logging.getLogger(__name__)
FALLBACK_NOTICE = "大模型服务暂时不可用，以下为文件原文摘录。"
DECLINED_NOTICE = "大模型未能依据检索到的条款作答，以下为最相关条款的原文摘录，请核对。"
VALUE_SHOWN_NOTE = "首条命中的条款未写明所问数值，答案以写明该数值的条款开头"
CHINESE_SOURCES_NOTICE = "The documents are in Chinese; the clauses below are quoted verbatim. 文件为中文，以下为原文摘录。"
# lone surrogates (a JSON "\ud800", argv bytes that are not UTF-8) and control characters cannot be encoded or
# shown; they carry no meaning in a question
_UNUSABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """The question as the pipeline uses it: without lone surrogates and control characters, stripped."""
    return _UNUSABLE.sub("", text).strip()


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
    verdict: Verdict | None = None
    signals: dict[str, float] = field(default_factory=dict)
    lead: str | None = None  # the clause the answer leads with, when not the first hit
    reason: Reason | None = None  # why an answer is not a plain answer (VALUE_LEFT_OPEN)
    notices: tuple[str, ...] = ()  # said before the answer
    value_clause: str | None = None  # the clause stating the asked value that let the question through


class Pipeline:
    name = "ours"

    def __init__(self, index: LoadedIndex, retriever: HybridRetriever | None = None, policy: PolicyConfig | None = None,
                 today: Callable[[], date] = date.today, llm: LLMClient | None = None) -> None:
        self.index = index
        self.retriever = retriever or HybridRetriever(index)
        self.policy = policy or PolicyConfig()
        self.policy_fingerprint = self.policy.fingerprint()
        self.today = today
        self.llm = llm
        self.mode = "llm" if llm else "offline"

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

    def standalone(self, question: str, history: Sequence[str] = (), filters: Filters | None = None) -> tuple[str, Filters]:
        """The question as retrieval ranks it (a follow-up rewritten with its history) and the filters it implies
        (a city it names)."""
        ctx = self._prepare(question, history, filters)
        return ctx.standalone, ctx.filters

    def _prepare(self, question: str, history: Sequence[str], filters: Filters | None) -> _Context:
        started = time.perf_counter()
        question = clean_text(question)
        history = [h for h in map(clean_text, history) if h]
        how = "none"
        if not question:
            standalone = ""
        elif self.llm is not None and history:
            standalone, how = llm_rewrite(question, history, self.llm.chat, self.index.places,
                                          partial(named_documents, self.index))
        else:
            standalone = rewrite(question, history, self.index.places, partial(named_documents, self.index))
            how = "offline" if history else "none"
        facts = analyse(standalone, self.index.places, turn=question if history else None)
        ctx = _Context(question, standalone, facts, filters or Filters(), started, how)
        if facts.city and not ctx.filters.city:
            ctx.filters = replace(ctx.filters, city=facts.city)
            ctx.notes.append(f"问题提到{facts.city}，只检索{facts.city}的文件")
        return ctx

    def _retrieve(self, ctx: _Context) -> PolicyInput:
        """Retrieval, before any rule: the question's own ranking and, when the question names a city its documents
        answer only weakly, the ranking without the city filter (what `wrong_city` compares)."""
        ctx.retrieved = self.retriever.retrieve(ctx.standalone, ctx.filters)
        turn = ctx.question if ctx.standalone != ctx.question.strip() else None
        inp = PolicyInput.measure(ctx.standalone, ctx.facts, ctx.retrieved, self.index, self.policy.top, turn)
        ctx.signals = inp.signals.as_dict()
        if ctx.facts.city == ctx.filters.city and wants_wider(inp, self.policy):
            inp = replace(inp, wider=self.retriever.retrieve(ctx.standalone, replace(ctx.filters, city=None)))
        ctx.retrieved_at = time.perf_counter()
        return inp

    def _gate(self, ctx: _Context) -> Answer | None:
        """A refusal Answer, or None when the policy lets the retrieved passages answer (ctx.retrieved is set)."""
        if not ctx.question:
            empty = Decision(Outcome.REFUSE, "empty_question", Reason.EMPTY_QUESTION, "问题为空", "none")
            ctx.verdict = Verdict(empty, (empty,))
            return self._refuse(ctx, None, empty)
        inp = self._retrieve(ctx)
        ctx.verdict = decide(inp, self.policy)
        decision = ctx.verdict.decision
        if decision is None:
            held = value_clause(inp, self.policy)
            ctx.value_clause = held.chunk_id if held is not None else None
            return None
        if decision.outcome is Outcome.ANSWER_PARTIAL:  # answered, leading with its clause, saying what is not stated
            ctx.lead, ctx.reason, ctx.notices = decision.lead, decision.reason, (decision.note,)
            return None
        leads = {"retrieved": inp.retrieved, "wider": inp.wider, "none": None}[decision.leads]
        return self._refuse(ctx, leads, decision)

    def _offline(self, ctx: _Context, notices: tuple[str, ...] = ()) -> Answer:
        assert ctx.retrieved is not None
        composition = self._compose(ctx, ctx.lead)
        if ctx.lead is None and ctx.value_clause is not None and not self._shows_value(ctx, composition):
            composition = self._compose(ctx, ctx.value_clause)  # `value_shown`: lead with the clause stating it
            ctx.notes.append(VALUE_SHOWN_NOTE)
        if is_cross_lingual(ctx.question):  # an English question gets Chinese clauses: say so before quoting them
            notices = (CHINESE_SOURCES_NOTICE, *notices)
        notices = notices + ctx.notices
        text = "\n".join([*notices, composition.text]) if notices else composition.text
        return self._answer(ctx, text, composition.citations, notices + composition.notices, mode="offline")

    def _compose(self, ctx: _Context, lead: str | None) -> Composition:
        """The offline answer. A question in another language is read by the Chinese terms its keyword leg searches
        (`english_reading`: the glossary's terms, the years and days it names) when the answer picks its supporting
        clauses and a long clause's sentences by the words they share with the question — its own words share none."""
        assert ctx.retrieved is not None
        return compose(self._reading(ctx), ctx.retrieved.passages, ctx.retrieved.groups, self.today(), ctx.facts.step,
                       ctx.retrieved.facet_leads, self.index.places, lead, ctx.retrieved.parts, ctx.retrieved.cited_rows)

    def _reading(self, ctx: _Context) -> str:
        """The words an offline answer picks its clauses and sentences by: the question, or for one not in Chinese the
        Chinese terms its keyword leg searches (`english_reading`)."""
        if is_cross_lingual(ctx.standalone):
            return self.retriever.keyword_query(ctx.standalone) or ctx.standalone
        return ctx.standalone

    def _shows_value(self, ctx: _Context, composition: Composition) -> bool:
        """Whether the answer as composed answers the asked value (`value_shown`): it quotes the clause the value rule
        found stating it, another quote states a value of the asked kind, or the clause it leads with says how the
        value is set (`rules.says_how_set`: 装饰装修…协商确定 answers; a figure lower down is another thing's). Only the
        lead: the clauses after it say how many other things are done (按照…的原则…执行, 由…负责制定)."""
        if any(c.chunk_id == ctx.value_clause for c in composition.citations):
            return True
        quotes = [c.quote for c in composition.citations]
        return states_value(ctx.facts, "\n".join(quotes)) or (bool(quotes) and says_how_set(quotes[0]))

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
            answer = replace(self._offline(ctx, notices=(notice,)), reason=Reason.LLM_UNAVAILABLE)
            yield ("\n\n" if pieces else "") + answer.text
            yield answer
            return
        parsed = parse_reply("".join(pieces), passages, self.today())
        if parsed.refused or not parsed.citations:
            # the policy found clauses to answer from, but the model declined or cited none of them: show the
            # clauses (the offline extract) with a notice instead of a bare refusal
            answer = self._offline(ctx, notices=(DECLINED_NOTICE,))
            answer = replace(answer, mode="llm", reason=Reason.MODEL_DECLINED, invalid_citations=parsed.invalid_citations)
            yield "\n\n" + answer.text
            yield answer
            return
        notices = tuple(dict.fromkeys(f"注意：{book_title(c.doc_title)}{c.lapsed_note}。" for c in parsed.citations if c.lapsed_note))
        if notices:
            yield "\n" + "\n".join(notices)
        yield self._answer(ctx, "\n".join([parsed.text, *notices]), parsed.citations, notices, mode="llm",
                           refused=parsed.refused, invalid=parsed.invalid_citations, uncited=parsed.uncited_sentences)

    def _answer(self, ctx: _Context, text: str, citations: tuple[Any, ...], notices: tuple[str, ...], mode: str,
                refused: bool = False, invalid: tuple[str, ...] = (), uncited: tuple[str, ...] = (),
                reason: Reason | None = None) -> Answer:
        finished = time.perf_counter()
        retrieved_at = ctx.retrieved_at or finished
        return Answer(
            question=ctx.question, text=text, citations=citations,
            passages=tuple(ctx.retrieved.passages) if ctx.retrieved else (), refused=refused,
            trace=self._trace(ctx, ctx.retrieved), invalid_citations=invalid, uncited_sentences=uncited,
            notices=notices, mode=mode, reason=reason or ctx.reason, policy_fingerprint=self.policy_fingerprint,
            timings={"retrieve_ms": (retrieved_at - ctx.started) * 1000, "compose_ms": (finished - retrieved_at) * 1000,
                     "total_ms": (finished - ctx.started) * 1000},
        )

    def _trace(self, ctx: _Context, retrieved: Retrieved | None) -> Trace:
        return Trace(
            question=ctx.question, rewritten=ctx.standalone,
            filters={k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(ctx.filters).items() if v is not None},
            legs=retrieved.legs if retrieved else {}, fused=retrieved.fused if retrieved else [],
            widened=retrieved.widened if retrieved else [], notes=list(ctx.notes), rewritten_by=ctx.rewritten_by,
            rules_fired=[d.rule for d in ctx.verdict.fired] if ctx.verdict else [], signals=dict(ctx.signals),
            parts=list(retrieved.parts) if retrieved else [], capped=list(retrieved.capped) if retrieved else [],
        )

    def _closest(self, ctx: _Context, leads: Retrieved | None, decision: Decision) -> Composition | None:
        """The clause a refusal quotes (`Decision.lead`: about the question's subject, without what is asked), as the
        offline answer would show it, cited; None when the rule names none."""
        lead = next((p for p in leads.passages if p.chunk_id == decision.lead), None) if leads and decision.lead else None
        if lead is None:
            return None
        return compose(self._reading(ctx), [lead], [[lead.chunk_id]], self.today(), places=self.index.places)

    def _refuse(self, ctx: _Context, leads: Retrieved | None, decision: Decision) -> Answer:
        """The constant refusal phrase, the reason, the closest documents as leads and, when the rule names one, the
        clause about the question's subject it judged, quoted and cited (what the documents do say); the LLM is never
        called."""
        notes = [decision.note] if decision.note else []
        ctx.notes.extend(notes)
        said = [n if n.endswith(("。", "？", "！", ".")) else f"{n}。" for n in notes]  # the user reads sentences
        found: dict[str, Lead] = {}
        for p in leads.passages if leads else ():
            if p.doc_id not in found and len(found) < 3:
                found[p.doc_id] = Lead(p.doc_id, p.doc_title, p.doc_number, p.chunk_id, p.path)
        lines = [REFUSAL, *said]
        if is_cross_lingual(ctx.question):  # the asker reads English: say so and why in English too, after the phrase
            lines.insert(1, f"{REFUSAL_EN}: {REASON_LABELS_EN[decision.reason]}.")
        if found:
            lines.append(LEADS_PREFIX + "；".join(f"《{d.doc_title}》{d.doc_number}" for d in found.values()))
        quoted = self._closest(ctx, leads, decision)
        if quoted is not None:
            lines.extend([CLOSEST_HEADING, quoted.text])
        citations, notices = (quoted.citations, quoted.notices) if quoted else ((), ())
        answer = self._answer(ctx, "\n".join(lines), citations, notices, mode=self.mode, refused=True, reason=decision.reason)
        return replace(answer, passages=tuple(leads.passages) if leads else (), trace=self._trace(ctx, leads),
                       leads=tuple(found.values()))


@lru_cache(maxsize=2)
def load_pipeline(mode: str = "auto", ranker: bool = True) -> Pipeline:
    """The default pipeline for the current settings, loaded once per process.

    mode: "offline" (extractive), "llm" (needs RAG_LLM_BASE_URL), or "auto" (llm when a server is configured);
    ranker: False leaves out the learned ranker whatever the settings say (what `evals train-ranker` fits on)."""
    from settings import Settings

    if mode not in ("auto", "offline", "llm"):
        raise ValueError(f"mode must be auto, offline or llm, got {mode!r}")
    from rag.ranker import load_ranker
    from rag.rerank import make_reranker

    settings = Settings()
    llm = None
    if mode == "llm" or (mode == "auto" and settings.llm_base_url):
        llm = LLMClient.from_settings(settings)
    index = load_index(settings)
    reranker = make_reranker(settings.reranker_model)
    config = RetrievalConfig(rerank_depth=settings.reranker_depth, max_per_family=settings.max_per_family)
    retriever = HybridRetriever(index, config, reranker=reranker, ranker=load_ranker(settings.ranker_model) if ranker else None)
    return Pipeline(index, retriever=retriever, policy=PolicyConfig.from_settings(settings), llm=llm)


__all__ = ["CHINESE_SOURCES_NOTICE", "DECLINED_NOTICE", "FALLBACK_NOTICE", "Pipeline", "PolicyConfig", "RetrievalConfig", "load_pipeline"]
