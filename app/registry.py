"""Seams through which the domains plug into the shared page frame.

Each domain's ``init_app`` adds its navigation entries, home-page alerts, demo-data loader and
OpenAPI paths here, so that the frame never imports a domain and two domains never edit one file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy_gettext string
    endpoint: str
    roles: frozenset[str]
    order: int = 50
    # A finer check than the role, e.g. only sales-office staff among the staff: (user) -> bool
    visible: Callable[[Any], bool] | None = None
    # Items sharing a group label (a lazy_gettext string) fold into one drop-down menu, at the place
    # of the first of them, when a user sees two or more of them.
    group: Any = None

    def shown_to(self, user: Any) -> bool:
        return user.role.value in self.roles and (self.visible is None or self.visible(user))


@dataclass(frozen=True)
class NavEntry:
    """One entry of the navigation bar: a link (``items`` of one) or a drop-down menu."""

    items: tuple[NavItem, ...]
    label: Any = None  # the menu's label; None for a plain link

    @property
    def is_menu(self) -> bool:
        return self.label is not None

    def active(self, endpoint: str | None) -> bool:
        return any(item.endpoint == endpoint for item in self.items)


def nav_entries(items: list[NavItem]) -> list[NavEntry]:
    """Folds the items a user sees into links and menus, keeping their order."""
    runs: list[list[NavItem]] = []  # one per entry; a group's run sits where its first item was
    groups: dict[str, list[NavItem]] = {}
    for item in items:
        if item.group is None:
            runs.append([item])
        elif str(item.group) in groups:
            groups[str(item.group)].append(item)
        else:
            runs.append(groups.setdefault(str(item.group), [item]))
    return [NavEntry(tuple(run), run[0].group if len(run) > 1 else None) for run in runs]


@dataclass(frozen=True)
class Alert:
    """One line of the home page's alerts portlet. level: danger, warning or info."""

    level: str
    message: str
    url: str | None = None


@dataclass(frozen=True)
class DemoLoader:
    order: int
    name: str
    load: Callable[..., Any]  # load(settings, echo) -> None; runs inside an app context


@dataclass(frozen=True)
class ShippedUnit:
    """A compressor the company shipped to an account, as the ledger knows it (by serial number)."""

    serial_number: str
    product_model: str
    production_date: Any  # date | None
    ship_date: Any  # date | None
    order_number: str | None = None
    order_line_id: int | None = None


@dataclass(frozen=True)
class Suggestion:
    """A knowledge-base article suggested for a fault description."""

    slug: str
    title: str
    kind: str
    snippet: str  # safe HTML with <mark> highlights
    score: float
    url: str


@dataclass
class PortalRegistry:
    nav: list[NavItem] = field(default_factory=list)
    alert_providers: list[Callable[[Any], list[Alert]]] = field(default_factory=list)
    # (user, limit) -> list of objects with number, summary, status_label, url
    latest_requests_provider: Callable[[Any, int], list[Any]] | None = None
    # (text) -> search URL for the home page's "How can we help you?" box
    help_search_endpoint: str | None = None
    demo_loaders: list[DemoLoader] = field(default_factory=list)
    openapi_paths: dict[str, dict] = field(default_factory=dict)
    startup_hooks: list[Callable[[Flask], None]] = field(default_factory=list)
    # Set by the ledger: (session, account_id, serial_number) -> ShippedUnit | None
    unit_lookup: Callable[[Any, int, str], ShippedUnit | None] | None = None
    # Set by the ledger: (session, account_id, order_line_id) -> ShippedUnit | None
    order_line_lookup: Callable[[Any, int, int], ShippedUnit | None] | None = None
    # Set by deflection: (session, user, description, product_model, limit) -> list[Suggestion]
    suggest: Callable[..., list[Suggestion]] | None = None

    def add_nav(self, label: Any, endpoint: str, roles: set[str] | frozenset[str], order: int = 50,
                visible: Callable[[Any], bool] | None = None, group: Any = None) -> None:
        self.nav.append(NavItem(label, endpoint, frozenset(roles), order, visible, group))
        self.nav.sort(key=lambda item: item.order)

    def add_demo_loader(self, order: int, name: str, load: Callable[..., Any]) -> None:
        self.demo_loaders.append(DemoLoader(order, name, load))
        self.demo_loaders.sort(key=lambda loader: loader.order)


def registry(app: Flask | None = None) -> PortalRegistry:
    app = app or current_app
    return app.extensions["isupport.registry"]
