"""The index format: what the ingest (the writer) writes and what `rag/`, `app/`, `evals/` and `bench/` read.

- `generations`: where one index keeps its files (`IndexFiles`), its published generation (`CURRENT`), the
  generations beside it, and `load_state` (manifest, documents, chunks of one generation);
- `manifest`: the typed manifest of a generation (`Manifest`, `FileEntry`), checked on read;
- `docstore`: documents and chunks as JSON Lines, written atomically;
- `keyword`: the keyword index (bm25s) and the relevance gate's bigram IDF;
- `store`: the Chroma collections of chunk vectors;
- `embedding`: the text that is embedded for a chunk (the writer embeds it, the reader ranks by it);
- `protocols`: what a reader needs of an embedder and a vector store (`Embedder`, `Store`), so they can be injected.

The records stored in it (`Document`, `Chunk`) are `ingest.records`. Nothing here imports the ingest pipeline.
"""
