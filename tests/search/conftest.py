"""Fixtures of the knowledge-base tests: the real content/ imported into the test database, the
real Whoosh index in tmp_path, jieba on."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.search import services
from app.search.models import ArticleStatus
from app.search.records import article_input
from app.settings import PROJECT_ROOT


@pytest.fixture
def backend(app):
    return services.get_backend(app)


@pytest.fixture
def kb(app, backend):
    """The shipped knowledge base, imported and indexed."""
    for folder in ("solutions", "documents"):
        report = services.import_articles(db.session, PROJECT_ROOT / "content" / folder)
        assert not report.rejected
    services.reindex(db.session, backend)
    return backend


@pytest.fixture
def article(app, backend):
    """make an article: article(slug, title, body=..., visibility=..., status=...)."""

    def _make(
        slug: str,
        title: str,
        body: str = "## 现象\n压缩机不转。\n\n## 原因\n电容坏。\n\n## 处理\n更换电容。\n",
        status: ArticleStatus = ArticleStatus.PUBLISHED,
        **fields,
    ):
        data = article_input({"slug": slug, "title": title, "body": body, **fields})
        item, _changed = services.save_article(db.session, data, None, status=status)
        db.session.commit()
        return item

    return _make
