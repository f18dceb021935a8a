"""Accounts and access: creating accounts and users, sign-in with throttling, registration and
approval, deactivation, API tokens. Every function takes the session (and the clock) it works with."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from .models import Account, ApiToken, Contact, Region, Role, Unit, UnitKind, User, UserStatus

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
PASSWORD_MIN_LENGTH = 10
ACCOUNT_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()


def N_(message: str) -> str:
    """Marks a message for the translation catalogue; views translate it with app.web.error_message."""
    return message


def _error(
    cls: type[DomainError], msgid: str, *, field: str | None = None, code: str | None = None, **params
) -> DomainError:
    """A domain error whose English message is ``msgid % params``; the web shows it translated."""
    error = cls(msgid % params if params else msgid, field=field, code=code)
    error.msgid = msgid
    error.params = params
    return error


# The internal units of DOMAIN.md. Sales offices own the requests of their region's customers.
UNITS: tuple[tuple[str, UnitKind, Region | None, str, str], ...] = (
    ("office-intl", UnitKind.SALES_OFFICE, Region.INTERNATIONAL, "国际营业所", "International Sales Office"),
    ("office-east", UnitKind.SALES_OFFICE, Region.EAST, "华东营业所", "East China Sales Office"),
    ("office-south", UnitKind.SALES_OFFICE, Region.SOUTH, "南方营业所", "South Sales Office"),
    ("office-north", UnitKind.SALES_OFFICE, Region.NORTH, "北方营业所", "North Sales Office"),
    ("infocentre", UnitKind.INFOCENTRE, None, "信息中心（市场部综合管理科）", "Information Centre"),
    ("sales-tech", UnitKind.DEPARTMENT, None, "营业技术部", "Sales Technical Department"),
    ("qa-aftersales", UnitKind.DEPARTMENT, None, "品质保证部 售后服务科", "QA After-sales Service Section"),
    ("warehouse", UnitKind.WAREHOUSE, None, "仓储科", "Warehouse"),
)


def ensure_units(session: Session) -> list[Unit]:
    """Creates the fixed internal units if missing (idempotent); returns all units."""
    existing = {u.code: u for u in session.scalars(select(Unit))}
    for code, kind, region, name_zh, name_en in UNITS:
        if code not in existing:
            unit = Unit(code=code, kind=kind, region=region, name_zh=name_zh, name_en=name_en)
            session.add(unit)
            existing[code] = unit
    session.flush()
    return list(existing.values())


def sales_office_for(session: Session, region: Region) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.kind == UnitKind.SALES_OFFICE, Unit.region == region))
    if unit is None:
        raise NotFound(f"no sales office for region {region.value}; run `isupport init`")
    return unit


def unit_by_code(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        codes = ", ".join(c for c, *_ in UNITS)
        raise _error(
            NotFound,
            N_("Unknown unit %(unit)s; units are: %(codes)s."),
            field="unit_code",
            unit=code,
            codes=codes,
        )
    return unit


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise InvalidInput(N_("Enter a valid e-mail address."), field="email")
    return email


def check_password_rules(password: str, email: str = "") -> None:
    """At least 10 characters with letters and digits, not the e-mail address."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise _error(
            InvalidInput,
            N_("The password must have at least %(count)s characters."),
            field="password",
            count=PASSWORD_MIN_LENGTH,
        )
    if len(password) > 128:
        raise InvalidInput(N_("The password may have at most 128 characters."), field="password")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise InvalidInput(N_("The password must contain both letters and digits."), field="password")
    if email and password.lower() == email.lower():
        raise InvalidInput(N_("The password must not be your e-mail address."), field="password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- accounts ------------------------------------------------------------------------------------


def parse_region(value: str) -> Region:
    try:
        return Region(value)
    except ValueError:
        raise InvalidInput(
            f"unknown region {value!r}; use one of {', '.join(r.value for r in Region)}", field="region"
        ) from None


def create_account(session: Session, code: str, name: str, region: Region) -> Account:
    code = (code or "").strip().upper()
    if not ACCOUNT_CODE_RE.match(code):
        raise InvalidInput(N_("An account code is 2-32 letters, digits or hyphens."), field="code")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput(N_("An account needs a name of at most 200 characters."), field="name")
    if session.scalar(select(Account).where(Account.code == code)):
        raise _error(Conflict, N_("Account %(account)s already exists."), field="code", account=code)
    account = Account(code=code, name=name, region=region)
    session.add(account)
    session.flush()
    return account


def account_by_code(session: Session, code: str) -> Account:
    account = session.scalar(select(Account).where(Account.code == (code or "").strip().upper()))
    if account is None:
        raise _error(
            NotFound,
            N_("There is no account with the code %(account)s."),
            field="account_code",
            account=(code or "").strip(),
        )
    return account


def add_contact(session: Session, account: Account, name: str, phone: str = "", email: str = "") -> Contact:
    contact = Contact(
        account=account, name=name.strip(), phone=(phone or "").strip(), email=(email or "").strip()
    )
    session.add(contact)
    session.flush()
    return contact


# --- users ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewUser:
    email: str
    password: str
    role: Role
    name: str = ""
    account_code: str | None = None
    unit_code: str | None = None
    phone: str = ""


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def create_user(session: Session, new: NewUser) -> User:
    """Creates an active user. Customers need an account (a contact is made for them), staff a unit."""
    email = normalise_email(new.email)
    check_password_rules(new.password, email)
    if user_by_email(session, email):
        raise _error(
            Conflict, N_("A user with the e-mail %(email)s already exists."), field="email", email=email
        )
    name = (new.name or email.split("@")[0]).strip()[:100]
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(new.password),
        role=new.role,
        status=UserStatus.ACTIVE,
    )
    if new.role is Role.CUSTOMER:
        if not new.account_code:
            raise InvalidInput(N_("A customer user needs an account (--account CODE)."), field="account_code")
        if new.unit_code:
            raise InvalidInput(N_("A customer user belongs to an account, not a unit."), field="unit_code")
        account = account_by_code(session, new.account_code)
        user.account = account
        user.contact = add_contact(session, account, name, new.phone, email)
    else:
        if new.account_code:
            raise InvalidInput(N_("Only customer users belong to an account."), field="account_code")
        default_unit = {Role.INFOCENTRE: "infocentre"}.get(new.role)
        unit_code = new.unit_code or default_unit
        if new.role is Role.STAFF and not unit_code:
            raise InvalidInput(N_("A staff user needs a unit (--unit CODE)."), field="unit_code")
        if unit_code:
            user.unit = unit_by_code(session, unit_code)
    session.add(user)
    session.flush()
    return user


