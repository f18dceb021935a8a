"""Article records from outside: JSONL lines and Markdown files with YAML front matter
(the formats of CONTRACT.md), validated into plain values before anything touches the database."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import yaml

from ..errors import InvalidInput
from .documents import join_sections, split_sections

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TITLE = 300
MAX_BODY = 200_000
MAX_LIST = 50


@dataclass(frozen=True)
class ArticleInput:
    slug: str
    title: str
    body: str
    kind: str = "solution"
    visibility: str = "customers"
    products: tuple[str, ...] = ()
    refrigerants: tuple[str, ...] = ()
    fault_codes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def _text(data: dict, key: str, required: bool = False, limit: int = MAX_BODY) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{key} is required", field=key)
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be a string", field=key)
    if len(value) > limit:
        raise InvalidInput(f"{key} is longer than {limit} characters", field=key)
    return value.replace("\r\n", "\n").replace("\x00", "")


def _list(data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in re.split(r"[,，\s]+", value) if part]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise InvalidInput(f"{key} must be a list of strings", field=key)
    if len(value) > MAX_LIST:
        raise InvalidInput(f"{key} has more than {MAX_LIST} entries", field=key)
    items = [str(v).strip()[:80] for v in value if str(v).strip()]
    return tuple(dict.fromkeys(items))


def article_input(data: object) -> ArticleInput:
    """Validates one record (a dict from JSON or front matter + body)."""
    if not isinstance(data, dict):
        raise InvalidInput("a record must be a JSON object")
    slug = _text(data, "slug", required=True, limit=120).strip()
    if not SLUG_RE.match(slug):
        raise InvalidInput("slug must be lower-case letters, digits and hyphens ([a-z0-9-]+)", field="slug")
    title = " ".join(_text(data, "title", required=True, limit=MAX_TITLE).split())
    kind = data.get("kind") or "solution"
    if kind not in ("solution", "document"):
        raise InvalidInput("kind must be solution or document", field="kind")
    visibility = data.get("visibility") or "customers"
    if visibility not in ("public", "customers", "internal"):
        raise InvalidInput("visibility must be public, customers or internal", field="visibility")
    body = _text(data, "body")
    sections = {key: _text(data, key) for key in ("symptom", "cause", "action")}
    if any(sections.values()):
        if kind != "solution":
            raise InvalidInput("symptom, cause and action belong to a solution", field="kind")
        body = join_sections(
            sections["symptom"],
            sections["cause"],
            sections["action"],
            rest=split_sections(body).rest if body else "",
        )
    if not body.strip():
        raise InvalidInput("body is required (or symptom, cause and action for a solution)", field="body")
    return ArticleInput(
        slug=slug,
        title=title,
        body=body.strip() + "\n",
        kind=kind,
        visibility=visibility,
        products=_list(data, "products"),
        refrigerants=_list(data, "refrigerants") or _list(data, "refrigerant"),
        fault_codes=_list(data, "fault_codes"),
        tags=_list(data, "tags"),
    )


@dataclass(frozen=True)
class RawRecord:
    where: str  # "line 12" or a file name
    data: object
    error: str | None = None


def read_records(path: Path) -> Iterator[RawRecord]:
    """Records of a JSONL file or a folder of Markdown files (searched recursively)."""
    if path.is_dir():
        for file in sorted(path.rglob("*.md")):
            try:
                post = frontmatter.loads(file.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, yaml.YAMLError, ValueError) as error:
                yield RawRecord(str(file), None, f"unreadable front matter: {error}")
                continue
            yield RawRecord(str(file), {**post.metadata, "body": post.content})
        return
    with path.open(encoding="utf-8", errors="strict") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield RawRecord(f"line {number}", json.loads(line))
            except json.JSONDecodeError as error:
                yield RawRecord(f"line {number}", None, f"not valid JSON: {error.msg}")
