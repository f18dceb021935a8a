"""Self-registration, the information centre's approval queue, and bad registration input."""

import pytest

from app.accounts import services
from app.accounts.models import Role, User, UserStatus
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token, login

GOOD = {
    "account_code": "c-east-77",
    "company": "宁波测试空调有限公司",
    "name": "王小明",
    "email": "Wang.XM@example.com",
    "phone": "0574-1234-5678",
    "password": PASSWORD,
    "confirm": PASSWORD,
}


def register(client, **changes):
    data = {**GOOD, **changes, "csrf_token": csrf_token(client, "/register")}
    return client.post("/register", data={k: v for k, v in data.items() if v is not None})


def user_by_email(email: str) -> User:
    db.session.expire_all()
    return services.user_by_email(db.session, email)


def test_registration_approval_and_sign_in(client, app, make):
    account = make.account("C-EAST-77")
    response = register(client)
    assert response.status_code == 200
    assert "注册申请已提交" in response.get_data(as_text=True)
    pending = user_by_email("wang.xm@example.com")
    assert pending.status is UserStatus.PENDING and pending.account is None
    assert pending.registration_account_code == "C-EAST-77"
    assert login(client, pending.email).status_code == 400  # not approved yet

    info = make.user(Role.INFOCENTRE)
    assert login(client, info).status_code == 302
    queue = client.get("/admin/registrations").get_data(as_text=True)
    assert "wang.xm@example.com" in queue
    assert "宁波测试空调有限公司" in queue
    assert account.name in queue  # the code matches a known account
    token = csrf_token(client, "/admin/registrations")
    response = client.post(
        f"/admin/registrations/{pending.id}/approve",
        data={"account_code": "C-EAST-77", "contact_id": "0", "csrf_token": token},
    )
    assert response.status_code == 302
    assert "已批准" in client.get("/admin/registrations").get_data(as_text=True)

    approved = user_by_email("wang.xm@example.com")
    assert approved.status is UserStatus.ACTIVE
    assert approved.account_id == account.id
    assert approved.contact.account_id == account.id
    assert approved.contact.name == "王小明" and approved.contact.phone == "0574-1234-5678"
    assert approved.decided_by_id == info.id and approved.decided_at is not None

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, approved.email).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert account.name in home and "C-EAST-77" in home


def test_approval_can_bind_an_existing_contact_of_the_account(client, make):
    account = make.account("C-EAST-78")
    contact = services.add_contact(db.session, account, "李四", "021-1", "li4@example.com")
    db.session.commit()
    register(client, account_code="C-EAST-78", email="li4@example.com")
    pending = user_by_email("li4@example.com")
    login_info(client, make)
    response = client.post(
        f"/admin/registrations/{pending.id}/approve",
        data={
            "account_code": "C-EAST-78",
            "contact_id": str(contact.id),
            "csrf_token": csrf_token(client, "/"),
        },
    )
    assert response.status_code == 302
    assert user_by_email("li4@example.com").contact_id == contact.id


def test_approval_refuses_a_contact_of_another_account(client, make):
    make.account("C-EAST-79")
    other = make.account("C-EAST-80")
    foreign = services.add_contact(db.session, other, "外人")
    db.session.commit()
    register(client, account_code="C-EAST-79")
    pending = user_by_email(GOOD["email"])
    login_info(client, make)
    client.post(
        f"/admin/registrations/{pending.id}/approve",
        data={
            "account_code": "C-EAST-79",
            "contact_id": str(foreign.id),
            "csrf_token": csrf_token(client, "/"),
        },
    )
    page = client.get("/admin/registrations").get_data(as_text=True)
    assert "该联系人属于其他客户账户" in page
    assert user_by_email(GOOD["email"]).status is UserStatus.PENDING


def test_approval_with_an_unknown_account_code_keeps_the_registration_pending(client, make):
    register(client, account_code="C-NOPE-1")
    pending = user_by_email(GOOD["email"])
    login_info(client, make)
    queue = client.get("/admin/registrations").get_data(as_text=True)
    assert "没有客户账户使用此代码" in queue
    client.post(
        f"/admin/registrations/{pending.id}/approve",
        data={"account_code": "C-NOPE-1", "csrf_token": csrf_token(client, "/")},
    )
    assert "没有代码为 C-NOPE-1 的客户账户" in client.get("/admin/registrations").get_data(as_text=True)
    assert user_by_email(GOOD["email"]).status is UserStatus.PENDING


