"""The llama-index tutorial baseline over a tiny corpus, with the bigram fake embedder (ranking follows word overlap)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from evals.baseline import ANSWER_PASSAGES, CHUNK_SIZE, build_in_memory, build_persisted, collection_name, split_files
from evals.runner import Pipeline
from settings import Settings
from tests.fakes import BigramEmbedder

HOUSING = """晋城市人民政府文件
晋市政发〔2018〕23号
第十二条 征收住宅房屋，搬迁补助费 18元/平方米，实行产权调换期房安置的支付两次。
第十三条 低层和多层房屋过渡期不超过 24个月，中高层和高层房屋过渡期不超过 36个月。
"""
WEATHER = """长治市气象灾害应急预案
大风是指阵风风力大于17米/秒的天气现象。
暴雨是指24小时降水量达到50毫米以上的降水。
"""


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "jincheng-test.txt").write_text(HOUSING, encoding="utf-8")
    (data / "changzhi-test.txt").write_text(WEATHER, encoding="utf-8")
    return data


def test_baseline_returns_passages_in_rank_order_with_the_relevant_file_first(corpus: Path) -> None:
    pipeline = build_in_memory(corpus, BigramEmbedder())
    assert isinstance(pipeline, Pipeline) and pipeline.name == "baseline"
    for question, first_file in (("大风是怎么定义的？阵风风力多大算大风", "changzhi-test.txt"),
                                 ("征收住宅房屋的搬迁补助费是多少", "jincheng-test.txt")):
        answer = pipeline.answer(question, history=["无关的上一问"])
        assert [p.key for p in answer.passages] == ["S1", "S2"]
        assert answer.passages[0].source_file == first_file
        scores = [p.score for p in answer.passages]
        assert scores == sorted(scores, reverse=True) and scores[0] > scores[1]
        assert [r for _, r in answer.trace.legs["dense"]] == scores


def test_baseline_answer_concatenates_and_cites_the_top_passages_and_never_refuses(corpus: Path) -> None:
    answer = build_in_memory(corpus, BigramEmbedder()).answer("搬迁补助费")
    assert not answer.refused and answer.invalid_citations == ()
    assert [c.key for c in answer.citations] == [p.key for p in answer.passages[:ANSWER_PASSAGES]]
    assert [c.chunk_id for c in answer.citations] == [p.chunk_id for p in answer.passages[:ANSWER_PASSAGES]]
    assert answer.text.startswith(answer.passages[0].text.strip()) and "[S1]" in answer.text
    top = answer.passages[0]
    assert top.doc_number == "晋市政发〔2018〕23号" and answer.passages[1].doc_number == ""  # none in the weather text
    assert (top.line_start, top.line_end) == (1, 4) and top.text.strip() == HOUSING.strip()


def test_long_file_is_split_into_overlapping_chunks_within_the_token_budget(tmp_path: Path) -> None:
    from llama_index.core.utils import get_tokenizer

    sentences = [f"第{i}项措施要求各县（市、区）在{i}个工作日内完成整改并报送市政府办公室备案。" for i in range(1, 120)]
    path = tmp_path / "long.txt"
    path.write_text("\n".join(sentences), encoding="utf-8")
    nodes = split_files([path])
    tokenizer = get_tokenizer()
    assert len(nodes) > 3
    assert all(len(tokenizer(n.get_content())) <= CHUNK_SIZE for n in nodes)
    assert all(a.get_content()[-15:] in b.get_content() for a, b in itertools.pairwise(nodes))  # chunk_overlap=50 tokens
    assert len({n.node_id for n in nodes}) == len(nodes) and all(n.node_id.startswith("baseline-") for n in nodes)


def test_persisted_index_reembeds_only_changed_files_and_answers_the_same(tmp_path: Path, corpus: Path) -> None:
    settings = Settings(data_dir=corpus, index_dir=tmp_path / "index")
    first = BigramEmbedder()
    built = build_persisted(settings, first)
    question = "暴雨是指多少降水"
    before = built.answer(question)
    assert built.report is not None and built.report.embedded_nodes == 2 and len(first.embedded) == 2
    assert (settings.index_dir / collection_name(settings) / "manifest.json").exists()

    again = BigramEmbedder()
    reused = build_persisted(settings, again)
    assert again.embedded == [] and reused.report is not None and reused.report.reused_files == 2
    after = reused.answer(question)
    assert [p.chunk_id for p in after.passages] == [p.chunk_id for p in before.passages]

    (corpus / "changzhi-test.txt").write_text(WEATHER.replace("50毫米", "60毫米"), encoding="utf-8")
    changed = BigramEmbedder()
    rebuilt = build_persisted(settings, changed)
    assert len(changed.embedded) == 1 and "60毫米" in changed.embedded[0]
    texts = [p.text for p in rebuilt.answer(question).passages]
    assert len(texts) == 2 and any("60毫米" in t for t in texts) and not any("50毫米" in t for t in texts)


def test_baseline_never_touches_llama_index_global_settings(corpus: Path) -> None:
    from llama_index.core import Settings as LlamaSettings

    before = (LlamaSettings._embed_model, LlamaSettings._llm)
    build_in_memory(corpus, BigramEmbedder()).answer("大风")
    assert (LlamaSettings._embed_model, LlamaSettings._llm) == before
