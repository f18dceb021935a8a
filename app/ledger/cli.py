"""`isupport ledger import PATH` (ERP exports) and `isupport ledger runs` (the import log)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import select

from ..catalog import catalog
from ..clock import utcnow
from ..extensions import db
from .importer import ImportError_, run_import
from .models import ImportRun


@click.group("ledger", help="Orders, invoices and payments from the ERP.")
def ledger_cli() -> None:
    pass


@ledger_cli.command(
    "import",
    help="Import ERP orders, invoices and payments from a JSON Lines (.json, .jsonl) "
    "or CSV file; upserts by number. Exit 0: all imported; 2: some records "
    "rejected; 1: nothing could be read.",
)
@click.argument("path", type=click.Path(path_type=Path))
def import_command(path: Path) -> None:
    try:
        report = run_import(db.session, path, catalog(), utcnow())
    except ImportError_ as error:
        db.session.rollback()
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    for message in report.errors:
        click.echo(f"rejected: {message}", err=True)
    click.echo(
        f"{path}: {report.records} records: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected"
    )
    sys.exit(report.exit_code)


@ledger_cli.command("runs", help="Show the latest import runs.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
def runs_command(limit: int) -> None:
    runs = db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)).all()
    if not runs:
        click.echo("no imports yet")
    for run in runs:
        click.echo(
            f"{run.started_at:%Y-%m-%d %H:%M:%S} {run.path}: {run.records} records, {run.created} created, "
            f"{run.updated} updated, {run.unchanged} unchanged, {run.rejected} rejected"
        )
        for line in filter(None, run.errors.splitlines()):
            click.echo(f"    {line}")


__all__ = ["ledger_cli"]
