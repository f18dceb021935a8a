"""The Chinese text analysis of the knowledge base: normalisation, jieba segmentation, model codes,
stop words, the text quoted phrases are matched against, and query-time synonyms.

``analyze_terms(text)`` is the one tokeniser every part of the search uses (index, query, the
deflection engine's TF-IDF); the Whoosh analysers below only wrap it. jieba is global per process:
``init_jieba`` loads it once, quietly, with its cache in the instance folder."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba
from whoosh.analysis import Token, Tokenizer
from zhconv_rs import zhconv

log = logging.getLogger(__name__)

# CJK ideographs (BMP blocks and compatibility ideographs) and ASCII letter/digit runs.
_RUN = re.compile(
    r"(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|(?P<word>[a-z0-9]+(?:[-_./][a-z0-9]+)*)"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_REFRIGERANT = re.compile(r"^r(\d{2,3}[a-z]?)$")
_HAS_LETTER = re.compile(r"[a-z]")
_HAS_DIGIT = re.compile(r"\d")

# Function words and question words that say nothing about a fault.
STOP_WORDS = frozenset(
    """
的 了 是 在 和 与 及 或 也 就 都 而 又 很 还 但 被 把 让 给
对 从 向 到 于 以 之 其 此 这 那 这个 那个 这种 那种 这样 那样
一个 一下 一些 有些 有点 我 我们 你 你们 您 他 她 它 他们 咱们 吗
呢 吧 啊 呀 哦 嘛 么 啦 哈 嗯 请问 请 问 问下 问一下 怎么 怎么办
怎样 如何 为什么 为何 什么 啥 哪 哪里 哪个 是不是 能不能 可不可以
要不要 会不会 有没有 是否 可以 能 会 要 想 应该 需要 一直 总是 经常
老是 有时 时候 现在 已经 然后 所以 因为 如果 就是 还是 不过 可是 等
等等 个 台 次 些 着 过 得 地 之后 以后 以前 之前 上 下 里 中 内
没 没有 有 一 二 a an and are as at be but by
for from has have how i if in into is it
its of on or that the their then there
these this to was were what when where
which who why will with you your does do
did can could should would
""".split()
)


@dataclass(frozen=True)
class AnalyzerConfig:
    """Where the user dictionary and the synonyms come from (content/dict/)."""

    userdict: Path | None = None
    synonyms: Path | None = None


_init_lock = threading.Lock()
_initialised: set[str] = set()


def init_jieba(
    cache_dir: Path | None = None, userdict: Path | None = None, extra_words: Iterable[str] = ()
) -> None:
    """Loads jieba's dictionary once per process (0.8 s), silently, caching it under ``cache_dir``,
    then the domain dictionary. Later calls with the same dictionary do nothing."""
    key = str(userdict or "")
    with _init_lock:
        if "core" not in _initialised:
            jieba.setLogLevel(logging.WARNING)
            if cache_dir is not None:
                cache_dir.mkdir(parents=True, exist_ok=True)
                jieba.dt.tmp_dir = str(cache_dir)
                jieba.dt.cache_file = "jieba.cache"
            jieba.initialize()
            _initialised.add("core")
        changed = False
        if key and key not in _initialised:
            if userdict and userdict.exists():
                with userdict.open("rb") as handle:  # jieba leaves a path's file open
                    jieba.load_userdict(handle)
            _initialised.add(key)
            changed = True
        # Every call's words, not only the first call's: the tokens must not depend on who came first.
        for word in extra_words:
            if len(word) > 1 and _RUN.fullmatch(word) and not jieba.dt.FREQ.get(word):
                jieba.add_word(word, freq=1000)
                changed = True
        if changed:
            analyze_terms.cache_clear()


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), lower case, traditional to simplified Chinese, no control chars."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", text or "")).lower()
    return zhconv(text, "zh-hans") if any("\u3400" <= ch <= "\u9fff" for ch in text) else text


def code_token(word: str) -> list[str]:
    """A latin/digit run: a model code (``shv-33yc``) becomes one token ``shv33yc``; a refrigerant
    ``r410a`` is also findable as ``410a``; plain words split on their separators."""
    if _HAS_LETTER.search(word) and _HAS_DIGIT.search(word):
        joined = re.sub(r"[-_./]", "", word)
        match = _REFRIGERANT.match(joined)
        return [joined, match.group(1)] if match else [joined]
    return [part for part in re.split(r"[-_./]", word) if part]


def _raw_terms(normalised: str) -> Iterator[str]:
    for match in _RUN.finditer(normalised):
        if match.group("cjk"):
            yield from jieba.cut_for_search(match.group("cjk"))
        else:
            yield from code_token(match.group("word"))


@lru_cache(maxsize=4096)
def _analyze_cached(text: str) -> tuple[str, ...]:
    return tuple(t for t in _raw_terms(normalise(text)) if t.strip() and t not in STOP_WORDS)


def analyze_terms(text: str) -> list[str]:
    """The analyser's tokens of ``text`` (search-mode jieba, normalised, model codes whole, no stop words)."""
    if len(text) <= 200:
        return list(_analyze_cached(text))
    return [t for t in _raw_terms(normalise(text)) if t.strip() and t not in STOP_WORDS]


