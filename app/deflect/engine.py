"""The hybrid suggestion engine: BM25F candidates from the search index and TF-IDF neighbours from
the similarity model, fused, boosted by product model and fault code, explained.

Built from plain collaborators (a model store, a candidates function, the catalogue) so that the
benchmark and the tests can run it without Flask; ``engine_for(app)`` wires the real ones."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ..catalog import Catalog, normalise_model_code
from .fusion import Boosts, FusionOptions, fuse
from .services import SuggestionHit
from .similarity import VISIBLE_TO
from .store import ModelStore
from .text import fault_codes_in, highlight, normalise, word_tokens

log = logging.getLogger(__name__)

# (text, visibilities, limit) -> [(slug, bm25 score)], best first
Candidates = Callable[[str, Iterable[str], int], list[tuple[str, float]]]

# Chosen on the labelled sets (see docs/deflect.md and bench/bench_deflect.py).
DEFAULT_FUSION = FusionOptions(method="weighted", bm25_weight=1.0, tfidf_weight=1.6)
CANDIDATES = 30
# Below this TF-IDF cosine a suggestion that BM25 did not find either is noise, not a match.
MIN_SIMILARITY = 0.03
# A solved report at least this like the new one (cosine) makes its article a "solved before" match.
SOLVED_BEFORE = 0.5


@dataclass
class HybridEngine:
    store: ModelStore
    bm25: Candidates | None
    catalog: Catalog
    fusion: FusionOptions = DEFAULT_FUSION
    url_for_article: Callable[[str], str] = lambda slug: f"/kb/{slug}"
    # Query-time synonym expansion for the TF-IDF side (BM25 expands in the search backend).
    expand: Callable[[str], str] | None = None

    @property
    def version(self) -> str:
        return self.store.get().version

    def article_exists(self, slug: str, reader: str) -> bool:
        article = self.store.get().articles.get(slug)
        return article is not None and article.visibility in VISIBLE_TO.get(reader, ())

    def boosts_for(self, text: str, product_model: str, fault_code: str) -> Boosts:
        products: set[str] = set()
        code = normalise_model_code(product_model)
        if code:
            products.add(code)
            series = self.catalog.series_of(code)
            if series:
                products.add(series.code)
        codes = fault_codes_in(text)
        if fault_code:
            codes.add(fault_code.strip().upper())
        return Boosts(product_codes=frozenset(products), fault_codes=frozenset(codes))

    def tfidf_text(self, text: str) -> str:
        return self.expand(text) if self.expand is not None else text

    def ranked(self, text: str, *, product_model: str = "", fault_code: str = "", reader: str = "customer",
               limit: int = 10, use_bm25: bool = True,
               use_tfidf: bool = True) -> list[tuple[str, float, list[str]]]:
        """(slug, fused score, boost reasons), best first. The bench turns either signal off."""
        return self._ranked(text, product_model, fault_code, reader, limit, use_bm25, use_tfidf)[0]

    def _ranked(self, text: str, product_model: str, fault_code: str, reader: str, limit: int,
                use_bm25: bool = True, use_tfidf: bool = True):
        """``ranked``, with the model and the TF-IDF scores it used (own text, learned reports): ``suggest``
        explains the hits with the same ones (a refit may swap the model in between)."""
        model = self.store.get()
        visibilities = VISIBLE_TO.get(reader, ("public",))
        bm25: list[tuple[str, float]] = []
        if use_bm25 and self.bm25 is not None:
            try:
                bm25 = [(slug, score) for slug, score in self.bm25(text, visibilities, CANDIDATES)
                        if slug in model.articles]
            except Exception:  # noqa: BLE001 - a broken index must not take suggestions down with it
                log.exception("deflect: BM25 candidates failed; answering from TF-IDF alone")
        tfidf: list[tuple[str, float]] = []
        learned: list[tuple[str, float]] = []
        own = solved = None
        if use_tfidf and model.slugs:
            own, solved = model.score_parts(self.tfidf_text(text))
            tfidf = model.best(np.maximum(own, solved), CANDIDATES, reader)
            if use_bm25:
                tfidf = [(slug, score) for slug, score in tfidf if score >= MIN_SIMILARITY]
            if model.learned_count:
                learned = model.best(np.where(solved >= SOLVED_BEFORE, solved, 0.0), CANDIDATES, reader)
        # Only the candidates' facts: a dict of every article would cost more than the fusion itself.
        facts = {slug: (model.articles[slug].products, model.articles[slug].fault_codes)
                 for slug, _score in bm25 + tfidf + learned}
        fused = fuse(bm25, tfidf, self.fusion, facts, self.boosts_for(text, product_model, fault_code),
                     learned)
        return fused[:limit], model, own, solved

    def suggest(self, text: str, *, product_model: str = "", fault_code: str = "", reader: str = "customer",
                limit: int = 5) -> list[SuggestionHit]:
        # Ranked suggestions imply a model with articles, so the TF-IDF scores were computed.
        ranked, model, own, learned = self._ranked(text, product_model, fault_code, reader, limit)
        if not ranked:
            return []
        index = model.row_of()
        query_terms = [t for t in word_tokens(normalise(text)) if len(t) > 1]
        hits = []
        for slug, score, reasons in ranked:
            article = model.articles[slug]
            matched = model.matched_terms(text, slug)
            why = list(matched)
            if model.learned_count and learned[index[slug]] >= SOLVED_BEFORE:
                why.append("solved_before")
            why.extend(reasons)
            hits.append(SuggestionHit(
                slug=slug, title=article.title, kind=article.kind,
                snippet=str(highlight(article.snippet_source(), matched or query_terms)),
                score=round(float(score), 6),
                similarity=round(float(max(own[index[slug]], learned[index[slug]])), 6),
                why=tuple(why), url=self.url_for_article(slug)))
        return hits
