"""The gold set: JSON Lines items, validated on load, and checked against the bundled corpus.

One item per line; unknown fields are ignored. Fields:

- id (str, unique across all files loaded together)
- question (str); question_en (str, optional): the same question in English
- kind: one of KINDS
- answer (str): the reference answer, for people reading the report
- key_facts (list of str): short strings the answer must contain (after normalisation); may be empty only for
  unanswerable items
- evidence (str): a verbatim quote of the clause that answers; empty for unanswerable items
- extra_evidence (list of {"quote": str}, optional): further quotes a complete answer needs
- doc_number (str): the document's 文号, several joined by `；` (may be empty, e.g. 大事记 entries)
- locator (str): where in the document (第十二条（一）, 二、（三）2.), for people
- history (list of str, optional): earlier user questions of the same chat, asked first, in order
- tags (list of str, optional): what kind of user and question the item stands for, from TAGS (reports give
  per-tag figures, so a class of question — citizen wording, table rows, near-misses — is measured on its own)

Splits: `dev_*.jsonl` tunes (rules and thresholds are chosen on it); `test_*.jsonl` only measures. The test split
was written from the documents before any tuning on it and is frozen: only gold defects are fixed, each named in
its commit.

Loading never drops an item silently: every problem is reported with file:line, field and the fix, and nothing
is returned until the file is clean.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.matching import norm
from textnorm import matching_form

KINDS = ("number", "when", "fact", "procedure", "who", "list", "comparison", "multi-hop", "unanswerable")
UNANSWERABLE = "unanswerable"
DOCNO_SEPARATOR = "；"
TAGS: dict[str, str] = {
    "citizen": "everyday wording that shares few words with the clause",
    "followup": "a follow-up turn (the item has a history)",
    "switch": "a follow-up that switches city, document, year or topic",
    "table": "the answer is one row or cell of a table",
    "long-list": "the answer is a long enumeration (five items or more)",
    "multi-part": "one question asks two or more things",
    "two-doc": "the answer needs two documents",
    "near-miss": "unanswerable, close to something the documents do say",
    "nm-statistic": "near-miss: a statistic, total or price no document states",
    "nm-detail": "near-miss: a detail (contact, website, person) the text never gives",
    "nm-year": "near-miss: a year or period no document on the topic covers",
    "nm-chronicle": "near-miss: a 大事记 day or event that is not recorded",
    "nm-attachment": "near-miss: an attachment listed but not printed",
    "nm-city": "near-miss: the topic exists for another city or county only",
    "nm-other": "near-miss of another class",
    "value-open": "the document addresses the subject but sets no fixed value; the answer says so",
    "chronicle": "about a 大事记 entry",
}
"""Tag vocabulary of gold items (tag → what it marks)."""


@dataclass(frozen=True)
class GoldItem:
    """One validated gold item; `source` is "file:line" for messages and reports."""

    id: str
    question: str
    kind: str
    answer: str
    key_facts: tuple[str, ...]
    evidence: str
    extra_evidence: tuple[str, ...]
    doc_number: str
    locator: str
    source: str
    question_en: str | None = None
    history: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return self.kind != UNANSWERABLE

    @property
    def quotes(self) -> tuple[str, ...]:
        """Every evidence quote: the main one first, then the extra ones."""
        return ((self.evidence,) if self.evidence else ()) + self.extra_evidence

    @property
    def doc_numbers(self) -> tuple[str, ...]:
        """The item's 文号, split on `；` (also tolerates an ASCII `;`)."""
        parts = self.doc_number.replace(";", DOCNO_SEPARATOR).split(DOCNO_SEPARATOR)
        return tuple(p.strip() for p in parts if p.strip())


@dataclass(frozen=True)
class GoldProblem:
    """One validation problem: where, which field, what is wrong and how to fix it."""

    file: str
    line: int
    field: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: field {self.field!r}: {self.problem} — {self.fix}"


