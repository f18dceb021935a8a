"""`isupport accounts ...` and `isupport users ...`."""

from __future__ import annotations

import json

import click
from sqlalchemy import select

from ..errors import DomainError
from ..extensions import db
from . import services
from .models import Account, Region, Role, UserStatus


def _fail(error: DomainError) -> None:
    db.session.rollback()
    raise click.ClickException(error.message)


@click.group("accounts", help="Customer accounts (the air-conditioner factories).")
def accounts_cli() -> None:
    pass


@accounts_cli.command("create", help="Create a customer account in a sales region.")
@click.option("--code", required=True, help="Unique account code, e.g. C-EAST-01 (letters, digits, hyphens).")
@click.option("--name", required=True, help="The customer's name.")
@click.option(
    "--region",
    required=True,
    type=click.Choice([r.value for r in Region]),
    help="Sales region; its sales office owns the account's service requests.",
)
def create_account(code: str, name: str, region: str) -> None:
    try:
        account = services.create_account(db.session, code, name, Region(region))
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"created account {account.code} ({account.name}, {account.region.value})")


@accounts_cli.command("list", help="List accounts with code, name and region.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def list_accounts(as_json: bool) -> None:
    rows = db.session.scalars(select(Account).order_by(Account.code)).all()
    if as_json:
        click.echo(
            json.dumps(
                [{"code": a.code, "name": a.name, "region": a.region.value} for a in rows], ensure_ascii=False
            )
        )
        return
    if not rows:
        click.echo("no accounts yet (isupport accounts create, or isupport demo)")
    for a in rows:
        click.echo(f"{a.code:<16} {a.region.value:<14} {a.name}")


@click.group("users", help="Portal users: create and deactivate.")
def users_cli() -> None:
    pass


@users_cli.command(
    "create",
    help="Create an active user. Customers need --account, staff need --unit; "
    "infocentre users default to the infocentre unit.",
)
@click.option("--email", required=True, help="Sign-in e-mail address (unique).")
@click.option("--password", required=True, help="At least 10 characters with letters and digits.")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="What the user may do."
)
@click.option("--account", "account_code", help="Account code (required for customers).")
@click.option(
    "--unit",
    "unit_code",
    help="Unit code (required for staff): " + ", ".join(code for code, *_ in services.UNITS),
)
@click.option("--name", default="", help="Display name (default: the e-mail's local part).")
def create_user(
    email: str, password: str, role: str, account_code: str | None, unit_code: str | None, name: str
) -> None:
    try:
        services.ensure_units(db.session)
        user = services.create_user(
            db.session,
            services.NewUser(
                email=email,
                password=password,
                role=Role(role),
                name=name,
                account_code=account_code,
                unit_code=unit_code,
            ),
        )
    except DomainError as error:
        _fail(error)
    db.session.commit()
    bound = user.account.code if user.account else (user.unit.code if user.unit else "-")
    click.echo(f"created {user.role.value} {user.email} ({bound})")


@users_cli.command(
    "deactivate", help="Deactivate a user: their sessions and API tokens stop working at once."
)
@click.option("--email", required=True, help="E-mail of the user to deactivate.")
def deactivate_user(email: str) -> None:
    user = services.user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    if user.status is UserStatus.DEACTIVATED:
        click.echo(f"{user.email} was already deactivated")
        return
    services.deactivate_user(db.session, user)
    db.session.commit()
    click.echo(f"deactivated {user.email}")
