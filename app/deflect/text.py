"""Text handling for the similarity model: normalising a customer's wording and cutting it into the
two kinds of features the model uses (jieba words and character n-grams).

Pure functions; jieba is the process-wide default tokenizer (the search domain initialises it once
with the domain dictionary), so the words here are the words the index uses."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup, escape

# Fault codes of drive boards and controllers: one letter and one or two digits (E5, P0, H11);
# R is left out because R22/R32 are refrigerants.
FAULT_CODE_RE = re.compile(r"(?<![A-Za-z0-9])([EPFHCLU][0-9]{1,2})(?![0-9A-Za-z])", re.IGNORECASE)
# Everything that is neither a letter, a digit nor a CJK character separates features.
SEPARATOR_RE = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")
MAX_QUERY_CHARS = 2000

def normalise(text: str) -> str:
    """The search analyser's normalisation (NFKC, lower case, traditional -> simplified), with
    letters and digits split by a dash or a space joined again (shv-33yc, shv 33yc -> shv33yc)."""
    from ..search.analysis import normalise as search_normalise

    text = search_normalise((text or "")[: MAX_QUERY_CHARS * 10])
    return re.sub(r"(?<=[a-z])[\-_ ](?=[0-9])", "", text)


def has_content(text: str) -> bool:
    """Whether the text holds anything to match on (not only punctuation, spaces or symbols)."""
    return bool(SEPARATOR_RE.sub("", normalise(text)))


def word_tokens(text: str) -> list[str]:
    """The search analyser's terms (jieba search mode, model codes whole, no stop words): the same
    words the index holds."""
    from ..search.analysis import analyze_terms

    return analyze_terms(text)


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
    from ..search.analysis import normalise as search_normalise

    simplified = search_normalise(folded)
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
