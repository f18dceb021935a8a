"""The `isupport` command line: accounts, users, demo data and the help texts."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import Account, Contact, Role, User, UserStatus
from app.cli import main
from app.extensions import db
from app.portal.models import NewsItem
from tests.conftest import PASSWORD


def run(runner, *args):
    result = runner.invoke(args=list(args))
    db.session.expire_all()
    return result


def test_accounts_create_and_list(runner):
    result = run(
        runner, "accounts", "create", "--code", "c-east-99", "--name", "测试空调", "--region", "east"
    )
    assert result.exit_code == 0, result.output
    assert "C-EAST-99" in result.output
    result = run(
        runner, "accounts", "create", "--code", "C-NORTH-9", "--name", "北方测试", "--region", "north"
    )
    assert result.exit_code == 0
    listed = run(runner, "accounts", "list", "--json")
    assert listed.exit_code == 0
    assert json.loads(listed.output) == [
        {"code": "C-EAST-99", "name": "测试空调", "region": "east"},
        {"code": "C-NORTH-9", "name": "北方测试", "region": "north"},
    ]
    table = run(runner, "accounts", "list")
    assert "C-EAST-99" in table.output and "north" in table.output


def test_accounts_list_when_empty(runner):
    assert json.loads(run(runner, "accounts", "list", "--json").output) == []
    assert "no accounts yet" in run(runner, "accounts", "list").output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--code", "C-1", "--name", "x", "--region", "west"], "'west' is not one of"),
        (["--code", "C-1", "--name", "x"], "Missing option '--region'"),
        (["--code", "bad code!", "--name", "x", "--region", "east"], "2-32 letters, digits or hyphens"),
        (["--code", "C-1", "--name", " ", "--region", "east"], "needs a name"),
        (["--code", "C-1", "--name", "名" * 201, "--region", "east"], "at most 200 characters"),
    ],
)
def test_accounts_create_refuses_bad_arguments(runner, args, message):
    result = run(runner, "accounts", "create", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count(Account.id))) == 0


def test_accounts_create_refuses_a_duplicate_code(runner, make):
    make.account("C-EAST-01", name="原有客户")
    result = run(runner, "accounts", "create", "--code", "c-east-01", "--name", "另一个", "--region", "south")
    assert result.exit_code == 1
    assert "Account C-EAST-01 already exists." in result.output
    assert db.session.scalar(select(Account.name).where(Account.code == "C-EAST-01")) == "原有客户"


@pytest.mark.parametrize(
    "role, extra, bound",
    [
        ("customer", ["--account", "C-EAST-01"], "C-EAST-01"),
        ("staff", ["--unit", "office-south"], "office-south"),
        ("infocentre", [], "infocentre"),
        ("sysadmin", [], "-"),
    ],
)
def test_users_create_for_each_role(runner, make, role, extra, bound):
    make.account("C-EAST-01")
    result = run(
        runner,
        "users",
        "create",
        "--email",
        "New@Example.com",
        "--password",
        PASSWORD,
        "--role",
        role,
        "--name",
        "新人",
        *extra,
    )
    assert result.exit_code == 0, result.output
    assert f"created {role} new@example.com ({bound})" in result.output
    user = services.user_by_email(db.session, "new@example.com")
    assert user.status is UserStatus.ACTIVE and user.role.value == role and user.name == "新人"
    assert services.verify_password(user, PASSWORD)
    if role == "customer":
        assert user.contact.account.code == "C-EAST-01"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "customer"], "A customer user needs an account"),
        (["--role", "customer", "--account", "NOPE"], "There is no account with the code NOPE."),
        (
            ["--role", "customer", "--account", "C-EAST-01", "--unit", "warehouse"],
            "belongs to an account, not a unit",
        ),
        (["--role", "staff"], "A staff user needs a unit"),
        (["--role", "staff", "--unit", "kitchen"], "Unknown unit kitchen; units are: office-intl"),
        (
            ["--role", "staff", "--unit", "warehouse", "--account", "C-EAST-01"],
            "Only customer users belong to an account",
        ),
        (["--role", "sysadmin", "--account", "C-EAST-01"], "Only customer users belong to an account"),
        (["--role", "boss"], "'boss' is not one of"),
    ],
)
def test_users_create_refuses_bad_combinations(runner, make, args, message):
    make.account("C-EAST-01")
    result = run(runner, "users", "create", "--email", "new@example.com", "--password", PASSWORD, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert services.user_by_email(db.session, "new@example.com") is None


@pytest.mark.parametrize(
    "email, password, message",
    [
        ("not-an-email", PASSWORD, "Enter a valid e-mail address."),
        ("new@example.com", "short1", "at least 10 characters"),
        ("new@example.com", "lettersonlypassword", "both letters and digits"),
    ],
)
def test_users_create_refuses_bad_email_and_weak_passwords(runner, email, password, message):
    result = run(runner, "users", "create", "--email", email, "--password", password, "--role", "sysadmin")
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_users_create_refuses_a_duplicate_email(runner, make):
    make.user(Role.SYSADMIN, email="new@example.com")
    result = run(
        runner, "users", "create", "--email", "NEW@example.com", "--password", PASSWORD, "--role", "sysadmin"
    )
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_users_deactivate(runner, make):
    user = make.user(Role.STAFF)
    result = run(runner, "users", "deactivate", "--email", user.email.upper())
    assert result.exit_code == 0 and f"deactivated {user.email}" in result.output
    assert db.session.get(User, user.id).status is UserStatus.DEACTIVATED
    again = run(runner, "users", "deactivate", "--email", user.email)
    assert again.exit_code == 0 and "already deactivated" in again.output
    missing = run(runner, "users", "deactivate", "--email", "ghost@example.com")
    assert missing.exit_code == 1 and "no user with e-mail ghost@example.com" in missing.output


def table_counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Account, Contact, User, NewsItem)
    }


def test_demo_is_idempotent_and_prints_logins(runner):
    first = run(runner, "demo")
    assert first.exit_code == 0, first.output
    counts = table_counts()
    assert counts["Account"] >= 8 and counts["User"] >= 16 and counts["NewsItem"] >= 4
    regions = set(db.session.scalars(select(Account.region)))
    assert {r.value for r in regions} == {"international", "east", "south", "north"}
    roles = {u.role for u in db.session.scalars(select(User))}
    assert roles == set(Role)
    assert "isupport2026" in first.output
    for login in (
        "admin@isupport.example.com",
        "info@isupport.example.com",
        "east@isupport.example.com",
        "wang.jianguo@c-east-01.example.com",
    ):
        assert login in first.output
    second = run(runner, "demo")
    assert second.exit_code == 0, second.output
    assert table_counts() == counts
    admin = services.user_by_email(db.session, "admin@isupport.example.com")
    assert services.authenticate(db.session, admin.email, "isupport2026").id == admin.id


@pytest.fixture
def cli_env(settings, monkeypatch):
    """The environment `isupport` reads, pointed at the test database."""
    monkeypatch.setenv("ISUPPORT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ISUPPORT_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setenv("ISUPPORT_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("ISUPPORT_SECRET_KEY", "cli-test")
    monkeypatch.delenv("ISUPPORT_LANGUAGE", raising=False)


def test_top_level_help_lists_every_command(app, cli_env):
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    for command in ("init", "demo", "serve", "accounts", "users", "db"):
        assert f"  {command} " in result.output
    assert "limiter" not in result.output
    assert "ISUPPORT_DATABASE_URL" in result.output and "ISUPPORT_LANGUAGE" in result.output
    assert "--app" not in result.output and "--debug" not in result.output


@pytest.mark.parametrize(
    "args, expected",
    [
        (["accounts", "--help"], ["create", "list", "Customer accounts"]),
        (
            ["accounts", "create", "--help"],
            ["--code", "--name", "--region", "international|east|south|north"],
        ),
        (["accounts", "list", "--help"], ["--json", "code, name and region"]),
        (["users", "--help"], ["create", "deactivate"]),
        (
            ["users", "create", "--help"],
            [
                "--email",
                "--password",
                "customer|staff|infocentre|sysadmin",
                "--account",
                "--unit",
                "office-east",
                "--name",
                "At least 10 characters",
            ],
        ),
        (["users", "deactivate", "--help"], ["--email", "sessions and API tokens stop working"]),
        (["init", "--help"], ["idempotent"]),
        (["demo", "--help"], ["idempotent"]),
        (["serve", "--help"], ["--host", "--port", "5000"]),
    ],
)
def test_subcommand_help(app, cli_env, args, expected):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.output, text


def isupport_process(tmp_path, database, *args: str, **settings: str) -> subprocess.CompletedProcess:
    """`isupport ARGS` in a fresh process that sees only these settings: an error found while the
    command starts must reach the user as one line, not a traceback."""
    env = {
        "PATH": "/usr/bin:/bin",
        "ISUPPORT_INSTANCE_DIR": str(tmp_path),
        "ISUPPORT_INDEX_DIR": str(tmp_path / "index"),
        "ISUPPORT_DATABASE_URL": f"sqlite:///{database}",
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_invalid_language_setting_is_a_clear_error_not_a_traceback(tmp_path):
    for args in (["--help"], ["accounts", "list"]):
        done = isupport_process(tmp_path, tmp_path / "x.sqlite3", *args, ISUPPORT_LANGUAGE="fr")
        assert done.returncode == 2
        assert "ISUPPORT_LANGUAGE='fr' is not supported; use one of zh_CN, en" in done.stderr
        assert "Traceback" not in done.stderr


def test_a_database_without_tables_is_a_clear_error_not_a_traceback(tmp_path):
    for args in (["accounts", "list"], ["deflect", "stats"]):
        done = isupport_process(tmp_path, tmp_path / "empty.sqlite3", *args)
        assert done.returncode == 1, done.stderr
        assert "run `isupport init` first" in done.stderr
        assert "Traceback" not in done.stderr


def test_a_database_that_cannot_be_opened_is_one_line_too(tmp_path):
    done = isupport_process(tmp_path, tmp_path / "no-such-folder" / "x.sqlite3", "accounts", "list")
    assert done.returncode == 1, done.stderr
    assert "Error: cannot use the database: unable to open database file" in done.stderr
    assert "Traceback" not in done.stderr and "isupport init" not in done.stderr
