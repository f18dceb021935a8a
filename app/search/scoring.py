"""BM25F over the postings of a Whoosh index, computed with numpy.

Whoosh's matchers walk every posting of every query term one Python call at a time: at 10,000
articles an OR of ten concepts with their synonyms over three fields cost 100-300 ms. Here the same
query is scored a posting list at a time: each term's postings are read from the Whoosh segment
once (block by block), kept as arrays, and scored with Whoosh's own BM25F formula and statistics
(idf, average field length, the stored weights and the byte-encoded field lengths), so the scores
are Whoosh's (``tests/search/test_scoring.py`` compares them). Whoosh still analyses, stores,
writes, merges and deletes.

Segments never change once written, so the arrays are cached per segment and survive a reopened
searcher; deletions are applied per searcher."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from whoosh import query as wq

# Document numbers in the segment (int32) and weights (float32, as Whoosh stores them): 8 bytes a posting.
Postings = tuple[np.ndarray, np.ndarray]
_EMPTY: Postings = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


class PostingCache:
    """Posting arrays, field lengths and stored phrase texts per segment, shared by the threads of a
    process.

    Bounded by the number of postings held (10 M: 80 MB); when full it is emptied (terms come back
    on demand)."""

    def __init__(self, max_postings: int = 10_000_000):
        self.max_postings = max_postings
        self._postings: dict[tuple[str, str, str], Postings] = {}
        self._lengths: dict[tuple[str, str], np.ndarray] = {}
        self._texts: dict[tuple[str, str], list[str]] = {}
        self._held = 0
        self._lock = threading.Lock()

    def postings(self, segment: str, reader, fieldname: str, text: str) -> Postings:
        key = (segment, fieldname, text)
        found = self._postings.get(key)
        if found is None:
            found = _read_postings(reader, fieldname, text)
            with self._lock:
                if self._held + len(found[0]) > self.max_postings:
                    self._postings.clear()
                    self._held = 0
                self._postings[key] = found
                self._held += len(found[0])
        return found

    def lengths(self, segment: str, reader, fieldname: str) -> np.ndarray:
        key = (segment, fieldname)
        found = self._lengths.get(key)
        if found is None:
            count = reader.doc_count_all()
            found = np.fromiter(
                (reader.doc_field_length(docnum, fieldname) for docnum in range(count)),
                dtype=np.float64,
                count=count,
            )
            with self._lock:
                if len(self._lengths) > 256:
                    self._lengths.clear()
                self._lengths[key] = found
        return found

    def stored(self, segment: str, reader, name: str) -> list[str]:
        """A stored text field of every document of a segment (read once: a phrase looks at all)."""
        key = (segment, name)
        found = self._texts.get(key)
        if found is None:
            found = [
                (reader.stored_fields(docnum).get(name) or "") if not reader.is_deleted(docnum) else ""
                for docnum in range(reader.doc_count_all())
            ]
            with self._lock:
                self._texts[key] = found
        return found

    def forget(self, live_segments: set[str]) -> None:
        """Drops the arrays of segments no longer in the index (merged away or a swapped index)."""
        with self._lock:
            for key in [k for k in self._postings if k[0] not in live_segments]:
                self._held -= len(self._postings.pop(key)[0])
            for table in (self._lengths, self._texts):
                for key in [k for k in table if k[0] not in live_segments]:
                    del table[key]


def _read_postings(reader, fieldname: str, text: str) -> Postings:
    """All postings of a term in one segment, deleted documents included (masked later)."""
    if (fieldname, text) not in reader:
        return _EMPTY
    matcher = reader.postings(fieldname, text)
    matcher = getattr(matcher, "child", matcher)  # a FilterMatcher hiding deletions: see the module doc
    ids: list = []
    weights: list = []
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        # Whoosh 3's on-disk leaf matcher: whole blocks at once instead of one call per posting.
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int32))
            weights.append(np.asarray(matcher._weights, dtype=np.float32))
            matcher._next_block()
        if not ids:
            return _EMPTY
        return np.concatenate(ids), np.concatenate(weights)
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)


class UnsupportedQuery(Exception):
    """A query type this scorer does not evaluate: the caller lets Whoosh run it."""


class VectorScorer:
    """Scores Whoosh queries against one searcher opened with ``BM25F`` (its B and K1 are used):
    ``scores(query)`` is an array with one score per document number (0 where none matches)."""

    def __init__(self, searcher, cache: PostingCache):
        self.searcher = searcher
        self.cache = cache
        self.B = searcher.weighting.B
        self.K1 = searcher.weighting.K1
        self.size = searcher.doc_count_all()
        self.leaves: list[tuple[str, object, int]] = []
        alive = np.ones(self.size, dtype=bool)
        for reader, offset in searcher.reader().leaf_readers():
            segment = reader.segment()
            name = segment.segment_id() if segment is not None else f"leaf-{id(reader)}"
            self.leaves.append((name, reader, offset))
            deleted = getattr(reader, "deleted_docs_set", None)
            if deleted:
                alive[offset + np.fromiter(deleted, dtype=np.int64)] = False
        self.alive = alive
        self._masks: dict[str, np.ndarray] = {}

    def segments(self) -> set[str]:
        return {name for name, _reader, _offset in self.leaves}

    def containing(self, name: str, keys: list[str], within: np.ndarray) -> np.ndarray:
        """Which documents of ``within`` (a mask) hold every one of ``keys`` in the stored field ``name``."""
        out = np.zeros(self.size, dtype=bool)
        for segment, reader, offset in self.leaves:
            texts = self.cache.stored(segment, reader, name)
            for local in np.flatnonzero(within[offset : offset + len(texts)]):
                text = texts[local]
                out[offset + local] = all(key in text for key in keys)
        return out

    # --- terms --------------------------------------------------------------------------------
    def term(self, fieldname: str, text: str, boost: float = 1.0) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float64)
        field = self.searcher.schema[fieldname] if fieldname in self.searcher.schema else None
        if field is None:
            return out
        scorable = field.scorable
        if scorable:
            idf = self.searcher.idf(fieldname, text)
            avgfl = self.searcher.avg_field_length(fieldname) or 1
            K1, B = self.K1, self.B
        for name, reader, offset in self.leaves:
            ids, stored = self.cache.postings(name, reader, fieldname, text)
            if not len(ids):
                continue
            weights = stored.astype(np.float64)  # Whoosh computes in double precision
            if scorable:
                lengths = self.cache.lengths(name, reader, fieldname)[ids]
                # whoosh.scoring.bm25, over arrays
                values = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avgfl)))
            else:
                values = weights
            out[offset + ids] = values
        if boost != 1.0:
            out *= boost
        return out

    # --- queries ------------------------------------------------------------------------------
    def scores(self, query: wq.Query) -> np.ndarray:
        """Scores of live documents for ``query``; deleted documents score 0."""
        return self._eval(query) * self.alive

    def mask(self, query: wq.Query) -> np.ndarray:
        """Which live documents match ``query`` (cached for this searcher: filters repeat)."""
        key = repr(query)
        found = self._masks.get(key)
        if found is None:
            if len(self._masks) > 1024:
                self._masks.clear()
            found = self._masks[key] = self.scores(query) > 0
        return found

    def _eval(self, query: wq.Query) -> np.ndarray:
        for kind, handler in _HANDLERS.items():
            if isinstance(query, kind):
                return handler(self, query)
        raise UnsupportedQuery(type(query).__name__)

    def _children(self, query) -> list[np.ndarray]:
        return [self._eval(sub) for sub in query.subqueries]


def _term(scorer: VectorScorer, query: wq.Term) -> np.ndarray:
    return scorer.term(query.fieldname, query.text, query.boost)


def _boosted(query, values: np.ndarray) -> np.ndarray:
    # Whoosh applies a compound query's boost only when it has two or more parts; here always.
    return values * query.boost if query.boost != 1.0 else values


def _or(scorer: VectorScorer, query: wq.Or) -> np.ndarray:
    children = scorer._children(query)
    if not children:
        return np.zeros(scorer.size)
    return _boosted(query, np.sum(children, axis=0) if len(children) > 1 else children[0])


def _and(scorer: VectorScorer, query: wq.And) -> np.ndarray:
    children = scorer._children(query)
    if not children:
        return np.zeros(scorer.size)
    total = np.sum(children, axis=0)
    every = np.logical_and.reduce([child > 0 for child in children])
    return _boosted(query, total * every)


def _dismax(scorer: VectorScorer, query: wq.DisjunctionMax) -> np.ndarray:
    children = scorer._children(query)
    if not children:
        return np.zeros(scorer.size)
    return _boosted(query, np.max(children, axis=0))


_HANDLERS: dict[type, Callable[[VectorScorer, wq.Query], np.ndarray]] = {
    wq.Term: _term,
    wq.Or: _or,
    wq.And: _and,
    wq.DisjunctionMax: _dismax,
}


def top(scores: np.ndarray, limit: int) -> np.ndarray:
    """Document numbers of the ``limit`` best scores, best first, ties by document number (as Whoosh)."""
    matched = np.flatnonzero(scores > 0)
    if not len(matched) or limit <= 0:
        return matched[:0]
    values = scores[matched]
    if len(matched) > limit * 4:
        kth = np.partition(values, len(values) - limit)[len(values) - limit]
        keep = values >= kth
        matched, values = matched[keep], values[keep]
    order = np.lexsort((matched, -values))
    return matched[order[:limit]]
