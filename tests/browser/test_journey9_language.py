"""Journey 9: the language switch turns the pages to English and back (Chinese is the default)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .steps import go_by_nav

pytestmark = pytest.mark.browser

# A contact no other journey signs in as: the switch is saved on the user.
CUSTOMER = "li.xiaoyan@c-east-01.example.com"

PAGE_WORDS = ("Sign in", "How can we help you?", "My account", "Alerts", "Sign out")


def test_journey9_language_switch(journey, texts):
    untranslated = [msgid for msgid in PAGE_WORDS if not texts.translated(msgid)]
    assert not untranslated, f"no Chinese translation for {untranslated}"

    # A visitor: the sign-in page is Chinese by default, English after the switch, Chinese again after.
    visitor = journey.new_page()
    visitor.goto("/login")
    expect(visitor.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(visitor.locator("h1")).to_have_text(texts.zh("Sign in"))
    journey.shot(visitor, "sign-in-chinese")
    visitor.locator("nav.navbar a[lang=en]").click()
    expect(visitor).to_have_url(journey.portal.url("/login"))
    expect(visitor.locator("html")).to_have_attribute("lang", "en")
    expect(visitor.locator("h1")).to_have_text("Sign in")
    journey.shot(visitor, "sign-in-english")
    visitor.locator("nav.navbar a[lang=zh-CN]").click()
    expect(visitor.locator("h1")).to_have_text(texts.zh("Sign in"))

    # A signed-in customer: the home page and the pages after it follow the switch, until switched back.
    customer = journey.new_page(CUSTOMER)
    expect(customer.locator("#help-title")).to_have_text(texts.zh("How can we help you?"))
    expect(customer.locator("#alerts-title")).to_have_text(texts.zh("Alerts"))
    journey.shot(customer, "home-chinese")
    customer.locator("nav.navbar a[lang=en]").click()
    expect(customer.locator("html")).to_have_attribute("lang", "en")
    expect(customer.locator("#help-title")).to_have_text("How can we help you?")
    expect(customer.locator("#account-title")).to_have_text("My account")
    expect(customer.locator("nav button[type=submit]")).to_have_text("Sign out")
    journey.shot(customer, "home-english")
    go_by_nav(customer, "/me")  # another page keeps the chosen language
    expect(customer.locator("html")).to_have_attribute("lang", "en")
    customer.locator("nav.navbar a[lang=zh-CN]").click()
    expect(customer.locator("html")).to_have_attribute("lang", "zh-CN")
    customer.locator("a.navbar-brand").click()
    expect(customer.locator("#help-title")).to_have_text(texts.zh("How can we help you?"))
    expect(customer.locator("nav button[type=submit]")).to_have_text(texts.zh("Sign out"))
    journey.shot(customer, "home-chinese-again")
