"""The answer policy's records: its configuration, the one frozen input the rules judge, their typed decisions.

Retrieval happens before the policy; the policy only reads what retrieval found (`PolicyInput`). The rules
themselves, their order and `decide` are in `rag.rules`. A rule can be switched off by name (`RAG_RULES_OFF`), and
its thresholds live in the settings object (`RAG_GATE_*`), which the policy fingerprint on every `Answer` covers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Protocol

from rag.places import Places
from rag.query import QueryFacts
from rag.records import Passage, Reason
from rag.retrieve import Retrieved, keyword_coverage
from settings import Settings

POLICY_VERSION = "40"
"""Bump when a rule's logic changes (thresholds are covered by the fingerprint on their own). 2: values left open.
3: frequencies answer 多久, shares answer amounts, unset values (一定的奖励) are left open; a city the top clauses
speak of is not a city outside the corpus; the cross-lingual similarity judges English questions; who/where/which
website/which company asked by naming; an occurrence named by two numbers (第七届…第五次) needs both. 5: the quantity
kind, a value bound to the subject in the lead section too, values left open by reference, attachments quoted as form
names, row_not_printed, a row counting for its named table only. 6: the dense and cross-lingual relevance signals
are the leg's best score, not the best among the top passages (`best_score`). 7: term_not_stated. 16: wrong_city
judges a question in another language by the cross-lingual similarity (`wrong_city_margin_cross`). 17: value_not_stated
judges a multi-part question part by part (`rules.part_inputs`). 18: wrong_city judges a follow-up asking by its own words by
those words (`rules._own_words`). 19: a question asking what is now or in all is not answered by a target
(`actual_not_target`); an ordinal (第一批) or 一批 is not a count, and 第几 asks an ordinal; a follow-up asking by its own
words binds its value to its own subject. 20: an English question asks what is now or in all in English words too
(`ACTUAL_ASK_EN`). 21: nor by a change (`actual_not_change`: 新建82座…, unless it asks the change); a part of a
multi-part question naming a place of its own keeps only the shared context (`rag.decompose`). 22: an English
question's value is looked for in the lower clauses at least as close to it in the cross-lingual space as the top
ones, not in every lower clause (word coverage, which picks them for a Chinese question, is 0 for all). 23: an
English question's city outside the corpus (Beijing) is looked for in the top clauses by its Chinese name
(`city_not_in_corpus`: a trip to 北京 is a place in them, in English as in Chinese). 24: a question asking what a form
looks like or says (栏目, 原文, 样本, 模版; fields, template) is judged by `table_not_printed` (`rules.asks_form`). 25: an
English question's numbered occurrences (the 73rd executive meeting: `query.ORDINAL_EN`) reach `ordinal_not_covered`,
refused when a neighbouring occurrence was retrieved and the asked one was not; a term and session written without 第
(七届四次全会) speak of them. 26: an English question reads a table named by its owner (in Jincheng's … catalogue), a
flowchart or a chart attached, and only a table or attachment among its closest clauses prints it (`table_not_printed`).
27: an English question's destination (a delegation to Beijing) is a place visited, not a city outside the corpus.
28: what names a person, a place or a body: a name jieba tags reads as one (`query.SURNAMES`: 高新区 is none), a
文号's 156号 is no house number, 城乡/农村 no place, 委员会 no role; where an office is housed asks for a body (`body`);
哪些人 asks kinds of people unless it asks who they are. 29: an attachment that prints only its title (a figure's:
`LoadedIndex.title_only`) does not print the table or figure a question reads (`table_not_printed`). 30: an English
count asks in the unit it names (how many mu, households, cases: `query.count_unit_en`), as 多少亩 does. 31: a place
is also where a sentence says an event took place (在丹河收费站正式启动: `query._EVENT_PLACE`). 32: set_not_listed;
a floor or a ceiling does not answer what is now (`rules.NORM`). 33: a list, table or form the answering document
attaches and the gazette did not print (`LoadedIndex.unprinted_attachments`) is refused (`unprinted_attachment`); a
role before 同志 (一位领导同志) names no one (`query._comrade`); 为 and 即 introduce a set's members only before the
next comma (`rules._LIST_AFTER`). 34: who holds a post (主任是谁, 路长是谁) asks for a person's name (`post_holder`),
who fills it (由谁担任) does not (a post answers it); a count that describes what is named after it (几位副主任分别是谁)
asks the names (`named_after_count`); a role's name starts with a surname, so a count or a post after a role (主任一人, 分管领导任组长) names no one (`role_count`). 35: which
ones asked by the size again (是哪5个地方) asks a set's members (`members_by_size`); 处 counts a set (26处游园); 即
right after the comma that follows a set's size introduces its members (六个版块,即…). 36: an English question's year
names an edition only through a noun phrase, which no auxiliary verb is in (`query._EDITION_EN`, `edition_noun_phrase`:
what 2025 targets does the … plan set asks no 2025 plan). 37: an English question asks the kind of value it asks
first (`query.first_ask_en`: how many hours …, and how much in … asks hours), and by how much asks a quantity in any
unit, not money. 38: each part of a multi-part question binds its value to a subject of its own words, not of the
clauses before it (`rules.part_inputs`: turn = the part's text); a follow-up naming another document and asking its
own thing stands alone (`followup.own_document_stands`)."""


class Outcome(StrEnum):
    REFUSE = "refuse"  # the constant refusal phrase, the reason, leads
    ANSWER_PARTIAL = "answer_partial"  # answered with a notice of what the documents do not state (`Decision.note`)


@dataclass(frozen=True)
class Decision:
    """What one rule decided: the outcome, the rule's name, the typed reason and the sentence shown to the user.
    `leads`: where a refusal's closest documents come from: "retrieved", "wider" (the retrieval without the city
    filter: another city's documents answer) or "none" (the hits are not about the question's place or topic).
    `lead`: for a partial answer, the clause it leads with; for a refusal, the retrieved clause about the question's
    subject that does not hold what is asked (it names the subject but states no value, it counts a set but lists
    none), quoted after the refusal as what the documents do say."""

    outcome: Outcome
    rule: str
    reason: Reason
    note: str = ""
    leads: str = "retrieved"
    lead: str | None = None


class IndexFacts(Protocol):
    """What the rules read from the index: bigram IDF weights, the corpus's clause lines, its places, each
    document's printed table-row numbers and the documents that state no term (`LoadedIndex.unstated_terms`)."""

    @property
    def bigram_idf(self) -> dict[str, float]: ...

    @property
    def clause_lines(self) -> tuple[str, list[str]]: ...

    @property
    def places(self) -> Places: ...

    @property
    def row_numbers(self) -> dict[str, frozenset[int]]: ...

    @property
    def unstated_terms(self) -> dict[str, str]: ...

    @property
    def captions(self) -> frozenset[str]: ...

    @property
    def title_only(self) -> frozenset[str]: ...

    @property
    def unprinted_attachments(self) -> dict[str, tuple[tuple[int, str], ...]]: ...

    @property
    def ordinal_heads(self) -> frozenset[str]: ...


def _default(name: str) -> Any:
    """A threshold's default: the one the settings object declares (`gate_<name>`), so there is one place for it."""
    return Settings.model_fields[f"gate_{name}"].default


@dataclass(frozen=True)
class PolicyConfig:
    """Thresholds of the rules (from `Settings`, `RAG_GATE_*`) and the rules switched off (`RAG_RULES_OFF`)."""

    min_coverage: float = _default("min_coverage")
    min_dense: float = _default("min_dense")
    min_dense_cross_lingual: float = _default("min_dense_cross_lingual")
    min_cross: float = _default("min_cross")
    min_cross_topic: float = _default("min_cross_topic")
    top: int = _default("top")
    wrong_city_margin: float = _default("wrong_city_margin")
    wrong_city_margin_cross: float = _default("wrong_city_margin_cross")
    strong_coverage: float = _default("strong_coverage")
    min_subject_chars: int = _default("min_subject_chars")
    subject_share: float = _default("subject_share")
    min_title_chars: int = _default("min_title_chars")
    max_titles: int = _default("max_titles")
    ordinal_neighbour: int = _default("ordinal_neighbour")
    rules_off: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        from rag.rules import RULE_NAMES  # the rules import these records

        unknown = sorted(self.rules_off - set(RULE_NAMES))
        if unknown:
            raise ValueError(f"RAG_RULES_OFF names unknown rule(s) {unknown}: choose from {', '.join(RULE_NAMES)}")

    @classmethod
    def from_settings(cls, settings: Settings) -> PolicyConfig:
        """The policy configuration of a `Settings` object (fields `gate_*` and `rules_off`)."""
        values = {name: getattr(settings, f"gate_{name}") for name in cls.__dataclass_fields__ if name != "rules_off"}
        off = frozenset(r.strip() for r in (settings.rules_off or "").split(",") if r.strip())
        return cls(**values, rules_off=off)

    def fingerprint(self) -> str:
        """A short hash of the policy version, every threshold and the rules switched off."""
        shape = {**asdict(self), "rules_off": sorted(self.rules_off), "version": POLICY_VERSION}
        return hashlib.md5(json.dumps(shape, sort_keys=True).encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class Signals:
    """Measured relevance of what was retrieved: the best IDF-weighted keyword coverage and the best dense
    similarity of the top passages, whether the question names an indexed document, whether it is in another
    language, and for such a question the best similarity in the cross-lingual space (`cross`; None when the
    index has none). In the trace, and read by the threshold calibration (`python -m evals calibrate`)."""

    coverage: float
    dense: float
    named: bool
    cross_lingual: bool
    passages: int
    cross: float | None = None

    def as_dict(self) -> dict[str, float]:
        out = {"coverage": round(self.coverage, 4), "dense": round(self.dense, 4), "named": float(self.named),
               "cross_lingual": float(self.cross_lingual), "passages": float(self.passages)}
        return out if self.cross is None else {**out, "cross": round(self.cross, 4)}


def irrelevant(s: Signals, min_coverage: float, min_dense: float, min_dense_cross_lingual: float,
               min_cross: float = _default("min_cross")) -> bool:
    """The `not_relevant` test on measured signals, for any thresholds (the rule and the calibration share it). A
    question in another language shares no characters with the documents: the cross-lingual space's similarity
    judges it (`min_cross`), or, in an index without one, e5's (`min_dense_cross_lingual`)."""
    if s.named and s.passages:
        return False
    if not s.passages:
        return True
    if s.cross_lingual:
        return s.cross < min_cross if s.cross is not None else s.dense < min_dense_cross_lingual
    return s.coverage < min_coverage and s.dense < min_dense


@dataclass(frozen=True)
class PolicyInput:
    """Everything the rules judge, computed before them: the question as retrieval used it, its wording without
    place names (`wording`: a city is a filter, not evidence of relevance), what it names (`facts`), what was
    retrieved, its measured relevance (`signals`) and — when the question's city was weakly answered — the
    retrieval without the city filter (`wider`)."""

    question: str
    wording: str
    facts: QueryFacts
    retrieved: Retrieved
    index: IndexFacts
    signals: Signals
    wider: Retrieved | None = None
    turn: str | None = None  # a follow-up as the user asked it, when `question` is its rewrite with the history

    @classmethod
    def measure(cls, question: str, facts: QueryFacts, retrieved: Retrieved, index: IndexFacts, top: int,
                turn: str | None = None) -> PolicyInput:
        wording = index.places.strip(question)
        coverage, dense = relevance(wording, retrieved, index.bigram_idf, top) if retrieved.passages else (0.0, 0.0)
        cross = best_score(retrieved, "cross") if facts.cross_lingual and "cross" in retrieved.legs else None
        signals = Signals(coverage, dense, bool(retrieved.doc_numbers), facts.cross_lingual, len(retrieved.passages), cross)
        return cls(question, wording, facts, retrieved, index, signals, turn=turn)


# --- signals the rules share -------------------------------------------------------------------------------------

def context(p: Passage) -> str:
    return " ".join([p.doc_title, *p.headings, p.readable])


def relevance(question: str, retrieved: Retrieved, idf: dict[str, float], top: int) -> tuple[float, float]:
    """(best IDF-weighted keyword coverage over the top directly retrieved passages — the sides of a comparison
    judged together, each answers part of the question — and the best dense similarity of any retrieved clause)."""
    coverage = max((keyword_coverage(question, context(p), idf) for p in retrieved.direct(top)), default=0.0)
    if len(retrieved.facet_leads) >= 2:
        sides = " ".join(context(p) for p in retrieved.passages if p.chunk_id in retrieved.facet_leads)
        coverage = max(coverage, keyword_coverage(question, sides, idf))
    return coverage, best_score(retrieved, "dense")


def best_score(retrieved: Retrieved, leg: str) -> float:
    """The best score one leg gave any clause: how close the nearest clause is in its space, whatever order the
    passages were ranked in (a learned ranker may lead with clauses that leg did not rank). It was the best over the
    top three passages; under the fused order the two were equal for the dense leg on every dev and test question,
    and for the cross-lingual leg of English dev questions the change took refusal 49 → 48 of 125, false refusal
    12 → 9 of 251."""
    return max((score for _, score in retrieved.legs.get(leg, [])), default=0.0)
