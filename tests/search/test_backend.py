"""The Whoosh index for real: phrases, bad queries, visibility, facets, paging, concurrent writers,
rebuild-and-swap and recovery of a missing or corrupt index."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.search.analysis import init_analyser
from app.search.backend import SearchFilters, SearchRequest, WhooshBackend
from app.search.documents import SearchDocument
from app.settings import PROJECT_ROOT

ALL = frozenset({"public", "customers", "internal"})
CUSTOMER = frozenset({"public", "customers"})
DICT = PROJECT_ROOT / "content" / "dict"


def docs() -> list[SearchDocument]:
    return [
        SearchDocument(
            "noise",
            "压缩机运行有异响",
            symptom="运行时压缩机异响，金属敲击声。",
            action="检查减震垫。",
            products=("SHV33YC", "SH"),
            refrigerants=("R410A",),
        ),
        SearchDocument(
            "split", "压缩机 与 异响 分开", symptom="压缩机在室外。另一台有异响。", products=("SG",)
        ),
        SearchDocument(
            "start",
            "压缩机不启动嗡嗡响",
            symptom="通电后嗡嗡响不转。",
            cause="运转电容失效。",
            products=("SGN33YC", "SG"),
            fault_codes=("E5",),
        ),
        SearchDocument(
            "secret", "内部：异响拆解分析", symptom="拆解发现异响来自阀片。", visibility="internal"
        ),
        SearchDocument("manual", "安装说明书", kind="document", body="安装 配管 抽真空", visibility="public"),
    ]


@pytest.fixture
def ix(tmp_path):
    backend = WhooshBackend(
        tmp_path / "index",
        init_analyser(DICT, tmp_path / "jieba"),
        series_of=lambda code: {"SHV33YC": "SH", "SGN33YC": "SG"}.get(code),
    )
    backend.rebuild(docs())
    yield backend
    backend.close()


def search(backend, text, visibilities=ALL, **kwargs):
    return backend.search(SearchRequest(text, visibilities, **kwargs))


def test_quoted_phrase_finds_exact_text_only(ix):
    slugs = [h.slug for h in search(ix, '"压缩机异响"').hits]
    assert slugs == ["noise"]  # "split" has both words, not the phrase


def test_a_phrase_matches_across_markdown_but_not_across_a_sentence(ix):
    ix.index(
        [
            SearchDocument("marked", "排气问题", body="先检查**排气温度**过高的原因。"),
            SearchDocument("sentence", "排气问题二", body="记录排气温度。过高时停机。"),
        ]
    )
    assert [h.slug for h in search(ix, '"排气温度过高"').hits] == ["marked"]
    assert {h.slug for h in search(ix, "排气温度").hits} >= {"marked", "sentence"}


def test_every_quoted_phrase_must_be_in_the_text(ix):
    assert [h.slug for h in search(ix, '"压缩机异响" "金属敲击声"').hits] == ["noise"]
    assert search(ix, '"压缩机异响" "嗡嗡响"').total == 0
    assert [h.slug for h in search(ix, '“压缩机异响” 减震垫').hits] == ["noise"]


def test_a_phrase_of_stop_words_asks_for_nothing(ix):
    assert search(ix, '"的了"').empty_query
    assert search(ix, '"的了" 嗡嗡响').hits[0].slug == "start"


def test_title_and_symptom_outweigh_the_body(ix):
    ix.index(
        [
            SearchDocument("in-body", "其他问题", symptom="外机不工作。", action="检查四通阀线圈与四通阀。"),
            SearchDocument("in-symptom", "其他问题二", symptom="四通阀不换向。", action="检查。"),
            SearchDocument("in-title", "四通阀故障", symptom="制热不好。", action="检查。"),
        ]
    )
    hits = [h.slug for h in search(ix, "四通阀").hits]
    assert hits == ["in-title", "in-symptom", "in-body"]


@pytest.mark.parametrize(
    "text",
    [
        "title:压缩机 AND (异响 OR",
        "压缩机 AND 异响 OR NOT",
        '"',
        '"""',
        "*?~^[]{}():",
        "\x00\x07压缩机\x1b",
        "的",
        "的了吗",
        "！？。，",
        "",
        "   ",
        "压缩机" * 2000,
        '"的"',
        "「异响」",
        "-异响 +压缩机",
        "🤖🔥",
    ],
)
def test_every_bad_query_returns_results_or_empty_never_raises(ix, text):
    result = search(ix, text)
    assert result.total >= 0
    assert isinstance(result.hits, list)


def test_empty_and_stopword_queries_are_marked_empty(ix):
    assert search(ix, "的了吗").empty_query
    assert search(ix, "").empty_query


