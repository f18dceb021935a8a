"""Who reaches which page, the sysadmin's user administration, and deactivation from the web."""

import pytest

from app.accounts import services
from app.accounts.models import Role, User, UserStatus
from app.extensions import db
from tests.conftest import PASSWORD, api_token, bearer, csrf_token, login

ADMIN_PAGES = ["/admin/registrations", "/admin/users"]


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.mark.parametrize("path", ["/", "/me", *ADMIN_PAGES, "/admin/users/1"])
def test_anonymous_users_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.STAFF])
def test_customers_and_staff_get_403_on_admin_pages(client, login_as, make, role):
    login_as(role)
    other = make.user(Role.CUSTOMER)
    for path in [*ADMIN_PAGES, f"/admin/users/{other.id}"]:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "您无权打开此页面" in response.get_data(as_text=True)
    token = csrf_token(client, "/")
    for path in ["/admin/users", f"/admin/users/{other.id}", f"/admin/users/{other.id}/deactivate"]:
        assert client.post(path, data={"csrf_token": token, "role": "sysadmin"}).status_code == 403, path
    assert fresh(other).status is UserStatus.ACTIVE and fresh(other).role is Role.CUSTOMER


@pytest.mark.parametrize(
    "role, sees",
    [
        (Role.CUSTOMER, []),
        (Role.STAFF, []),
        (Role.INFOCENTRE, ["/admin/registrations", "/admin/users"]),
        (Role.SYSADMIN, ["/admin/registrations", "/admin/users"]),
    ],
)
def test_navigation_shows_each_role_what_it_may_use(client, login_as, role, sees):
    login_as(role)
    home = client.get("/")
    assert home.status_code == 200
    html = home.get_data(as_text=True)
    for path in ADMIN_PAGES:
        assert (f'href="{path}"' in html) == (path in sees), path


def test_infocentre_sees_users_but_may_not_create_users_or_assign_roles(client, login_as, make):
    login_as(Role.INFOCENTRE)
    customer = make.user(Role.CUSTOMER)
    page = client.get("/admin/users").get_data(as_text=True)
    assert customer.email in page
    assert 'action="/admin/users"' not in page  # no create form
    assert "分配角色" not in client.get(f"/admin/users/{customer.id}").get_data(as_text=True)
    token = csrf_token(client, "/")
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "new@example.com",
            "name": "新用户",
            "password": PASSWORD,
            "role": "sysadmin",
        },
    )
    assert response.status_code == 403
    assert services.user_by_email(db.session, "new@example.com") is None
    response = client.post(f"/admin/users/{customer.id}", data={"csrf_token": token, "role": "sysadmin"})
    assert response.status_code == 403
    assert fresh(customer).role is Role.CUSTOMER


def create_user(client, **fields):
    data = {
        "email": "new@example.com",
        "name": "新用户",
        "password": PASSWORD,
        "role": "staff",
        "account_code": "",
        "unit_code": "",
        "csrf_token": csrf_token(client, "/admin/users"),
        **fields,
    }
    return client.post("/admin/users", data=data)


