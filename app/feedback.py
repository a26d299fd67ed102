"""Thumbs up/down on an answer, with an optional comment, appended as one JSON line per vote.

A row holds what is needed to judge the answer later without re-running it: the question, the answer text, its
citations, whether it was a refusal, the answering mode and the fingerprint of the index settings, and the time.
No client address is stored.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rag.records import Answer

Rating = Literal["up", "down"]
MAX_COMMENT_CHARS = 1000
ENV_VAR = "RAG_FEEDBACK_LOG"


@dataclass(frozen=True)
class FeedbackRow:
    """time: ISO 8601 with offset. rating: up | down. citations: key, 文号, title, clause path and quote per citation.
    fingerprint: Settings.fingerprint() of the index the answer came from. mode: offline | llm."""

    time: str
    rating: str
    comment: str
    question: str
    answer: str
    refused: bool
    citations: list[dict[str, Any]]
    fingerprint: str
    mode: str


def default_path(index_dir: Path, env: dict[str, str]) -> Path:
    """RAG_FEEDBACK_LOG when set, else feedback.jsonl in the index folder."""
    return Path(env[ENV_VAR]) if env.get(ENV_VAR) else Path(index_dir) / "feedback.jsonl"


class FeedbackLog:
    def __init__(self, path: Path, fingerprint: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self.clock = clock
        self._lock = threading.Lock()

    def row(self, answer: Answer, rating: Rating, comment: str = "") -> FeedbackRow:
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', got {rating!r}")
        citations = [
            {"key": c.key, "doc_number": c.doc_number, "doc_title": c.doc_title, "path": c.path, "quote": c.quote,
             "chunk_id": c.chunk_id}
            for c in answer.citations
        ]
        return FeedbackRow(
            time=self.clock().isoformat(timespec="seconds"), rating=rating, comment=comment.strip()[:MAX_COMMENT_CHARS],
            question=answer.question, answer=answer.text, refused=answer.refused, citations=citations,
            fingerprint=self.fingerprint, mode=answer.mode,
        )

    def record(self, answer: Answer, rating: Rating, comment: str = "") -> FeedbackRow:
        """Append one row (creating the folder and file when needed) and return it."""
        row = self.row(answer, rating, comment)
        line = json.dumps(asdict(row), ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        return row

    def rows(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self._lock:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def export(self, folder: Path) -> Path | None:
        """A copy of the log in `folder` (for download), or None when nothing was recorded yet."""
        if not self.path.exists():
            return None
        folder.mkdir(parents=True, exist_ok=True)
        stamp = self.clock().strftime("%Y%m%d-%H%M%S")
        target = folder / f"feedback-{stamp}.jsonl"
        with self._lock:
            shutil.copyfile(self.path, target)
        return target
