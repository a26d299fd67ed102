"""app/upload.py and app/upload_view.py: staff uploads are checked, stored in the data folder, ingested in the
background one job at a time behind the ingest lock, and reported per file; a bad file loses nothing."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from app.upload import MB, STAGING, FileResult, UploadJob, UploadLimits, UploadService, safe_name
from app.upload_view import render_job
from index_format.generations import IndexFiles, IngestBusy, load_state
from ingest.pipeline import IngestReport, run_ingest
from ingest.reader import IngestError
from settings import Settings
from tests.app.upload_fixtures import BIKE_NOTICE
from tests.fakes import BigramEmbedder


class FakeIngest:
    """Records each run's paths; reports one document and two chunks per file, except the files in `fail`; raises
    IngestBusy `busy` times first; checks that no two runs overlap."""

    def __init__(self, fail: Sequence[str] = (), busy: int = 0, hold: threading.Event | None = None) -> None:
        self.runs: list[list[str]] = []
        self.fail = set(fail)
        self.busy = busy
        self.hold = hold
        self.running = threading.Lock()

    def __call__(self, paths: Sequence[Path], progress: Callable[[int, int], None], stage: Callable[[str], None]) -> IngestReport:
        if self.busy:
            self.busy -= 1
            raise IngestBusy("another ingest is running")
        assert self.running.acquire(blocking=False), "two ingests ran at once"
        try:
            if self.hold is not None:
                assert self.hold.wait(10)
            self.runs.append([p.name for p in paths])
            stage("parsed")
            progress(2, 2)
            report = IngestReport(files=len(paths), generation=len(self.runs) + 1)
            for p in paths:
                if p.name in self.fail:
                    report.failed.append(IngestError(p, "the PDF is encrypted with a password", "ingest an unencrypted copy"))
                else:
                    report.file_counts[p.name] = (1, 2)
            return report
        finally:
            self.running.release()


def finished(job: UploadJob, timeout: float = 30) -> UploadJob:
    deadline = time.monotonic() + timeout
    while not job.finished:
        assert time.monotonic() < deadline, f"upload still {job.state}"
        time.sleep(0.02)
    return job


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    data, browser = tmp_path / "data", tmp_path / "browser"
    data.mkdir()
    browser.mkdir()
    return data, browser


def chosen(browser: Path, name: str, content: bytes) -> Path:
    """A file as gradio hands it over: a temporary copy under the name the browser gave."""
    folder = browser / uuid.uuid4().hex
    folder.mkdir()
    path = folder / name
    path.write_bytes(content)
    return path


def service(data: Path, ingest: FakeIngest, **limits: object) -> UploadService:
    return UploadService(data, UploadLimits(**limits), ingest, retry_s=0.01)  # type: ignore[arg-type]


@pytest.mark.parametrize(("given", "stored"), [
    ("../../etc/cron.d/evil.txt", "evil.txt"),
    ("C:\\Users\\张三\\晋城公报 2021（7）.PDF", "晋城公报_2021(7).pdf"),
    (".hidden.txt", "hidden.txt"),
    ("~$通知.docx", "通知.docx"),
    ("<img src=x onerror=alert(1)>.txt", "img_src_x_onerror_alert(1).txt"),
    ("<script>alert(1)</script>.txt", "script.txt"),  # after the last slash
    ("晋市政发〔2021〕3号.docx", "晋市政发〔2021〕3号.docx"),
    ("a\x00b\nc.txt", "a_b_c.txt"),
    ("....pdf", ""),
    ("公" * 300 + ".pdf", "公" * 120 + ".pdf"),
])
def test_safe_name_keeps_one_plain_component_without_paths_hidden_or_control_characters(given: str, stored: str) -> None:
    assert safe_name(given) == stored


def test_files_over_the_type_size_and_count_limits_are_refused_and_nothing_is_stored(folders: tuple[Path, Path]) -> None:
    data, browser = folders
    ingest = FakeIngest()
    uploads = service(data, ingest, max_bytes=1 * MB, max_files=4, suffixes=(".pdf", ".txt"))
    too_many = finished(uploads.submit([chosen(browser, f"{n}.txt", b"x") for n in range(5)]))
    assert too_many.state == "failed" and "一次最多上传4个文件" in (too_many.error or "")
    assert finished(uploads.submit([])).error == "请先选择要上传的文件。"
    job = finished(uploads.submit([chosen(browser, "a.docx", b"PK\x03\x04"), chosen(browser, "big.pdf", b"%PDF-" + b"0" * MB),
                                   chosen(browser, "empty.txt", b""), chosen(browser, "run.sh", b"rm -rf /")]))
    assert job.state == "done" and ingest.runs == []
    errors = {r.name: r.error for r in job.results}
    assert errors["a.docx"] == "只接受 .pdf、.txt 文件" and errors["run.sh"] == "只接受 .pdf、.txt 文件"
    assert "超过1 MB的上限" in (errors["big.pdf"] or "") and errors["empty.txt"] == "文件是空的"
    assert sorted(p.name for p in data.iterdir()) == [STAGING] and not any((data / STAGING).iterdir())


def test_an_accepted_file_is_stored_under_its_safe_name_ingested_and_reported(folders: tuple[Path, Path]) -> None:
    data, browser = folders
    ingest = FakeIngest()
    published: list[int] = []
    uploads = UploadService(data, UploadLimits(), ingest, on_published=lambda: published.append(1))
    job = finished(uploads.submit([chosen(browser, "../公报 2099-03.txt", b"text")]))
    assert job.state == "done" and ingest.runs == [["公报_2099-03.txt"]] and published == [1]
    assert job.results == [FileResult("公报_2099-03.txt", 1, 2)] and job.generation == 2
    assert (data / "公报_2099-03.txt").read_bytes() == b"text"


def test_a_name_stem_or_content_the_data_folder_has_is_refused_and_the_existing_file_is_untouched(folders: tuple[Path, Path]) -> None:
    data, browser = folders
    (data / "2099-03.txt").write_bytes(b"old issue")
    (data / "2099-04.pdf").write_bytes(b"%PDF- april")
    ingest = FakeIngest()
    job = finished(service(data, ingest).submit([
        chosen(browser, "2099-03.txt", b"a changed issue"),  # same name, other bytes: would replace the indexed file
        chosen(browser, "2099-04.docx", b"PK\x03\x04 april"),  # same issue in another format: ids would collide
        chosen(browser, "copy.txt", b"old issue"),  # a copy under another name
        chosen(browser, "2099-04.pdf", b"%PDF- april"),  # the very file again: nothing to do but say so
    ]))
    results = {r.name: r for r in job.results}
    assert "已有同名文件 2099-03.txt（内容不同）" in (results["2099-03.txt"].error or "")
    assert "已有文件 2099-04.pdf 与它同名" in (results["2099-04.docx"].error or "")
    assert "与已有文件 2099-03.txt 内容相同" in (results["copy.txt"].error or "")
    assert results["2099-04.pdf"] == FileResult("2099-04.pdf", 1, 2, unchanged=True)
    assert ingest.runs == [["2099-04.pdf"]]
    assert sorted(p.name for p in data.iterdir() if p.is_file()) == ["2099-03.txt", "2099-04.pdf"]
    assert (data / "2099-03.txt").read_bytes() == b"old issue"


def test_a_file_the_ingest_cannot_read_gets_its_error_and_leaves_the_data_folder_the_others_stay(folders: tuple[Path, Path]) -> None:
    data, browser = folders
    ingest = FakeIngest(fail=["locked.pdf"])
    job = finished(service(data, ingest).submit([chosen(browser, "locked.pdf", b"%PDF-x"), chosen(browser, "good.txt", b"ok")]))
    results = {r.name: r for r in job.results}
    assert results["locked.pdf"].error == "the PDF is encrypted with a password — ingest an unencrypted copy"
    assert results["good.txt"] == FileResult("good.txt", 1, 2)
    assert sorted(p.name for p in data.iterdir() if p.is_file()) == ["good.txt"]


def test_an_upload_waits_while_another_ingest_holds_the_lock_then_runs(folders: tuple[Path, Path]) -> None:
    data, browser = folders
    ingest = FakeIngest(busy=3)
    uploads = UploadService(data, UploadLimits(), ingest, retry_s=0.2)
    job = uploads.submit([chosen(browser, "a.txt", b"a")])
    deadline = time.monotonic() + 10
    while job.state != "waiting":
        assert time.monotonic() < deadline and not job.finished
        time.sleep(0.01)
    assert "等待另一个入库完成" in render_job(job)
    assert finished(job).state == "done" and ingest.runs == [["a.txt"]]


def test_two_uploads_at_once_queue_and_ingest_one_after_the_other(folders: tuple[Path, Path]) -> None:
    data, browser = folders
    hold = threading.Event()
    ingest = FakeIngest(hold=hold)
    uploads = service(data, ingest)
    first = uploads.submit([chosen(browser, "a.txt", b"a")])
    second = uploads.submit([chosen(browser, "b.txt", b"b")])
    time.sleep(0.2)
    assert second.state == "queued" and "排队中" in render_job(second)
    hold.set()
    assert finished(first).state == finished(second).state == "done"
    assert ingest.runs == [["a.txt"], ["b.txt"]]  # FakeIngest asserts the runs did not overlap


def test_the_report_lists_each_file_with_its_counts_or_its_error_escaped() -> None:
    job = UploadJob("j1", state="done", generation=5, seconds=3.2, results=[
        FileResult("bike.pdf", 2, 5), FileResult("x.pdf", error="named .pdf but the file is <b>text</b>")])
    html = render_job(job)
    assert "<td>bike.pdf</td><td>2</td><td>5</td><td>已入库</td>" in html
    assert "&lt;b&gt;text&lt;/b&gt;" in html and "<b>" not in html
    assert "1个文件入库，1个未入库；当前为第5代索引，用时3秒。" in html
    running = render_job(UploadJob("j2", state="embedding", done=3, total=8))
    assert "3/8 个片段" in running and '<progress value="3" max="8">' in running


def test_a_real_ingest_of_an_upload_adds_its_documents_and_a_hostile_file_loses_nothing(tmp_path: Path) -> None:
    data, browser = tmp_path / "data", tmp_path / "browser"
    data.mkdir()
    browser.mkdir()
    (data / "existing.txt").write_text(BIKE_NOTICE.replace("2099", "2098").replace("自行车", "汽车"), encoding="utf-8")
    settings = Settings(data_dir=data, index_dir=tmp_path / "index", collection_prefix=f"up-{uuid.uuid4().hex[:8]}")
    assert not run_ingest(settings, BigramEmbedder).failed
    _, docs_before, chunks_before = load_state(IndexFiles.of(settings))

    def ingest(paths: Sequence[Path], progress: Callable[[int, int], None], stage: Callable[[str], None]) -> IngestReport:
        return run_ingest(settings, BigramEmbedder, paths, progress=progress, on_stage=stage)

    job = finished(UploadService(data, UploadLimits(), ingest).submit([
        chosen(browser, "bike.txt", BIKE_NOTICE.encode("utf-8")),
        chosen(browser, "fake.pdf", b"this is text, not a PDF\n"),  # an extension that lies
        chosen(browser, "binary.txt", b"\x00\x01\x02garbage"),
    ]), timeout=120)
    results = {r.name: r for r in job.results}
    assert results["bike.txt"].error is None and results["bike.txt"].documents == 2 and results["bike.txt"].chunks >= 3
    assert "not a PDF" in (results["fake.pdf"].error or "") and "binary data" in (results["binary.txt"].error or "")
    _, docs, chunks = load_state(IndexFiles.of(settings))
    assert set(chunks_before) < set(chunks) and set(docs_before) < set(docs)
    assert {d.doc_number for d in docs.values()} == {"晋市政发〔2098〕7号", "晋市政发〔2099〕7号"}
    assert sorted(p.name for p in data.iterdir() if p.is_file()) == ["bike.txt", "existing.txt"]


def test_the_served_app_takes_uploads_up_to_the_limit_in_staff_mode_and_none_in_public_mode(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from app.documents import DocumentLibrary
    from app.feedback import FeedbackLog
    from app.server import build_server
    from tests.fakes import BlockingPipeline

    pipeline = BlockingPipeline()
    pipeline.release.set()
    codes = {}
    for public in (False, True):
        uploads = None if public else UploadService(tmp_path, UploadLimits(max_bytes=1000), FakeIngest())
        server = build_server(pipeline, DocumentLibrary({}, {}), public, feedback=FeedbackLog(tmp_path / "f.jsonl", "fp"),
                              keys=None, uploads=uploads)
        with TestClient(server) as client:
            codes[public] = [client.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * size, "text/plain")}).status_code
                             for size in (10, 5000)]
    assert codes == {False: [200, 413], True: [413, 413]}
