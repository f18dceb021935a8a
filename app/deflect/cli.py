"""`isupport deflect ...`: refit the similarity model, print the deflection rate and content gaps."""

from __future__ import annotations

import json
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db


@click.group("deflect", help="Fault-report suggestions (deflection).")
def deflect_cli() -> None:
    pass


@deflect_cli.command("refit",
                     help="Fit the suggestion model now from the published articles and solved reports.")
@with_appcontext
def refit_command() -> None:
    from .runtime import get_engine

    started = time.perf_counter()
    model = get_engine(current_app).store.refit()
    click.echo(f"model {model.version}: {model.size} articles, {model.learned_count} solved reports, "
               f"{time.perf_counter() - started:.2f} s")


@deflect_cli.command("stats", help="The deflection rate: overall, per account, per product series, per week.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def stats_command(as_json: bool) -> None:
    from .services import deflection_rate

    rate = deflection_rate(db.session)

    def rows(items):
        return [{"key": str(r.key) if r.key is not None else None, "reports": r.reports, "solved": r.solved,
                 "rate": round(r.rate, 4)} for r in items]

    data = {"overall": rows([rate.overall])[0], "by_account": rows(rate.by_account),
            "by_series": rows(rate.by_series), "by_week": rows(rate.by_week)}
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    overall = data["overall"]
    click.echo(f"overall: {overall['solved']}/{overall['reports']} = {overall['rate']:.1%}")
    for name in ("by_account", "by_series", "by_week"):
        click.echo(f"{name}:")
        for row in data[name]:
            click.echo(f"  {row['key']}: {row['solved']}/{row['reports']} = {row['rate']:.1%}")
