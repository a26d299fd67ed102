"""Staff uploads: gazette files from the staff page, checked, stored in the data folder and ingested in the background
as a new index generation, which the running app then answers from (app.ui wires the page, app.runtime the ingest).

`UploadService.submit` takes the browser's files (gradio's temporary copies, named as the browser named them), refuses
the ones over the limits (type, size, count) at once and copies the others under `<data folder>/.uploads/<job>/`
(a hidden folder: no ingest reads it). One worker thread takes the jobs in order: it refuses a file whose name, name
stem or bytes another file of the data folder already has (the index would mix two versions of one issue), moves the
rest into the data folder and ingests them (`ingest.pipeline.run_ingest` on those paths: every other file keeps its
chunks). The ingest holds the index's lock: while another ingest (a second upload, `python -m ingest`) holds it the
job waits and retries. A file the ingest could not read gets its error and is removed from the data folder again, so
the folder holds what the index holds; nothing else is touched. The job record (`UploadJob`) is what the page shows.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import re
import shutil
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from index_format.generations import IngestBusy
from settings import SOURCE_SUFFIXES as SUFFIXES

if TYPE_CHECKING:
    from ingest.pipeline import IngestReport
    from settings import Settings

log = logging.getLogger(__name__)

MB = 1024 * 1024
STAGING = ".uploads"
MAX_STEM = 120
# the ingest of `paths`, reporting embedding progress (done, total) and stages ("parsed", "staged", "written", "published")
IngestFiles = Callable[[Sequence[Path], Callable[[int, int], None], Callable[[str], None]], "IngestReport"]
_UNSAFE = re.compile(r"[^\w\-.()〔〕]+")
_STAGE_STATE = {"parsed": "embedding", "staged": "writing", "written": "writing", "published": "writing"}


@dataclass(frozen=True)
class UploadLimits:
    """What one upload may hold (from Settings: upload_max_mb, upload_max_files, upload_types)."""

    max_bytes: int = 60 * MB
    max_files: int = 20
    suffixes: tuple[str, ...] = SUFFIXES

    @classmethod
    def of(cls, settings: Settings) -> UploadLimits:
        return cls(settings.upload_max_mb * MB, settings.upload_max_files, settings.upload_suffixes())


def safe_name(name: str) -> str:
    """The name to store an uploaded file under: its last path component (either slash), NFKC-normalised, runs of
    anything but letters, digits, CJK, - _ . ( ) 〔〕 replaced by one _, no leading dots, underscores or spaces (no
    hidden files, no ~$ lock files), the stem cut to 120 characters, the extension lower-cased. "" when nothing is
    left of the stem."""
    base = unicodedata.normalize("NFKC", re.split(r"[/\\]", name)[-1])
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._ ")[:MAX_STEM].rstrip("._ ")
    suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())
    if not stem:
        return ""
    return f"{stem}.{suffix}" if suffix else stem


@dataclass(frozen=True)
class FileResult:
    """One uploaded file's outcome. `name`: as stored (as given, when it was refused before a name was made);
    `documents`/`chunks`: what the index holds of it; `error`: why it was not ingested (then nothing of it was kept);
    `unchanged`: the data folder already had this very file."""

    name: str
    documents: int = 0
    chunks: int = 0
    error: str | None = None
    unchanged: bool = False


@dataclass
class UploadJob:
    """One upload, as the worker moves it along. `state`: queued → (waiting: another ingest holds the lock) →
    reading → embedding (`done`/`total` chunks) → writing → done, or failed (`error`: the whole job)."""

    job_id: str
    state: str = "queued"
    done: int = 0
    total: int = 0
    results: list[FileResult] = field(default_factory=list)
    error: str | None = None
    generation: int | None = None
    seconds: float = 0.0

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


@dataclass
class _Staged:
    given: str
    name: str
    path: Path
    sha256: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MB), b""):
            digest.update(block)
    return digest.hexdigest()


class UploadService:
    """Takes uploads and ingests them one job at a time in a background thread (see the module docstring)."""

    def __init__(self, data_dir: Path, limits: UploadLimits, ingest: IngestFiles,
                 on_published: Callable[[], None] | None = None, retry_s: float = 2.0) -> None:
        self.data_dir = data_dir
        self.limits = limits
        self._ingest = ingest
        self._on_published = on_published
        self._retry_s = retry_s
        self._queue: queue.Queue[tuple[UploadJob, list[_Staged], list[FileResult]]] = queue.Queue()
        self._jobs: dict[str, UploadJob] = {}
        self._start = threading.Lock()
        self._worker: threading.Thread | None = None

    def job(self, job_id: str) -> UploadJob | None:
        return self._jobs.get(job_id)

    def submit(self, files: Sequence[Path]) -> UploadJob:
        """Queue an upload of `files` (each named as the browser named it); returns its job at once."""
        job = UploadJob(uuid.uuid4().hex[:12])
        self._jobs[job.job_id] = job
        if not files:
            return self._fail(job, "请先选择要上传的文件。")
        if len(files) > self.limits.max_files:
            return self._fail(job, f"一次最多上传{self.limits.max_files}个文件，本次{len(files)}个：请分批上传。")
        staging = self.data_dir / STAGING / job.job_id
        try:
            staging.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            log.error("upload staging failed", extra={"folder": str(staging), "error": repr(err)})
            return self._fail(job, "无法保存上传的文件（数据目录不可写），请联系管理员。")
        staged: list[_Staged] = []
        refused: list[FileResult] = []
        for path in files:
            problem, name = self._check(path, {s.name for s in staged})
            if problem:
                refused.append(FileResult(name or path.name, error=problem))
                continue
            target = staging / name
            shutil.copyfile(path, target)
            staged.append(_Staged(path.name, name, target, _sha256(target)))
        self._queue.put((job, staged, refused))
        with self._start:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="upload-ingest", daemon=True)
                self._worker.start()
        return job

    def _check(self, path: Path, taken: set[str]) -> tuple[str | None, str]:
        """(why the file is refused, or None; the name to store it under)."""
        name = safe_name(path.name)
        suffix = Path(name).suffix
        types = "、".join(self.limits.suffixes)
        if suffix not in self.limits.suffixes:
            return f"只接受 {types} 文件", name
        if not Path(name).stem or not path.is_file():
            return "文件名无效或文件不存在", name
        size = path.stat().st_size
        if size > self.limits.max_bytes:
            return f"文件{size / MB:.1f} MB，超过{self.limits.max_bytes // MB} MB的上限", name
        if size == 0:
            return "文件是空的", name
        if name in taken:
            return "同一批上传中已有同名文件", name
        return None, name

    def _fail(self, job: UploadJob, error: str) -> UploadJob:
        job.error, job.state = error, "failed"
        return job

    def _work(self) -> None:
        while True:
            try:
                job, staged, refused = self._queue.get(timeout=60)
            except queue.Empty:
                with self._start:
                    if self._queue.empty():
                        self._worker = None
                        return
                continue
            started = time.perf_counter()
            try:
                self._run(job, staged, refused, started)
            except Exception as err:  # the worker keeps serving the next uploads
                log.exception("upload ingest failed", extra={"job": job.job_id})
                job.seconds = time.perf_counter() - started
                self._fail(job, f"入库失败（{type(err).__name__}），上传的文件未保存；详见服务器日志。")
            finally:
                shutil.rmtree(self.data_dir / STAGING / job.job_id, ignore_errors=True)

    def _run(self, job: UploadJob, staged: list[_Staged], refused: list[FileResult], started: float) -> None:
        results = {s.name: FileResult(s.name) for s in staged}
        moved: list[Path] = []  # files this job added to the data folder (removed again if they fail)
        paths: list[Path] = []
        existing = {p.name: p for p in self.data_dir.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES}
        by_sha: dict[str, str] = {}
        by_stem = {p.stem: p.name for p in existing.values()}
        for s in staged:
            if s.name in existing:
                if _sha256(existing[s.name]) != s.sha256:
                    results[s.name] = FileResult(s.name, error=f"数据目录中已有同名文件 {s.name}（内容不同）：请改名后上传，或由管理员替换该文件后运行 python -m ingest")
                    continue
                results[s.name] = FileResult(s.name, unchanged=True)
                paths.append(existing[s.name])
                continue
            if not by_sha:
                by_sha = {_sha256(p): p.name for p in existing.values()}
            if s.sha256 in by_sha:
                results[s.name] = FileResult(s.name, error=f"与已有文件 {by_sha[s.sha256]} 内容相同，未重复入库")
                continue
            if Path(s.name).stem in by_stem:
                results[s.name] = FileResult(s.name, error=f"已有文件 {by_stem[Path(s.name).stem]} 与它同名（只是格式不同）：同一期公报只保留一种格式，或改名后上传")
                continue
            target = self.data_dir / s.name
            s.path.replace(target)
            moved.append(target)
            paths.append(target)
            by_sha[s.sha256] = s.name
            by_stem[Path(s.name).stem] = s.name
        if paths:
            try:
                report = self._ingest_when_free(job, paths)
            except Exception:
                for path in moved:  # not indexed: the data folder keeps only what the index holds
                    path.unlink(missing_ok=True)
                job.results = [*refused, *(FileResult(r.name, error=r.error or "未入库") for r in results.values())]
                raise
            failed = {Path(err.path).name: f"{err.problem} — {err.fix}" for err in report.failed}
            for path in paths:
                counts = report.file_counts.get(path.name)
                if counts is None:
                    results[path.name] = FileResult(path.name, error=failed.get(path.name, "未能入库（与另一个文件内容相同？）"))
                    if path in moved:
                        path.unlink(missing_ok=True)  # the data folder holds what the index holds
                else:
                    results[path.name] = FileResult(path.name, *counts, unchanged=results[path.name].unchanged)
            job.generation = report.generation
            if self._on_published is not None:
                try:
                    self._on_published()
                except Exception:
                    log.exception("following the new generation failed")
        job.results = [*refused, *results.values()]
        job.seconds = time.perf_counter() - started
        job.state = "done"  # last: the page reads the job without a lock

    def _ingest_when_free(self, job: UploadJob, paths: list[Path]) -> IngestReport:
        def progress(done: int, total: int) -> None:
            job.state, job.done, job.total = "embedding", done, total

        def stage(name: str) -> None:
            job.state = _STAGE_STATE.get(name, job.state)

        while True:
            job.state = "reading"
            try:
                return self._ingest(paths, progress, stage)
            except IngestBusy:
                job.state = "waiting"
                time.sleep(self._retry_s)
