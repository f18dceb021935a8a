"""The analyser: jieba search mode, normalisation, model codes, stop words, phrase keys, synonyms."""

from __future__ import annotations

from app.search.analysis import Synonyms, analyze_terms, init_jieba, normalise, phrase_key
from app.search.queries import parse_query
from app.settings import PROJECT_ROOT


def test_search_mode_emits_compound_and_parts(app, backend):
    terms = analyze_terms("压缩机异响")
    assert "压缩机" in terms and "压缩" in terms and "异响" in terms


def test_model_codes_are_one_token_whatever_the_spelling(backend):
    assert analyze_terms("SHV33YC") == ["shv33yc"]
    assert analyze_terms("shv-33yc") == ["shv33yc"]
    assert analyze_terms("ＳＨＶ３３ＹＣ") == ["shv33yc"]  # full width
    assert "shv33yc" in analyze_terms("SHV33YC压缩机不启动")


def test_refrigerant_also_findable_without_r(backend):
    assert analyze_terms("R410A泄漏")[:2] == ["r410a", "410a"]


def test_full_width_and_case_are_normalised(backend):
    assert normalise("ＡＢＣ１２３，") == "abc123,"
    assert analyze_terms("ＩＰＭ保护") == analyze_terms("ipm保护")


def test_traditional_chinese_becomes_simplified(backend):
    assert analyze_terms("壓縮機不啟動") == analyze_terms("压缩机不启动")


def test_stop_words_and_punctuation_are_dropped(backend):
    assert analyze_terms("的了吗？！。，") == []
    assert "的" not in analyze_terms("压缩机的噪音")


def test_user_dictionary_keeps_domain_words(backend):
    assert "运转电容" in analyze_terms("运转电容鼓包")


def test_phrase_key_keeps_adjacent_text_together_and_parts_the_rest():
    assert phrase_key("压缩机异响！") == "压缩机异响"
    assert phrase_key("压缩机。异响") == "压缩机 异响"
    assert phrase_key("**SHV-33YC**  壓縮機") == "shv33yc 压缩机"
    assert phrase_key("型号SHV33YC压缩机") == "型号shv33yc压缩机"
    assert phrase_key("！？…") == ""


def test_synonyms_match_longest_variant():
    synonyms = Synonyms.parse(["异响 噪音 声音大", "不启动 启动不了 无法启动", "oil 油"])
    groups, rest = synonyms.spans(normalise("压缩机启动不了声音大"))
    assert [(g[0], typed) for g, typed in groups] == [("不启动", "启动不了"), ("异响", "声音大")]
    assert "启动不了" not in rest
    groups, _rest = synonyms.spans("boil")  # a latin variant must stand alone
    assert groups == []


def test_query_expands_synonyms_only_when_asked(backend):
    synonyms = backend.synonyms
    with_synonyms = parse_query("压机噪音", synonyms)
    without = parse_query("压机噪音", None)
    alternatives = {t for c in with_synonyms.concepts for alt in c.alternatives for t in alt}
    assert "压缩机" in alternatives and "异响" in alternatives
    assert len([t for c in without.concepts for alt in c.alternatives for t in alt]) < len(alternatives)


def test_words_given_by_a_later_call_are_added_too(backend):
    """The portal adds the synonyms' variants as jieba words; a process that initialised jieba
    first without them (a benchmark, a CLI command) must not end up with other tokens."""
    word = "嗡咔嗒嘶"
    assert word not in analyze_terms(word)
    init_jieba(None, PROJECT_ROOT / "content" / "dict" / "userdict.txt", [word])
    assert word in analyze_terms(word)
