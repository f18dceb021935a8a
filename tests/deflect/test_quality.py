"""Ranking quality on the labelled sets must not fall below what was measured (docs/deflect.md),
and the hybrid must beat BM25 alone and TF-IDF alone."""

from __future__ import annotations

import pytest

from app.deflect.evaluation import load_cases, measure
from app.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
# Measured 2026-12-03 (MRR@10, Recall@5) for the hybrid, less a small margin for noise.
FLOORS = {"queries": (0.885, 0.94), "faults": (0.96, 0.93)}


@pytest.mark.slow
def test_hybrid_beats_both_signals_and_keeps_its_numbers(full_kb):
    engine = full_kb
    for name, (mrr_floor, recall_floor) in FLOORS.items():
        cases = load_cases(sorted(DATA.glob(f"{name}_*.jsonl")))
        assert len(cases) >= 60

        def ranking(**flags):
            def rank(text, product_model):
                return [slug for slug, _s, _w in engine.ranked(text, product_model=product_model or "",
                                                              reader="customer", limit=10, **flags)]
            return rank

        hybrid = measure(ranking(), cases)
        bm25 = measure(ranking(use_tfidf=False), cases)
        tfidf = measure(ranking(use_bm25=False), cases)
        assert hybrid.mrr_at_10 >= mrr_floor, (name, hybrid)
        assert hybrid.recall_at_5 >= recall_floor, (name, hybrid)
        assert hybrid.mrr_at_10 > bm25.mrr_at_10 and hybrid.mrr_at_10 > tfidf.mrr_at_10, (
            name, hybrid, bm25, tfidf)
