"""The retrieval trace of one Answer, for staff: the question after rewriting, the filters, each retrieval leg's ranked
hits with scores, the fused list, what was widened, and notes. It renders the Answer the chat showed (no re-run)."""

from __future__ import annotations

from html import escape

from app.documents import DocumentLibrary
from rag.records import Answer

_LEG_NAMES = {"dense": "向量检索", "keyword": "关键词检索", "cell": "表格单元格", "dated": "大事记日期", "cross": "跨语言向量检索",
              "translated": "译词向量检索", "learned": "学习排序", "rerank": "重排序"}
_TIMINGS = {"retrieve_ms": "检索", "compose_ms": "组织回答", "total_ms": "合计"}
EMPTY = '<div class="trace empty">还没有回答。提问后，这里显示上一条回答的检索过程。</div>'


def _hits_table(hits: list[tuple[str, float]], keys: dict[str, str], widened: set[str], library: DocumentLibrary, limit: int) -> str:
    rows = []
    for rank, (cid, score) in enumerate(hits[:limit], start=1):
        key = keys.get(cid, "")
        mark = " ＋扩展" if cid in widened else ""
        rows.append(f"<tr><td class=\"n\">{rank}</td><td class=\"n\">{score:.4f}</td><td>{escape(key)}{escape(mark)}</td>"
                    f"<td>{escape(library.describe_chunk(cid))}</td><td class=\"id\">{escape(cid)}</td></tr>")
    more = f'<div class="more">另有{len(hits) - limit}条未列出</div>' if len(hits) > limit else ""
    return ("<div class=\"table-wrap\"><table><thead><tr><th>名次</th><th>分数</th><th>编号</th><th>片段</th><th>片段ID</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>{more}")


def render_trace(answer: Answer | None, library: DocumentLibrary, limit: int = 15) -> str:
    if answer is None:
        return EMPTY
    t = answer.trace
    keys = {p.chunk_id: p.key for p in answer.passages}
    widened = set(t.widened)
    facts = [
        ("问题", t.question),
        ("检索用的问题（改写后）", t.rewritten + ("" if t.rewritten != t.question else "（未改写）")
         + {"llm": "（大模型改写）", "offline": "（按上文补全）"}.get(t.rewritten_by, "" if t.rewritten_by == "none" else f"（{t.rewritten_by}）")),
        ("筛选条件", "；".join(f"{k}={v}" for k, v in t.filters.items()) or "无"),
        ("问题拆分", "；".join(f"（{n}）{part}" for n, part in enumerate(t.parts, start=1)) + "（各部分另行检索，各取最相关的条款）"
         if t.parts else "未拆分（作为一个问题检索）"),
        ("结果", "拒答（文件中没有答案）" if answer.refused else f"回答，引用{len(answer.citations)}处"),
        ("回答方式", "大模型" if answer.mode == "llm" else "离线摘录原文"),
        ("耗时", "，".join(f"{_TIMINGS.get(k, k)} {v:.0f} 毫秒" for k, v in answer.timings.items()) or "—"),
    ]
    if t.notes:
        facts.append(("说明", "；".join(t.notes)))
    if t.capped:
        facts.append(("近似重复", f"{len(t.capped)}条片段移到了后面：它们的文件是前面已有文件的近似副本（同一文本，城市、年份或文号不同）"))
    if answer.uncited_sentences:
        facts.append(("无引用的句子", " / ".join(answer.uncited_sentences)))
    if answer.invalid_citations:
        facts.append(("无效编号", "、".join(answer.invalid_citations)))
    head = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    parts = [f'<div class="trace"><dl class="meta">{head}</dl>']
    for leg, hits in t.legs.items():
        parts.append(f"<h4>{escape(_LEG_NAMES.get(leg, leg))}（{escape(leg)}，{len(hits)}条）</h4>")
        parts.append(_hits_table(hits, keys, widened, library, limit))
    if not t.legs:
        parts.append("<p>没有进行检索。</p>")
    parts.append(f"<h4>融合排序（RRF，{len(t.fused)}条）</h4>")
    parts.append(_hits_table(t.fused, keys, widened, library, limit))
    if widened:
        items = "".join(f"<li>{escape(keys.get(c, ''))} {escape(library.describe_chunk(c))}</li>" for c in t.widened)
        parts.append(f"<h4>扩展进来的片段（同一节的上级或并列条款，{len(widened)}条）</h4><ul>{items}</ul>")
    passages = "".join(
        f"<li>{escape(p.key)}{'（扩展）' if p.widened else ''} {escape(library.describe_chunk(p.chunk_id))} · {p.score:.4f}</li>"
        for p in answer.passages)
    parts.append(f"<h4>交给回答的片段（{len(answer.passages)}条，按顺序）</h4><ol>{passages}</ol></div>")
    return "".join(parts)
