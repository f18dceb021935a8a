"""Benchmark of the fault-report suggestions (deflection).

Quality on the labelled sets (tests/data/queries_*.jsonl, tests/data/faults_*.jsonl) over the
shipped content/: MRR@10 and Recall@5 for BM25 only (the search index's candidates), TF-IDF only
and the hybrid, in one run; then suggestion latency p50/p95 at 1,000 and 10,000 generated
articles and the model's refit time. ``run(out_dir)`` writes deflect.json and returns the results.

Everything runs on real components: a SQLite file, the Whoosh index on disk, jieba, scikit-learn."""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from app.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
LATENCY_SIZES = (1_000, 10_000)
LATENCY_QUERIES = 200


@contextmanager
def portal(work: Path, content_dir: Path = PROJECT_ROOT / "content"):
    """A migrated portal on a fresh SQLite file and index in ``work``, inside an app context."""
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts import services as account_services
    from app.extensions import db
    from app.settings import Settings

    work.mkdir(parents=True, exist_ok=True)
    settings = Settings(instance_dir=work / "instance", database_url=f"sqlite:///{work / 'bench.sqlite3'}",
                        index_dir=work / "index", content_dir=content_dir, secret_key="bench", testing=True,
                        secure_cookies=False, rate_limits=False)
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        account_services.ensure_units(db.session)
        db.session.commit()
        with app.test_request_context():
            yield app
        db.session.remove()
        db.engine.dispose()


def import_articles(path: Path) -> tuple[int, float]:
    """Imports (as `isupport kb import` does) and rebuilds the index; (articles, seconds)."""
    from app.extensions import db
    from app.search import services

    started = time.perf_counter()
    count = 0
    for folder in ([path] if path.is_file() else [path / "solutions", path / "documents"]):
        report = services.import_articles(db.session, folder)
        count += report.imported
    services.reindex(db.session, services.get_backend(), procs=1)
    return count, time.perf_counter() - started


def quality(engine) -> dict:
    from app.deflect.evaluation import load_cases, measure

    sets = {"queries": load_cases(sorted(DATA.glob("queries_*.jsonl"))),
            "faults": load_cases(sorted(DATA.glob("faults_*.jsonl")))}
    variants = {
        "bm25": {"use_tfidf": False},
        "tfidf": {"use_bm25": False},
        "hybrid": {},
    }
    results: dict = {}
    for name, cases in sets.items():
        results[name] = {}
        for variant, flags in variants.items():
            def rank(text, product_model, flags=flags):
                return [slug for slug, _score, _why in engine.ranked(
                    text, product_model=product_model or "", reader="customer", limit=10, **flags)]

            results[name][variant] = measure(rank, cases).as_dict()
    return results


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def generated_corpus(size: int, seed: int = 7) -> list[dict]:
    """``size`` articles made by recombining the shipped articles' sentences, model codes and tags:
    realistic vocabulary and lengths, no two alike."""
    import re

    from app.deflect.evaluation import load_content_articles

    rng = random.Random(seed)
    shipped = load_content_articles(PROJECT_ROOT / "content")
    sentences = [s for a in shipped for s in re.split(r"(?<=[。；！？])", a.symptom + a.cause + a.action + a.body)
                 if len(s.strip()) > 8]
    titles = [a.title for a in shipped]
    models = ["SGA19YC", "SGN33YC", "SGT45YC", "SGB52YD", "SHV33YC", "SHW56YC", "SHX68YD", "SHZ120TF",
              "SHZ160TF", "ASD102RKNA", "DSN150XG", "DSY190XH"]
    articles = []
    for i in range(size):
        def part(n):
            return "".join(rng.choice(sentences).strip() for _ in range(n))

        articles.append({
            "slug": f"gen-{i:05d}", "title": f"{rng.choice(titles)}（{rng.choice(models)} 案例 {i}）",
            "symptom": part(2), "cause": part(2), "action": part(3), "kind": "solution",
            "products": [rng.choice(models)], "tags": [], "visibility": "customers",
        })
    return articles


def latency(size: int, work: Path) -> dict:
    from app.deflect.evaluation import load_cases
    from app.deflect.runtime import get_engine

    corpus = work / f"corpus-{size}.jsonl"
    corpus.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in generated_corpus(size)),
                      encoding="utf-8")
    with portal(work / f"portal-{size}") as app:
        imported, import_seconds = import_articles(corpus)
        engine = get_engine(app)
        started = time.perf_counter()
        model = engine.store.refit()
        refit_seconds = time.perf_counter() - started
        engine.store.check_seconds = 2.0  # as in production: the source stamp is looked at every 2 s
        cases = load_cases(sorted(DATA.glob("queries_*.jsonl"))) + load_cases(sorted(DATA.glob("faults_*.jsonl")))
        texts = [(c.text, c.product_model or "") for c in cases]
        rng = random.Random(11)
        sample = [rng.choice(texts) for _ in range(LATENCY_QUERIES)]
        for text, product in sample[:10]:  # warm the searcher and caches
            engine.suggest(text, product_model=product)
        timings = []
        for text, product in sample:
            started = time.perf_counter()
            engine.suggest(text, product_model=product, reader="customer", limit=5)
            timings.append((time.perf_counter() - started) * 1000)
        return {"articles": imported, "model_rows": model.size, "import_and_index_s": round(import_seconds, 1),
                "refit_s": round(refit_seconds, 2), "p50_ms": round(statistics.median(timings), 2),
                "p95_ms": round(_percentile(timings, 0.95), 2), "max_ms": round(max(timings), 2),
                "queries": len(timings)}


def run(out_dir: Path | str, sizes: tuple[int, ...] = LATENCY_SIZES) -> dict:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    from app.deflect.runtime import get_engine

    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-deflect-") as temp:
        work = Path(temp)
        with portal(work / "quality") as app:
            import_articles(PROJECT_ROOT / "content")
            engine = get_engine(app)
            started = time.perf_counter()
            engine.store.refit()
            results["refit_shipped_s"] = round(time.perf_counter() - started, 3)
            results["quality"] = quality(engine)
            results["fusion"] = engine.fusion.__dict__
        results["latency"] = {str(size): latency(size, work) for size in sizes}
    (out_dir / "deflect.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(format_results(results))
    return results


def format_results(results: dict) -> str:
    lines = ["deflection suggestions", "  quality (MRR@10 / Recall@5):"]
    for name, variants in results["quality"].items():
        cells = "  ".join(f"{v}: {m['mrr@10']:.3f} / {m['recall@5']:.3f}" for v, m in variants.items())
        lines.append(f"    {name:8s} {cells}")
    lines.append(f"  refit over the shipped articles: {results['refit_shipped_s']} s")
    for size, row in results["latency"].items():
        lines.append(f"  {size} articles: suggest p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms; "
                     f"refit {row['refit_s']} s; import+index {row['import_and_index_s']} s")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    run(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "bench" / "results",
        tuple(int(s) for s in sys.argv[2:]) or LATENCY_SIZES)