def test_customer_never_sees_internal_not_even_as_a_count(ix):
    result = search(ix, "异响 拆解", CUSTOMER, facets=True)
    assert "secret" not in {h.slug for h in result.hits}
    assert sum(n for _v, n in result.facets["kind"]) == result.total
    assert search(ix, "拆解分析", frozenset({"public"})).total == 0


def test_filters_by_kind_product_series_refrigerant_fault_code(ix):
    assert {h.slug for h in search(ix, "安装 异响", filters=SearchFilters(kind="document")).hits} == {
        "manual"
    }
    assert {h.slug for h in search(ix, "压缩机", filters=SearchFilters(product="SHV33YC")).hits} == {"noise"}
    assert {h.slug for h in search(ix, "压缩机", filters=SearchFilters(product="SG")).hits} == {
        "split",
        "start",
    }
    assert {h.slug for h in search(ix, "压缩机", filters=SearchFilters(refrigerant="r410a")).hits} == {
        "noise"
    }
    assert {h.slug for h in search(ix, "压缩机", filters=SearchFilters(fault_code="E5")).hits} == {"start"}


def test_facets_count_matches(ix):
    facets = search(ix, "压缩机", facets=True).facets
    assert dict(facets["products"])["SG"] == 2
    assert dict(facets["kind"]) == {"solution": 3}


def test_paging(ix):
    first = search(ix, "压缩机 异响", per_page=2, page=1)
    second = search(ix, "压缩机 异响", per_page=2, page=2)
    assert first.total == second.total >= 3
    assert len(first.hits) == 2 and not {h.slug for h in first.hits} & {h.slug for h in second.hits}
    assert search(ix, "压缩机", per_page=2, page=50).hits == []


def test_snippet_highlights_and_escapes(ix):
    ix.index([SearchDocument("xss", "<script>异响</script>", symptom="<b>压缩机</b>异响 & 振动")])
    hit = next(h for h in search(ix, "异响").hits if h.slug == "xss")
    assert "<mark>异响</mark>" in hit.snippet and "<b" not in hit.snippet and "&lt;b" in hit.snippet


def test_did_you_mean_for_a_misspelt_model_code(ix):
    assert search(ix, "SHV33YD").suggestion == "shv33yc"


def test_title_suggestions_respect_visibility(ix):
    assert ("noise", "压缩机运行有异响") in ix.suggest_titles("压缩机运", ALL)
    assert all(slug != "secret" for slug, _t in ix.suggest_titles("异响", CUSTOMER))


def test_update_and_remove_are_seen_by_the_open_searcher(ix):
    assert search(ix, "涡旋盘").total == 0
    ix.index([SearchDocument("scroll", "涡旋盘磨损")])
    assert [h.slug for h in search(ix, "涡旋盘").hits] == ["scroll"]
    ix.remove(["scroll"])
    assert search(ix, "涡旋盘").total == 0


def test_rebuild_writes_a_fresh_directory_and_swaps(ix):
    before = ix.current_dir()
    search(ix, "异响")  # an open searcher on the old generation
    ix.rebuild([SearchDocument("only", "唯一的文章 异响")])
    assert ix.current_dir() != before
    assert [h.slug for h in search(ix, "异响").hits] == ["only"]


def test_missing_index_is_rebuilt_from_the_loader(tmp_path, caplog):
    backend = WhooshBackend(tmp_path / "index", loader=lambda: docs())
    assert backend.ensure() is True
    assert search(backend, "嗡嗡响").hits[0].slug == "start"
    backend.close()


def test_corrupt_index_is_rebuilt(tmp_path):
    backend = WhooshBackend(tmp_path / "index", loader=lambda: docs())
    backend.rebuild(docs()[:1])
    for file in backend.current_dir().iterdir():
        file.write_bytes(b"garbage")
    assert not backend.is_healthy()
    assert search(backend, "嗡嗡响").hits[0].slug == "start"  # first search recovers
    backend.close()


WRITER = """
import sys
from pathlib import Path
from app.search.analysis import init_jieba
from app.search.backend import WhooshBackend
from app.search.documents import SearchDocument
index_dir, prefix, count, userdict = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
init_jieba(None, Path(userdict))
backend = WhooshBackend(Path(index_dir), lock_wait=120)
for i in range(count):
    backend.index([SearchDocument(f"{prefix}-{i}", f"并发写入 {prefix} {i}")])
print("ok")
"""


def test_two_processes_write_at_once_without_lock_errors(ix):
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(ix.index_dir), name, "8", str(DICT / "userdict.txt")],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    outputs = [worker.communicate(timeout=180) for worker in workers]
    assert [(w.returncode, out.strip()) for w, (out, _err) in zip(workers, outputs, strict=True)] == [
        (0, "ok"),
        (0, "ok"),
    ], outputs
    assert search(ix, "并发写入", per_page=50).total == 16
    assert os.path.islink(ix.link)