class SignInError(PermissionDenied):
    code = "sign_in_failed"


def authenticate(session: Session, email: str, password: str, now: datetime | None = None) -> User:
    """Checks a sign-in. After MAX_FAILED_LOGINS wrong passwords the user is locked for LOCKOUT.

    The same message is given for an unknown e-mail and a wrong password, so that sign-in does
    not tell who has an account."""
    now = now or utcnow()
    user = user_by_email(session, email)
    if user is None:
        _hasher.hash(password or "x")  # spend the same time as a real check
        raise SignInError(N_("Wrong e-mail or password."))
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise _error(
            SignInError,
            N_("Too many failed sign-ins. Try again in %(minutes)s minutes."),
            code="locked_out",
            minutes=minutes,
        )
    if not verify_password(user, password or ""):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        session.flush()
        raise SignInError(N_("Wrong e-mail or password."))
    if user.status is UserStatus.PENDING:
        raise SignInError(
            N_("Your registration is waiting for approval by the information centre."), code="pending"
        )
    if user.status is UserStatus.REJECTED:
        raise SignInError(N_("Your registration was not approved."), code="rejected")
    if user.status is UserStatus.DEACTIVATED:
        raise SignInError(N_("This user has been deactivated."), code="deactivated")
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return user


def load_session_user(session: Session, session_id: str) -> User | None:
    """Flask-Login's loader: the user of a session cookie, if still active and of the same epoch."""
    try:
        user_id, epoch = (int(part) for part in session_id.split(":"))
    except (ValueError, AttributeError):
        return None
    user = session.get(User, user_id)
    if user is None or user.session_epoch != epoch or user.status is not UserStatus.ACTIVE:
        return None
    return user


# --- registration and approval -------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    account_code: str
    company: str
    name: str
    email: str
    phone: str
    password: str


def register(session: Session, reg: Registration) -> User:
    """A customer contact asks for access: a pending user the information centre approves or rejects."""
    email = normalise_email(reg.email)
    check_password_rules(reg.password, email)
    if user_by_email(session, email):
        raise Conflict(N_("This e-mail address is already registered."), field="email")
    user = User(
        email=email,
        name=reg.name.strip()[:100],
        password_hash=hash_password(reg.password),
        role=Role.CUSTOMER,
        status=UserStatus.PENDING,
        registration_account_code=reg.account_code.strip().upper()[:32],
        registration_company=reg.company.strip()[:200],
        registration_phone=reg.phone.strip()[:40],
    )
    session.add(user)
    session.flush()
    return user


