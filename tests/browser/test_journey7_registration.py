"""Journey 7: a contact self-registers, the information centre approves, the user signs in; then the
information centre deactivates them and their open browser session is signed out."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from .steps import go_by_nav

pytestmark = pytest.mark.browser

INFOCENTRE = "info@isupport.example.com"
ACCOUNT_CODE = "C-EAST-02"
ACCOUNT_NAME = "苏州澄风电器有限公司"
PASSWORD = "Zhou-xin-2026"


def test_journey7_registration_approval_deactivation(journey, texts):
    email = f"zhou.xin.{uuid.uuid4().hex[:8]}@c-east-02.example.com"

    # The contact finds the registration form from the sign-in page.
    visitor = journey.new_page()
    visitor.goto("/login")
    visitor.locator("main a[href='/register']").click()
    expect(visitor.locator("h1")).to_have_text(texts.zh("Register as a customer contact"))
    visitor.locator("input[name=account_code]").fill(ACCOUNT_CODE)
    visitor.locator("input[name=company]").fill(ACCOUNT_NAME)
    visitor.locator("input[name=name]").fill("周新")
    visitor.locator("input[name=email]").fill(email)
    visitor.locator("input[name=phone]").fill("0512-6620-3309")
    visitor.locator("input[name=password]").fill(PASSWORD)
    visitor.locator("input[name=confirm]").fill(PASSWORD)
    journey.shot(visitor, "registration-form")
    visitor.locator("main form button[type=submit]").click()
    expect(visitor.locator("h1")).to_have_text(texts.zh("Registration received"))
    journey.shot(visitor, "registration-received")

    # Before approval, signing in says why it does not work yet.
    visitor.goto("/login")
    visitor.locator("input[name=email]").fill(email)
    visitor.locator("input[name=password]").fill(PASSWORD)
    with journey.expect_status(400, "/login"):
        visitor.locator("main form button[type=submit]").click()
        expect(visitor.locator("main .alert-danger")).to_contain_text(
            texts.zh("Your registration is waiting for approval by the information centre."))
    journey.shot(visitor, "sign-in-before-approval")

    # The information centre sees the registration matched to the account and approves it.
    info = journey.new_page(INFOCENTRE)
    go_by_nav(info, "/admin/registrations")
    card = info.locator(f".registration[data-email='{email}']")
    expect(card).to_contain_text(texts.zh("Matches account %(code)s, %(name)s", code=ACCOUNT_CODE,
                                          name=ACCOUNT_NAME))
    expect(card.locator("input[name=account_code]")).to_have_value(ACCOUNT_CODE)
    journey.shot(info, "approval-queue")
    card.locator("form[action$='/approve'] button[type=submit]").click()
    expect(info.locator("main .alert-success")).to_have_text(
        texts.zh("%(email)s is approved and can sign in.", email=email))
    expect(info.locator(f".registration[data-email='{email}']")).to_have_count(0)
    journey.shot(info, "approved")

    # The new user signs in and sees their company on the home page.
    customer = journey.new_page(email, password=PASSWORD)
    journey.forget(email)
    expect(customer.locator("#account-title")).to_have_text(texts.zh("My account"))
    expect(customer.locator("main")).to_contain_text(ACCOUNT_NAME)
    expect(customer.locator("main")).to_contain_text(ACCOUNT_CODE)
    journey.shot(customer, "customer-home")

    # The information centre finds the user and deactivates them.
    go_by_nav(info, "/admin/users")
    info.locator("input[name=q]").fill(email)
    info.locator("main form[role=search] button[type=submit]").click()
    info.locator(f"main table a:text-is('{email}')").click()
    expect(info.locator("h1")).to_contain_text(email)
    info.locator("form[action$='/deactivate'] button[type=submit]").click()
    expect(info.locator("main .alert-info")).to_contain_text(email)
    expect(info.locator("form[action$='/reactivate'] button[type=submit]")).to_be_visible()
    journey.shot(info, "deactivated")

    # The customer's open session ends at once: the next page they open is the sign-in page.
    customer.reload()
    expect(customer).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(customer.locator("main")).not_to_contain_text(ACCOUNT_NAME)
    expect(customer.locator("main .alert-info")).to_have_text(texts.zh("Please sign in to see this page."))
    journey.shot(customer, "signed-out")

    # And they cannot sign in again.
    customer.locator("input[name=email]").fill(email)
    customer.locator("input[name=password]").fill(PASSWORD)
    with journey.expect_status(400, "/login"):
        customer.locator("main form button[type=submit]").click()
        expect(customer.locator("main .alert-danger")).to_contain_text(
            texts.zh("This user has been deactivated."))
    journey.shot(customer, "sign-in-refused")
