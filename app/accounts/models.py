"""People and organisation: sales regions, internal units, customer accounts, contacts, users, API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


def enum_column(enum_cls: type[enum.Enum], **kwargs) -> Enum:
    """Enums are stored by value, as plain strings with a named CHECK-free VARCHAR (portable, migratable)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        **kwargs,
    )


class Region(enum.Enum):
    INTERNATIONAL = "international"
    EAST = "east"
    SOUTH = "south"
    NORTH = "north"


class Role(enum.Enum):
    CUSTOMER = "customer"
    STAFF = "staff"
    INFOCENTRE = "infocentre"
    SYSADMIN = "sysadmin"


class UserStatus(enum.Enum):
    PENDING = "pending"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    REJECTED = "rejected"


class UnitKind(enum.Enum):
    SALES_OFFICE = "sales_office"
    INFOCENTRE = "infocentre"
    DEPARTMENT = "department"
    WAREHOUSE = "warehouse"


class Unit(db.Model):
    """An internal unit: a regional sales office, the information centre or a department."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind))
    region: Mapped[Region | None] = mapped_column(enum_column(Region), nullable=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_zh


class Account(db.Model):
    """A customer: an air-conditioner factory, served by the sales office of its region."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[Region] = mapped_column(enum_column(Region))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    contacts: Mapped[list[Contact]] = relationship(back_populates="account", order_by="Contact.id")


class Contact(db.Model):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")

    account: Mapped[Account] = relationship(back_populates="contacts")


class User(db.Model):
    """Someone who signs in. Customers are bound to an account and contact, staff to a unit."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    status: Mapped[UserStatus] = mapped_column(enum_column(UserStatus), default=UserStatus.PENDING)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), nullable=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    show_company_news: Mapped[bool] = mapped_column(Boolean, default=True)
    show_product_news: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on deactivation and password change: every session cookie carrying the old value dies.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # What a self-registering contact typed; the information centre binds the real account on approval.
    registration_account_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    registration_phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    registration_company: Mapped[str | None] = mapped_column(String(200), nullable=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    account: Mapped[Account | None] = relationship(foreign_keys=[account_id])
    contact: Mapped[Contact | None] = relationship(foreign_keys=[contact_id])
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])

    # Flask-Login protocol -------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    # Role helpers used by views and templates ---------------------------------------------------
    @property
    def role_name(self) -> str:
        return self.role.value

    def has_role(self, *roles: Role | str) -> bool:
        names = {r.value if isinstance(r, Role) else r for r in roles}
        return self.role.value in names

    @property
    def is_customer(self) -> bool:
        return self.role is Role.CUSTOMER

    @property
    def is_internal(self) -> bool:
        return self.role is not Role.CUSTOMER


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()
