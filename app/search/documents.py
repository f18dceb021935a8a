"""The search document: what of an article the index holds, built by a pure function."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..catalog import normalise_model_code

SECTION_TITLES = {"symptom": "现象", "cause": "原因", "action": "处理"}
_SECTION_RE = re.compile(r"^##\s*(现象|原因|处理|symptom|cause|action)\s*$", re.IGNORECASE | re.MULTILINE)
_HEADING_KEYS = {
    "现象": "symptom",
    "原因": "cause",
    "处理": "action",
    "symptom": "symptom",
    "cause": "cause",
    "action": "action",
}
_MD_NOISE = re.compile(r"(!?\[([^\]]*)\]\([^)]*\))|[#>|]+|^\s*[-+*]\s+|^\s*\d+\.\s+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"[*_`]+")  # inline: taken out without a gap (**排气温度**过高 is one phrase)


@dataclass(frozen=True)
class Sections:
    symptom: str = ""
    cause: str = ""
    action: str = ""
    rest: str = ""  # Markdown outside the three sections


def split_sections(body: str) -> Sections:
    """A solution's body split at its ``## 现象`` / ``## 原因`` / ``## 处理`` headings."""
    parts: dict[str, list[str]] = {"symptom": [], "cause": [], "action": [], "rest": []}
    matches = list(_SECTION_RE.finditer(body or ""))
    if not matches:
        return Sections(rest=(body or "").strip())
    parts["rest"].append(body[: matches[0].start()])
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        parts[_HEADING_KEYS[match.group(1).lower()]].append(body[match.end() : end])
    return Sections(**{key: "\n".join(p.strip() for p in value if p.strip()) for key, value in parts.items()})


def join_sections(symptom: str, cause: str, action: str, rest: str = "") -> str:
    """The Markdown body of a solution given as its three sections."""
    chunks = [rest.strip()] if rest and rest.strip() else []
    for key, text in (("symptom", symptom), ("cause", cause), ("action", action)):
        chunks.append(f"## {SECTION_TITLES[key]}\n{(text or '').strip()}")
    return "\n\n".join(chunks).strip() + "\n"


def plain_text(markdown: str) -> str:
    """Markdown without its markup, for snippets (links keep their text)."""
    text = _MD_EMPHASIS.sub("", _MD_NOISE.sub(lambda m: m.group(2) or " ", markdown or ""))
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class SearchDocument:
    slug: str
    title: str
    kind: str = "solution"
    visibility: str = "customers"
    symptom: str = ""
    cause: str = ""
    action: str = ""
    body: str = ""  # the rest of the body (outside the three sections)
    tags: tuple[str, ...] = ()
    products: tuple[str, ...] = ()  # normalised codes, with the series of each model
    refrigerants: tuple[str, ...] = ()
    fault_codes: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False)

    def searchable_text(self) -> str:
        """Everything a query may match, in one string (also what the deflection engine's TF-IDF reads)."""
        return "\n".join(
            filter(
                None,
                [
                    self.title,
                    self.symptom,
                    self.cause,
                    self.action,
                    self.body,
                    " ".join(self.tags),
                    " ".join(self.products),
                    " ".join(self.refrigerants),
                    " ".join(self.fault_codes),
                ],
            )
        )

    def snippet_source(self) -> str:
        return plain_text("\n".join(filter(None, [self.symptom, self.cause, self.action, self.body])))[:3000]


def _codes(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(normalise_model_code(v) for v in values if v and normalise_model_code(v)))


def search_document(article, series_of: Callable[[str], str | None] = lambda code: None) -> SearchDocument:
    """The search document of an article (any object with the Article attributes)."""
    sections = split_sections(article.body or "")
    products = list(_codes(article.products or []))
    for code in list(products):
        series = series_of(code)
        if series and series not in products:
            products.append(series)
    kind = getattr(article.kind, "value", article.kind)
    visibility = getattr(article.visibility, "value", article.visibility)
    return SearchDocument(
        slug=article.slug,
        title=article.title,
        kind=kind,
        visibility=visibility,
        symptom=sections.symptom,
        cause=sections.cause,
        action=sections.action,
        body=sections.rest,
        tags=tuple(article.tags or ()),
        products=tuple(products),
        refrigerants=_codes(article.refrigerants or []),
        fault_codes=_codes(article.fault_codes or []),
    )
