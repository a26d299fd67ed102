"""API keys for staff: a key file of hashed keys, one per line with a name, and the check a request goes through.

File format (UTF-8), one key per line: `name<TAB>sha256:<hex digest of the key>`; blank lines and lines starting with
`#` are ignored. The key itself is printed once by `python -m app keys add NAME` and never stored: a key is 32 random
bytes (secrets.token_urlsafe), so a plain SHA-256 suffices (a slow password hash guards low-entropy secrets only).
The file is re-read when it changes, so a key added or revoked takes effect without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

PREFIX = "gq-"
_NAME = re.compile(r"[\w.@-]{1,64}")


class KeyFileError(ValueError):
    """The key file or a name in it is not usable; the message names the file, the line and the fix."""


def digest(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class KeyEntry:
    name: str
    digest: str


def parse(text: str, path: Path) -> list[KeyEntry]:
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, hashed = line.partition("\t")
        if not _NAME.fullmatch(name) or not re.fullmatch(r"sha256:[0-9a-f]{64}", hashed.strip()):
            raise KeyFileError(f"{path}:{number}: expected `name<TAB>sha256:<64 hex>`; remove the line or add the key "
                               f"again with `python -m app keys add NAME`")
        entries.append(KeyEntry(name, hashed.strip()))
    return entries


class KeyFile:
    """The staff API's keys. `name_of(key)` is the key's name when it is valid, else None (constant-time compare)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._entries: list[KeyEntry] = []

    def entries(self) -> list[KeyEntry]:
        """The keys now in the file (re-read when its size or modification time changed); none when it is missing."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return []
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if stamp != self._stamp:
                self._entries = parse(self.path.read_text(encoding="utf-8"), self.path)
                self._stamp = stamp
            return list(self._entries)

    def name_of(self, key: str) -> str | None:
        hashed = digest(key)
        found = None
        for entry in self.entries():
            if hmac.compare_digest(entry.digest, hashed):
                found = entry.name
        return found

    def add(self, name: str) -> str:
        """A new key for `name`, appended to the file (created 0600); returns the key, which is not stored."""
        if not _NAME.fullmatch(name):
            raise KeyFileError(f"key name {name!r}: use 1–64 letters, digits, '.', '_', '@' or '-'")
        if any(e.name == name for e in self.entries()):
            raise KeyFileError(f"{self.path}: a key named {name!r} exists; revoke it first (`python -m app keys revoke {name}`)")
        key = PREFIX + secrets.token_urlsafe(32)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(f"{name}\t{digest(key)}\n")
            f.flush()
            os.fsync(f.fileno())
        return key

    def revoke(self, name: str) -> bool:
        """Remove the key named `name`; False when there is none. The file is replaced atomically."""
        entries = self.entries()
        kept = [e for e in entries if e.name != name]
        if len(kept) == len(entries):
            return False
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("".join(f"{e.name}\t{e.digest}\n" for e in kept))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        return True
