"""Tests for rag/rerank.py with tiny cross-encoders built here (random 2-layer BERTs, no download), loaded
offline through CrossEncoderReranker. Scores are checked against logits computed independently with plain
transformers, so the reranker's order is the model's order, not merely some order."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from rag.index import LoadedIndex
from rag.rerank import CrossEncoderReranker, Reranker, RerankerModelUnavailable, make_reranker

pytestmark = pytest.mark.disable_socket

QUERY = "房屋征收搬迁补助费怎么算"
PASSAGES = [
    ("c1", "被征收人需要搬迁的，由房屋征收部门支付搬迁补助费。"),
    ("c2", "全市环境空气质量优良天数比例达到75%。"),
    ("c3", "本办法自发布之日起施行。"),
    ("c4", "征收房屋造成停产停业损失的，应当给予补偿。"),
    ("c5", "补助费每户不足1000元的按1000元计算。"),
    ("c6", "市人民政府负责解释。"),
]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *dict.fromkeys("".join(t for _, t in PASSAGES) + QUERY + "0157%")]
FIX = "set RAG_RERANKER_MODEL to a local folder holding a cross-encoder, e.g. one saved with CrossEncoder.save()"


def build_cross_encoder(folder: Path, *, num_labels: int = 1, constant: float | None = None, seed: int = 0) -> Path:
    """Save a random 2-layer BERT sequence classifier with a WordPiece vocab of the fixtures' characters.

    Random weights give arbitrary but deterministic, well-separated scores; ``constant`` zeroes the classifier
    weights and sets its bias instead, so every pair scores exactly ``constant``."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    folder.mkdir(parents=True)
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    BertTokenizer(vocab=str(folder / "vocab.txt")).save_pretrained(folder)
    config = BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        initializer_range=0.2,  # with BERT's 0.02 every pair's [CLS] state, and so its score, is nearly the same
    )
    config.num_labels = num_labels
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        if constant is None:
            model.classifier.weight.normal_(0.0, 1.0)
        else:
            model.classifier.weight.zero_()
            model.classifier.bias.fill_(constant)
    model.save_pretrained(folder)
    return folder


