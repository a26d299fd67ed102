"""Compile a per-code-point replacement map into SentencePiece's "precompiled charsmap", the only form in which
`tokenizers` (normalizers.Precompiled) accepts an arbitrary character mapping.

Format (sentencepiece normalizer.cc, read by the spm_precompiled crate): a little-endian u32 with the trie's size
in bytes, the trie as a darts-clone double array of u32 units over the keys' UTF-8 bytes (each key's value is the
byte offset of its replacement), then the replacements, each NUL-terminated.

darts-clone units: a node at position p with base b = p ^ offset(p) has its child labelled c at b ^ c (that unit's
low byte is c) and, when a key ends at the node (has_leaf, bit 8), a leaf at b ^ 0 = b whose low 31 bits are the
value (bit 31 set, so a leaf never matches a label). Offsets below 2^21 sit in bits 10–30. Every node gets a base
of its own: a lookup of a label a node lacks must land on a unit of another label. The array is padded to
whole blocks of 256 units (every b ^ c stays inside b's block; the reader does not bounds-check).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

_LEAF = 1 << 8
_VALUE_FLAG = 1 << 31
_MAX_OFFSET = 1 << 21


def _trie(keys: Mapping[bytes, int]) -> list[dict[int, int]]:
    """Nodes as {label: child node}; label 0 marks the end of a key and maps to its value."""
    nodes: list[dict[int, int]] = [{}]
    for key, value in keys.items():
        node = 0
        for byte in key:
            child = nodes[node].get(byte)
            if child is None:
                child = len(nodes)
                nodes.append({})
                nodes[node][byte] = child
            node = child
        nodes[node][0] = value
    return nodes


def double_array(keys: Mapping[bytes, int]) -> list[int]:
    """darts-clone units for `keys` (non-empty byte strings without NUL → value < 2^31)."""
    if any(not k or 0 in k for k in keys):
        raise ValueError("keys must be non-empty and free of NUL bytes")
    nodes = _trie(keys)
    units = [0]
    used = [True]  # position 0 is the root
    bases: set[int] = set()
    first_free = 1
    queue = [(0, 0)]  # (node, position)
    while queue:
        node, pos = queue.pop()
        labels = sorted(nodes[node])
        while first_free < len(used) and used[first_free]:
            first_free += 1
        free = first_free  # try each free position for the first label, as darts-clone does
        while True:
            base = free ^ labels[0]
            if base not in bases and base != 0 and all(base ^ c >= len(used) or not used[base ^ c] for c in labels):
                break
            free += 1
            while free < len(used) and used[free]:
                free += 1
        bases.add(base)
        top = max(base ^ c for c in labels) + 1
        if top > len(used):
            used.extend([False] * (top - len(used)))
            units.extend([0] * (top - len(units)))
        offset = pos ^ base
        if offset >= _MAX_OFFSET:
            raise ValueError("charsmap too large for this builder (offset >= 2^21)")
        units[pos] = (units[pos] & 0xFF) | (offset << 10) | (_LEAF if 0 in nodes[node] else 0)
        for c in labels:
            used[base ^ c] = True
            if c == 0:
                units[base] = nodes[node][0] | _VALUE_FLAG
            else:
                units[base ^ c] = c
                queue.append((nodes[node][c], base ^ c))
    # Whole 256-unit blocks: a lookup b ^ c stays in b's block, and the crate does not bounds-check it.
    units.extend([0] * (-len(units) % 256))
    return units


def precompiled_charsmap(mapping: Mapping[int, str]) -> bytes:
    """The charsmap that replaces each code point in `mapping` by its string (possibly empty)."""
    blob = bytearray()
    where: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for code in sorted(mapping):
        out = mapping[code]
        if out not in where:
            where[out] = len(blob)
            blob += out.encode("utf-8") + b"\0"
        keys[chr(code).encode("utf-8")] = where[out]
    units = double_array(keys)
    return struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + bytes(blob)


def lookup(charsmap: bytes, key: bytes) -> list[bytes]:
    """Every replacement whose key is a prefix of `key`, shortest first (the crate's common_prefix_search), for tests."""
    (size,) = struct.unpack_from("<I", charsmap)
    units = struct.unpack_from(f"<{size // 4}I", charsmap, 4)
    blob = charsmap[4 + size :]

    def offset(unit: int) -> int:
        return (unit >> 10) << ((unit & (1 << 9)) >> 6)

    found: list[bytes] = []
    pos = offset(units[0])
    for byte in key:
        pos ^= byte
        if pos >= len(units) or units[pos] & (_VALUE_FLAG | 0xFF) != byte:
            return found
        unit = units[pos]
        pos ^= offset(unit)
        if unit & _LEAF:
            start = units[pos] & (_VALUE_FLAG - 1)
            found.append(blob[start : blob.index(b"\0", start)])
    return found
