"""The page's own CSS and JavaScript, inline (the page loads no external assets).

CSS goes into gr.HTML's css_template, which gradio scopes to the component (nested under its id); it passes through a
template engine, so it must not contain backticks, "${" or "{{". The JavaScript runs once per component (js_on_load)
and works by event delegation, so it keeps working when the component's HTML is re-rendered.
"""

from __future__ import annotations

CSS = """
.chat, .browser, .trace { font-size: 15px; line-height: 1.65; color: #1f2328; }
.chat, .browser, .trace { background: #fff; border-radius: 8px; padding: 8px; }
ul, ol { margin: 4px 0 4px 1.4em; padding: 0; }
h4 { font-size: 15px; font-weight: 600; }
.welcome { padding: 14px 16px; border-radius: 10px; background: #f4f6fa; color: #333; }
.turn { margin: 0 0 18px; }
.q { display: flex; gap: 8px; align-items: flex-start; margin: 0 0 8px; }
.who { flex: none; background: #2f6fd0; color: #fff; border-radius: 6px; padding: 0 7px; font-size: 13px; line-height: 24px; }
.qtext { white-space: pre-wrap; overflow-wrap: anywhere; font-weight: 600; }
.a { border-radius: 10px; padding: 10px 14px; overflow-wrap: anywhere; }
.a.answer { background: #f7f9fc; border: 1px solid #dde4ee; }
.a.refusal { background: #fff8e6; border: 2px dashed #d9a400; }
.a.notice { background: #fdeeee; border: 1px solid #e3a5a5; color: #8a1f1f; }
.badge { display: inline-block; background: #d9a400; color: #fff; border-radius: 6px; padding: 0 8px; font-size: 13px; margin-bottom: 6px; }
.reason { font-size: 13px; color: #8a6d00; margin-bottom: 6px; }
.status { color: #666; font-style: italic; }
p.ln { margin: 0 0 6px; }
a.cite { color: #1d5fc1; font-weight: 600; text-decoration: none; border-bottom: 1px dotted #1d5fc1; cursor: pointer; }
.cite.invalid { color: #b00020; text-decoration: line-through; }
.sources { margin-top: 10px; border-top: 1px solid #dde4ee; padding-top: 8px; }
.sources-h, .leads-h { font-size: 13px; color: #555; margin-bottom: 6px; }
details.card { border: 1px solid #cfd8e6; border-radius: 8px; margin: 6px 0; background: #fff; }
details.card.is-lapsed { border-color: #e0a040; }
details.card > summary { cursor: pointer; padding: 6px 10px; font-size: 14px; }
details.card.flash { box-shadow: 0 0 0 3px #9cc0ff; }
.key { display: inline-block; background: #1d5fc1; color: #fff; border-radius: 4px; padding: 0 5px; font-size: 12px; }
.lapsed-flag { background: #e0a040; color: #fff; border-radius: 4px; padding: 0 5px; font-size: 12px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 4px 10px; font-size: 14px; }
dl.meta dt { color: #666; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.lapsed, .warn { margin: 6px 10px; padding: 6px 10px; background: #fff3dc; border-left: 4px solid #e0a040; font-size: 14px; }
.lapsed-text { color: #a05a00; }
blockquote.passage { margin: 6px 10px; padding: 6px 10px; border-left: 4px solid #9db4d6; background: #f7f9fc; white-space: pre-wrap; font-size: 14px; }
mark.quote { background: #ffe58a; color: inherit; padding: 0 1px; }
mark.clause { background: #e3eeff; color: inherit; }
button.open-doc, button.close-doc, button.to-clause { margin: 4px 10px 8px; padding: 2px 10px; border: 1px solid #9db4d6; border-radius: 6px; background: #fff; color: #1d5fc1; cursor: pointer; font-size: 13px; }
.doc-view:empty, .doc-view[hidden] { display: none; }
.doc-view { margin: 4px 10px 10px; border: 1px solid #cfd8e6; border-radius: 8px; background: #fff; }
.doc-view-head { padding: 6px 10px; border-bottom: 1px solid #dde4ee; font-size: 14px; display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; }
.doc-view-meta { color: #555; }
.doc-body { position: relative; max-height: 55vh; overflow-y: auto; padding: 8px 12px; white-space: pre-wrap; font-size: 14px; overflow-wrap: anywhere; }
.leads ul { margin: 4px 0 0 1.2em; padding: 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #e3e8ef; padding: 4px 6px; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
td.id { font-family: monospace; font-size: 12px; color: #777; }
tr[data-doc] { cursor: pointer; }
tr[data-doc]:hover { background: #f0f5ff; }
.doc-search { width: 100%; max-width: 420px; padding: 6px 10px; border: 1px solid #cfd8e6; border-radius: 6px; margin-bottom: 6px; }
.doc-count, .more { font-size: 13px; color: #666; margin: 4px 0; }
.trace h4 { margin: 14px 0 4px; }
@media (max-width: 600px) {
  .chat, .browser, .trace { font-size: 14px; }
  .a { padding: 8px 10px; }
  blockquote.passage, .doc-view, .lapsed, .warn { margin-left: 4px; margin-right: 4px; }
}
"""

