"""The navigation shows each user only what they may open."""

import pytest

from app.accounts.models import Role


@pytest.mark.parametrize(
    ("role", "unit", "shows_orders"),
    [
        (Role.CUSTOMER, None, True),
        (Role.STAFF, "office-south", True),
        (Role.STAFF, "warehouse", False),
        (Role.STAFF, "sales-tech", False),
        (Role.INFOCENTRE, None, True),
        (Role.SYSADMIN, None, False),
    ],
)
def test_ledger_links_only_for_those_who_may_open_them(client, login_as, role, unit, shows_orders):
    kwargs = {"unit": unit} if unit else {}
    login_as(role, **kwargs)
    html = client.get("/lang/en", follow_redirects=True).get_data(as_text=True)
    assert ('href="/account/orders"' in html) is shows_orders
    if shows_orders:
        assert client.get("/account/orders").status_code == 200
    else:
        assert client.get("/account/orders").status_code == 403


def _item(label, group=None, order=50):
    from app.registry import NavItem

    return NavItem(label, f"x.{label}", frozenset({"staff"}), order, None, group)


def test_items_of_one_group_fold_into_a_menu_at_the_first_ones_place():
    from app.registry import nav_entries

    items = [_item("queue"), _item("orders", "billing"), _item("rma", "reports"),
             _item("invoices", "billing"), _item("notifications")]
    entries = nav_entries(items)
    assert [(e.label, [i.label for i in e.items]) for e in entries] == [
        (None, ["queue"]), ("billing", ["orders", "invoices"]), (None, ["rma"]), (None, ["notifications"])]
    assert entries[1].is_menu and not entries[2].is_menu  # a group of one stays a plain link
    assert entries[1].active("x.invoices") and not entries[1].active("x.queue")
    assert nav_entries([]) == []


def test_the_information_centre_sees_menus_not_a_row_of_fifteen_links(client, login_as):
    login_as(Role.INFOCENTRE)
    html = client.get("/lang/en", follow_redirects=True).get_data(as_text=True)
    for label in ("Orders and billing", "Knowledge management", "Administration"):
        assert f'data-bs-toggle="dropdown" aria-expanded="false">{label}</a>' in html, label
    for href in ("/account/orders", "/kb/manage", "/kb/analytics", "/faults/gaps", "/admin/registrations",
                 "/admin/users"):
        assert f'class="dropdown-item" href="{href}"' in html, href
    zh = client.get("/lang/zh_CN", follow_redirects=True).get_data(as_text=True)
    assert ">知识库管理</a>" in zh and ">订单与账务</a>" in zh and ">系统管理</a>" in zh