analyze_terms.cache_clear = _analyze_cached.cache_clear  # type: ignore[attr-defined]


_CODE_SEPARATOR = re.compile(r"(?<=[a-z0-9])[-_./](?=[a-z0-9])")
_NOT_IN_RUN = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffa-z0-9]+")


def phrase_key(text: str, normalised: bool = False) -> str:
    """The text as a quoted phrase is matched against: Chinese runs and latin runs (model codes
    without their separators), adjacent runs joined directly, runs parted by anything else (spaces,
    punctuation) joined by one space. ``"压缩机异响"`` is in the key of "压缩机异响大" but not of
    "压缩机。异响" or "压缩机 与 异响"."""
    text = _CODE_SEPARATOR.sub("", text if normalised else normalise(text))
    return _NOT_IN_RUN.sub(" ", text).strip()


class JiebaTokenizer(Tokenizer):
    """Whoosh tokenizer over ``analyze_terms`` (positions are token ordinals)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for index, text in enumerate(analyze_terms(value) if tokenize else [value]):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + index
            if chars:
                token.startchar = start_char
                token.endchar = start_char
            yield token


# --- synonyms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synonyms:
    """Synonym groups (canonical first). ``variants`` maps every normalised variant to its group."""

    groups: tuple[tuple[str, ...], ...]
    variants: dict[str, int]
    max_len: int

    @classmethod
    def empty(cls) -> Synonyms:
        return cls((), {}, 0)

    @classmethod
    def parse(cls, lines: Iterable[str]) -> Synonyms:
        groups: list[tuple[str, ...]] = []
        variants: dict[str, int] = {}
        for line in lines:
            line = line.split("#", 1)[0].strip()
            words = tuple(dict.fromkeys(normalise(w) for w in line.split() if w.strip()))
            if len(words) < 2:
                continue
            groups.append(words)
            for word in words:
                variants.setdefault(word, len(groups) - 1)
        return cls(tuple(groups), variants, max((len(v) for v in variants), default=0))

    def spans(self, normalised: str) -> tuple[list[tuple[tuple[str, ...], str]], str]:
        """Greedy longest matches of variants: ([(group, the variant typed)], the text left over)."""
        found: list[tuple[tuple[str, ...], str]] = []
        rest: list[str] = []
        i = 0
        while i < len(normalised):
            for length in range(min(self.max_len, len(normalised) - i), 1, -1):
                group = self.variants.get(normalised[i : i + length])
                if group is not None:
                    # A latin variant must stand alone ("oil" in "boil" is not a match).
                    piece = normalised[i : i + length]
                    if piece.isascii() and (
                        (i and normalised[i - 1].isalnum())
                        or (i + length < len(normalised) and normalised[i + length].isalnum())
                    ):
                        continue
                    found.append((self.groups[group], piece))
                    rest.append(" ")
                    i += length
                    break
            else:
                rest.append(normalised[i])
                i += 1
        return found, "".join(rest)


def load_synonyms(path: Path | None) -> Synonyms:
    if path is None or not path.exists():
        return Synonyms.empty()
    return Synonyms.parse(path.read_text(encoding="utf-8").splitlines())


def init_analyser(dict_dir: Path, cache_dir: Path | None = None) -> Synonyms:
    """The analyser as the portal runs it: jieba with ``dict_dir``'s user dictionary and every synonym
    variant as a word (so that "启动不了", "漏氟" stay whole). Returns the synonyms."""
    synonyms = load_synonyms(dict_dir / "synonyms.txt")
    init_jieba(cache_dir, dict_dir / "userdict.txt", synonyms.variants)
    return synonyms
