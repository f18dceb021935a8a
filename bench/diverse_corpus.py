"""`python -m bench.diverse_corpus [N]`: search latency on N (10,000) articles with a realistic vocabulary.

The corpus of `make bench` recombines the sentences of the shipped articles, so every word is common
and every posting list long: a worst case. Here each article keeps two shipped sentences (domain
words) and adds about 300 characters of words drawn from jieba's dictionary by their frequency
(Zipf), so most words are rare, as in a real knowledge base. Not part of `make bench` (slow)."""

from __future__ import annotations

import bisect
import itertools
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import jieba

from app.search.analysis import init_analyser
from app.search.backend import SearchRequest, WhooshBackend
from app.search.documents import SearchDocument
from bench.bench_search import ROOT, _content_docs, _queries


class WordSource:
    """Chinese words of jieba's dictionary, drawn by their corpus frequency."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words: list[str] = []
        freqs: list[int] = []
        for line in open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8"):
            word, freq, *_ = line.split()
            if all("\u4e00" <= ch <= "\u9fff" for ch in word):
                self.words.append(word)
                freqs.append(int(freq))
        self.cumulative = list(itertools.accumulate(freqs))

    def text(self, chars: int) -> str:
        out: list[str] = []
        length = 0
        while length < chars:
            word = self.words[bisect.bisect(self.cumulative, self.rng.random() * self.cumulative[-1])]
            out.append(word)
            length += len(word)
        return "".join(out)


def documents(count: int, rng: random.Random):
    source = WordSource(rng)
    texts = (d.symptom + "。" + d.cause + "。" + d.action for d in _content_docs())
    sentences = [s for text in texts for s in text.split("。") if len(s) > 8]
    for i in range(count):
        yield SearchDocument(
            slug=f"d-{i}", title=source.text(12), symptom=rng.choice(sentences) + "。" + source.text(60),
            cause=source.text(80), action=rng.choice(sentences) + "。" + source.text(80),
            visibility=rng.choice(["public", "customers", "internal"]))


def main(size: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="isupport-diverse-"))
    rng = random.Random(5)
    backend = WhooshBackend(work / "index", init_analyser(ROOT / "content/dict", work / "jieba"))
    started = time.perf_counter()
    backend.rebuild(list(documents(size, rng)), procs=2)
    print(f"{size} articles: build {time.perf_counter() - started:.1f} s", flush=True)
    base = _content_docs()
    texts = [item["q"] for item in _queries()]
    texts += [rng.choice(base).title[: rng.randint(4, 14)] for _ in range(200 - len(texts))]
    customers = frozenset({"public", "customers"})
    backend.search(SearchRequest("预热", frozenset({"public"})))  # open the searcher
    timings = []
    for text in texts:
        started = time.perf_counter()
        backend.search(SearchRequest(text, customers, per_page=10, snippets=True))
        timings.append((time.perf_counter() - started) * 1000)
    q = statistics.quantiles(timings, n=100)
    print(f"query+snippets p50 {q[49]:.1f} / p95 {q[94]:.1f} / p99 {q[98]:.1f} ms")
    backend.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
