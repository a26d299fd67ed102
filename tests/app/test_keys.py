"""Staff API keys (app.keys.KeyFile): only hashes on disk, names for valid keys, revocation, a damaged file named."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.keys import PREFIX, KeyFile, KeyFileError, digest


def test_added_key_is_valid_under_its_name_and_only_its_hash_is_stored(tmp_path: Path) -> None:
    keys = KeyFile(tmp_path / "keys.tsv")
    first, second = keys.add("desk-1"), keys.add("desk-2")
    assert first.startswith(PREFIX) and first != second and len(first) > 40
    text = keys.path.read_text(encoding="utf-8")
    assert first not in text and digest(first) in text
    assert (keys.name_of(first), keys.name_of(second), keys.name_of(first + "x"), keys.name_of("")) == ("desk-1", "desk-2", None, None)
    assert stat.S_IMODE(keys.path.stat().st_mode) == 0o600


def test_revoked_key_stops_working_and_the_others_stay(tmp_path: Path) -> None:
    keys = KeyFile(tmp_path / "keys.tsv")
    first, second = keys.add("desk-1"), keys.add("desk-2")
    assert keys.revoke("desk-1") and not keys.revoke("desk-1")
    assert keys.name_of(first) is None and keys.name_of(second) == "desk-2"


def test_a_missing_file_means_no_keys(tmp_path: Path) -> None:
    assert KeyFile(tmp_path / "none.tsv").name_of("gq-anything") is None


def test_duplicate_or_bad_names_are_refused(tmp_path: Path) -> None:
    keys = KeyFile(tmp_path / "keys.tsv")
    keys.add("desk-1")
    with pytest.raises(KeyFileError, match="exists"):
        keys.add("desk-1")
    with pytest.raises(KeyFileError, match="name"):
        keys.add("two words")


def test_a_damaged_line_is_named_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "keys.tsv"
    path.write_text("# staff keys\nok\tsha256:" + "0" * 64 + "\nbroken line\n", encoding="utf-8")
    with pytest.raises(KeyFileError, match=rf"{path.name}:3: expected .*python -m app keys add"):
        KeyFile(path).name_of("gq-x")
