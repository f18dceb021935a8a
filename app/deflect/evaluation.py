"""Measuring ranking quality on labelled sets: MRR@10 and Recall@5.

Labelled queries (tests/data/queries_*.jsonl: {"q", "relevant", "style"}) and fault reports
(tests/data/faults_*.jsonl: {"description", "product_model", "relevant"}) are read into one
shape; any ranking function ``(text, product_model) -> [slug, ...]`` can be measured on them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .similarity import ArticleText

SECTION_RE = re.compile(r"^##\s*(.+?)\s*$", re.MULTILINE)
SECTION_NAMES = {"现象": "symptom", "原因": "cause", "处理": "action"}


@dataclass(frozen=True)
class LabelledCase:
    text: str
    relevant: frozenset[str]
    product_model: str | None = None
    style: str = "fault"


def load_cases(paths: Sequence[Path]) -> list[LabelledCase]:
    cases = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            text = record.get("q") or record.get("description") or ""
            cases.append(
                LabelledCase(
                    text=text,
                    relevant=frozenset(record["relevant"]),
                    product_model=record.get("product_model"),
                    style=record.get("style", "fault"),
                )
            )
    return cases


def split_sections(markdown: str) -> dict[str, str]:
    """The symptom / cause / action sections (## 现象 / ## 原因 / ## 处理) of a solution's body."""
    sections: dict[str, str] = {}
    matches = list(SECTION_RE.finditer(markdown))
    for i, match in enumerate(matches):
        name = SECTION_NAMES.get(match.group(1).strip())
        if name:
            end = matches[i + 1].start() if i + 1 < len(matches) else len(markdown)
            sections[name] = markdown[match.end() : end].strip()
    return sections


def load_content_articles(content_dir: Path) -> list[ArticleText]:
    """The Markdown articles of ``content/`` (front matter + body), as the model sees them."""
    import frontmatter

    articles = []
    for path in sorted(Path(content_dir).glob("*/*.md")):
        post = frontmatter.load(path)
        meta = post.metadata
        sections = split_sections(post.content)
        articles.append(
            ArticleText(
                slug=str(meta["slug"]),
                title=str(meta.get("title", "")),
                kind=str(meta.get("kind", "solution")),
                visibility=str(meta.get("visibility", "customers")),
                symptom=sections.get("symptom", ""),
                cause=sections.get("cause", ""),
                action=sections.get("action", ""),
                body=post.content,
                products=tuple(str(p) for p in meta.get("products") or ()),
                fault_codes=tuple(str(c) for c in meta.get("fault_codes") or ()),
                tags=tuple(str(t) for t in meta.get("tags") or ()),
            )
        )
    return articles


@dataclass(frozen=True)
class Quality:
    mrr_at_10: float
    recall_at_5: float
    cases: int

    def as_dict(self) -> dict:
        return {
            "mrr@10": round(self.mrr_at_10, 4),
            "recall@5": round(self.recall_at_5, 4),
            "cases": self.cases,
        }


def measure(rank: Callable[[str, str | None], list[str]], cases: Sequence[LabelledCase]) -> Quality:
    """MRR@10 (1/rank of the first relevant slug in the top 10) and Recall@5 (share of the relevant
    slugs found in the top 5), averaged over the cases."""
    reciprocal, recall = 0.0, 0.0
    for case in cases:
        ranked = rank(case.text, case.product_model)
        for position, slug in enumerate(ranked[:10], start=1):
            if slug in case.relevant:
                reciprocal += 1 / position
                break
        recall += len(case.relevant & set(ranked[:5])) / len(case.relevant)
    n = max(1, len(cases))
    return Quality(mrr_at_10=reciprocal / n, recall_at_5=recall / n, cases=len(cases))
