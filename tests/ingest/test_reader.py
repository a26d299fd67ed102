"""Tests for ingest/reader.py: decoding (UTF-8, BOM, GBK, a cut-off last character) and the IngestError raised for
every file that cannot be read. Each error must name the file, the problem and the fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest import reader
from ingest.reader import IngestError, decode, read_gazette

TEXT = "晋城市人民政府关于印发晋城市国有土地上房屋征收与补偿办法的通知\n\n第一条 为切实规范我市国有土地上房屋征收与补偿活动。\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_error(err: IngestError, path: Path, problem: str, fix: str) -> None:
    assert err.path == str(path)
    assert err.problem == problem
    assert err.fix == fix
    assert str(err) == f"{path}: {problem} — {fix}"


def test_reads_utf8_text(tmp_path: Path) -> None:
    assert read_gazette(write(tmp_path, "a.txt", TEXT.encode("utf-8"))) == TEXT


def test_reads_utf8_with_bom_without_the_bom(tmp_path: Path) -> None:
    assert read_gazette(write(tmp_path, "bom.txt", TEXT.encode("utf-8-sig"))) == TEXT


def test_decodes_gbk_encoded_chinese_text(tmp_path: Path) -> None:
    assert read_gazette(write(tmp_path, "gbk.txt", TEXT.encode("gbk"))) == TEXT


def test_truncated_utf8_at_end_decodes_everything_before_the_cut_character(tmp_path: Path) -> None:
    data = "第一条 本办法自公布之日起".encode() + "施".encode()[:2]  # the last character lost its final byte
    assert read_gazette(write(tmp_path, "cut.txt", data)) == "第一条 本办法自公布之日起"


def test_empty_file_error_names_file_and_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.txt", b"")
    with pytest.raises(IngestError) as info:
        read_gazette(path)
    assert_error(info.value, path, "the file is empty", "remove it or replace it with the gazette's text")


def test_whitespace_only_file_counts_as_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.txt", b"\n\n  \r\n")
    with pytest.raises(IngestError) as info:
        read_gazette(path)
    assert info.value.problem == "the file is empty"


def test_binary_file_with_nul_bytes_error_names_file_and_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.pdf.txt", b"%PDF-1.7\n\x00\x01\x02\x03stream")
    with pytest.raises(IngestError) as info:
        read_gazette(path)
    assert_error(info.value, path, "binary data (NUL bytes), not text", "extract the PDF to plain text first")


def test_latin1_junk_that_is_neither_utf8_nor_gbk_error_names_file_and_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.txt", "Prix: 10£ « déjà vu » ½ kg".encode("latin-1"))
    with pytest.raises(IngestError) as info:
        read_gazette(path)
    assert_error(info.value, path, "neither UTF-8 nor GBK text", "convert it to UTF-8 (iconv -f <encoding> -t UTF-8)")


def test_bytes_that_decode_as_gbk_but_are_not_chinese_are_refused(tmp_path: Path) -> None:
    # \xa3\xc1 is a valid GBK pair (full-width Ａ): decodable, but no Chinese characters at all
    path = write(tmp_path, "latin1-gbk.txt", b"Hello \xa3\xc1\xa3\xc2\xa3\xc3 world, r\xa3\xc1sum\xa3\xc2")
    with pytest.raises(IngestError) as info:
        read_gazette(path)
    assert_error(
        info.value, path, "not UTF-8, and as GBK it is not Chinese text", "convert it to UTF-8 (iconv -f <encoding> -t UTF-8)"
    )


def test_missing_path_error_names_file_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "missing.txt"
    with pytest.raises(IngestError) as info:
        read_gazette(path)
    assert_error(info.value, path, "no such file", "check the path (default corpus: data/gazettes/)")


def test_folder_error_names_folder_and_fix(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as info:
        read_gazette(tmp_path)
    assert_error(info.value, tmp_path, "is a folder, not a file", "pass the .txt files inside it, or the folder as RAG_DATA_DIR")


def test_unreadable_file_error_names_file_and_fix(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading the file")
    path = write(tmp_path, "locked.txt", TEXT.encode("utf-8"))
    path.chmod(0)
    try:
        with pytest.raises(IngestError) as info:
            read_gazette(path)
    finally:
        path.chmod(0o644)
    assert_error(info.value, path, "permission denied", "make it readable (chmod a+r)")


def test_permission_error_while_reading_becomes_ingest_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same path as the chmod test, with the OS refusal injected, so it runs as root too."""
    path = write(tmp_path, "locked.txt", TEXT.encode("utf-8"))

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(IngestError) as info:
        read_gazette(path)
    assert_error(info.value, path, "permission denied", "make it readable (chmod a+r)")


def test_file_over_the_size_limit_error_names_size_and_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_BYTES", 10)
    path = write(tmp_path, "huge.txt", TEXT.encode("utf-8"))
    size = path.stat().st_size
    with pytest.raises(IngestError) as info:
        read_gazette(path)
    assert_error(info.value, path, f"{size} bytes is over the 10 byte limit", "split the file by gazette issue")


def test_decode_names_the_given_path_in_its_error() -> None:
    with pytest.raises(IngestError) as info:
        decode(b"", "data/gazettes/x.txt")
    assert str(info.value) == "data/gazettes/x.txt: the file is empty — remove it or replace it with the gazette's text"
