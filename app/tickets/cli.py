"""`isupport report rma --month YYYY-MM [--format csv|xlsx] [--out FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..errors import DomainError
from ..extensions import db
from . import report as rma_report


@click.group("report", help="Reports.")
def report_cli() -> None:
    pass


@report_cli.command("rma", help="The monthly returned-material and defect report.")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="File to write (default: CSV to standard output, XLSX to rma-YYYY-MM.xlsx).",
)
@with_appcontext
def rma_command(month: str, fmt: str, out: Path | None) -> None:
    try:
        data = rma_report.build_report(db.session, month, "en")
    except DomainError as error:
        raise click.BadParameter(error.message, param_hint="--month") from None
    if fmt == "csv":
        text = rma_report.to_csv(data)
        if out is None:
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")
    else:
        out = out or Path(f"rma-{data.month}.xlsx")
        out.write_bytes(rma_report.to_xlsx(data))
    if out is not None:
        click.echo(
            f"{data.month}: {len(data.rows)} returned-material requests, "
            f"{sum(c for _k, c in data.by_defect)} defects -> {out}",
            err=True,
        )
