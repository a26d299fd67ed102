"""Tests for ingest/e5/embedder.py's pure parts: length batching and the bf16 check."""

from __future__ import annotations

from pathlib import Path

from ingest.e5.embedder import cpu_has_native_bf16, length_batches


def test_length_batches_sort_longest_first_and_keep_rows_times_longest_within_budget() -> None:
    lengths = [10, 500, 40, 40, 300, 12, 11, 600]
    batches = length_batches(lengths, budget=600)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))  # every text once
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(lengths, reverse=True)
    assert all(lengths[b[0]] * len(b) <= 600 for b in batches)
    assert batches[0] == [7]  # a text of the whole budget rides alone


def test_length_batches_of_nothing_is_nothing() -> None:
    assert length_batches([]) == []


def test_bf16_is_used_only_with_a_native_bf16_flag(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw\n", encoding="ascii")
    assert not cpu_has_native_bf16(info)
    info.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16\n", encoding="ascii")
    assert cpu_has_native_bf16(info)
    assert not cpu_has_native_bf16(tmp_path / "missing")
