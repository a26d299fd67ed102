"""Chunks as llama-index TextNodes: stable ids, flat metadata for filters, parent/previous/next relationships."""

from __future__ import annotations

from typing import Any

from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from ingest.records import Chunk, Document

# Metadata a caller can filter on (Chroma `where`): all scalar, never None.
FILTER_KEYS = ("city", "doc_type", "doc_number", "year", "valid_until", "kind", "doc_kind", "source_file")


def chunk_metadata(chunk: Chunk, doc: Document) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "doc_title": doc.title,
        "wrapper_title": doc.wrapper_title or "",
        "doc_number": doc.doc_number or "",
        "parent_doc_number": doc.parent_doc_number or "",
        "issuer": doc.issuer or "",
        "city": doc.city,
        "gazette": doc.gazette,
        "doc_type": doc.doc_type,
        "doc_kind": doc.kind,
        "date": doc.date.isoformat() if doc.date else "",
        "year": doc.date.year if doc.date else (chunk.event_date.year if chunk.event_date else 0),
        "valid_until": doc.validity.expires.isoformat() if doc.validity.expires else "",
        "path": chunk.path_str,
        "headings": " > ".join(chunk.headings),
        "kind": chunk.kind,
        "event_date": chunk.event_date.isoformat() if chunk.event_date else "",
        "source_file": doc.source_file,
        "line_start": chunk.line_start,
        "line_end": chunk.line_end,
        "start": chunk.start,
        "end": chunk.end,
        "ordinal": chunk.ordinal,
    }
    return meta


def to_node(chunk: Chunk, doc: Document, embedding: list[float] | None = None) -> TextNode:
    relationships: dict[NodeRelationship, RelatedNodeInfo] = {
        NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc.doc_id),
    }
    if chunk.parent_id:
        relationships[NodeRelationship.PARENT] = RelatedNodeInfo(node_id=chunk.parent_id)
    if chunk.prev_id:
        relationships[NodeRelationship.PREVIOUS] = RelatedNodeInfo(node_id=chunk.prev_id)
    if chunk.next_id:
        relationships[NodeRelationship.NEXT] = RelatedNodeInfo(node_id=chunk.next_id)
    meta = chunk_metadata(chunk, doc)
    return TextNode(
        id_=chunk.chunk_id,
        text=chunk.text,
        metadata=meta,
        relationships=relationships,
        embedding=embedding,
        excluded_embed_metadata_keys=list(meta),  # we embed title + headings + text ourselves, on purpose
        excluded_llm_metadata_keys=[k for k in meta if k not in ("doc_title", "doc_number", "path")],
    )
