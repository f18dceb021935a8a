"""Highlighted snippets for the results shown: cheap (string search in the stored text, no
re-analysis) and cut at Chinese sentence boundaries where one is near."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from .analysis import normalise

_SENTENCE_END = "。！？；!?;\n"


def make_snippet(text: str, terms: list[str], width: int = 110) -> Markup:
    """About ``width`` characters of ``text`` around the densest cluster of ``terms``,
    the matches in <mark>."""
    if not text:
        return Markup("")
    lowered = normalise(text)
    if len(lowered) != len(text):  # NFKC changed lengths: match on a plain lower-cased copy instead
        lowered = text.lower()
    terms = [t for t in terms if t]
    hits: list[tuple[int, int, str]] = []
    if terms:
        pattern = re.compile("|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True)))
        hits = [(m.start(), m.end(), m.group(0)) for m in pattern.finditer(lowered)]
    if not hits:
        start = 0
    else:
        best, best_score = hits[0][0], -1
        for i, (position, _end, _term) in enumerate(hits[:200]):
            distinct = {term for p, _e, term in hits[i : i + 40] if p < position + width}
            if len(distinct) > best_score:
                best, best_score = position, len(distinct)
        start = max(0, best - width // 4)
        boundary = max(text.rfind(ch, max(0, start - 30), best) for ch in _SENTENCE_END)
        if boundary >= 0 and boundary + 1 <= best:
            start = boundary + 1
    end = min(len(text), start + width)
    cut = max(text.rfind(ch, start + width // 2, end) for ch in _SENTENCE_END)
    if cut > 0 and end < len(text):
        end = cut + 1
    parts: list[Markup] = [Markup("…")] if start > 0 else []
    cursor = start
    for position, stop, _term in hits:
        if position < cursor or position >= end:
            continue
        stop = min(stop, end)
        parts.append(escape(text[cursor:position]))
        parts.append(Markup("<mark>") + escape(text[position:stop]) + Markup("</mark>"))
        cursor = stop
    parts.append(escape(text[cursor:end].strip() if cursor == start else text[cursor:end]))
    if end < len(text):
        parts.append(Markup("…"))
    return Markup("").join(parts)