def raw_logits(folder: Path, query: str, texts: list[str], max_length: int = 64) -> list[float]:
    """The model's own scores, computed with plain transformers (no sentence-transformers involved)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(folder, local_files_only=True).eval()
    features = tokenizer([query] * len(texts), texts, padding=True, truncation="longest_first",
                         max_length=max_length, return_tensors="pt")
    with torch.no_grad():
        return [float(x) for x in model(**features).logits[:, 0]]


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_cross_encoder(tmp_path_factory.mktemp("ce") / "tiny-ce")


@pytest.fixture(scope="module")
def reranker(tiny_folder: Path) -> CrossEncoderReranker:
    return CrossEncoderReranker(str(tiny_folder))


# --- the order is the model's order -------------------------------------------------------------------


def test_order_and_scores_equal_the_models_own_logits(reranker: CrossEncoderReranker, tiny_folder: Path) -> None:
    logits = raw_logits(tiny_folder, QUERY, [t for _, t in PASSAGES])
    assert len({round(x, 2) for x in logits}) == len(PASSAGES), "fixture must give distinct scores"
    expected = sorted(zip([pid for pid, _ in PASSAGES], logits, strict=True), key=lambda item: -item[1])

    got = reranker.rerank(QUERY, PASSAGES)

    assert [pid for pid, _ in got] == [pid for pid, _ in expected]
    assert [score for _, score in got] == pytest.approx([score for _, score in expected], abs=1e-4)  # logits, no sigmoid


def test_ids_are_preserved_whatever_the_input_order(reranker: CrossEncoderReranker) -> None:
    forward = reranker.rerank(QUERY, PASSAGES)
    backward = reranker.rerank(QUERY, PASSAGES[::-1])
    assert sorted(pid for pid, _ in forward) == sorted(pid for pid, _ in PASSAGES)
    assert [pid for pid, _ in backward] == [pid for pid, _ in forward]
    assert dict(backward) == pytest.approx(dict(forward), abs=1e-5)


def test_top_n_keeps_only_the_best(reranker: CrossEncoderReranker) -> None:
    full = reranker.rerank(QUERY, PASSAGES)
    best_two = reranker.rerank(QUERY, PASSAGES, top_n=2)
    assert [pid for pid, _ in best_two] == [pid for pid, _ in full[:2]]
    assert [score for _, score in best_two] == pytest.approx([score for _, score in full[:2]], abs=1e-5)
    assert len(reranker.rerank(QUERY, PASSAGES, top_n=100)) == len(PASSAGES)


def test_batch_size_does_not_change_scores(reranker: CrossEncoderReranker, tiny_folder: Path) -> None:
    one_at_a_time = CrossEncoderReranker(str(tiny_folder), batch_size=1)
    assert dict(one_at_a_time.rerank(QUERY, PASSAGES)) == pytest.approx(dict(reranker.rerank(QUERY, PASSAGES)), abs=1e-4)


def test_equal_scores_keep_the_retrieval_order(tmp_path: Path) -> None:
    folder = build_cross_encoder(tmp_path / "constant-ce", constant=0.3)
    got = CrossEncoderReranker(str(folder)).rerank(QUERY, PASSAGES)
    assert [pid for pid, _ in got] == [pid for pid, _ in PASSAGES]
    assert [score for _, score in got] == pytest.approx([0.3] * len(PASSAGES), abs=1e-6)  # sigmoid would give 0.574


def test_empty_input_gives_empty_output_without_loading_the_model(tiny_folder: Path) -> None:
    fresh = CrossEncoderReranker(str(tiny_folder))
    assert fresh.rerank(QUERY, []) == []
    assert not fresh.loaded


# --- truncation -------------------------------------------------------------------------------------


def test_max_length_truncates_the_passage_so_only_its_head_counts(tiny_folder: Path) -> None:
    # [CLS] 补 助 费 [SEP] + passage + [SEP] within 16 tokens leaves the first 10 passage characters.
    query, head = "补助费", "被征收人需要搬迁的房"
    long_a, long_b = head + "屋" * 80, head + "空气质量" * 20
    short = CrossEncoderReranker(str(tiny_folder), max_length=16)
    scores = dict(short.rerank(query, [("a", long_a), ("b", long_b), ("head", head)]))
    assert short.max_tokens == 16
    assert scores["a"] == pytest.approx(scores["head"], abs=1e-5)
    assert scores["b"] == pytest.approx(scores["head"], abs=1e-5)
    assert scores["a"] == pytest.approx(raw_logits(tiny_folder, query, [head], max_length=16)[0], abs=1e-4)

    default = CrossEncoderReranker(str(tiny_folder))  # the model's own limit (64 positions): the tails now count
    wide = dict(default.rerank(query, [("a", long_a), ("b", long_b)]))
    assert default.max_tokens == 64
    assert abs(wide["a"] - wide["b"]) > 1e-3


def test_max_length_above_the_models_limit_is_capped_not_a_crash(tiny_folder: Path) -> None:
    capped = CrossEncoderReranker(str(tiny_folder), max_length=4096)
    got = capped.rerank(QUERY, [("long", "补助费" * 200)])  # 600 tokens > 64 positions without truncation
    assert capped.max_tokens == 64 and [pid for pid, _ in got] == ["long"]


# --- loading: local folders only, lazily, once ------------------------------------------------------


def test_missing_folder_names_the_folder_and_the_fix(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-reranker")
    with pytest.raises(RerankerModelUnavailable) as caught:
        CrossEncoderReranker(missing)
    assert repr(missing) in str(caught.value) and "does not exist" in str(caught.value) and FIX in str(caught.value)


def test_a_file_is_not_a_model_folder(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"")
    with pytest.raises(RerankerModelUnavailable, match="is not a folder") as caught:
        make_reranker(str(weights))
    assert FIX in str(caught.value)


def test_a_hub_name_is_refused_at_once_instead_of_downloaded() -> None:
    started = time.perf_counter()
    with pytest.raises(RerankerModelUnavailable) as caught:
        make_reranker("BAAI/bge-reranker-base")
    assert time.perf_counter() - started < 1
    assert "'BAAI/bge-reranker-base' does not exist" in str(caught.value) and FIX in str(caught.value)


def test_a_folder_without_a_model_fails_on_load_naming_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty-reranker"
    empty.mkdir()
    reranker = CrossEncoderReranker(str(empty))  # checked for existence only: loading is lazy
    with pytest.raises(RerankerModelUnavailable) as caught:
        reranker.rerank(QUERY, PASSAGES)
    assert str(empty) in str(caught.value) and FIX in str(caught.value)


def test_a_classifier_with_two_labels_is_rejected(tmp_path: Path) -> None:
    folder = build_cross_encoder(tmp_path / "two-labels", num_labels=2)
    with pytest.raises(ValueError, match="has 2 output labels; a reranker needs exactly 1"):
        CrossEncoderReranker(str(folder)).load()


def test_bad_settings_fail_fast_with_the_value(tiny_folder: Path) -> None:
    with pytest.raises(ValueError, match="batch_size must be > 0, got 0"):
        CrossEncoderReranker(str(tiny_folder), batch_size=0)
    with pytest.raises(ValueError, match="max_length must be > 0, got -1"):
        make_reranker(str(tiny_folder), max_length=-1)


def test_bad_calls_fail_with_the_value(reranker: CrossEncoderReranker) -> None:
    with pytest.raises(ValueError, match="top_n must be > 0, got 0"):
        reranker.rerank(QUERY, PASSAGES, top_n=0)
    with pytest.raises(ValueError, match=r"duplicates \['c1'\]"):
        reranker.rerank(QUERY, [*PASSAGES, ("c1", "重复")])


def test_concurrent_first_calls_load_once_and_agree(tiny_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sentence_transformers

    loads: list[int] = []
    original = sentence_transformers.CrossEncoder

    class CountingCrossEncoder(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            loads.append(1)
            time.sleep(0.2)  # widen the window in which a second thread could start its own load
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(sentence_transformers, "CrossEncoder", CountingCrossEncoder)
    shared = CrossEncoderReranker(str(tiny_folder))
    expected = CrossEncoderReranker(str(tiny_folder)).rerank(QUERY, PASSAGES)
    loads.clear()
    barrier = threading.Barrier(6)
    results: list[list[tuple[str, float]]] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            barrier.wait()
            results.append(shared.rerank(QUERY, PASSAGES))
        except BaseException as exc:  # surfaced below: an exception in a thread would otherwise be lost
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and len(results) == 6
    assert loads == [1]
    for result in results:
        assert [pid for pid, _ in result] == [pid for pid, _ in expected]
        assert dict(result) == pytest.approx(dict(expected), abs=1e-5)


# --- the factory and the protocol -------------------------------------------------------------------


def test_unset_model_means_no_reranker() -> None:
    assert make_reranker(None) is None
    assert make_reranker("") is None
    assert make_reranker("  ") is None


def test_factory_builds_a_lazy_cross_encoder_reranker(tiny_folder: Path) -> None:
    built = make_reranker(str(tiny_folder), batch_size=4, max_length=32)
    assert isinstance(built, CrossEncoderReranker) and isinstance(built, Reranker)
    assert not built.loaded and built.batch_size == 4 and built.name == "cross-encoder-tiny-ce"
    assert built.max_tokens == 32 and built.loaded


def test_any_object_with_rerank_satisfies_the_protocol() -> None:
    class ByLength:
        def rerank(self, query: str, passages: object, top_n: int | None = None) -> list[tuple[str, float]]:
            return []

    assert isinstance(ByLength(), Reranker)
    assert not isinstance(object(), Reranker)


def test_the_retriever_ranks_its_candidates_by_the_cross_encoder(reranker: CrossEncoderReranker, tiny_folder: Path, small_index: LoadedIndex) -> None:
    from rag.retrieve import HybridRetriever, RetrievalConfig

    question = "住宅房屋被征收，搬迁补助费怎么算？"
    retriever = HybridRetriever(small_index, RetrievalConfig(rerank_depth=10, k=5), reranker=reranker)
    got = retriever.retrieve(question, widen=False)
    candidates = [cid for cid, _ in got.fused[:10]]
    texts = [small_index.context_text(small_index.chunks[c]) for c in candidates]
    logits = raw_logits(tiny_folder, question, texts, max_length=reranker.max_tokens)
    expected = [c for _, c in sorted(zip(logits, candidates, strict=True), key=lambda t: -t[0])]
    assert [p.chunk_id for p in got.passages] == expected[:5]
    assert [cid for cid, _ in got.legs["rerank"]] == expected
