"""Near-duplicate families (ingest.families): copies of a document for another city, year or 文号 are one family;
different documents, even the most alike of the real corpus, are not."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ingest.families import families, family_count, mask_docnos, masked_text, shingles, with_families
from ingest.records import Document
from rag.index import LoadedIndex
from textnorm import DOCNO_RE

LAND = "晋市政发〔2021〕3号"  # 关于规范中心城市规划区土地征收储备供应管理的实施意见, in the small index


def _copy(doc: Document, n: int, text: str) -> Document:
    return replace(doc, doc_id=f"{doc.doc_id}#copy{n}", text=text, family=None)


def _as_another_city(text: str) -> str:
    """What a copy for another city, year and 文号 changes: the city, every year, the 文号's issuer and number."""
    text = text.replace("晋市政发〔2021〕3号", "长政发〔2023〕17号").replace("晋城", "长治")
    return re.sub(r"20(\d\d)年", lambda m: f"20{int(m.group(1)) + 2:02d}年", text)


def _without_a_sentence(text: str) -> str:
    sentences = text.split("。")
    dropped = max(sentences[len(sentences) // 2:], key=len)
    assert 20 < len(dropped) < len(text) // 20
    return text.replace(dropped + "。", "", 1)


def _land(small_index: LoadedIndex) -> Document:
    return next(d for d in small_index.documents.values() if d.doc_number == LAND)


def test_masking_removes_what_a_copy_changes_and_keeps_the_words() -> None:
    places = re.compile(r"(?:晋城|泽州)(?:市|县|区)?")
    text = "根据晋市政发〔2021〕3号，晋城市泽州县2021年3月起 施行第十二条。"
    assert masked_text(text, places) == "〓，◇◇0年0月起施行第0条。"
    assert masked_text(_as_another_city(text).replace("长治", "晋城"), places) == masked_text(text, places)


def test_docno_masking_matches_the_shared_docno_pattern_on_every_real_document(small_index: LoadedIndex) -> None:
    texts = [d.text for d in small_index.documents.values()]
    assert sum(len(DOCNO_RE.findall(t)) for t in texts) > 20
    assert all(mask_docnos(t) == DOCNO_RE.sub("〓", t) for t in texts)


def test_every_real_document_is_a_family_of_its_own_at_the_default_threshold(small_index: LoadedIndex) -> None:
    docs = small_index.documents
    assert all(d.family == d.doc_id for d in docs.values())  # written by the ingest, read back from documents.jsonl
    assert family_count(docs.values()) == len(docs) > 30


def test_the_two_most_alike_real_documents_join_only_below_their_similarity(small_index: LoadedIndex) -> None:
    """Two attachment tables of 长政办发〔2020〕33号 and 36号 (Jaccard 0.78): one family at 0.75, apart at 0.9."""
    docs = list(small_index.documents.values())
    loose = families(docs, 0.75)
    joined = {k: v for k, v in loose.items() if k != v}
    assert len(joined) == 1
    (member, first), = joined.items()
    numbers = {small_index.documents[d].parent_doc_number or small_index.documents[d].doc_number for d in (member, first)}
    assert numbers == {"长政办发〔2020〕33号", "长政办发〔2020〕36号"}
    assert families(docs, 0.9)[member] == member


def test_copies_for_other_cities_years_and_docnos_collapse_into_the_original_family(small_index: LoadedIndex) -> None:
    land = _land(small_index)
    copies = [_copy(land, 1, _as_another_city(land.text)),
              _copy(land, 2, _as_another_city(land.text).replace("长治", "澄川")),
              # near, not equal: one sentence dropped (found by MinHash and checked exactly, not by the equal bucket)
              _copy(land, 3, _without_a_sentence(land.text).replace("晋城", "长治"))]
    others = [d for d in small_index.documents.values() if d.doc_id != land.doc_id]
    family = families([*others, land, *copies], 0.9)
    assert {family[c.doc_id] for c in copies} == {family[land.doc_id]} == {land.doc_id}  # the first id, sorted
    assert all(family[d.doc_id] == d.doc_id for d in others)  # the other documents stay apart
    assert family_count(with_families({d.doc_id: d for d in [*others, land, *copies]}, 0.9).values()) == len(others) + 1


def test_a_copy_with_a_fifth_of_its_text_rewritten_is_not_a_near_duplicate(small_index: LoadedIndex) -> None:
    land = _land(small_index)
    cut = len(land.text) // 5
    rewritten = _copy(land, 1, land.text[:cut] + "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(cut)) + land.text[2 * cut:])
    jaccard_is_low = families([land, rewritten], 0.9)
    assert jaccard_is_low[rewritten.doc_id] == rewritten.doc_id


def test_shingles_are_distinct_sorted_hashes_and_a_short_text_is_one_shingle() -> None:
    s = shingles("甲乙丙丁戊甲乙丙丁戊")
    assert list(s) == sorted(set(s.tolist())) and len(s) == 5
    assert len(shingles("甲乙")) == 1 and len(shingles("")) == 0


def test_a_threshold_outside_zero_to_one_names_the_bound(small_index: LoadedIndex) -> None:
    with pytest.raises(ValueError, match=r"must be in \(0, 1\], got 1.5"):
        families(small_index.documents.values(), 1.5)

