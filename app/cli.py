"""The `isupport` command line: setup, demo data and serving; each domain adds its own group."""

from __future__ import annotations

import logging
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .registry import registry

log = logging.getLogger(__name__)


def _create_app(*_args) -> Flask:
    from . import create_app

    return create_app()


@with_appcontext
def _upgrade_schema() -> None:
    from flask_migrate import upgrade

    from .accounts.services import ensure_units
    from .extensions import db

    current_app.extensions["isupport.settings"].instance_dir.mkdir(parents=True, exist_ok=True)
    upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")
    ensure_units(db.session)
    db.session.commit()


@click.command("init", help="Create or migrate the database schema (idempotent).")
def init_command() -> None:
    _upgrade_schema()
    click.echo(f"database ready: {current_app.config['SQLALCHEMY_DATABASE_URI']}")


@click.command(
    "demo",
    help="Load demo accounts, users of every role, ledger, requests and the articles "
    "of content/ (idempotent; runs init first).",
)
@with_appcontext
def demo_command() -> None:
    _upgrade_schema()
    settings = current_app.extensions["isupport.settings"]
    for loader in registry().demo_loaders:
        click.echo(f"demo: {loader.name}")
        loader.load(settings, click.echo)


@click.command("serve", help="Serve the portal with waitress (several threads).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    from waitress import serve

    app = current_app._get_current_object()
    for hook in registry().startup_hooks:  # e.g. load jieba, open or rebuild the search index
        hook(app)
    click.echo(f"iSupport serving on http://{host}:{port}/  (Ctrl+C stops)")
    sys.stdout.flush()
    serve(app, host=host, port=port, threads=threads, ident="isupport")


def init_app(app: Flask) -> None:
    for command in (init_command, demo_command, serve_command):
        app.cli.add_command(command)


class PortalGroup(FlaskGroup):
    """Checks the environment's settings first, so a bad value is one clear line, not a traceback."""

    def main(self, *args, **kwargs):
        from .settings import Settings

        try:
            Settings.from_env()
        except ValueError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(2)
        return super().main(*args, **kwargs)

    def invoke(self, ctx):
        """A database that is missing or not set up is one clear line too."""
        from sqlalchemy.exc import OperationalError, ProgrammingError

        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as error:
            text = str(error.orig if getattr(error, "orig", None) is not None else error)
            if "no such table" in text or ('relation "' in text and "does not exist" in text):
                raise click.ClickException(
                    f"the database has no portal tables yet ({text.splitlines()[0]}): "
                    "run `isupport init` first") from error
            if isinstance(error, OperationalError):
                raise click.ClickException(f"cannot use the database: {text.splitlines()[0]}") from error
            raise

    # Flask-Limiter plugs in a maintenance group; the portal keeps its limits in memory, so it has no use.
    HIDDEN = frozenset({"limiter"})

    def list_commands(self, ctx):
        return [name for name in super().list_commands(ctx) if name not in self.HIDDEN]

    def get_command(self, ctx, name):
        return None if name in self.HIDDEN else super().get_command(ctx, name)


main = PortalGroup(
    name="isupport",
    help="iSupport: the compressor maker's self-service support portal.\n\n"
    "Settings come from the environment: ISUPPORT_DATABASE_URL, ISUPPORT_INDEX_DIR, "
    "ISUPPORT_CONTENT_DIR, ISUPPORT_INSTANCE_DIR, ISUPPORT_SECRET_KEY, ISUPPORT_LANGUAGE (zh_CN or en), "
    "ISUPPORT_SECURE_COOKIES (1 or 0), ISUPPORT_SMTP_HOST/PORT/SENDER.\n\n"
    "First run: isupport init, then isupport demo, then isupport serve.",
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
# The factory is fixed, so FlaskGroup's --app, --env-file and --debug options would only confuse.
main.params = [p for p in main.params if p.name not in ("app", "env_file", "debug")]
