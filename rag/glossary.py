"""English → Chinese keywords for the keyword leg: the documents are Chinese, so an English question shares no word
with them. `Glossary` reads the reviewed data file `rag/glossary_en_zh.tsv` (the corpus's government vocabulary,
its cities, counties and departments; every Chinese term occurs in the bundled corpus — its test checks that) and
turns an English question into the Chinese terms of the phrases it uses, longest phrase first."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY_FILE = Path(__file__).with_name("glossary_en_zh.tsv")
_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_DAY_MONTH = re.compile(rf"\b{_DAY}(?:\s*[-–—]\s*{_DAY})?\s+(?:of\s+)?{_MONTH}\b|\b{_MONTH}\s+{_DAY}\b", re.I)
_YEAR_EN = re.compile(r"(?<![\d.,])((?:19|20)\d{2})(?![\d.,]\d)")


def _singular(word: str) -> str:
    """A plural's singular by the regular English rules (subsidies → subsidy, fees → fee, boxes → box)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    """The singular words of `text`; a hyphen separates words as a space does (cold-wave, level-IV, land-transfer
    fee match the glossary's cold wave, level iv, land transfer fee)."""
    return [_singular(w) for w in _WORD.findall(text.lower().replace("’", "'").replace("-", " "))]


@dataclass(frozen=True)
class Glossary:
    """English phrase (as singular words) → its Chinese terms, and the longest phrase in words."""

    terms: dict[tuple[str, ...], tuple[str, ...]]
    longest: int

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> Glossary:
        terms: dict[tuple[str, ...], list[str]] = {}
        for english, chinese in pairs:
            key = tuple(_words(english))
            if key and chinese not in terms.setdefault(key, []):
                terms[key].append(chinese)
        return cls({k: tuple(v) for k, v in terms.items()}, max((len(k) for k in terms), default=0))

    @classmethod
    def load(cls, path: Path = GLOSSARY_FILE) -> Glossary:
        """Read `english<TAB>chinese` lines (`#` comments and blank lines skipped); a malformed line is an error
        naming the file and line."""
        pairs = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 2 or not all(f.strip() for f in fields):
                raise ValueError(f"{path}:{number}: expected 'english<TAB>chinese', got {line!r}")
            pairs.append((fields[0].strip(), fields[1].strip()))
        return cls.of(pairs)

    def matches(self, question: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """(phrase, its Chinese terms) for the question's phrases, in order: at each word the longest phrase the
        glossary knows is taken, and matching goes on after it (housing expropriation → 房屋征收, not 房屋 and
        征收)."""
        words = _words(question)
        found: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        i = 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                phrase = tuple(words[i:i + n])
                if phrase in self.terms:
                    found.append((phrase, self.terms[phrase]))
                    i += n
                    break
            else:
                i += 1
        return found

    def keywords(self, question: str) -> list[str]:
        """The Chinese terms of the question's phrases, in the question's order, each once."""
        return list(dict.fromkeys(t for _, terms in self.matches(question) for t in terms))

    def in_corpus_term(self, question: str, word: str) -> bool:
        """Whether the question uses `word` inside a phrase of two or more words that the glossary knows (heavy
        pollution weather → 重污染天气): a term of the corpus, as `_within_corpus_term` decides for Chinese."""
        return any(len(phrase) >= 2 and _singular(word.lower()) in phrase for phrase, _ in self.matches(question))


def _month(name: str) -> int:
    return next(n for n, month in enumerate(_MONTHS, start=1) if month.startswith(name.lower().rstrip(".")[:3]))


def calendar_terms(question: str) -> list[str]:
    """The years and days an English question names, written as the documents write them: 2021 → 2021年,
    22 March / March 22 / 20–21 July → 3月22日, 7月20日 (a chronicle's entries and a plan's years are found by them)."""
    terms = [f"{y}年" for y in _YEAR_EN.findall(question)]
    for m in _DAY_MONTH.finditer(question):
        first, second, month, month_first, day_after = m.groups()
        if month_first:
            terms.append(f"{_month(month_first)}月{int(day_after)}日")
        else:
            terms += [f"{_month(month)}月{int(d)}日" for d in (first, second) if d]
    return list(dict.fromkeys(terms))


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    """The bundled glossary, read once per process."""
    return Glossary.load()
