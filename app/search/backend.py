"""The search index behind a small protocol, and its Whoosh + jieba implementation.

The database is the source of truth; the index is a cache of the published articles. Layout of
``ISUPPORT_INDEX_DIR``: ``_gen-<ns>/`` directories holding Whoosh indexes and a ``_current``
symlink naming the live one, so a rebuild writes a fresh directory and swaps the link atomically.
Writers from several processes take Whoosh's file lock in turn (waiting, never failing a user);
each thread keeps one open searcher and refreshes it only when the index changed."""

from __future__ import annotations

import gc
import logging
import os
import shutil
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from markupsafe import Markup
from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.scoring import BM25F

from .analysis import JiebaTokenizer, Synonyms, normalise, phrase_key
from .documents import SearchDocument, plain_text
from .queries import ParsedQuery, build_query, parse_query
from .scoring import PostingCache, UnsupportedQuery, VectorScorer, top
from .snippets import make_snippet

log = logging.getLogger(__name__)

TITLE_BOOST = 2.5
SYMPTOM_BOOST = 1.8
VISIBILITIES = ("public", "customers", "internal")
KINDS = ("solution", "document")
FACET_FIELDS = ("kind", "products", "refrigerants", "fault_codes")
BM25_B = 0.75
BM25_K1 = 1.2


@dataclass(frozen=True)
class SearchFilters:
    kind: str | None = None
    product: str | None = None  # a model code or a series code
    refrigerant: str | None = None
    fault_code: str | None = None


@dataclass(frozen=True)
class SearchRequest:
    text: str
    visibilities: frozenset[str]
    filters: SearchFilters = SearchFilters()
    page: int = 1
    per_page: int = 10
    facets: bool = False
    snippets: bool = True
    synonyms: bool = True
    suggest: bool = True


@dataclass(frozen=True)
class Hit:
    slug: str
    title: str
    kind: str
    visibility: str
    score: float
    snippet: Markup = Markup("")


@dataclass
class SearchResults:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    empty_query: bool = False  # the text had nothing searchable (empty, punctuation, stop words)
    terms: list[str] = field(default_factory=list)


class SearchBackend(Protocol):
    """What the portal needs of a search engine."""

    def index(self, documents: Sequence[SearchDocument]) -> None: ...
    def remove(self, slugs: Sequence[str]) -> None: ...
    def rebuild(self, documents: Iterable[SearchDocument], procs: int = 1) -> int: ...
    def search(self, request: SearchRequest) -> SearchResults: ...
    def candidates(
        self, text: str, visibilities: Iterable[str], limit: int = 50
    ) -> list[tuple[str, float]]: ...
    def suggest_titles(
        self, text: str, visibilities: Iterable[str], limit: int = 8
    ) -> list[tuple[str, str]]: ...


def build_schema(plain: bool = False) -> Schema:
    """The index schema. ``plain`` uses Whoosh's default analyser everywhere (the benchmark's baseline)."""
    words = StandardAnalyzer() if plain else JiebaTokenizer()
    return Schema(
        slug=ID(stored=True, unique=True),
        title=TEXT(analyzer=words, stored=True, phrase=False, field_boost=TITLE_BOOST),
        symptom=TEXT(analyzer=words, phrase=False, field_boost=SYMPTOM_BOOST),
        content=TEXT(analyzer=words, phrase=False),
        kind=ID(stored=True),
        visibility=ID(stored=True),
        products=KEYWORD(lowercase=True, commas=True, scorable=False),
        refrigerants=KEYWORD(lowercase=True, commas=True, scorable=False),
        fault_codes=KEYWORD(lowercase=True, commas=True, scorable=False),
        text=STORED(),
        phrase_key=STORED(),
    )


def index_fields(doc: SearchDocument) -> dict:
    """The Whoosh fields of a search document (a pure function)."""
    content = "\n".join(
        filter(
            None,
            [
                doc.title,
                doc.symptom,
                doc.cause,
                doc.action,
                doc.body,
                " ".join(doc.tags),
                " ".join(doc.products),
                " ".join(doc.refrigerants),
                " ".join(doc.fault_codes),
            ],
        )
    )
    return {
        "slug": doc.slug,
        "title": doc.title,
        "symptom": doc.symptom,
        # Everything; the title and symptom also have boosted fields of their own (BM25F-style).
        "content": content,
        "kind": doc.kind,
        "visibility": doc.visibility,
        "products": ",".join(p.lower() for p in doc.products),
        "refrigerants": ",".join(r.lower() for r in doc.refrigerants),
        "fault_codes": ",".join(c.lower() for c in doc.fault_codes),
        "text": doc.snippet_source(),
        # What a quoted phrase is compared with: the whole text, its Markdown taken out.
        "phrase_key": phrase_key(
            "\n".join(filter(None, [doc.title, doc.symptom, doc.cause, doc.action, plain_text(doc.body)]))
        ),
    }


