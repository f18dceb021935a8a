"""Demo data of the knowledge base: the articles of content/, imported and indexed (idempotent)."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from . import services


def load_demo(settings, echo: Callable[[str], None]) -> None:
    author = db.session.scalar(select(User).where(User.email == "info@isupport.example.com"))
    for folder in ("solutions", "documents"):
        path = settings.content_dir / folder
        if path.is_dir():
            report = services.import_articles(db.session, path, author=author)
            echo(
                f"  {folder}: {report.imported} articles ({report.created} new), "
                f"{len(report.rejected)} rejected"
            )
            for where, message in report.rejected:
                echo(f"  rejected {where}: {message}")
    count = services.reindex(db.session, services.get_backend(current_app), procs=1)
    echo(f"  search index: {count} articles in {settings.index_dir}")
