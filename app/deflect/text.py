"""Text handling for the similarity model: normalising a customer's wording and cutting it into the
two kinds of features the model uses (jieba words and character n-grams).

Pure functions; jieba is the process-wide default tokenizer (the search domain initialises it once
with the domain dictionary), so the words here are the words the index uses."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

# Model codes (SHV33YC, shv-33yc, R410A) and fault codes (E5, P0) stay one token: jieba would cut
# them into letters and digits.
CODE_RE = re.compile(r"[a-z]+[0-9][a-z0-9]*|[0-9]+[a-z][a-z0-9]*|[a-z]{2,}|[0-9]+(?:\.[0-9]+)?")
# Fault codes of drive boards and controllers: one letter and one or two digits (E5, P0, H11);
# R is left out because R22/R32 are refrigerants.
FAULT_CODE_RE = re.compile(r"(?<![A-Za-z0-9])([EPFHCLU][0-9]{1,2})(?![0-9A-Za-z])", re.IGNORECASE)
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Everything that is neither a letter, a digit nor a CJK character separates features.
SEPARATOR_RE = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")
MAX_QUERY_CHARS = 2000

_to_simplified: Callable[[str], str] | None = None


def _simplifier() -> Callable[[str], str]:
    """Traditional -> simplified Chinese (customers in Hong Kong and Taiwan type traditional)."""
    global _to_simplified
    if _to_simplified is None:
        try:
            import opencc

            converter = opencc.OpenCC("t2s")
            _to_simplified = converter.convert
        except Exception:  # noqa: BLE001 - the converter is an optional refinement
            _to_simplified = str
    return _to_simplified


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), lower case, simplified characters, model codes joined."""
    text = unicodedata.normalize("NFKC", text or "")[: MAX_QUERY_CHARS * 10].lower()
    text = _simplifier()(text)
    # shv-33yc and shv 33yc mean SHV33YC: join letters and digits split by a dash or a space.
    text = re.sub(r"(?<=[a-z])[\-_ ](?=[0-9])", "", text)
    return text


def has_content(text: str) -> bool:
    """Whether the text holds anything to match on (not only punctuation, spaces or symbols)."""
    return bool(SEPARATOR_RE.sub("", normalise(text)))


def word_tokens(text: str) -> list[str]:
    """jieba search-mode words of the CJK runs plus whole model/fault codes; text already normalised."""
    import jieba

    tokens: list[str] = []
    for chunk in SEPARATOR_RE.split(text):
        if not chunk:
            continue
        position = 0
        for match in CJK_RE.finditer(chunk):
            tokens.extend(CODE_RE.findall(chunk[position : match.start()]))
            tokens.extend(word for word in jieba.cut_for_search(match.group(), HMM=True) if word.strip())
            position = match.end()
        tokens.extend(CODE_RE.findall(chunk[position:]))
    return tokens


def char_text(text: str) -> str:
    """Text for the character n-gram features: separators become single spaces."""
    return SEPARATOR_RE.sub(" ", text).strip()


def fault_codes_in(text: str) -> set[str]:
    """Fault codes a customer quotes (E5, P0, F12): upper-case letter(s) and digits on their own."""
    text = unicodedata.normalize("NFKC", text or "")
    return {code.upper() for code in FAULT_CODE_RE.findall(text)}


def _same_length_normal(source: str) -> str:
    """``source`` normalised character by character, so positions in it are positions in ``source``."""
    chars = []
    for char in source:
        normal = unicodedata.normalize("NFKC", char).lower()
        chars.append(normal if len(normal) == 1 else char.lower())
    folded = "".join(chars)
    simplified = _simplifier()(folded)
    return simplified if len(simplified) == len(folded) else folded


def highlight(source: str, terms: Iterable[str], width: int = 120) -> Markup:
    """A short excerpt of ``source`` around the first matched term, the terms wrapped in <mark>.

    Escapes everything else, so the result is safe HTML. Cuts at character boundaries, which is
    how Chinese text is read (there are no word spaces to respect)."""
    source = re.sub(r"\s+", " ", source or "").strip()
    lowered = _same_length_normal(source)
    wanted = sorted({t for t in terms if t and len(t) >= 1 and t.strip()}, key=len, reverse=True)
    first = min((i for i in (lowered.find(t) for t in wanted) if i >= 0), default=0)
    start = max(0, first - width // 4)
    end = min(len(source), start + width)
    excerpt, low_excerpt = source[start:end], lowered[start:end]
    spans: list[tuple[int, int]] = []
    for term in wanted:
        position = 0
        while (found := low_excerpt.find(term, position)) >= 0:
            span = (found, found + len(term))
            if not any(a < span[1] and span[0] < b for a, b in spans):
                spans.append(span)
            position = found + len(term)
    spans.sort()
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = 0
    for a, b in spans:
        parts.append(str(escape(excerpt[cursor:a])))
        parts.append(f"<mark>{escape(excerpt[a:b])}</mark>")
        cursor = b
    parts.append(str(escape(excerpt[cursor:])))
    parts.append("…" if end < len(source) else "")
    return Markup("".join(parts))
