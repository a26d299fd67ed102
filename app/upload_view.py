"""The staff page's upload panel as HTML (escaped here): the limits, a job's progress, and its per-file report."""

from __future__ import annotations

from html import escape

from app.upload import MB, UploadJob, UploadLimits

_STATE = {
    "queued": "排队中：前面的上传入库后开始",
    "waiting": "等待另一个入库完成（同一索引一次只入库一批）",
    "reading": "正在读取文件（PDF 每页约 0.25 秒，扫描页需 OCR，更慢）",
    "embedding": "正在向量化",
    "writing": "正在写入并发布新索引",
    "done": "入库完成",
    "failed": "入库失败",
}


def limits_note(limits: UploadLimits) -> str:
    types = "、".join(limits.suffixes)
    return (f'<div class="upload-note">上传 {escape(types)} 文件（每个不超过{limits.max_bytes // MB} MB，一次最多'
            f"{limits.max_files}个），保存到数据目录并入库为新一代索引；完成后新问题即按新索引回答。</div>")


def render_job(job: UploadJob) -> str:
    """The job's state; when it is done, one row per file: documents, chunks, or the error."""
    state = _STATE.get(job.state, job.state)
    parts = [f'<div class="upload-job" data-state="{escape(job.state)}">']
    if job.state == "embedding" and job.total:
        parts.append(f'<p class="upload-state">{escape(state)}：{job.done}/{job.total} 个片段 '
                     f'<progress value="{job.done}" max="{job.total}"></progress></p>')
    else:
        parts.append(f'<p class="upload-state">{escape(state)}</p>')
    if job.error:
        parts.append(f'<p class="upload-error">{escape(job.error)}</p>')
    if job.finished and job.results:
        rows = []
        for r in job.results:
            outcome = escape(r.error) if r.error else ("已在文件库中，内容未变" if r.unchanged else "已入库")
            cls = "failed" if r.error else "ok"
            rows.append(f'<tr class="{cls}"><td>{escape(r.name)}</td><td>{r.documents}</td><td>{r.chunks}</td><td>{outcome}</td></tr>')
        parts.append('<table class="upload-report"><thead><tr><th>文件</th><th>公文（篇）</th><th>片段</th><th>结果</th></tr></thead>'
                     f"<tbody>{''.join(rows)}</tbody></table>")
        ok = [r for r in job.results if not r.error]
        summary = f"{len(ok)}个文件入库，{len(job.results) - len(ok)}个未入库"
        if job.generation is not None and ok:
            summary += f"；当前为第{job.generation}代索引"
        parts.append(f'<p class="upload-summary">{escape(summary)}，用时{job.seconds:.0f}秒。</p>')
    parts.append("</div>")
    return "".join(parts)
