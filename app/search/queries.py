"""From the text a user typed to a Whoosh query: pure functions, tested without Flask.

Every string is a valid query: there is no query syntax except double quotes for a phrase
(``"压缩机异响"``); ``AND``/``OR``, brackets, colons and wildcards are just characters."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from whoosh import query as wq

from .analysis import STOP_WORDS, Synonyms, analyze_terms, normalise, phrase_key

MAX_QUERY_CHARS = 1000  # a long paste is cut here before analysis
MAX_CONCEPTS = 10  # at most this many distinct query words, the rarest kept
MAX_PHRASE_WORDS = 6  # a phrase's rarest words rank the articles that hold it
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
class Phrase:
    """A quoted phrase. An article matches when its phrase key holds ``key`` (see
    ``analysis.phrase_key``): the text decides, not the words, because jieba may cut the same
    characters differently in another context. The ``words`` rank the articles that match."""

    text: str  # as typed, normalised: what the snippet highlights
    key: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    concepts: tuple[Concept, ...]
    phrases: tuple[Phrase, ...]  # only phrases with a searchable word

    @property
    def empty(self) -> bool:
        return not self.concepts and not self.phrases

    def highlight_terms(self) -> list[str]:
        terms: set[str] = set()
        for concept in self.concepts:
            for alternative in concept.alternatives:
                terms.update(t for t in alternative if len(t) > 1 or not t.isascii())
        for phrase in self.phrases:
            terms.add(phrase.text)
        return sorted(terms, key=len, reverse=True)


def parse_query(text: str, synonyms: Synonyms | None = None) -> ParsedQuery:
    """The user's text as concepts (words and synonym groups) and quoted phrases."""
    text = (text or "")[:MAX_QUERY_CHARS]
    phrases: list[Phrase] = []

    def take_phrase(match: re.Match) -> str:
        inner = normalise(next(g for g in match.groups() if g is not None)).strip()
        words = tuple(dict.fromkeys(analyze_terms(inner)))
        if words:  # a phrase of stop words and punctuation asks for nothing
            phrases.append(Phrase(inner, phrase_key(inner, normalised=True), words))
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
    return ParsedQuery(text=text, concepts=tuple(concepts), phrases=tuple(phrases))


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


def _rarest(items: list, limit: int, rarity: Callable | None) -> list:
    """At most ``limit`` of ``items``, in their order: the rarest by ``rarity``, or the first without it."""
    if len(items) <= limit:
        return items
    if rarity is None:
        return items[:limit]
    keep = set(map(id, sorted(items, key=rarity)[:limit]))
    return [item for item in items if id(item) in keep]


def build_query(
    parsed: ParsedQuery,
    doc_frequency: Callable[[str, str], int] | None = None,
    max_concepts: int = MAX_CONCEPTS,
    fields=WORD_FIELDS,
) -> wq.Query | None:
    """The Whoosh query: the words and synonym groups are OR-ed (BM25F ranks documents matching more
    of them higher), each scored by its best synonym, with the words of the quoted phrases (which
    the backend then requires in the article's text). The number of words is bounded, rarest first."""
    word_rarity = concept_rarity = None
    if doc_frequency is not None:

        def word_rarity(word: str) -> int:
            return doc_frequency("content", word) or 10**9  # unknown words count as common

        def concept_rarity(concept: Concept) -> int:
            return min((word_rarity(alt[0]) for alt in concept.alternatives if alt), default=10**9)

    concepts = _rarest(list(parsed.concepts), max_concepts, concept_rarity)
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
    asked = {c.alternatives[0][0] for c in concepts if len(c.alternatives) == 1 and c.alternatives[0]}
    for phrase in parsed.phrases:
        for word in _rarest(list(phrase.words), MAX_PHRASE_WORDS, word_rarity):
            if word not in asked:
                asked.add(word)
                should.append(_word_query(word, fields))
    if not should:
        return None
    return should[0] if len(should) == 1 else wq.Or(should)
