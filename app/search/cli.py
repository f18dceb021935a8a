"""`isupport kb import PATH` and `isupport kb reindex` (CONTRACT.md)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from . import services


@click.group("kb", help="The knowledge base: import articles, rebuild the search index.")
def kb_cli() -> None:
    pass


@kb_cli.command(
    "import",
    help="Import articles from a JSONL file or a folder of Markdown files (upsert by "
    "slug, publish, index). Exit 0: all imported; 2: some rejected; 1: nothing read.",
)
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def import_command(path: Path) -> None:
    if not path.exists():
        click.echo(f"error: {path} does not exist", err=True)
        sys.exit(1)
    started = time.perf_counter()
    try:
        report = services.import_articles(db.session, path)
    except (OSError, UnicodeDecodeError) as error:
        db.session.rollback()
        click.echo(f"error: cannot read {path}: {error}", err=True)
        sys.exit(1)
    for where, message in report.rejected:
        click.echo(f"rejected {where}: {message}", err=True)
    click.echo(
        f"imported {report.imported} (created {report.created}, updated {report.updated}, "
        f"unchanged {report.unchanged}), rejected {len(report.rejected)} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if not report.read_any:
        sys.exit(1)
    if report.rejected:
        sys.exit(2 if report.imported else 1)


@kb_cli.command("reindex", help="Rebuild the search index from the database (fresh directory, swapped in).")
@click.option("--procs", default=2, show_default=True, type=click.IntRange(1, 8), help="writer processes")
@with_appcontext
def reindex_command(procs: int) -> None:
    started = time.perf_counter()
    count = services.reindex(db.session, services.get_backend(current_app), procs=procs)
    click.echo(f"indexed {count} published articles in {time.perf_counter() - started:.1f} s")