class GoldError(ValueError):
    """A gold file that cannot be used as it is; lists every problem found (file:line, field, fix)."""

    def __init__(self, problems: Sequence[GoldProblem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the gold file(s):\n{lines}")


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _validate(obj: Any, file: str, line: int) -> tuple[GoldItem | None, list[GoldProblem]]:
    problems: list[GoldProblem] = []

    def bad(field: str, problem: str, fix: str) -> None:
        problems.append(GoldProblem(file, line, field, problem, fix))

    if not isinstance(obj, dict):
        bad("(line)", f"expected a JSON object, got {type(obj).__name__}", "write one {…} object per line")
        return None, problems
    for name in ("id", "question", "answer"):
        value = obj.get(name)
        if not isinstance(value, str) or not value.strip():
            bad(name, "missing or empty" if value in (None, "") else f"must be a string, got {value!r}",
                f"give a non-empty string {name!r}")
    kind = obj.get("kind")
    if kind not in KINDS:
        bad("kind", f"unknown kind {kind!r}", f"use one of: {', '.join(KINDS)}")
    answerable = kind != UNANSWERABLE
    key_facts: Any = obj.get("key_facts")
    if not _is_str_list(key_facts) or any(not k.strip() for k in key_facts):
        bad("key_facts", f"must be a list of non-empty strings, got {key_facts!r}", 'write e.g. "key_facts": ["18元/平方米"]')
        key_facts = []
    elif answerable and kind in KINDS and not key_facts:
        bad("key_facts", "empty for an answerable item", "list the facts the answer must contain (empty only for unanswerable)")
    evidence = obj.get("evidence")
    if not isinstance(evidence, str):
        bad("evidence", f"must be a string, got {evidence!r}", 'give the verbatim quote ("" for unanswerable items)')
        evidence = ""
    elif answerable and kind in KINDS and not evidence.strip():
        bad("evidence", "empty for an answerable item", "quote the clause that answers, verbatim from the gazette")
    elif not answerable and evidence.strip():
        bad("evidence", "an unanswerable item has evidence", 'set "evidence": "" or change the kind')
    extra_raw = obj.get("extra_evidence", [])
    extra: list[str] = []
    if extra_raw is None:
        extra_raw = []
    if not isinstance(extra_raw, list):
        bad("extra_evidence", f"must be a list, got {extra_raw!r}", 'write [{"quote": "…"}, …]')
    else:
        for i, entry in enumerate(extra_raw):
            quote = entry.get("quote") if isinstance(entry, dict) else None
            if not isinstance(quote, str) or not quote.strip():
                bad(f"extra_evidence[{i}]", f"expected {{\"quote\": non-empty string}}, got {entry!r}", 'write {"quote": "…"}')
            else:
                extra.append(quote)
    for name in ("doc_number", "locator"):
        value = obj.get(name)
        if not isinstance(value, str):
            bad(name, "missing" if value is None else f"must be a string, got {value!r}", f'give {name!r} as a string ("" when none)')
    question_en = obj.get("question_en")
    if question_en is not None and (not isinstance(question_en, str) or not question_en.strip()):
        bad("question_en", f"must be a non-empty string when present, got {question_en!r}", "give the English question or leave the field out")
    history: Any = obj.get("history", [])
    if history is None:
        history = []
    if not _is_str_list(history) or any(not h.strip() for h in history):
        bad("history", f"must be a list of non-empty strings, got {history!r}", "list the earlier user questions, first asked first")
        history = []
    tags: Any = obj.get("tags", [])
    if tags is None:
        tags = []
    if not _is_str_list(tags):
        bad("tags", f"must be a list of strings, got {tags!r}", 'write e.g. "tags": ["citizen", "table"]')
        tags = []
    else:
        unknown = [t for t in tags if t not in TAGS]
        if unknown:
            bad("tags", f"unknown tag(s) {unknown!r}", f"use tags from: {', '.join(TAGS)}")
    if problems:
        return None, problems
    item = GoldItem(
        id=obj["id"].strip(), question=obj["question"], kind=str(kind), answer=obj["answer"], key_facts=tuple(key_facts),
        evidence=evidence, extra_evidence=tuple(extra), doc_number=obj["doc_number"], locator=obj["locator"],
        source=f"{file}:{line}", question_en=question_en, history=tuple(history),
        tags=tuple(dict.fromkeys(tags)),
    )
    return item, []


def parse_gold(text: str, file: str) -> tuple[list[GoldItem], list[GoldProblem]]:
    """Items and problems of one file's text (blank lines are not items; every other line must be a valid item)."""
    items: list[GoldItem] = []
    problems: list[GoldProblem] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as err:
            problems.append(GoldProblem(file, lineno, "(line)", f"not valid JSON ({err.msg} at column {err.colno})",
                                        "write one complete JSON object per line"))
            continue
        item, found = _validate(obj, file, lineno)
        problems.extend(found)
        if item is not None:
            items.append(item)
    return items, problems


def load_gold(paths: Iterable[Path | str]) -> list[GoldItem]:
    """Load and validate gold files in order; raise GoldError listing every problem (duplicate ids included)."""
    files = [Path(p) for p in paths]
    items: list[GoldItem] = []
    problems: list[GoldProblem] = []
    for path in files:
        if not path.is_file():
            problems.append(GoldProblem(str(path), 0, "(file)", "no such file", "check the --gold path"))
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            problems.append(GoldProblem(str(path), 0, "(file)", "not UTF-8", "save the file as UTF-8"))
            continue
        found_items, found = parse_gold(text, str(path))
        items.extend(found_items)
        problems.extend(found)
    seen: dict[str, str] = {}
    for item in items:
        if item.id in seen:
            file, _, line = item.source.rpartition(":")
            problems.append(GoldProblem(file, int(line), "id", f"duplicate id {item.id!r} (first at {seen[item.id]})", "give every item its own id"))
        else:
            seen[item.id] = item.source
    if problems:
        raise GoldError(problems)
    if not items:
        raise GoldError([GoldProblem(", ".join(map(str, files)), 0, "(file)", "no items", "add at least one item")])
    return items


@dataclass(frozen=True)
class QuoteFailure:
    """A gold quote that is not in the corpus: which item, which quote ("evidence" or "extra_evidence[i]")."""

    item_id: str
    source: str
    which: str
    quote: str

    def __str__(self) -> str:
        return f"{self.item_id} ({self.source}): {self.which} not found in the corpus: {self.quote}"


def corpus_texts(corpus_dir: Path) -> dict[str, str]:
    """The matching form of every raw corpus file (what the gold authors verified quotes against) and of its
    repaired text (what the index holds and answers cite: a quote of a repaired heading, 沁水段（180.6公里）, is in
    no raw file, which prints it doubled, （（四四））沁水段沁水段…, and such a raw-only quote matches no passage)."""
    from ingest.reader import read_gazette
    from ingest.repair import repair_text

    files = sorted(corpus_dir.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no .txt files in {corpus_dir}: set RAG_DATA_DIR to the gazette folder")
    texts = {f.name: read_gazette(f) for f in files}
    return {**{name: matching_form(raw) for name, raw in texts.items()},
            **{f"{name} (repaired)": matching_form("\n".join(p.text for p in repair_text(raw))) for name, raw in texts.items()}}


def check_quotes(items: Iterable[GoldItem], corpus: dict[str, str]) -> list[QuoteFailure]:
    """Every evidence and extra_evidence quote that is not a substring of some normalised corpus file."""
    failures: list[QuoteFailure] = []
    for item in items:
        labelled = ([("evidence", item.evidence)] if item.evidence else []) + [
            (f"extra_evidence[{i}]", q) for i, q in enumerate(item.extra_evidence)
        ]
        for which, quote in labelled:
            q = norm(quote)
            if not any(q in text for text in corpus.values()):
                failures.append(QuoteFailure(item.id, item.source, which, quote))
    return failures