class WhooshBackend:
    """Whoosh index with the jieba analyser in ``index_dir`` (see the module docstring)."""

    def __init__(
        self,
        index_dir: Path,
        synonyms: Synonyms | None = None,
        series_of: Callable[[str], str | None] = lambda code: None,
        loader: Callable[[], Iterable[SearchDocument]] | None = None,
        plain: bool = False,
        lock_wait: float = 60.0,
    ):
        self.index_dir = Path(index_dir)
        self.synonyms = synonyms or Synonyms.empty()
        self.series_of = series_of
        self.loader = loader  # the published articles, for recovery of a missing index
        self.plain = plain
        self.lock_wait = lock_wait
        self._local = threading.local()
        self._recover_lock = threading.Lock()
        self._postings = PostingCache()

    # --- where the live index is ------------------------------------------------------------
    @property
    def link(self) -> Path:
        return self.index_dir / "_current"

    def current_dir(self) -> Path | None:
        try:
            target = os.readlink(self.link)
        except OSError:
            return None
        path = self.index_dir / target
        return path if path.is_dir() else None

    def is_healthy(self) -> bool:
        directory = self.current_dir()
        if directory is None:
            return False
        problem = None
        with warnings.catch_warnings():
            # Whoosh leaves the file of a corrupt table of contents open: it is closed when the
            # exception goes, with a ResourceWarning that says nothing we do not log here.
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                ix = windex.open_dir(str(directory))
                with ix.searcher() as searcher:
                    searcher.doc_count()
                ix.close()
            except Exception as error:  # noqa: BLE001 - any failure to read means "rebuild it"
                problem = str(error) or error.__class__.__name__
            gc.collect()
        if problem is None:
            return True
        log.warning("search index at %s is unreadable: %s", directory, problem)
        return False

    def ensure(self) -> bool:
        """Rebuilds from the database when the index is missing or unreadable. True if it rebuilt."""
        if self.is_healthy():
            return False
        with self._recover_lock:
            if self.is_healthy():
                return False
            if self.loader is None:
                self._create_empty()
                return True
            log.warning(
                "search index in %s missing or unreadable: rebuilding from the database", self.index_dir
            )
            count = self.rebuild(self.loader())
            log.warning("search index rebuilt: %d articles", count)
            return True

    def _create_empty(self) -> None:
        directory = self._new_generation()
        windex.create_in(str(directory), build_schema(self.plain)).close()
        self._swap(directory)

    def _new_generation(self) -> Path:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        directory = self.index_dir / f"_gen-{time.time_ns()}-{os.getpid()}"
        directory.mkdir()
        return directory

    def _swap(self, directory: Path) -> None:
        temp = self.index_dir / f"_current.tmp-{os.getpid()}-{threading.get_ident()}"
        if temp.is_symlink():
            temp.unlink()
        os.symlink(directory.name, temp)
        os.replace(temp, self.link)  # atomic: readers see the old or the new index, never none
        keep = {directory.name}
        generations = sorted(self.index_dir.glob("_gen-*"), key=lambda p: p.stat().st_mtime, reverse=True)
        # Keep the newest previous generation: another process may still be reading it.
        for old in [g for g in generations if g.name not in keep][1:]:
            shutil.rmtree(old, ignore_errors=True)

    def _open(self):
        directory = self.current_dir()
        if directory is None:
            self.ensure()
            directory = self.current_dir()
        return directory, windex.open_dir(str(directory))

    # --- reading ------------------------------------------------------------------------------
    def searcher(self):
        """This thread's open searcher, refreshed only when the index changed or was swapped."""
        local = self._local
        directory = self.current_dir()
        cached = getattr(local, "searcher", None)
        if cached is not None and local.directory == directory and directory is not None:
            try:
                if cached.up_to_date():
                    return cached
                # Not Searcher.refresh(): it reuses segment readers and can miss new deletions.
            except Exception:  # noqa: BLE001 - a swapped or damaged index: open afresh below
                log.info("search index changed under an open searcher; reopening")
        if cached is not None:
            cached.close()
            local.searcher = None
        broken = False
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # see is_healthy
            try:
                directory, ix = self._open()
                local.searcher = ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1))
            except Exception as error:  # noqa: BLE001
                log.warning("search index unreadable (%s): rebuilding", str(error))
                broken = True
            gc.collect()
        if broken:
            if self.link.is_symlink():
                self.link.unlink()
            self.ensure()
            directory, ix = self._open()
            local.searcher = ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1))
        local.directory = directory
        local.titles = None
        local.scorer = VectorScorer(local.searcher, self._postings)
        self._postings.forget(local.scorer.segments())
        return local.searcher

    def scorer(self) -> VectorScorer:
        """The numpy BM25F scorer over this thread's open searcher (see scoring.py)."""
        self.searcher()
        return self._local.scorer

    def close(self) -> None:
        cached = getattr(self._local, "searcher", None)
        if cached is not None:
            cached.close()
            self._local.searcher = None

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    def _filter(self, visibilities: Iterable[str], filters: SearchFilters) -> wq.Query:
        clauses: list[wq.Query] = [wq.Or([wq.Term("visibility", v) for v in sorted(set(visibilities))])]
        if filters.kind:
            clauses.append(wq.Term("kind", filters.kind))
        if filters.product:
            code = normalise_code(filters.product)
            series = self.series_of(code.upper())
            options = [wq.Term("products", code)] + ([wq.Term("products", series.lower())] if series else [])
            clauses.append(wq.Or(options))
        if filters.refrigerant:
            clauses.append(wq.Term("refrigerants", normalise_code(filters.refrigerant)))
        if filters.fault_code:
            clauses.append(wq.Term("fault_codes", normalise_code(filters.fault_code)))
        return wq.And(clauses)

    def parse(self, text: str, synonyms: bool = True) -> ParsedQuery:
        return parse_query(text, self.synonyms if synonyms else None)

    def search(self, request: SearchRequest) -> SearchResults:
        parsed = self.parse(request.text, request.synonyms)
        result = SearchResults(
            total=0, page=request.page, per_page=request.per_page, hits=[], terms=parsed.highlight_terms()
        )
        if not request.visibilities:
            return result
        scorer = self.scorer()
        searcher = scorer.searcher
        query = build_query(parsed, searcher.doc_frequency)
        if query is None:
            result.empty_query = True
            return result
        flt = self._filter(request.visibilities, request.filters)
        limit = request.page * request.per_page
        scores = self._scores(scorer, query, flt)
        if parsed.phrases:
            holding = scorer.containing("phrase_key", [p.key for p in parsed.phrases], scorer.mask(flt))
            # An article holding the phrase matches even if jieba cut its words differently there.
            scores = np.where(holding, np.maximum(scores, 1e-6), 0.0)
        result.total = int(np.count_nonzero(scores))
        start = (request.page - 1) * request.per_page
        for docnum in top(scores, limit)[start:limit]:
            stored = searcher.stored_fields(int(docnum))
            snippet = make_snippet(stored.get("text", ""), result.terms) if request.snippets else Markup("")
            result.hits.append(
                Hit(
                    slug=stored["slug"],
                    title=stored["title"],
                    kind=stored["kind"],
                    visibility=stored["visibility"],
                    score=round(float(scores[docnum]), 4),
                    snippet=snippet,
                )
            )
        if request.facets:
            result.facets = self._facets(scorer, scores > 0)
        if request.suggest and result.total < 3 and not parsed.phrases:
            result.suggestion = self._did_you_mean(searcher, parsed)
        return result

    def _scores(self, scorer: VectorScorer, query: wq.Query, flt: wq.Query) -> np.ndarray:
        """BM25F scores of the documents the filter allows (0 elsewhere)."""
        try:
            return scorer.scores(query) * scorer.mask(flt)
        except UnsupportedQuery:  # a query build_query never makes: Whoosh scores it, slowly
            log.warning("query %r scored by Whoosh's matcher", query)
            scores = np.zeros(scorer.size)
            allowed = set(np.flatnonzero(scorer.mask(flt)).tolist())
            for hit in scorer.searcher.search(query, limit=None, filter=allowed):
                scores[hit.docnum] = hit.score
            return scores

    def candidates(self, text: str, visibilities: Iterable[str], limit: int = 50) -> list[tuple[str, float]]:
        """BM25 candidates for a text: (slug, score), best first; no snippets, no counts."""
        visibilities = list(visibilities)
        if not visibilities:
            return []
        scorer = self.scorer()
        searcher = scorer.searcher
        query = build_query(self.parse(text), searcher.doc_frequency)
        if query is None:
            return []
        scores = self._scores(scorer, query, self._filter(visibilities, SearchFilters()))
        return [
            (searcher.stored_fields(int(docnum))["slug"], float(scores[docnum]))
            for docnum in top(scores, limit)
        ]

    def _facets(self, scorer: VectorScorer, matched: np.ndarray) -> dict[str, list[tuple[str, int]]]:
        facets: dict[str, list[tuple[str, int]]] = {}
        if not matched.any():
            return facets
        reader = scorer.searcher.reader()
        for name in FACET_FIELDS:
            counts = []
            for value in reader.field_terms(name):
                count = int(np.count_nonzero(matched & scorer.mask(wq.Term(name, value))))
                if count:
                    counts.append((value.upper() if name != "kind" else value, count))
            facets[name] = sorted(counts, key=lambda item: (-item[1], item[0]))
        return facets

    def _did_you_mean(self, searcher, parsed: ParsedQuery) -> str | None:
        """A corrected query when a word of the query is unknown to the index and a near one exists."""
        changed = False
        text = normalise(parsed.text)
        corrector = searcher.corrector("content")
        for concept in parsed.concepts:
            if len(concept.alternatives) != 1 or len(concept.alternatives[0]) != 1:
                continue
            token = concept.alternatives[0][0]
            if (
                len(token) < 2
                or searcher.doc_frequency("content", token)
                or searcher.doc_frequency("title", token)
            ):
                continue
            # prefix=1: Whoosh compares the word with every indexed term from the prefix on, in
            # Python; over a varied vocabulary of 10,000 articles a full scan took over a second.
            options = corrector.suggest(token, limit=1, maxdist=2 if token.isascii() else 1, prefix=1)
            if options and options[0] != token:
                text = text.replace(token, options[0]) if token in text else f"{text} {options[0]}"
                changed = True
        return text.strip() if changed else None

    def suggest_titles(self, text: str, visibilities: Iterable[str], limit: int = 8) -> list[tuple[str, str]]:
        """Titles for the search box as the user types: (slug, title), titles containing the text first,
        then titles sharing most of its character bigrams."""
        wanted = normalise(text).strip()
        visibilities = set(visibilities)
        if not wanted or not visibilities:
            return []
        searcher = self.searcher()
        titles = getattr(self._local, "titles", None)
        if titles is None:
            titles = [
                (f["slug"], f["title"], f["visibility"], normalise(f["title"]))
                for f in searcher.all_stored_fields()
            ]
            self._local.titles = titles
        grams = {wanted[i : i + 2] for i in range(len(wanted) - 1)} or {wanted}
        scored: list[tuple[float, str, str]] = []
        for slug, title, visibility, norm in titles:
            if visibility not in visibilities:
                continue
            position = norm.find(wanted)
            if position >= 0:
                scored.append((2.0 - position / 1000, slug, title))
                continue
            overlap = sum(1 for g in grams if g in norm) / len(grams)
            if overlap >= 0.5:
                scored.append((overlap, slug, title))
        scored.sort(key=lambda item: (-item[0], len(item[2])))
        return [(slug, title) for _score, slug, title in scored[:limit]]

    # --- writing ------------------------------------------------------------------------------
    def _write(self, action: Callable, what: str) -> bool:
        """Runs ``action(writer)`` under the index lock, waiting for other writers (other processes)."""
        deadline = time.monotonic() + self.lock_wait
        while True:
            _directory, ix = self._open()
            try:
                writer = ix.writer(timeout=5.0, delay=0.05)
            except LockError:
                ix.close()
                if time.monotonic() > deadline:
                    log.error(
                        "search index busy for %.0f s; %s not indexed (run `isupport kb reindex`)",
                        self.lock_wait,
                        what,
                    )
                    return False
                continue
            try:
                action(writer)
                writer.commit()
                return True
            except BaseException:
                writer.cancel()
                raise
            finally:
                ix.close()

    def index(self, documents: Sequence[SearchDocument]) -> None:
        if not documents:
            return

        def add(writer) -> None:
            for doc in documents:
                writer.update_document(**index_fields(doc))

        self._write(add, f"{len(documents)} article(s)")

    def remove(self, slugs: Sequence[str]) -> None:
        if not slugs:
            return

        def delete(writer) -> None:
            for slug in slugs:
                writer.delete_by_term("slug", slug)

        self._write(delete, f"removal of {len(slugs)} article(s)")

    def rebuild(self, documents: Iterable[SearchDocument], procs: int = 1) -> int:
        """Writes every document into a fresh directory, then swaps it in. Returns the count."""
        directory = self._new_generation()
        ix = windex.create_in(str(directory), build_schema(self.plain))
        count = 0
        try:
            writer = (
                ix.writer(procs=procs, limitmb=256, multisegment=procs > 1)
                if procs > 1
                else ix.writer(limitmb=256)
            )
            try:
                for doc in documents:
                    writer.add_document(**index_fields(doc))
                    count += 1
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
        except BaseException:
            ix.close()
            shutil.rmtree(directory, ignore_errors=True)
            raise
        ix.close()
        self._swap(directory)
        return count


def normalise_code(value: str) -> str:
    return "".join(ch for ch in normalise(value) if ch.isalnum())
