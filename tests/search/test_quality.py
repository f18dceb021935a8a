"""Regression guard of the ranking on the 100 labelled queries (tests/data/queries_*.jsonl).
Measured (docs/search.md): MRR@10 0.876, Recall@5 0.927 with the full analyser, on 2026-12-04 after the
numpy scorer (a synonym group scored by its best alternative in the same article) and phrases
matched on the text."""

from __future__ import annotations

import json

from app.search.backend import SearchRequest
from app.settings import PROJECT_ROOT

MEASURED_MRR = 0.876
MEASURED_RECALL = 0.927
MARGIN = 0.03


def evaluate(backend, synonyms: bool = True) -> tuple[float, float]:
    queries = [
        json.loads(line)
        for name in ("queries_a.jsonl", "queries_b.jsonl")
        for line in (PROJECT_ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    mrr = recall = 0.0
    for item in queries:
        result = backend.search(
            SearchRequest(
                item["q"],
                frozenset({"public", "customers", "internal"}),
                per_page=10,
                snippets=False,
                synonyms=synonyms,
                suggest=False,
            )
        )
        slugs = [hit.slug for hit in result.hits]
        mrr += next((1 / rank for rank, slug in enumerate(slugs, 1) if slug in item["relevant"]), 0.0)
        recall += len(set(slugs[:5]) & set(item["relevant"])) / len(item["relevant"])
    return mrr / len(queries), recall / len(queries)


def test_full_analyser_quality_does_not_regress(kb):
    mrr, recall = evaluate(kb)
    assert mrr >= MEASURED_MRR - MARGIN, mrr
    assert recall >= MEASURED_RECALL - MARGIN, recall