def pending_registrations(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.status == UserStatus.PENDING).order_by(User.created_at, User.id)
        )
    )


def _pending(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.status is not UserStatus.PENDING:
        raise NotFound(N_("No such pending registration."))
    return user


def approve_registration(
    session: Session,
    user_id: int,
    account: Account,
    approver: User,
    contact: Contact | None = None,
    now: datetime | None = None,
) -> User:
    """Binds the user to the account and a contact (the given one, else a new one) and activates."""
    user = _pending(session, user_id)
    if contact is not None and contact.account_id != account.id:
        raise InvalidInput(N_("That contact belongs to another account."), field="contact_id")
    user.account = account
    user.contact = contact or add_contact(
        session, account, user.name, user.registration_phone or "", user.email
    )
    user.status = UserStatus.ACTIVE
    user.decided_by_id = approver.id
    user.decided_at = now or utcnow()
    session.flush()
    return user


def reject_registration(
    session: Session, user_id: int, reason: str, approver: User, now: datetime | None = None
) -> User:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(N_("Give a reason for the rejection."), field="reason")
    user = _pending(session, user_id)
    user.status = UserStatus.REJECTED
    user.rejection_reason = reason[:2000]
    user.decided_by_id = approver.id
    user.decided_at = now or utcnow()
    session.flush()
    return user


def deactivate_user(session: Session, user: User, actor: User | None = None) -> User:
    """Ends the user's access at once: sessions (epoch bump) and API tokens (revoked)."""
    if actor is not None and actor.id == user.id:
        raise InvalidInput(N_("You cannot deactivate yourself."))
    if actor is not None and not actor.has_role(Role.INFOCENTRE, Role.SYSADMIN):
        raise PermissionDenied(
            N_("Only the information centre or a system administrator may deactivate users.")
        )
    if actor is not None and actor.role is Role.INFOCENTRE and user.role is Role.SYSADMIN:
        raise PermissionDenied(N_("The information centre cannot deactivate a system administrator."))
    user.status = UserStatus.DEACTIVATED
    user.session_epoch += 1
    for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.revoked = True
    session.flush()
    return user


def reactivate_user(session: Session, user: User) -> User:
    if user.status is not UserStatus.DEACTIVATED:
        raise InvalidInput(N_("Only a deactivated user can be reactivated."))
    user.status = UserStatus.ACTIVE
    session.flush()
    return user


def set_role(
    session: Session,
    user: User,
    role: Role,
    unit_code: str | None = None,
    account_code: str | None = None,
    actor: User | None = None,
) -> User:
    """The sysadmin's role assignment; keeps the binding (account or unit) consistent with the role."""
    if actor is not None and actor.id == user.id:
        # A sysadmin demoting themselves could leave the portal without anyone to administer it.
        raise InvalidInput(N_("You cannot change your own role."))
    if role is Role.CUSTOMER:
        account_code = account_code or (user.account.code if user.account else "")
        if not account_code:
            raise InvalidInput(N_("A customer user needs an account (--account CODE)."), field="account_code")
        # The form shows the current binding; only a newly typed one for the wrong role is a mistake.
        if unit_code and unit_code != (user.unit.code if user.unit else None):
            raise InvalidInput(N_("A customer user belongs to an account, not a unit."), field="unit_code")
        account = account_by_code(session, account_code)
        if user.account_id != account.id:
            user.account = account
            user.contact = add_contact(session, account, user.name, "", user.email)
        user.unit = None
    else:
        current_account = user.account.code if user.account else None
        if account_code and account_code.strip().upper() != current_account:
            raise InvalidInput(N_("Only customer users belong to an account."), field="account_code")
        unit_code = unit_code or ("infocentre" if role is Role.INFOCENTRE else None)
        if role is Role.STAFF and not unit_code:
            raise InvalidInput(N_("A staff user needs a unit."), field="unit_code")
        user.unit = unit_by_code(session, unit_code) if unit_code else None
        user.account = None
        user.contact = None
    user.role = role
    user.session_epoch += 1  # new rights take effect with a fresh sign-in
    session.flush()
    return user


# --- API tokens ----------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token)))
    session.flush()
    return token


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked or row.user.status is not UserStatus.ACTIVE:
        return None
    row.last_used_at = now or utcnow()
    return row.user