JS = """
const scrollToClause = (holder) => {
  const body = holder.querySelector('.doc-body');
  const mark = holder.querySelector('mark.clause');
  if (body) body.scrollTop = mark ? Math.max(0, mark.offsetTop - 24) : 0;
};
const openDoc = async (btn, holder) => {
  if (!holder) return;
  const d = btn.dataset;
  const key = [d.doc, d.chunk || '', d.qs || '', d.qe || ''].join('|');
  if (holder.dataset.key === key && holder.querySelector('.doc-view-inner')) {
    holder.hidden = !holder.hidden;
    if (!holder.hidden) scrollToClause(holder);
    return;
  }
  holder.hidden = false;
  holder.textContent = '正在加载全文……';
  try {
    holder.innerHTML = await server.document_view({doc: d.doc, chunk: d.chunk || '', qs: d.qs || '', qe: d.qe || ''});
    holder.dataset.key = key;
  } catch (e) {
    holder.textContent = '全文加载失败，请稍后再试。';
    return;
  }
  holder.scrollIntoView({block: 'nearest'});
  scrollToClause(holder);
};
const holderFor = (btn) => {
  const next = btn.nextElementSibling;
  return next && next.classList.contains('doc-view') ? next : element.querySelector('.reader');
};
element.addEventListener('click', (ev) => {
  const t = ev.target;
  const cite = t.closest('a.cite[data-card]');
  if (cite) {
    ev.preventDefault();
    const card = element.querySelector('#' + CSS.escape(cite.dataset.card));
    if (!card) return;
    card.open = true;
    card.classList.remove('flash');
    void card.offsetWidth;
    card.classList.add('flash');
    card.scrollIntoView({behavior: 'smooth', block: 'nearest'});
    return;
  }
  const back = t.closest('button.to-clause');
  if (back) {
    const holder = back.closest('.doc-view');
    if (holder) scrollToClause(holder);
    return;
  }
  const close = t.closest('button.close-doc');
  if (close) {
    const holder = close.closest('.doc-view');
    if (holder) holder.hidden = true;
    return;
  }
  const btn = t.closest('button.open-doc');
  if (btn) {
    ev.preventDefault();
    openDoc(btn, holderFor(btn));
    return;
  }
  const row = t.closest('tr[data-doc]');
  if (row) openDoc(row, element.querySelector('.reader'));
});
element.addEventListener('keydown', (ev) => {
  const row = ev.target.closest && ev.target.closest('tr[data-doc]');
  if (row && ev.key === 'Enter') openDoc(row, element.querySelector('.reader'));
});
element.addEventListener('input', (ev) => {
  if (!ev.target.classList.contains('doc-search')) return;
  const q = ev.target.value.trim().toLowerCase();
  let shown = 0;
  element.querySelectorAll('tr[data-doc]').forEach((r) => {
    const hit = !q || r.dataset.search.includes(q);
    r.hidden = !hit;
    if (hit) shown += 1;
  });
  const count = element.querySelector('.doc-count');
  if (count) count.textContent = q ? ('找到' + shown + '件文件。点击一行阅读全文。') : ('共' + shown + '件文件。点击一行阅读全文。');
});
"""
