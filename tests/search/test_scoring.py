"""The numpy BM25F scorer against Whoosh's own matchers: the same scores on the shipped knowledge
base, across segments and deletions; the synonym groups scored as the best alternative; any other
query type handed back to Whoosh."""

from __future__ import annotations

import json

import numpy as np
import pytest
from whoosh import query as wq

from app.search.analysis import init_analyser
from app.search.backend import SearchFilters, WhooshBackend
from app.search.documents import SearchDocument, search_document
from app.search.queries import build_query
from app.search.records import article_input, read_records
from app.search.scoring import PostingCache, VectorScorer, top
from app.settings import PROJECT_ROOT

DICT = PROJECT_ROOT / "content" / "dict"
ALL = frozenset({"public", "customers", "internal"})


def shipped() -> list[SearchDocument]:
    return [
        search_document(article_input(record.data), lambda code: None)
        for folder in ("solutions", "documents")
        for record in read_records(PROJECT_ROOT / "content" / folder)
    ]


def labelled_queries() -> list[str]:
    return [
        json.loads(line)["q"]
        for name in ("queries_a.jsonl", "queries_b.jsonl")
        for line in (PROJECT_ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    """The shipped articles, written in three commits (three segments), one deleted afterwards."""
    root = tmp_path_factory.mktemp("scoring")
    backend = WhooshBackend(root / "index", init_analyser(DICT, root / "jieba"))
    articles = shipped()
    backend.rebuild(articles[:40])
    backend.index(articles[40:70])
    backend.index(articles[70:])
    backend.remove([articles[3].slug])
    yield backend
    backend.close()


def whoosh_scores(searcher, query) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(query, limit=None, optimize=False)}


def test_the_index_under_test_has_several_segments_and_a_deletion(kb):
    searcher = kb.searcher()
    assert len(searcher.reader().leaf_readers()) >= 2
    assert searcher.doc_count() < searcher.doc_count_all()


def test_scores_equal_whooshs_on_the_labelled_queries(kb):
    searcher, scorer = kb.searcher(), kb.scorer()
    compared = 0
    for text in labelled_queries():
        # Without synonyms: Whoosh's DisjunctionMax scores wrongly (see the next test).
        query = build_query(kb.parse(text, synonyms=False), searcher.doc_frequency)
        if query is None:
            continue
        expected = whoosh_scores(searcher, query)
        scores = scorer.scores(query)
        assert set(np.flatnonzero(scores).tolist()) == set(expected), text
        for docnum, score in expected.items():
            assert scores[docnum] == pytest.approx(score, rel=1e-9), text
        ranked = [hit.docnum for hit in searcher.search(query, limit=10, optimize=False)]
        assert top(scores, 10).tolist() == ranked, text
        compared += 1
    assert compared >= 95


def test_a_synonym_group_scores_its_best_alternative_in_the_same_document(kb):
    """Whoosh's DisjunctionMaxMatcher returns max(a.score(), b.score()) even when its two sides stand
    on different documents, so a document can get another document's score. Here each document gets
    the best of its own alternatives."""
    scorer = kb.scorer()
    alternatives = [
        wq.Term("content", "噪音"),
        wq.Term("content", "异响"),
        wq.Term("title", "异响", boost=2.0),
    ]
    parts = np.array([scorer.scores(q) for q in alternatives])
    combined = scorer.scores(wq.DisjunctionMax(alternatives))
    assert np.count_nonzero(combined) > 5
    assert np.allclose(combined, parts.max(axis=0))


def test_and_needs_every_part_and_adds_their_scores(kb):
    scorer = kb.scorer()
    a, b = wq.Term("content", "压缩机"), wq.Term("content", "异响")
    both = scorer.scores(wq.And([a, b]))
    sa, sb = scorer.scores(a), scorer.scores(b)
    assert np.count_nonzero(both) == np.count_nonzero((sa > 0) & (sb > 0)) > 0
    assert np.allclose(both, np.where((sa > 0) & (sb > 0), sa + sb, 0.0))


def test_deleted_articles_never_score(kb):
    searcher, scorer = kb.searcher(), kb.scorer()
    deleted = [n for n in range(searcher.doc_count_all()) if searcher.reader().is_deleted(n)]
    assert deleted
    scores = scorer.scores(wq.Or([wq.Term("content", t) for t in ("压缩机", "电机", "安装", "检查")]))
    assert not scores[deleted].any()


def test_a_query_type_build_query_never_makes_is_scored_by_whoosh(kb):
    query = wq.Prefix("content", "压缩")
    customer = frozenset({"public", "customers"})
    scores = kb._scores(kb.scorer(), query, kb._filter(customer, SearchFilters()))
    searcher = kb.searcher()
    internal = set(searcher.docs_for_query(wq.Term("visibility", "internal")))
    expected = {n: s for n, s in whoosh_scores(searcher, query).items() if n not in internal}
    assert internal and expected  # the filter has something to take out, and something is left
    assert {int(n): scores[n] for n in np.flatnonzero(scores)} == pytest.approx(expected)


def test_a_full_posting_cache_empties_and_reads_again(kb):
    searcher = kb.searcher()
    small = VectorScorer(searcher, PostingCache(max_postings=50))
    query = wq.Or([wq.Term("content", t) for t in ("压缩机", "异响", "电容", "安装")])
    unbounded = VectorScorer(searcher, PostingCache())
    first = small.scores(query)
    assert np.allclose(first, unbounded.scores(query))
    # The query reads more postings than the bound lets the cache keep: it had to empty on the way.
    assert unbounded.cache._held > 50 and small.cache._held < unbounded.cache._held
    assert np.array_equal(first, small.scores(query))


def test_top_breaks_ties_by_document_number():
    scores = np.array([0.0, 2.0, 5.0, 2.0, 0.0, 5.0, 1.0])
    assert top(scores, 4).tolist() == [2, 5, 1, 3]
    assert top(scores, 10).tolist() == [2, 5, 1, 3, 6]
    assert top(np.zeros(3), 5).tolist() == []
