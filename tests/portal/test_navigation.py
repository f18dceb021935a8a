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
