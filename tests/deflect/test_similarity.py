"""The TF-IDF model, the model store and rank fusion, without Flask."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from app.deflect.evaluation import LabelledCase, load_content_articles, measure, split_sections
from app.deflect.fusion import Boosts, FusionOptions, fuse, reciprocal_rank_fusion, weighted_sum
from app.deflect.similarity import ArticleText, LearnedText, fit
from app.deflect.store import ModelStore
from app.deflect.text import fault_codes_in, has_content, highlight, normalise, word_tokens
from app.settings import PROJECT_ROOT

ARTICLES = [
    ArticleText(
        slug="hum-capacitor",
        title="压缩机嗡嗡响不启动：运转电容失效",
        symptom="开机后压缩机只发出嗡嗡声，不转，几秒后过载保护器跳开。",
        cause="运转电容容量衰减或开路。",
        action="用电容表测量容量，低于标称值 90% 的更换。",
        products=("SG", "SGN33YC"),
    ),
    ArticleText(
        slug="leak",
        title="冷媒泄漏导致制冷差、低压偏低",
        symptom="制冷效果越来越差，低压偏低，排气温度高，回气管不凉。",
        cause="焊点或接头漏。",
        action="保压检漏，补焊后抽真空按铭牌量充注。",
        products=("SH",),
    ),
    ArticleText(
        slug="e5-overcurrent",
        title="变频驱动报 E5 压缩机过流",
        symptom="变频空调运行中停机，驱动板报 E5 故障代码。",
        cause="负载过大或电压低。",
        action="检查电源电压与冷凝器散热。",
        products=("INV",),
        fault_codes=("E5",),
    ),
    ArticleText(
        slug="staff-only",
        title="内部：压缩机嗡嗡响返修判定标准",
        visibility="internal",
        symptom="压缩机嗡嗡响不启动的返修件判定。",
    ),
    ArticleText(
        slug="manual",
        title="SG系列安装说明书",
        kind="document",
        visibility="public",
        body="安装时压缩机倾斜角不得超过 5 度，底脚橡胶垫按图安装。",
    ),
]


def test_normalise_folds_width_case_and_model_codes():
    assert normalise("ＳＨＶ－３３ＹＣ 压缩机") == "shv33yc 压缩机"
    assert normalise("shv 33yc") == "shv33yc"
    assert not has_content("？！……  ，。!!!")
    assert not has_content("")
    assert has_content("E5")


def test_word_tokens_keep_codes_whole():
    tokens = word_tokens(normalise("SHV33YC压缩机报E5，R410A泄漏"))
    assert "shv33yc" in tokens and "e5" in tokens and "r410a" in tokens
    assert "压缩机" in tokens and "泄漏" in tokens
    assert all(t.strip() for t in tokens)


def test_fault_codes_found_but_not_refrigerants():
    assert fault_codes_in("驱动板报e5，之后又报 P0 ") == {"E5", "P0"}
    assert fault_codes_in("R32 机型 SHV33YC 不启动") == set()


def test_highlight_marks_terms_and_escapes_html():
    html = str(highlight("<b>压缩机</b>嗡嗡响，不启动", ["嗡嗡", "压缩机"]))
    assert "<mark>压缩机</mark>" in html and "<mark>嗡嗡</mark>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    long = "甲" * 300 + "电容失效" + "乙" * 300
    excerpt = str(highlight(long, ["电容"], width=60))
    assert "<mark>电容</mark>" in excerpt and excerpt.startswith("…") and excerpt.endswith("…")
    assert len(excerpt) < 120


@pytest.fixture(scope="module")
def model():
    return fit(ARTICLES)


def test_top_finds_the_article_and_survives_a_typo(model):
    assert model.top("压机嗡嗡响起不来", 3)[0][0] == "hum-capacitor"
    # 电溶 is a typo of 电容; the character n-grams still carry 嗡嗡/不启动.
    assert model.top("电溶坏了嗡嗡的不启动", 3)[0][0] == "hum-capacitor"
    assert model.top("制冷差 低压低", 3)[0][0] == "leak"


def test_scores_are_cosines_and_ordered(model):
    ranked = model.top("压缩机嗡嗡响不启动", 5)
    scores = [score for _slug, score in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1.0001 for s in scores)


def test_visibility_per_reader(model):
    query = "压缩机嗡嗡响不启动返修判定"
    assert "staff-only" not in [s for s, _ in model.top(query, 10, reader="customer")]
    assert "staff-only" in [s for s, _ in model.top(query, 10, reader="internal")]
    assert [s for s, _ in model.top("安装 倾斜 压缩机", 10, reader="anonymous")] == ["manual"]


def test_allowed_restricts_results(model):
    assert [s for s, _ in model.top("压缩机嗡嗡响 制冷差", 10, allowed={"leak"})] == ["leak"]


def test_nothing_to_match_gives_nothing(model):
    assert model.top("！？。，", 5) == []
    assert model.top("", 5) == []
    assert model.top("完全无关的天气预报内容", 5) == [] or model.top("完全无关的天气预报内容", 5)[0][1] < 0.2


def test_learned_report_makes_its_wording_rank_the_article_first(model):
    wording = "外机一通电就咔哒一声然后安静了，风扇照转"
    before = model.top(wording, 5)
    assert not before or before[0][0] != "leak"
    learned = fit(ARTICLES, [LearnedText("leak", wording)])
    after = learned.top(wording, 5)
    assert after[0][0] == "leak"
    assert learned.learned_match(wording, "leak") > 0.9
    assert learned.learned_count == 1
    # Learned text for an article that is gone is dropped, not an error.
    assert fit(ARTICLES, [LearnedText("no-such-article", wording)]).learned_count == 0


def test_matched_terms_explain_the_match(model):
    terms = model.matched_terms("压缩机嗡嗡响，电容是不是坏了", "hum-capacitor")
    assert "电容" in terms and "嗡嗡" in "".join(terms)
    assert model.matched_terms("压缩机", "no-such") == []


def test_version_is_a_stamp_of_the_inputs():
    assert fit(ARTICLES).version == fit(list(reversed(ARTICLES))).version
    assert fit(ARTICLES).version != fit(ARTICLES[:-1]).version
    assert fit(ARTICLES).version != fit(ARTICLES, [LearnedText("leak", "漏了")]).version


def test_empty_corpus():
    empty = fit([])
    assert empty.top("压缩机", 5) == []


# --- store --------------------------------------------------------------------------------------------


class Source:
    def __init__(self, articles):
        self.articles = list(articles)
        self.learned: list[LearnedText] = []
        self.fits = 0
        self.gate: threading.Event | None = None

    def __call__(self):
        self.fits += 1
        if self.gate:
            self.gate.wait(10)
        return list(self.articles), list(self.learned)

    def stamp(self) -> str:
        return f"{len(self.articles)}-{len(self.learned)}"


def test_store_fits_once_saves_and_other_workers_load(tmp_path: Path):
    source = Source(ARTICLES)
    first = ModelStore(tmp_path, source, source.stamp, check_seconds=0)
    model = first.get()
    assert source.fits == 1 and model.size == len(ARTICLES)
    pointer = json.loads((tmp_path / "CURRENT").read_text())
    assert pointer["version"] == model.version and (tmp_path / pointer["file"]).exists()
    # A second worker loads from disk instead of fitting.
    second = ModelStore(tmp_path, source, source.stamp, check_seconds=0)
    assert second.get().version == model.version and source.fits == 1


def test_store_refits_in_background_and_swaps(tmp_path: Path):
    source = Source(ARTICLES[:2])
    store = ModelStore(tmp_path, source, source.stamp, check_seconds=0)
    old = store.get()
    source.articles = list(ARTICLES)
    source.gate = threading.Event()
    # The data changed: the next request starts a refit but is answered by the old model at once.
    assert store.get() is old
    source.gate.set()
    store.wait()
    new = store.get()
    assert new.version != old.version and new.size == len(ARTICLES)
    # Another worker that still holds the old model picks the new one up from disk.
    other = ModelStore(tmp_path, Source(ARTICLES[:2]), lambda: "4-0", check_seconds=0)
    other._loaded = None
    assert other.get().version == new.version


def test_store_recovers_from_an_unreadable_file(tmp_path: Path):
    source = Source(ARTICLES)
    ModelStore(tmp_path, source, source.stamp).get()
    pointer = json.loads((tmp_path / "CURRENT").read_text())
    (tmp_path / pointer["file"]).write_bytes(b"not a model")
    fresh = ModelStore(tmp_path, source, source.stamp)
    assert fresh.get().size == len(ARTICLES) and source.fits == 2


# --- fusion ---------------------------------------------------------------------------------------------


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank_fusion([([("a", 9.0), ("b", 5.0)], 1.0), ([("b", 0.9), ("c", 0.5)], 1.0)], k=60)
    assert max(fused, key=fused.get) == "b"
    assert fused["a"] == pytest.approx(1 / 61)


def test_weighted_sum_normalises_each_list():
    fused = weighted_sum([([("a", 20.0), ("b", 10.0)], 1.0), ([("b", 0.8), ("a", 0.2)], 1.0)])
    assert fused["a"] == pytest.approx(1.25) and fused["b"] == pytest.approx(1.5)
    assert weighted_sum([([("a", 0.0)], 1.0)]) == {}


def test_boosts_lift_matching_product_and_fault_code():
    facts = {"a": (("SH",), ()), "b": (("INV",), ("E5",))}
    plain = fuse([("a", 2.0), ("b", 1.9)], [], FusionOptions(method="weighted"), facts, Boosts())
    assert plain[0][0] == "a"
    boosted = fuse(
        [("a", 2.0), ("b", 1.9)],
        [],
        FusionOptions(method="weighted"),
        facts,
        Boosts(product_codes=frozenset({"DSY190XH", "INV"}), fault_codes=frozenset({"E5"})),
    )
    assert boosted[0][0] == "b" and boosted[0][2] == ["product:INV", "fault_code:E5"]


# --- evaluation -----------------------------------------------------------------------------------------


def test_measure_mrr_and_recall():
    cases = [LabelledCase("x", frozenset({"a"})), LabelledCase("y", frozenset({"b", "c"}))]
    ranking = {"x": ["z", "a"], "y": ["b", "q", "q2", "q3", "q4", "c"]}
    quality = measure(lambda text, _product: ranking[text], cases)
    assert quality.mrr_at_10 == pytest.approx((0.5 + 1.0) / 2)
    assert quality.recall_at_5 == pytest.approx((1.0 + 0.5) / 2)


def test_shipped_articles_parse_into_sections():
    sections = split_sections("## 现象\n甲\n\n## 原因\n乙\n## 处理\n丙\n## 其他\n丁")
    assert sections == {"symptom": "甲", "cause": "乙", "action": "丙"}
    articles = load_content_articles(PROJECT_ROOT / "content")
    assert len(articles) >= 80
    solution = next(a for a in articles if a.kind == "solution")
    assert solution.symptom and solution.action


def test_a_document_snippet_carries_no_markdown_markup():
    document = ArticleText(slug="codes", title="驱动故障代码一览表", kind="document",
                           body="## 适用范围\n本表适用于 [INV 系列](/kb/articles/x) 的**参考驱动**。"
                                "\n- E3 失步")
    snippet = document.snippet_source()
    assert snippet.startswith("适用范围 本表适用于 INV 系列")
    assert not any(mark in snippet for mark in ("#", "*", "[", "](", "- E3"))
    assert ArticleText(slug="empty", title="只有标题").snippet_source() == "只有标题"
