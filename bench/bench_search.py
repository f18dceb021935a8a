"""Search benchmark: ranking quality on the 100 labelled queries for (a) plain Whoosh with its
default analyser, (b) the jieba analyser without synonyms, (c) the full analyser; index build
time and size, query latency (with snippets) at 1,000 and 10,000 generated articles; start-up."""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALL = frozenset({"public", "customers", "internal"})


def _queries() -> list[dict]:
    return [
        json.loads(line)
        for name in ("queries_a.jsonl", "queries_b.jsonl")
        for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _content_docs():
    from app.catalog import load_catalog
    from app.search.documents import search_document
    from app.search.records import article_input, read_records

    catalog = load_catalog(ROOT / "content")

    def series_of(code):
        series = catalog.series_of(code)
        return series.code if series and series.code != code else None

    docs = []
    for folder in ("solutions", "documents"):
        for record in read_records(ROOT / "content" / folder):
            data = article_input(record.data)
            docs.append(search_document(data, series_of))
    return docs


def _metrics(ranked: list[list[str]], queries: list[dict]) -> tuple[float, float]:
    mrr = recall = 0.0
    for slugs, item in zip(ranked, queries, strict=True):
        mrr += next((1 / rank for rank, slug in enumerate(slugs[:10], 1) if slug in item["relevant"]), 0.0)
        recall += len(set(slugs[:5]) & set(item["relevant"])) / len(item["relevant"])
    return mrr / len(queries), recall / len(queries)


def quality(work: Path) -> dict:
    from whoosh.qparser import MultifieldParser, OrGroup

    from app.search.analysis import init_analyser
    from app.search.backend import SearchRequest, WhooshBackend

    synonyms = init_analyser(ROOT / "content/dict", work / "jieba")
    docs = _content_docs()
    queries = _queries()
    plain = WhooshBackend(work / "plain", plain=True)
    plain.rebuild(docs)
    searcher = plain.searcher()
    parser = MultifieldParser(["title", "symptom", "content"], searcher.schema, group=OrGroup)
    ranked_plain = [
        [hit["slug"] for hit in searcher.search(parser.parse(item["q"]), limit=10)] for item in queries
    ]
    full = WhooshBackend(work / "full", synonyms)
    full.rebuild(docs)

    def run(synonyms: bool) -> list[list[str]]:
        return [
            [
                h.slug
                for h in full.search(
                    SearchRequest(
                        item["q"], ALL, per_page=10, snippets=False, synonyms=synonyms, suggest=False
                    )
                ).hits
            ]
            for item in queries
        ]

    rows = {
        "a_plain_whoosh": _metrics(ranked_plain, queries),
        "b_jieba_no_synonyms": _metrics(run(False), queries),
        "c_full": _metrics(run(True), queries),
    }
    print(f"quality on {len(queries)} labelled queries, {len(docs)} articles")
    print(f"  {'variant':<22} {'MRR@10':>7} {'Recall@5':>9}")
    for name, (mrr, recall) in rows.items():
        print(f"  {name:<22} {mrr:7.3f} {recall:9.3f}")
    plain.close()
    full.close()
    return {name: {"mrr10": round(m, 4), "recall5": round(r, 4)} for name, (m, r) in rows.items()}


def generated_docs(base, count: int, seed: int = 7):
    """``count`` articles recombined from the shipped ones: sentences shuffled across articles, with
    random model codes, so the vocabulary and lengths are realistic."""
    from app.search.documents import SearchDocument

    rng = random.Random(seed)
    sentences = [
        s
        for d in base
        for s in (d.symptom + "。" + d.cause + "。" + d.action + "。" + d.body).split("。")
        if len(s) > 8
    ]
    titles = [d.title for d in base]
    models = ["SGA19YC", "SGN33YC", "SGT45YC", "SHV33YC", "SHW56YC", "SHZ120TF", "DSN150XG", "DSY190XH"]
    for i in range(count):
        model = rng.choice(models)
        yield SearchDocument(
            slug=f"gen-{i}",
            title=f"{rng.choice(titles)} {model}",
            symptom="。".join(rng.sample(sentences, 2)),
            cause="。".join(rng.sample(sentences, 2)),
            action="。".join(rng.sample(sentences, 3)),
            products=(model, model[:2]),
            visibility=rng.choice(["public", "customers", "internal"]),
        )


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def speed(work: Path, count: int) -> dict:
    from app.search.analysis import init_analyser
    from app.search.backend import SearchRequest, WhooshBackend

    base = _content_docs()
    docs = list(generated_docs(base, count))
    backend = WhooshBackend(work / f"gen-{count}", init_analyser(ROOT / "content/dict", work / "jieba"))
    started = time.perf_counter()
    backend.rebuild(docs, procs=2)
    build = time.perf_counter() - started
    size = _size(backend.current_dir())
    rng = random.Random(11)
    texts = [item["q"] for item in _queries()]
    texts += [rng.choice(base).title[: rng.randint(4, 14)] for _ in range(200 - len(texts))]
    backend.search(SearchRequest("预热", ALL))  # open the searcher
    latencies = []
    for text in texts[:200]:
        t0 = time.perf_counter()
        backend.search(SearchRequest(text, frozenset({"public", "customers"}), per_page=10, snippets=True))
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    # Quoted phrases: the first one reads every article's phrase key (once per process and segment).
    phrases = [f'"{d.symptom[: rng.randint(4, 8)]}"' for d in rng.sample(base, 40)]
    phrase_ms = []
    for text in phrases:
        t0 = time.perf_counter()
        backend.search(SearchRequest(text, frozenset({"public", "customers"}), per_page=10, snippets=True))
        phrase_ms.append((time.perf_counter() - t0) * 1000)
    first_phrase, phrase_ms = phrase_ms[0], sorted(phrase_ms[1:])
    row = {
        "articles": count,
        "build_s": round(build, 2),
        "index_mb": round(size / 1e6, 1),
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1),
        "phrase_first_ms": round(first_phrase, 1),
        "phrase_p50_ms": round(statistics.median(phrase_ms), 1),
        "phrase_p95_ms": round(phrase_ms[int(0.95 * (len(phrase_ms) - 1))], 1),
    }
    print(
        f"  {count:>6} articles: build {row['build_s']} s (procs=2), {row['index_mb']} MB, "
        f"query+snippets p50 {row['p50_ms']} / p95 {row['p95_ms']} / p99 {row['p99_ms']} ms; "
        f"quoted phrases: first {row['phrase_first_ms']} ms, then p50 {row['phrase_p50_ms']} / "
        f"p95 {row['phrase_p95_ms']} ms"
    )
    backend.close()
    return row


def startup() -> float:
    code = (
        "import time;t=time.perf_counter();from pathlib import Path;"
        "from app.search.analysis import init_analyser, analyze_terms;"
        f"init_analyser(Path('content/dict'), Path({str(tempfile.gettempdir())!r})/'isupport-bench-jieba');"
        "analyze_terms('压缩机');print(time.perf_counter()-t)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)  # warm the cache
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def run(out_dir: Path) -> None:
    import whoosh

    work = Path(tempfile.mkdtemp(prefix="isupport-bench-"))
    try:
        result = {"whoosh": ".".join(map(str, whoosh.__version__)), "quality": quality(work)}
        print("speed (in-process, one open searcher, 200 queries, customer visibility, snippets)")
        result["speed"] = [speed(work, n) for n in (1000, 10000)]
        result["startup_s"] = round(startup(), 2)
        print(f"start-up with jieba and the user dictionary loaded: {result['startup_s']} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (out_dir / "search.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
