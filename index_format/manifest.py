"""The manifest of one index generation (`g<k>/manifest.json`): the settings fingerprint it was built for, the
source files it holds, and the embedder of its cross-lingual collection. Typed, and checked when read: a damaged
manifest, or one written by an incompatible version, fails with the file, the field and the fix.

On disk (JSON, written atomically):
    format_version   MANIFEST_VERSION (absent in manifests written before it existed: those are version 1)
    fingerprint      Settings.fingerprint() of the index
    settings         Settings.index_shape(): what the fingerprint hashes
    files            {file name: {"sha256", "doc_ids", "chunk_ids"}} of every indexed source file
    cross_lingual    name of the embedder of the `-xl` collection, or null when the index has none
    windows          size of the sentence windows in the `-win` collection, 0 when the index has none
    synthetic        only in bench.archive_index's synthetic archives: how they were made
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index_format.docstore import write_atomic

MANIFEST_VERSION = 1
_KIND_NAMES: dict[type, str] = {str: "a string", int: "an integer", float: "a number", dict: "an object", list: "a list"}


class ManifestError(ValueError):
    """A manifest that cannot be read; the message names the file, the field and the fix."""


@dataclass(frozen=True)
class FileEntry:
    """One indexed source file: the sha256 of its bytes and the documents and chunks parsed from it."""

    sha256: str
    doc_ids: tuple[str, ...]
    chunk_ids: tuple[str, ...]


@dataclass(frozen=True)
class SyntheticArchive:
    """How a synthetic archive (`bench.archive_index`) was made: its size, whole corpus copies, vector noise."""

    chunks: int
    documents: int
    copies: int
    sigma: float


@dataclass(frozen=True)
class Manifest:
    """What one generation holds. `index_shape` is the JSON field `settings` (`Settings.index_shape()`)."""

    fingerprint: str
    index_shape: Mapping[str, object]
    files: Mapping[str, FileEntry]
    cross_lingual: str | None = None
    synthetic: SyntheticArchive | None = None
    windows: int = 0  # the size of the sentence windows in the `-win` collection (`index_format.windows`); 0: none
    format_version: int = MANIFEST_VERSION

    @classmethod
    def empty(cls) -> Manifest:
        """The state before the first complete ingest: no files."""
        return cls(fingerprint="", index_shape={}, files={})

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format_version": self.format_version,
            "fingerprint": self.fingerprint,
            "settings": dict(self.index_shape),
            "files": {name: {"sha256": e.sha256, "doc_ids": list(e.doc_ids), "chunk_ids": list(e.chunk_ids)}
                      for name, e in self.files.items()},
            "cross_lingual": self.cross_lingual,
        }
        if self.windows:  # written only when there are windows: an older manifest reads back as it was
            data["windows"] = self.windows
        if self.synthetic is not None:
            s = self.synthetic
            data["synthetic"] = {"chunks": s.chunks, "documents": s.documents, "copies": s.copies, "sigma": s.sigma}
        return data

    @classmethod
    def from_json(cls, data: object, source: Path) -> Manifest:
        """The manifest in `data` (parsed JSON) read from `source`; raises ManifestError naming the bad field."""
        fields = _Fields(source)
        top = fields.object(data, "")
        version = fields.optional(top, "format_version", int)
        version = 1 if version is None else version  # written before the field existed
        if version != MANIFEST_VERSION:
            raise fields.error("format_version", f"is {version}, this version reads {MANIFEST_VERSION}")
        files = {name: _entry(fields, entry, f"files[{name!r}]") for name, entry in fields.required(top, "files", dict).items()}
        synthetic = fields.optional(top, "synthetic", dict)
        return cls(
            fingerprint=fields.required(top, "fingerprint", str),
            index_shape=fields.required(top, "settings", dict),
            files=files,
            cross_lingual=fields.optional(top, "cross_lingual", str),
            synthetic=_synthetic(fields, synthetic) if synthetic is not None else None,
            windows=fields.optional(top, "windows", int) or 0,  # written before windows existed: none
            format_version=version,
        )

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise _Fields(path).error("", f"is not valid JSON ({err})") from None
        return cls.from_json(data, path)

    def write(self, path: Path) -> None:
        write_atomic(path, json.dumps(self.to_json(), ensure_ascii=False, indent=1))


def _entry(fields: _Fields, data: object, where: str) -> FileEntry:
    entry = fields.object(data, where)
    return FileEntry(
        sha256=fields.required(entry, "sha256", str, where),
        doc_ids=fields.strings(fields.required(entry, "doc_ids", list, where), f"{where}.doc_ids"),
        chunk_ids=fields.strings(fields.required(entry, "chunk_ids", list, where), f"{where}.chunk_ids"),
    )


def _synthetic(fields: _Fields, data: dict[str, Any]) -> SyntheticArchive:
    return SyntheticArchive(
        chunks=fields.required(data, "chunks", int, "synthetic"),
        documents=fields.required(data, "documents", int, "synthetic"),
        copies=fields.required(data, "copies", int, "synthetic"),
        sigma=float(fields.required(data, "sigma", (int, float), "synthetic")),
    )


@dataclass(frozen=True)
class _Fields:
    """Typed access to the fields of one manifest file, with errors that name the file and the field."""

    source: Path

    def error(self, name: str, problem: str) -> ManifestError:
        what = f"field '{name}' " if name else ""
        return ManifestError(f"index manifest {self.source}: {what}{problem}. It is damaged or was written by an "
                             f"incompatible version: delete {self.source.parent.parent} and run `python -m ingest` to rebuild it")

    def _check(self, value: object, kind: type | tuple[type, ...], name: str) -> Any:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) or not isinstance(value, kinds):
            wanted = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)
            raise self.error(name, f"must be {wanted}, got {json.dumps(value, ensure_ascii=False)[:60]}")
        return value

    def object(self, value: object, name: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(name, f"must be an object, got {json.dumps(value, ensure_ascii=False)[:60]}")
        return value

    def required(self, data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str = "") -> Any:
        name = f"{where}.{key}" if where else key
        if key not in data:
            raise self.error(name, "is missing")
        return self._check(data[key], kind, name)

    def optional(self, data: dict[str, Any], key: str, kind: type) -> Any:
        value = data.get(key)
        return None if value is None else self._check(value, kind, key)

    def strings(self, values: list[Any], name: str) -> tuple[str, ...]:
        return tuple(self._check(v, str, f"{name}[{i}]") for i, v in enumerate(values))
