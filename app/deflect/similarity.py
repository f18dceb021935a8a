"""The TF-IDF similarity model behind fault-report suggestions.

Two feature spaces, scored by cosine and mixed: jieba words (what the text is about) and
character 2-3-grams (which survive typos, unknown words and wording jieba cuts differently).
Rows are the published articles plus the descriptions of fault reports that an article solved
(learning from outcomes); an article's score is the best of its rows, so a new report worded like
a solved one finds that article first without diluting the article's own text.

Scoring is ``q @ XT`` with ``XT = X.T.tocsr()`` made at fit time: for one query that is a sparse
row times a sparse matrix, ~100x faster than ``linear_kernel`` at 10,000 articles (MEASUREMENTS.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .text import char_text, normalise, word_tokens

VISIBILITY_LEVELS = ("public", "customers", "internal")
# Which article visibilities each kind of reader may see.
VISIBLE_TO = {
    "anonymous": ("public",),
    "customer": ("public", "customers"),
    "internal": ("public", "customers", "internal"),
}


@dataclass(frozen=True)
class ArticleText:
    """What the model needs of one published article (built from the database or from content/)."""

    slug: str
    title: str
    kind: str = "solution"
    visibility: str = "customers"
    symptom: str = ""
    cause: str = ""
    action: str = ""
    body: str = ""  # the whole Markdown body (documents have no sections)
    products: tuple[str, ...] = ()
    fault_codes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def document(self) -> str:
        """The text matched on: the title and symptom count twice (customers describe symptoms)."""
        sections = self.symptom or self.cause or self.action
        main = " ".join([self.symptom, self.symptom, self.cause, self.action]) if sections else self.body
        return " ".join(
            [
                self.title,
                self.title,
                " ".join(self.tags),
                " ".join(self.products),
                " ".join(self.fault_codes),
                main,
            ]
        )

    def snippet_source(self) -> str:
        """Plain text for the snippet: the symptom, else the body without its Markdown markup."""
        from ..search.documents import plain_text

        return plain_text(self.symptom or self.body) or self.title


@dataclass(frozen=True)
class LearnedText:
    """The description of a fault report that ``slug`` solved."""

    slug: str
    text: str


@dataclass(frozen=True)
class ModelOptions:
    word_weight: float = 0.3  # share of the word cosine; the rest is the character n-gram cosine
    learned_weight: float = 1.0  # how much a matching solved report counts against the article itself
    max_df: float = 0.6


def _pretokenised(tokens):
    # The vectorizer gets token lists we cut ourselves: the model pickles without our tokenizer.
    return tokens


@dataclass
class SimilarityModel:
    version: str
    slugs: list[str]
    articles: dict[str, ArticleText]
    options: ModelOptions
    word_vectorizer: TfidfVectorizer
    char_vectorizer: TfidfVectorizer
    word_xt: sparse.csr_matrix  # terms x rows
    char_xt: sparse.csr_matrix
    row_owner: np.ndarray  # row -> article index
    visible: dict[str, np.ndarray] = field(default_factory=dict)  # reader kind -> bool mask over articles
    learned_count: int = 0

    @property
    def size(self) -> int:
        return len(self.slugs)

    def score_parts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Per-row scores mixed from both spaces, then the best row of each article."""
        if not self.slugs:
            return np.zeros(0), np.zeros(0)
        normal = normalise(text)
        q_word = self.word_vectorizer.transform([word_tokens(normal)])
        q_char = self.char_vectorizer.transform([char_text(normal)])
        w = self.options.word_weight
        rows = (
            w * (q_word @ self.word_xt).toarray().ravel()
            + (1 - w) * (q_char @ self.char_xt).toarray().ravel()
        )
        n = len(self.slugs)
        own = rows[:n].copy()
        learned = np.zeros(n)
        if len(rows) > n:
            np.maximum.at(learned, self.row_owner[n:], rows[n:] * self.options.learned_weight)
        return own, learned

    def scores(self, text: str) -> np.ndarray:
        own, learned = self.score_parts(text)
        return np.maximum(own, learned)

    def top(
        self, text: str, limit: int = 10, reader: str = "customer", allowed: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """The best ``limit`` articles for ``text`` that ``reader`` may see, as (slug, score), score > 0."""
        if not self.slugs or limit <= 0:
            return []
        return self.best(self.scores(text), limit, reader, allowed)

    def best(
        self, scores: np.ndarray, limit: int, reader: str = "customer", allowed: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ``limit`` best of per-article ``scores`` that ``reader`` may see, score > 0."""
        if not self.slugs or limit <= 0:
            return []
        mask = self.visible.get(reader)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        if allowed is not None:
            allowed_set = set(allowed)
            keep = np.fromiter(
                (slug in allowed_set for slug in self.slugs), dtype=bool, count=len(self.slugs)
            )
            scores = np.where(keep, scores, 0.0)
        k = min(limit, len(scores))
        candidates = np.argpartition(-scores, k - 1)[:k]
        ordered = sorted(candidates, key=lambda i: (-scores[i], self.slugs[i]))
        return [(self.slugs[i], float(scores[i])) for i in ordered if scores[i] > 0]

    def learned_match(self, text: str, slug: str) -> float:
        """How closely ``text`` matches reports that ``slug`` solved (0 when none)."""
        _, learned = self.score_parts(text)
        index = self.row_of().get(slug)
        return float(learned[index]) if index is not None else 0.0

    def matched_terms(self, text: str, slug: str, limit: int = 6) -> list[str]:
        """The query's words that the article's own text contains, rarest first: "why it matches"."""
        index = self.row_of().get(slug)
        if index is None:
            return []
        vocabulary = self.word_vectorizer.vocabulary_
        idf = self.word_vectorizer.idf_
        found: dict[str, float] = {}
        for token in word_tokens(normalise(text)):
            column = vocabulary.get(token)
            if column is None or token in found:
                continue
            row = self.word_xt.getrow(column)
            if index in row.indices:
                found[token] = float(idf[column])
        # Drop a word that a longer matched word contains (压缩 inside 压缩机).
        words = [t for t in found if not any(t != other and t in other for other in found)]
        return sorted(words, key=lambda t: (-found[t], t))[:limit]

    def row_of(self) -> dict[str, int]:
        """Each article's row in the model (built once per model)."""
        cached = getattr(self, "_slug_index", None)
        if cached is None:
            cached = {slug: i for i, slug in enumerate(self.slugs)}
            self._slug_index = cached
        return cached


def corpus_version(
    articles: Sequence[ArticleText], learned: Sequence[LearnedText], options: ModelOptions
) -> str:
    """A stamp of everything the model is fitted on: equal stamps mean equal models in every worker."""
    digest = hashlib.sha256()
    digest.update(json.dumps(options.__dict__, sort_keys=True).encode())
    for article in sorted(articles, key=lambda a: a.slug):
        digest.update(json.dumps(article.__dict__, sort_keys=True, ensure_ascii=False).encode())
    for item in sorted(learned, key=lambda x: (x.slug, x.text)):
        digest.update(f"{item.slug}\x00{item.text}\x01".encode())
    return digest.hexdigest()[:16]


class TokenCache:
    """Words of texts already cut, kept between refits: a refit after one solved report cuts only
    that report's text, not every article again (jieba is most of the fitting time)."""

    def __init__(self) -> None:
        self._words: dict[str, tuple[str, ...]] = {}
        self._used: set[str] = set()

    def words(self, text: str) -> tuple[str, ...]:
        self._used.add(text)
        found = self._words.get(text)
        if found is None:
            found = self._words[text] = tuple(word_tokens(normalise(text)))
        return found

    def forget_unused(self) -> None:
        self._words = {text: words for text, words in self._words.items() if text in self._used}
        self._used = set()


def article_words(article: ArticleText, cache: TokenCache) -> list[str]:
    """The article's words as ``document()`` weighs them (title and symptom twice), each part cut once."""
    title = cache.words(article.title)
    codes = cache.words(" ".join([*article.tags, *article.products, *article.fault_codes]))
    if article.symptom or article.cause or article.action:
        symptom = cache.words(article.symptom)
        main = [*symptom, *symptom, *cache.words(article.cause), *cache.words(article.action)]
    else:
        main = list(cache.words(article.body))
    return [*title, *title, *codes, *main]


def fit(
    articles: Sequence[ArticleText],
    learned: Sequence[LearnedText] = (),
    options: ModelOptions | None = None,
    cache: TokenCache | None = None,
) -> SimilarityModel:
    """Fits the model over ``articles`` (published) and the solved reports' descriptions."""
    cache = cache or TokenCache()
    options = options or ModelOptions()
    articles = sorted(articles, key=lambda a: a.slug)
    slugs = [a.slug for a in articles]
    index = {slug: i for i, slug in enumerate(slugs)}
    learned = [item for item in learned if item.slug in index and item.text.strip()]
    texts = [normalise(a.document()) for a in articles] + [normalise(item.text) for item in learned]
    owner = np.array(list(range(len(articles))) + [index[item.slug] for item in learned], dtype=np.int64)

    # Few documents (a new portal) make max_df prune useful words; only apply it on a real corpus.
    max_df = options.max_df if len(texts) >= 50 else 1.0
    word_vectorizer = TfidfVectorizer(
        analyzer=_pretokenised, sublinear_tf=True, max_df=max_df, dtype=np.float32
    )
    char_vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True, max_df=max_df, dtype=np.float32
    )
    if texts:
        words = [article_words(a, cache) for a in articles] + [
            list(cache.words(item.text)) for item in learned]
        cache.forget_unused()
        word_x = word_vectorizer.fit_transform(words)
        char_x = char_vectorizer.fit_transform([char_text(t) for t in texts])
    else:
        word_x = char_x = sparse.csr_matrix((0, 0), dtype=np.float32)
    visible = {}
    for reader, levels in VISIBLE_TO.items():
        visible[reader] = np.array([a.visibility in levels for a in articles], dtype=bool)
    return SimilarityModel(
        version=corpus_version(articles, learned, options),
        slugs=slugs,
        articles={a.slug: a for a in articles},
        options=options,
        word_vectorizer=word_vectorizer,
        char_vectorizer=char_vectorizer,
        word_xt=word_x.T.tocsr(),
        char_xt=char_x.T.tocsr(),
        row_owner=owner,
        visible=visible,
        learned_count=len(learned),
    )