@pytest.mark.parametrize(
    "fields, bound",
    [
        ({"role": "customer", "account_code": "ACC-9"}, "account"),
        ({"role": "staff", "unit_code": "warehouse"}, "warehouse"),
        ({"role": "infocentre"}, "infocentre"),
        ({"role": "sysadmin"}, None),
    ],
)
def test_sysadmin_creates_users_of_every_role(client, login_as, make, fields, bound):
    account = make.account("ACC-9")
    login_as(Role.SYSADMIN)
    response = create_user(client, **fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    user = services.user_by_email(db.session, "new@example.com")
    assert user.role.value == fields["role"] and user.status is UserStatus.ACTIVE
    if bound == "account":
        assert user.account_id == account.id and user.contact.account_id == account.id
    else:
        assert user.account is None
        assert (user.unit.code if user.unit else None) == bound
    assert "已创建用户 new@example.com" in client.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"role": "customer"}, "客户用户必须属于一个客户账户"),
        ({"role": "customer", "account_code": "NOPE-1"}, "没有代码为 NOPE-1 的客户账户"),
        (
            {"role": "customer", "account_code": "ACC-9", "unit_code": "warehouse"},
            "客户用户属于客户账户，而不属于内部单位",
        ),
        ({"role": "staff"}, "员工用户必须属于一个内部单位"),
        ({"role": "staff", "account_code": "ACC-9", "unit_code": "warehouse"}, "只有客户用户才属于客户账户"),
        ({"role": "staff", "unit_code": "no-such-unit"}, "未知的单位"),
        ({"role": "boss"}, "不是有效的选择"),
        ({"email": "bad"}, "请输入有效的电子邮件地址"),
        ({"email": ""}, "该字段是必填字段"),
        ({"name": "名" * 101}, "不能超过 100 个字符"),
        ({"password": "lettersonly"}, "密码必须同时包含字母和数字"),
        ({"password": "short"}, "长度必须介于 10 到 128 个字符之间"),
    ],
)
def test_bad_user_creation_is_a_400_with_a_message(client, login_as, make, fields, message):
    make.account("ACC-9")
    login_as(Role.SYSADMIN)
    response = create_user(client, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert services.user_by_email(db.session, "new@example.com") is None


def test_duplicate_email_is_refused_on_creation(client, login_as, make):
    make.user(Role.STAFF, email="new@example.com")
    login_as(Role.SYSADMIN)
    response = create_user(client, email="NEW@example.com", unit_code="warehouse")
    assert response.status_code == 400
    assert "电子邮件为 new@example.com 的用户已存在" in response.get_data(as_text=True)


def test_sysadmin_assigns_roles_and_the_user_must_sign_in_again(client, login_as, make, app):
    customer = make.user(Role.CUSTOMER)
    other = app.test_client()
    login(other, customer)
    assert other.get("/").status_code == 200
    login_as(Role.SYSADMIN)
    token = csrf_token(client, "/")
    # the form shows the current account; a role without one ignores that pre-filled value
    response = client.post(
        f"/admin/users/{customer.id}",
        data={
            "csrf_token": token,
            "role": "staff",
            "unit_code": "qa-aftersales",
            "account_code": customer.account.code,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    changed = fresh(customer)
    assert changed.role is Role.STAFF and changed.unit.code == "qa-aftersales" and changed.account is None
    assert other.get("/").status_code == 302  # new rights need a fresh sign-in
    assert "品质保证部 售后服务科" in client.get(f"/admin/users/{customer.id}").get_data(as_text=True)

    response = client.post(f"/admin/users/{customer.id}", data={"csrf_token": token, "role": "customer"})
    assert response.status_code == 400
    assert "客户用户必须属于一个客户账户" in response.get_data(as_text=True)
    assert fresh(customer).role is Role.STAFF


def test_sysadmin_cannot_change_their_own_role(client, login_as):
    admin = login_as(Role.SYSADMIN)
    response = client.post(
        f"/admin/users/{admin.id}",
        data={"csrf_token": csrf_token(client, "/"), "role": "customer", "account_code": ""},
    )
    assert response.status_code == 400
    assert "您不能更改自己的角色" in response.get_data(as_text=True)
    assert fresh(admin).role is Role.SYSADMIN


def test_unknown_user_is_404(client, login_as):
    login_as(Role.INFOCENTRE)
    assert client.get("/admin/users/99999").status_code == 404
    assert (
        client.post("/admin/users/99999/deactivate", data={"csrf_token": csrf_token(client, "/")}).status_code
        == 404
    )


def test_user_list_filters_and_pages(client, login_as, make):
    login_as(Role.INFOCENTRE)
    for n in range(25):
        make.user(Role.CUSTOMER, email=f"bulk{n:02d}@example.com")
    make.user(Role.STAFF, email="staffer@example.com", unit="warehouse")
    first = client.get("/admin/users?q=bulk").get_data(as_text=True)
    assert "共 25 条" in first and "第 1 页，共 2 页" in first
    assert "bulk00@example.com" in first and "bulk24@example.com" not in first
    assert "bulk24@example.com" in client.get("/admin/users?q=bulk&page=2").get_data(as_text=True)
    staff = client.get("/admin/users?role=staff").get_data(as_text=True)
    assert "staffer@example.com" in staff and "bulk00" not in staff and "仓储科" in staff
    assert client.get("/admin/users?role=nonsense&status=x&page=abc&per_page=-5").status_code == 200
    assert "没有符合条件的用户" in client.get("/admin/users?q=zzzz-nobody").get_data(as_text=True)


def test_web_deactivation_ends_the_users_session_and_api_token(client, login_as, make, app):
    customer = make.user(Role.CUSTOMER)
    browser = app.test_client()
    login(browser, customer)
    assert browser.get("/").status_code == 200
    token = api_token(client, customer)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200

    login_as(Role.INFOCENTRE)
    response = client.post(
        f"/admin/users/{customer.id}/deactivate", data={"csrf_token": csrf_token(client, "/")}
    )
    assert response.status_code == 302
    assert "已停用" in client.get(f"/admin/users/{customer.id}").get_data(as_text=True)

    assert browser.get("/").status_code == 302
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 401 and me.get_json()["error"]["code"] == "unauthorized"
    assert login(browser, customer).status_code == 400
    assert (
        client.post("/api/v1/tokens", json={"email": customer.email, "password": PASSWORD}).status_code == 401
    )

    # reactivation restores sign-in, but not the revoked token
    client.post(f"/admin/users/{customer.id}/reactivate", data={"csrf_token": csrf_token(client, "/")})
    assert fresh(customer).status is UserStatus.ACTIVE
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert login(browser, customer).status_code == 302


def test_infocentre_cannot_deactivate_a_sysadmin_or_themselves(client, login_as, make):
    info = login_as(Role.INFOCENTRE)
    admin = make.user(Role.SYSADMIN)
    token = csrf_token(client, "/")
    client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": token})
    assert fresh(admin).status is UserStatus.ACTIVE
    assert "信息中心不能停用系统管理员" in client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    client.post(f"/admin/users/{info.id}/deactivate", data={"csrf_token": token})
    assert fresh(info).status is UserStatus.ACTIVE


def test_home_page_alerts_the_infocentre_about_waiting_registrations(client, login_as):
    services.register(
        db.session,
        services.Registration(
            account_code="C-1",
            company="测试",
            name="张三",
            email="zs@example.com",
            phone="021-12345678",
            password=PASSWORD,
        ),
    )
    db.session.commit()
    login_as(Role.INFOCENTRE)
    home = client.get("/").get_data(as_text=True)
    assert "1 个注册申请等待审批" in home
    assert 'href="/admin/registrations"' in home
