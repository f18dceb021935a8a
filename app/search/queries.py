"""From the text a user typed to a Whoosh query: pure functions, tested without Flask.

Every string is a valid query: there is no query syntax except double quotes for a phrase
(``"压缩机异响"``); ``AND``/``OR``, brackets, colons and wildcards are just characters."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from whoosh import query as wq

from .analysis import STOP_WORDS, Synonyms, analyze_terms, bigrams, normalise

MAX_QUERY_CHARS = 1000  # a long paste is cut here before analysis
MAX_CONCEPTS = 10  # at most this many distinct query words, the rarest kept
MAX_GRAMS = 12
GRAM_WEIGHT = 0.35  # the character-bigram signal, beside the jieba words
WORD_FIELDS = (("title", 1.0), ("symptom", 1.0), ("content", 1.0))
CONTENT_ONLY = (("content", 1.0),)
MAX_ALTERNATIVES = 6
_PHRASE_RE = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」')


@dataclass(frozen=True)
class Concept:
    """One thing the user asked about: a word, or a synonym group (each alternative a token tuple)."""

    alternatives: tuple[tuple[str, ...], ...]
    original: str

    @property
    def key(self) -> str:
        return self.alternatives[0][0] if self.alternatives and self.alternatives[0] else ""


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    concepts: tuple[Concept, ...]
    phrases: tuple[tuple[str, ...], ...]  # bigram sequences of the quoted phrases
    grams: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.concepts and not self.phrases and not self.grams

    def highlight_terms(self) -> list[str]:
        terms: set[str] = set()
        for concept in self.concepts:
            for alternative in concept.alternatives:
                terms.update(t for t in alternative if len(t) > 1 or not t.isascii())
        for phrase in self.phrases:
            terms.add(_phrase_text(phrase))
        return sorted(terms, key=len, reverse=True)


def _phrase_text(grams: tuple[str, ...]) -> str:
    if not grams:
        return ""
    if all(len(g) == 2 and not g.isascii() for g in grams):
        return grams[0] + "".join(g[1] for g in grams[1:])
    return grams[0]


def parse_query(text: str, synonyms: Synonyms | None = None) -> ParsedQuery:
    """The user's text as concepts (words and synonym groups), phrases and character bigrams."""
    text = (text or "")[:MAX_QUERY_CHARS]
    phrases: list[tuple[str, ...]] = []

    def take_phrase(match: re.Match) -> str:
        inner = next(g for g in match.groups() if g is not None)
        grams = tuple(bigrams(inner))
        if grams:
            phrases.append(grams)
        return " "

    rest = _PHRASE_RE.sub(take_phrase, text)
    normalised = normalise(rest)
    concepts: list[Concept] = []
    seen: set[str] = set()
    if synonyms is not None and synonyms.groups:
        groups, normalised_rest = synonyms.spans(normalised)
        for group, typed in groups:
            alternatives = tuple(
                dict.fromkeys(tuple(analyze_terms(word)) for word in group if analyze_terms(word))
            )
            if alternatives and alternatives[0] and alternatives[0][0] not in seen:
                seen.add(alternatives[0][0])
                concepts.append(Concept(alternatives, typed))
    else:
        normalised_rest = normalised
    for token in analyze_terms(normalised_rest):
        if token not in seen and token not in STOP_WORDS:
            seen.add(token)
            concepts.append(Concept(((token,),), token))
    grams = tuple(
        dict.fromkeys(
            g for g in bigrams(normalised, normalised=True) if not g.isascii() and not (set(g) <= STOP_CHARS)
        )
    )
    return ParsedQuery(text=text, concepts=tuple(concepts), phrases=tuple(phrases), grams=grams)


STOP_CHARS = frozenset(w for w in STOP_WORDS if len(w) == 1)


def _typed_first(concept: Concept) -> list[tuple[str, ...]]:
    """The alternative the user typed first, then the others (canonical first)."""
    typed = tuple(analyze_terms(concept.original))
    others = [alt for alt in concept.alternatives if alt != typed]
    return ([typed] if typed in concept.alternatives else []) + others


def _word_query(token: str, fields=WORD_FIELDS) -> wq.Query:
    return wq.Or([wq.Term(name, token, boost=boost) for name, boost in fields])


def _alternative_query(tokens: tuple[str, ...], fields=WORD_FIELDS) -> wq.Query:
    return (
        _word_query(tokens[0], fields)
        if len(tokens) == 1
        else wq.And([_word_query(t, fields) for t in tokens])
    )


def _phrase_query(grams: tuple[str, ...]) -> wq.Query:
    if len(grams) == 1:
        return wq.Term("grams", grams[0]) if not grams[0].isascii() else _word_query(grams[0])
    return wq.Phrase("grams", list(grams))


def build_query(
    parsed: ParsedQuery,
    doc_frequency: Callable[[str, str], int] | None = None,
    max_concepts: int = MAX_CONCEPTS,
    gram_weight: float = GRAM_WEIGHT,
    fields=WORD_FIELDS,
) -> wq.Query | None:
    """The Whoosh query: quoted phrases must match; the words and synonym groups are OR-ed (BM25F
    ranks documents matching more of them higher), each scored by its best synonym; character
    bigrams add a weaker second signal. The number of terms is bounded, rarest first."""
    concepts = list(parsed.concepts)
    grams = list(parsed.grams)
    if doc_frequency is not None:

        def rarity(concept: Concept) -> int:
            counts = [doc_frequency("content", alt[0]) for alt in concept.alternatives if alt]
            present = [c for c in counts if c > 0]
            return min(present) if present else 10**9

        if len(concepts) > max_concepts:
            keep = set(map(id, sorted(concepts, key=rarity)[:max_concepts]))
            concepts = [c for c in concepts if id(c) in keep]
        if len(grams) > MAX_GRAMS:
            ranked = sorted(grams, key=lambda g: doc_frequency("grams", g) or 10**9)
            keep_grams = set(ranked[:MAX_GRAMS])
            grams = [g for g in grams if g in keep_grams]
    else:
        concepts = concepts[:max_concepts]
        grams = grams[:MAX_GRAMS]
    should: list[wq.Query] = []
    for concept in concepts:
        # The words as typed are looked for in the boosted title and symptom too; their synonyms
        # only in the content field (which holds everything), to keep the number of terms small.
        alternatives = [
            _alternative_query(alt, fields if index == 0 else CONTENT_ONLY)
            for index, alt in enumerate(_typed_first(concept)[:MAX_ALTERNATIVES])
            if alt
        ]
        if alternatives:
            should.append(alternatives[0] if len(alternatives) == 1 else wq.DisjunctionMax(alternatives))
    if grams and gram_weight > 0:
        # A one-part Or would drop its boost in Whoosh, so a single bigram is a boosted Term.
        gram_terms = [wq.Term("grams", g, boost=gram_weight) for g in grams]
        should.append(gram_terms[0] if len(gram_terms) == 1 else wq.Or(gram_terms))
    must = [_phrase_query(p) for p in parsed.phrases]
    if must:
        required = must[0] if len(must) == 1 else wq.And(must)
        return wq.AndMaybe(required, wq.Or(should)) if should else required
    if not should:
        return None
    return should[0] if len(should) == 1 else wq.Or(should)
