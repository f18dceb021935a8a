"""Combining ranked lists (BM25 candidates from the search index, TF-IDF neighbours) into one.

Two ways, both kept so the benchmark can compare them on the same run:
- reciprocal rank fusion: sum of weight / (k + rank); ignores the scores' scales, which differ
  between BM25 (unbounded) and cosine (0..1);
- weighted sum of scores, each list divided by its own best score first.
Product-model and fault-code boosts multiply the fused score of matching articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Ranked = Sequence[tuple[str, float]]  # (slug, score), best first


@dataclass(frozen=True)
class FusionOptions:
    method: str = "rrf"  # "rrf" or "weighted"
    rrf_k: float = 60.0
    bm25_weight: float = 1.0
    tfidf_weight: float = 1.0
    # Articles that solved reports worded like this one: the strongest evidence there is.
    learned_weight: float = 2.0
    product_boost: float = 0.15  # a matching product model or series adds 15 %
    fault_code_boost: float = 0.3  # a matching fault code adds 30 %


def reciprocal_rank_fusion(lists: Iterable[tuple[Ranked, float]], k: float = 60.0) -> dict[str, float]:
    fused: dict[str, float] = {}
    for ranked, weight in lists:
        for rank, (slug, _score) in enumerate(ranked, start=1):
            fused[slug] = fused.get(slug, 0.0) + weight / (k + rank)
    return fused


def weighted_sum(lists: Iterable[tuple[Ranked, float]]) -> dict[str, float]:
    fused: dict[str, float] = {}
    for ranked, weight in lists:
        best = max((score for _slug, score in ranked), default=0.0)
        if best <= 0:
            continue
        for slug, score in ranked:
            fused[slug] = fused.get(slug, 0.0) + weight * max(score, 0.0) / best
    return fused


@dataclass(frozen=True)
class Boosts:
    """What the report says about the product, to favour articles written for it."""

    product_codes: frozenset[str] = frozenset()  # the model code and its series code, upper case
    fault_codes: frozenset[str] = frozenset()


def boost_factor(
    article_products: Iterable[str],
    article_fault_codes: Iterable[str],
    boosts: Boosts,
    options: FusionOptions,
) -> tuple[float, list[str]]:
    """The multiplier for one article and the reasons (``product:CODE``, ``fault_code:E5``)."""
    factor, reasons = 1.0, []
    products = {p.upper() for p in article_products}
    if boosts.product_codes and products & boosts.product_codes:
        factor *= 1 + options.product_boost
        reasons.extend(f"product:{code}" for code in sorted(products & boosts.product_codes))
    codes = {c.upper() for c in article_fault_codes}
    if boosts.fault_codes and codes & boosts.fault_codes:
        factor *= 1 + options.fault_code_boost
        reasons.extend(f"fault_code:{code}" for code in sorted(codes & boosts.fault_codes))
    return factor, reasons


def fuse(
    bm25: Ranked,
    tfidf: Ranked,
    options: FusionOptions,
    article_facts: Mapping[str, tuple[Sequence[str], Sequence[str]]] | None = None,
    boosts: Boosts | None = None,
    learned: Ranked = (),
) -> list[tuple[str, float, list[str]]]:
    """One ranked list: (slug, fused score, boost reasons), best first; ties broken by slug.
    ``learned`` ranks the articles that solved earlier reports like this one."""
    lists = [(bm25, options.bm25_weight), (tfidf, options.tfidf_weight)]
    if learned:
        lists.append((learned, options.learned_weight))
    if options.method == "weighted":
        fused = weighted_sum(lists)
    else:
        fused = reciprocal_rank_fusion(lists, options.rrf_k)
    result = []
    for slug, score in fused.items():
        reasons: list[str] = []
        if boosts and article_facts and slug in article_facts:
            products, fault_codes = article_facts[slug]
            factor, reasons = boost_factor(products, fault_codes, boosts, options)
            score *= factor
        result.append((slug, score, reasons))
    result.sort(key=lambda item: (-item[1], item[0]))
    return result