def login_info(client, make) -> User:
    info = make.user(Role.INFOCENTRE)
    assert login(client, info).status_code == 302
    return info


def test_rejection_needs_a_reason_and_the_rejected_user_cannot_sign_in(client, make):
    make.account("C-EAST-77")
    register(client)
    pending = user_by_email(GOOD["email"])
    login_info(client, make)
    token = csrf_token(client, "/")
    client.post(f"/admin/registrations/{pending.id}/reject", data={"reason": "  ", "csrf_token": token})
    assert user_by_email(GOOD["email"]).status is UserStatus.PENDING
    response = client.post(
        f"/admin/registrations/{pending.id}/reject", data={"reason": "非本公司客户", "csrf_token": token}
    )
    assert response.status_code == 302
    rejected = user_by_email(GOOD["email"])
    assert rejected.status is UserStatus.REJECTED
    assert rejected.rejection_reason == "非本公司客户"
    queue = client.get("/admin/registrations").get_data(as_text=True)
    assert "已拒绝 wang.xm@example.com 的注册申请" in queue
    assert 'data-email="wang.xm@example.com"' not in queue

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = login(client, rejected.email)
    assert response.status_code == 400
    assert "您的注册申请未获批准" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # a decided registration cannot be approved afterwards
    login_info(client, make)
    client.post(
        f"/admin/registrations/{pending.id}/approve",
        data={"account_code": "C-EAST-77", "csrf_token": csrf_token(client, "/")},
    )
    assert user_by_email(GOOD["email"]).status is UserStatus.REJECTED


def test_staff_and_customers_cannot_approve(client, make):
    register(client)
    pending = user_by_email(GOOD["email"])
    for role in (Role.CUSTOMER, Role.STAFF):
        user = make.user(role)
        login(client, user)
        token = csrf_token(client, "/")
        assert client.get("/admin/registrations").status_code == 403
        assert (
            client.post(
                f"/admin/registrations/{pending.id}/approve", data={"account_code": "X", "csrf_token": token}
            ).status_code
            == 403
        )
        client.post("/logout", data={"csrf_token": token})
    assert user_by_email(GOOD["email"]).status is UserStatus.PENDING


def test_sysadmin_may_approve_too(client, make):
    make.account("C-EAST-77")
    register(client)
    pending = user_by_email(GOOD["email"])
    login(client, make.user(Role.SYSADMIN))
    client.post(
        f"/admin/registrations/{pending.id}/approve",
        data={"account_code": "c-east-77", "csrf_token": csrf_token(client, "/")},
    )
    assert user_by_email(GOOD["email"]).status is UserStatus.ACTIVE


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"email": "not-an-email"}, "请输入有效的电子邮件地址"),
        ({"email": None}, "该字段是必填字段"),
        ({"name": ""}, "该字段是必填字段"),
        ({"account_code": None}, "该字段是必填字段"),
        ({"name": "名" * 101}, "不能超过 100 个字符"),
        ({"company": "司" * 201}, "不能超过 200 个字符"),
        ({"account_code": "C" * 33}, "长度必须介于 2 到 32 个字符之间"),
        ({"phone": "1" * 41}, "长度必须介于 5 到 40 个字符之间"),
        ({"email": "a" * 250 + "@example.com"}, "不能超过 254 个字符"),
        ({"password": "short1", "confirm": "short1"}, "长度必须介于 10 到 128 个字符之间"),
        ({"password": "onlyletters", "confirm": "onlyletters"}, "密码必须同时包含字母和数字"),
        ({"password": "x" * 129 + "1", "confirm": "x" * 129 + "1"}, "长度必须介于 10 到 128 个字符之间"),
        ({"confirm": "something-else-1"}, "两次输入的密码不一致"),
    ],
)
def test_bad_registration_input_is_a_400_with_a_message(client, changes, message):
    response = register(client, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0


def test_duplicate_email_registration_is_refused(client, make):
    make.user(Role.CUSTOMER, email="wang.xm@example.com")
    response = register(client)
    assert response.status_code == 400
    assert "该电子邮件地址已注册" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 1


def test_registration_page_is_chinese_by_default_and_english_on_request(client):
    page = client.get("/register").get_data(as_text=True)
    assert "注册为客户联系人" in page and "客户账户代码" in page
    client.get("/lang/en")
    page = client.get("/register").get_data(as_text=True)
    assert "Register as a customer contact" in page and "Customer account code" in page
